import { WorkCalendar, shanghaiInstant } from '../../server/domain/calendar'
import {
  DEFAULT_RATING,
  TRANSITIONS,
  acceptTarget,
  allowedActions,
  dueAfterAcceptance,
  dueAfterSupplement,
  isBadRating,
  isCaseAction,
  isCaseState,
  isClockRunning,
  isCompleted,
  isOnTime,
  isOpen,
  isOverdue,
  isRatingLevel,
  isSatisfied,
  isTerminal,
  ratingWindowClosed,
  ratingWindowClosesAt,
  requiresReason,
  residentDue,
  transition,
  workingDaysOverdue,
} from '../../server/domain/case-states'
import {
  CASE_ACTIONS,
  CASE_ACTION_LABELS,
  CASE_STATES,
  CASE_STATE_DESCRIPTIONS,
  CASE_STATE_LABELS,
  CLOCK_RUNNING_STATES,
  COMPLETED_STATES,
  HANDLING_TYPES,
  HANDLING_TYPE_LABELS,
  OPEN_STATES,
  RATING_LABELS,
  RATING_LEVELS,
  TERMINAL_STATES,
} from '../../typings/vocabulary'
import type { CaseAction, CaseState, HandlingType } from '../../typings/vocabulary'
import { officialCalendarSource } from '../../server/domain/official-calendar'

const official = new WorkCalendar(officialCalendarSource())

/** Shanghai wall-clock instant: `at('2026-09-30', '10:00')`. */
const at = (day: string, hhmm: string): Date => shanghaiInstant(day, hhmm)

// Written out by hand (not derived from the module) so that the matrix can actually fail.
const STATES: CaseState[] = [
  'submitted',
  'accepted',
  'awaiting_supplement',
  'escalated',
  'completed',
  'delivered',
  'rated',
  'withdrawn',
  'rejected',
]

const ACTIONS: CaseAction[] = [
  'accept',
  'reject',
  'requestSupplement',
  'supplement',
  'escalate',
  'completeUpper',
  'complete',
  'deliver',
  'rate',
  'autoRate',
  'withdraw',
  'reassign',
  'extend',
]

/**
 * action → (from → to) for every allowed pair; every pair not listed must be refused.
 * `accept` is checked here with handling 承诺件; the other classifications are tested below.
 */
const EXPECTED: Record<CaseAction, Partial<Record<CaseState, CaseState>>> = {
  accept: { submitted: 'accepted' },
  reject: { submitted: 'rejected' },
  requestSupplement: { accepted: 'awaiting_supplement' },
  supplement: { awaiting_supplement: 'accepted' },
  escalate: { accepted: 'escalated' },
  completeUpper: { escalated: 'completed' },
  complete: { accepted: 'completed' },
  deliver: { completed: 'delivered' },
  rate: { delivered: 'rated' },
  autoRate: { delivered: 'rated' },
  withdraw: { submitted: 'withdrawn', accepted: 'withdrawn', awaiting_supplement: 'withdrawn' },
  reassign: { submitted: 'submitted', accepted: 'accepted', awaiting_supplement: 'awaiting_supplement' },
  extend: { accepted: 'accepted', awaiting_supplement: 'awaiting_supplement', escalated: 'escalated' },
}

const FULL_OPTS = { handling: 'promised', reason: '测试理由' } as const

const matrix = STATES.flatMap((state) =>
  ACTIONS.map((action) => {
    const expected = EXPECTED[action][state] ?? null
    return { state, action, expected, outcome: expected ?? 'refused' }
  }),
)

