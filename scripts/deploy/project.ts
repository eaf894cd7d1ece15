/**
 * Reads what the repository says should be deployed: each function's config.json and bundle,
 * database/definition.json (collections, indexes, security rules), the storage rule, and — when
 * given — the subscribe-template mapping file and the first district's sheets.
 */
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import type {
  CollectionSpec,
  Desired,
  DistrictSheet,
  FontAsset,
  FunctionSpec,
  ImportKind,
  SecurityRule,
  TemplateMap,
  Trigger,
} from './types'

/**
 * What every function gets unless its config.json says otherwise. The runtime is pinned (the
 * tools' defaults differ by version: Nodejs8.9, 10.15, 20.19) and matches the bundles' esbuild
 * target (node16 in scripts/build.js).
 */
export const FUNCTION_DEFAULTS = {
  runtime: 'Nodejs16.13',
  handler: 'index.main',
  timeout: 10,
  memorySize: 256,
  installDependency: true,
} as const

/** Files of a function folder that are not uploaded (sources, maps, locally installed modules). */
export const UPLOAD_IGNORE = ['index.ts', '*.map', 'node_modules', 'node_modules/**/*']

export interface FunctionConfigFile {
  runtime?: string
  handler?: string
  timeout?: number
  memorySize?: number
  installDependency?: boolean
  envVariables?: Record<string, string>
  permissions?: { openapi?: string[] }
  triggers?: { name: string; type: string; config: string }[]
}

export class InputError extends Error {}

function readJson<T>(file: string, what: string): T {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch {
    throw new InputError(`找不到${what}：${file}`)
  }
  try {
    return JSON.parse(text) as T
  } catch (err) {
    throw new InputError(`${what}不是有效的 JSON（${file}）：${(err as Error).message}`)
  }
}

export function functionNames(root: string): string[] {
  const dir = path.join(root, 'cloudfunctions')
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(dir, d.name, 'config.json')))
    .map((d) => d.name)
    .sort()
}

export function readFunctionConfig(root: string, name: string): FunctionConfigFile {
  return readJson<FunctionConfigFile>(
    path.join(root, 'cloudfunctions', name, 'config.json'),
    `云函数 ${name} 的 config.json`,
  )
}

/** A function as configured (no bundle needed): what cloudbaserc.json lists. */
export function functionConfig(
  root: string,
  name: string,
): Omit<FunctionSpec, 'codeHash' | 'dir' | 'bundleBytes'> {
  const c = readFunctionConfig(root, name)
  const triggers: Trigger[] = (c.triggers ?? []).map((t) => {
    if (t.type !== 'timer')
      throw new InputError(`云函数 ${name} 的触发器 ${t.name} 类型为 ${t.type}：只支持 timer`)
    if (t.config.trim().split(/\s+/).length !== 7)
      throw new InputError(`云函数 ${name} 的触发器 ${t.name}：cron 应为 7 段（秒 分 时 日 月 星期 年）`)
    return { name: t.name, type: 'timer', config: t.config }
  })
  const timeout = c.timeout ?? FUNCTION_DEFAULTS.timeout
  const memorySize = c.memorySize ?? FUNCTION_DEFAULTS.memorySize
  if (!(timeout >= 1 && timeout <= 60)) throw new InputError(`云函数 ${name}：timeout 应为 1–60 秒`)
  if (!(memorySize >= 128 && memorySize <= 2048))
    throw new InputError(`云函数 ${name}：memorySize 应为 128–2048 MB`)
  return {
    name,
    handler: c.handler ?? FUNCTION_DEFAULTS.handler,
    runtime: c.runtime ?? FUNCTION_DEFAULTS.runtime,
    timeout,
    memorySize,
    installDependency: c.installDependency ?? FUNCTION_DEFAULTS.installDependency,
    envVariables: c.envVariables ?? {},
    triggers,
    openapi: c.permissions?.openapi ?? [],
  }
}

/** sha256 of what is uploaded: the bundle and the package.json the platform installs from. */
export function codeHash(dir: string): string {
  const h = createHash('sha256')
  for (const f of ['index.js', 'package.json'])
    h.update(f)
      .update('\0')
      .update(fs.readFileSync(path.join(dir, f)))
  return h.digest('hex').slice(0, 16)
}

export function loadFunctions(root: string): FunctionSpec[] {
  return functionNames(root).map((name) => {
    const dir = path.join(root, 'cloudfunctions', name)
    const bundle = path.join(dir, 'index.js')
    if (!fs.existsSync(bundle))
      throw new InputError(`云函数 ${name} 尚未打包（缺少 ${bundle}）：请先运行 npm run build`)
    return {
      ...functionConfig(root, name),
      codeHash: codeHash(dir),
      dir,
      bundleBytes: fs.statSync(bundle).size,
    }
  })
}

