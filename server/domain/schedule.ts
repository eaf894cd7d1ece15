/**
 * 期限提醒日程 (the deadline and reminder schedule), pure: no clock, no I/O.
 *
 * Each watched case carries `watchAt`, the next moment something is due to happen to it, and
 * `reminded`, the reminder keys already done. A timer run reads only cases with
 * `watchAt <= now` (an index range), asks `planWatch` what to do, does it and stores the next
 * moment. So the cost of a run follows what is due now, never the size of the backlog.
 *
 * Moments (DOMAIN.md, thresholds are settings): due soon at the start of office hours
 * `dueSoonDays` working days before the due day; due today at the start of the due day;
 * 催办 the next working day; 督办 to the head at `superviseAfterDays`; 通报 to the supervisors
 * at `reportAfterDays` working days overdue. A 上报件 has a second clock, the upper station's
 * own deadline, whose reminders go to the upper station's assignee and head. A delivered case
 * waits for the rating window to close (calendar days, any hour).
 */
import type { CaseState } from '../../typings/vocabulary'
import { ratingWindowClosesAt } from './case-states'
import {
  DEFAULT_OFFICE_HOURS,
  addDays,
  shanghaiDay,
  shanghaiInstant,
  type OfficeHours,
  type WorkCalendar,
} from './calendar'
import { isOfficeTime, type NotifyEvent, type ReminderSettings } from './notifications'

/** Whose deadline a reminder is about: the owning station's, or the upper station's (上报件). */
export type DeadlineSide = 'own' | 'upper'

export type ReminderKind = 'dueSoon' | 'dueToday' | 'overdue' | 'superviseHead' | 'reportSupervisor'

export const REMINDER_KINDS: readonly ReminderKind[] = [
  'dueSoon',
  'dueToday',
  'overdue',
  'superviseHead',
  'reportSupervisor',
]

/** States whose deadline clock runs (reminders) and the state that waits for a rating. */
export const RUNNING_WATCH_STATES: readonly CaseState[] = ['accepted', 'escalated']
export const RATING_WATCH_STATES: readonly CaseState[] = ['delivered']

/** The fields of a case the schedule reads (a structural subset of CaseRecord). */
export interface WatchedCase {
  state: CaseState
  dueAt: Date | string | null
  dueDay: string | null
  upper: {
    acceptedAt: Date | string | null
    dueAt: Date | string | null
    completedAt: Date | string | null
  } | null
  deliveredAt: Date | string | null
  rating: unknown
  reminded?: readonly string[]
}

export interface Deadline {
  side: DeadlineSide
  dueAt: Date
  dueDay: string
}

/** A reminder to queue now; `key` is recorded on the case and ends the outbox key. */
export interface PlannedReminder {
  event: ReminderKind & NotifyEvent
  side: DeadlineSide
  key: string
  dueDay: string
}

export interface WatchPlan {
  send: PlannedReminder[]
  /** The case's `reminded` after this plan: sent and superseded keys of the current deadlines. */
  reminded: string[]
  /** Record the default rating (基本满意) now: the rating window has closed. */
  autoRate: boolean
  /** The next moment to look at the case again; null when nothing more will happen to it. */
  next: Date | null
}

const toDate = (d: Date | string): Date => (d instanceof Date ? d : new Date(d))

/** Whether a case needs a place in the schedule at all (the repository sets or clears watchAt). */
export function isWatched(c: WatchedCase): boolean {
  if (RATING_WATCH_STATES.includes(c.state)) return !!c.deliveredAt && !c.rating
  return RUNNING_WATCH_STATES.includes(c.state) && deadlinesOf(c).length > 0
}

/** The running deadlines of a case: its own, and the upper station's once it has accepted. */
export function deadlinesOf(c: WatchedCase): Deadline[] {
  if (!RUNNING_WATCH_STATES.includes(c.state)) return []
  const out: Deadline[] = []
  if (c.dueAt && c.dueDay) out.push({ side: 'own', dueAt: toDate(c.dueAt), dueDay: c.dueDay })
  if (c.state === 'escalated' && c.upper?.acceptedAt && c.upper.dueAt && !c.upper.completedAt) {
    const dueAt = toDate(c.upper.dueAt)
    out.push({ side: 'upper', dueAt, dueDay: shanghaiDay(dueAt) })
  }
  return out
}

/** The reminder key of a kind for one deadline: one per kind and due day (an extension re-arms). */
export function reminderKey(side: DeadlineSide, kind: ReminderKind, dueDay: string): string {
  return `${side === 'upper' ? 'upper:' : ''}${kind}:${dueDay}`
}

/** The working day `n` working days before `day` (n >= 1). */
export function workingDaysBefore(day: string, n: number, calendar: WorkCalendar): string {
  let cur = day
  let left = n
  // A year of rest days in a row cannot happen; the bound only guards against a broken calendar.
  for (let guard = 0; left > 0 && guard < 366; guard++) {
    cur = addDays(cur, -1)
    if (calendar.isWorkday(cur)) left -= 1
  }
  return cur
}

