import { parseDay, type CalendarOverride } from '../domain/calendar'
import { calendarStatusOf, type CalendarStatus } from '../domain/calendar-status'
import { fields, parse, z } from '../lib/validate'
import { invalidInput } from '../lib/errors'
import { loadCalendar, requireRole, type Ctx, type Deps } from '../kit/context'
import type { Actions } from '../../typings/api'
import { officialCalendarSource } from '../domain/official-calendar'
import type { CalendarSettings } from '../repositories/settings'
import { auditActor } from './admin'

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
  const me = await requireRole(ctx, ['admin'])
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
  // The year replaces what was entered for it before, in one transaction with its audit entry.
  await ctx.deps.audit.change<CalendarSettings & { _id: string }>(
    'settings',
    'calendar',
    (before) => {
      const current = before ?? { overrides: [], coveredYears: [] }
      const overrides: CalendarOverride[] = [
        ...current.overrides.filter((o) => !o.date.startsWith(String(p.year))),
        ...p.holidays.map((date) => ({ date, kind: 'holiday' as const })),
        ...p.workdays.map((date) => ({ date, kind: 'workday' as const })),
      ]
      return {
        _id: 'calendar',
        overrides,
        coveredYears: [...new Set([...current.coveredYears, p.year])].sort(),
      }
    },
    () => ({
      at: ctx.now,
      actor: auditActor(me),
      kind: 'calendar',
      action: 'update',
      summary: `录入 ${p.year} 年节假日安排（休 ${p.holidays.length} 天，调休上班 ${p.workdays.length} 天）`,
    }),
  )
  return calendarStatusFor(ctx.deps, ctx.now)
}

const official = officialCalendarSource()
const yearInput = z.object({
  year: z
    .number({ error: '请选择年份' })
    .int()
    .min(2020, '年份应在 2020–2100 之间')
    .max(2100, '年份应在 2020–2100 之间'),
})

/**
 * One year of the working calendar for the calendar page: the days off and make-up workdays in
 * force (admin entries over the official data), where each comes from, and the status.
 */
export async function calendarYear(
  payload: unknown,
  ctx: Ctx,
): Promise<Actions['admin.calendar.get']['out']> {
  await requireRole(ctx, ['admin'])
  const { year } = parse(yearInput, payload)
  const y = String(year)
  const s = await ctx.deps.settings.calendar()
  const mine = s.overrides.filter((o) => o.date.startsWith(y))
  const entered = new Set(mine.map((o) => o.date))
  const fromOfficial = (list: Iterable<string>, kind: 'holiday' | 'workday') =>
    [...list]
      .filter((d) => d.startsWith(y) && !entered.has(d))
      .map((date) => ({ date, kind, source: 'official' as const }))
  const days = [
    ...fromOfficial(official.holidays, 'holiday'),
    ...fromOfficial(official.workdays, 'workday'),
    ...mine.map((o) => ({ date: o.date, kind: o.kind, source: 'admin' as const })),
  ].sort((a, b) => a.date.localeCompare(b.date))
  return {
    year,
    covered: [...official.coveredYears].includes(year) || s.coveredYears.includes(year),
    enteredByAdmin: s.coveredYears.includes(year),
    days,
    status: await calendarStatusFor(ctx.deps, ctx.now),
  }
}
