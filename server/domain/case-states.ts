/**
 * 案件状态机 (case lifecycle: 受理 → 承办 → 反馈 → 评价), deadlines and ratings.
 *
 * The states, their groups and labels are the shared vocabulary (typings/vocabulary.ts, re-exported
 * here); the allowed transitions are this module's. Who may take which action is case-rules.ts.
 *
 * Pure: no clock, no I/O. Instants are `Date` (UTC); days are Asia/Shanghai `YYYY-MM-DD`
 * (see ./calendar). `now` is always an argument.
 */

import { DEFAULT_OFFICE_HOURS, WorkCalendar, computeDue, shanghaiDay } from './calendar'
import type { DueResult, OfficeHours } from './calendar'

// The vocabulary (states, groups, labels) lives in typings/vocabulary.ts, the bottom layer that
// the mini-program shares; this module adds what the states mean: transitions, deadlines, ratings.
import {
  CASE_ACTIONS,
  CASE_ACTION_LABELS,
  CASE_STATE_LABELS,
  CLOCK_RUNNING_STATES,
  COMPLETED_STATES,
  HANDLING_TYPE_LABELS,
  OPEN_STATES,
  RATING_LABELS,
  TERMINAL_STATES,
  type CaseAction,
  type CaseState,
  type HandlingType,
  type RatingLevel,
} from '../../typings/vocabulary'

// ---------------------------------------------------------------------------------------------
// States
// ---------------------------------------------------------------------------------------------

export function isCaseState(value: unknown): value is CaseState {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(CASE_STATE_LABELS, value)
}

export function isOpen(state: CaseState): boolean {
  return OPEN_STATES.includes(state)
}

export function isTerminal(state: CaseState): boolean {
  return TERMINAL_STATES.includes(state)
}

export function isCompleted(state: CaseState): boolean {
  return COMPLETED_STATES.includes(state)
}

export function isClockRunning(state: CaseState): boolean {
  return CLOCK_RUNNING_STATES.includes(state)
}

// ---------------------------------------------------------------------------------------------
// Handling types (承办类型), chosen at acceptance
// ---------------------------------------------------------------------------------------------

export function isHandlingType(value: unknown): value is HandlingType {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(HANDLING_TYPE_LABELS, value)
}

/** The state a case enters when accepted with the given classification. */
export function acceptTarget(handling: HandlingType): CaseState {
  switch (handling) {
    case 'immediate':
    case 'promised':
      return 'accepted'
    case 'supplement':
      return 'awaiting_supplement'
    case 'escalated':
      return 'escalated'
  }
}

// ---------------------------------------------------------------------------------------------
// Actions and transitions
// ---------------------------------------------------------------------------------------------

export function isCaseAction(value: unknown): value is CaseAction {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(CASE_ACTION_LABELS, value)
}

export interface TransitionRule {
  readonly from: readonly CaseState[]
  /** `same`: the action is recorded in the timeline but the state does not change. */
  readonly to: CaseState | 'same'
}

/**
 * The allowed transitions. Decisions where DOMAIN.md is silent:
 * - `accept` goes to `accepted` here; the real target depends on the classification, see
 *   acceptTarget (补办件 → awaiting_supplement, 上报件 → escalated). transition() applies it.
 * - `completeUpper`: when the upper station finishes a 上报件 the case is 办结 (`completed`) and
 *   goes back to the owning agent, who delivers the result (只进一家门): escalated → completed.
 *   The owning agent cannot `complete` an escalated case itself.
 * - `withdraw`: the resident may withdraw only while the case is with their own agent and not
 *   yet 办结 (submitted, accepted, awaiting_supplement); once escalated it is in the upper
 *   station's hands.
 * - `reassign` (改派) keeps the state and is possible until work is done or forwarded upward.
 * - `extend` (延期, approved by the station head) keeps the state; the new due date is stored by
 *   the caller.
 */
