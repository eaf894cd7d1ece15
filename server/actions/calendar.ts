import { parseDay, type CalendarOverride } from '../domain/calendar'
import { calendarStatusOf, type CalendarStatus } from '../domain/calendar-status'
import { fields, parse, z } from '../lib/validate'
import { invalidInput } from '../lib/errors'
import { loadCalendar, requireRole, type Ctx, type Deps } from '../kit/context'

export async function calendarStatusFor(deps: Deps, now: Date): Promise<CalendarStatus> {
  return calendarStatusOf(await loadCalendar(deps), now)
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
