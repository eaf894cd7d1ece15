/**
 * The agent's side of 预约 (the day view in the workbench: arrivals, no-shows, home-visit
 * confirmations, contact details with an access log) and the admin's schedules and rules.
 * Station and role always come from the roster, never from the client.
 */
import type { Agent } from '../../typings/domain'
import type { DeskBooking, DeskDay, ScheduleEditorView, VisitRequestView } from '../../typings/api'
import {
  BOOKING_KIND_LABELS,
  DAY_PARTS,
  bookingStatusLabel,
  inVisitWindow,
  markProblem,
  orphanedBookings,
  recentNoShows,
  remindersNotNeeded,
  scheduleProblem,
  toHhmm,
  toMinutes,
  type AppointmentSchedule,
  type BookingRules,
} from '../domain/appointments'
import { DEFAULT_OFFICE_HOURS, addDays, shanghaiDay, shanghaiInstant } from '../domain/calendar'
import { conflict, forbidden, invalidInput, invalidState, notFound } from '../lib/errors'
import { fields, parse, z } from '../lib/validate'
import { maskAddress, maskPhone } from '../lib/mask'
import { currentAgent, loadCalendar, requireRole, type Ctx } from '../kit/context'
import { enqueue, formatInstant } from '../kit/notify'
import type { Booking } from '../repositories/appointments'
import { authorize } from '../kit/case-kit'
import { dayLabel } from './appointments'
import { pageFields } from './page-input'

async function requireStaff(ctx: Ctx): Promise<Agent> {
  const agent = await currentAgent(ctx)
  if (!agent || (agent.role !== 'agent' && agent.role !== 'head')) throw forbidden('工作台仅对代理员开放')
  return agent
}

async function stationBooking(ctx: Ctx, agent: Agent, bookingId: string): Promise<Booking> {
  const b = await ctx.deps.appointments.get(bookingId)
  if (!b) throw notFound('未找到该预约')
  if (b.stationId !== agent.stationId) throw forbidden('只能处理本站的预约')
  return b
}

/** One appointment as the day view shows it; `missed` = the resident's recent no-shows. */
function deskBooking(b: Booking, now: Date, missed: number, rules: BookingRules): DeskBooking {
  const startsAt = b.startsAt ? new Date(b.startsAt) : null
  return {
    id: b._id,
    kind: b.kind,
    kindLabel: BOOKING_KIND_LABELS[b.kind],
    start: b.start ?? '',
    end: b.end ?? '',
    name: b.name,
    maskedPhone: maskPhone(b.phone),
    itemName: b.itemName,
    caseId: b.caseId,
    address: b.address ? maskAddress(b.address) : null,
    status: b.status,
    statusLabel: bookingStatusLabel(b.kind, b.status),
    noShows: missed,
    noShowNote: missed >= rules.noShowLimit ? `近 ${rules.noShowWindowDays} 天未到 ${missed} 次` : null,
    canArrive: markProblem({ status: b.status, startsAt, day: b.day }, 'arrived', now) === null,
    canNoShow: markProblem({ status: b.status, startsAt, day: b.day }, 'no_show', now) === null,
  }
}

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

const dayInput = z.object({
  day: fields.day.optional(),
  /** Where the day's list continues; `visitCursor` the same for the home-visit requests. */
  cursor: pageFields.cursor,
  visitCursor: pageFields.cursor,
  /** Load more of one part only (the other part comes back empty). */
  only: z.enum(['list', 'visits']).optional(),
  pageSize: pageFields.pageSize,
})

const NO_PAGE = { list: [] as Booking[], total: 0, nextCursor: null }

/**
 * The station's appointments of a day (default today) and the home visits awaiting a time, each
 * a page at a time with its total; the day's counts cover every appointment of the day.
 */
export async function deskDay(payload: unknown, ctx: Ctx): Promise<DeskDay> {
  const p = parse(dayInput, payload ?? {})
  const agent = await requireStaff(ctx)
  const today = shanghaiDay(ctx.now)
  const day = p.day ?? today
  const size = p.pageSize ?? 50
  const [page, requestPage, counts, rules] = await Promise.all([
    p.only === 'visits' ? NO_PAGE : ctx.deps.appointments.ofDay(agent.stationId, day, p.cursor ?? null, size),
    p.only === 'list'
      ? NO_PAGE
      : ctx.deps.appointments.visitRequests(agent.stationId, p.visitCursor ?? null, size),
    ctx.deps.appointments.dayCounts(agent.stationId, day),
    ctx.deps.settings.bookingRules(),
  ])
  const list = page.list
  const requests = requestPage.list
  const noShows = await ctx.deps.appointments.noShowDays([...list, ...requests].map((b) => b.openid))
  const missedOf = (openid: string) => recentNoShows(noShows.get(openid) ?? [], ctx.now, rules)
  const view = (b: Booking): DeskBooking => deskBooking(b, ctx.now, missedOf(b.openid), rules)
  const requestView = (b: Booking): VisitRequestView => ({
    ...view(b),
    reason: b.reason ?? '',
    note: b.note ?? '',
    windows: (b.windows ?? []).map((w) => ({
      day: w.day,
      part: w.part,
      label: `${dayLabel(w.day)}${DAY_PARTS[w.part].label}`,
      start: DAY_PARTS[w.part].start,
      end: DAY_PARTS[w.part].end,
      // The picker's end is inclusive; a visit must start before the half day ends.
      lastStart: DAY_PARTS[w.part].lastStart,
    })),
  })
  return {
    day,
    label: dayLabel(day),
    isToday: day === today,
    prevDay: addDays(day, -1),
    nextDay: addDays(day, 1),
    list: list.map(view),
    nextCursor: page.nextCursor,
    counts: {
      total: (counts.arrived ?? 0) + (counts.no_show ?? 0) + (counts.booked ?? 0),
      arrived: counts.arrived ?? 0,
      noShow: counts.no_show ?? 0,
      waiting: counts.booked ?? 0,
    },
    visitRequests: requests.map(requestView),
    visitRequestsTotal: requestPage.total,
    visitNextCursor: requestPage.nextCursor,
    canEditSchedule: agent.role === 'head',
  }
}

