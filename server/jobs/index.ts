/**
 * Scheduled jobs on the `jobs` function's timer: daily digests, the deadline and reminder
 * schedule, the rating window, appointment reminders, the 整改 watch and the outbox sender.
 * Every job reads only what is due now through an index, acts, moves the moment on, and stops
 * when its share of the run's database-call budget is used (the next run continues). Each is
 * idempotent (keys, claims and conditional updates), so reruns, overlapping runs and runs that
 * died half-way send nothing twice.
 */
import { loadCalendar, type Deps } from '../kit/context'
import { Directory } from '../kit/notify'
import { Budget, runDeps } from './budget'
import { once, type JobReport, type RunContext } from './run-context'
import { appointmentReminders } from './appointment-reminders'
import { dailyJobs } from './daily'
import { deadlineWatch, ratingWindow } from './deadline-watch'
import { rectifyWatch } from './rectify-watch'
import { sendOutbox } from './outbox-sender'

export { Budget, RUN_CALLS } from './budget'
export type { JobReport } from './run-context'
export { CLAIM_MS } from './outbox-sender'
export { appointmentReminders, dailyJobs, deadlineWatch, ratingWindow, rectifyWatch, sendOutbox }

/**
 * One timer run. Jobs run in order, each within its share of the budget and never eating into
 * what is reserved for the ones after it; the outbox sender runs last with the rest.
 */
export async function runJobs(base: Deps, now: Date, budget: Budget = new Budget()): Promise<JobReport> {
  const deps = runDeps(base, budget)
  const report: JobReport = {
    watched: 0,
    reminders: 0,
    autoRated: 0,
    sent: 0,
    retried: 0,
    failed: 0,
    skippedNoGrant: 0,
    waiting: 0,
    daily: false,
    digests: 0,
    calendarWarnings: 0,
    appointmentReminders: 0,
    rectifyOverdue: 0,
    rectifyClosed: 0,
    dbCalls: 0,
    stoppedAtBudget: [],
  }
  // One read of the working calendar serves every job of the run.
  const calendar = await loadCalendar(deps)
  const rc: RunContext = {
    deps,
    now,
    calendar,
    report,
    thresholds: once(() => deps.settings.reminders()),
    templates: once(() => deps.settings.templates()),
    directory: new Directory(deps.network),
  }
  await dailyJobs(rc, budget.share(60, 300))
  await deadlineWatch(rc, budget.share(200, 120))
  await ratingWindow(rc, budget.share(40, 100))
  await appointmentReminders(rc, budget.share(40, 90))
  await rectifyWatch(rc, budget.share(30, 80))
  await sendOutbox(rc, budget.share(budget.calls))
  report.dbCalls = budget.used
  return report
}