describe('states, labels and groups', () => {
  it('lists exactly the nine states and thirteen actions', () => {
    expect([...CASE_STATES]).toEqual(STATES)
    expect([...CASE_ACTIONS]).toEqual(ACTIONS)
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...ACTIONS].sort())
  })

  it('labels every state in Chinese', () => {
    expect(CASE_STATE_LABELS).toEqual({
      submitted: '待受理',
      accepted: '已受理',
      awaiting_supplement: '待补正',
      escalated: '已上报',
      completed: '已办结',
      delivered: '已反馈',
      rated: '已评价',
      withdrawn: '已撤回',
      rejected: '不予受理',
    })
  })

  it('describes every state to the resident in plain words', () => {
    expect(CASE_STATE_DESCRIPTIONS.submitted).toBe('已提交，等待代理员受理')
    for (const s of STATES) expect(CASE_STATE_DESCRIPTIONS[s]).toMatch(/\p{Script=Han}/u)
    expect(new Set(STATES.map((s) => CASE_STATE_DESCRIPTIONS[s])).size).toBe(STATES.length)
  })

  it('labels every action', () => {
    for (const a of ACTIONS) expect(CASE_ACTION_LABELS[a]).toMatch(/^\p{Script=Han}+$/u)
    expect(CASE_ACTION_LABELS.accept).toBe('受理')
  })

  it('groups open, completed and terminal states without overlap', () => {
    expect([...OPEN_STATES].sort()).toEqual(['accepted', 'awaiting_supplement', 'escalated', 'submitted'])
    expect([...COMPLETED_STATES].sort()).toEqual(['completed', 'delivered', 'rated'])
    expect([...TERMINAL_STATES].sort()).toEqual(['rated', 'rejected', 'withdrawn'])
    expect([...CLOCK_RUNNING_STATES].sort()).toEqual(['accepted', 'escalated'])
    for (const s of STATES) {
      expect(isOpen(s)).toBe(OPEN_STATES.includes(s))
      expect(isTerminal(s)).toBe(TERMINAL_STATES.includes(s))
      expect(isCompleted(s)).toBe(COMPLETED_STATES.includes(s))
      expect(isClockRunning(s)).toBe(CLOCK_RUNNING_STATES.includes(s))
      expect(isOpen(s) && isTerminal(s)).toBe(false)
      expect(isOpen(s) && isCompleted(s)).toBe(false)
    }
    expect(isOpen('completed')).toBe(false)
    expect(isTerminal('delivered')).toBe(false)
  })

  it('recognises stored values', () => {
    expect(isCaseState('escalated')).toBe(true)
    expect(isCaseState('closed')).toBe(false)
    expect(isCaseState('toString')).toBe(false)
    expect(isCaseState(3)).toBe(false)
    expect(isCaseAction('completeUpper')).toBe(true)
    expect(isCaseAction('hasOwnProperty')).toBe(false)
  })

  it('labels the handling types', () => {
    expect(HANDLING_TYPE_LABELS).toEqual({
      immediate: '即办件',
      promised: '承诺件',
      supplement: '补办件',
      escalated: '上报件',
    })
    expect([...HANDLING_TYPES]).toEqual(['immediate', 'promised', 'supplement', 'escalated'])
  })
})

describe('transition matrix (every state × every action)', () => {
  it('covers 9 × 13 pairs', () => {
    expect(matrix).toHaveLength(117)
  })

  it.each(matrix)('$state + $action → $outcome', ({ state, action, expected }) => {
    const res = transition(state, action, FULL_OPTS)
    if (expected === null) {
      expect(res).toEqual({
        ok: false,
        message: `当前状态为「${CASE_STATE_LABELS[state]}」，不能${CASE_ACTION_LABELS[action]}`,
      })
    } else {
      expect(res).toEqual({ ok: true, to: expected })
    }
  })

  it.each(STATES)('allowedActions(%s) matches the expected table', (state) => {
    expect(allowedActions(state)).toEqual(ACTIONS.filter((a) => EXPECTED[a][state] !== undefined))
  })

  it('terminal states allow nothing; every other state allows something', () => {
    for (const s of STATES) expect(allowedActions(s).length === 0).toBe(isTerminal(s))
  })

  it('the table agrees with the expected matrix, including "same" for in-place actions', () => {
    for (const a of ACTIONS) {
      expect([...TRANSITIONS[a].from].sort()).toEqual(Object.keys(EXPECTED[a]).sort())
    }
    expect(TRANSITIONS.reassign.to).toBe('same')
    expect(TRANSITIONS.extend.to).toBe('same')
    expect(TRANSITIONS.completeUpper.to).toBe('completed')
  })

  it('gives the documented message for a forbidden action', () => {
    expect(transition('completed', 'accept', FULL_OPTS)).toEqual({
      ok: false,
      message: '当前状态为「已办结」，不能受理',
    })
  })
})

