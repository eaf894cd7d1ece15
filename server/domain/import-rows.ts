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
import type { Agent, Item, Station } from '../../typings/domain'
import type { ImportContext, ImportKind, RowError, SheetResult } from './sheet/columns'
import { readRows } from './sheet/cells'
import { validateStations } from './sheet/stations'
import { validateItems } from './sheet/items'
import { validateAgents } from './sheet/roster'

export * from './sheet/columns'
export { stationIdOf, itemIdOf } from './sheet/formats'
export { toSheet } from './sheet/export'

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

/** ['第 5 行「手机」：应为 11 位手机号', '第 7 行：…'] for the import report. */
export function formatErrors(errors: readonly RowError[]): string[] {
  return errors.map((e) =>
    e.column === '' ? `第 ${e.row} 行：${e.message}` : `第 ${e.row} 行「${e.column}」：${e.message}`,
  )
}
