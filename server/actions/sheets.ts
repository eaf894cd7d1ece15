/**
 * 表格 (spreadsheets): .xlsx import of stations, items and the roster — all or nothing, staged in
 * chunks and resumable — and export in the same columns (admins).
 */
import { createHash } from 'node:crypto'
import type ExcelJS from 'exceljs'
import type { Actions } from '../../typings/api'
import type { Agent, Item, Station } from '../../typings/domain'
import {
  HEADERS,
  OPTIONAL_COLUMNS,
  formatErrors,
  stationIdOf,
  toSheet,
  validateSheet,
  type ImportKind,
  type RowError,
} from '../domain/import-rows'
import { searchText } from '../domain/network'
import { AppError, invalidInput } from '../lib/errors'
import { parse, z } from '../lib/validate'
import { requireRole, type Ctx } from '../kit/context'
import type { ImportBatch, StoredItem } from '../repositories/network'
import { auditActor } from './admin'
import { redact, type AuditActor } from '../repositories/audit'

const KIND_LABELS: Record<ImportKind, string> = { stations: '服务站', items: '代理事项', agents: '花名册' }
const kindInput = z.enum(['stations', 'items', 'agents'], {
  error: '请选择导入类型：服务站、代理事项或花名册',
})

/** exceljs is large: loaded on first use so it does not slow every cold start of `api`. */
async function excel(): Promise<typeof ExcelJS> {
  // require() rather than import(): as lazy, and it also loads under jest's CommonJS, where the
  // deploy's tests run this import in-process (import() there needs --experimental-vm-modules).
  const mod = require('exceljs') as { default?: typeof ExcelJS } & typeof ExcelJS
  return mod.default ?? mod
}

/** Cell text as the admin sees it (numbers, dates and rich text flattened to strings). */
function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return ''
  if (v instanceof Date) return v.toISOString().slice(0, 10)
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((r) => r.text).join('')
    if ('text' in v) return String(v.text)
    if ('result' in v) return String(v.result ?? '')
    return ''
  }
  return String(v)
}

export async function readSheet(bytes: Buffer, kind?: ImportKind): Promise<string[][]> {
  const wb = new (await excel()).Workbook()
  await wb.xlsx.load(bytes as unknown as ArrayBuffer)
  const ws = kind ? pickSheet(wb.worksheets, kind) : wb.worksheets[0]
  if (!ws) return []
  const rows: string[][] = []
  ws.eachRow({ includeEmpty: true }, (row, n) => {
    const cells: string[] = []
    for (let c = 1; c <= ws.columnCount; c++) cells.push(cellText(row.getCell(c).value).trim())
    rows[n - 1] = cells
  })
  return Array.from(rows, (r) => r ?? [])
}

/** Header cells of a worksheet's first row. */
function headerOf(ws: ExcelJS.Worksheet): string[] {
  const row = ws.getRow(1)
  const out: string[] = []
  for (let c = 1; c <= ws.columnCount; c++) out.push(cellText(row.getCell(c).value).trim())
  return out
}

/** Whether a header row has every column a kind requires. */
function fits(header: string[], kind: ImportKind): boolean {
  const required = HEADERS[kind].filter((h) => !OPTIONAL_COLUMNS[kind].includes(h))
  return required.every((h) => header.includes(h))
}

/**
 * The worksheet to import: the first whose header row fits the kind (a workbook forwarded in a
 * chat often has a cover or notes sheet first). None fits: a clear message, naming the kind the
 * file seems to be when it is another one.
 */
function pickSheet(sheets: ExcelJS.Worksheet[], kind: ImportKind): ExcelJS.Worksheet {
  const found = sheets.find((ws) => fits(headerOf(ws), kind))
  if (found) return found
  const other = (Object.keys(HEADERS) as ImportKind[]).find(
    (k) => k !== kind && sheets.some((ws) => fits(headerOf(ws), k)),
  )
  throw invalidInput(
    {
      fileId: other
        ? `这是「${KIND_LABELS[other]}」表格，请在导入类型中选择「${KIND_LABELS[other]}」`
        : `没有找到「${KIND_LABELS[kind]}」工作表：第 1 行应为表头（${HEADERS[kind].join('、')}）`,
    },
    other
      ? `所选文件是「${KIND_LABELS[other]}」表格，未导入任何数据`
      : `表格中没有「${KIND_LABELS[kind]}」工作表，未导入任何数据`,
  )
}

