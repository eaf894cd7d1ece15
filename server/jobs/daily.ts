import { isOfficeTime } from '../domain/notifications'
import { enqueue, formatInstant } from '../kit/notify'
import { calendarStatusOf } from '../domain/calendar-status'
import { shanghaiDay } from '../domain/calendar'
import { RATING_WATCH_STATES, RUNNING_WATCH_STATES } from '../domain/schedule'
import type { Share } from './budget'
import { type RunContext, stopped } from './run-context'

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

/** Monday of the ISO week of a day, as a stable weekly key. */
function isoWeekOf(day: string): string {
  const d = new Date(`${day}T00:00:00Z`)
  const back = (d.getUTCDay() + 6) % 7
  return new Date(d.getTime() - back * 86_400_000).toISOString().slice(0, 10)
}
