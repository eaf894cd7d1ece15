import { addDays, parseDay, shanghaiDay, type CalendarOverride, type WorkCalendar } from '../domain/calendar'
import { fields, parse, z } from '../lib/validate'
import { invalidInput } from '../lib/errors'
import { loadCalendar, requireRole, type Ctx, type Deps } from '../app/context'

/** How far ahead deadlines reach (the longest promised period is a few weeks; 60 days is safe). */
const LOOKAHEAD_DAYS = 60

export interface CalendarStatus {
  today: string
  coveredUntil: string | null
  /** CALENDAR_MISSING when deadlines within the look-ahead fall in a year without official data. */
  warning: { code: 'CALENDAR_MISSING'; message: string } | null
}

export async function calendarStatusFor(deps: Deps, now: Date): Promise<CalendarStatus> {
  return calendarStatusOf(await loadCalendar(deps), now)
}

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

/** 工作日历 status for admins and staff. */
export async function calendarStatus(_payload: unknown, ctx: Ctx): Promise<CalendarStatus> {
  await requireRole(ctx, ['admin', 'supervisor', 'head', 'agent'])
  return calendarStatusFor(ctx.deps, ctx.now)
}

const saveInput = z.object({
  year: z.number().int().min(2020).max(2100),
  /** Days off (法定节假日与调休休息日), including weekend days inside holiday blocks. */
  holidays: z.array(fields.dayPattern).max(60),
  /** Weekend days that are working days (调休上班). */
  workdays: z.array(fields.dayPattern).max(20),
})

/** An admin enters a year's State Council schedule; the year then counts as covered. */
export async function saveCalendarYear(payload: unknown, ctx: Ctx): Promise<CalendarStatus> {
  await requireRole(ctx, ['admin'])
  const p = parse(saveInput, payload)
  const errors: Record<string, string> = {}
  const check = (list: string[], key: string) =>
    list.forEach((d, i) => {
      try {
        parseDay(d)
        if (!d.startsWith(String(p.year))) errors[`${key}.${i}`] = `应为 ${p.year} 年的日期`
      } catch {
        errors[`${key}.${i}`] = '日期不存在'
      }
    })
  check(p.holidays, 'holidays')
  check(p.workdays, 'workdays')
  const both = p.holidays.find((d) => p.workdays.includes(d))
  if (both) errors.workdays = `${both} 不能同时是休息日和上班日`
  if (Object.keys(errors).length) throw invalidInput(errors)
  const current = await ctx.deps.settings.calendar()
  const overrides: CalendarOverride[] = [
    ...current.overrides.filter((o) => !o.date.startsWith(String(p.year))),
    ...p.holidays.map((date) => ({ date, kind: 'holiday' as const })),
    ...p.workdays.map((date) => ({ date, kind: 'workday' as const })),
  ]
  await ctx.deps.settings.saveCalendar({
    overrides,
    coveredYears: [...new Set([...current.coveredYears, p.year])].sort(),
  })
  return calendarStatusFor(ctx.deps, ctx.now)
}
