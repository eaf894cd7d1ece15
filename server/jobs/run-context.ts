/**
 * What the jobs of one timer run share: the report, the context read once per run, and the
 * page-at-a-time walk over watched cases that the deadline and rating jobs both use.
 */
import type { CaseRecord } from '../../typings/domain'
import type { ReminderSettings, NotifyEvent } from '../domain/notifications'
import type { Deps } from '../kit/context'
import { Directory, type TemplateConfig } from '../kit/notify'
import type { WorkCalendar } from '../domain/calendar'
import { planWatch, type WatchPlan } from '../domain/schedule'
import type { Share } from './budget'

export interface JobReport {
  watched: number
  reminders: number
  autoRated: number
  sent: number
  retried: number
  failed: number
  skippedNoGrant: number
  waiting: number
  daily: boolean
  digests: number
  calendarWarnings: number
  appointmentReminders: number
  rectifyOverdue: number
  rectifyClosed: number
  /** Database calls the run made (at most the budget), and jobs that stopped at their share. */
  dbCalls: number
  stoppedAtBudget: string[]
}

export type Templates = Partial<Record<NotifyEvent, TemplateConfig>>

/** What the jobs of one run share: thresholds, templates and calendar are read once. */
export interface RunContext {
  deps: Deps
  now: Date
  calendar: WorkCalendar
  report: JobReport
  thresholds: () => Promise<ReminderSettings>
  templates: () => Promise<Templates>
  /** Agents and stations looked up by this run, read in bulk a page at a time. */
  directory: Directory
}

export const once = <T>(fn: () => Promise<T>): (() => Promise<T>) => {
  let p: Promise<T> | undefined
  return () => (p ??= fn())
}

/** Cases read per query and acted on together (notices in one insert, moves grouped). */
export const WATCH_PAGE = 100

export type Planned = { c: CaseRecord; plan: WatchPlan }

/**
 * Reads the watched cases of `states` whose moment has come, oldest first, a page at a time,
 * plans each and hands the page to `act`, which does as much of it as its share allows and
 * says how many cases (from the front) it handled. Cases not handled stay due for the next run;
 * a case `act` handled but could not move on is not read twice in one run.
 */
export async function drainWatch(
  rc: RunContext,
  share: Share,
  name: string,
  states: readonly CaseRecord['state'][],
  thresholds: ReminderSettings,
  act: (page: Planned[]) => Promise<number>,
): Promise<void> {
  const seen = new Set<string>()
  for (;;) {
    if (!share.fits(2)) return stopped(rc, name)
    const page = await rc.deps.cases.watchDue(states, rc.now, WATCH_PAGE)
    const fresh = page.filter((c) => !seen.has(c._id))
    if (!fresh.length) return
    for (const c of fresh) seen.add(c._id)
    rc.report.watched += fresh.length
    const planned = fresh.map((c) => ({ c, plan: planWatch(c, rc.now, rc.calendar, thresholds) }))
    const done = await act(planned)
    if (done < planned.length) {
      rc.report.watched -= planned.length - done
      return stopped(rc, name)
    }
    if (page.length < WATCH_PAGE) return
  }
}

/** The longest front part of `items` whose cost fits the share (halving: costs are cheap to ask). */
export function fittingPrefix<T>(items: T[], share: Share, cost: (part: T[]) => number): T[] {
  let n = items.length
  while (n > 0 && !share.fits(cost(items.slice(0, n)))) n = Math.floor(n / 2)
  return items.slice(0, n)
}

export function stopped(rc: RunContext, name: string): void {
  if (!rc.report.stoppedAtBudget.includes(name)) rc.report.stoppedAtBudget.push(name)
}