export async function writeSheet(title: string, rows: string[][]): Promise<Buffer> {
  return writeBook([{ title, rows }])
}

/** A workbook of several sheets, each with a bold header row. */
export async function writeBook(sheets: { title: string; rows: (string | number)[][] }[]): Promise<Buffer> {
  const wb = new (await excel()).Workbook()
  for (const { title, rows } of sheets) {
    const ws = wb.addWorksheet(title)
    ws.addRows(rows)
    ws.getRow(1).font = { bold: true }
    ws.columns.forEach((col) => (col.width = 18))
  }
  return Buffer.from(await wb.xlsx.writeBuffer())
}

const exportInput = z.object({ kind: kindInput })

/** 导出: the whole list as .xlsx in the same columns the import reads. */
export async function exportSheet(
  payload: unknown,
  ctx: Ctx,
): Promise<{ fileId: string; url: string; rows: number }> {
  await requireRole(ctx, ['admin'])
  const { kind } = parse(exportInput, payload)
  const net = ctx.deps.network
  const stations = await net.everything<Station>('stations')
  const stationCodes = new Map(stations.map((s) => [s._id, s.code]))
  const rows =
    kind === 'stations'
      ? toSheet('stations', stations, { stationCodes })
      : kind === 'items'
        ? toSheet(
            'items',
            (await net.everything<StoredItem>('items')).map(({ search: _s, ...i }) => i as Item),
          )
        : toSheet(
            'agents',
            (await net.everything<Agent>('agents')).map(({ openid: _o, ...a }) => a as Agent),
            { stationCodes },
          )
  const bytes = await writeSheet(KIND_LABELS[kind], rows)
  const stamp = ctx.now.toISOString().replace(/[-:]/g, '').slice(0, 15)
  const fileId = await ctx.deps.platform.upload(`exports/${kind}-${stamp}.xlsx`, bytes)
  return { fileId, url: await ctx.deps.platform.tempUrl(fileId), rows: rows.length - 1 }
}

const importInput = z.object({
  kind: kindInput,
  fileId: z.string().startsWith('cloud://', '请先上传表格文件').max(500, '文件编号过长'),
})

/** Records per staged chunk: a chunk document stays far below the 1 MB result limit. */
const CHUNK = 100
/**
 * What one call may apply: about 1,000 record writes and 5 s, well inside the function's 10 s
 * timeout on the platform; a larger import answers `applying` and the caller calls again.
 */
const APPLY_ROWS_PER_CALL = 1_000
const APPLY_MS_PER_CALL = 5_000
/** Writes in flight at once while applying a chunk. */
const PARALLEL_WRITES = 10

/** The same kind and file is the same import: a retried or repeated call continues it. */
export function importBatchId(kind: ImportKind, fileId: string): string {
  return `imp-${kind}-${createHash('sha1').update(`${kind}|${fileId}`).digest('hex').slice(0, 20)}`
}

const chunkId = (batchId: string, n: number) => `${batchId}-c${String(n).padStart(5, '0')}`

interface Budget {
  rows: number
  until: number
}

/** Runs `fn` over `items` with at most `limit` in flight. */
async function inParallel<T>(items: T[], limit: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!)
    }),
  )
}

/**
 * Reads and validates the file and stages the records to write, in chunks, then commits the
 * batch. Nothing live is touched here: a file with any bad row, or a call that dies while
 * staging, leaves every station, item and roster entry as it was. The ids and station links the
 * records will be written with are fixed now, from the data as it is at staging.
 */
