import { computeDue, parseDay, shanghaiDay, shanghaiInstant } from '../domain/calendar'
import { workingDaysOverdue } from '../domain/case-states'
import { invalidInput, notFound } from '../lib/errors'
import { fields, parse, z } from '../lib/validate'
import { loadCalendar, requireRole, type Ctx } from '../app/context'
import { actorOf } from './cases'

/** 督查: overdue cases by station with working days overdue, worst first. */
export async function overdueList(_payload: unknown, ctx: Ctx) {
  await requireRole(ctx, ['supervisor', 'admin'])
  const [calendar, cases, stations] = await Promise.all([
    loadCalendar(ctx.deps),
    ctx.deps.cases.dueBefore(['accepted', 'escalated'], ctx.now, 1000),
    ctx.deps.network.stations(),
  ])
  const names = new Map(stations.map((s) => [s._id, s.name]))
  const rows = cases
    .filter((c) => c.dueAt && new Date(c.dueAt).getTime() < ctx.now.getTime())
    .map((c) => ({
      caseId: c._id,
      caseNo: c.caseNo,
      version: c.version,
      itemName: c.item.name,
      stationId: c.stationId,
      stationName: names.get(c.stationId) ?? c.stationId,
      dueDay: c.dueDay,
      workingDaysOverdue: workingDaysOverdue(ctx.now, new Date(c.dueAt!), calendar),
    }))
    .sort((a, b) => b.workingDaysOverdue - a.workingDaysOverdue)
  const byStation = new Map<
    string,
    { stationId: string; stationName: string; count: number; maxDays: number }
  >()
  for (const r of rows) {
    const s = byStation.get(r.stationId) ?? {
      stationId: r.stationId,
      stationName: r.stationName,
      count: 0,
      maxDays: 0,
    }
    s.count += 1
    s.maxDays = Math.max(s.maxDays, r.workingDaysOverdue)
    byStation.set(r.stationId, s)
  }
  return {
    today: shanghaiDay(ctx.now),
    total: rows.length,
    stations: [...byStation.values()].sort((a, b) => b.count - a.count),
    cases: rows.slice(0, 100),
  }
}

const urgeInput = z.object({
  caseId: fields.id('申请'),
  version: z.number().int().min(1),
  note: fields.text('督办意见', 200),
  /** An approved new due date (YYYY-MM-DD), when the supervisor grants one. */
  newDueDay: fields.day.optional(),
})

/** 督办: the supervisor's instruction on the timeline, optionally with an approved new due date. */
export async function urge(payload: unknown, ctx: Ctx) {
  const supervisor = await requireRole(ctx, ['supervisor'])
  const p = parse(urgeInput, payload)
  const c = await ctx.deps.cases.get(p.caseId)
  if (!c) throw notFound('未找到该申请')
  if (!['accepted', 'escalated', 'awaiting_supplement'].includes(c.state))
    throw invalidInput({ caseId: '只能督办正在办理的申请' })
  let newDue: Date | null = null
  if (p.newDueDay) {
    parseDay(p.newDueDay)
    if (p.newDueDay <= shanghaiDay(ctx.now)) throw invalidInput({ newDueDay: '新的办结日期应晚于今天' })
    const calendar = await loadCalendar(ctx.deps)
    // Due at the end of office hours of that day, or of the next working day if it is a rest day.
    newDue = calendar.isWorkday(p.newDueDay)
      ? shanghaiInstant(p.newDueDay, '17:30')
      : computeDue(shanghaiInstant(p.newDueDay, '09:00'), 0, calendar).dueAt
  }
  const updated = await ctx.deps.cases.transition(c._id, p.version, (cur) => ({
    patch: newDue ? { dueAt: newDue, dueDay: shanghaiDay(newDue), residentDueAt: newDue } : {},
    event: {
      at: ctx.now,
      actor: actorOf(ctx, supervisor),
      action: 'supervise',
      from: cur.state,
      to: cur.state,
      note: newDue ? `${p.note}（批准延至 ${shanghaiDay(newDue)}）` : p.note,
    },
  }))
  return { caseId: updated._id, version: updated.version, dueDay: updated.dueDay }
}
