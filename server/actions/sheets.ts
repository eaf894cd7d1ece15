/**
 * 表格 (spreadsheets): .xlsx import of stations, items and the roster — all or nothing, staged in
 * chunks and resumable — and export in the same columns (admins).
 */
import { createHash } from 'node:crypto'
import type ExcelJS from 'exceljs'
import type { Actions } from '../../typings/api'
import type { Agent, Item, Station } from '../../typings/domain'
import { formatErrors, toSheet, validateSheet, type ImportKind } from '../domain/import-rows'
import { searchText } from '../domain/network'
import { AppError } from '../lib/errors'
import { parse, z } from '../lib/validate'
import { requireRole, type Ctx } from '../kit/context'
import type { ImportBatch, StoredItem } from '../repositories/network'

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

export async function readSheet(bytes: Buffer): Promise<string[][]> {
  const wb = new (await excel()).Workbook()
  await wb.xlsx.load(bytes as unknown as ArrayBuffer)
  const ws = wb.worksheets[0]
  if (!ws) return []
  const rows: string[][] = []
  ws.eachRow({ includeEmpty: true }, (row, n) => {
    const cells: string[] = []
    for (let c = 1; c <= ws.columnCount; c++) cells.push(cellText(row.getCell(c).value).trim())
    rows[n - 1] = cells
  })
  return Array.from(rows, (r) => r ?? [])
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
  let rows: string[][]
  try {
    rows = await readSheet(await ctx.deps.platform.download(fileId))
  } catch {
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
  const codeById = new Map(stations.map((s) => [`st-${s.code.toLowerCase()}`, s._id]))
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
  const net = ctx.deps.network
  let b = batch
  while (b.status === 'committed' && b.applied < b.chunks) {
    if (budget.rows <= 0 || Date.now() > budget.until) return b
    const chunk = await net.importChunk(chunkId(b._id, b.applied))
    if (!chunk) throw new Error(`import chunk ${chunkId(b._id, b.applied)} is missing`)
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
