/**
 * The cloud applier: observes a CloudBase environment and carries out a plan through the
 * official management SDK (@cloudbase/manager-node), type-checked against its own types.
 *
 * Sparse indexes: the SDK's published `MgoKeySchema` has no sparse flag, while the API's
 * index schema takes `MgoIsSparse`; `SparseKeySchema` below extends the type locally (the SDK
 * passes the object through to the request body unchanged). Agents not yet bound to WeChat
 * must not collide on an empty openid, and bookings hold their unique keys only while active.
 */
import CloudBase from '@cloudbase/manager-node'
import type {
  CreateIndex,
  ICloudFunction,
  IndexInfo,
  MgoKeySchema,
} from '@cloudbase/manager-node/types/interfaces'
import type { IFunctionInfo } from '@cloudbase/manager-node/types/function/types'
import { UPLOAD_IGNORE } from './project'
import { deployedEnv, describeIndex } from './plan'
import type {
  IndexSpec,
  Observed,
  ObservedCollection,
  ObservedFunction,
  Op,
  SecurityRule,
  Trigger,
} from './types'

/** The API's index key schema with the sparse flag the SDK's type lacks (see above). */
export interface SparseKeySchema extends MgoKeySchema {
  MgoIsSparse?: boolean
}
/** What DescribeTable may report per index beyond the SDK's type. */
type IndexInfoSeen = IndexInfo & { Sparse?: boolean; MgoIsSparse?: boolean }

export interface CloudTarget {
  envId: string
  secretId: string
  secretKey: string
  /** Repository root: functions are packed from <root>/cloudfunctions/<name>. */
  root: string
}

export class DeployError extends Error {}

/** A management-API failure turned into what the operator should fix. */
export function explain(err: unknown, envId: string): Error {
  const e = err as { code?: string; message?: string }
  const code = e.code ?? ''
  const msg = e.message ?? String(err)
  if (
    /AuthFailure\.(SecretIdNotFound|SignatureFailure|InvalidSecretId)/.test(code) ||
    /SecretIdNotFound|SignatureFailure/.test(msg)
  )
    return new DeployError(
      `腾讯云 API 密钥有误（${code || msg}）：检查 .env 中的 TENCENTCLOUD_SECRETID / TENCENTCLOUD_SECRETKEY`,
    )
  if (/UnauthorizedOperation|AuthFailure\.Unauthorized/.test(code))
    return new DeployError(`这组密钥没有操作环境 ${envId} 的权限（${code}）：使用拥有该环境的账号的密钥`)
  const action = (err as { action?: string }).action ?? ''
  const envLookup = action === 'DescribeEnvInfo' || action === 'DescribeEnvs'
  if (
    (envLookup && !/AuthFailure/.test(code)) ||
    (/not found|ResourceNotFound\.Env|InvalidParameter\.EnvId/i.test(`${code} ${msg}`) &&
      /env/i.test(`${code} ${msg}`))
  )
    return new DeployError(
      `云开发环境 ${envId} 不存在或不属于这组密钥：检查 .env 中的 ENV_ID（微信开发者工具 → 云开发 → 设置 → 环境 ID）`,
    )
  return err instanceof Error ? err : new Error(msg)
}

function isNotFound(err: unknown): boolean {
  const e = err as { code?: string; message?: string }
  return /ResourceNotFound/.test(e.code ?? '') || /not exist|不存在|not found/i.test(e.message ?? '')
}

function timerCron(desc: string): string {
  try {
    const v = JSON.parse(desc) as { cron?: string }
    return v.cron ?? desc
  } catch {
    return desc
  }
}

export class CloudEnvironment {
  readonly app: CloudBase
  private bucket: string | null = null

  constructor(private readonly t: CloudTarget) {
    this.app = new CloudBase({ secretId: t.secretId, secretKey: t.secretKey, envId: t.envId })
  }

  private async storageBucket(): Promise<string> {
    if (!this.bucket) {
      const info = await this.app.env.getEnvInfo()
      const b = info.EnvInfo.Storages?.[0]?.Bucket
      if (!b) throw new DeployError(`环境 ${this.t.envId} 没有开通云存储：在云开发控制台开通后重试`)
      this.bucket = b
    }
    return this.bucket
  }

  private async observeFunction(name: string): Promise<ObservedFunction | null> {
    let d: IFunctionInfo
    try {
      d = await this.app.functions.getFunctionDetail(name)
    } catch (err) {
      if (isNotFound(err)) return null
      throw err
    }
    const env: Record<string, string> = {}
    for (const v of d.Environment?.Variables ?? []) env[v.Key] = String(v.Value)
    return {
      name,
      runtime: d.Runtime,
      handler: d.Handler,
      timeout: d.Timeout,
      memorySize: d.MemorySize,
      installDependency: d.InstallDependency === 'TRUE',
      envVariables: env,
      triggers: (d.Triggers ?? [])
        .filter((t) => t.Type === 'timer')
        .map((t): Trigger => ({ name: t.TriggerName, type: 'timer', config: timerCron(t.TriggerDesc) })),
      codeHash: env.BUNDLE_SHA256 ?? null,
    }
  }

