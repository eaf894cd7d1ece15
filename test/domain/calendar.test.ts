import {
  WorkCalendar,
  addDays,
  computeDue,
  parseDay,
  shanghaiDay,
  shanghaiInstant,
} from '../../server/domain/calendar'
import { officialCalendarSource } from '../../server/domain/official-calendar'

const official = new WorkCalendar(officialCalendarSource())

describe('Shanghai day arithmetic', () => {
  it('maps a UTC instant to the Shanghai calendar day', () => {
    // 2026-11-29 16:30 UTC is already 00:30 on the 30th in Shanghai.
    expect(shanghaiDay(new Date('2026-11-29T16:30:00Z'))).toBe('2026-11-30')
    expect(shanghaiDay(new Date('2026-11-29T15:59:59Z'))).toBe('2026-11-29')
  })

  it('builds the instant of a Shanghai wall-clock time', () => {
    expect(shanghaiInstant('2026-12-01', '17:30').toISOString()).toBe('2026-12-01T09:30:00.000Z')
  })

  it('rejects impossible days', () => {
    expect(() => parseDay('2026-02-30')).toThrow(RangeError)
    expect(() => parseDay('2026/02/01')).toThrow(RangeError)
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01')
  })
})

describe('official 2026 schedule', () => {
  it('knows National Day holidays and the make-up Saturday', () => {
    expect(official.isWorkday('2026-10-01')).toBe(false)
    expect(official.isWorkday('2026-10-07')).toBe(false)
    // 2026-10-10 is a Saturday worked in lieu (调休上班).
    expect(official.isWorkday('2026-10-10')).toBe(true)
    expect(official.isWorkday('2026-10-11')).toBe(false)
  })

  it('counts from the day after acceptance and skips the Spring Festival', () => {
    // Accepted Friday 2026-02-13; 2026-02-14 (Sat) is a make-up workday; 15–23 are off.
    const res = official.addWorkingDays('2026-02-13', 2)
    expect(res).toEqual({ day: '2026-02-24', missingYears: [] })
  })

  it('due at the end of office hours on the last working day', () => {
    const accepted = new Date('2026-09-30T02:00:00Z') // 10:00 Shanghai, Wednesday
    const due = computeDue(accepted, 3, official)
    // Oct 1–7 off, Oct 8 (Thu), Oct 9 (Fri), Oct 10 (make-up Sat).
    expect(due.dueDay).toBe('2026-10-10')
    expect(due.dueAt.toISOString()).toBe('2026-10-10T09:30:00.000Z')
  })

  it('即办 on a non-working day rolls to the next working day', () => {
    expect(official.addWorkingDays('2026-10-03', 0).day).toBe('2026-10-08')
    expect(official.addWorkingDays('2026-10-09', 0).day).toBe('2026-10-09')
  })

  it('counts working days overdue', () => {
    expect(official.workingDaysBetween('2026-09-30', '2026-10-10')).toBe(3)
    expect(official.workingDaysBetween('2026-10-10', '2026-10-10')).toBe(0)
  })
})

describe('calendar coverage', () => {
  it('reports a year without official data instead of silently guessing', () => {
    const res = official.addWorkingDays('2026-12-28', 5)
    expect(res.day).toBe('2027-01-04')
    expect(res.missingYears).toEqual([2027])
    expect(official.coveredUntil()).toBe('2026-12-31')
  })

  it('admin overrides add days and cover the year', () => {
    const cal = new WorkCalendar({ ...officialCalendarSource(), coveredYears: [2026, 2027] }, [
      { date: '2027-01-01', kind: 'holiday' },
      { date: '2026-12-31', kind: 'holiday', note: 'test' },
    ])
    const res = cal.addWorkingDays('2026-12-30', 2)
    expect(res).toEqual({ day: '2027-01-05', missingYears: [] })
  })

  it('rejects negative or fractional working days', () => {
    expect(() => official.addWorkingDays('2026-01-05', -1)).toThrow(RangeError)
    expect(() => official.addWorkingDays('2026-01-05', 1.5)).toThrow(RangeError)
  })
})
