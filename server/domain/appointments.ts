/**
 * 预约式服务, pure: bookable slots from a station's weekly hours (window service or 领导接待日),
 * home-visit windows, booking rules, reminders and no-show counting. Days come from the working
 * calendar (holidays closed, make-up workdays open); `now` decides horizon, notice and cutoffs.
 * This module owns the booking states and their Chinese labels.
 */
import {
  addDays,
  parseDay,
  shanghaiDay,
  shanghaiInstant,
  shanghaiMinuteOfDay,
  type WorkCalendar,
} from './calendar'
import { isoWeekday } from './network'
import type {
  AppointmentSchedule,
  BookingKind,
  BookingRules,
  BookingStatus,
  DayPart,
  OpeningPeriod,
  ScheduleKind,
} from '../../typings/domain'

// The shapes are part of the contract (typings/domain.ts); the rules about them are here.

export const BOOKING_KIND_LABELS: Record<BookingKind, string> = {
  service: '窗口预约',
  leader: '领导接待日',
  visit: '上门服务',
}

export interface Slot {
  key: string
  scheduleId: string
  stationId: string
  kind: ScheduleKind
  day: string
  start: string
  end: string
  startsAt: Date
  capacity: number
}

export const BOOKING_STATUS_LABELS: Record<BookingStatus, string> = {
  requested: '待确认',
  booked: '已预约',
  cancelled: '已取消',
  rescheduled: '已改期',
  declined: '未能安排',
  arrived: '已到场',
  no_show: '未到场',
}

/** Labels that read better for home visits. */
export function bookingStatusLabel(kind: BookingKind, status: BookingStatus): string {
  if (kind === 'visit' && status === 'booked') return '已确认上门'
  if (kind === 'visit' && status === 'arrived') return '已上门服务'
  if (kind === 'visit' && status === 'no_show') return '上门未遇'
  return BOOKING_STATUS_LABELS[status]
}

export const ACTIVE_STATUSES: readonly BookingStatus[] = ['requested', 'booked']

/**
 * Booking limits per resident (issue 11): at most this many upcoming bookings in total (window
 * bookings, 领导接待日 and home-visit requests together), and one per station and kind, so one
 * person cannot hold a place in every slot of every station. A booking whose time has passed no
 * longer counts, whether or not the agent has marked it yet. Visits an agent arranges for a case
 * are the station's doing and do not count.
 */
export const ACTIVE_BOOKINGS_PER_RESIDENT = 3

/** The unique key of a resident's one active booking of a kind at a station. */
export function stationHoldKey(kind: BookingKind, stationId: string, openid: string): string {
  return `${kind}:${stationId}:${openid}`
}

/** The unique keys of a resident's places in the cap (`${openid}#1` … `#3`). */
export function quotaKeys(openid: string): string[] {
  return Array.from({ length: ACTIVE_BOOKINGS_PER_RESIDENT }, (_, i) => `${openid}#${i + 1}`)
}

/** Why a resident may not hold another booking of this kind here (Chinese), for the refusal. */
export const SAME_STATION_REFUSALS: Record<BookingKind, string> = {
  service: '您在该服务站已有一个未到的窗口预约，如需换时间请改期',
  leader: '您已预约了该服务站的领导接待日，如需换时间请改期',
  visit: '您在该服务站已有一个未完成的上门服务申请，代理员会尽快与您联系',
}

export const QUOTA_REFUSAL = `每人最多同时保留 ${ACTIVE_BOOKINGS_PER_RESIDENT} 个未完成的预约（含上门服务申请），请先取消不需要的预约`

export const DEFAULT_BOOKING_RULES: BookingRules = {
  horizonDays: 14,
  minNoticeMinutes: 120,
  cancelCutoffMinutes: 60,
  noShowLimit: 3,
  noShowWindowDays: 90,
}

export const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))
export const toHhmm = (m: number) =>
  `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`

export function slotKey(scheduleId: string, day: string, start: string): string {
  return `${scheduleId}:${day}:${start}`
}

/** `<scheduleId>:<YYYY-MM-DD>:<HH:MM>` → parts, or null when malformed. */
export function parseSlotKey(key: string): { scheduleId: string; day: string; start: string } | null {
  const m = /^(.+):(\d{4}-\d{2}-\d{2}):(\d{2}:\d{2})$/.exec(key)
  if (!m) return null
  try {
    parseDay(m[2]!)
  } catch {
    return null // 2026-02-30 and the like
  }
  return { scheduleId: m[1]!, day: m[2]!, start: m[3]! }
}

/**
 * Slots of one day. Statutory holidays are closed; weekends open only with hours set for that
 * weekday (e.g. 周六上午值班); a make-up working Saturday without its own hours uses Monday's
 * window hours. A date exception (closed, or special hours) overrides all of it.
 */
