/**
 * 整改 (the 好差评 loop), pure: a 差评 opens a task for the station head — 核实 (verify), 整改或
 * 说明 (fix or explain), 回访 (return visit) within N working days (a setting, default 5) — and
 * the resident then rates the fix. This module owns the task states and their Chinese labels.
 */
import type { WorkCalendar } from './calendar'
import { dueAfterAcceptance } from './case-states'
import type { RatingLevel } from '../../typings/vocabulary'

export type RectifyStatus = 'open' | 'verified' | 'fixed' | 'visited' | 'closed'
export type RectifyStep = 'verify' | 'fix' | 'visit'

export const RECTIFY_STATUS_LABELS: Record<RectifyStatus, string> = {
  open: '待核实',
  verified: '待整改',
  fixed: '待回访',
  visited: '待群众评价',
  closed: '已办结',
}

export const RECTIFY_STEP_LABELS: Record<RectifyStep, string> = {
  verify: '核实',
  fix: '整改',
  visit: '回访',
}

/** Each step moves the task one state on, in this order only. */
const NEXT: Record<RectifyStep, { from: RectifyStatus; to: RectifyStatus }> = {
  verify: { from: 'open', to: 'verified' },
  fix: { from: 'verified', to: 'fixed' },
  visit: { from: 'fixed', to: 'visited' },
}

export function stepTransition(step: RectifyStep): { from: RectifyStatus; to: RectifyStatus } {
  return NEXT[step]
}

/** The step a task waits for, or null when it is the resident's turn or done. */
export function nextStep(status: RectifyStatus): RectifyStep | null {
  return (Object.keys(NEXT) as RectifyStep[]).find((s) => NEXT[s].from === status) ?? null
}

/** Still the head's to act on (counts toward overdue). */
export const HEAD_STATUSES: readonly RectifyStatus[] = ['open', 'verified', 'fixed']

/** Due at the end of office hours of the N-th working day after the 差评 (N: a setting, default 5). */
export function rectifyDue(
  openedAt: Date,
  calendar: WorkCalendar,
  days: number,
): { dueAt: Date; dueDay: string; missingYears: number[] } {
  return dueAfterAcceptance(openedAt, 'promised', days, calendar)
}

export type FixOutcome = 'fixed' | 'explained'
export const FIX_OUTCOME_LABELS: Record<FixOutcome, string> = { fixed: '已整改', explained: '已解释说明' }

export interface RectificationRecord {
  _id: string
  caseId: string
  caseNo: string | null
  itemName: string
  stationId: string
  applicantOpenid: string | null
  applicantName: string
  level: RatingLevel
  comment: string
  status: RectifyStatus
  openedAt: Date
  dueAt: Date
  dueDay: string
  steps: {
    step: RectifyStep
    note: string
    outcome: FixOutcome | null
    at: Date
    by: string
    byName: string
  }[]
  fixRating: { level: RatingLevel; at: Date } | null
  overdueNotified: boolean
  /** Set at the 回访: the resident's rating window for the fix runs from here. */
  visitedAt?: Date
  /** Closed by the rating window without the resident's verdict. */
  autoClosed?: boolean
  /** Years the due date needed but the calendar lacks (the date may move once entered). */
  calendarMissingYears: number[]
}

export const rectificationId = (caseId: string) => `rf-${caseId}`