export const TRANSITIONS: Readonly<Record<CaseAction, TransitionRule>> = Object.freeze({
  accept: { from: ['submitted'], to: 'accepted' },
  reject: { from: ['submitted'], to: 'rejected' },
  requestSupplement: { from: ['accepted'], to: 'awaiting_supplement' },
  supplement: { from: ['awaiting_supplement'], to: 'accepted' },
  escalate: { from: ['accepted'], to: 'escalated' },
  completeUpper: { from: ['escalated'], to: 'completed' },
  complete: { from: ['accepted'], to: 'completed' },
  deliver: { from: ['completed'], to: 'delivered' },
  rate: { from: ['delivered'], to: 'rated' },
  autoRate: { from: ['delivered'], to: 'rated' },
  withdraw: { from: ['submitted', 'accepted', 'awaiting_supplement'], to: 'withdrawn' },
  reassign: { from: ['submitted', 'accepted', 'awaiting_supplement'], to: 'same' },
  extend: { from: ['accepted', 'awaiting_supplement', 'escalated'], to: 'same' },
} satisfies Record<CaseAction, TransitionRule>)

/** Actions that must carry a non-blank reason (理由): 不予受理, 改派, 延期 (DOMAIN.md). */
export const REASON_REQUIRED_ACTIONS: readonly CaseAction[] = Object.freeze([
  'reject',
  'reassign',
  'extend',
] as const)

export function requiresReason(action: CaseAction): boolean {
  return REASON_REQUIRED_ACTIONS.includes(action)
}

export interface TransitionOptions {
  /** Required for `accept`: the classification decides the target state. */
  handling?: HandlingType
  /** Required (non-blank) for the actions in REASON_REQUIRED_ACTIONS. */
  reason?: string | null
}

export type TransitionResult = { ok: true; to: CaseState } | { ok: false; message: string }

/** Checks one action against the current state; the message is Chinese, for the user. */
export function transition(
  state: CaseState,
  action: CaseAction,
  opts: TransitionOptions = {},
): TransitionResult {
  // Guards for values read from the database or a request (the types cannot vouch for them).
  if (!isCaseState(state)) return { ok: false, message: `未知的案件状态：${String(state)}` }
  if (!isCaseAction(action)) return { ok: false, message: `未知的操作：${String(action)}` }

  const rule = TRANSITIONS[action]
  if (!rule.from.includes(state)) {
    return {
      ok: false,
      message: `当前状态为「${CASE_STATE_LABELS[state]}」，不能${CASE_ACTION_LABELS[action]}`,
    }
  }
  if (requiresReason(action) && !(typeof opts.reason === 'string' && opts.reason.trim() !== '')) {
    return { ok: false, message: `${CASE_ACTION_LABELS[action]}须说明理由` }
  }
  if (action === 'accept') {
    if (!isHandlingType(opts.handling)) {
      return { ok: false, message: '受理时须确定承办类型（即办件、承诺件、补办件或上报件）' }
    }
    return { ok: true, to: acceptTarget(opts.handling) }
  }
  return { ok: true, to: rule.to === 'same' ? state : rule.to }
}

/** Actions whose state precondition holds (reason/handling are checked by transition()). */
export function allowedActions(state: CaseState): CaseAction[] {
  return CASE_ACTIONS.filter((a) => TRANSITIONS[a].from.includes(state))
}

// ---------------------------------------------------------------------------------------------
// Deadlines (限时办结)
// ---------------------------------------------------------------------------------------------

/**
 * `computeDue`, except that a 0-day period (即办) started after the office day has ended rolls
 * to the end of the next working day: otherwise a case accepted at 20:00 would be overdue
 * before anyone could act on it.
 */
function dueFrom(start: Date, days: number, calendar: WorkCalendar, hours: OfficeHours): DueResult {
  const due = computeDue(start, days, calendar, hours)
  if (days === 0 && due.dueAt.getTime() <= start.getTime()) {
    const next = computeDue(start, 1, calendar, hours)
    return { ...next, missingYears: [...new Set([...due.missingYears, ...next.missingYears])].sort() }
  }
  return due
}

/**
 * Due moment fixed at acceptance. 即办件: end of office hours of the acceptance day (or of the
 * next working day when accepted on a rest day or after hours). 承诺件 and 上报件 (the owning
 * station's own deadline): `promisedDays` working days counted from the day after acceptance.
 * 补办件: `null`, the clock has not started; call dueAfterSupplement when materials arrive.
 * `missingYears` lists years the calendar has no official data for: warn the admin.
 */
