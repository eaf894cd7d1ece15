/**
 * The deploy's data model: what the project says should exist (Desired, read from the
 * repository), what a target has (Observed, read from the cloud or Local CloudBase), and the
 * operations that take one to the other (Op). The planner (plan.ts) is pure over these.
 */
import type { TemplateConfig } from '../../server/kit/notify'
import type { NotifyEvent } from '../../server/domain/notifications'

/** An index as database/definition.json states it. */
export interface IndexSpec {
  name: string
  fields: string[]
  unique?: boolean
  /** Documents missing every indexed field are not indexed (unique then allows many of them). */
  sparse?: boolean
}

/** A database security rule (document database, JSON rules): `true`, `false` or an expression. */
export type RuleValue = boolean | string
export interface SecurityRule {
  read?: RuleValue
  write?: RuleValue
  create?: RuleValue
  update?: RuleValue
  delete?: RuleValue
}

export interface Trigger {
  name: string
  type: 'timer'
  /** 7-field cron, UTC+8. */
  config: string
}

/** One cloud function as it is deployed: cloudbaserc.json's entry plus the bundle's hash. */
export interface FunctionSpec {
  name: string
  handler: string
  runtime: string
  timeout: number
  memorySize: number
  installDependency: boolean
  envVariables: Record<string, string>
  triggers: Trigger[]
  /** WeChat cloud-call permissions (config.json → permissions.openapi); applied only by DevTools. */
  openapi: string[]
  /** sha256 (first 16 hex) of what is uploaded: index.js and package.json. */
  codeHash: string
  /** Folder holding index.js and package.json. */
  dir: string
  /** Bytes of index.js (for the report). */
  bundleBytes: number
}

export interface CollectionSpec {
  name: string
  description?: string
  indexes: IndexSpec[]
  rules: SecurityRule
}

export type TemplateMap = Partial<Record<NotifyEvent, TemplateConfig>>

export type ImportKind = 'stations' | 'items' | 'agents'

/** A district's first data: each sheet as the admin's import reads it (rows of cells). */
export interface DistrictSheet {
  kind: ImportKind
  /** What this step is, for the plan (e.g. 服务站（先不含负责人）). */
  label: string
  /** Cloud path the sheet is uploaded to before the import reads it. */
  cloudPath: string
  /** Where it came from (a path) and the content's hash: the same file is the same import. */
  source: string
  sha: string
  bytes: Buffer
  rows: string[][]
}

/** The print font (公示栏 and 明白卡) as the deploy uploads it. */
export interface FontAsset {
  /** The local file it was read from. */
  source: string
  /** sha256 (first 16 hex) of the content: the same font is not uploaded twice. */
  sha: string
  bytes: Buffer
}

export interface Desired {
  functions: FunctionSpec[]
  collections: CollectionSpec[]
  storageRule: SecurityRule
  /** Subscribe-message template mapping, when a file was given. */
  templates: TemplateMap | null
  /** First-district sheets, when `--district` was given. */
  district: DistrictSheet[] | null
  /** The print font, when one was found or given (`--font`). */
  printFont: FontAsset | null
}

export interface ObservedFunction {
  name: string
  runtime: string
  handler: string
  timeout: number
  memorySize: number
  installDependency: boolean
  envVariables: Record<string, string>
  triggers: Trigger[]
  /** The code hash recorded at the last deploy (environment variable BUNDLE_SHA256), if any. */
  codeHash: string | null
}

export interface ObservedCollection {
  name: string
  indexes: IndexSpec[]
  /** null: no custom rule (the collection has a simple permission or none). */
  rules: SecurityRule | null
}

export interface Observed {
  functions: ObservedFunction[]
  collections: ObservedCollection[]
  storageRule: SecurityRule | null
  templates: TemplateMap | null
  /** Import batches already done: the `fileId`s of finished imports. */
  importedFiles: string[]
  /** Roster admins and whether one of them is bound to WeChat or holds a valid invitation. */
  admins: { id: string; bound: boolean; invited: boolean }[]
  /** The print font recorded in settings by an earlier deploy. */
  printFont: { fileId: string; sha: string } | null
}

export type Op =
  | { kind: 'function.create'; fn: FunctionSpec }
  | { kind: 'function.updateCode'; fn: FunctionSpec }
  | { kind: 'function.updateConfig'; fn: FunctionSpec; changes: string[] }
  | { kind: 'trigger.create'; function: string; trigger: Trigger }
  | { kind: 'trigger.delete'; function: string; trigger: string }
  | { kind: 'collection.create'; collection: string }
  | { kind: 'collection.delete'; collection: string }
  | { kind: 'index.create'; collection: string; index: IndexSpec }
  | { kind: 'index.drop'; collection: string; index: string }
  | { kind: 'rules.set'; collection: string; rules: SecurityRule }
  | { kind: 'storageRule.set'; rules: SecurityRule }
  | { kind: 'templates.set'; templates: TemplateMap }
  | { kind: 'data.import'; sheet: DistrictSheet; rows: number }
  | { kind: 'admin.invite'; agentId: string }
  | { kind: 'font.upload'; font: FontAsset }

export interface Drift {
  what: string
  detail: string
}

export interface Plan {
  ops: Op[]
  drift: Drift[]
  /** Changes that would lose data or a guarantee: refused unless `--prune`. */
  refused: Drift[]
  /** Problems in the inputs: the deploy stops before any operation. */
  errors: string[]
}
