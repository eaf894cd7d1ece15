/**
 * Bulk import of stations, catalog items and the roster (花名册) from the .xlsx sheets admins
 * already keep. The server reads a sheet into rows of cell strings (header row first) and calls
 * `validateSheet`, which checks every row and converts it into domain records, or reports every
 * problem row by row: nothing is imported while any row is invalid. `toSheet` writes the same
 * columns in the same formats, so export → edit → import round-trips. Pure.
 *
 * Ids are derived from codes: station `st-<code lowercased>`, item `it-<code>`; roster entries
 * carry their own 编号 (or get `ag-<station code>-<row>` when it is left empty).
 */
import type { Agent, GeoPoint, Item, LeavePeriod, Material, Station, Tier } from '../../typings/domain'
import { parseDay } from './calendar'
import { MATERIAL_FORM_LABELS, TIER_LABELS } from '../../typings/vocabulary'
import { KIND_LABELS, PROXY_MODE_LABELS, ROLE_LABELS } from './network'

export type ImportKind = 'stations' | 'items' | 'agents'

/** Most data rows one sheet may carry; larger rosters are imported in batches. */
export const MAX_IMPORT_ROWS = 5000

export const STATION_HEADERS = [
  '编码',
  '名称',
  '层级',
  '上级编码',
  '地址',
  '纬度',
  '经度',
  '服务热线',
  '办公时间',
  '负责人编号',
  '状态',
] as const

export const ITEM_HEADERS = [
  '编码',
  '名称',
  '分类',
  '办理层级',
  '所需材料',
  '办理流程',
  '承诺时限（工作日）',
  '法定时限（工作日）',
  '收费',
  '代理方式',
  '责任部门',
  '可上门',
  '公开',
  '状态',
  '说明',
  '俗称',
] as const

export const AGENT_HEADERS = [
  '编号',
  '姓名',
  '手机',
  '服务站编码',
  '角色',
  '擅长类别',
  '身份',
  '职务',
  '请假',
  '状态',
] as const

type StationColumn = (typeof STATION_HEADERS)[number]
type ItemColumn = (typeof ITEM_HEADERS)[number]
type AgentColumn = (typeof AGENT_HEADERS)[number]

/** Column headers per kind, in the order `toSheet` writes them (an imported sheet may reorder them). */
export const HEADERS: Record<ImportKind, readonly string[]> = {
  stations: STATION_HEADERS,
  items: ITEM_HEADERS,
  agents: AGENT_HEADERS,
}

/** Columns a sheet may leave out altogether: every cell of a missing column counts as empty. */
export const OPTIONAL_COLUMNS: Record<ImportKind, readonly string[]> = {
  stations: ['负责人编号', '状态'] satisfies StationColumn[],
  items: ['法定时限（工作日）', '收费', '可上门', '状态', '说明', '俗称'] satisfies ItemColumn[],
  agents: ['编号', '擅长类别', '职务', '请假', '状态'] satisfies AgentColumn[],
}

/** The catalog categories (代理事项分类) an item or an agent's specialty may name. */
export const ITEM_CATEGORIES: readonly string[] = [
  '民政',
  '残联',
  '综治维稳',
  '新农合',
  '医疗救助',
  '计生',
  '土地管理',
  '公益事业',
  '消费者维权',
  '党建群团',
  '劳动保障',
  '国土',
  '工商',
  '税务',
  '行政许可',
  '非行政许可',
  '政策咨询',
  '技术支持',
  '信息提供',
]

export interface RowError {
  /** 1-based spreadsheet row number; the header is row 1. */
  row: number
  /** Header text of the offending cell, or '' for the whole row. */
  column: string
  /** Chinese, without the row and column (see `formatErrors`). */
  message: string
}

export interface ImportContext {
  /** Codes of the stations already in the system (compared case-insensitively). */
  knownStationCodes: ReadonlySet<string>
  /** Roster ids already in the system; when given, a station's 负责人编号 must be one of them. */
  knownAgentIds?: ReadonlySet<string>
}