async function stage(
  ctx: Ctx,
  kind: ImportKind,
  fileId: string,
  batchId: string,
  by: string,
): Promise<ImportBatch> {
  const net = ctx.deps.network
  const { result, stations } = await checkFile(ctx, kind, fileId)
  if (!result.ok) {
    const lines = formatErrors(result.errors)
    throw new AppError(
      'INVALID_INPUT',
      `表格中有 ${result.errors.length} 处问题，未导入任何数据，请修改后重新上传`,
      Object.fromEntries(
        result.errors.map((e, i) => [`row${e.row}${e.column ? '.' + e.column : ''}`, lines[i]!]),
      ),
    )
  }
  // Existing stations keep their ids (codes map to them); roster entries keep their WeChat
  // binding when applied (see applyChunk).
  const idByCode = new Map(stations.map((s) => [s.code, s._id]))
  const codeById = new Map(stations.map((s) => [stationIdOf(s.code), s._id]))
  const records: object[] =
    kind === 'stations'
      ? (result.records as Station[]).map((s) => {
          const parentCode = stations.find((x) => x._id === s.parentId)?.code
          return {
            ...s,
            _id: idByCode.get(s.code) ?? s._id,
            parentId: s.parentId && parentCode ? (idByCode.get(parentCode) ?? s.parentId) : s.parentId,
          }
        })
      : kind === 'items'
        ? (result.records as Item[]).map((i) => ({ ...i, search: searchText(i) }))
        : (result.records as Agent[]).map((a) => {
            const { openid: _o, ...rest } = a
            return { ...rest, stationId: codeById.get(a.stationId) ?? a.stationId }
          })
  const chunks = Math.ceil(records.length / CHUNK)
  const batch: ImportBatch = {
    _id: batchId,
    type: 'batch',
    kind,
    fileId,
    rows: records.length,
    chunks,
    status: 'staging',
    applied: 0,
    by,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  }
  if (!(await net.createImportBatch(batch))) {
    const prior = await net.importBatch(batchId)
    if (prior && prior.status !== 'staging') return prior
  }
  await inParallel(
    Array.from({ length: chunks }, (_, n) => n),
    PARALLEL_WRITES,
    async (n) => {
      const part = records.slice(n * CHUNK, (n + 1) * CHUNK)
      await net.stageImportChunk({
        _id: chunkId(batchId, n),
        type: 'chunk',
        batchId,
        n,
        count: part.length,
        records: part,
      })
    },
  )
  // The commit marker: from here on the import is decided and is only ever rolled forward.
  await net.advanceImportBatch(
    batchId,
    { status: 'staging', applied: 0 },
    { status: 'committed', updatedAt: ctx.now },
  )
  return (await net.importBatch(batchId)) ?? { ...batch, status: 'committed' }
}

/** Largest file accepted: 5,000 rows of the widest sheet (items) stay far below it. */
export const MAX_IMPORT_BYTES = 5 * 1024 * 1024

/**
 * Reads the uploaded file and validates every row against the data as it is, writing nothing:
 * the dry run (`admin.import.check`) and the first step of an import. A file that is not an
 * .xlsx, too large, or without a sheet of the kind is refused with a message on `fileId`.
 */
async function checkFile(ctx: Ctx, kind: ImportKind, fileId: string) {
  const net = ctx.deps.network
  let bytes: Buffer
  try {
    bytes = await ctx.deps.platform.download(fileId)
  } catch {
    throw invalidInput({ fileId: '文件已失效，请重新选择' }, '无法读取上传的文件，请重新选择')
  }
  if (bytes.length > MAX_IMPORT_BYTES)
    throw invalidInput(
      { fileId: `文件过大（${(bytes.length / 1048576).toFixed(1)} MB），最大 5 MB` },
      '文件过大，未导入任何数据；请分成几个文件导入',
    )
  // An .xlsx is a zip archive: anything else (.xls, .csv, a photo) is refused before parsing.
  if (bytes.length < 4 || bytes.readUInt32LE(0) !== 0x04034b50)
    throw invalidInput({ fileId: '文件不是 .xlsx 表格' }, '请选择 .xlsx 格式的表格（.xls 请先另存为 .xlsx）')
  let rows: string[][]
  try {
    rows = await readSheet(bytes, kind)
  } catch (err) {
    if (err instanceof AppError) throw err
    throw new AppError('INVALID_INPUT', '无法读取表格，请上传 .xlsx 格式的文件', {
      fileId: '文件不是有效的 .xlsx 表格',
    })
  }
  const [stations, agentIds] = await Promise.all([
    net.everything<Station>('stations'),
    kind === 'stations' ? net.agentIds() : Promise.resolve(new Set<string>()),
  ])
  const ctxSets = {
    knownStationCodes: new Set(stations.map((s) => s.code)),
    ...(kind === 'stations' ? { knownAgentIds: agentIds } : {}),
  }
  const result =
    kind === 'stations'
      ? validateSheet('stations', rows, ctxSets)
      : kind === 'items'
        ? validateSheet('items', rows, ctxSets)
        : validateSheet('agents', rows, ctxSets)
  if (result.ok) {
    const held = await retiredWithWork(ctx, kind, result.records as (Station | Agent)[], stations)
    if (held.length) return { result: { ok: false as const, errors: held }, stations, rows: rows.length - 1 }
  }
  return { result, stations, rows: Math.max(0, rows.length - 1) }
}