export function slotsOn(schedule: AppointmentSchedule, day: string, calendar: WorkCalendar): Slot[] {
  const exception = schedule.exceptions.find((e) => e.date === day)
  if (exception?.closed) return []
  let periods = exception?.periods
  if (!periods) {
    if (calendar.isHoliday(day)) return []
    const wd = isoWeekday(day)
    periods = schedule.periods.filter((p) => p.weekdays.includes(wd))
    if (!periods.length && wd >= 6 && calendar.isWorkday(day) && schedule.kind === 'service')
      periods = schedule.periods.filter((p) => p.weekdays.includes(1))
  }
  const out: Slot[] = []
  for (const p of periods) {
    for (let m = toMinutes(p.start); m + p.slotMinutes <= toMinutes(p.end); m += p.slotMinutes) {
      const start = toHhmm(m)
      out.push({
        key: slotKey(schedule._id, day, start),
        scheduleId: schedule._id,
        stationId: schedule.stationId,
        kind: schedule.kind,
        day,
        start,
        end: toHhmm(m + p.slotMinutes),
        startsAt: shanghaiInstant(day, start),
        capacity: p.capacity,
      })
    }
  }
  return out
}

/** Bookable slots from now to the horizon, respecting the minimum notice. */
export function bookableSlots(
  schedule: AppointmentSchedule,
  now: Date,
  calendar: WorkCalendar,
  rules = DEFAULT_BOOKING_RULES,
): Slot[] {
  const today = shanghaiDay(now)
  const earliest = now.getTime() + rules.minNoticeMinutes * 60_000
  const out: Slot[] = []
  for (let i = 0; i <= rules.horizonDays; i++) {
    for (const s of slotsOn(schedule, addDays(today, i), calendar))
      if (s.startsAt.getTime() >= earliest) out.push(s)
  }
  return out
}

function hoursText(minutes: number): string {
  return minutes % 60 === 0 ? `${minutes / 60} 小时` : `${minutes} 分钟`
}

/** Why a slot cannot be booked now (Chinese), or null. */
export function bookingProblem(
  slot: Slot | undefined,
  now: Date,
  rules = DEFAULT_BOOKING_RULES,
): string | null {
  if (!slot) return '该时段不开放预约（休息日、节假日或不在办公时间）'
  if (slot.startsAt.getTime() <= now.getTime()) return '该时段已过，请选择其他时间'
  if (slot.startsAt.getTime() < now.getTime() + rules.minNoticeMinutes * 60_000) {
    return `请至少提前 ${hoursText(rules.minNoticeMinutes)}预约`
  }
  const horizonEnd = shanghaiInstant(addDays(shanghaiDay(now), rules.horizonDays), '23:59')
  if (slot.startsAt.getTime() > horizonEnd.getTime()) return `只能预约 ${rules.horizonDays} 天以内的时段`
  return null
}

/** Why a booking cannot be cancelled or moved online now (Chinese), or null. */
export function changeProblem(
  b: { status: BookingStatus; startsAt: Date | null },
  now: Date,
  rules = DEFAULT_BOOKING_RULES,
): string | null {
  if (!ACTIVE_STATUSES.includes(b.status)) return `该预约${BOOKING_STATUS_LABELS[b.status]}，不能再更改`
  if (b.startsAt && b.startsAt.getTime() - now.getTime() < rules.cancelCutoffMinutes * 60_000)
    return `开始前 ${hoursText(rules.cancelCutoffMinutes)}内不能在线更改，请致电服务站`
  return null
}

export type Outcome = 'arrived' | 'no_show'

/**
 * Agents mark the outcome on the day: arrival from an hour before the start, a no-show only
 * once the slot has begun; a mark can be corrected the same day.
 */
export function markProblem(
  b: { status: BookingStatus; startsAt: Date | null; day: string | null },
  outcome: Outcome,
  now: Date,
): string | null {
  if (!b.startsAt || !b.day || !['booked', 'arrived', 'no_show'].includes(b.status))
    return '只有已确认的预约可以登记到场情况'
  if (b.status !== 'booked' && shanghaiDay(now) !== b.day) return '到场情况已登记，只能当天更正'
  if (outcome === 'arrived' && now.getTime() < b.startsAt.getTime() - 3600_000)
    return '预约开始前 1 小时起才能登记到场'
  if (outcome === 'no_show' && now.getTime() < b.startsAt.getTime()) return '预约时间还没到，不能登记未到场'
  return null
}

/** No-shows within the rules' window, counted from their days. */
export function recentNoShows(days: string[], now: Date, rules = DEFAULT_BOOKING_RULES): number {
  const from = addDays(shanghaiDay(now), -rules.noShowWindowDays)
  return days.filter((d) => d > from).length
}

export type BookingReminder = 'dayBefore' | 'soon'

/**
 * Reminders a new booking will never need, recorded as done at creation so the reminder job's
 * query (not yet reminded, in the window) never returns them: booked on or after the day before,
 * or within 3 hours of the start.
 */
export function remindersNotNeeded(startsAt: Date, day: string, createdAt: Date): BookingReminder[] {
  const out: BookingReminder[] = []
  if (shanghaiDay(createdAt) >= addDays(day, -1)) out.push('dayBefore')
  if (startsAt.getTime() - createdAt.getTime() <= 3 * 3600_000) out.push('soon')
  return out
}

