import type ExcelJS from 'exceljs'
import type { Agent, Item, Station } from '../../typings/domain'
import { formatErrors, toSheet, validateSheet, type ImportKind } from '../domain/import-rows'
import { searchText } from '../domain/network'
import { AppError } from '../lib/errors'
import { parse, z } from '../lib/validate'
import { requireRole, type Ctx } from '../app/context'
import type { StoredItem } from '../repositories/network'

const KIND_LABELS: Record<ImportKind, string> = { stations: '服务站', items: '代理事项', agents: '花名册' }
const kindInput = z.enum(['stations', 'items', 'agents'], {
  error: '请选择导入类型：服务站、代理事项或花名册',
})

/** exceljs is large: loaded on first use so it does not slow every cold start of `api`. */
async function excel(): Promise<typeof ExcelJS> {
  const mod = (await import('exceljs')) as unknown as { default?: typeof ExcelJS } & typeof ExcelJS
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
  fileId: z.string().startsWith('cloud://', '请先上传表格文件'),
})

/**
 * 导入: validates every row first; if any row is wrong nothing is written and the answer lists
 * each problem by row and column. Records are written by id, so re-running an import after a
 * network failure converges instead of duplicating.
 */
export async function importSheet(payload: unknown, ctx: Ctx): Promise<{ imported: number }> {
  await requireRole(ctx, ['admin'])
  const p = parse(importInput, payload)
  const net = ctx.deps.network
  let rows: string[][]
  try {
    rows = await readSheet(await ctx.deps.platform.download(p.fileId))
  } catch {
    throw new AppError('INVALID_INPUT', '无法读取表格，请上传 .xlsx 格式的文件', {
      fileId: '文件不是有效的 .xlsx 表格',
    })
  }
  const [stations, agents] = await Promise.all([
    net.everything<Station>('stations'),
    p.kind === 'stations' ? net.everything<Agent>('agents') : Promise.resolve([]),
  ])
  const ctxSets = {
    knownStationCodes: new Set(stations.map((s) => s.code)),
    ...(p.kind === 'stations' ? { knownAgentIds: new Set(agents.map((a) => a._id)) } : {}),
  }
  const result =
    p.kind === 'stations'
      ? validateSheet('stations', rows, ctxSets)
      : p.kind === 'items'
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
  // Existing stations keep their ids (codes map to them); roster entries keep their WeChat binding.
  const idByCode = new Map(stations.map((s) => [s.code, s._id]))
  if (p.kind === 'stations') {
    for (const s of result.records as Station[]) {
      const parentCode = stations.find((x) => x._id === s.parentId)?.code
      await net.saveStation({
        ...s,
        _id: idByCode.get(s.code) ?? s._id,
        parentId: s.parentId && parentCode ? (idByCode.get(parentCode) ?? s.parentId) : s.parentId,
      })
    }
  } else if (p.kind === 'items') {
    for (const i of result.records as Item[]) await net.saveItem({ ...i, search: searchText(i) })
  } else {
    const existing = new Map((await net.everything<Agent>('agents')).map((a) => [a._id, a]))
    const codeById = new Map(stations.map((s) => [`st-${s.code.toLowerCase()}`, s._id]))
    for (const a of result.records as Agent[]) {
      const openid = existing.get(a._id)?.openid
      await net.saveAgent({
        ...a,
        stationId: codeById.get(a.stationId) ?? a.stationId,
        ...(openid ? { openid } : {}),
      })
    }
  }
  return { imported: result.records.length }
}