export type SheetResult<T> = { ok: true; records: T[] } | { ok: false; errors: RowError[] }

export interface ExportContext {
  /** Station `_id` → code, for parents and roster stations outside the exported records. */
  stationCodes?: ReadonlyMap<string, string>
}

// ---------------------------------------------------------------------------------------------
// Vocabulary

/** The tier labels written on export; the full station names are accepted too. */
const TIER_SHEET_LABELS: Record<Tier, string> = { district: '区', township: '乡镇', village: '村（社区）' }

const TIER_INPUT: Record<string, Tier> = {
  区: 'district',
  区为民服务中心: 'district',
  乡镇: 'township',
  乡镇为民服务站: 'township',
  '村（社区）': 'village',
  '村（社区）为民服务室': 'village',
  村: 'village',
  社区: 'village',
}

const TIER_NAMES = TIER_LABELS
const FORM_LABELS = MATERIAL_FORM_LABELS

const FORM_INPUT: Record<string, Material['form']> = {
  原件: 'original',
  复印件: 'copy',
  原件或复印件: 'either',
  '原件/复印件': 'either',
}

const STATUS_INPUT: Record<string, boolean> = { 在用: true, 停用: false }
const YES_NO_INPUT: Record<string, boolean> = { 是: true, 否: false }

function invert<T extends string>(labels: Record<T, string>): Record<string, T> {
  const out: Record<string, T> = {}
  for (const [value, label] of Object.entries(labels) as [T, string][]) out[label] = value
  return out
}

const ROLE_INPUT = invert(ROLE_LABELS)
const CATEGORY_INPUT: Record<string, string> = Object.fromEntries(ITEM_CATEGORIES.map((c) => [c, c]))
const KIND_INPUT = invert(KIND_LABELS)
const PROXY_MODE_INPUT = invert(PROXY_MODE_LABELS)

const CODE_RE = /^[A-Za-z0-9_-]+$/
const STATION_CODE_MAX = 30
const ITEM_CODE_MAX = 32
const AGENT_ID_RE = /^[A-Za-z0-9_-]{1,64}$/
const MOBILE_RE = /^1\d{10}$/
const PHONE_RE = /^(1\d{10}|0\d{2,3}-?\d{7,8})$/
const NUMBER_RE = /^[-+]?\d+(\.\d+)?$/
/** Mainland China, with a margin: catches swapped or mistyped coordinates. */
const LATITUDE_RANGE = [3, 54] as const
const LONGITUDE_RANGE = [73, 136] as const
const MAX_DAYS = 365

export function stationIdOf(code: string): string {
  return `st-${code.toLowerCase()}`
}

export function itemIdOf(code: string): string {
  return `it-${code}`
}

// ---------------------------------------------------------------------------------------------
// Reading cells

function normalizeHeader(text: string): string {
  return text.replace(/\s+/g, '').replace(/\(/g, '（').replace(/\)/g, '）')
}

function cellText(value: string | undefined | null): string {
  return String(value ?? '')
    .replace(/\r\n?/g, '\n')
    .trim()
}

function chars(text: string): number {
  return [...text].length
}

/** Splits a multi-value cell: by line when it has several lines, else by the given separators. */
function splitList(text: string, separators: RegExp): string[] {
  const parts = text.includes('\n') ? text.split('\n') : text.split(separators)
  return parts.map((p) => p.trim()).filter((p) => p !== '')
}

function unique(values: string[]): string[] {
  return [...new Set(values)]
}

class RowReader<C extends string> {
  private readonly before: number

  constructor(
    readonly row: number,
    private readonly cells: ReadonlyMap<string, string>,
    private readonly errors: RowError[],
  ) {
    this.before = errors.length
  }

  /** Whether the row has produced no error so far. */
  get ok(): boolean {
    return this.errors.length === this.before
  }

  text(column: C): string {
    return this.cells.get(column) ?? ''
  }

  fail(column: C | '', message: string): undefined {
    this.errors.push({ row: this.row, column, message })
    return undefined
  }