interface DefinitionFile {
  collections: Record<
    string,
    {
      description?: string
      indexes?: { name: string; fields: string[]; unique?: boolean; sparse?: boolean }[]
      rules?: SecurityRule
    }
  >
}

const RULE_KEYS = ['read', 'write', 'create', 'update', 'delete']

export function checkRule(rule: unknown, where: string): SecurityRule {
  if (!rule || typeof rule !== 'object' || Array.isArray(rule))
    throw new InputError(`${where}：缺少安全规则 rules`)
  for (const [k, v] of Object.entries(rule)) {
    if (!RULE_KEYS.includes(k))
      throw new InputError(`${where}：安全规则不支持键 ${k}（可用 ${RULE_KEYS.join('、')}）`)
    if (typeof v !== 'boolean' && typeof v !== 'string')
      throw new InputError(`${where}：规则 ${k} 应为 true、false 或表达式字符串`)
    if (typeof v === 'string' && v.length > 1024) throw new InputError(`${where}：规则 ${k} 超过 1024 个字符`)
  }
  return rule as SecurityRule
}

export function loadCollections(root: string): CollectionSpec[] {
  const def = readJson<DefinitionFile>(path.join(root, 'database/definition.json'), '数据库定义')
  return Object.entries(def.collections).map(([name, c]) => {
    const names = new Set<string>()
    for (const i of c.indexes ?? []) {
      if (names.has(i.name)) throw new InputError(`集合 ${name}：索引名 ${i.name} 重复`)
      names.add(i.name)
      if (!i.fields.length) throw new InputError(`集合 ${name} 的索引 ${i.name} 没有字段`)
    }
    return {
      name,
      ...(c.description ? { description: c.description } : {}),
      indexes: (c.indexes ?? []).map((i) => ({ ...i })),
      rules: checkRule(c.rules, `集合 ${name}`),
    }
  })
}

export function loadStorageRule(root: string): SecurityRule {
  return checkRule(
    readJson(path.join(root, 'database/storage.rules.json'), '云存储安全规则'),
    '云存储安全规则',
  )
}

export interface LoadOptions {
  /** Subscribe-template mapping file (JSON: event → { templateId, page, fields }). */
  templatesFile?: string
  /** Folder with the first district's sheets (服务站.xlsx, 代理事项.xlsx, 花名册.xlsx). */
  districtDir?: string
  /** The print font to upload (a .ttc/.ttf of 文泉驿微米黑); see `findPrintFont`. */
  fontFile?: string
}

/** Where Debian's fonts-wqy-microhei puts the font (the deploy machine may have it). */
export const SYSTEM_PRINT_FONT = '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc'

/** The font `--font` names, else PRINT_FONT, else the system's; '' when there is none. */
export function findPrintFont(given: string | undefined, env: Record<string, string | undefined>): string {
  if (given) return given
  if (env.PRINT_FONT) return env.PRINT_FONT
  return fs.existsSync(SYSTEM_PRINT_FONT) ? SYSTEM_PRINT_FONT : ''
}

function loadFont(file: string): FontAsset {
  let bytes: Buffer
  try {
    bytes = fs.readFileSync(file)
  } catch {
    throw new InputError(`找不到打印字体：${file}（--font 或 PRINT_FONT 指向 wqy-microhei.ttc）`)
  }
  // A TrueType collection ('ttcf') or a single TrueType font (0x00010000 / 'true').
  const tag = bytes.subarray(0, 4)
  if (!(
    tag.toString('latin1') === 'ttcf' ||
    tag.equals(Buffer.from([0, 1, 0, 0])) ||
    tag.toString('latin1') === 'true'
  ))
    throw new InputError(`打印字体不是 TrueType 字体（.ttc / .ttf）：${file}`)
  return { source: file, sha: createHash('sha256').update(bytes).digest('hex').slice(0, 16), bytes }
}

export const SHEET_FILES: Record<ImportKind, string> = {
  stations: '服务站.xlsx',
  items: '代理事项.xlsx',
  agents: '花名册.xlsx',
}

/** Everything but the district sheets (those need exceljs: see district.ts). */
export function loadDesired(
  root: string,
  opts: LoadOptions,
  district: DistrictSheet[] | null = null,
): Desired {
  return {
    functions: loadFunctions(root),
    collections: loadCollections(root),
    storageRule: loadStorageRule(root),
    templates: opts.templatesFile
      ? readJson<TemplateMap>(path.resolve(opts.templatesFile), '订阅消息模板映射文件')
      : null,
    district,
    printFont: opts.fontFile ? loadFont(path.resolve(opts.fontFile)) : null,
  }
}
