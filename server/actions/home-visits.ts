/**
 * 上门服务 from the desk: confirm a resident's request at a time inside their windows, schedule
 * one for a case filed with 上门服务 (who may, and when, is the case rules' scheduleVisit), or
 * decline with a reason; the resident is told.
 */
import type { Agent } from '../../typings/domain'
import type { DeskBooking } from '../../typings/api'
import { inVisitWindow, remindersNotNeeded, toHhmm, toMinutes } from '../domain/appointments'
import { DEFAULT_OFFICE_HOURS, shanghaiInstant } from '../domain/calendar'
import { conflict, invalidInput, invalidState } from '../lib/errors'
import { fields, parse, z } from '../lib/validate'
import { loadCalendar, type Ctx } from '../kit/context'
import { enqueue, formatInstant } from '../kit/notify'
import type { Booking } from '../repositories/appointments'
import { authorize } from '../kit/case-kit'
import { deskBooking, requireStaff, stationBooking } from './appointment-desk'

/** Tells the resident when the agent will come (a visit confirmed or scheduled from a case). */
async function visitNotice(ctx: Ctx, b: Booking, startsAt: Date, agent: Agent): Promise<void> {
  await enqueue(ctx.deps, ctx.now, {
    event: 'visitConfirmed',
    key: `${b._id}:visitConfirmed`,
    recipient: b.openid || null,
    caseId: b.caseId ?? '',
    query: `id=${b._id}`,
    vars: {
      what: b.itemName ?? '上门服务',
      startsAt: formatInstant(startsAt),
      agentName: agent.name,
      hint: `${agent.name}将按时上门，请保持电话畅通`,
    },
  })
}

/** End of a visit of `minutes` starting at `start` (HH:MM). */
function visitEnd(start: string, minutes: number): string {
  return toHhmm(toMinutes(start) + minutes)
}

const confirmInput = z.object({
  bookingId: fields.id('预约'),
  day: fields.day,
  start: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, '时间格式应为 HH:MM'),
  minutes: z.coerce
    .number()
    .int()
    .min(15, '上门时长至少 15 分钟')
    .max(240, '上门时长最多 4 小时')
    .default(60),
})

/** Confirms a home visit at a time inside one of the resident's windows; the resident is told. */
export async function confirmVisit(payload: unknown, ctx: Ctx): Promise<DeskBooking> {
  const p = parse(confirmInput, payload)
  const agent = await requireStaff(ctx)
  const b = await stationBooking(ctx, agent, p.bookingId)
  if (b.kind !== 'visit' || b.status !== 'requested') throw invalidState('该上门服务申请已处理')
  if (!inVisitWindow(b.windows ?? [], p.day, p.start))
    throw invalidInput({ start: '请在群众选择的时间段内安排' }, '请在群众选择的时间段内安排上门时间')
  const startsAt = shanghaiInstant(p.day, p.start)
  if (startsAt.getTime() <= ctx.now.getTime()) throw invalidState('上门时间已过，请另选时间')
  const end = visitEnd(p.start, p.minutes)
  const patch = {
    status: 'booked' as const,
    day: p.day,
    start: p.start,
    end,
    startsAt,
    agentId: agent._id,
    // Confirmed today for tomorrow: the confirmation itself is the reminder.
    reminded: remindersNotNeeded(startsAt, p.day, ctx.now),
  }
  if (!(await ctx.deps.appointments.change(b._id, ['requested'], patch, ctx.now)))
    throw conflict('该申请刚刚被其他代理员处理，请刷新')
  await visitNotice(ctx, b, startsAt, agent)
  return deskBooking({ ...b, ...patch }, ctx.now, 0, await ctx.deps.settings.bookingRules())
}

const scheduleInput2 = z.object({
  caseId: fields.id('申请'),
  day: fields.day,
  start: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, '时间格式应为 HH:MM'),
  minutes: confirmInput.shape.minutes,
})

/**
 * 安排上门 for a case filed with 上门服务: the agent picks a time; it becomes a confirmed visit in
 * the day view and in the resident's 我的预约, with the usual reminders. One per case.
 */