  required(column: C, max: number): string | undefined {
    const value = this.text(column)
    if (value === '') return this.fail(column, '不能为空')
    if (chars(value) > max) return this.fail(column, `不能超过 ${max} 个字`)
    return value
  }

  /** '' when empty; undefined after an error. */
  optional(column: C, max: number): string | undefined {
    const value = this.text(column)
    if (chars(value) > max) return this.fail(column, `不能超过 ${max} 个字`)
    return value
  }

  choice<T>(column: C, options: Record<string, T>, message: string, fallback?: T): T | undefined {
    const value = normalizeHeader(this.text(column))
    if (value === '') return fallback === undefined ? this.fail(column, '不能为空') : fallback
    if (Object.hasOwn(options, value)) return options[value]
    return this.fail(column, message)
  }

  code(column: C, max: number): string | undefined {
    const value = this.text(column)
    if (value === '') return this.fail(column, '不能为空')
    if (!CODE_RE.test(value) || value.length > max) {
      return this.fail(column, `只能由字母、数字、“-”和“_”组成，最长 ${max} 位`)
    }
    return value
  }

  status(column: C): boolean | undefined {
    return this.choice(column, STATUS_INPUT, '应为 在用 或 停用（不填即在用）', true)
  }
}

interface DataRow {
  row: number
  cells: Map<string, string>
}

type Parsed = { ok: true; rows: DataRow[] } | { ok: false; errors: RowError[] }

/** Header check, empty-row skipping and the row limit, common to every kind. */
function readRows(kind: ImportKind, rows: readonly (readonly string[])[]): Parsed {
  const headers = HEADERS[kind]
  const header = rows[0] ?? []
  const errors: RowError[] = []
  const index = new Map<string, number>()
  header.forEach((raw, i) => {
    const name = normalizeHeader(cellText(raw))
    if (name === '') return
    if (!headers.includes(name)) {
      errors.push({
        row: 1,
        column: cellText(raw),
        message: `无法识别的列，本表的列为：${headers.join('、')}`,
      })
    } else if (index.has(name)) {
      errors.push({ row: 1, column: name, message: '列名重复' })
    } else {
      index.set(name, i)
    }
  })
  if (index.size === 0 && errors.length === 0) {
    return { ok: false, errors: [{ row: 1, column: '', message: `第 1 行应为表头：${headers.join('、')}` }] }
  }
  for (const name of headers) {
    if (!index.has(name) && !OPTIONAL_COLUMNS[kind].includes(name)) {
      errors.push({ row: 1, column: name, message: '缺少此列' })
    }
  }
  if (errors.length > 0) return { ok: false, errors }

  const data: DataRow[] = []
  rows.forEach((cellsOfRow, i) => {
    if (i === 0) return
    const cells = new Map<string, string>()
    for (const [name, col] of index) cells.set(name, cellText(cellsOfRow[col]))
    if ([...cells.values()].every((v) => v === '')) return
    data.push({ row: i + 1, cells })
  })
  if (data.length === 0) {
    return { ok: false, errors: [{ row: 2, column: '', message: '表中没有数据行' }] }
  }
  if (data.length > MAX_IMPORT_ROWS) {
    const first = data[MAX_IMPORT_ROWS]
    return {
      ok: false,
      errors: [
        {
          row: first ? first.row : 1,
          column: '',
          message: `共 ${data.length} 行数据，每次最多导入 ${MAX_IMPORT_ROWS} 行，请分批导入`,
        },
      ],
    }
  }
  return { ok: true, rows: data }
}

function finish<T>(kind: ImportKind, records: T[], errors: RowError[]): SheetResult<T> {
  if (errors.length === 0) return { ok: true, records }
  const order = HEADERS[kind]
  const sorted = [...errors].sort(
    (a, b) => a.row - b.row || order.indexOf(a.column) - order.indexOf(b.column),
  )
  return { ok: false, errors: sorted }
}

// ---------------------------------------------------------------------------------------------
// Stations

