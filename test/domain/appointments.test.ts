import { WorkCalendar } from '../../server/domain/calendar'
import { officialCalendarSource } from '../../server/domain/official-calendar'
import {
  appointmentRemindersDue,
  dayBeforeWindow,
  remindersNotNeeded,
  bookableSlots,
  bookingProblem,
  changeProblem,
  inVisitWindow,
  orphanedBookings,
  markProblem,
  parseSlotKey,
  recentNoShows,
  scheduleProblem,
  slotsOn,
  visitWindowsProblem,
  DEFAULT_BOOKING_RULES,
} from '../../server/domain/appointments'
import type { AppointmentSchedule } from '../../typings/domain'

const cal = new WorkCalendar(officialCalendarSource())
const schedule: AppointmentSchedule = {
  _id: 'st-qs',
  kind: 'service',
  stationId: 'st-qs',
  periods: [
    { weekdays: [1, 2, 3, 4, 5], start: '09:00', end: '11:30', slotMinutes: 30, capacity: 5 },
    { weekdays: [1, 2, 3, 4, 5], start: '14:00', end: '17:00', slotMinutes: 60, capacity: 3 },
  ],
  exceptions: [{ date: '2026-12-09', closed: true }],
}

describe('appointment slots', () => {
  it('splits weekday opening hours into slots with capacity, and closes weekends, holidays and exceptions', () => {
    const tue = slotsOn(schedule, '2026-12-01', cal)
    expect(tue.map((s) => s.start)).toEqual([
      '09:00',
      '09:30',
      '10:00',
      '10:30',
      '11:00',
      '14:00',
      '15:00',
      '16:00',
    ])
    expect(tue[0]).toMatchObject({ key: 'st-qs:2026-12-01:09:00', capacity: 5, end: '09:30' })
    expect(tue[0]!.startsAt.toISOString()).toBe('2026-12-01T01:00:00.000Z')
    expect(slotsOn(schedule, '2026-12-05', cal)).toEqual([]) // Saturday
    expect(slotsOn(schedule, '2026-12-09', cal)).toEqual([]) // closed by exception
    expect(slotsOn(schedule, '2026-10-01', cal)).toEqual([]) // National Day
    expect(slotsOn(schedule, '2026-10-10', cal)).toHaveLength(8) // make-up Saturday opens with Monday's hours
  })

  it('offers 14 days ahead with 2 hours notice and explains refusals', () => {
    const now = new Date('2026-12-01T08:00:00+08:00')
    const slots = bookableSlots(schedule, now, cal)
    expect(slots[0]!.key).toBe('st-qs:2026-12-01:10:00')
    expect(slots.at(-1)!.day).toBe('2026-12-15')
    const byKey = new Map(slots.map((s) => [s.key, s]))
    expect(bookingProblem(byKey.get('st-qs:2026-12-02:09:00'), now)).toBeNull()
    const all = new Map(slotsOn(schedule, '2026-12-01', cal).map((s) => [s.key, s]))
    expect(bookingProblem(all.get('st-qs:2026-12-01:09:00'), now)).toBe('请至少提前 2 小时预约')
    expect(bookingProblem(undefined, now)).toContain('不开放预约')
    const later = slotsOn(schedule, '2026-12-16', cal)[0]
    expect(bookingProblem(later, now)).toBe('只能预约 14 天以内的时段')
    expect(bookingProblem(all.get('st-qs:2026-12-01:09:00'), new Date('2026-12-01T10:00:00+08:00'))).toBe(
      '该时段已过，请选择其他时间',
    )
  })
})

const at = (s: string) => new Date(`${s}+08:00`)

describe('leader reception days', () => {
  const leader: AppointmentSchedule = {
    _id: 'st-qs-leader',
    kind: 'leader',
    stationId: 'st-qs',
    hostAgentId: 'ag-1',
    periods: [{ weekdays: [2], start: '09:00', end: '11:30', slotMinutes: 30, capacity: 2 }],
    exceptions: [],
  }
  it('opens only on its weekday, keeps its own keys, and does not open on make-up Saturdays', () => {
    expect(slotsOn(leader, '2026-12-01', cal).map((s) => s.key)).toEqual([
      'st-qs-leader:2026-12-01:09:00',
      'st-qs-leader:2026-12-01:09:30',
      'st-qs-leader:2026-12-01:10:00',
      'st-qs-leader:2026-12-01:10:30',
      'st-qs-leader:2026-12-01:11:00',
    ])
    expect(slotsOn(leader, '2026-12-02', cal)).toEqual([])
    expect(slotsOn(leader, '2026-10-10', cal)).toEqual([])
    expect(parseSlotKey('st-qs-leader:2026-12-01:09:30')).toEqual({
      scheduleId: 'st-qs-leader',
      day: '2026-12-01',
      start: '09:30',
    })
    expect(parseSlotKey('st-qs:2026-12-1:09:30')).toBeNull()
  })
})

