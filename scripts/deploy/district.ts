/**
 * The first district's sheets, as the admin's import reads them: 服务站.xlsx, 代理事项.xlsx and
 * 花名册.xlsx from a folder, or `demo` for the 清河区 demo written in the same columns
 * (toSheet). Stations name their head (负责人编号), who must already be on the roster, while the
 * roster names its station: so the stations go in twice, first without heads, and last whole —
 * the order an admin would follow by hand, each step the product's own import.
 */
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { Agent, Item, Station } from '../../typings/domain'
import { STATION_HEADERS, toSheet } from '../../server/domain/import-rows'
import { readSheet, writeSheet } from '../../server/actions/sheets'
import { loadDemo } from '../seed'
import { InputError, SHEET_FILES } from './project'
import type { DistrictSheet, ImportKind } from './types'

const LABELS: Record<ImportKind, string> = { stations: '服务站', items: '代理事项', agents: '花名册' }

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex').slice(0, 12)

async function sheet(kind: ImportKind, label: string, source: string, bytes: Buffer): Promise<DistrictSheet> {
  let rows: string[][]
  try {
    rows = await readSheet(bytes)
  } catch {
    throw new InputError(`${source} 不是有效的 .xlsx 表格`)
  }
  // The content's hash, not the file's: an .xlsx carries its save time, the rows are what count.
  const h = sha(Buffer.from(JSON.stringify(rows)))
  return { kind, label, source, sha: h, bytes, rows, cloudPath: `deploy/district/${kind}-${h}.xlsx` }
}

/** The same station rows with 负责人编号 left empty (heads are set by the last step). */
async function withoutHeads(s: DistrictSheet): Promise<DistrictSheet> {
  const col = s.rows[0]?.indexOf('负责人编号' satisfies (typeof STATION_HEADERS)[number]) ?? -1
  const rows = s.rows.map((r, i) => (i === 0 || col < 0 ? r : r.map((c, j) => (j === col ? '' : c))))
  const bytes = await writeSheet('服务站', rows)
  return sheet('stations', '服务站（先不含负责人）', `${s.source}（负责人留空）`, bytes)
}

async function ordered(stations: DistrictSheet, items: DistrictSheet | null, agents: DistrictSheet) {
  const first = await withoutHeads(stations)
  return [first, ...(items ? [items] : []), agents, { ...stations, label: '服务站（含负责人）' }]
}

export async function loadDistrict(dirOrDemo: string, root: string): Promise<DistrictSheet[]> {
  if (dirOrDemo === 'demo') {
    const d = loadDemo(root)
    const stationCodes = new Map(d.stations.map((s) => [s._id, s.code]))
    const make = async (kind: ImportKind, rows: string[][]) =>
      sheet(
        kind,
        LABELS[kind],
        `演示数据 ${d.district.name} ${SHEET_FILES[kind]}`,
        await writeSheet(LABELS[kind], rows),
      )
    return ordered(
      await make('stations', toSheet('stations', d.stations as Station[], { stationCodes })),
      await make('items', toSheet('items', d.items as Item[])),
      await make('agents', toSheet('agents', d.agents as Agent[], { stationCodes })),
    )
  }
  const dir = path.resolve(dirOrDemo)
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
    throw new InputError(
      `--district 应为包含 ${Object.values(SHEET_FILES).join('、')} 的文件夹（或 demo）：${dir} 不存在`,
    )
  const read = async (kind: ImportKind, required: boolean) => {
    const file = path.join(dir, SHEET_FILES[kind])
    if (!fs.existsSync(file)) {
      if (required) throw new InputError(`缺少 ${file}：第一个区的数据至少要有 服务站.xlsx 与 花名册.xlsx`)
      return null
    }
    return sheet(kind, LABELS[kind], file, fs.readFileSync(file))
  }
  const stations = (await read('stations', true))!
  const items = await read('items', false)
  const agents = (await read('agents', true))!
  return ordered(stations, items, agents)
}
