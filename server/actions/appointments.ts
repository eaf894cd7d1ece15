/**
 * 预约 for residents: open days and slots (window service and 领导接待日), booking, reschedule,
 * cancel, home-visit requests (上门服务) and "my appointments". Capacity is guarded by an atomic
 * conditional increment per slot; every refusal is a Chinese message and writes nothing.
 */
import { randomBytes } from 'node:crypto'
import type { AppointmentSchedule, BookingRules, Station } from '../../typings/domain'
import type { Actions, BookingView, ScheduleView } from '../../typings/api'
import {
  BOOKING_KIND_LABELS,
  DAY_PARTS,
  QUOTA_REFUSAL,
  SAME_STATION_REFUSALS,
  quotaKeys,
  stationHoldKey,
  bookableSlots,
  bookingProblem,
  bookingStatusLabel,
  changeProblem,
  remindersNotNeeded,
  parseSlotKey,
  recentNoShows,
  slotsOn,
  visitWindowsProblem,
  type Slot,
  type VisitWindow,
} from '../domain/appointments'
import { addDays, shanghaiDay, type WorkCalendar } from '../domain/calendar'
import { WEEKDAY_LABELS, isoWeekday } from '../domain/network'
import { conflict, forbidden, invalidInput, invalidState, notFound } from '../lib/errors'
import { fields, parse, z } from '../lib/validate'
import { maskPhone } from '../lib/mask'
import { loadCalendar, requireOpenid, type Ctx } from '../kit/context'
import { enqueue, formatInstant } from '../kit/notify'
import type { Booking } from '../repositories/appointments'
import { checkText } from '../kit/text-check'
import { pageFields } from './page-input'

const NOT_OPEN = '该服务站暂未开放预约，请拨打服务热线'
const CLOSED = '该服务站已停止服务，请选择其他服务站'

/** "12月2日 周三" for a day. */
export function dayLabel(day: string): string {
  return `${Number(day.slice(5, 7))}月${Number(day.slice(8, 10))}日 ${WEEKDAY_LABELS[isoWeekday(day)]}`
}

export function bookingView(b: Booking, station: Station | null, rules: BookingRules, ctx: Ctx): BookingView {
  const problem = changeProblem(
    { status: b.status, startsAt: b.startsAt ? new Date(b.startsAt) : null },
    ctx.now,
    rules,
  )
  return {
    id: b._id,
    kind: b.kind,
    kindLabel: BOOKING_KIND_LABELS[b.kind],
    status: b.status,
    statusLabel: bookingStatusLabel(b.kind, b.status),
    station: {
      id: b.stationId,
      name: station?.name ?? '',
      address: station?.address ?? '',
      location: station?.location ?? null,
      hotline: station?.hotline ?? '',
    },
    day: b.day,
    start: b.start,
    end: b.end,
    whenText:
      b.day && b.start ? `${dayLabel(b.day)} ${b.start}${b.end ? `-${b.end}` : ''}` : '待代理员确认时间',
    itemName: b.itemName,
    caseId: b.caseId,
    windowsText: b.windows?.map((w) => `${dayLabel(w.day)}${DAY_PARTS[w.part].label}`).join('、') ?? null,
    address: b.address ?? null,
    maskedPhone: maskPhone(b.phone),
    declineReason: b.declineReason ?? null,
    cancelReason: b.cancelReason ?? null,
    canChange: problem === null,
    changeHint: ['requested', 'booked'].includes(b.status) ? problem : null,
    canReschedule: problem === null && b.kind !== 'visit',
  }
}

const slotsInput = z.object({ stationId: fields.id('服务站') })

