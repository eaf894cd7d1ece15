/**
 * The planner: what the repository says should exist against what a target has → the
 * operations that close the gap, the drift found, and what is refused without `--prune`.
 * Pure (no SDK, no I/O, no clock): the cloud and Local CloudBase appliers both carry out its
 * plan, so the two deployments cannot drift apart.
 */
import type { Agent, Station } from '../../typings/domain'
import { formatErrors, validateSheet } from '../../server/domain/import-rows'
import { templateInput } from '../../server/actions/templates'
import { PRINT_FONT_PATH } from '../../server/repositories/settings'
import type {
  Desired,
  FunctionSpec,
  IndexSpec,
  Observed,
  ObservedFunction,
  Op,
  Plan,
  SecurityRule,
} from './types'

export const EMPTY_OBSERVED: Observed = {
  functions: [],
  collections: [],
  storageRule: null,
  templates: null,
  importedFiles: [],
  admins: [],
  printFont: null,
}

/** The environment variable that records which bundle a deployed function runs. */
export const CODE_HASH_VAR = 'BUNDLE_SHA256'

export interface PlanOptions {
  prune?: boolean
}

/** JSON with sorted keys: two rules or mappings that differ only in key order are equal. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`
  return JSON.stringify(v)
}

export function sameIndex(a: IndexSpec, b: IndexSpec): boolean {
  return a.fields.join(',') === b.fields.join(',') && !!a.unique === !!b.unique && !!a.sparse === !!b.sparse
}

export function describeIndex(i: IndexSpec): string {
  return `${i.name}(${i.fields.join(', ')}${i.unique ? ', 唯一' : ''}${i.sparse ? ', 稀疏' : ''})`
}

/** The environment variables a function is deployed with: its own plus the bundle's hash. */
export function deployedEnv(fn: FunctionSpec): Record<string, string> {
  return { ...fn.envVariables, [CODE_HASH_VAR]: fn.codeHash }
}

function configChanges(fn: FunctionSpec, seen: ObservedFunction): string[] {
  const out: string[] = []
  if (fn.timeout !== seen.timeout) out.push(`timeout ${seen.timeout} → ${fn.timeout}`)
  if (fn.memorySize !== seen.memorySize) out.push(`memorySize ${seen.memorySize} → ${fn.memorySize}`)
  if (fn.installDependency !== seen.installDependency)
    out.push(`installDependency ${seen.installDependency} → ${fn.installDependency}`)
  if (canonical(deployedEnv(fn)) !== canonical(seen.envVariables)) {
    const want = deployedEnv(fn)
    const keys = [...new Set([...Object.keys(want), ...Object.keys(seen.envVariables)])].sort()
    out.push(`envVariables ${keys.filter((k) => want[k] !== seen.envVariables[k]).join(', ')}`)
  }
  return out
}

