/**
 * Scheduled jobs on the `jobs` function's timer: daily digests, the deadline and reminder
 * schedule, the rating window, appointment reminders, the 整改 watch and the outbox sender.
 * Every job reads only what is due now through an index, acts, moves the moment on, and stops
 * when its share of the run's database-call budget is used (the next run continues). Each is
 * idempotent (keys, claims and conditional updates), so reruns, overlapping runs and runs that
 * died half-way send nothing twice.
 */
import { randomUUID } from 'node:crypto'
import type { CaseRecord } from '../../typings/domain'
import { DEFAULT_RATING, transition } from '../domain/case-states'
import { rectifyDue } from '../domain/rectification'
import {
  OFFICE_HOURS_ONLY,
  isOfficeTime,
  isPermanent,
  nextAttempt,
  type ReminderSettings,
} from '../domain/notifications'
import { loadCalendar, type Deps } from '../kit/context'
import { Directory, enqueue, formatInstant, queueNotices, toOutbox, type TemplateConfig } from '../kit/notify'
import { CaseRepository } from '../repositories/cases'
import { calendarStatusOf } from '../domain/calendar-status'
import { shanghaiDay, type WorkCalendar } from '../domain/calendar'
import {
  BOOKING_KIND_LABELS,
  appointmentRemindersDue,
  dayBeforeWindow,
  type BookingReminder,
} from '../domain/appointments'
import {
  RATING_WATCH_STATES,
  RUNNING_WATCH_STATES,
  nextOfficeStart,
  planWatch,
  type WatchPlan,
} from '../domain/schedule'
import type { NotifyEvent } from '../domain/notifications'
import { Budget, runDeps, type Share } from './budget'

export { Budget, RUN_CALLS } from './budget'

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

type Templates = Partial<Record<NotifyEvent, TemplateConfig>>

/** What the jobs of one run share: thresholds, templates and calendar are read once. */
interface RunContext {
  deps: Deps
  now: Date
  calendar: WorkCalendar
  report: JobReport
  thresholds: () => Promise<ReminderSettings>
  templates: () => Promise<Templates>
  /** Agents and stations looked up by this run, read in bulk a page at a time. */
  directory: Directory
}

const once = <T>(fn: () => Promise<T>): (() => Promise<T>) => {
  let p: Promise<T> | undefined
  return () => (p ??= fn())
}

/** Cases read per query and acted on together (notices in one insert, moves grouped). */
const WATCH_PAGE = 100
/** A claim on an outbox message lasts this long; then another run may take it up. */
export const CLAIM_MS = 5 * 60_000

type Planned = { c: CaseRecord; plan: WatchPlan }

/**
 * Reads the watched cases of `states` whose moment has come, oldest first, a page at a time,
 * plans each and hands the page to `act`, which does as much of it as its share allows and
 * says how many cases (from the front) it handled. Cases not handled stay due for the next run;
 * a case `act` handled but could not move on is not read twice in one run.
 */