export async function scheduleCaseVisit(payload: unknown, ctx: Ctx): Promise<DeskBooking> {
  const p = parse(scheduleInput2, payload)
  const agent = await requireStaff(ctx)
  // Which cases may get a visit, and by whom, is the case rules' decision (scheduleVisit).
  const { c } = await authorize(ctx, p.caseId, 'scheduleVisit', { agent })
  const startsAt = shanghaiInstant(p.day, p.start)
  if (startsAt.getTime() <= ctx.now.getTime()) throw invalidState('上门时间已过，请另选时间')
  if (startsAt.getTime() > ctx.now.getTime() + 60 * 86_400_000)
    throw invalidState('只能安排 60 天以内的上门时间')
  const calendar = await loadCalendar(ctx.deps)
  if (!calendar.isWorkday(p.day)) throw invalidState(`${p.day} 不是工作日，请另选时间`)
  const end = visitEnd(p.start, p.minutes)
  if (p.start < DEFAULT_OFFICE_HOURS.start || end > DEFAULT_OFFICE_HOURS.end)
    throw invalidState(`请安排在办公时间内（${DEFAULT_OFFICE_HOURS.start}-${DEFAULT_OFFICE_HOURS.end}）`)
  const openid = c.applicant.openid ?? ''
  const b: Booking = {
    // Unique per try: a cancelled visit must not block the next one (activeKey keeps one open).
    _id: `bk-case-${c._id}-${ctx.now.getTime().toString(36)}`,
    kind: 'visit',
    scheduleId: null,
    slotKey: null,
    stationId: c.stationId,
    day: p.day,
    start: p.start,
    end,
    startsAt,
    openid,
    name: c.applicant.name,
    phone: c.applicant.phone,
    itemId: c.item.id,
    itemName: c.item.name,
    caseId: c._id,
    status: 'booked',
    activeKey: `visit-case:${c._id}`,
    reason: '申请时选择上门服务',
    windows: [],
    agentId: agent._id,
    // A walk-in without WeChat gets no reminders until they claim the case.
    reminded: openid ? remindersNotNeeded(startsAt, p.day, ctx.now) : ['dayBefore', 'soon'],
    createdAt: ctx.now,
    updatedAt: ctx.now,
  }
  if (!(await ctx.deps.appointments.insert(b)))
    throw conflict('这件申请已安排过上门，可在「今日预约」中查看或致电群众调整')
  if (openid) await visitNotice(ctx, b, startsAt, agent)
  return { ...deskBooking(b, ctx.now, 0, await ctx.deps.settings.bookingRules()), notified: !!openid }
}

const declineInput = z.object({ bookingId: fields.id('预约'), reason: fields.text('原因', 100) })

/** Declines a home visit with a reason the resident reads (e.g. 请由家属代办, 已电话解答). */
export async function declineVisit(payload: unknown, ctx: Ctx): Promise<{ id: string; status: 'declined' }> {
  const p = parse(declineInput, payload)
  const agent = await requireStaff(ctx)
  const b = await stationBooking(ctx, agent, p.bookingId)
  if (b.kind !== 'visit' || b.status !== 'requested') throw invalidState('该上门服务申请已处理')
  if (
    !(await ctx.deps.appointments.change(
      b._id,
      ['requested'],
      { status: 'declined', declineReason: p.reason, agentId: agent._id },
      ctx.now,
    ))
  )
    throw conflict('该申请刚刚被其他代理员处理，请刷新')
  await enqueue(ctx.deps, ctx.now, {
    event: 'visitDeclined',
    key: `${b._id}:visitDeclined`,
    recipient: b.openid,
    caseId: b.caseId ?? '',
    query: `id=${b._id}`,
    vars: {
      what: b.itemName ?? '上门服务',
      now: formatInstant(ctx.now),
      agentName: agent.name,
      hint: p.reason,
    },
  })
  return { id: b._id, status: 'declined' }
}
