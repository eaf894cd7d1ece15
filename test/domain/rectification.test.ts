import { WorkCalendar } from '../../server/domain/calendar'
import { officialCalendarSource } from '../../server/domain/official-calendar'
import {
  nextStep,
  rectifyDue,
  stepTransition,
  RECTIFY_STATUS_LABELS,
} from '../../server/domain/rectification'

const cal = new WorkCalendar(officialCalendarSource())

describe('整改 steps', () => {
  it('goes 核实 → 整改 → 回访 in order, then waits for the resident', () => {
    expect(nextStep('open')).toBe('verify')
    expect(nextStep('verified')).toBe('fix')
    expect(nextStep('fixed')).toBe('visit')
    expect(nextStep('visited')).toBeNull()
    expect(nextStep('closed')).toBeNull()
    expect(stepTransition('fix')).toEqual({ from: 'verified', to: 'fixed' })
    expect(Object.values(RECTIFY_STATUS_LABELS)).toEqual([
      '待核实',
      '待整改',
      '待回访',
      '待群众评价',
      '已办结',
    ])
  })

  it('is due at the end of the N-th working day, skipping weekends and holidays', () => {
    const friday = new Date('2026-12-04T16:00:00+08:00')
    expect(rectifyDue(friday, cal, 5).dueDay).toBe('2026-12-11')
    // Rated on the eve of National Day: the holiday week does not count, the make-up Saturday does.
    expect(rectifyDue(new Date('2026-09-30T10:00:00+08:00'), cal, 5).dueDay).toBe('2026-10-13')
    expect(rectifyDue(friday, cal, 1).dueAt.toISOString()).toBe('2026-12-07T09:30:00.000Z')
  })
})