describe('changing and marking bookings', () => {
  const startsAt = at('2026-12-02T09:00:00')
  it('allows cancel or reschedule until the cutoff, only while active', () => {
    expect(changeProblem({ status: 'booked', startsAt }, at('2026-12-02T07:59:00'))).toBeNull()
    expect(changeProblem({ status: 'booked', startsAt }, at('2026-12-02T08:01:00'))).toBe(
      '开始前 1 小时内不能在线更改，请致电服务站',
    )
    expect(changeProblem({ status: 'cancelled', startsAt }, at('2026-12-01T08:00:00'))).toBe(
      '该预约已取消，不能再更改',
    )
    expect(changeProblem({ status: 'requested', startsAt: null }, at('2026-12-01T08:00:00'))).toBeNull()
    expect(
      changeProblem({ status: 'booked', startsAt }, at('2026-12-02T08:31:00'), {
        ...DEFAULT_BOOKING_RULES,
        cancelCutoffMinutes: 30,
      }),
    ).toBe('开始前 30 分钟内不能在线更改，请致电服务站')
  })

  it('marks arrival from an hour before, a no-show only after the start, corrections the same day', () => {
    const b = { status: 'booked' as const, startsAt, day: '2026-12-02' }
    expect(markProblem(b, 'arrived', at('2026-12-02T07:30:00'))).toBe('预约开始前 1 小时起才能登记到场')
    expect(markProblem(b, 'arrived', at('2026-12-02T08:10:00'))).toBeNull()
    expect(markProblem(b, 'no_show', at('2026-12-02T08:59:00'))).toBe('预约时间还没到，不能登记未到场')
    expect(markProblem(b, 'no_show', at('2026-12-02T09:20:00'))).toBeNull()
    const marked = { ...b, status: 'no_show' as const }
    expect(markProblem(marked, 'arrived', at('2026-12-02T11:00:00'))).toBeNull()
    expect(markProblem(marked, 'arrived', at('2026-12-03T09:00:00'))).toBe('到场情况已登记，只能当天更正')
    expect(
      markProblem({ status: 'requested', startsAt: null, day: null }, 'arrived', at('2026-12-02T09:00:00')),
    ).toBe('只有已确认的预约可以登记到场情况')
  })

  it('counts no-shows within the window', () => {
    const now = at('2026-12-01T10:00:00')
    expect(recentNoShows(['2026-09-01', '2026-09-03', '2026-11-20'], now)).toBe(2)
  })
})

describe('appointment reminders', () => {
  const b = {
    startsAt: at('2026-12-02T09:00:00'),
    day: '2026-12-02',
    createdAt: at('2026-11-28T10:00:00'),
    reminded: [] as string[],
  }
  it('reminds the day before between 09:00 and 21:00 and 2 hours before, once each', () => {
    expect(appointmentRemindersDue(b, at('2026-12-01T08:50:00'))).toEqual([])
    expect(appointmentRemindersDue(b, at('2026-12-01T09:00:00'))).toEqual(['dayBefore'])
    expect(appointmentRemindersDue(b, at('2026-12-01T21:00:00'))).toEqual([])
    expect(appointmentRemindersDue({ ...b, reminded: ['dayBefore'] }, at('2026-12-01T15:00:00'))).toEqual([])
    expect(appointmentRemindersDue({ ...b, reminded: ['dayBefore'] }, at('2026-12-02T07:00:00'))).toEqual([
      'soon',
    ])
    expect(
      appointmentRemindersDue({ ...b, reminded: ['dayBefore', 'soon'] }, at('2026-12-02T07:30:00')),
    ).toEqual([])
    expect(appointmentRemindersDue(b, at('2026-12-02T09:00:00'))).toEqual([])
  })
  it('skips reminders the resident does not need (booked the day before, or 3 hours before)', () => {
    const late = { ...b, createdAt: at('2026-12-01T10:00:00') }
    expect(appointmentRemindersDue(late, at('2026-12-01T12:00:00'))).toEqual([])
    expect(appointmentRemindersDue(late, at('2026-12-02T07:10:00'))).toEqual(['soon'])
    const veryLate = { ...b, createdAt: at('2026-12-02T06:30:00') }
    expect(appointmentRemindersDue(veryLate, at('2026-12-02T07:10:00'))).toEqual([])
  })
})

