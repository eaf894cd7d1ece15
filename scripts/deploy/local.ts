/**
 * The Local CloudBase applier: the same plan as the cloud's, carried out into an emulator in
 * this process (`npm start` deploys this way, so local and cloud cannot drift).
 */
import type { LocalCloudBase } from '../../local-cloudbase/server'
import { DbError } from '../../local-cloudbase/db/errors'
import { deployedEnv, describeIndex } from './plan'
import { DeployError } from './cloud'
import { FUNCTION_DEFAULTS, type FunctionConfigFile } from './project'
import type { FunctionSpec, Observed, Op, SecurityRule } from './types'

/** What was deployed per function: Local CloudBase keeps no runtime, handler or code hash itself. */
const deployed = new WeakMap<LocalCloudBase, Map<string, FunctionSpec>>()

function registry(lcb: LocalCloudBase): Map<string, FunctionSpec> {
  let m = deployed.get(lcb)
  if (!m) deployed.set(lcb, (m = new Map()))
  return m
}

export function observeLocal(
  lcb: LocalCloudBase,
): Omit<Observed, 'templates' | 'importedFiles' | 'admins' | 'printFont'> {
  const reg = registry(lcb)
  const timers = lcb.scheduler.list()
  return {
    functions: lcb.host.list().map((f) => {
      const spec = reg.get(f.name)
      return {
        name: f.name,
        // Local CloudBase runs every function on its own Node: a function deployed some other
        // way (e.g. by a test's start options) has the runtime and handler its config.json says.
        runtime: spec?.runtime ?? (f.config as FunctionConfigFile).runtime ?? FUNCTION_DEFAULTS.runtime,
        handler: spec?.handler ?? (f.config as FunctionConfigFile).handler ?? FUNCTION_DEFAULTS.handler,
        timeout: f.timeoutMs / 1000,
        memorySize: f.memoryMb,
        installDependency: spec?.installDependency ?? false,
        envVariables: spec ? deployedEnv(spec) : {},
        triggers: timers
          .filter((t) => t.function === f.name)
          .map((t) => ({ name: t.trigger, type: 'timer' as const, config: t.cron })),
        codeHash: spec?.codeHash ?? null,
      }
    }),
    collections: lcb.store.listCollections().map(({ name }) => ({
      name,
      indexes: lcb.store.listIndexes(name).map((i) => ({ ...i })),
      rules: lcb.rules.collectionRule(name) as SecurityRule | null,
    })),
    storageRule: lcb.rules.storageRule() as SecurityRule | null,
  }
}

export function applyLocal(lcb: LocalCloudBase, op: Op): void {
  switch (op.kind) {
    case 'function.create':
    case 'function.updateCode':
    case 'function.updateConfig':
      // A code change plans both updates (the code hash is also an environment variable); the
      // folder deployed for the first already carries the second.
      if (op.kind === 'function.updateConfig' && registry(lcb).get(op.fn.name) === op.fn) return
      // Local CloudBase reads the bundle and config.json from the folder, as the upload would.
      lcb.deploy(op.fn.dir)
      registry(lcb).set(op.fn.name, op.fn)
      return
    case 'trigger.create':
      lcb.scheduler.add({ function: op.function, trigger: op.trigger.name, cron: op.trigger.config })
      return
    case 'collection.create':
      lcb.store.createCollection(op.collection, lcb.clock.now())
      return
    case 'index.create':
      try {
        lcb.store.ensureIndex(op.collection, op.index)
      } catch (err) {
        if (err instanceof DbError && op.index.unique)
          throw new DeployError(
            `无法创建唯一索引 ${op.collection}.${describeIndex(op.index)}：集合中已有重复的值（${err.message}）。部署已停止：先清理重复数据，再运行部署继续`,
          )
        throw err
      }
      return
    case 'index.drop':
      lcb.store.dropIndex(op.collection, op.index)
      return
    case 'rules.set':
      lcb.rules.setCollectionRule(op.collection, op.rules)
      return
    case 'storageRule.set':
      lcb.rules.setStorageRule(op.rules)
      return
    case 'trigger.delete':
    case 'collection.delete':
      throw new DeployError(`Local CloudBase 不支持 ${op.kind}：用 npm start -- --reset 从头开始`)
    default:
      throw new Error(`${op.kind} is a data operation`)
  }
}