describe('transition options', () => {
  it.each<[HandlingType, CaseState]>([
    ['immediate', 'accepted'],
    ['promised', 'accepted'],
    ['supplement', 'awaiting_supplement'],
    ['escalated', 'escalated'],
  ])('accept as %s goes to %s', (handling, to) => {
    expect(acceptTarget(handling)).toBe(to)
    expect(transition('submitted', 'accept', { handling })).toEqual({ ok: true, to })
  })

  it('accept needs a classification', () => {
    const res = transition('submitted', 'accept')
    expect(res.ok).toBe(false)
    if (!res.ok) expect(res.message).toContain('承办类型')
    expect(transition('submitted', 'accept', { handling: 'urgent' as HandlingType }).ok).toBe(false)
  })

  it('reject, reassign and extend need a non-blank reason', () => {
    expect(requiresReason('reject')).toBe(true)
    expect(requiresReason('reassign')).toBe(true)
    expect(requiresReason('extend')).toBe(true)
    expect(requiresReason('withdraw')).toBe(false)
    expect(transition('submitted', 'reject')).toEqual({ ok: false, message: '不予受理须说明理由' })
    expect(transition('submitted', 'reject', { reason: '   ' })).toEqual({
      ok: false,
      message: '不予受理须说明理由',
    })
    expect(transition('submitted', 'reject', { reason: null })).toEqual({
      ok: false,
      message: '不予受理须说明理由',
    })
    expect(transition('submitted', 'reject', { reason: '不属于代理事项目录' })).toEqual({
      ok: true,
      to: 'rejected',
    })
    expect(transition('accepted', 'reassign', {})).toEqual({ ok: false, message: '改派须说明理由' })
    expect(transition('escalated', 'extend', {})).toEqual({ ok: false, message: '延期须说明理由' })
    expect(transition('escalated', 'extend', { reason: '需现场核查' })).toEqual({ ok: true, to: 'escalated' })
  })

  it('a wrong state is reported before a missing reason', () => {
    expect(transition('completed', 'reject')).toEqual({
      ok: false,
      message: '当前状态为「已办结」，不能不予受理',
    })
  })

  it('other actions need no options', () => {
    expect(transition('accepted', 'complete')).toEqual({ ok: true, to: 'completed' })
    expect(transition('submitted', 'withdraw')).toEqual({ ok: true, to: 'withdrawn' })
    expect(transition('delivered', 'autoRate')).toEqual({ ok: true, to: 'rated' })
  })

  it('refuses unknown values read from storage', () => {
    expect(transition('closed' as CaseState, 'accept', FULL_OPTS)).toEqual({
      ok: false,
      message: '未知的案件状态：closed',
    })
    expect(transition('submitted', 'approve' as CaseAction, FULL_OPTS)).toEqual({
      ok: false,
      message: '未知的操作：approve',
    })
  })

  it('walks a full 上报件 life: submitted → escalated → completed → delivered → rated', () => {
    let state: CaseState = 'submitted'
    const step = (action: CaseAction, opts = {}): void => {
      const res = transition(state, action, opts)
      if (!res.ok) throw new Error(res.message)
      state = res.to
    }
    step('accept', { handling: 'escalated' })
    step('extend', { reason: '上级需会商' })
    step('completeUpper')
    step('deliver')
    step('rate')
    expect(state).toBe('rated')
  })
})