describe('home visits and schedules', () => {
  const now = at('2026-12-01T10:00:00')
  it('checks preferred windows: tomorrow onwards, working days, within the horizon, at most 3', () => {
    expect(visitWindowsProblem([{ day: '2026-12-02', part: 'am' }], now, cal)).toBeNull()
    expect(visitWindowsProblem([], now, cal)).toBe('请至少选择一个方便的时间')
    expect(visitWindowsProblem([{ day: '2026-12-01', part: 'pm' }], now, cal)).toBe(
      '上门服务请至少提前一天申请',
    )
    expect(visitWindowsProblem([{ day: '2026-12-05', part: 'am' }], now, cal)).toBe(
      '2026-12-05 不是工作日，请另选时间',
    )
    expect(visitWindowsProblem([{ day: '2026-12-16', part: 'am' }], now, cal)).toBe(
      '只能申请 14 天以内的上门时间',
    )
    expect(
      visitWindowsProblem(
        [
          { day: '2026-12-02', part: 'am' },
          { day: '2026-12-02', part: 'am' },
        ],
        now,
        cal,
      ),
    ).toBe('方便的时间有重复')
  })
  it('confirms a visit time only inside a chosen half day', () => {
    const w = [{ day: '2026-12-02', part: 'pm' as const }]
    expect(inVisitWindow(w, '2026-12-02', '14:30')).toBe(true)
    expect(inVisitWindow(w, '2026-12-02', '10:00')).toBe(false)
    expect(inVisitWindow(w, '2026-12-03', '14:30')).toBe(false)
  })
  it('rejects overlapping or empty periods', () => {
    const p = { weekdays: [1], slotMinutes: 30, capacity: 1 }
    expect(scheduleProblem([{ ...p, start: '09:00', end: '11:00' }])).toBeNull()
    expect(
      scheduleProblem([
        { ...p, start: '09:00', end: '11:00' },
        { ...p, start: '10:30', end: '12:00' },
      ]),
    ).toBe('周一的时段 10:30-12:00 与其他时段重叠')
    expect(scheduleProblem([{ ...p, start: '11:00', end: '09:00' }])).toBe(
      '时段 11:00-09:00 的结束时间应晚于开始时间',
    )
    expect(scheduleProblem([{ ...p, start: '09:00', end: '09:20' }])).toBe(
      '时段 09:00-09:20 不足一个 30 分钟的预约单元',
    )
  })
})

describe('schedule changes', () => {
  it('finds the bookings a changed schedule no longer offers; capacity cuts keep them', () => {
    const b = (slotKey: string) => ({ scheduleId: 'st-qs', slotKey, day: slotKey.slice(6, 16) })
    const booked = [b('st-qs:2026-12-01:09:00'), b('st-qs:2026-12-01:09:30'), b('st-qs:2026-12-02:14:00')]
    const hourly: AppointmentSchedule = {
      ...schedule,
      periods: [{ weekdays: [1, 2, 3, 4, 5], start: '09:00', end: '12:00', slotMinutes: 60, capacity: 1 }],
      exceptions: [],
    }
    expect(orphanedBookings(hourly, booked, cal).map((x) => x.slotKey)).toEqual([
      'st-qs:2026-12-01:09:30',
      'st-qs:2026-12-02:14:00',
    ])
    const closed = { ...schedule, exceptions: [{ date: '2026-12-02', closed: true }] }
    expect(orphanedBookings(closed, booked, cal).map((x) => x.slotKey)).toEqual(['st-qs:2026-12-02:14:00'])
    expect(orphanedBookings(schedule, [{ ...booked[0]!, scheduleId: 'other' }], cal)).toEqual([])
  })
})

describe('weekend hours and reminder windows', () => {
  it('opens a weekend only with hours set for that weekday, never on a statutory holiday', () => {
    const saturday: AppointmentSchedule = {
      ...schedule,
      periods: [
        ...schedule.periods,
        { weekdays: [6], start: '09:00', end: '11:00', slotMinutes: 60, capacity: 2 },
      ],
    }
    expect(slotsOn(saturday, '2026-12-05', cal).map((s) => s.start)).toEqual(['09:00', '10:00'])
    expect(slotsOn(saturday, '2026-12-06', cal)).toEqual([]) // Sunday: no hours
    expect(slotsOn(saturday, '2026-10-03', cal)).toEqual([]) // Saturday inside National Day
    expect(slotsOn(saturday, '2026-10-10', cal).map((s) => s.start)).toEqual(['09:00', '10:00']) // its own hours
    expect(parseSlotKey('st-qs:2026-02-30:09:00')).toBeNull()
  })

  it('records at booking time the reminders that will never be needed', () => {
    const startsAt = at('2026-12-03T09:00:00')
    expect(remindersNotNeeded(startsAt, '2026-12-03', at('2026-12-01T10:00:00'))).toEqual([])
    expect(remindersNotNeeded(startsAt, '2026-12-03', at('2026-12-02T10:00:00'))).toEqual(['dayBefore'])
    expect(remindersNotNeeded(startsAt, '2026-12-03', at('2026-12-03T06:30:00'))).toEqual([
      'dayBefore',
      'soon',
    ])
  })

  it('looks for tomorrow between 09:00 and 21:00 only', () => {
    expect(dayBeforeWindow(at('2026-12-01T08:59:00'))).toBeNull()
    expect(dayBeforeWindow(at('2026-12-01T21:00:00'))).toBeNull()
    const w = dayBeforeWindow(at('2026-12-01T09:00:00'))!
    expect([w.from.toISOString(), w.to.toISOString()]).toEqual([
      '2026-12-01T16:00:00.000Z',
      '2026-12-02T16:00:00.000Z',
    ])
  })
})