function readCoordinate(r: RowReader<StationColumn>, column: '纬度' | '经度'): number | undefined {
  const value = r.text(column)
  if (value === '') return r.fail(column, '不能为空')
  if (!NUMBER_RE.test(value)) return r.fail(column, '应为数字（度，如 26.598512）')
  return Number(value)
}

function within(value: number, [min, max]: readonly [number, number]): boolean {
  return value >= min && value <= max
}

function readLocation(r: RowReader<StationColumn>): GeoPoint | undefined {
  const latitude = readCoordinate(r, '纬度')
  const longitude = readCoordinate(r, '经度')
  if (latitude === undefined || longitude === undefined) return undefined
  const latOk = within(latitude, LATITUDE_RANGE)
  const lngOk = within(longitude, LONGITUDE_RANGE)
  if (!latOk && !lngOk && within(latitude, LONGITUDE_RANGE) && within(longitude, LATITUDE_RANGE)) {
    return r.fail('纬度', '纬度和经度似乎填反了（纬度约 3～54，经度约 73～136）')
  }
  if (!latOk) r.fail('纬度', `应在 ${LATITUDE_RANGE[0]} 到 ${LATITUDE_RANGE[1]} 之间（中国境内）`)
  if (!lngOk) r.fail('经度', `应在 ${LONGITUDE_RANGE[0]} 到 ${LONGITUDE_RANGE[1]} 之间（中国境内）`)
  return latOk && lngOk ? { latitude, longitude } : undefined
}

interface StationDraft {
  row: number
  code?: string
  tier?: Tier
  parentCode: string
  record: Station | null
}

function readStation(r: RowReader<StationColumn>, ctx: ImportContext): StationDraft {
  const code = r.code('编码', STATION_CODE_MAX)
  const name = r.required('名称', 50)
  const tier = r.choice('层级', TIER_INPUT, '应为 区、乡镇 或 村（社区）')
  const parentCode = r.text('上级编码')
  if (tier === 'district' && parentCode !== '') {
    r.fail('上级编码', '区为民服务中心不填上级编码')
  } else if (tier !== undefined && tier !== 'district' && parentCode === '') {
    r.fail('上级编码', '乡镇、村（社区）须填写上级编码')
  } else if (parentCode !== '' && !CODE_RE.test(parentCode)) {
    r.fail('上级编码', '只能由字母、数字、“-”和“_”组成')
  }
  const address = r.required('地址', 100)
  const location = readLocation(r)
  const hotline = r.required('服务热线', 20)
  if (hotline !== undefined && !PHONE_RE.test(hotline)) {
    r.fail('服务热线', '应为“区号-号码”的固定电话或 11 位手机号')
  }
  const hours = r.required('办公时间', 100)
  const head = r.text('负责人编号')
  if (head !== '' && !AGENT_ID_RE.test(head)) {
    r.fail('负责人编号', '只能由字母、数字、“-”和“_”组成')
  } else if (head !== '' && ctx.knownAgentIds && !ctx.knownAgentIds.has(head)) {
    r.fail('负责人编号', `花名册中没有编号为「${head}」的人员`)
  }
  const active = r.status('状态')
  const draft: StationDraft = { row: r.row, code, tier, parentCode, record: null }
  if (
    !r.ok ||
    code === undefined ||
    name === undefined ||
    tier === undefined ||
    address === undefined ||
    location === undefined ||
    hotline === undefined ||
    hours === undefined ||
    active === undefined
  ) {
    return draft
  }
  draft.record = {
    _id: stationIdOf(code),
    code,
    name,
    tier,
    parentId: parentCode === '' ? null : stationIdOf(parentCode),
    address,
    location,
    hotline,
    hours,
    headAgentId: head === '' ? null : head,
    active,
  }
  return draft
}

const PARENT_TIER: Record<Tier, Tier | null> = { district: null, township: 'district', village: 'township' }

