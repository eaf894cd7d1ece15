/**
 * 今日预约: the agent's day desk in the workbench — the day's appointments with arrivals and
 * no-shows, and contact details with an access log. Station and role always come from the
 * roster, never from the client. Home visits are home-visits.ts; opening hours schedule-editor.ts.
 */
import type { Agent, BookingRules } from '../../typings/domain'
import type { DeskBooking, DeskDay, VisitRequestView } from '../../typings/api'
import {
  BOOKING_KIND_LABELS,
  DAY_PARTS,
  bookingStatusLabel,
  markProblem,
  recentNoShows,
} from '../domain/appointments'
import { addDays, shanghaiDay } from '../domain/calendar'
import { conflict, forbidden, invalidState, notFound } from '../lib/errors'
import { fields, parse, z } from '../lib/validate'
import { maskAddress, maskPhone } from '../lib/mask'
import { currentAgent, type Ctx } from '../kit/context'
import type { Booking } from '../repositories/appointments'
import { dayLabel } from './appointments'
import { pageFields } from './page-input'

export async function requireStaff(ctx: Ctx): Promise<Agent> {
  const agent = await currentAgent(ctx)
  if (!agent || (agent.role !== 'agent' && agent.role !== 'head')) throw forbidden('工作台仅对代理员开放')
  return agent
}

export async function stationBooking(ctx: Ctx, agent: Agent, bookingId: string): Promise<Booking> {
  const b = await ctx.deps.appointments.get(bookingId)
  if (!b) throw notFound('未找到该预约')
  if (b.stationId !== agent.stationId) throw forbidden('只能处理本站的预约')
  return b
}

/** One appointment as the day view shows it; `missed` = the resident's recent no-shows. */
export function deskBooking(b: Booking, now: Date, missed: number, rules: BookingRules): DeskBooking {
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