/** Open days and slots of a station's schedules up to the horizon, with places left. */
export async function listSlots(payload: unknown, ctx: Ctx): Promise<Actions['appointments.slots']['out']> {
  const p = parse(slotsInput, payload)
  const [station, schedules, calendar, rules] = await Promise.all([
    ctx.deps.network.station(p.stationId),
    ctx.deps.appointments.schedules(p.stationId),
    loadCalendar(ctx.deps),
    ctx.deps.settings.bookingRules(),
  ])
  if (!station) throw notFound('未找到该服务站')
  if (!station.active) throw invalidState(CLOSED)
  const today = shanghaiDay(ctx.now)
  // Days a home visit can be asked for: working days from tomorrow to the horizon.
  const visitDays: { day: string; label: string }[] = []
  for (let i = 1; i <= rules.horizonDays; i++) {
    const day = addDays(today, i)
    if (calendar.isWorkday(day)) visitDays.push({ day, label: dayLabel(day) })
  }
  const perSchedule = schedules
    .sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'service' ? -1 : 1))
    .map((s) => ({ s, slots: bookableSlots(s, ctx.now, calendar, rules) }))
  const booked = await ctx.deps.appointments.booked(perSchedule.flatMap((x) => x.slots.map((s) => s.key)))
  const hosts = await Promise.all(
    perSchedule.map(({ s }) => (s.hostAgentId ? ctx.deps.network.agent(s.hostAgentId) : null)),
  )
  return {
    today,
    visitDays,
    rules,
    schedules: perSchedule.map(({ s, slots }, i) => {
      const days = new Map<string, ScheduleView['days'][number]>()
      for (const slot of slots) {
        const d = days.get(slot.day) ?? { day: slot.day, label: dayLabel(slot.day), remaining: 0, slots: [] }
        const remaining = Math.max(0, slot.capacity - (booked.get(slot.key) ?? 0))
        d.slots.push({ key: slot.key, start: slot.start, end: slot.end, capacity: slot.capacity, remaining })
        d.remaining += remaining
        days.set(slot.day, d)
      }
      const host = hosts[i]
      return {
        id: s._id,
        kind: s.kind,
        title:
          s.kind === 'leader' ? `领导接待日${s.topic ? `·${s.topic}` : ''}` : BOOKING_KIND_LABELS.service,
        host: host ? { name: host.name, title: host.title ?? '' } : null,
        days: [...days.values()],
      }
    }),
  }
}

/** The slot a key names, checked against the schedule and the calendar (not the client). */
async function resolveSlot(
  ctx: Ctx,
  key: string,
  calendar: WorkCalendar,
): Promise<{ slot?: Slot; schedule: AppointmentSchedule }> {
  const parts = parseSlotKey(key)
  if (!parts) throw invalidInput({ slotKey: '预约时段不存在，请重新选择' }, '预约时段不存在，请重新选择')
  const schedule = await ctx.deps.appointments.schedule(parts.scheduleId)
  if (!schedule) throw notFound(NOT_OPEN)
  return { schedule, slot: slotsOn(schedule, parts.day, calendar).find((s) => s.key === key) }
}

const contact = {
  name: fields.text('联系人姓名', 20),
  phone: fields.phone,
}

const bookInput = z.object({
  slotKey: z.string({ error: '请选择预约时段' }).min(1, '请选择预约时段').max(100, '预约时段格式不正确'),
  itemId: fields.id('事项').optional(),
  caseId: fields.id('申请').optional(),
  ...contact,
})

/** Item and case a booking is for; a case must be the caller's own. */
async function subjectOf(ctx: Ctx, openid: string, itemId?: string, caseId?: string) {
  let itemName: string | null = null
  if (caseId) {
    const c = await ctx.deps.cases.get(caseId)
    if (!c) throw notFound('未找到该申请')
    if (c.applicant.openid !== openid) throw forbidden('只能为自己的申请预约')
    itemName = c.item.name
    itemId = itemId ?? c.item.id
  } else if (itemId) {
    const item = await ctx.deps.network.item(itemId)
    if (!item) throw notFound('未找到该事项')
    itemName = item.name
  }
  return { itemId: itemId ?? null, itemName, caseId: caseId ?? null }
}

function newBooking(ctx: Ctx, b: Omit<Booking, '_id' | 'createdAt' | 'updatedAt'>): Booking {
  return {
    _id: `bk-${ctx.now.getTime().toString(36)}-${randomBytes(4).toString('hex')}`,
    ...b,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  }
}

