import { DEFAULT_RATING, transition } from '../domain/case-states'
import { isOfficeTime } from '../domain/notifications'
import { Directory, queueNotices } from '../kit/notify'
import { CaseRepository } from '../repositories/cases'
import { RATING_WATCH_STATES, RUNNING_WATCH_STATES } from '../domain/schedule'
import type { Share } from './budget'
import { type RunContext, type Planned, drainWatch, fittingPrefix, stopped } from './run-context'

/**
 * Due soon, due today, 催办, 督办 and 通报 for running cases whose moment has come (both
 * deadlines of a 上报件), in office hours only, a page at a time: the page's addressees in a
 * couple of bulk reads, its notices in one insert, its cases moved on in one update per
 * distinct next moment. The notices are queued before the moments move on, so a run that dies
 * in between is repaired by the next one (the outbox keys keep each notice single). The 08:30
 * peak of a county (hundreds of cases at once) then fits one run instead of a morning of runs.
 */
export async function deadlineWatch(rc: RunContext, share: Share): Promise<void> {
  const { deps, now, calendar, report } = rc
  if (!isOfficeTime(now, calendar)) return
  if (!share.fits(3)) return stopped(rc, 'deadlines')
  const [thresholds, templates] = await Promise.all([rc.thresholds(), rc.templates()])
  let supervisors: number | null = null
  await drainWatch(rc, share, 'deadlines', RUNNING_WATCH_STATES, thresholds, async (page) => {
    if (
      supervisors === null &&
      page.some(({ plan }) => plan.send.some((r) => r.event === 'reportSupervisor'))
    ) {
      if (!share.fits(1)) return 0
      supervisors = (await rc.directory.agentsByRole('supervisor')).length
    }
    const needs = (part: Planned[]) => {
      const agents: string[] = []
      const stations: string[] = []
      for (const { c, plan } of part)
        for (const r of plan.send) {
          const n = Directory.needs(r.event, c, r.side)
          if (n.agent) agents.push(n.agent)
          if (n.station) stations.push(n.station)
        }
      return { agents, stations }
    }
    const messages = (part: Planned[]) =>
      part.reduce(
        (n, { plan }) =>
          n +
          plan.send.reduce(
            (k, r) => k + (r.event === 'reportSupervisor' ? Math.max(1, supervisors ?? 0) : 1),
            0,
          ),
        0,
      )
    // Lookups, the inserts (and a read and insert more if some keys exist), the grouped moves.
    const part = fittingPrefix(page, share, (p) => {
      const n = needs(p)
      return (
        rc.directory.warmCalls(n.agents, n.stations) +
        Math.ceil(messages(p) / 100) +
        2 +
        CaseRepository.moveWatchCalls(
          p.map(({ c, plan }) => ({ c, next: plan.next, reminded: plan.reminded })),
        )
      )
    })
    if (!part.length) return 0
    const n = needs(part)
    const notices = part.flatMap(({ c, plan }) =>
      plan.send.map((r) => ({ event: r.event, c, key: `${c._id}:${r.key}`, side: r.side, dueDay: r.dueDay })),
    )
    try {
      await rc.directory.warm(n.agents, n.stations)
      await queueNotices(deps, now, notices, rc.directory, templates, calendar)
    } catch (err) {
      // Not queued: the cases stay due and the next run tries again.
      console.error('[jobs] reminders not queued', err)
      return 0
    }
    report.reminders += notices.length
    await deps.cases.moveWatchMany(
      part.map(({ c, plan }) => ({ c, next: plan.next, reminded: plan.reminded })),
    )
    return part.length
  })
}

/**
 * Unrated N days (a setting, default 7) after delivery → 基本满意, marked as default (KPIs
 * report it apart): a page of cases in one conditional update with their events, the rest of
 * the page moved to its next moment.
 */
export async function ratingWindow(rc: RunContext, share: Share): Promise<void> {
  const { deps, now, report } = rc
  if (!share.fits(3)) return stopped(rc, 'rating')
  const thresholds = await rc.thresholds()
  const days = thresholds.ratingWindowDays
  await drainWatch(rc, share, 'rating', RATING_WATCH_STATES, thresholds, async (page) => {
    // Events (and a read and insert more after a died run), the update, a read back and a removal.
    const part = fittingPrefix(page, share, (p) => {
      const later = p
        .filter(({ plan }) => !plan.autoRate)
        .map(({ c, plan }) => ({ c, next: plan.next, reminded: plan.reminded }))
      const versions = new Set(p.filter(({ plan }) => plan.autoRate).map(({ c }) => c.version)).size
      return (versions ? 5 + versions : 0) + CaseRepository.moveWatchCalls(later)
    })
    if (!part.length) return 0
    const due = part.filter(({ plan }) => plan.autoRate).map(({ c }) => c)
    if (due.length) {
      const t = transition('delivered', 'autoRate')
      if (!t.ok) throw new Error('autoRate is not a transition of delivered')
      const rated = await deps.cases.autoRateMany(
        due,
        now,
        { level: DEFAULT_RATING, tags: [], comment: '', isDefault: true, at: now },
        t.to,
        `${days} 日内未评价，默认基本满意`,
      )
      report.autoRated += rated.length
    }
    const later = part.filter(({ plan }) => !plan.autoRate)
    await deps.cases.moveWatchMany(
      later.map(({ c, plan }) => ({ c, next: plan.next, reminded: plan.reminded })),
    )
    return part.length
  })
}
