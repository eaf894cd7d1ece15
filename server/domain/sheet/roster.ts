/** 花名册 rows: people, roles, stations, specialties and leave. */
import type { Agent, LeavePeriod } from '../../../typings/domain'
import { parseDay } from '../calendar'
import { chars, splitList, unique, RowReader, type DataRow, finish } from './cells'
import {
  type AgentColumn,
  ITEM_CATEGORIES,
  type RowError,
  type ImportContext,
  type SheetResult,
} from './columns'
import { ROLE_INPUT, KIND_INPUT, STATION_CODE_MAX, AGENT_ID_RE, MOBILE_RE, stationIdOf } from './formats'

export const DATE_TEXT = String.raw`\d{4}[-/.]\d{1,2}[-/.]\d{1,2}`
export const LEAVE_RE = new RegExp(
  String.raw`^(${DATE_TEXT})(?:\s*(?:至|到|~|～|—)\s*(${DATE_TEXT}))?(?:(?:\s+|\s*[，,：:]\s*)([^\s至到~～—].*)|([^\s\dA-Za-z至到~～—，,：:].*))?$`,
)
export const LEAVE_FORMAT = '应写成「2026-12-01至2026-12-04 事假」，多段用“；”分隔'

/** "2026/12/1" → "2026-12-01", or undefined when it is no calendar day. */
export function normalizeDay(text: string): string | undefined {
  const [y = '', m = '', d = ''] = text.split(/[-/.]/)
  const day = `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`
  try {
    parseDay(day)
    return day
  } catch {
    return undefined
  }
}

export function readLeaves(r: RowReader<AgentColumn>): LeavePeriod[] | undefined {
  const leaves: LeavePeriod[] = []
  for (const entry of splitList(r.text('请假'), /[；;]/)) {
    const m = LEAVE_RE.exec(entry)
    if (!m) return r.fail('请假', `「${entry}」${LEAVE_FORMAT}`)
    const fromText = m[1] ?? ''
    const toText = m[2] ?? fromText
    const from = normalizeDay(fromText)
    const to = normalizeDay(toText)
    if (from === undefined) return r.fail('请假', `「${fromText}」不是有效日期`)
    if (to === undefined) return r.fail('请假', `「${toText}」不是有效日期`)
    if (from > to) return r.fail('请假', `「${entry}」的结束日期早于开始日期`)
    const reason = (m[3] ?? m[4] ?? '').trim()
    if (chars(reason) > 50) return r.fail('请假', `「${entry}」的事由不能超过 50 个字`)
    leaves.push(reason === '' ? { from, to } : { from, to, reason })
  }
  return leaves
}

export interface AgentDraft {
  row: number
  id?: string
  generated: boolean
  record: Agent | null
}

export function readAgent(r: RowReader<AgentColumn>, knownStations: ReadonlySet<string>): AgentDraft {
  const idText = r.text('编号')
  if (idText !== '' && !AGENT_ID_RE.test(idText)) r.fail('编号', '只能由字母、数字、“-”和“_”组成，最长 64 位')
  const name = r.required('姓名', 20)
  const phoneText = r.text('手机')
  const phone = phoneText.replace(/[\s-]/g, '').replace(/^\+?86(?=1\d{10}$)/, '')
  if (phoneText === '') r.fail('手机', '不能为空')
  else if (!MOBILE_RE.test(phone)) r.fail('手机', '应为 11 位手机号')
  const stationCode = r.code('服务站编码', STATION_CODE_MAX)
  if (stationCode !== undefined && !knownStations.has(stationCode.toLowerCase())) {
    r.fail('服务站编码', `没有编码为「${stationCode}」的服务站，请先导入服务站`)
  }
  const role = r.choice('角色', ROLE_INPUT, '应为 代理员、站长、督查 或 管理员')
  const specialties = unique(splitList(r.text('擅长类别'), /[、，,；;\s]+/))
  const unknown = specialties.filter((s) => !ITEM_CATEGORIES.includes(s))
  if (unknown.length > 0) {
    r.fail('擅长类别', `「${unknown.join('、')}」不是事项分类，分类有：${ITEM_CATEGORIES.join('、')}`)
  }
  const kind = r.choice('身份', KIND_INPUT, '应为 党员 或 志愿者')
  const title = r.optional('职务', 30)
  const leaves = readLeaves(r)
  const active = r.status('状态')
  const generated = idText === ''
  const id = generated ? (stationCode ? `ag-${stationCode.toLowerCase()}-${r.row}` : undefined) : idText
  const draft: AgentDraft = { row: r.row, id, generated, record: null }
  if (!AGENT_ID_RE.test(id ?? '')) draft.id = undefined
  if (
    !r.ok ||
    id === undefined ||
    name === undefined ||
    stationCode === undefined ||
    role === undefined ||
    kind === undefined ||
    title === undefined ||
    leaves === undefined ||
    active === undefined
  ) {
    return draft
  }
  const agent: Agent = {
    _id: id,
    name,
    phone,
    stationId: stationIdOf(stationCode),
    role,
    specialties,
    kind,
    leaves,
    active,
  }
  if (title !== '') agent.title = title
  draft.record = agent
  return draft
}

export function validateAgents(rows: DataRow[], ctx: ImportContext): SheetResult<Agent> {
  const errors: RowError[] = []
  const knownStations = new Set([...ctx.knownStationCodes].map((c) => c.toLowerCase()))
  const drafts = rows.map((d) => readAgent(new RowReader<AgentColumn>(d.row, d.cells, errors), knownStations))
  const seen = new Map<string, number>()
  for (const d of drafts) {
    if (d.id === undefined) continue
    const first = seen.get(d.id)
    if (first === undefined) {
      seen.set(d.id, d.row)
    } else if (d.generated) {
      errors.push({
        row: d.row,
        column: '编号',
        message: `自动生成的编号「${d.id}」与第 ${first} 行重复，请填写编号`,
      })
    } else {
      errors.push({ row: d.row, column: '编号', message: `编号「${d.id}」与第 ${first} 行重复` })
    }
  }
  return finish(
    'agents',
    drafts.flatMap((d) => (d.record ? [d.record] : [])),
    errors,
  )
}