/**
 * Rows that would retire (停用) a station or an agent who still has open cases, or move such an
 * agent to another station: refused as in the forms, so the sheet is no way around a hand-over.
 * Only rows that change an active record to retired or moved cost a count.
 */
async function retiredWithWork(
  ctx: Ctx,
  kind: ImportKind,
  records: (Station | Agent)[],
  stations: Station[],
): Promise<RowError[]> {
  if (kind === 'items') return []
  const errors: RowError[] = []
  if (kind === 'stations') {
    const byCode = new Map(stations.map((s) => [s.code, s]))
    for (const [i, r] of (records as Station[]).entries()) {
      const live = byCode.get(r.code)
      if (r.active || !live?.active) continue
      const open = await ctx.deps.handover.openAtStation(live._id)
      if (open)
        errors.push({
          row: i + 2,
          column: '状态',
          message: `该服务站还有 ${open} 件未办结的申请，办结或移交后才能停用`,
        })
    }
    return errors
  }
  const agents = records as Agent[]
  const existing = await ctx.deps.network.agentsByIds(agents.map((a) => a._id))
  const stationIdByCode = new Map(stations.map((s) => [stationIdOf(s.code), s._id]))
  for (const [i, a] of agents.entries()) {
    const live = existing.get(a._id)
    if (!live?.active) continue
    const moved = (stationIdByCode.get(a.stationId) ?? a.stationId) !== live.stationId
    if (a.active && !moved) continue
    const { total } = await ctx.deps.handover.heldBy(live._id, 1)
    if (total)
      errors.push({
        row: i + 2,
        column: moved ? '服务站编码' : '状态',
        message: `${live.name}还有 ${total} 件未办完的申请，请先移交`,
      })
  }
  return errors
}

const checkInput = z.object({
  kind: kindInput,
  fileId: z.string().startsWith('cloud://', '请先上传表格文件').max(500, '文件编号过长'),
})

/**
 * 导入预检 (dry run): every problem by row and column, nothing written; the page shows them before
 * the admin decides to import.
 */
export async function checkImport(payload: unknown, ctx: Ctx): Promise<Actions['admin.import.check']['out']> {
  await requireRole(ctx, ['admin'])
  const p = parse(checkInput, payload)
  const { result, rows } = await checkFile(ctx, p.kind, p.fileId)
  if (result.ok) return { ok: true, rows, errors: [], message: `共 ${rows} 行，全部无误，可以导入` }
  const lines = formatErrors(result.errors)
  return {
    ok: false,
    rows,
    errors: result.errors.map((e, i) => ({
      row: e.row,
      column: e.column,
      message: e.message,
      text: lines[i]!,
    })),
    message: `表格中有 ${result.errors.length} 处问题，请修改后重新上传`,
  }
}

const templateInput = z.object({ kind: kindInput })

