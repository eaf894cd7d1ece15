import { computeDue, parseDay, shanghaiDay, shanghaiInstant } from '../domain/calendar'
import type { Station } from '../../typings/domain'
import type { Actions, KpiReport, KpiTrend } from '../../typings/api'
import type { CaseState } from '../../typings/vocabulary'
import { workingDaysOverdue } from '../domain/case-states'
import {
  CASE_KPI_KEYS,
  EMPTY_COUNTS,
  KPI_LABELS,
  KPI_KEYS,
  neighbours,
  periodFromKey,
  periodOf,
  periodYearProblem,
  rankTownships,
  reportSheets,
  REPORT_TITLES,
  rowOf,
  withTones,
  type KpiTargets,
  type StationInput,
} from '../domain/kpis'
import { invalidInput, notFound } from '../lib/errors'
import { fields, parse, z } from '../lib/validate'
import { loadCalendar, requireRole, type Ctx } from '../kit/context'
import { actorOf } from '../kit/case-kit'
import { CLOCK_RUNNING_STATES, HANDLING_STATES } from '../../typings/vocabulary'
import { writeBook } from './sheets'
import { pageFields } from './page-input'

/** The running states whose deadline the overdue list watches. */
const WATCHED: CaseState[] = [...CLOCK_RUNNING_STATES]

const overdueInput = z.object({ ...pageFields })

/**
 * 督查: overdue cases, most overdue first, a page at a time; the total and the per-station
 * figures (count and longest overdue) cover every overdue case, not just the page.
 */