async function drainWatch(
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
function fittingPrefix<T>(items: T[], share: Share, cost: (part: T[]) => number): T[] {
  let n = items.length
  while (n > 0 && !share.fits(cost(items.slice(0, n)))) n = Math.floor(n / 2)
  return items.slice(0, n)
}

function stopped(rc: RunContext, name: string): void {
  if (!rc.report.stoppedAtBudget.includes(name)) rc.report.stoppedAtBudget.push(name)
}

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

/**
 * Sends due outbox messages, oldest moment first: claim a page in one conditional update,
 * read the recipients' grants in one read, then per message spend a one-time grant (a
 * conditional decrement) and send. Outcomes are recorded in groups (sent ones every
 * SEND_FLUSH messages, so a run that dies re-sends at most that many after its claim expires);
 * failures one by one. Transient errors back off; a claim that dies with its run expires after
 * CLAIM_MS and the message is taken up again.
 */
export async function sendOutbox(rc: RunContext, share: Share): Promise<void> {
  const { deps, now, calendar, report } = rc
  const token = randomUUID()
  const office = isOfficeTime(now, calendar)
  const seen = new Set<string>()
  for (;;) {
    // Per page: read, claim, read back, grants, two group records; per message at most spend,
    // finish, give back.
    const room = Math.floor((share.room() - 6) / 3)
    if (room < 1) return stopped(rc, 'outbox')
    const limit = Math.min(50, room)
    const due = (await deps.outbox.due(now, limit)).filter((m) => !seen.has(m._id))
    if (!due.length) return
    for (const m of due) seen.add(m._id)
    // Reminders left over after office hours wait for the next office morning, out of the way.
    const later = office ? [] : due.filter((m) => OFFICE_HOURS_ONLY.has(m.event))
    if (later.length) {
      await deps.outbox.postpone(
        later.map((m) => m._id),
        now,
        nextOfficeStart(now, calendar),
      )
      report.waiting += later.length
    }
    const ready = due.filter((m) => !later.includes(m))
    const mine = new Set(
      await deps.outbox.claim(
        ready.map((m) => m._id),
        now,
        token,
        CLAIM_MS,
      ),
    )
    const claimed = ready.filter((m) => mine.has(m._id))
    const grants = await deps.outbox.grants(
      claimed.filter((m) => m.recipientOpenid).map((m) => `${m.recipientOpenid}:${m.templateId}`),
    )
    let sent: string[] = []
    const noGrant: string[] = []
    const flush = async () => {
      if (sent.length)
        await deps.outbox.finishMany(sent, token, { status: 'sent', sentAt: now, lastError: null })
      sent = []
    }
    for (const m of claimed) {
      const g = m.recipientOpenid ? grants.get(`${m.recipientOpenid}:${m.templateId}`) : undefined
      const oneTime = !!g && !g.longTerm
      // A one-time grant is taken before the send, so two messages can never ride on one grant.
      const granted = !!g && (g.longTerm || (g.oneTime > 0 && (await deps.outbox.useOneTime(g._id))))
      if (!granted) {
        noGrant.push(m._id)
        report.skippedNoGrant += 1
        continue
      }
      let res: { errCode: number; errMsg: string }
      try {
        res = await deps.platform.sendSubscribe({
          touser: m.recipientOpenid!,
          templateId: m.templateId,
          page: m.page,
          data: m.data,
        })
      } catch (err) {
        res = { errCode: -1, errMsg: String((err as Error).message ?? err) }
      }
      const attempts = m.attempts + 1
      if (res.errCode === 0) {
        sent.push(m._id)
        report.sent += 1
        if (sent.length >= SEND_FLUSH) await flush()
        continue
      }
      // Not sent: WeChat did not use the grant, unless it says there was none (43101).
      if (oneTime && res.errCode !== 43101) await deps.outbox.returnOneTime(g._id)
      if (res.errCode === 43101) {
        await deps.outbox.finish(m._id, token, {
          status: 'skipped_no_grant',
          attempts,
          lastError: res.errMsg,
        })
        report.skippedNoGrant += 1
        continue
      }
      const next = isPermanent(res.errCode) ? null : nextAttempt(attempts, now)
      await deps.outbox.finish(
        m._id,
        token,
        next
          ? { status: 'pending', attempts, notBefore: next, lastError: res.errMsg }
          : { status: 'failed', attempts, lastError: res.errMsg },
      )
      if (next) report.retried += 1
      else report.failed += 1
    }
    await flush()
    if (noGrant.length)
      await deps.outbox.finishMany(
        noGrant,
        token,
        { status: 'skipped_no_grant', lastError: '用户未授权该订阅消息' },
        false,
      )
    if (due.length < limit) return
  }
}

/** Successful sends recorded together: at most this many are sent again if a run dies. */
const SEND_FLUSH = 10

/**
 * Once per working day, in office hours: the calendar coverage check that warns admins before
 * the official data runs out, and each head's digest of pending and overdue cases, station by
 * station in code order with a cursor, so a county's hundreds of stations take a few runs
 * instead of one that never ends.
 */
export async function dailyJobs(rc: RunContext, share: Share): Promise<void> {
  const { deps, now, calendar, report } = rc
  if (!isOfficeTime(now, calendar)) return
  const day = shanghaiDay(now)
  if (!share.fits(2)) return stopped(rc, 'daily')
  let progress = await deps.settings.dailyProgress()
  if (!progress || progress.day < day) {
    if (!(await deps.settings.claimDaily(day))) return
    report.daily = true
    progress = { day, digestAfter: '', digestDone: false }
    // Records stored before the schedule existed join it (two bulk updates, once a day).
    if (share.fits(2)) {
      await deps.cases.adoptUnplanned([...RUNNING_WATCH_STATES, ...RATING_WATCH_STATES], now)
      await deps.outbox.adoptUndated(now)
    }
    await calendarWarnings(rc, share, day)
  }
  if (progress.day !== day || progress.digestDone) return
  if (!share.fits(4)) return stopped(rc, 'daily')
  const templates = await rc.templates()
  const stations = (await deps.network.stations()).filter((s) => s.code > progress.digestAfter)
  let after = progress.digestAfter
  let done = true
  for (const station of stations) {
    // Three counts, the head, the digest; and the cursor at the end.
    if (!share.fits(6)) {
      done = false
      stopped(rc, 'daily')
      break
    }
    after = station.code
    if (!station.headAgentId) continue
    const head = await deps.network.agent(station.headAgentId)
    if (!head?.openid) continue
    // Indexed counts, not the workbench's aggregation: that reads every open case of the station,
    // which the bench showed 36× slower at a 100k backlog (one call per station more is cheaper).
    const [pending, overdue, rectify] = await Promise.all([
      deps.cases.countInbox({ stationId: station._id, states: ['submitted'] }),
      deps.cases.countInbox({ stationId: station._id, states: ['accepted', 'escalated'], dueBefore: now }),
      deps.rectifications.countWithHead(station._id),
    ])
    if (pending + overdue + rectify === 0) continue
    await enqueue(
      deps,
      now,
      {
        event: 'dailyDigest',
        key: `digest:${station._id}:${day}`,
        recipient: head.openid,
        caseId: '',
        query: '',
        vars: {
          stationName: station.name,
          pending: String(pending),
          overdue: String(overdue),
          rectify: String(rectify),
          now: formatInstant(now),
        },
      },
      templates,
      calendar,
    )
    report.digests += 1
  }
  await deps.settings.advanceDigest(day, progress.digestAfter, after, done)
}

/** Weekly until fixed: loud enough, without a message every day. */
async function calendarWarnings(rc: RunContext, share: Share, day: string): Promise<void> {
  const { deps, now, calendar, report } = rc
  const status = calendarStatusOf(calendar, now)
  if (!status.warning || !share.fits(2)) return
  const templates = await rc.templates()
  for (const admin of (await deps.network.agentsByRole('admin')).filter((a) => a.openid)) {
    if (!share.fits(1)) return stopped(rc, 'daily')
    await enqueue(
      deps,
      now,
      {
        event: 'calendarMissing',
        key: `calendarMissing:${admin._id}:${status.coveredUntil}:${isoWeekOf(day)}`,
        recipient: admin.openid!,
        caseId: '',
        query: '',
        vars: { hint: '节假日安排待录入', dueDay: status.coveredUntil ?? '—', now: formatInstant(now) },
      },
      templates,
      calendar,
    )
    report.calendarWarnings += 1
  }
}

/**
 * 预约 reminders: the day before (sent 09:00–21:00 for tomorrow's appointments) and 2 hours
 * before. Each kind reads only bookings in its window that have not had it (an index range),
 * page by page; every booking read is marked, so reruns and overlapping runs send nothing twice
 * (the outbox key is the second guard). A booking not reached for lack of budget stays in the
 * window for the next run.
 */
export async function appointmentReminders(rc: RunContext, share: Share): Promise<void> {
  const { deps, now, report } = rc
  const windows: [BookingReminder, Date, Date][] = []
  const eve = dayBeforeWindow(now)
  if (eve) windows.push(['dayBefore', eve.from, eve.to])
  windows.push(['soon', now, new Date(now.getTime() + 2 * 3600_000 + 1)])
  const stations = new Map<string, string>()
  for (const [kind, from, to] of windows) {
    for (let page = 0; page < 20; page++) {
      // Per page: the read, station names, the templates, the reminders and the marks.
      if (!share.fits(5)) return stopped(rc, 'appointments')
      const due = await deps.appointments.dueForReminder(kind, from, to, APPOINTMENT_PAGE)
      if (!due.length) break
      // Booked too late for this reminder: still marked, so it leaves the window query.
      const wanted = due.filter((b) =>
        appointmentRemindersDue(
          {
            startsAt: new Date(b.startsAt!),
            day: b.day!,
            createdAt: new Date(b.createdAt),
            reminded: b.reminded ?? [],
          },
          now,
        ).includes(kind),
      )
      const unnamed = wanted
        .filter((b) => b.kind !== 'visit' && !stations.has(b.stationId))
        .map((b) => b.stationId)
      if (unnamed.length)
        for (const [id, name] of await deps.network.stationNames(unnamed)) stations.set(id, name)
      const t = (await rc.templates()).appointmentReminder
      const messages = t
        ? wanted.map((b) =>
            toOutbox(
              now,
              {
                event: 'appointmentReminder',
                key: `${b._id}:${kind}`,
                recipient: b.openid,
                caseId: b.caseId ?? '',
                query: `id=${b._id}`,
                vars: {
                  stationName: b.kind === 'visit' ? '代理员上门服务' : (stations.get(b.stationId) ?? ''),
                  startsAt: formatInstant(new Date(b.startsAt!)),
                  what: b.itemName ?? BOOKING_KIND_LABELS[b.kind],
                  hint:
                    kind === 'dayBefore' ? '明天有预约，不能前往请提前取消' : '预约 2 小时后开始，请带齐材料',
                },
              },
              t,
              rc.calendar,
            ),
          )
        : []
      try {
        await deps.outbox.enqueueMany(messages)
      } catch (err) {
        // Not queued: the bookings stay in the window for the next run.
        console.error('[jobs] appointment reminders not queued', err)
        return
      }
      report.appointmentReminders += wanted.length
      await deps.appointments.markRemindedMany(
        due.map((b) => b._id),
        kind,
      )
      if (due.length < APPOINTMENT_PAGE) break
    }
  }
}

/** Bookings read per query in a reminder window (one insert and one update a page). */
const APPOINTMENT_PAGE = 100

/**
 * 整改 past its working days and still with the head: the supervisors are told once per task
 * (in office hours), so a 差评 cannot be left to lie.
 */
export async function rectifyWatch(rc: RunContext, share: Share): Promise<void> {
  const { deps, now, calendar, report } = rc
  // Tasks waiting for the resident's verdict close on their own after the rating window.
  if (!share.fits(2)) return stopped(rc, 'rectify')
  const { ratingWindowDays } = await rc.thresholds()
  const room = Math.min(100, share.room() - 1)
  if (room < 1) return stopped(rc, 'rectify')
  for (const r of await deps.rectifications.visitedBefore(
    new Date(now.getTime() - ratingWindowDays * 86_400_000),
    room,
  )) {
    if (!share.fits(1)) return stopped(rc, 'rectify')
    if (await deps.rectifications.advance(r._id, 'visited', 'closed', { autoClosed: true }, null))
      report.rectifyClosed += 1
  }
  // A changed 整改 period: due dates of open tasks recomputed from their opening, a batch a run.
  if (!share.fits(2)) return stopped(rc, 'rectify')
  const replan = await deps.rectifications.toReplan(now, Math.min(50, share.room() - 1))
  if (replan.length) {
    const { rectifyDays } = await rc.thresholds()
    for (const r of replan) {
      if (!share.fits(1)) return stopped(rc, 'rectify')
      await deps.rectifications.replanned(r, rectifyDue(new Date(r.openedAt), calendar, rectifyDays))
    }
  }
  if (!isOfficeTime(now, calendar)) return
  if (!share.fits(3)) return stopped(rc, 'rectify')
  const late = await deps.rectifications.overdueUnreported(now, 20)
  if (!late.length) return
  // Every supervisor, linked to WeChat or not: an unlinked one is recorded in the outbox as
  // skipped, so "reported" is never silently "nobody was told".
  const [supervisors, templates] = await Promise.all([
    deps.network.agentsByRole('supervisor'),
    rc.templates(),
  ])
  for (const r of late) {
    if (!share.fits(supervisors.length + 1)) return stopped(rc, 'rectify')
    let queued = supervisors.length > 0
    for (const s of supervisors) {
      queued =
        (await enqueue(
          deps,
          now,
          {
            event: 'rectifyOverdue',
            key: `${r._id}:rectifyOverdue:${s._id}`,
            recipient: s.openid ?? null,
            caseId: r.caseId,
            query: '',
            vars: { itemName: r.itemName, caseNo: r.caseNo ?? '—', dueDay: r.dueDay, state: '整改超期' },
          },
          templates,
          calendar,
        )) && queued
    }
    // Marked only once every notice is in the outbox; otherwise the next run tries again.
    if (!queued) continue
    await deps.rectifications.markOverdueNotified(r._id)
    report.rectifyOverdue += 1
  }
}

/** Monday of the ISO week of a day, as a stable weekly key. */
function isoWeekOf(day: string): string {
  const d = new Date(`${day}T00:00:00Z`)
  const back = (d.getUTCDay() + 6) % 7
  return new Date(d.getTime() - back * 86_400_000).toISOString().slice(0, 10)
}

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