/** Example records that validate: the template shows a filled row in the import's own format. */
const EXAMPLES = {
  stations: (): Station => ({
    _id: 'st-example',
    code: 'QS-XC',
    name: '青山镇新村村为民服务室',
    tier: 'village',
    parentId: 'st-qingshan',
    address: '青山镇新村村委会一楼',
    location: { latitude: 30.5, longitude: 114.3 },
    hotline: '027-88880000',
    hours: '周一至周五 8:30-12:00，14:00-17:30',
    headAgentId: null,
    active: true,
  }),
  items: (): Item => ({
    _id: 'it-example',
    code: 'MZ-999',
    name: '临时救助申请',
    category: '民政',
    tier: 'township',
    materials: [
      { name: '户口簿', form: 'original', count: 1, note: '核对后退还' },
      { name: '身份证', form: 'copy', count: 1 },
    ],
    steps: ['代理员收取材料', '乡镇审核', '办结反馈'],
    promisedDays: 5,
    fee: '无偿',
    proxyMode: 'promise',
    departments: ['乡镇社会事务办'],
    homeVisit: true,
    published: true,
    active: true,
  }),
  agents: (): Agent => ({
    _id: 'ag-qs-xc-0001',
    name: '张三',
    phone: '13800000001',
    stationId: 'st-qingshan',
    role: 'agent',
    specialties: ['民政', '劳动保障'],
    kind: 'party_member',
    title: '村委委员',
    leaves: [],
    active: true,
  }),
}

/** 模板: the sheet to start from, with the import's columns and one example row to overwrite. */
export async function importTemplate(
  payload: unknown,
  ctx: Ctx,
): Promise<Actions['admin.import.template']['out']> {
  await requireRole(ctx, ['admin'])
  const { kind } = parse(templateInput, payload)
  const codeOf = new Map([['st-qingshan', 'QS']])
  const rows =
    kind === 'stations'
      ? toSheet('stations', [EXAMPLES.stations()], { stationCodes: codeOf })
      : kind === 'items'
        ? toSheet('items', [EXAMPLES.items()])
        : toSheet('agents', [EXAMPLES.agents()], { stationCodes: codeOf })
  const notes = [
    ['填写说明'],
    ['第 1 行是表头，请勿修改；从第 2 行起每行一条，示例行请改写或删除。'],
    [`可以不填的列：${OPTIONAL_COLUMNS[kind].join('、') || '无'}`],
    ['多个材料、流程请在同一格内换行（Alt+Enter）；多个类别用顿号分隔。'],
    ['任何一行有误都不会导入，小程序会列出每一处问题（第几行、哪一列）。'],
  ]
  const bytes = await writeBook([
    { title: KIND_LABELS[kind], rows },
    { title: '填写说明', rows: notes },
  ])
  const fileId = await ctx.deps.platform.upload(`templates/${kind}-template.xlsx`, bytes)
  return {
    fileId,
    url: await ctx.deps.platform.tempUrl(fileId),
    fileName: `${KIND_LABELS[kind]}导入模板.xlsx`,
  }
}

/**
 * The audit entry of one chunk, added before its records are written, under a fixed id: the
 * `before` is read while nothing of the chunk is applied yet, and a rerun after a crash keeps that
 * first entry instead of recording half-applied values as the prior ones.
 */
async function auditChunk(
  ctx: Ctx,
  actor: AuditActor,
  b: ImportBatch,
  id: string,
  records: { _id: string }[],
): Promise<void> {
  const net = ctx.deps.network
  const ids = records.map((r) => r._id)
  const prior: Map<string, object> =
    b.kind === 'stations'
      ? await net.stationsByIds(ids)
      : b.kind === 'items'
        ? await net.itemsByIds(ids)
        : await net.agentsByIds(ids)
  const strip = (r: object) => {
    const { search: _s, ...rest } = r as Record<string, unknown>
    return redact(rest)
  }
  await ctx.deps.audit.addOnce({
    _id: `au-${id}`,
    at: ctx.now,
    actor,
    kind: 'import',
    recordId: b._id,
    action: 'import',
    summary: `导入${KIND_LABELS[b.kind]} ${records.length} 条（${b.fileId.split('/').pop() ?? ''}）`,
    before: Object.fromEntries(ids.map((i) => [i, prior.has(i) ? strip(prior.get(i)!) : null])),
    after: Object.fromEntries(records.map((r) => [r._id, strip(r)])),
  })
}

/** Writes one chunk's records; every write is by id, so applying a chunk twice changes nothing. */
async function applyChunk(ctx: Ctx, kind: ImportKind, records: object[]): Promise<void> {
  const net = ctx.deps.network
  if (kind === 'stations') {
    await inParallel(records as Station[], PARALLEL_WRITES, (s) => net.saveStation(s))
  } else if (kind === 'items') {
    await inParallel(records as StoredItem[], PARALLEL_WRITES, (i) => net.saveItem(i))
  } else {
    const agents = records as Agent[]
    const existing = await net.existingAgentIds(agents.map((a) => a._id))
    // Existing entries are updated field by field, never replaced: their WeChat binding (openid)
    // is not among the fields, so it is kept however large the roster and whenever it was made.
    await inParallel(agents, PARALLEL_WRITES, (a) =>
      existing.has(a._id) ? net.updateAgentFromImport(a) : net.saveAgent(a),
    )
  }
}

