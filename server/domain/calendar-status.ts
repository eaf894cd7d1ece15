/**
 * Whether the working calendar covers the days deadlines reach: without official data for a
 * year the system must warn the admin loudly, not silently count weekdays. Pure.
 */
import type { CalendarStatus } from '../../typings/api'
import { addDays, shanghaiDay, type WorkCalendar } from './calendar'

/** How far ahead deadlines reach (the longest promised period is a few weeks; 60 days is safe). */
const LOOKAHEAD_DAYS = 60

export type { CalendarStatus }

/** The coverage status of an already loaded calendar (no database read). */
export function calendarStatusOf(calendar: WorkCalendar, now: Date): CalendarStatus {
  const today = shanghaiDay(now)
  const horizon = addDays(today, LOOKAHEAD_DAYS)
  const coveredUntil = calendar.coveredUntil()
  const missing = !calendar.isCovered(horizon) || !calendar.isCovered(today)
  return {
    today,
    coveredUntil,
    warning: missing
      ? {
          code: 'CALENDAR_MISSING',
          message: `${horizon.slice(0, 4)} 年的节假日与调休安排尚未录入，截止日期暂按周一至周五推算。请管理员在国务院办公厅发布通知后及时录入。`,
        }
      : null,
  }
}
