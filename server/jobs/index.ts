/**
 * Scheduled jobs on the `jobs` function's timer: deadline watch, rating window, outbox sender.
 * Each is idempotent (keys, claims and state checks), so reruns and overlapping runs send
 * nothing twice.
 */
import type { CaseRecord } from '../../typings/domain'
import { dueAfterAcceptance, ratingWindowClosed, DEFAULT_RATING, transition } from '../domain/case-states'
import { isOfficeTime, isPermanent, nextAttempt, remindersDue } from '../domain/notifications'
import { loadCalendar, type Deps } from '../app/context'
import { enqueue, formatInstant, notify, sendableNow } from '../app/notify'
import { calendarStatusOf } from '../actions/calendar'
import { shanghaiDay, type WorkCalendar } from '../domain/calendar'
import {
  BOOKING_KIND_LABELS,
  appointmentRemindersDue,
  dayBeforeWindow,
  type BookingReminder,
} from '../domain/appointments'

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
}

/** Enqueues due-soon, due-today and overdue reminders for running cases near or past their due. */
export async function deadlineWatch(
  deps: Deps,
  now: Date,
  calendar: WorkCalendar,
  report: JobReport,
): Promise<void> {
  if (!isOfficeTime(now, calendar)) return
  // Only cases due before the end of the next working day or already overdue: an index range,
  // never every open case.
  const horizon = dueAfterAcceptance(now, 'promised', 1, calendar).dueAt
  const cases = await deps.cases.dueBefore(['accepted', 'escalated'], horizon, 1000)
  report.watched += cases.length
  const thresholds = await deps.settings.reminders()
  for (const c of cases) {
    if (!c.dueAt || !c.dueDay) continue
    for (const r of remindersDue(
      { id: c._id, dueAt: new Date(c.dueAt), dueDay: c.dueDay },
      now,
      calendar,
      thresholds,
    )) {
      await notify(deps, now, r.event, c, r.key)
      report.reminders += 1
    }
  }
}

/** Unrated N days (a setting, default 7) after delivery → 基本满意, marked as default (KPIs report it apart). */
export async function ratingWindow(deps: Deps, now: Date, report: JobReport): Promise<void> {
  const days = (await deps.settings.reminders()).ratingWindowDays
  const cutoff = new Date(now.getTime() - days * 86_400_000)
  const cases = await deps.cases.deliveredBefore(cutoff, 500)
  for (const c of cases) {
    if (!c.deliveredAt || !ratingWindowClosed(new Date(c.deliveredAt), now, days)) continue
    try {
      await deps.cases.transition(c._id, c.version, (cur: CaseRecord) => {
        const t = transition(cur.state, 'autoRate')
        if (!t.ok || cur.rating) throw new Error('already rated')
        return {
          patch: {
            state: t.to,
            rating: { level: DEFAULT_RATING, tags: [], comment: '', isDefault: true, at: now },
          },
          event: {
            at: now,
            actor: { openid: '', agentId: null, name: '系统', role: 'system' },
            action: 'autoRate',
            from: cur.state,
            to: t.to,
            note: `${days} 日内未评价，默认基本满意`,
          },
        }
      })
      report.autoRated += 1
    } catch {
      // Rated meanwhile by the resident, or another run got there first: nothing to do.
    }
  }
}

/** Sends due outbox messages: claim, check the grant, send, record; transient errors back off. */
export async function sendOutbox(
  deps: Deps,
  now: Date,
  calendar: WorkCalendar,
  report: JobReport,
): Promise<void> {
  for (const m of await deps.outbox.due(now, 50)) {
    if (!sendableNow(m.event, now, calendar)) {
      report.waiting += 1
      continue
    }
    if (!(await deps.outbox.claim(m._id, now))) continue
    const grant = m.recipientOpenid ? await deps.outbox.grant(m.recipientOpenid, m.templateId) : null
    if (!m.recipientOpenid || !grant) {
      await deps.outbox.finish(m._id, { status: 'skipped_no_grant', lastError: '用户未授权该订阅消息' })
      report.skippedNoGrant += 1
      continue
    }
    const res = await deps.platform.sendSubscribe({
      touser: m.recipientOpenid,
      templateId: m.templateId,
      page: m.page,
      data: m.data,
    })
    const attempts = m.attempts + 1
    if (res.errCode === 0) {
      await deps.outbox.finish(m._id, { status: 'sent', attempts, sentAt: now, lastError: null })
      report.sent += 1
    } else if (res.errCode === 43101) {
      await deps.outbox.finish(m._id, { status: 'skipped_no_grant', attempts, lastError: res.errMsg })
      report.skippedNoGrant += 1
    } else {
      const next = isPermanent(res.errCode) ? null : nextAttempt(attempts, now)
      await deps.outbox.finish(
        m._id,
        next
          ? { status: 'pending', attempts, nextAttemptAt: next, lastError: res.errMsg }
          : { status: 'failed', attempts, lastError: res.errMsg },
      )
      if (next) report.retried += 1
      else report.failed += 1
    }
  }
}

