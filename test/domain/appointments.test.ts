import { WorkCalendar } from '../../server/domain/calendar'
import { officialCalendarSource } from '../../server/domain/official-calendar'
import {
  bookableSlots,
  bookingProblem,
  slotsOn,
  type AppointmentSchedule,
} from '../../server/domain/appointments'

const cal = new WorkCalendar(officialCalendarSource())
const schedule: AppointmentSchedule = {
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