function planFunctions(desired: Desired, observed: Observed, plan: Plan, prune: boolean): void {
  const seenByName = new Map(observed.functions.map((f) => [f.name, f]))
  for (const fn of desired.functions) {
    const seen = seenByName.get(fn.name)
    if (!seen) {
      plan.ops.push({ kind: 'function.create', fn })
      for (const t of fn.triggers) plan.ops.push({ kind: 'trigger.create', function: fn.name, trigger: t })
      continue
    }
    if (seen.runtime !== fn.runtime || seen.handler !== fn.handler) {
      // Runtime and handler are fixed at creation (UpdateFunctionConfiguration refuses them).
      const d = {
        what: `云函数 ${fn.name}`,
        detail: `运行时/入口为 ${seen.runtime} ${seen.handler}，应为 ${fn.runtime} ${fn.handler}：只能在控制台删除该函数后重新部署`,
      }
      plan.drift.push(d)
      plan.refused.push(d)
    }
    if (seen.codeHash !== fn.codeHash) {
      plan.ops.push({ kind: 'function.updateCode', fn })
      if (seen.codeHash !== null)
        plan.drift.push({ what: `云函数 ${fn.name}`, detail: `代码 ${seen.codeHash} → ${fn.codeHash}` })
    }
    const changes = configChanges(fn, seen)
    if (changes.length) {
      plan.ops.push({ kind: 'function.updateConfig', fn, changes })
      const real = changes.filter((c) => !(c.startsWith('envVariables') && c.endsWith(CODE_HASH_VAR)))
      if (real.length) plan.drift.push({ what: `云函数 ${fn.name} 配置`, detail: real.join('；') })
    }
    const seenTriggers = new Map(seen.triggers.map((t) => [t.name, t]))
    for (const t of fn.triggers) {
      const s = seenTriggers.get(t.name)
      if (s && s.config === t.config && s.type === t.type) continue
      if (s) {
        plan.drift.push({ what: `触发器 ${fn.name}/${t.name}`, detail: `${s.config} → ${t.config}` })
        plan.ops.push({ kind: 'trigger.delete', function: fn.name, trigger: t.name })
      }
      plan.ops.push({ kind: 'trigger.create', function: fn.name, trigger: t })
    }
    for (const s of seen.triggers) {
      if (fn.triggers.some((t) => t.name === s.name)) continue
      const d = { what: `触发器 ${fn.name}/${s.name}`, detail: `定义中没有（${s.config}）` }
      plan.drift.push(d)
      if (prune) plan.ops.push({ kind: 'trigger.delete', function: fn.name, trigger: s.name })
      else plan.refused.push({ ...d, detail: `${d.detail}：加 --prune 删除` })
    }
  }
  for (const seen of observed.functions) {
    if (!desired.functions.some((f) => f.name === seen.name))
      plan.drift.push({ what: `云函数 ${seen.name}`, detail: '不属于本项目（不会删除）' })
  }
}

function planCollections(desired: Desired, observed: Observed, plan: Plan, prune: boolean): void {
  const seenByName = new Map(observed.collections.map((c) => [c.name, c]))
  for (const c of desired.collections) {
    const seen = seenByName.get(c.name)
    if (!seen) plan.ops.push({ kind: 'collection.create', collection: c.name })
    const seenIdx = new Map((seen?.indexes ?? []).map((i) => [i.name, i]))
    for (const i of c.indexes) {
      const s = seenIdx.get(i.name)
      if (!s) {
        plan.ops.push({ kind: 'index.create', collection: c.name, index: i })
        continue
      }
      if (sameIndex(s, i)) continue
      const d = {
        what: `索引 ${c.name}.${i.name}`,
        detail: `现为 ${describeIndex(s)}，定义为 ${describeIndex(i)}`,
      }
      plan.drift.push(d)
      // Replacing means dropping first: for a while the guarantee (or the fast path) is gone.
      if (prune) {
        plan.ops.push({ kind: 'index.drop', collection: c.name, index: i.name })
        plan.ops.push({ kind: 'index.create', collection: c.name, index: i })
      } else plan.refused.push({ ...d, detail: `${d.detail}：替换须先删除旧索引，加 --prune 执行` })
    }
    for (const s of seen?.indexes ?? []) {
      if (s.name === '_id_' || c.indexes.some((i) => i.name === s.name)) continue
      const d = { what: `索引 ${c.name}.${s.name}`, detail: `定义中没有（${describeIndex(s)}）` }
      plan.drift.push(d)
      if (prune) plan.ops.push({ kind: 'index.drop', collection: c.name, index: s.name })
      else plan.refused.push({ ...d, detail: `${d.detail}：加 --prune 删除` })
    }
    if (!seen || seen.rules === null || canonical(seen.rules) !== canonical(c.rules)) {
      if (seen?.rules)
        plan.drift.push({
          what: `安全规则 ${c.name}`,
          detail: `${canonical(seen.rules)} → ${canonical(c.rules)}`,
        })
      plan.ops.push({ kind: 'rules.set', collection: c.name, rules: c.rules })
    }
  }
  for (const seen of observed.collections) {
    if (desired.collections.some((c) => c.name === seen.name)) continue
    const d = { what: `集合 ${seen.name}`, detail: '定义中没有' }
    plan.drift.push(d)
    // Dropping a collection drops its data: only when asked.
    if (prune) plan.ops.push({ kind: 'collection.delete', collection: seen.name })
    else plan.refused.push({ ...d, detail: `${d.detail}：删除会丢失其中的数据，确需删除请加 --prune` })
  }
}

