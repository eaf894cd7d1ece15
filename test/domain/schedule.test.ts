import { WorkCalendar } from '../../server/domain/calendar'
import { officialCalendarSource } from '../../server/domain/official-calendar'
import { DEFAULT_REMINDERS } from '../../server/domain/notifications'
import {
  isWatched,
  nextOfficeMoment,
  planWatch,
  watchResetAfter,
  type WatchedCase,
} from '../../server/domain/schedule'

const cal = new WorkCalendar(officialCalendarSource())
const at = (iso: string) => new Date(iso)
const iso = (d: Date | null) => (d ? new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 16) : null)

// Accepted, due Monday 2026-12-07 17:30 Shanghai.
const running: WatchedCase = {
  state: 'accepted',
  dueAt: at('2026-12-07T17:30:00+08:00'),
  dueDay: '2026-12-07',
  upper: null,
  deliveredAt: null,
  rating: null,
  reminded: [],
}

/** Drives a case through the schedule as the timer would: wake at each moment, act, move on. */
function walk(c: WatchedCase, from: string, s = DEFAULT_REMINDERS, until = '2026-12-31T00:00:00+08:00') {
  const log: string[] = []
  let reminded: string[] = []
  let now: Date | null = at(from)
  while (now && now.getTime() < at(until).getTime()) {
    const plan = planWatch({ ...c, reminded }, now, cal, s)
    for (const r of plan.send) log.push(`${iso(now)} ${r.side === 'upper' ? 'upper:' : ''}${r.event}`)
    reminded = plan.reminded
    now = plan.next
  }
  return log
}

describe('the reminder schedule (planWatch)', () => {
  it('wakes only at the office-hours moments, each reminder once, then leaves the schedule', () => {
    expect(walk(running, '2026-11-30T09:00:00+08:00')).toEqual([
      '2026-12-04T08:30 dueSoon', // Friday: one working day before (across the weekend)
      '2026-12-07T08:30 dueToday',
      '2026-12-08T08:30 overdue', // 催办
      '2026-12-10T08:30 superviseHead', // 督办 at 3 working days
      '2026-12-14T08:30 reportSupervisor', // 通报 at 5
    ])
    const last = planWatch(
      { ...running, reminded: ['dueSoon:2026-12-07', 'dueToday:2026-12-07', 'overdue:2026-12-07'] },
      at('2026-12-10T09:00:00+08:00'),
      cal,
      DEFAULT_REMINDERS,
    )
    expect(last.send.map((r) => r.event)).toEqual(['superviseHead'])
    expect(iso(last.next)).toBe('2026-12-14T08:30')
  })

  it('honours dueSoonDays above 1 and the other thresholds', () => {
    const s = { ...DEFAULT_REMINDERS, dueSoonDays: 2, superviseAfterDays: 2, reportAfterDays: 4 }
    expect(walk(running, '2026-11-30T09:00:00+08:00', s)).toEqual([
      '2026-12-03T08:30 dueSoon',
      '2026-12-07T08:30 dueToday',
      '2026-12-08T08:30 overdue',
      '2026-12-09T08:30 superviseHead',
      '2026-12-11T08:30 reportSupervisor',
    ])
  })

  it('sends nothing outside office hours, waits for the next office morning, and drops stale notices', () => {
    const evening = planWatch(running, at('2026-12-04T20:00:00+08:00'), cal, DEFAULT_REMINDERS)
    expect(evening.send).toEqual([])
    expect(iso(evening.next)).toBe('2026-12-07T08:30')
    // First looked at when already overdue (e.g. the timer was down): no "due soon" any more,
    // but every overdue stage reached goes out, once.
    const late = planWatch(running, at('2026-12-10T10:00:00+08:00'), cal, DEFAULT_REMINDERS)
    expect(late.send.map((r) => r.event)).toEqual(['overdue', 'superviseHead'])
    expect(late.reminded).toEqual([
      'dueSoon:2026-12-07',
      'dueToday:2026-12-07',
      'overdue:2026-12-07',
      'superviseHead:2026-12-07',
    ])
  })

  it('re-arms every reminder when the due date moves (延期)', () => {
    const extended = { ...running, dueAt: at('2026-12-09T17:30:00+08:00'), dueDay: '2026-12-09' }
    const plan = planWatch(
      { ...extended, reminded: ['dueSoon:2026-12-07', 'dueToday:2026-12-07'] },
      at('2026-12-08T09:00:00+08:00'),
      cal,
      DEFAULT_REMINDERS,
    )
    expect(plan.send.map((r) => r.key)).toEqual(['dueSoon:2026-12-09'])
    expect(plan.reminded).toEqual(['dueSoon:2026-12-09'])
  })

  it('watches the upper station’s own deadline of a 上报件 beside the owner’s', () => {
    const escalated: WatchedCase = {
      ...running,
      state: 'escalated',
      upper: {
        acceptedAt: at('2026-12-01T10:00:00+08:00'),
        dueAt: at('2026-12-08T17:30:00+08:00'),
        completedAt: null,
      },
    }
    expect(
      walk(escalated, '2026-12-07T09:00:00+08:00', DEFAULT_REMINDERS, '2026-12-10T00:00:00+08:00'),
    ).toEqual([
      '2026-12-07T09:00 dueToday',
      '2026-12-07T09:00 upper:dueSoon',
      '2026-12-08T08:30 overdue',
      '2026-12-08T08:30 upper:dueToday',
      '2026-12-09T08:30 upper:overdue',
    ])
    // Not yet accepted upstairs: only the owner's clock runs.
    expect(isWatched({ ...escalated, upper: { acceptedAt: null, dueAt: null, completedAt: null } })).toBe(
      true,
    )
  })

  it('closes the rating window at its moment, any hour', () => {
    const delivered: WatchedCase = {
      ...running,
      state: 'delivered',
      deliveredAt: at('2026-12-08T20:00:00+08:00'),
    }
    const before = planWatch(delivered, at('2026-12-09T10:00:00+08:00'), cal, DEFAULT_REMINDERS)
    expect(before).toMatchObject({ autoRate: false, send: [] })
    expect(iso(before.next)).toBe('2026-12-15T20:00')
    expect(planWatch(delivered, at('2026-12-15T20:00:00+08:00'), cal, DEFAULT_REMINDERS)).toMatchObject({
      autoRate: true,
      next: null,
    })
    expect(isWatched({ ...delivered, rating: { level: 'satisfied' } })).toBe(false)
    expect(isWatched({ ...running, state: 'awaiting_supplement', dueAt: null, dueDay: null })).toBe(false)
  })

  it('re-plans open cases only when a threshold moves a moment earlier', () => {
    const d = DEFAULT_REMINDERS
    expect(watchResetAfter(d, { ...d, dueSoonDays: 2 })).toEqual({ running: true, delivered: false })
    expect(watchResetAfter(d, { ...d, reportAfterDays: 6 })).toEqual({ running: false, delivered: false })
    expect(watchResetAfter(d, { ...d, ratingWindowDays: 5 })).toEqual({ running: false, delivered: true })
  })

  it('office-hours messages wait for the next office morning, across holidays', () => {
    expect(iso(nextOfficeMoment(at('2026-12-04T10:00:00+08:00'), cal))).toBe('2026-12-04T10:00')
    expect(iso(nextOfficeMoment(at('2026-12-04T18:00:00+08:00'), cal))).toBe('2026-12-07T08:30')
    expect(iso(nextOfficeMoment(at('2026-09-30T18:00:00+08:00'), cal))).toBe('2026-10-08T08:30') // 国庆 1–7 Oct
  })
})