function validateStations(rows: DataRow[], ctx: ImportContext): SheetResult<Station> {
  const errors: RowError[] = []
  const drafts = rows.map((d) => readStation(new RowReader<StationColumn>(d.row, d.cells, errors), ctx))
  // Codes compare case-insensitively: "QS" and "qs" would share the id st-qs.
  const byCode = new Map<string, StationDraft>()
  for (const d of drafts) {
    if (d.code === undefined) continue
    const key = d.code.toLowerCase()
    const first = byCode.get(key)
    if (first) {
      errors.push({ row: d.row, column: '编码', message: `编码「${d.code}」与第 ${first.row} 行重复` })
    } else {
      byCode.set(key, d)
    }
  }
  const known = new Set([...ctx.knownStationCodes].map((c) => c.toLowerCase()))
  for (const d of drafts) {
    if (d.parentCode === '' || d.tier === undefined || d.tier === 'district' || !CODE_RE.test(d.parentCode)) {
      continue
    }
    const key = d.parentCode.toLowerCase()
    if (d.code !== undefined && key === d.code.toLowerCase()) {
      errors.push({ row: d.row, column: '上级编码', message: '上级不能是本站自己' })
      continue
    }
    const parent = byCode.get(key)
    if (parent) {
      const expected = PARENT_TIER[d.tier]
      if (parent.tier !== undefined && parent.tier !== expected && expected !== null) {
        errors.push({
          row: d.row,
          column: '上级编码',
          message: `${TIER_NAMES[d.tier]}的上级应为${TIER_NAMES[expected]}，第 ${parent.row} 行的「${parent.code ?? d.parentCode}」是${TIER_NAMES[parent.tier]}`,
        })
      }
    } else if (!known.has(key)) {
      errors.push({
        row: d.row,
        column: '上级编码',
        message: `系统和本表中都没有编码为「${d.parentCode}」的服务站`,
      })
    }
  }
  return finish(
    'stations',
    drafts.flatMap((d) => (d.record ? [d.record] : [])),
    errors,
  )
}

// ---------------------------------------------------------------------------------------------
// Items

const MATERIAL_RE =
  /^(.+?)\s*[（(]\s*(原件或复印件|原件\/复印件|原件|复印件)\s*[）)]\s*(?:[×xX*＊]\s*(\d+)\s*[份张本件套]?)?\s*(?:[：:]\s*(.*))?$/
const HAS_FORM_RE = /[（(]\s*(原件|复印件)/
const MATERIAL_FORMAT = '应写成「名称（原件/复印件/原件或复印件）×份数：备注」'

function readMaterials(r: RowReader<ItemColumn>): Material[] | undefined {
  const text = r.text('所需材料')
  const multiline = text.includes('\n')
  const materials: Material[] = []
  let valid = true
  const fail = (message: string): void => {
    valid = false
    r.fail('所需材料', message)
  }
  for (const [i, entry] of splitList(text, /[；;]/).entries()) {
    const m = MATERIAL_RE.exec(entry)
    const last = materials[materials.length - 1]
    if (!m && !multiline && last?.note !== undefined && !HAS_FORM_RE.test(entry)) {
      // "…：工资、务工等收入；无法提供的可书面申报" on one line: the part after "；" continues the note.
      last.note = `${last.note}；${entry}`
      continue
    }
    const name = (m?.[1] ?? '').trim()
    const form = FORM_INPUT[m?.[2] ?? '']
    const count = m?.[3] === undefined ? 1 : Number(m[3])
    const note = (m?.[4] ?? '').trim()
    if (!m || form === undefined || name === '') {
      fail(`第 ${i + 1} 项「${entry}」${MATERIAL_FORMAT}`)
    } else if (count < 1 || count > 99) {
      fail(`第 ${i + 1} 项「${name}」的份数应在 1 到 99 之间`)
    } else if (chars(name) > 50 || chars(note) > 200) {
      fail(`第 ${i + 1} 项「${name}」过长：名称最多 50 个字，备注最多 200 个字`)
    } else {
      materials.push(note === '' ? { name, form, count } : { name, form, count, note })
    }
  }
  return valid ? materials : undefined
}

/** "1." "2、" "（3）" "④" before a step are the sheet's numbering, not part of the step. */
const STEP_NUMBER_RE = /^(?:\d{1,2}\s*[.、．)）]|[（(]\d{1,2}[）)]|[①-⑳])\s*/

