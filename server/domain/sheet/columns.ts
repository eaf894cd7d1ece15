/** The sheets' columns and the shapes shared by import and export (public through ../import-rows). */

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

export type StationColumn = (typeof STATION_HEADERS)[number]
export type ItemColumn = (typeof ITEM_HEADERS)[number]
export type AgentColumn = (typeof AGENT_HEADERS)[number]

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