function checkTemplates(desired: Desired, plan: Plan): void {
  if (!desired.templates) return
  if (typeof desired.templates !== 'object' || Array.isArray(desired.templates)) {
    plan.errors.push('订阅消息模板映射文件应为 { 事件: { templateId, page, fields } } 形式的对象')
    return
  }
  for (const [event, t] of Object.entries(desired.templates)) {
    const res = templateInput.safeParse({ event, ...(t as object) })
    if (!res.success)
      plan.errors.push(
        `订阅消息模板映射「${event}」：${res.error.issues.map((i) => `${i.path.join('.') || '事件'} ${i.message}`).join('；')}`,
      )
  }
}

/**
 * The district's sheets checked together before anything is written (the import's own rules,
 * every row): roster rows need the stations' codes, stations' heads need the roster's ids.
 * Returns the roster's admins.
 */
function checkDistrict(desired: Desired, plan: Plan): Agent[] {
  const sheets = desired.district
  if (!sheets) return []
  const full = (k: string) => sheets.filter((s) => s.kind === k).at(-1)
  const stationsSheet = full('stations')
  const agentsSheet = full('agents')
  if (!stationsSheet || !agentsSheet) {
    plan.errors.push('第一个区的数据至少要有 服务站.xlsx 与 花名册.xlsx')
    return []
  }
  const report = (label: string, errors: Parameters<typeof formatErrors>[0]) =>
    plan.errors.push(
      `${label}有 ${errors.length} 处问题，未导入任何数据：\n  ${formatErrors(errors).slice(0, 20).join('\n  ')}`,
    )
  const stationsNoHeads = validateSheet('stations', stationsSheet.rows, { knownStationCodes: new Set() })
  if (!stationsNoHeads.ok) return (report(stationsSheet.source, stationsNoHeads.errors), [])
  const codes = new Set((stationsNoHeads.records as Station[]).map((s) => s.code))
  const agents = validateSheet('agents', agentsSheet.rows, { knownStationCodes: codes })
  if (!agents.ok) return (report(agentsSheet.source, agents.errors), [])
  const ids = new Set((agents.records as Agent[]).map((a) => a._id))
  const stations = validateSheet('stations', stationsSheet.rows, {
    knownStationCodes: new Set(),
    knownAgentIds: ids,
  })
  if (!stations.ok) return (report(stationsSheet.source, stations.errors), [])
  const items = full('items')
  if (items) {
    const r = validateSheet('items', items.rows, { knownStationCodes: codes })
    if (!r.ok) return (report(items.source, r.errors), [])
  }
  const admins = (agents.records as Agent[]).filter((a) => a.role === 'admin' && a.active)
  if (!admins.length)
    plan.errors.push(
      `${agentsSheet.source}：花名册中没有在职的管理员（角色「管理员」），部署后无人能邀请其他人`,
    )
  return admins
}

