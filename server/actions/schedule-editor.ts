/**
 * 开放时段与休息日: a station's schedules (window service and 领导接待日) for the editor — heads
 * their own station, admins any — and the booking rules (admins).
 */
import type { Agent, AppointmentSchedule, BookingRules, DutyRota } from '../../typings/domain'
import type { ScheduleEditorView } from '../../typings/api'
import { orphanedBookings, scheduleProblem } from '../domain/appointments'
import { shanghaiDay } from '../domain/calendar'
import { conflict, forbidden, invalidInput, notFound } from '../lib/errors'
import { fields, parse, z } from '../lib/validate'
import { loadCalendar, requireRole, type Ctx } from '../kit/context'
import { enqueue, formatInstant } from '../kit/notify'
import { dayLabel } from './appointments'
import { auditActor } from './admin'

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

/**
 * 领导接待日 as the station page publishes it (the rota's `receptionDays`: weekday, host, hours),
 * derived from the bookable leader schedule so that the page and the booking never disagree: one
 * entry per weekday, its periods joined (「09:00-11:30、14:00-16:00」).
 */
export function receptionDaysOf(s: AppointmentSchedule): DutyRota['receptionDays'] {
  if (s.kind !== 'leader' || !s.hostAgentId) return []
  const byDay = new Map<number, string[]>()
  for (const period of [...s.periods].sort((a, b) => a.start.localeCompare(b.start)))
    for (const d of period.weekdays) byDay.set(d, [...(byDay.get(d) ?? []), `${period.start}-${period.end}`])
  return [...byDay.entries()]
    .sort(([a], [b]) => a - b)
    .map(([weekday, hours]) => ({
      weekday,
      agentId: s.hostAgentId!,
      hours: hours.join('、'),
      ...(s.topic ? { topic: s.topic } : {}),
    }))
}

async function scheduleManager(ctx: Ctx, stationId: string): Promise<Agent> {
  return mayManage(await requireRole(ctx, ['admin', 'head']), stationId)
}

function mayManage(me: Agent, stationId: string): Agent {
  if (me.role === 'head' && me.stationId !== stationId) throw forbidden('站长只能设置本站的预约时段')
  return me
}

const getSchedulesInput = z.object({ stationId: fields.id('服务站').optional() })

/** A station's schedules for the editor (heads: their own station), with who may host 接待日. */
export async function getSchedules(payload: unknown, ctx: Ctx): Promise<ScheduleEditorView> {
  const p = parse(getSchedulesInput, payload)
  const me = await requireRole(ctx, ['admin', 'head'])
  const stationId = p.stationId ?? me.stationId
  mayManage(me, stationId)
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
  const me = await scheduleManager(ctx, p.stationId)
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
  // Written with its audit entry in one transaction, like every admin change.
  const label = p.kind === 'leader' ? '领导接待日' : '窗口开放时段'
  await ctx.deps.audit.change<AppointmentSchedule>(
    'schedules',
    schedule._id,
    () => schedule,
    (before) => ({
      at: ctx.now,
      actor: auditActor(me),
      kind: 'schedule',
      action: before ? 'update' : 'create',
      summary: `${before ? '修改' : '设置'}${label}（${station.name}）`,
    }),
  )
  if (p.kind === 'leader') {
    // The station page reads 领导接待日 from the rota: it follows in a second transaction (a
    // failure here leaves it one save behind, and saving again brings it level).
    const receptionDays = receptionDaysOf(schedule)
    await ctx.deps.audit.change<DutyRota>(
      'rotas',
      p.stationId,
      (before) => ({
        ...(before ?? { _id: p.stationId, stationId: p.stationId, weekly: {}, overrides: [] }),
        receptionDays,
      }),
      (before) => ({
        at: ctx.now,
        actor: auditActor(me),
        kind: 'rota',
        action: before ? 'update' : 'create',
        summary: `领导接待日公示随预约时段更新（${station.name}）`,
      }),
    )
  }
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
  const me = await requireRole(ctx, ['admin'])
  const p = parse(rulesInput, payload)
  // Written with its audit entry in one transaction (see repositories/audit.ts).
  await ctx.deps.audit.change<BookingRules & { _id: string }>(
    'settings',
    'booking',
    () => ({ _id: 'booking', ...p }),
    () => ({
      at: ctx.now,
      actor: { agentId: me._id, name: me.name, role: me.role },
      kind: 'booking',
      action: 'update',
      summary: '修改预约规则',
    }),
  )
  return p
}
