/**
 * The three-tier service network (三级代理网络): which items a station offers, who is on duty
 * on a day, distances. Pure.
 */
import { pinyin } from 'pinyin-pro'
import type { Agent, DutyRota, GeoPoint, Item, Station, Tier } from '../../typings/domain'
import type { WorkCalendar } from './calendar'
import { weekday } from './calendar'
import { TIERS, TIER_LABELS, timeLimitText } from '../../typings/vocabulary'

// Tiers, their labels and the time-limit text are the shared vocabulary (typings/vocabulary.ts).
export { TIERS, TIER_LABELS, timeLimitText }

/** A station offers the items its tier decides plus every higher-tier item it proxies upward. */
export function tiersOfferedAt(tier: Tier): Tier[] {
  return TIERS.slice(0, TIERS.indexOf(tier) + 1)
}

/** Whether an item counts toward 代理事项公开率 (all of materials, procedure, time limit present). */
export function isFullyPublished(
  item: Pick<Item, 'published' | 'materials' | 'steps' | 'promisedDays'>,
): boolean {
  return (
    item.published &&
    item.materials.length > 0 &&
    item.steps.length > 0 &&
    Number.isInteger(item.promisedDays)
  )
}

/** Lowercase search text: name, code, category, full pinyin and initials ("zdshbz" for 最低生活保障). */
export function searchText(item: Pick<Item, 'name' | 'code' | 'category' | 'keywords'>): string {
  const words = [item.name, ...(item.keywords ?? [])]
  const initials = words.map((w) => pinyin(w, { pattern: 'first', toneType: 'none', type: 'array' }).join(''))
  const full = words.map((w) => pinyin(w, { toneType: 'none', type: 'array' }).join(''))
  return [...words, item.code, item.category, ...initials, ...full].join('|').toLowerCase()
}

export function isOnLeave(agent: Pick<Agent, 'leaves'>, day: string): boolean {
  return agent.leaves.some((l) => l.from <= day && day <= l.to)
}

/** ISO weekday 1 (Mon) … 7 (Sun). */
export function isoWeekday(day: string): number {
  const d = weekday(day)
  return d === 0 ? 7 : d
}

export interface DutyResult {
  day: string
  /** On a holiday or other non-working day the station is closed; the hotline still answers. */
  workday: boolean
  agentIds: string[]
  /** Agents scheduled but on leave that day. */
  onLeave: string[]
  source: 'override' | 'weekly' | 'closed'
}

/**
 * Who sits on duty at a station on `day`:
 * 1. a date override (调班) wins;
 * 2. on a working day, the weekly rota of that weekday (轮流坐班); a make-up weekend workday
 *    (调休上班) with no weekend rota follows Monday's;
 * 3. on an ordinary Saturday (not inside a holiday), the Saturday rota (village rooms often keep
 *    a Saturday-morning duty);
 * 4. otherwise the station is closed (the hotline still answers).
 * Agents on leave or retired are left out.
 */
export function dutyOn(
  rota: DutyRota | null,
  agents: ReadonlyMap<string, Agent>,
  day: string,
  calendar: WorkCalendar,
): DutyResult {
  const wd = isoWeekday(day)
  const workday = calendar.isWorkday(day)
  const override = rota?.overrides.find((o) => o.date === day)
  let scheduled: string[] = []
  let source: DutyResult['source'] = 'closed'
  if (override) {
    scheduled = override.agentIds
    source = 'override'
  } else if (workday) {
    scheduled = rota?.weekly[String(wd)]?.length
      ? rota.weekly[String(wd)]!
      : wd >= 6
        ? (rota?.weekly['1'] ?? [])
        : []
    source = 'weekly'
  } else if (wd === 6 && !calendar.isHoliday(day) && rota?.weekly['6']?.length) {
    scheduled = rota.weekly['6']
    source = 'weekly'
  }
  const agentIds: string[] = []
  const onLeave: string[] = []
  for (const id of scheduled) {
    const a = agents.get(id)
    if (!a || !a.active) continue
    if (isOnLeave(a, day)) onLeave.push(id)
    else agentIds.push(id)
  }
  return { day, workday, agentIds, onLeave, source }
}

/** Great-circle distance in metres. */
export function distanceMeters(a: GeoPoint, b: GeoPoint): number {
  const R = 6_371_000
  const rad = (x: number) => (x * Math.PI) / 180
  const dLat = rad(b.latitude - a.latitude)
  const dLng = rad(b.longitude - a.longitude)
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(dLng / 2) ** 2
  return Math.round(2 * R * Math.asin(Math.sqrt(h)))
}

/** Stations ordered from the top: [district, township, village]. */
export function ancestry(station: Station, byId: ReadonlyMap<string, Station>): Station[] {
  const chain: Station[] = [station]
  let cur = station
  for (let guard = 0; cur.parentId && guard < 3; guard++) {
    const parent = byId.get(cur.parentId)
    if (!parent) break
    chain.unshift(parent)
    cur = parent
  }
  return chain
}

export const ROLE_LABELS: Record<Agent['role'], string> = {
  agent: '代理员',
  head: '站长',
  supervisor: '督查',
  admin: '管理员',
}

export const KIND_LABELS: Record<Agent['kind'], string> = { party_member: '党员', volunteer: '志愿者' }

export const PROXY_MODE_LABELS: Record<Item['proxyMode'], string> = {
  direct: '直接代理',
  promise: '承诺代理',
  joint: '联合代理',
}

export const WEEKDAY_LABELS = ['', '周一', '周二', '周三', '周四', '周五', '周六', '周日']