/**
 * Once per working day, in office hours: each head's digest of pending and overdue cases, and
 * the calendar coverage check that warns admins before the official data runs out.
 */
export async function dailyJobs(
  deps: Deps,
  now: Date,
  calendar: WorkCalendar,
  report: JobReport,
): Promise<void> {
  if (!isOfficeTime(now, calendar)) return
  const day = shanghaiDay(now)
  if (!(await deps.settings.claimDaily(day))) return
  report.daily = true
  // One read of the templates for every digest and warning of the day.
  const templates = await deps.settings.templates()
  const status = calendarStatusOf(calendar, now)
  if (status.warning) {
    for (const admin of (await deps.network.agentsByRole('admin')).filter((a) => a.openid)) {
      // Weekly until fixed: loud enough, without a message every day.
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
      )
      report.calendarWarnings += 1
    }
  }
  for (const station of await deps.network.stations()) {
    if (!station.headAgentId) continue
    const head = await deps.network.agent(station.headAgentId)
    if (!head?.openid) continue
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
    )
    report.digests += 1
  }
}

/**
 * 预约 reminders: the day before (sent 09:00–21:00 for tomorrow's appointments) and 2 hours
 * before. Each kind reads only bookings in its window that have not had it (an index range),
 * page by page; every booking read is marked, so reruns and overlapping runs send nothing twice
 * (the outbox key is the second guard).
 */
export async function appointmentReminders(deps: Deps, now: Date, report: JobReport): Promise<void> {
  const windows: [BookingReminder, Date, Date][] = []
  const eve = dayBeforeWindow(now)
  if (eve) windows.push(['dayBefore', eve.from, eve.to])
  windows.push(['soon', now, new Date(now.getTime() + 2 * 3600_000 + 1)])
  const stations = new Map<string, string>()
  let templates: Awaited<ReturnType<Deps['settings']['templates']>> | undefined
  for (const [kind, from, to] of windows) {
    for (let page = 0; page < 20; page++) {
      const due = await deps.appointments.dueForReminder(kind, from, to, 100)
      for (const b of due) {
        const wanted = appointmentRemindersDue(
          {
            startsAt: new Date(b.startsAt!),
            day: b.day!,
            createdAt: new Date(b.createdAt),
            reminded: b.reminded ?? [],
          },
          now,
        ).includes(kind)
        if (wanted) {
          if (!stations.has(b.stationId))
            stations.set(b.stationId, (await deps.network.station(b.stationId))?.name ?? '')
          templates ??= await deps.settings.templates()
          await enqueue(
            deps,
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
            templates,
          )
          report.appointmentReminders += 1
        }
        // Marked even when not wanted (booked too late for it): it must leave the window query.
        await deps.appointments.markReminded(b._id, kind)
      }
      if (due.length < 100) break
    }
  }
}

/**
 * 整改 past its working days and still with the head: the supervisors are told once per task
 * (in office hours), so a 差评 cannot be left to lie.
 */
export async function rectifyWatch(
  deps: Deps,
  now: Date,
  calendar: WorkCalendar,
  report: JobReport,
): Promise<void> {
  // Tasks waiting for the resident's verdict close on their own after the rating window.
  const { ratingWindowDays } = await deps.settings.reminders()
  for (const r of await deps.rectifications.visitedBefore(
    new Date(now.getTime() - ratingWindowDays * 86_400_000),
    100,
  )) {
    if (await deps.rectifications.advance(r._id, 'visited', 'closed', { autoClosed: true }, null))
      report.rectifyClosed += 1
  }
  if (!isOfficeTime(now, calendar)) return
  const late = await deps.rectifications.overdueUnreported(now, 100)
  if (!late.length) return
  // Every supervisor, linked to WeChat or not: an unlinked one is recorded in the outbox as
  // skipped, so "reported" is never silently "nobody was told".
  const [supervisors, templates] = await Promise.all([
    deps.network.agentsByRole('supervisor'),
    deps.settings.templates(),
  ])
  for (const r of late) {
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

export async function runJobs(deps: Deps, now: Date): Promise<JobReport> {
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
  }
  // One read of the working calendar serves every job of the run.
  const calendar = await loadCalendar(deps)
  await dailyJobs(deps, now, calendar, report)
  await deadlineWatch(deps, now, calendar, report)
  await ratingWindow(deps, now, report)
  await appointmentReminders(deps, now, report)
  await rectifyWatch(deps, now, calendar, report)
  await sendOutbox(deps, now, calendar, report)
  return report
}