function readSteps(r: RowReader<ItemColumn>): string[] | undefined {
  const text = r.text('办理流程')
  const parts = text.includes('\n') || !/→|->/.test(text) ? splitList(text, /[；;]/) : text.split(/→|->/)
  const steps = parts.map((p) => p.trim().replace(STEP_NUMBER_RE, '').trim()).filter((p) => p !== '')
  const long = steps.findIndex((s) => chars(s) > 300)
  if (long >= 0) return r.fail('办理流程', `第 ${long + 1} 步不能超过 300 个字`)
  return steps
}

function parseDays(text: string): number | undefined {
  if (text === '即办') return 0
  const m = /^(\d+)\s*(?:个)?(?:工作日|天)?$/.exec(text)
  if (!m) return undefined
  const n = Number(m[1])
  return n <= MAX_DAYS ? n : undefined
}

function readItem(r: RowReader<ItemColumn>): Item | null {
  const code = r.code('编码', ITEM_CODE_MAX)
  const name = r.required('名称', 50)
  const category = r.choice('分类', CATEGORY_INPUT, `应为以下分类之一：${ITEM_CATEGORIES.join('、')}`)
  const tier = r.choice('办理层级', TIER_INPUT, '应为 区、乡镇 或 村（社区）')
  const materials = readMaterials(r)
  const steps = readSteps(r)
  const promisedText = r.text('承诺时限（工作日）')
  const promisedDays = parseDays(promisedText)
  if (promisedText === '') r.fail('承诺时限（工作日）', '不能为空（当场办结填 0 或“即办”）')
  else if (promisedDays === undefined)
    r.fail('承诺时限（工作日）', `应为 0 到 ${MAX_DAYS} 的整数（即办填 0）`)
  const legalText = r.text('法定时限（工作日）')
  const legalDays = legalText === '' ? undefined : parseDays(legalText)
  if (legalText !== '' && legalDays === undefined) {
    r.fail('法定时限（工作日）', `应为 0 到 ${MAX_DAYS} 的整数，或不填`)
  } else if (legalDays !== undefined && promisedDays !== undefined && legalDays < promisedDays) {
    r.fail('法定时限（工作日）', `不能短于承诺时限（${promisedDays} 个工作日）`)
  }
  const fee = r.optional('收费', 100)
  const proxyMode = r.choice('代理方式', PROXY_MODE_INPUT, '应为 直接代理、承诺代理 或 联合代理')
  const departmentsText = r.text('责任部门')
  const departments = unique(splitList(departmentsText, /[、，,；;]/))
  if (departments.length === 0) r.fail('责任部门', '不能为空')
  else if (departments.some((d) => chars(d) > 50)) r.fail('责任部门', '每个部门名称不能超过 50 个字')
  const homeVisit = r.choice('可上门', YES_NO_INPUT, '应为 是 或 否（不填即否）', false)
  const published = r.choice('公开', YES_NO_INPUT, '应为 是 或 否')
  const active = r.status('状态')
  const description = r.optional('说明', 1000)
  // 俗称: what residents call the item (低保); searched like its name.
  const keywordsText = r.optional('俗称', 200)
  const keywords = unique(splitList(keywordsText ?? '', /[、，,；;\n]/))
  if (published === true && materials?.length === 0) {
    r.fail('所需材料', '公开的事项至少要列出一项材料')
  }
  if (published === true && steps?.length === 0) {
    r.fail('办理流程', '公开的事项至少要有一个办理步骤')
  }
  if (
    !r.ok ||
    code === undefined ||
    name === undefined ||
    category === undefined ||
    tier === undefined ||
    materials === undefined ||
    steps === undefined ||
    promisedDays === undefined ||
    fee === undefined ||
    proxyMode === undefined ||
    homeVisit === undefined ||
    published === undefined ||
    active === undefined ||
    description === undefined
  ) {
    return null
  }
  const item: Item = {
    _id: itemIdOf(code),
    code,
    name,
    category,
    tier,
    materials,
    steps,
    promisedDays,
    fee: fee === '' ? '无偿' : fee,
    proxyMode,
    departments,
    homeVisit,
    published,
    active,
  }
  if (legalDays !== undefined) item.legalDays = legalDays
  if (description !== '') item.description = description
  if (keywords.length) item.keywords = keywords
  return item
}