function slotBooking(
  ctx: Ctx,
  openid: string,
  slot: Slot,
  rest: Pick<Booking, 'name' | 'phone' | 'itemId' | 'itemName' | 'caseId'>,
  hostAgentId: string | null,
): Booking {
  return newBooking(ctx, {
    kind: slot.kind,
    scheduleId: slot.scheduleId,
    slotKey: slot.key,
    stationId: slot.stationId,
    day: slot.day,
    start: slot.start,
    end: slot.end,
    startsAt: slot.startsAt,
    openid,
    ...rest,
    status: 'booked',
    activeKey: stationHoldKey(slot.kind, slot.stationId, openid),
    agentId: hostAgentId,
    reminded: remindersNotNeeded(slot.startsAt, slot.day, ctx.now),
  })
}

/**
 * Writes a resident's new booking inside the cap: one active booking per station and kind, and
 * ACTIVE_BOOKINGS_PER_RESIDENT in all. Both are unique keys on the booking itself, so requests
 * racing each other cannot all pass a check made before any of them was saved.
 */
async function insertWithinCap(ctx: Ctx, booking: Booking, seen?: Booking[]): Promise<void> {
  const keys = quotaKeys(booking.openid)
  const held = seen ?? (await ctx.deps.appointments.holds(booking.openid, keys, ctx.now))
  if (held.some((b) => b.activeKey === booking.activeKey)) throw conflict(SAME_STATION_REFUSALS[booking.kind])
  for (const quotaKey of keys.filter((k) => !held.some((b) => b.quotaKey === k))) {
    const res = await ctx.deps.appointments.insertHolding({ ...booking, quotaKey })
    if (res === 'ok') {
      booking.quotaKey = quotaKey
      return
    }
    if (res === 'held') throw conflict(SAME_STATION_REFUSALS[booking.kind])
    if (res === 'exists') throw conflict('该预约已提交')
    // 'quota': another of the resident's requests took this place just now; try the next.
  }
  throw invalidState(QUOTA_REFUSAL)
}

/**
 * Takes a place and writes the booking; gives the place back on any refusal (already booked
 * here, over the cap). Throws the Chinese refusal; on any refusal nothing stays written.
 */
async function placeBooking(ctx: Ctx, slot: Slot, booking: Booking): Promise<void> {
  // The refusals the resident's own bookings decide come before a place is taken, so a refused
  // booking writes nothing at all (the same read, moved ahead); a race past them is still caught
  // by the unique keys below, and the place given back.
  const keys = quotaKeys(booking.openid)
  const held = await ctx.deps.appointments.holds(booking.openid, keys, ctx.now)
  if (held.some((b) => b.activeKey === booking.activeKey)) throw conflict(SAME_STATION_REFUSALS[booking.kind])
  if (keys.every((k) => held.some((b) => b.quotaKey === k))) throw invalidState(QUOTA_REFUSAL)
  if (!(await ctx.deps.appointments.take(slot.key, slot.capacity)))
    throw conflict('该时段已约满，请选择其他时段')
  try {
    await insertWithinCap(ctx, booking, held)
  } catch (err) {
    await ctx.deps.appointments.release(slot.key)
    throw err
  }
}

/** 预约: one place, never above capacity however many book at once; one active booking per slot. */
export async function book(payload: unknown, ctx: Ctx): Promise<BookingView> {
  const p = parse(bookInput, payload)
  const openid = requireOpenid(ctx)
  await checkText(ctx, p.name, 'name')
  const [calendar, rules] = await Promise.all([loadCalendar(ctx.deps), ctx.deps.settings.bookingRules()])
  const { slot, schedule } = await resolveSlot(ctx, p.slotKey, calendar)
  const problem = bookingProblem(slot, ctx.now, rules)
  if (problem || !slot) throw invalidState(problem ?? NOT_OPEN)
  const station = await ctx.deps.network.station(slot.stationId)
  if (!station?.active) throw invalidState(CLOSED)
  const subject = await subjectOf(ctx, openid, p.itemId, p.caseId)
  const booking = slotBooking(
    ctx,
    openid,
    slot,
    { name: p.name, phone: p.phone, ...subject },
    schedule.hostAgentId ?? null,
  )
  await placeBooking(ctx, slot, booking)
  return bookingView(booking, station, rules, ctx)
}

async function ownBooking(ctx: Ctx, bookingId: string): Promise<Booking> {
  const openid = requireOpenid(ctx)
  const b = await ctx.deps.appointments.get(bookingId)
  if (!b) throw notFound('未找到该预约')
  if (b.openid !== openid) throw forbidden('只能更改自己的预约')
  return b
}

