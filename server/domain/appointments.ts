/**
 * 预约式服务: bookable slots from a station's weekly opening hours, pure. Days come from the
 * working calendar (holidays closed, make-up workdays open); `now` decides the horizon and the
 * minimum notice.
 */
import { addDays, shanghaiDay, shanghaiInstant, type WorkCalendar } from './calendar'
import { isoWeekday } from './network'

export interface OpeningPeriod {
  /** ISO weekdays 1–7 this period applies to. */
  weekdays: number[]
  start: string
  end: string
  slotMinutes: number
  capacity: number
}

export interface AppointmentSchedule {
  stationId: string
  periods: OpeningPeriod[]
  /** Date exceptions: closed days, or special hours that replace the weekly ones. */
  exceptions: { date: string; closed?: boolean; periods?: OpeningPeriod[] }[]
}

export interface Slot {
  key: string
  stationId: string
  day: string
  start: string
  end: string
  startsAt: Date
  capacity: number
}

export interface BookingRules {
  horizonDays: number
  minNoticeMinutes: number
}

export const DEFAULT_BOOKING_RULES: BookingRules = { horizonDays: 14, minNoticeMinutes: 120 }

const toMin = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))
const toHhmm = (m: number) =>
  `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`

export function slotKey(stationId: string, day: string, start: string): string {
  return `${stationId}:${day}:${start}`
}

/** Slots of one day (none on closed days; a make-up Saturday uses Monday's hours). */
export function slotsOn(schedule: AppointmentSchedule, day: string, calendar: WorkCalendar): Slot[] {
  const exception = schedule.exceptions.find((e) => e.date === day)
  if (exception?.closed) return []
  let periods = exception?.periods
  if (!periods) {
    if (!calendar.isWorkday(day)) return []
    const wd = isoWeekday(day)
    periods = schedule.periods.filter((p) => p.weekdays.includes(wd))
    if (!periods.length && wd >= 6) periods = schedule.periods.filter((p) => p.weekdays.includes(1))
  }
  const out: Slot[] = []
  for (const p of periods) {
    for (let m = toMin(p.start); m + p.slotMinutes <= toMin(p.end); m += p.slotMinutes) {
      const start = toHhmm(m)
      out.push({
        key: slotKey(schedule.stationId, day, start),
        stationId: schedule.stationId,
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

/** Why a slot cannot be booked now (Chinese), or null. */
export function bookingProblem(
  slot: Slot | undefined,
  now: Date,
  rules = DEFAULT_BOOKING_RULES,
): string | null {
  if (!slot) return '该时段不开放预约（休息日、节假日或不在办公时间）'
  if (slot.startsAt.getTime() <= now.getTime()) return '该时段已过，请选择其他时间'
  if (slot.startsAt.getTime() < now.getTime() + rules.minNoticeMinutes * 60_000) {
    return `请至少提前 ${rules.minNoticeMinutes / 60} 小时预约`
  }
  const horizonEnd = shanghaiInstant(addDays(shanghaiDay(now), rules.horizonDays), '23:59')
  if (slot.startsAt.getTime() > horizonEnd.getTime()) return `只能预约 ${rules.horizonDays} 天以内的时段`
  return null
}