function validateItems(rows: DataRow[]): SheetResult<Item> {
  const errors: RowError[] = []
  const records: Item[] = []
  const seen = new Map<string, number>()
  for (const d of rows) {
    const item = readItem(new RowReader<ItemColumn>(d.row, d.cells, errors))
    if (item) records.push(item)
    const code = d.cells.get('编码') ?? ''
    if (code === '' || !CODE_RE.test(code)) continue
    const first = seen.get(code)
    if (first !== undefined) {
      errors.push({ row: d.row, column: '编码', message: `编码「${code}」与第 ${first} 行重复` })
    } else {
      seen.set(code, d.row)
    }
  }
  return finish('items', records, errors)
}

// ---------------------------------------------------------------------------------------------
// Roster

const DATE_TEXT = String.raw`\d{4}[-/.]\d{1,2}[-/.]\d{1,2}`
const LEAVE_RE = new RegExp(
  String.raw`^(${DATE_TEXT})(?:\s*(?:至|到|~|～|—)\s*(${DATE_TEXT}))?(?:(?:\s+|\s*[，,：:]\s*)([^\s至到~～—].*)|([^\s\dA-Za-z至到~～—，,：:].*))?$`,
)
const LEAVE_FORMAT = '应写成「2026-12-01至2026-12-04 事假」，多段用“；”分隔'

/** "2026/12/1" → "2026-12-01", or undefined when it is no calendar day. */
function normalizeDay(text: string): string | undefined {
  const [y = '', m = '', d = ''] = text.split(/[-/.]/)
  const day = `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`
  try {
    parseDay(day)
    return day
  } catch {
    return undefined
  }
}