const rescheduleInput = z.object({
  bookingId: fields.id('预约'),
  slotKey: bookInput.shape.slotKey,
})

/**
 * 改期: the new place is taken first, then the old booking is closed only if it is still
 * active; if anything fails the new place and booking are given back, so the resident keeps
 * exactly one of the two.
 */
export async function reschedule(payload: unknown, ctx: Ctx): Promise<BookingView> {
  const p = parse(rescheduleInput, payload)
  const old = await ownBooking(ctx, p.bookingId)
  if (old.kind === 'visit') throw invalidState('上门服务请取消后重新申请，或致电服务站调整时间')
  const [calendar, rules] = await Promise.all([loadCalendar(ctx.deps), ctx.deps.settings.bookingRules()])
  const oldProblem = changeProblem(
    { status: old.status, startsAt: old.startsAt ? new Date(old.startsAt) : null },
    ctx.now,
    rules,
  )
  if (oldProblem) throw invalidState(oldProblem)
  if (p.slotKey === old.slotKey) throw invalidState('新时段与原预约相同')
  const { slot, schedule } = await resolveSlot(ctx, p.slotKey, calendar)
  if (schedule.stationId !== old.stationId || schedule.kind !== old.kind)
    throw invalidState(
      old.kind === 'leader'
        ? '只能改到本站领导接待日的其他时段'
        : '只能改到同一服务站的其他时段，换服务站请取消后重新预约',
    )
  const problem = bookingProblem(slot, ctx.now, rules)
  if (problem || !slot) throw invalidState(problem ?? NOT_OPEN)
  const next = slotBooking(
    ctx,
    old.openid,
    slot,
    { name: old.name, phone: old.phone, itemId: old.itemId, itemName: old.itemName, caseId: old.caseId },
    schedule.hostAgentId ?? null,
  )
  next.rescheduledFrom = old._id
  if (!(await ctx.deps.appointments.take(slot.key, slot.capacity)))
    throw conflict('该时段已约满，请选择其他时段')
  // The old booking closes and the new one is written together, handing over the station and
  // cap keys, so the resident holds exactly one of the two and never two places in the cap.
  let moved: boolean
  try {
    moved = await ctx.deps.appointments.moveTo(old._id, next, ctx.now)
  } catch (err) {
    await ctx.deps.appointments.release(slot.key)
    throw err
  }
  if (!moved) {
    await ctx.deps.appointments.release(slot.key)
    throw conflict('原预约刚刚发生了变化，请刷新后重试')
  }
  if (old.slotKey) await ctx.deps.appointments.release(old.slotKey)
  return bookingView(next, await ctx.deps.network.station(next.stationId), rules, ctx)
}

const cancelInput = z.object({ bookingId: fields.id('预约') })

export async function cancelBooking(payload: unknown, ctx: Ctx): Promise<BookingView> {
  const p = parse(cancelInput, payload)
  const b = await ownBooking(ctx, p.bookingId)
  const rules = await ctx.deps.settings.bookingRules()
  const problem = changeProblem(
    { status: b.status, startsAt: b.startsAt ? new Date(b.startsAt) : null },
    ctx.now,
    rules,
  )
  if (problem) throw invalidState(problem)
  if (!(await ctx.deps.appointments.change(b._id, ['requested', 'booked'], { status: 'cancelled' }, ctx.now)))
    throw conflict('该预约刚刚发生了变化，请刷新后重试')
  if (b.slotKey && b.status === 'booked') await ctx.deps.appointments.release(b.slotKey)
  return bookingView({ ...b, status: 'cancelled' }, await ctx.deps.network.station(b.stationId), rules, ctx)
}

const mineInput = z.object({ ...pageFields })

