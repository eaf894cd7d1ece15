import { randomBytes } from 'node:crypto'
import { bookableSlots, bookingProblem, slotsOn, DEFAULT_BOOKING_RULES } from '../domain/appointments'
import { AppError, conflict, forbidden, invalidState, notFound } from '../lib/errors'
import { fields, parse, z } from '../lib/validate'
import { loadCalendar, type Ctx } from '../app/context'

const CANCEL_CUTOFF_MS = 60 * 60_000

const slotsInput = z.object({ stationId: fields.id('服务站') })

/** Open days and slots of a station for the next 14 days, with places left. */
export async function listSlots(payload: unknown, ctx: Ctx) {
  const p = parse(slotsInput, payload)
  const [schedule, calendar] = await Promise.all([
    ctx.deps.appointments.schedule(p.stationId),
    loadCalendar(ctx.deps),
  ])
  if (!schedule) throw notFound('该服务站暂未开放预约，请拨打服务热线')
  const slots = bookableSlots(schedule, ctx.now, calendar)
  const booked = await ctx.deps.appointments.booked(slots.map((s) => s.key))
  return {
    rules: DEFAULT_BOOKING_RULES,
    slots: slots.map((s) => ({
      key: s.key,
      day: s.day,
      start: s.start,
      end: s.end,
      remaining: Math.max(0, s.capacity - (booked.get(s.key) ?? 0)),
    })),
  }
}

const bookInput = z.object({
  stationId: fields.id('服务站'),
  slotKey: z.string().max(80),
  itemId: fields.id('事项').optional(),
})

/** 预约: one place, never above capacity however many book at once; one active booking per slot. */
export async function book(payload: unknown, ctx: Ctx) {
  const p = parse(bookInput, payload)
  if (!ctx.caller.openid) throw new AppError('UNAUTHENTICATED', '请在微信中打开小程序后再试')
  const [schedule, calendar] = await Promise.all([
    ctx.deps.appointments.schedule(p.stationId),
    loadCalendar(ctx.deps),
  ])
  if (!schedule) throw notFound('该服务站暂未开放预约，请拨打服务热线')
  const day = p.slotKey.slice(p.stationId.length + 1, p.stationId.length + 11)
  const slot = /^\d{4}-\d{2}-\d{2}$/.test(day)
    ? slotsOn(schedule, day, calendar).find((s) => s.key === p.slotKey)
    : undefined
  const problem = bookingProblem(slot, ctx.now)
  if (problem || !slot) throw invalidState(problem ?? '该时段不开放预约')
  if (!(await ctx.deps.appointments.take(slot.key, slot.capacity)))
    throw conflict('该时段已约满，请选择其他时段')
  const booking = {
    _id: `bk-${ctx.now.getTime().toString(36)}-${randomBytes(4).toString('hex')}`,
    slotKey: slot.key,
    stationId: p.stationId,
    day: slot.day,
    start: slot.start,
    startsAt: slot.startsAt,
    openid: ctx.caller.openid,
    itemId: p.itemId ?? null,
    status: 'booked' as const,
    activeKey: `${slot.key}:${ctx.caller.openid}`,
    createdAt: ctx.now,
  }
  if (!(await ctx.deps.appointments.insert(booking))) {
    await ctx.deps.appointments.release(slot.key)
    throw conflict('您已预约过这个时段')
  }
  return { id: booking._id, day: slot.day, start: slot.start, end: slot.end }
}

const cancelInput = z.object({ bookingId: fields.id('预约') })

export async function cancelBooking(payload: unknown, ctx: Ctx) {
  const p = parse(cancelInput, payload)
  const b = await ctx.deps.appointments.get(p.bookingId)
  if (!b) throw notFound('未找到该预约')
  if (b.openid !== ctx.caller.openid) throw forbidden('只能取消自己的预约')
  if (b.status !== 'booked') throw invalidState('该预约已取消或已办理')
  if (new Date(b.startsAt).getTime() - ctx.now.getTime() < CANCEL_CUTOFF_MS)
    throw invalidState('开始前 1 小时内不能在线取消，请致电服务站')
  if (await ctx.deps.appointments.cancel(b._id)) await ctx.deps.appointments.release(b.slotKey)
  return { id: b._id, status: 'cancelled' }
}

export async function myBookings(_payload: unknown, ctx: Ctx) {
  if (!ctx.caller.openid) throw new AppError('UNAUTHENTICATED', '请在微信中打开小程序后再试')
  const list = await ctx.deps.appointments.mine(ctx.caller.openid)
  return {
    list: list.map((b) => ({
      id: b._id,
      stationId: b.stationId,
      day: b.day,
      start: b.start,
      status: b.status,
    })),
  }
}