/** The start of the next office hours strictly after `now` unless `now` is before today's start. */
export function nextOfficeStart(
  now: Date,
  calendar: WorkCalendar,
  hours: OfficeHours = DEFAULT_OFFICE_HOURS,
): Date {
  let day = shanghaiDay(now)
  const todayStart = shanghaiInstant(day, hours.start)
  if (calendar.isWorkday(day) && now.getTime() < todayStart.getTime()) return todayStart
  for (let guard = 0; guard < 366; guard++) {
    day = addDays(day, 1)
    if (calendar.isWorkday(day)) return shanghaiInstant(day, hours.start)
  }
  return shanghaiInstant(day, hours.start)
}

/** `now` in office hours, else the next start of office hours (for office-hours-only messages). */
export function nextOfficeMoment(
  now: Date,
  calendar: WorkCalendar,
  hours: OfficeHours = DEFAULT_OFFICE_HOURS,
): Date {
  return isOfficeTime(now, calendar, hours) ? now : nextOfficeStart(now, calendar, hours)
}

/** The office-hours moment of each reminder kind for one deadline. */
export function reminderMoments(
  d: Deadline,
  calendar: WorkCalendar,
  s: Pick<ReminderSettings, 'dueSoonDays' | 'superviseAfterDays' | 'reportAfterDays'>,
  hours: OfficeHours = DEFAULT_OFFICE_HOURS,
): Record<ReminderKind, Date> {
  const start = (day: string) => shanghaiInstant(day, hours.start)
  const after = (n: number) => start(calendar.addWorkingDays(d.dueDay, n).day)
  return {
    dueSoon: start(workingDaysBefore(d.dueDay, s.dueSoonDays, calendar)),
    dueToday: start(d.dueDay),
    overdue: after(1),
    superviseHead: after(s.superviseAfterDays),
    reportSupervisor: after(s.reportAfterDays),
  }
}

/**
 * What to do with a watched case at `now`, and when to look again. Reminders fire only in
 * office hours of working days; a due-soon or due-today notice that can no longer be true
 * (the day passed, or the case is already overdue) is recorded as done without being sent,
 * while the overdue stages (催办, 督办, 通报) each go out once, to different people.
 */
export function planWatch(
  c: WatchedCase,
  now: Date,
  calendar: WorkCalendar,
  s: ReminderSettings,
  hours: OfficeHours = DEFAULT_OFFICE_HOURS,
): WatchPlan {
  if (RATING_WATCH_STATES.includes(c.state)) {
    if (!c.deliveredAt || c.rating)
      return { send: [], reminded: [...(c.reminded ?? [])], autoRate: false, next: null }
    const closes = ratingWindowClosesAt(toDate(c.deliveredAt), s.ratingWindowDays)
    const closed = now.getTime() >= closes.getTime()
    return { send: [], reminded: [...(c.reminded ?? [])], autoRate: closed, next: closed ? null : closes }
  }
  const deadlines = deadlinesOf(c)
  // Keys of earlier due days are dropped: an extension re-arms every reminder of the new date.
  const current = new Set(deadlines.map((d) => `${d.side}:${d.dueDay}`))
  const reminded = (c.reminded ?? []).filter((k) => {
    const side = k.startsWith('upper:') ? 'upper' : 'own'
    return current.has(`${side}:${k.slice(k.lastIndexOf(':') + 1)}`)
  })
  const done = new Set(reminded)
  const office = isOfficeTime(now, calendar, hours)
  const today = shanghaiDay(now)
  const send: PlannedReminder[] = []
  let next: Date | null = null
  const later = (m: Date) => {
    if (!next || m.getTime() < next.getTime()) next = m
  }
  for (const d of deadlines) {
    const moments = reminderMoments(d, calendar, s, hours)
    for (const kind of REMINDER_KINDS) {
      const key = reminderKey(d.side, kind, d.dueDay)
      if (done.has(key)) continue
      const m = moments[kind]
      if (m.getTime() > now.getTime()) {
        later(m)
        continue
      }
      if (!office) {
        later(nextOfficeStart(now, calendar, hours))
        continue
      }
      const beforeDue = now.getTime() < d.dueAt.getTime()
      const stillTrue =
        kind === 'dueSoon'
          ? beforeDue && today < d.dueDay
          : kind === 'dueToday'
            ? beforeDue && today === d.dueDay
            : true
      if (stillTrue) send.push({ event: kind, side: d.side, key, dueDay: d.dueDay })
      reminded.push(key)
      done.add(key)
    }
  }
  return { send, reminded, autoRate: false, next }
}

/** Which watched groups must be looked at again after a threshold change (moments moved earlier). */
export function watchResetAfter(
  before: ReminderSettings,
  after: ReminderSettings,
): { running: boolean; delivered: boolean } {
  // A moment that moves later needs nothing: the case wakes at its old moment and re-plans.
  return {
    running:
      after.dueSoonDays > before.dueSoonDays ||
      after.superviseAfterDays < before.superviseAfterDays ||
      after.reportAfterDays < before.reportAfterDays,
    delivered: after.ratingWindowDays < before.ratingWindowDays,
  }
}