describe('deadlines across the 2026 official calendar', () => {
  it('承诺件 over National Day ends on the make-up Saturday', () => {
    // Wed 2026-09-30 10:00; Oct 1–7 off; Oct 8, 9 and the make-up Sat Oct 10 are the 3 days.
    const due = dueAfterAcceptance(at('2026-09-30', '10:00'), 'promised', 3, official)
    expect(due).toEqual({ dueAt: new Date('2026-10-10T09:30:00Z'), dueDay: '2026-10-10', missingYears: [] })
  })

  it('承诺件 over the Spring Festival', () => {
    // Fri 2026-02-13; Sat 14 is worked in lieu; 15–23 are off.
    const due = dueAfterAcceptance(at('2026-02-13', '09:00'), 'promised', 2, official)
    expect(due.dueDay).toBe('2026-02-24')
    expect(due.dueAt.toISOString()).toBe('2026-02-24T09:30:00.000Z')
  })

  it('即办件 is due at the end of the same working day', () => {
    const due = dueAfterAcceptance(at('2026-11-25', '16:00'), 'immediate', 5, official)
    expect(due).toEqual({ dueAt: at('2026-11-25', '17:30'), dueDay: '2026-11-25', missingYears: [] })
  })

  it('即办件 accepted on a holiday Saturday is due at the end of the next working day', () => {
    const due = dueAfterAcceptance(at('2026-10-03', '10:00'), 'immediate', 0, official)
    expect(due.dueDay).toBe('2026-10-08')
    expect(due.dueAt.toISOString()).toBe('2026-10-08T09:30:00.000Z')
  })

  it('即办件 on the make-up Saturday counts that Saturday', () => {
    const due = dueAfterAcceptance(at('2026-10-10', '09:00'), 'immediate', 0, official)
    expect(due.dueDay).toBe('2026-10-10')
  })

  it('即办件 accepted after office hours rolls to the next working day (decision)', () => {
    // Fri 2026-10-09 20:00: the same working day is over; next is the make-up Saturday.
    expect(dueAfterAcceptance(at('2026-10-09', '20:00'), 'immediate', 0, official).dueDay).toBe('2026-10-10')
    // Exactly at closing time also rolls over; one minute before does not.
    expect(dueAfterAcceptance(at('2026-11-25', '17:30'), 'immediate', 0, official).dueDay).toBe('2026-11-26')
    expect(dueAfterAcceptance(at('2026-11-25', '17:29'), 'immediate', 0, official).dueDay).toBe('2026-11-25')
  })

  it('承诺件 time of day does not matter: counting starts the next day', () => {
    const morning = dueAfterAcceptance(at('2026-11-25', '08:00'), 'promised', 1, official)
    const night = dueAfterAcceptance(at('2026-11-25', '23:59'), 'promised', 1, official)
    expect(morning.dueDay).toBe('2026-11-26')
    expect(night.dueDay).toBe('2026-11-26')
  })

  it('respects custom office hours', () => {
    const due = dueAfterAcceptance(at('2026-11-25', '10:00'), 'promised', 1, official, {
      start: '09:00',
      end: '18:00',
    })
    expect(due.dueAt).toEqual(at('2026-11-26', '18:00'))
  })

  it('补办件 has no due date until the materials arrive', () => {
    expect(dueAfterAcceptance(at('2026-11-25', '10:00'), 'supplement', 5, official)).toBeNull()
  })

  it('补办件 restarts the full period from the next working day after a Friday-evening supply', () => {
    // Fri 2026-11-27 19:00 → Mon 30, Tue Dec 1, Wed Dec 2.
    const due = dueAfterSupplement(at('2026-11-27', '19:00'), 3, official)
    expect(due).toEqual({ dueAt: new Date('2026-12-02T09:30:00Z'), dueDay: '2026-12-02', missingYears: [] })
    // Same result as a Saturday supply: the rest day is not counted.
    expect(dueAfterSupplement(at('2026-11-28', '10:00'), 3, official).dueDay).toBe('2026-12-02')
  })

  it('补办件 supplied on the Friday before the make-up Saturday counts that Saturday', () => {
    expect(dueAfterSupplement(at('2026-10-09', '19:00'), 1, official).dueDay).toBe('2026-10-10')
  })

  it('补办件 restart gives the full period again, not the remainder', () => {
    const original = dueAfterAcceptance(at('2026-11-02', '10:00'), 'promised', 5, official)
    expect(original.dueDay).toBe('2026-11-09')
    // Materials arrive Wed Nov 4: five full working days from Thu Nov 5.
    expect(dueAfterSupplement(at('2026-11-04', '15:00'), 5, official).dueDay).toBe('2026-11-11')
  })

  it('上报件: the resident sees the later of the two due dates', () => {
    const own = dueAfterAcceptance(at('2026-11-02', '10:00'), 'escalated', 3, official)
    expect(own.dueDay).toBe('2026-11-05')
    // The township accepts it on Nov 4 with its own 5-day item.
    const upper = dueAfterAcceptance(at('2026-11-04', '09:00'), 'promised', 5, official)
    expect(upper.dueDay).toBe('2026-11-11')
    expect(residentDue(own.dueAt, upper.dueAt)).toEqual(upper.dueAt)
    expect(residentDue(upper.dueAt, own.dueAt)).toEqual(upper.dueAt)
    expect(residentDue(own.dueAt, null)).toEqual(own.dueAt)
    expect(residentDue(own.dueAt, own.dueAt)).toEqual(own.dueAt)
  })

  it('on time means strictly before the due moment', () => {
    const dueAt = at('2026-10-10', '17:30')
    expect(isOnTime(new Date(dueAt.getTime() - 1), dueAt)).toBe(true)
    expect(isOnTime(at('2026-10-08', '09:00'), dueAt)).toBe(true)
    expect(isOnTime(dueAt, dueAt)).toBe(false)
    expect(isOnTime(new Date(dueAt.getTime() + 1), dueAt)).toBe(false)
    expect(isOverdue(new Date(dueAt.getTime() - 1), dueAt)).toBe(false)
    expect(isOverdue(dueAt, dueAt)).toBe(true)
  })

  it('counts working days overdue across National Day and the make-up Saturday', () => {
    const dueAt = at('2026-09-30', '17:30')
    expect(workingDaysOverdue(at('2026-09-30', '10:00'), dueAt, official)).toBe(0)
    // Overdue the same evening, but no working day has passed yet.
    expect(isOverdue(at('2026-09-30', '18:00'), dueAt)).toBe(true)
    expect(workingDaysOverdue(at('2026-09-30', '18:00'), dueAt, official)).toBe(0)
    expect(workingDaysOverdue(at('2026-10-05', '10:00'), dueAt, official)).toBe(0)
    expect(workingDaysOverdue(at('2026-10-08', '00:00'), dueAt, official)).toBe(1) // 催办
    expect(workingDaysOverdue(at('2026-10-09', '09:00'), dueAt, official)).toBe(2)
    expect(workingDaysOverdue(at('2026-10-10', '09:00'), dueAt, official)).toBe(3) // 督办
    expect(workingDaysOverdue(at('2026-10-11', '09:00'), dueAt, official)).toBe(3)
    expect(workingDaysOverdue(at('2026-10-13', '09:00'), dueAt, official)).toBe(5) // 通报
  })

  it('uses Shanghai days, not UTC days, for overdue counting', () => {
    // 2026-10-07T16:30Z is already 00:30 on Thu Oct 8 in Shanghai.
    expect(workingDaysOverdue(new Date('2026-10-07T16:30:00Z'), at('2026-09-30', '17:30'), official)).toBe(1)
    expect(workingDaysOverdue(new Date('2026-10-07T15:59:00Z'), at('2026-09-30', '17:30'), official)).toBe(0)
  })

  it('warns when the due date falls in a year without official data', () => {
    const due = dueAfterAcceptance(at('2026-12-28', '10:00'), 'promised', 5, official)
    expect(due.dueDay).toBe('2027-01-04')
    expect(due.missingYears).toEqual([2027])
    expect(dueAfterSupplement(at('2026-12-30', '10:00'), 2, official).missingYears).toEqual([2027])
    expect(dueAfterAcceptance(at('2026-12-21', '10:00'), 'promised', 5, official).missingYears).toEqual([])
  })

  it('即办件 rolling over into an uncovered year also warns', () => {
    const due = dueAfterAcceptance(at('2026-12-31', '18:00'), 'immediate', 0, official)
    expect(due.dueDay).toBe('2027-01-01')
    expect(due.missingYears).toEqual([2027])
  })

  it('rejects an invalid promised period', () => {
    expect(() => dueAfterAcceptance(at('2026-11-25', '10:00'), 'promised', -1, official)).toThrow(RangeError)
    expect(() => dueAfterSupplement(at('2026-11-25', '10:00'), 1.5, official)).toThrow(RangeError)
  })
})