export function dueAfterAcceptance(
  acceptedAt: Date,
  handling: 'supplement',
  promisedDays: number,
  calendar: WorkCalendar,
  hours?: OfficeHours,
): null
export function dueAfterAcceptance(
  acceptedAt: Date,
  handling: Exclude<HandlingType, 'supplement'>,
  promisedDays: number,
  calendar: WorkCalendar,
  hours?: OfficeHours,
): DueResult
export function dueAfterAcceptance(
  acceptedAt: Date,
  handling: HandlingType,
  promisedDays: number,
  calendar: WorkCalendar,
  hours?: OfficeHours,
): DueResult | null
export function dueAfterAcceptance(
  acceptedAt: Date,
  handling: HandlingType,
  promisedDays: number,
  calendar: WorkCalendar,
  hours: OfficeHours = DEFAULT_OFFICE_HOURS,
): DueResult | null {
  switch (handling) {
    case 'immediate':
      return dueFrom(acceptedAt, 0, calendar, hours)
    case 'promised':
    case 'escalated':
      return dueFrom(acceptedAt, promisedDays, calendar, hours)
    case 'supplement':
      return null
  }
}

/**
 * 补办件 restart: the full promised period again, counted from the day after the materials
 * arrived (so the same computation as acceptance, from the supply instant). Materials supplied
 * on a Friday evening therefore count from the next working day.
 */
export function dueAfterSupplement(
  suppliedAt: Date,
  promisedDays: number,
  calendar: WorkCalendar,
  hours: OfficeHours = DEFAULT_OFFICE_HOURS,
): DueResult {
  return dueFrom(suppliedAt, promisedDays, calendar, hours)
}

/** 上报件: the resident is shown the later of the owning station's and the upper station's due. */
export function residentDue(ownDue: Date, upperDue: Date | null): Date {
  if (upperDue === null) return ownDue
  return upperDue.getTime() > ownDue.getTime() ? upperDue : ownDue
}

/**
 * 承诺期限兑现: on time when completed strictly BEFORE the due moment ("completed before its
 * due moment"). Completing exactly at `dueAt` (17:30:00.000) is late.
 */
export function isOnTime(completedAt: Date, dueAt: Date): boolean {
  return completedAt.getTime() < dueAt.getTime()
}

/** Past the due moment (consistent with isOnTime: at exactly `dueAt` the case is overdue). */
export function isOverdue(now: Date, dueAt: Date): boolean {
  return !isOnTime(now, dueAt)
}

/**
 * Working days since the due day, for 催办 (1), 督办 (3) and 通报 (5): 0 when not overdue or
 * still on the due day; otherwise the working days strictly after the due day up to and
 * including today (Shanghai days; rest days do not count).
 */
export function workingDaysOverdue(now: Date, dueAt: Date, calendar: WorkCalendar): number {
  if (!isOverdue(now, dueAt)) return 0
  return calendar.workingDaysBetween(shanghaiDay(dueAt), shanghaiDay(now))
}

// ---------------------------------------------------------------------------------------------
// Rating (评价)
// ---------------------------------------------------------------------------------------------

/** Recorded (marked as default) when the rating window closes unrated. */
export const DEFAULT_RATING: RatingLevel = 'basic'

/** Default length of the rating window, in calendar days (a setting). */
export const DEFAULT_RATING_WINDOW_DAYS = 7

export function isRatingLevel(value: unknown): value is RatingLevel {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(RATING_LABELS, value)
}

/** 差评: 不满意 and 非常不满意; opens a rectification task (整改). */
export function isBadRating(level: RatingLevel): boolean {
  return level === 'dissatisfied' || level === 'very_dissatisfied'
}

/** Counts toward 群众评价满意率: 非常满意, 满意, 基本满意. */
export function isSatisfied(level: RatingLevel): boolean {
  return level === 'very_satisfied' || level === 'satisfied' || level === 'basic'
}

/** The instant the rating window closes: `days` calendar days (×24 h, no DST) after delivery. */
export function ratingWindowClosesAt(deliveredAt: Date, days: number = DEFAULT_RATING_WINDOW_DAYS): Date {
  if (!Number.isFinite(days) || days < 0) throw new RangeError(`rating window must be >= 0 days: ${days}`)
  return new Date(deliveredAt.getTime() + days * 86_400_000)
}

/** Whether an unrated delivered case may now be auto-rated (closed from the closing instant on). */
export function ratingWindowClosed(
  deliveredAt: Date,
  now: Date,
  days: number = DEFAULT_RATING_WINDOW_DAYS,
): boolean {
  return now.getTime() >= ratingWindowClosesAt(deliveredAt, days).getTime()
}