/** The window of the day-before reminder: [from, to) of appointment starts (tomorrow). */
export function dayBeforeWindow(now: Date): { from: Date; to: Date } | null {
  const minute = shanghaiMinuteOfDay(now)
  if (minute < 9 * 60 || minute >= 21 * 60) return null
  const tomorrow = addDays(shanghaiDay(now), 1)
  return { from: shanghaiInstant(tomorrow, '00:00'), to: shanghaiInstant(addDays(tomorrow, 1), '00:00') }
}

/**
 * Reminders a booked appointment is due for at `now`: the day before (between 09:00 and
 * 21:00, so nobody is woken) and 2 hours before. A reminder is skipped when the booking was
 * made after it would have been useful (booked today for tomorrow, or 3 hours before).
 */
export function appointmentRemindersDue(
  b: { startsAt: Date; day: string; createdAt: Date; reminded: string[] },
  now: Date,
): BookingReminder[] {
  const out: BookingReminder[] = []
  const start = b.startsAt.getTime()
  if (now.getTime() >= start) return out
  const eve = addDays(b.day, -1)
  const minute = shanghaiMinuteOfDay(now)
  if (
    !b.reminded.includes('dayBefore') &&
    shanghaiDay(now) === eve &&
    minute >= 9 * 60 &&
    minute < 21 * 60 &&
    shanghaiDay(b.createdAt) < eve
  )
    out.push('dayBefore')
  if (
    !b.reminded.includes('soon') &&
    start - now.getTime() <= 2 * 3600_000 &&
    start - b.createdAt.getTime() > 3 * 3600_000
  )
    out.push('soon')
  return out
}

export const DAY_PARTS: Record<DayPart, { label: string; start: string; end: string; lastStart: string }> = {
  am: { label: '上午', start: '08:30', end: '12:00', lastStart: '11:30' },
  pm: { label: '下午', start: '14:00', end: '17:30', lastStart: '17:00' },
}

export interface VisitWindow {
  day: string
  part: DayPart
}

/** Why preferred home-visit windows are not acceptable (Chinese), or null. */
export function visitWindowsProblem(
  windows: VisitWindow[],
  now: Date,
  calendar: WorkCalendar,
  rules = DEFAULT_BOOKING_RULES,
): string | null {
  if (!windows.length) return '请至少选择一个方便的时间'
  if (windows.length > 3) return '最多选择 3 个方便的时间'
  const today = shanghaiDay(now)
  const last = addDays(today, rules.horizonDays)
  const seen = new Set<string>()
  for (const w of windows) {
    const id = `${w.day}:${w.part}`
    if (seen.has(id)) return '方便的时间有重复'
    seen.add(id)
    if (w.day <= today) return '上门服务请至少提前一天申请'
    if (w.day > last) return `只能申请 ${rules.horizonDays} 天以内的上门时间`
    if (!calendar.isWorkday(w.day)) return `${w.day} 不是工作日，请另选时间`
  }
  return null
}

/** Whether an agent's proposed visit time falls in one of the resident's windows. */
export function inVisitWindow(windows: VisitWindow[], day: string, start: string): boolean {
  const m = toMinutes(start)
  return windows.some(
    (w) => w.day === day && m >= toMinutes(DAY_PARTS[w.part].start) && m < toMinutes(DAY_PARTS[w.part].end),
  )
}

/** Why a weekly schedule is malformed (Chinese), or null. */
export function scheduleProblem(periods: OpeningPeriod[]): string | null {
  const byDay = new Map<number, [number, number][]>()
  for (const p of periods) {
    const s = toMinutes(p.start)
    const e = toMinutes(p.end)
    if (e <= s) return `时段 ${p.start}-${p.end} 的结束时间应晚于开始时间`
    if (e - s < p.slotMinutes) return `时段 ${p.start}-${p.end} 不足一个 ${p.slotMinutes} 分钟的预约单元`
    for (const d of p.weekdays) {
      const list = byDay.get(d) ?? []
      if (list.some(([a, b]) => s < b && a < e))
        return `周${'一二三四五六日'[d - 1]}的时段 ${p.start}-${p.end} 与其他时段重叠`
      list.push([s, e])
      byDay.set(d, list)
    }
  }
  return null
}

/**
 * Active bookings a changed schedule no longer offers (a closed date, a removed period or a
 * different slot length): they must be cancelled and their residents told. A smaller capacity
 * keeps the bookings already made; only new ones are refused.
 */
export function orphanedBookings<
  B extends { scheduleId: string | null; slotKey: string | null; day: string | null },
>(schedule: AppointmentSchedule, bookings: B[], calendar: WorkCalendar): B[] {
  const offered = new Map<string, Set<string>>()
  const keysOn = (day: string) => {
    let keys = offered.get(day)
    if (!keys) {
      keys = new Set(slotsOn(schedule, day, calendar).map((s) => s.key))
      offered.set(day, keys)
    }
    return keys
  }
  return bookings.filter(
    (b) => b.scheduleId === schedule._id && b.day && b.slotKey && !keysOn(b.day).has(b.slotKey),
  )
}