describe('rating', () => {
  it('has five levels with Chinese labels, best first', () => {
    expect([...RATING_LEVELS]).toEqual([
      'very_satisfied',
      'satisfied',
      'basic',
      'dissatisfied',
      'very_dissatisfied',
    ])
    expect(RATING_LEVELS.map((l) => RATING_LABELS[l])).toEqual([
      '非常满意',
      '满意',
      '基本满意',
      '不满意',
      '非常不满意',
    ])
  })

  it('splits satisfied from 差评', () => {
    expect(RATING_LEVELS.filter(isSatisfied)).toEqual(['very_satisfied', 'satisfied', 'basic'])
    expect(RATING_LEVELS.filter(isBadRating)).toEqual(['dissatisfied', 'very_dissatisfied'])
    for (const l of RATING_LEVELS) expect(isSatisfied(l)).toBe(!isBadRating(l))
  })

  it('defaults to 基本满意, which counts as satisfied', () => {
    expect(DEFAULT_RATING).toBe('basic')
    expect(RATING_LABELS[DEFAULT_RATING]).toBe('基本满意')
    expect(isSatisfied(DEFAULT_RATING)).toBe(true)
  })

  it('recognises stored levels', () => {
    expect(isRatingLevel('basic')).toBe(true)
    expect(isRatingLevel('good')).toBe(false)
    expect(isRatingLevel(undefined)).toBe(false)
  })

  it('closes the rating window 7 calendar days after delivery, holidays included', () => {
    const delivered = at('2026-09-30', '15:00')
    expect(ratingWindowClosesAt(delivered)).toEqual(at('2026-10-07', '15:00'))
    expect(ratingWindowClosed(delivered, at('2026-10-07', '14:59'))).toBe(false)
    expect(ratingWindowClosed(delivered, at('2026-10-07', '15:00'))).toBe(true)
    expect(ratingWindowClosed(delivered, at('2026-10-08', '09:00'))).toBe(true)
  })

  it('honours a configured window length', () => {
    const delivered = at('2026-11-20', '10:00')
    expect(ratingWindowClosed(delivered, at('2026-11-23', '09:59'), 3)).toBe(false)
    expect(ratingWindowClosed(delivered, at('2026-11-23', '10:00'), 3)).toBe(true)
    expect(() => ratingWindowClosesAt(delivered, -1)).toThrow(RangeError)
  })
})