function readLeaves(r: RowReader<AgentColumn>): LeavePeriod[] | undefined {
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

interface AgentDraft {
  row: number
  id?: string
  generated: boolean
  record: Agent | null
}

function readAgent(r: RowReader<AgentColumn>, knownStations: ReadonlySet<string>): AgentDraft {
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

function validateAgents(rows: DataRow[], ctx: ImportContext): SheetResult<Agent> {
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

// ---------------------------------------------------------------------------------------------
// Public API

/**
 * Validates a whole sheet (`rows[0]` is the header) and converts it. Any error anywhere → ok:false
 * with every error found, sorted by row and column; the caller then imports nothing.
 */
export function validateSheet(
  kind: 'stations',
  rows: readonly (readonly string[])[],
  ctx: ImportContext,
): SheetResult<Station>
export function validateSheet(
  kind: 'items',
  rows: readonly (readonly string[])[],
  ctx: ImportContext,
): SheetResult<Item>
export function validateSheet(
  kind: 'agents',
  rows: readonly (readonly string[])[],
  ctx: ImportContext,
): SheetResult<Agent>
export function validateSheet(
  kind: ImportKind,
  rows: readonly (readonly string[])[],
  ctx: ImportContext,
): { ok: true; records: Station[] | Item[] | Agent[] } | { ok: false; errors: RowError[] }
export function validateSheet(
  kind: ImportKind,
  rows: readonly (readonly string[])[],
  ctx: ImportContext,
): { ok: true; records: Station[] | Item[] | Agent[] } | { ok: false; errors: RowError[] } {
  const parsed = readRows(kind, rows)
  if (!parsed.ok) return parsed
  switch (kind) {
    case 'stations':
      return validateStations(parsed.rows, ctx)
    case 'items':
      return validateItems(parsed.rows)
    case 'agents':
      return validateAgents(parsed.rows, ctx)
  }
}

function yesNo(value: boolean): string {
  return value ? '是' : '否'
}

function status(active: boolean): string {
  return active ? '在用' : '停用'
}

/** Station `_id` → code: the caller's map, then the exported stations, then `st-qs-hy` → `QS-HY`. */
function codeLookup(ctx: ExportContext, stations: readonly Station[]): (id: string) => string {
  const own = new Map(stations.map((s) => [s._id, s.code]))
  return (id) => ctx.stationCodes?.get(id) ?? own.get(id) ?? id.replace(/^st-/, '').toUpperCase()
}

function stationRow(s: Station, codeOf: (id: string) => string): string[] {
  return [
    s.code,
    s.name,
    TIER_SHEET_LABELS[s.tier],
    s.parentId === null ? '' : codeOf(s.parentId),
    s.address,
    String(s.location.latitude),
    String(s.location.longitude),
    s.hotline,
    s.hours,
    s.headAgentId ?? '',
    status(s.active),
  ]
}

function materialText(m: Material): string {
  const base = `${m.name}（${FORM_LABELS[m.form]}）×${m.count}`
  return m.note ? `${base}：${m.note}` : base
}

function itemRow(i: Item): string[] {
  return [
    i.code,
    i.name,
    i.category,
    TIER_SHEET_LABELS[i.tier],
    i.materials.map(materialText).join('\n'),
    i.steps.join('\n'),
    i.promisedDays === 0 ? '即办' : String(i.promisedDays),
    i.legalDays === undefined ? '' : String(i.legalDays),
    i.fee,
    PROXY_MODE_LABELS[i.proxyMode],
    i.departments.join('、'),
    yesNo(i.homeVisit),
    yesNo(i.published),
    status(i.active),
    i.description ?? '',
    (i.keywords ?? []).join('、'),
  ]
}

function agentRow(a: Agent, codeOf: (id: string) => string): string[] {
  return [
    a._id,
    a.name,
    a.phone,
    codeOf(a.stationId),
    ROLE_LABELS[a.role],
    a.specialties.join('、'),
    KIND_LABELS[a.kind],
    a.title ?? '',
    a.leaves.map((l) => `${l.from}至${l.to}${l.reason ? ` ${l.reason}` : ''}`).join('；'),
    status(a.active),
  ]
}

/**
 * The sheet `validateSheet` reads back: header row, then one row per record. Multi-line cells
 * (materials, steps) hold one entry per line. Bound openids are not exported.
 */
export function toSheet(kind: 'stations', records: readonly Station[], ctx?: ExportContext): string[][]
export function toSheet(kind: 'items', records: readonly Item[], ctx?: ExportContext): string[][]
export function toSheet(kind: 'agents', records: readonly Agent[], ctx?: ExportContext): string[][]
export function toSheet(
  kind: ImportKind,
  records: readonly Station[] | readonly Item[] | readonly Agent[],
  ctx?: ExportContext,
): string[][]
export function toSheet(
  kind: ImportKind,
  records: readonly Station[] | readonly Item[] | readonly Agent[],
  ctx: ExportContext = {},
): string[][] {
  const header = [...HEADERS[kind]]
  switch (kind) {
    case 'stations': {
      const stations = records as readonly Station[]
      const codeOf = codeLookup(ctx, stations)
      return [header, ...stations.map((s) => stationRow(s, codeOf))]
    }
    case 'items':
      return [header, ...(records as readonly Item[]).map(itemRow)]
    case 'agents': {
      const codeOf = codeLookup(ctx, [])
      return [header, ...(records as readonly Agent[]).map((a) => agentRow(a, codeOf))]
    }
  }
}

/** ['第 5 行「手机」：应为 11 位手机号', '第 7 行：…'] for the import report. */
export function formatErrors(errors: readonly RowError[]): string[] {
  return errors.map((e) =>
    e.column === '' ? `第 ${e.row} 行：${e.message}` : `第 ${e.row} 行「${e.column}」：${e.message}`,
  )
}
