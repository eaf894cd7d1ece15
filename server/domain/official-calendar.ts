import data from 'chinese-days/dist/chinese-days.json'
import type { CalendarSource } from './calendar'

/**
 * The State Council schedule as packaged by `chinese-days`. The package answers weekdays as
 * workdays for years it does not know, so coverage is derived from the years present in its
 * data instead of trusting its API.
 */
export function officialCalendarSource(): CalendarSource {
  const holidays = Object.keys(data.holidays)
  const workdays = Object.keys(data.workdays)
  const coveredYears = new Set<number>()
  for (const d of holidays) coveredYears.add(Number(d.slice(0, 4)))
  return { holidays, workdays, coveredYears }
}
