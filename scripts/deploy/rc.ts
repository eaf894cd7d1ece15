/**
 * cloudbaserc.json (version 2.0), generated from each function's config.json so the two cannot
 * drift (test/integration/deploy/rc.test.ts fails when they differ; `npm run deploy -- --write-rc`
 * rewrites it). The official CLI (`tcb fn deploy`) can deploy from it as well; `npm run deploy`
 * uses the same values through the management SDK.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { ICloudFunction } from '@cloudbase/manager-node/types/interfaces'
import { FUNCTION_DEFAULTS, UPLOAD_IGNORE, functionConfig, functionNames } from './project'

export interface CloudBaseRc {
  version: '2.0'
  envId: string
  $schema?: string
  functionRoot: string
  functionDefaultConfig: { runtime: string; timeout: number; memorySize: number; installDependency: boolean }
  functions: (ICloudFunction & { handler: string; runtime: string })[]
}

export function generateRc(root: string): CloudBaseRc {
  return {
    version: '2.0',
    // Resolved by the CLI from .env (never committed) and by npm run deploy from ENV_ID / .env.
    envId: '{{env.ENV_ID}}',
    functionRoot: './cloudfunctions',
    functionDefaultConfig: {
      runtime: FUNCTION_DEFAULTS.runtime,
      timeout: FUNCTION_DEFAULTS.timeout,
      memorySize: FUNCTION_DEFAULTS.memorySize,
      installDependency: FUNCTION_DEFAULTS.installDependency,
    },
    functions: functionNames(root).map((name) => {
      const f = functionConfig(root, name)
      // Every field written out per function (runtime pinned even where it equals the default):
      // a reader — or another tool's default — never has to be trusted.
      return {
        name: f.name,
        handler: f.handler,
        runtime: f.runtime,
        timeout: f.timeout,
        memorySize: f.memorySize,
        installDependency: f.installDependency,
        envVariables: f.envVariables,
        ignore: UPLOAD_IGNORE,
        triggers: f.triggers,
      }
    }),
  }
}

export function rcText(root: string): string {
  return `${JSON.stringify(generateRc(root), null, 2)}\n`
}

export const RC_FILE = 'cloudbaserc.json'

/** The committed file's drift from the functions' config.json, as readable lines ([] = none). */
export function rcDrift(root: string): string[] {
  const file = path.join(root, RC_FILE)
  if (!fs.existsSync(file)) return [`${RC_FILE} 不存在：运行 npm run deploy -- --write-rc 生成`]
  let committed: CloudBaseRc
  try {
    committed = JSON.parse(fs.readFileSync(file, 'utf8')) as CloudBaseRc
  } catch (err) {
    return [`${RC_FILE} 不是有效的 JSON：${(err as Error).message}`]
  }
  const want = generateRc(root)
  const out: string[] = []
  for (const key of ['version', 'envId', 'functionRoot'] as const)
    if (committed[key] !== want[key])
      out.push(`${key}: ${JSON.stringify(committed[key])} ≠ ${JSON.stringify(want[key])}`)
  if (JSON.stringify(committed.functionDefaultConfig) !== JSON.stringify(want.functionDefaultConfig))
    out.push('functionDefaultConfig 与 scripts/deploy/project.ts 的 FUNCTION_DEFAULTS 不一致')
  const names = new Set([...committed.functions.map((f) => f.name), ...want.functions.map((f) => f.name)])
  for (const name of names) {
    const a = committed.functions.find((f) => f.name === name)
    const b = want.functions.find((f) => f.name === name)
    if (!a) out.push(`函数 ${name}：cloudfunctions/${name}/config.json 有，${RC_FILE} 没有`)
    else if (!b) out.push(`函数 ${name}：${RC_FILE} 有，cloudfunctions/ 下没有`)
    else
      for (const k of Object.keys({ ...a, ...b }) as (keyof typeof a)[])
        if (JSON.stringify(a[k]) !== JSON.stringify(b[k]))
          out.push(
            `函数 ${name}.${String(k)}：${RC_FILE} 为 ${JSON.stringify(a[k])}，config.json 为 ${JSON.stringify(b[k])}`,
          )
  }
  return out
}

export function writeRc(root: string): void {
  fs.writeFileSync(path.join(root, RC_FILE), rcText(root))
}