  private async observeCollection(name: string, want?: IndexSpec[]): Promise<ObservedCollection> {
    const [table, rule] = await Promise.all([
      this.app.database.describeCollection(name),
      this.app
        .commonService()
        .call({ Action: 'DescribeSafeRule', Param: { CollectionName: name, EnvId: this.t.envId } }),
    ])
    const r = rule as { AclTag?: string; Rule?: string }
    return {
      name,
      indexes: (table.Indexes ?? []).map((i: IndexInfoSeen) => ({
        name: i.Name,
        fields: i.Keys.map((k) => k.Name ?? ''),
        unique: !!i.Unique,
        // DescribeTable's published shape has no sparse flag; where the answer is silent the
        // definition's own value is assumed (sparseness is set only at creation, by this deploy).
        sparse: i.Sparse ?? i.MgoIsSparse ?? !!want?.find((w) => w.name === i.Name)?.sparse,
      })),
      rules: r.AclTag === 'CUSTOM' && r.Rule ? (JSON.parse(r.Rule) as SecurityRule) : null,
    }
  }

  async observe(
    functions: string[],
    collections: { name: string; indexes: IndexSpec[] }[],
  ): Promise<Omit<Observed, 'templates' | 'importedFiles' | 'admins' | 'printFont'>> {
    try {
      const list = await this.app.database.listCollections({ MgoLimit: 1000, MgoOffset: 0 })
      const names = new Set(list.Collections.map((c) => c.CollectionName))
      const fns = await Promise.all(functions.map((f) => this.observeFunction(f)))
      const colls = await Promise.all(
        [...names]
          .sort()
          .map((n) => this.observeCollection(n, collections.find((c) => c.name === n)?.indexes)),
      )
      const storage = (await this.app.commonService().call({
        Action: 'DescribeStorageSafeRule',
        Param: { Bucket: await this.storageBucket(), EnvId: this.t.envId },
      })) as { AclTag?: string; Rule?: string }
      return {
        functions: fns.filter((f): f is ObservedFunction => !!f),
        collections: colls,
        storageRule:
          storage.AclTag === 'CUSTOM' && storage.Rule ? (JSON.parse(storage.Rule) as SecurityRule) : null,
      }
    } catch (err) {
      throw explain(err, this.t.envId)
    }
  }

  private func(op: { fn: Parameters<typeof deployedEnv>[0] }, withTriggers = false): ICloudFunction {
    const f = op.fn
    return {
      name: f.name,
      handler: f.handler,
      runtime: f.runtime,
      timeout: f.timeout,
      memorySize: f.memorySize,
      installDependency: f.installDependency,
      envVariables: deployedEnv(f),
      ignore: UPLOAD_IGNORE,
      ...(withTriggers ? { triggers: f.triggers } : {}),
    }
  }

  /** Carries out one management operation (data operations go through data.ts). */
  async apply(op: Op): Promise<void> {
    const root = `${this.t.root}/cloudfunctions`
    const { functions, database } = this.app
    try {
      switch (op.kind) {
        case 'function.create':
          // Triggers are separate operations of the plan (created right after).
          await functions.createFunction({
            func: this.func(op),
            functionRootPath: root,
            force: false,
            deployMode: 'zip',
          })
          return
        case 'function.updateCode':
          await functions.updateFunctionCode({
            func: this.func(op),
            functionRootPath: root,
            deployMode: 'zip',
          })
          await functions.waitFunctionActive(op.fn.name)
          return
        case 'function.updateConfig':
          await functions.updateFunctionConfig(this.func(op))
          await functions.waitFunctionActive(op.fn.name)
          return
        case 'trigger.create':
          await functions.createFunctionTriggers(op.function, [op.trigger])
          return
        case 'trigger.delete':
          await functions.deleteFunctionTrigger(op.function, op.trigger)
          return
        case 'collection.create':
          await database.createCollectionIfNotExists(op.collection)
          return
        case 'collection.delete':
          await database.deleteCollection(op.collection)
          return
        case 'index.create':
          await this.createIndex(op.collection, op.index)
          return
        case 'index.drop':
          await database.updateCollection(op.collection, { DropIndexes: [{ IndexName: op.index }] })
          return
        case 'rules.set':
          await this.app.commonService().call({
            Action: 'ModifySafeRule',
            Param: {
              CollectionName: op.collection,
              EnvId: this.t.envId,
              AclTag: 'CUSTOM',
              Rule: JSON.stringify(op.rules),
            },
          })
          return
        case 'storageRule.set':
          // Takes effect within 1–3 minutes on the platform.
          await this.app.commonService().call({
            Action: 'ModifyStorageSafeRule',
            Param: {
              Bucket: await this.storageBucket(),
              EnvId: this.t.envId,
              AclTag: 'CUSTOM',
              Rule: JSON.stringify(op.rules),
            },
          })
          return
        default:
          throw new Error(`${op.kind} is a data operation`)
      }
    } catch (err) {
      throw err instanceof DeployError ? err : explain(err, this.t.envId)
    }
  }

  /**
   * One index per call: a batch can partly fail, and the deploy must know which. A unique index
   * that existing documents violate cannot be created: the deploy stops here, naming it.
   */
  private async createIndex(coll: string, i: IndexSpec): Promise<void> {
    const schema: SparseKeySchema = {
      MgoIsUnique: !!i.unique,
      MgoIndexKeys: i.fields.map((f) => ({ Name: f, Direction: '1' })),
      ...(i.sparse ? { MgoIsSparse: true } : {}),
    }
    const create: CreateIndex = { IndexName: i.name, MgoKeySchema: schema }
    try {
      await this.app.database.updateCollection(coll, { CreateIndexes: [create] })
    } catch (err) {
      const msg = (err as Error).message ?? ''
      if (i.unique && /E11000|duplicate|重复/i.test(msg))
        throw new DeployError(
          `无法创建唯一索引 ${coll}.${describeIndex(i)}：集合中已有重复的值（${msg}）。部署已停止：先清理重复数据，再运行 npm run deploy 继续`,
        )
      throw err
    }
  }
}