/**
 * Applies a committed batch from its marker on, chunk by chunk, while the budget lasts; the
 * marker moves after each chunk, so a call that dies is continued by the next from that chunk.
 */
async function applyBatch(ctx: Ctx, batch: ImportBatch, budget: Budget): Promise<ImportBatch> {
  // Whoever's call applies a chunk, the change is the importing admin's.
  const by = await ctx.deps.network.agent(batch.by)
  const actor: AuditActor = by ? auditActor(by) : { agentId: batch.by, name: '', role: 'admin' }
  const net = ctx.deps.network
  let b = batch
  while (b.status === 'committed' && b.applied < b.chunks) {
    if (budget.rows <= 0 || Date.now() > budget.until) return b
    const chunk = await net.importChunk(chunkId(b._id, b.applied))
    if (!chunk) throw new Error(`import chunk ${chunkId(b._id, b.applied)} is missing`)
    await auditChunk(ctx, actor, b, chunk._id, chunk.records as { _id: string }[])
    await applyChunk(ctx, b.kind, chunk.records)
    budget.rows -= chunk.count
    const done = b.applied + 1 === b.chunks
    const patch = { applied: b.applied + 1, updatedAt: ctx.now, ...(done ? { status: 'done' as const } : {}) }
    if (await net.advanceImportBatch(b._id, { status: 'committed', applied: b.applied }, patch))
      b = { ...b, ...patch }
    else b = (await net.importBatch(b._id)) ?? b // another call moved it on meanwhile
  }
  return b
}

/**
 * 导入, all or nothing for real: every row is validated first and, if any is wrong, nothing is
 * written and the answer lists each problem by row and column. A valid file is staged whole in
 * `import_batches` and committed, then applied in bounded steps (about 1,000 rows per call). A
 * large file answers `applying` with its progress: calling again with the same kind and file
 * continues exactly where the last call stopped, also after a timeout or a crash. An earlier
 * import of the same kind still being applied is finished first, so two never interleave.
 */
export async function importSheet(payload: unknown, ctx: Ctx): Promise<Actions['admin.import']['out']> {
  const me = await requireRole(ctx, ['admin'])
  return runImport(ctx, parse(importInput, payload), me._id)
}

/**
 * The import itself, for an authorized caller: the admin action above, and the deploy
 * (scripts/deploy), which loads a new district's first data before any admin exists.
 */
export async function runImport(
  ctx: Ctx,
  p: { kind: ImportKind; fileId: string },
  by: string,
): Promise<Actions['admin.import']['out']> {
  const net = ctx.deps.network
  const budget: Budget = { rows: APPLY_ROWS_PER_CALL, until: Date.now() + APPLY_MS_PER_CALL }
  const batchId = importBatchId(p.kind, p.fileId)
  for (const earlier of await net.unfinishedImports(p.kind)) {
    if (earlier._id === batchId) continue
    const b = await applyBatch(ctx, earlier, budget)
    if (b.status !== 'done')
      return {
        batchId,
        status: 'waiting',
        imported: 0,
        applied: 0,
        message: '上一次导入正在写入，请稍候继续',
      }
  }
  let batch = await net.importBatch(batchId)
  if (!batch || batch.status === 'staging') batch = await stage(ctx, p.kind, p.fileId, batchId, by)
  batch = await applyBatch(ctx, batch, budget)
  const applied = Math.min(batch.rows, batch.applied * CHUNK)
  return batch.status === 'done'
    ? {
        batchId,
        status: 'done',
        imported: batch.rows,
        applied: batch.rows,
        message: `已导入 ${batch.rows} 条`,
      }
    : {
        batchId,
        status: 'applying',
        imported: batch.rows,
        applied,
        message: `正在写入 ${applied}/${batch.rows} 条，请继续`,
      }
}