export async function overdueList(payload: unknown, ctx: Ctx): Promise<Actions['supervise.overdue']['out']> {
  await requireRole(ctx, ['supervisor', 'admin'])
  const p = parse(overdueInput, payload ?? {})
  const [calendar, page, perStation] = await Promise.all([
    loadCalendar(ctx.deps),
    ctx.deps.cases.overduePage(WATCHED, ctx.now, p.cursor ?? null, p.pageSize ?? 50),
    ctx.deps.cases.overdueByStation(WATCHED, ctx.now),
  ])
  // The responsible agent of each case on the page: the upper station's once it holds a 上报件.
  const responsible = (c: (typeof page.list)[number]) =>
    c.state === 'escalated' && c.upper?.agentId ? c.upper.agentId : c.assignedAgentId
  const [names, agents] = await Promise.all([
    ctx.deps.network.stationNames(perStation.map((s) => s.stationId)),
    ctx.deps.network.agentsByIds([...new Set(page.list.map(responsible).filter(Boolean))]),
  ])
  const nameOf = (id: string) => names.get(id) ?? id
  return {
    today: shanghaiDay(ctx.now),
    total: page.total,
    stations: perStation
      .map((s) => ({
        stationId: s.stationId,
        stationName: nameOf(s.stationId),
        count: s.count,
        maxDays: workingDaysOverdue(ctx.now, s.earliestDue, calendar),
      }))
      .sort((a, b) => b.count - a.count || b.maxDays - a.maxDays),
    cases: page.list.map((c) => ({
      caseId: c._id,
      caseNo: c.caseNo,
      version: c.version,
      itemName: c.item.name,
      stationId: c.stationId,
      stationName: nameOf(c.stationId),
      dueDay: c.dueDay,
      workingDaysOverdue: workingDaysOverdue(ctx.now, new Date(c.dueAt!), calendar),
      agentName: agents.get(responsible(c))?.name ?? '未指派',
    })),
    nextCursor: page.nextCursor,
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
  if (!HANDLING_STATES.includes(c.state)) throw invalidInput({ caseId: '只能督办正在办理的申请' })
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

const kpiInput = z.object({
  kind: z.enum(['month', 'quarter', 'half', 'year'], { error: '请选择统计周期' }).default('month'),
  /** 2026-12, 2026-Q4, 2026-H2, 2026; default: the period containing today. */
  key: z.string().max(10).optional(),
})

/**
 * 六项指标 for a period: the district, each township (with its villages) ranked, and every
 * station; default ratings are shown apart and never counted as satisfied.
 */
export async function kpis(payload: unknown, ctx: Ctx): Promise<KpiReport> {
  await requireRole(ctx, ['supervisor', 'admin'])
  const p = parse(kpiInput, payload)
  const today = shanghaiDay(ctx.now)
  const period = p.key ? periodFromKey(p.key) : periodOf(p.kind, today)
  if (!period || (p.key && period.kind !== p.kind))
    throw invalidInput({ key: '统计周期格式不正确' }, '统计周期格式不正确')
  const yearProblem = periodYearProblem(period)
  if (yearProblem) throw invalidInput({ key: yearProblem }, yearProblem)
  if (period.from > today) throw invalidInput({ key: '统计周期还没有开始' }, '统计周期还没有开始')
  const [everyStation, staff, rotas, items, counts, { districtName, supervisionHotline }, targets] =
    await Promise.all([
      ctx.deps.network.everything<Station>('stations'),
      ctx.deps.network.activeStaff(),
      ctx.deps.network.weeklyRotas(),
      ctx.deps.network.itemsForKpi(),
      ctx.deps.cases.kpiCounts(shanghaiInstant(period.from, '00:00'), shanghaiInstant(period.to, '00:00'), {
        now: ctx.now,
        running: WATCHED,
      }),
      ctx.deps.settings.district(),
      ctx.deps.settings.kpiTargets(),
    ])
  const active = everyStation.filter((s) => s.active)
  const serving = new Set([...staff.values()].flatMap((s) => s.ids))
  const input = (s: Station): StationInput => ({
    station: s,
    hasHead: !!s.headAgentId && (staff.get(s._id)?.ids ?? []).includes(s.headAgentId),
    agents: staff.get(s._id)?.agents ?? 0,
    hasRota: Object.values(rotas.get(s._id) ?? {}).some((ids) => ids.some((id) => serving.has(id))),
  })
  const head = (s: Station) => ({
    id: s._id,
    name: s.name,
    tier: s.tier,
    parentId: s.parentId ?? null,
    active: s.active,
  })
  // Retired stations stay in the report only for the cases they had in the period.
  const listed = everyStation.filter((s) => s.active || counts.has(s._id))
  const { rows: ranked, rankedOn } = rankTownships(
    active
      .filter((s) => s.tier === 'township')
      .map((t) =>
        rowOf(
          head(t),
          active.filter((s) => s._id === t._id || s.parentId === t._id).map(input),
          everyStation.filter((s) => s._id === t._id || s.parentId === t._id).map((s) => s._id),
          items,
          counts,
          supervisionHotline,
        ),
      ),
  )
  const townships = ranked.map((t) => withTones(t, targets))
  const district = active.find((s) => s.tier === 'district')
  return {
    period: { ...period, ...neighbours(period), complete: period.to <= today },
    asOf: ctx.now.toISOString(),
    labels: KPI_LABELS,
    rankedOn,
    targets,
    district: withTones(
      rowOf(
        {
          id: district?._id ?? 'district',
          name: districtName || district?.name || '全区',
          tier: 'district',
          parentId: null,
        },
        active.map(input),
        [...counts.keys()],
        items,
        counts,
        supervisionHotline,
      ),
      targets,
    ),
    townships,
    stations: listed.map((s) =>
      withTones(
        rowOf(head(s), s.active ? [input(s)] : [], [s._id], items, counts, supervisionHotline),
        targets,
      ),
    ),
  }
}

const pad = (n: number) => String(n).padStart(2, '0')

/**
 * 趋势: the district's four case rates for each of the last twelve full months, in one
 * aggregation. The month under way is left to the cards above (at 10:00 on the 1st its 0/2 is
 * not a trend); a month with no case stays empty, never 100%.
 */
export async function kpiTrend(_payload: unknown, ctx: Ctx): Promise<KpiTrend> {
  await requireRole(ctx, ['supervisor', 'admin'])
  const today = shanghaiDay(ctx.now)
  const y = Number(today.slice(0, 4))
  const m = Number(today.slice(5, 7))
  const months = Array.from({ length: 12 }, (_, i) => {
    const k = y * 12 + (m - 1) - (12 - i)
    return `${Math.floor(k / 12)}-${pad((k % 12) + 1)}`
  })
  const from = shanghaiInstant(`${months[0]}-01`, '00:00')
  const to = shanghaiInstant(periodOf('month', today).from, '00:00')
  const [monthly, targets] = await Promise.all([
    ctx.deps.cases.kpiMonthly(from, to, { now: ctx.now, running: WATCHED }),
    ctx.deps.settings.kpiTargets(),
  ])
  const rate = (n: number, d: number) => ({ numerator: n, denominator: d, rate: d ? n / d : null })
  return {
    labels: Object.fromEntries(CASE_KPI_KEYS.map((k) => [k, KPI_LABELS[k]])) as KpiTrend['labels'],
    targets,
    months: months.map((key) => {
      const c = monthly.get(key) ?? EMPTY_COUNTS
      return {
        key,
        label: `${Number(key.slice(5))}月`,
        rates: {
          acceptance: rate(c.accepted, c.submitted),
          completion: rate(c.completed, c.accepted),
          onTime: rate(c.onTime, c.completed),
          satisfaction: rate(c.satisfied, c.rated),
        },
      }
    }),
  }
}

const targetsInput = z.object(
  Object.fromEntries(
    KPI_KEYS.map((k) => [
      k,
      z
        .number({ error: `${KPI_LABELS[k]}的目标应是 0 到 100 之间的数` })
        .int(`${KPI_LABELS[k]}的目标应是整数（百分比）`)
        .min(50, `${KPI_LABELS[k]}的目标不应低于 50%`)
        .max(100, `${KPI_LABELS[k]}的目标不能超过 100%`)
        .optional(),
    ]),
  ) as Record<keyof KpiTargets, z.ZodOptional<z.ZodNumber>>,
)

/** 管理员: 指标目标 (percent per rate); rates left out keep their saved target. */
export async function saveKpiTargets(payload: unknown, ctx: Ctx): Promise<KpiTargets> {
  await requireRole(ctx, ['admin'])
  const p = parse(targetsInput, payload ?? {})
  const current = await ctx.deps.settings.kpiTargets()
  const saved = { ...current }
  for (const k of KPI_KEYS) if (p[k] !== undefined) saved[k] = p[k]
  await ctx.deps.settings.saveKpiTargets(saved)
  return saved
}

/** 季度汇报 / 半年点评 / 年终考核 as .xlsx in cloud storage, with a temporary download link. */
export async function exportKpis(
  payload: unknown,
  ctx: Ctx,
): Promise<{ fileId: string; url: string; title: string }> {
  const report = await kpis(payload, ctx)
  const title = `${report.period.label}${REPORT_TITLES[report.period.kind]}`
  const bytes = await writeBook(reportSheets(report))
  const stamp = ctx.now.toISOString().replace(/[-:]/g, '').slice(0, 15)
  const fileId = await ctx.deps.platform.upload(`reports/kpi-${report.period.key}-${stamp}.xlsx`, bytes)
  return { fileId, url: await ctx.deps.platform.tempUrl(fileId), title }
}
