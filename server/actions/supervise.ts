import { computeDue, parseDay, shanghaiDay, shanghaiInstant } from '../domain/calendar'
import type { Station } from '../../typings/domain'
import type { Actions, KpiReport } from '../../typings/api'
import type { CaseState } from '../domain/case-states'
import { workingDaysOverdue } from '../domain/case-states'
import {
  KPI_LABELS,
  neighbours,
  periodFromKey,
  periodOf,
  periodYearProblem,
  rankTownships,
  reportSheets,
  REPORT_TITLES,
  rowOf,
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
  const names = await ctx.deps.network.stationNames(perStation.map((s) => s.stationId))
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
  const [everyStation, staff, rotas, items, counts, { districtName, supervisionHotline }] = await Promise.all(
    [
      ctx.deps.network.everything<Station>('stations'),
      ctx.deps.network.activeStaff(),
      ctx.deps.network.weeklyRotas(),
      ctx.deps.network.itemsForKpi(),
      ctx.deps.cases.kpiCounts(shanghaiInstant(period.from, '00:00'), shanghaiInstant(period.to, '00:00')),
      ctx.deps.settings.district(),
    ],
  )
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
  const { rows: townships, rankedOn } = rankTownships(
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
  const district = active.find((s) => s.tier === 'district')
  return {
    period: { ...period, ...neighbours(period), complete: period.to <= today },
    asOf: ctx.now.toISOString(),
    labels: KPI_LABELS,
    rankedOn,
    district: rowOf(
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
    townships,
    stations: listed.map((s) =>
      rowOf(head(s), s.active ? [input(s)] : [], [s._id], items, counts, supervisionHotline),
    ),
  }
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