export function plan(desired: Desired, observed: Observed, opts: PlanOptions = {}): Plan {
  const out: Plan = { ops: [], drift: [], refused: [], errors: [] }
  const prune = !!opts.prune
  checkTemplates(desired, out)
  const sheetAdmins = checkDistrict(desired, out)
  if (out.errors.length) return out
  planCollections(desired, observed, out, prune)
  if (!observed.storageRule || canonical(observed.storageRule) !== canonical(desired.storageRule)) {
    if (observed.storageRule)
      out.drift.push({
        what: '云存储安全规则',
        detail: `${canonical(observed.storageRule)} → ${canonical(desired.storageRule)}`,
      })
    out.ops.push({ kind: 'storageRule.set', rules: desired.storageRule })
  }
  planFunctions(desired, observed, out, prune)
  if (desired.templates && canonical(desired.templates) !== canonical(observed.templates ?? {}))
    out.ops.push({ kind: 'templates.set', templates: desired.templates })
  for (const sheet of desired.district ?? []) {
    if (observed.importedFiles.some((f) => f.endsWith(`/${sheet.cloudPath}`))) continue
    out.ops.push({ kind: 'data.import', sheet, rows: Math.max(sheet.rows.length - 1, 0) })
  }
  if (desired.printFont && desired.printFont.sha !== observed.printFont?.sha)
    out.ops.push({ kind: 'font.upload', font: desired.printFont })
  // The first admin: only admins can invite, so the deploy issues the first code itself — once,
  // while no admin is bound to WeChat nor holds a valid invitation.
  const known = new Map(observed.admins.map((a) => [a.id, a]))
  const admins = [...new Set([...observed.admins.map((a) => a.id), ...sheetAdmins.map((a) => a._id)])].sort()
  if (admins.length && !admins.some((id) => known.get(id)?.bound || known.get(id)?.invited))
    out.ops.push({ kind: 'admin.invite', agentId: admins[0]! })
  return out
}

/** One line per operation, as `--plan` prints it. */
export function describeOp(op: Op): string {
  switch (op.kind) {
    case 'function.create':
      return `创建云函数 ${op.fn.name}（${op.fn.runtime}，${op.fn.timeout} 秒，${op.fn.memorySize} MB，代码 ${op.fn.codeHash}，${(op.fn.bundleBytes / 1024).toFixed(0)} KB）`
    case 'function.updateCode':
      return `更新云函数 ${op.fn.name} 的代码（${op.fn.codeHash}）`
    case 'function.updateConfig':
      return `更新云函数 ${op.fn.name} 的配置：${op.changes.join('；')}`
    case 'trigger.create':
      return `创建触发器 ${op.function}/${op.trigger.name}（${op.trigger.config}）`
    case 'trigger.delete':
      return `删除触发器 ${op.function}/${op.trigger}`
    case 'collection.create':
      return `创建集合 ${op.collection}`
    case 'collection.delete':
      return `删除集合 ${op.collection}（--prune）`
    case 'index.create':
      return `创建索引 ${op.collection}.${describeIndex(op.index)}`
    case 'index.drop':
      return `删除索引 ${op.collection}.${op.index}（--prune）`
    case 'rules.set':
      return `设置安全规则 ${op.collection} ${canonical(op.rules)}`
    case 'storageRule.set':
      return `设置云存储安全规则 ${canonical(op.rules)}`
    case 'templates.set':
      return `写入订阅消息模板映射（${Object.keys(op.templates).length} 个事件）`
    case 'data.import':
      return `导入${op.sheet.label} ${op.rows} 行（${op.sheet.source}）`
    case 'admin.invite':
      return `为第一位管理员 ${op.agentId} 生成一次性邀请码`
    case 'font.upload':
      return `上传打印字体 ${op.font.source}（${(op.font.bytes.length / 1048576).toFixed(1)} MB，${op.font.sha}）到云存储 ${PRINT_FONT_PATH}`
  }
}

/** Whether an operation needs the environment's data API (node SDK) rather than management calls. */
export function isDataOp(op: Op): boolean {
  return (
    op.kind === 'templates.set' ||
    op.kind === 'data.import' ||
    op.kind === 'admin.invite' ||
    op.kind === 'font.upload'
  )
}

export function summary(p: Plan): string {
  const lines = p.ops.map((op, i) => `${String(i + 1).padStart(3)}. ${describeOp(op)}`)
  if (!p.ops.length) lines.push('  （无操作：环境与定义一致）')
  if (p.drift.length) lines.push('', '差异：', ...p.drift.map((d) => `  - ${d.what}：${d.detail}`))
  if (p.refused.length)
    lines.push(
      '',
      '已拒绝（需要 --prune 或人工处理）：',
      ...p.refused.map((d) => `  - ${d.what}：${d.detail}`),
    )
  if (p.errors.length) lines.push('', '输入有误，未执行任何操作：', ...p.errors.map((e) => `  - ${e}`))
  return lines.join('\n')
}

export type { SecurityRule }
