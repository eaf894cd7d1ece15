/** Writing records back in the same columns and formats, so export → edit → import round-trips. */
import type { Agent, Item, Material, Station } from '../../../typings/domain'
import { KIND_LABELS, PROXY_MODE_LABELS, ROLE_LABELS } from '../network'
import { HEADERS, type ImportKind, type ExportContext } from './columns'
import { TIER_SHEET_LABELS } from './formats'
import { MATERIAL_FORM_LABELS } from '../../../typings/vocabulary'

export function yesNo(value: boolean): string {
  return value ? '是' : '否'
}

export function status(active: boolean): string {
  return active ? '在用' : '停用'
}

/** Station `_id` → code: the caller's map, then the exported stations, then `st-qs-hy` → `QS-HY`. */
export function codeLookup(ctx: ExportContext, stations: readonly Station[]): (id: string) => string {
  const own = new Map(stations.map((s) => [s._id, s.code]))
  return (id) => ctx.stationCodes?.get(id) ?? own.get(id) ?? id.replace(/^st-/, '').toUpperCase()
}

export function stationRow(s: Station, codeOf: (id: string) => string): string[] {
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

export function materialText(m: Material): string {
  const base = `${m.name}（${MATERIAL_FORM_LABELS[m.form]}）×${m.count}`
  return m.note ? `${base}：${m.note}` : base
}

export function itemRow(i: Item): string[] {
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

export function agentRow(a: Agent, codeOf: (id: string) => string): string[] {
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
