/**
 * 工作日历 (working-day calendar) for 限时办结 deadlines.
 *
 * Pure: no clock, no I/O. Dates are calendar days in Asia/Shanghai written `YYYY-MM-DD`;
 * instants are `Date` (UTC). China has had no daylight saving since 1991, so the zone is a
 * fixed +08:00 offset and conversions are plain arithmetic (no tz database needed).
 */

import { SHANGHAI_OFFSET_MS, shanghaiDay } from '../../typings/vocabulary'

/** The Shanghai calendar day an instant falls on (the vocabulary's, shared with the pages). */
export { shanghaiDay }

const OFFSET_MS = SHANGHAI_OFFSET_MS
const DAY_MS = 86_400_000

/** One admin-entered day (e.g. the State Council schedule for a year the package lacks). */
export interface CalendarOverride {
  date: string
  /** `workday` = 调休上班 or a normal working day; `holiday` = 放假. */
  kind: 'workday' | 'holiday'
  note?: string
}

export interface CalendarSource {
  /** Official days off that fall on weekdays or weekends (法定节假日及调休休息日). */
  holidays: Iterable<string>
  /** Weekend days that are working days (调休上班). */
  workdays: Iterable<string>
  /** Years for which the official schedule is known. */
  coveredYears: Iterable<number>
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/

/** Parses `YYYY-MM-DD` strictly (rejects 2026-02-30). Returns UTC midnight of that label. */
export function parseDay(day: string): number {
  const m = DATE_RE.exec(day)
  if (!m) throw new RangeError(`invalid day: ${day}`)
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))
  if (formatDay(ms) !== day) throw new RangeError(`invalid day: ${day}`)
  return ms
}

function formatDay(utcMidnightMs: number): string {
  return new Date(utcMidnightMs).toISOString().slice(0, 10)
}

/** Minutes since Shanghai midnight for an instant (0..1439). */
export function shanghaiMinuteOfDay(instant: Date): number {
  const ms = (instant.getTime() + OFFSET_MS) % DAY_MS
  return Math.floor((ms < 0 ? ms + DAY_MS : ms) / 60_000)
}

/** The instant of `HH:mm` Shanghai time on `day`. */
export function shanghaiInstant(day: string, hhmm: string): Date {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm)
  if (!m) throw new RangeError(`invalid time: ${hhmm}`)
  const minutes = Number(m[1]) * 60 + Number(m[2])
  return new Date(parseDay(day) + minutes * 60_000 - OFFSET_MS)
}

export function addDays(day: string, n: number): string {
  return formatDay(parseDay(day) + n * DAY_MS)
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(day: string): number {
  return new Date(parseDay(day)).getUTCDay()
}

export interface WorkdayResult {
  day: string
  /** Years whose official schedule was needed but unknown: weekdays were assumed to be workdays. */
  missingYears: number[]
}

export class WorkCalendar {
  private readonly holidays: Set<string>
  private readonly workdays: Set<string>
  private readonly covered: Set<number>

  constructor(source: CalendarSource, overrides: readonly CalendarOverride[] = []) {
    this.holidays = new Set(source.holidays)
    this.workdays = new Set(source.workdays)
    this.covered = new Set(source.coveredYears)
    for (const o of overrides) {
      parseDay(o.date)
      if (o.kind === 'workday') {
        this.workdays.add(o.date)
        this.holidays.delete(o.date)
      } else {
        this.holidays.add(o.date)
        this.workdays.delete(o.date)
      }
    }
  }

  /** Whether the official schedule of the year `day` falls in is known. */
  isCovered(day: string): boolean {
    return this.covered.has(Number(day.slice(0, 4)))
  }

  /** Last covered day, or null when nothing is covered. */
  coveredUntil(): string | null {
    if (this.covered.size === 0) return null
    return `${Math.max(...this.covered)}-12-31`
  }

  /** A statutory holiday or a rest day of a holiday block (not an ordinary weekend). */
  isHoliday(day: string): boolean {
    return this.holidays.has(day)
  }

  isWorkday(day: string): boolean {
    if (this.workdays.has(day)) return true
    if (this.holidays.has(day)) return false
    const wd = weekday(day)
    return wd !== 0 && wd !== 6
  }

  /**
   * The `n`-th working day after `day` (counting starts the day after, per 限时办结 practice).
   * `n = 0` gives `day` itself when it is a working day, else the next working day.
   */
  addWorkingDays(day: string, n: number): WorkdayResult {
    if (!Number.isInteger(n) || n < 0)
      throw new RangeError(`working days must be a non-negative integer: ${n}`)
    const missing = new Set<number>()
    const check = (d: string): void => {
      if (!this.isCovered(d)) missing.add(Number(d.slice(0, 4)))
    }
    let cur = day
    check(cur)
    if (n === 0) {
      while (!this.isWorkday(cur)) {
        cur = addDays(cur, 1)
        check(cur)
      }
      return { day: cur, missingYears: [...missing].sort() }
    }
    let left = n
    while (left > 0) {
      cur = addDays(cur, 1)
      check(cur)
      if (this.isWorkday(cur)) left -= 1
    }
    return { day: cur, missingYears: [...missing].sort() }
  }

  /**
   * Working days strictly after `from` up to and including `to` (0 when `to` <= `from`).
   * Used for "N working days overdue".
   */
  workingDaysBetween(from: string, to: string): number {
    let count = 0
    let cur = from
    while (cur < to) {
      cur = addDays(cur, 1)
      if (this.isWorkday(cur)) count += 1
    }
    return count
  }
}

export interface OfficeHours {
  /** `HH:mm`, Shanghai time. */
  start: string
  end: string
}

export const DEFAULT_OFFICE_HOURS: OfficeHours = { start: '08:30', end: '17:30' }

export interface DueResult {
  dueAt: Date
  dueDay: string
  missingYears: number[]
}

/**
 * Due moment of a case accepted at `acceptedAt` with `promisedDays` working days:
 * counting from the day after acceptance, due at the end of office hours of the last day.
 * 即办 (0 days) is due at the end of the same working day.
 */
export function computeDue(
  acceptedAt: Date,
  promisedDays: number,
  calendar: WorkCalendar,
  hours: OfficeHours = DEFAULT_OFFICE_HOURS,
): DueResult {
  const res = calendar.addWorkingDays(shanghaiDay(acceptedAt), promisedDays)
  return { dueAt: shanghaiInstant(res.day, hours.end), dueDay: res.day, missingYears: res.missingYears }
}