const markInput = z.object({
  bookingId: fields.id('预约'),
  outcome: z.enum(['arrived', 'no_show'], { error: '请选择已到场或未到场' }),
})

/** 登记到场 / 未到场; a no-show is noted against the resident (a corrected mark removes it). */
export async function markOutcome(
  payload: unknown,
  ctx: Ctx,
): Promise<{ id: string; status: string; statusLabel: string }> {
  const p = parse(markInput, payload)
  const agent = await requireStaff(ctx)
  const b = await stationBooking(ctx, agent, p.bookingId)
  const problem = markProblem(
    { status: b.status, startsAt: b.startsAt ? new Date(b.startsAt) : null, day: b.day },
    p.outcome,
    ctx.now,
  )
  if (problem) throw invalidState(problem)
  if (b.status === p.outcome)
    return { id: b._id, status: b.status, statusLabel: bookingStatusLabel(b.kind, b.status) }
  const ok = await ctx.deps.appointments.change(
    b._id,
    [b.status],
    { status: p.outcome, markedBy: agent._id, markedAt: ctx.now },
    ctx.now,
  )
  if (!ok) throw conflict('该预约刚刚发生了变化，请刷新后重试')
  // A walk-in's visit (no WeChat user) has nobody to note a no-show against.
  if (b.openid && p.outcome === 'no_show') await ctx.deps.appointments.noteNoShow(b.openid, b._id, b.day!)
  else if (b.openid && b.status === 'no_show') await ctx.deps.appointments.clearNoShow(b.openid, b._id)
  return { id: b._id, status: p.outcome, statusLabel: bookingStatusLabel(b.kind, p.outcome) }
}

const contactInput = z.object({ bookingId: fields.id('预约') })

/** The full phone (and address) to call or visit a resident; every read is logged. */
export async function deskContact(
  payload: unknown,
  ctx: Ctx,
): Promise<{ phone: string; address: string | null }> {
  const p = parse(contactInput, payload)
  const agent = await requireStaff(ctx)
  const b = await stationBooking(ctx, agent, p.bookingId)
  await ctx.deps.accessLog.log({
    at: ctx.now,
    agentId: agent._id,
    openid: b.openid,
    what: `booking:${b._id}:${b.address ? 'phone,address' : 'phone'}`,
  })
  return { phone: b.phone, address: b.address ?? null }
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

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, '时间格式应为 HH:MM')
const period = z.object({
  weekdays: z.array(z.number().int().min(1).max(7), { error: '请选择星期' }).min(1, '请至少选择一天'),
  start: hhmm,
  end: hhmm,
  slotMinutes: z.number().int().min(10, '每个时段至少 10 分钟').max(240, '每个时段最多 4 小时'),
  capacity: z.number().int().min(1, '每个时段至少 1 人').max(100, '每个时段最多 100 人'),
})
const scheduleInput = z.object({
  stationId: fields.id('服务站'),
  kind: z.enum(['service', 'leader'], { error: '请选择窗口预约或领导接待日' }),
  hostAgentId: fields.id('接待领导').optional(),
  topic: z.string().trim().max(20, '接待主题不能超过 20 个字').optional(),
  periods: z.array(period).max(20, '时段过多'),
  exceptions: z
    .array(
      z.object({
        date: fields.day,
        closed: z.boolean().optional(),
        periods: z
          .array(period.omit({ weekdays: true }).extend({ weekdays: z.array(z.number()).default([]) }))
          .optional(),
      }),
    )
    .max(100, '例外日期过多')
    .default([]),
  /** Set after the manager has seen how many booked appointments the change cancels. */
  confirmAffected: z.boolean().default(false),
})

async function scheduleManager(ctx: Ctx, stationId: string): Promise<Agent> {
  const me = await requireRole(ctx, ['admin', 'head'])
  if (me.role === 'head' && me.stationId !== stationId) throw forbidden('站长只能设置本站的预约时段')
  return me
}

const getSchedulesInput = z.object({ stationId: fields.id('服务站').optional() })