/** 我的预约, newest first, a page at a time, with what can be done and a note on repeated no-shows. */
export async function myBookings(payload: unknown, ctx: Ctx): Promise<Actions['appointments.mine']['out']> {
  const openid = requireOpenid(ctx)
  const p = parse(mineInput, payload ?? {})
  const [page, rules, noShows] = await Promise.all([
    ctx.deps.appointments.mine(openid, p.cursor ?? null, p.pageSize ?? 20),
    ctx.deps.settings.bookingRules(),
    ctx.deps.appointments.noShowDays([openid]),
  ])
  const stations = new Map<string, Station | null>()
  for (const id of new Set(page.list.map((b) => b.stationId)))
    stations.set(id, await ctx.deps.network.station(id))
  const missed = recentNoShows(noShows.get(openid) ?? [], ctx.now, rules)
  return {
    total: page.total,
    nextCursor: page.nextCursor,
    list: page.list.map((b) => bookingView(b, stations.get(b.stationId) ?? null, rules, ctx)),
    notice:
      missed >= rules.noShowLimit
        ? `您近 ${rules.noShowWindowDays} 天有 ${missed} 次预约未到场。如不能前往，请提前取消，把名额留给其他群众。`
        : null,
  }
}

const visitInput = z.object({
  stationId: fields.id('服务站'),
  itemId: fields.id('事项').optional(),
  caseId: fields.id('申请').optional(),
  ...contact,
  address: fields.text('上门地址', 100),
  reason: z.enum(['elderly', 'disabled', 'ill', 'other'], { error: '请选择需要上门的原因' }),
  windows: z
    .array(z.object({ day: fields.day, part: z.enum(['am', 'pm'], { error: '请选择上午或下午' }) }), {
      error: '请选择方便的时间',
    })
    .max(3, '最多选择 3 个方便的时间'),
  note: z.string().trim().max(200, '补充说明不能超过 200 个字').default(''),
})

export const VISIT_REASON_LABELS = {
  elderly: '年老行动不便',
  disabled: '残疾人',
  ill: '患病卧床',
  other: '其他原因',
} as const

/**
 * 上门服务 request: the resident gives up to three preferred half days; the station head is
 * told, and an agent confirms a time inside one of them (or declines with a reason).
 */
export async function requestVisit(payload: unknown, ctx: Ctx): Promise<BookingView> {
  const p = parse(visitInput, payload)
  const openid = requireOpenid(ctx)
  const [calendar, rules, station] = await Promise.all([
    loadCalendar(ctx.deps),
    ctx.deps.settings.bookingRules(),
    ctx.deps.network.station(p.stationId),
  ])
  if (!station || !station.active) throw notFound('未找到该服务站')
  const windows: VisitWindow[] = [...p.windows].sort((a, b) => (a.day + a.part).localeCompare(b.day + b.part))
  const problem = visitWindowsProblem(windows, ctx.now, calendar, rules)
  if (problem) throw invalidInput({ windows: problem }, problem)
  for (const [field, text] of [
    ['name', p.name],
    ['address', p.address],
    ['note', p.note],
  ] as const)
    await checkText(ctx, text, field)
  const subject = await subjectOf(ctx, openid, p.itemId, p.caseId)
  // Looked up before writing, so a failure here leaves nothing behind.
  const head = station.headAgentId ? await ctx.deps.network.agent(station.headAgentId) : null
  const booking = newBooking(ctx, {
    kind: 'visit',
    scheduleId: null,
    slotKey: null,
    stationId: station._id,
    day: null,
    start: null,
    end: null,
    startsAt: null,
    openid,
    name: p.name,
    phone: p.phone,
    ...subject,
    status: 'requested',
    address: p.address,
    reason: VISIT_REASON_LABELS[p.reason],
    windows,
    note: p.note,
    agentId: null,
    // One open home visit per resident and station (unique while requested or booked), so a
    // double tap or two phones at once cannot queue it twice; it counts in the resident's cap.
    activeKey: stationHoldKey('visit', station._id, openid),
    reminded: [],
  })
  await insertWithinCap(ctx, booking)
  const view = bookingView(booking, station, rules, ctx)
  await enqueue(ctx.deps, ctx.now, {
    event: 'visitRequested',
    key: `${booking._id}:visitRequested`,
    recipient: head?.openid ?? null,
    caseId: booking.caseId ?? '',
    query: `day=${windows[0]!.day}`,
    vars: {
      residentName: p.name,
      what: subject.itemName ?? '上门服务',
      windows: view.windowsText ?? '',
      now: formatInstant(ctx.now),
    },
  })
  return view
}