/** A station's schedules for the editor (heads: their own station), with who may host 接待日. */
export async function getSchedules(payload: unknown, ctx: Ctx): Promise<ScheduleEditorView> {
  const p = parse(getSchedulesInput, payload)
  const me = await requireRole(ctx, ['admin', 'head'])
  const stationId = p.stationId ?? me.stationId
  await scheduleManager(ctx, stationId)
  const [station, schedules, agents] = await Promise.all([
    ctx.deps.network.station(stationId),
    ctx.deps.appointments.schedules(stationId),
    ctx.deps.network.agentsOfStation(stationId),
  ])
  if (!station) throw notFound('未找到该服务站')
  return {
    stationId,
    stationName: station.name,
    service: schedules.find((s) => s.kind === 'service') ?? null,
    leader: schedules.find((s) => s.kind === 'leader') ?? null,
    hosts: agents.map((a) => ({ id: a._id, name: a.name, title: a.title ?? '' })),
  }
}

/**
 * Saves a station's window schedule or 领导接待日: admins anywhere, heads for their own station.
 * Booked appointments the new hours no longer offer are listed first (CONFLICT); once the
 * manager confirms, they are cancelled, their places freed and the residents told.
 */
export async function saveSchedule(
  payload: unknown,
  ctx: Ctx,
): Promise<{ schedule: AppointmentSchedule; cancelled: number }> {
  const p = parse(scheduleInput, payload)
  await scheduleManager(ctx, p.stationId)
  const station = await ctx.deps.network.station(p.stationId)
  if (!station) throw notFound('未找到该服务站')
  const problem =
    scheduleProblem(p.periods) ??
    p.exceptions
      .map((e) => (e.periods ? scheduleProblem(e.periods.map((x) => ({ ...x, weekdays: [1] }))) : null))
      .find(Boolean) ??
    null
  if (problem) throw invalidInput({ periods: problem }, problem)
  if (p.kind === 'leader') {
    if (!p.hostAgentId) throw invalidInput({ hostAgentId: '请选择接待领导' })
    const host = await ctx.deps.network.agent(p.hostAgentId)
    if (!host || host.stationId !== p.stationId)
      throw invalidInput({ hostAgentId: '接待领导应为本站花名册中的人员' })
  }
  const schedule: AppointmentSchedule = {
    _id: p.kind === 'leader' ? `${p.stationId}-leader` : p.stationId,
    stationId: p.stationId,
    kind: p.kind,
    hostAgentId: p.kind === 'leader' ? (p.hostAgentId ?? null) : null,
    topic: p.kind === 'leader' ? (p.topic ?? '群众来访接待') : null,
    periods: p.periods,
    exceptions: p.exceptions,
  }
  const [calendar, booked] = await Promise.all([
    loadCalendar(ctx.deps),
    ctx.deps.appointments.bookedFrom(p.stationId, shanghaiDay(ctx.now)),
  ])
  const orphans = orphanedBookings(schedule, booked, calendar).filter(
    (b) => b.startsAt && new Date(b.startsAt).getTime() > ctx.now.getTime(),
  )
  if (orphans.length && !p.confirmAffected) {
    const first = orphans[0]!
    throw conflict(
      `调整后有 ${orphans.length} 个已预约的时段不再开放（最早 ${dayLabel(first.day!)} ${first.start}），确认后将取消这些预约并通知群众`,
    )
  }
  await ctx.deps.appointments.saveSchedule(schedule)
  let cancelled = 0
  for (const b of orphans) {
    const reason = '服务站调整了开放时间，请重新预约'
    if (
      !(await ctx.deps.appointments.change(
        b._id,
        ['booked'],
        { status: 'cancelled', cancelReason: reason },
        ctx.now,
      ))
    )
      continue
    if (b.slotKey) await ctx.deps.appointments.release(b.slotKey)
    cancelled += 1
    await enqueue(ctx.deps, ctx.now, {
      event: 'appointmentCancelled',
      key: `${b._id}:appointmentCancelled`,
      recipient: b.openid,
      caseId: b.caseId ?? '',
      query: `id=${b._id}`,
      vars: { stationName: station.name, startsAt: formatInstant(new Date(b.startsAt!)), hint: reason },
    })
  }
  return { schedule, cancelled }
}

const rulesInput = z.object({
  horizonDays: z.number().int().min(1, '至少可预约 1 天').max(60, '最多可预约 60 天'),
  minNoticeMinutes: z.number().int().min(0).max(2880, '最少提前时间不能超过 2 天'),
  cancelCutoffMinutes: z.number().int().min(0).max(1440, '取消截止不能超过 1 天'),
  noShowLimit: z.number().int().min(1).max(20),
  noShowWindowDays: z.number().int().min(7).max(365),
})

/** Booking horizon, minimum notice, cancel cutoff and no-show noting (admins). */
export async function saveBookingRules(payload: unknown, ctx: Ctx) {
  await requireRole(ctx, ['admin'])
  const p = parse(rulesInput, payload)
  await ctx.deps.settings.saveBookingRules(p)
  return p
}
