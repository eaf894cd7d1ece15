import type { RectificationView } from '../../typings/api'
import { RATING_LABELS } from '../../typings/vocabulary'
import {
  FIX_OUTCOME_LABELS,
  HEAD_STATUSES,
  RECTIFY_STATUS_LABELS,
  RECTIFY_STEP_LABELS,
  nextStep,
  type RectificationRecord,
} from '../domain/rectification'
import { formatInstant } from '../kit/notify'

const when = (d: Date) => formatInstant(new Date(d))

/** A 整改 task for display; staff also see the next step and the resident's name. */
export function rectificationView(r: RectificationRecord, now: Date, forStaff: boolean): RectificationView {
  const step = nextStep(r.status)
  return {
    caseId: r.caseId,
    caseNo: r.caseNo,
    itemName: r.itemName,
    stationId: r.stationId,
    status: r.status,
    statusLabel: RECTIFY_STATUS_LABELS[r.status],
    ratingLabel: RATING_LABELS[r.level],
    comment: r.comment,
    dueDay: r.dueDay,
    overdue: HEAD_STATUSES.includes(r.status) && new Date(r.dueAt).getTime() < now.getTime(),
    nextStep: forStaff ? step : null,
    nextStepLabel: forStaff && step ? RECTIFY_STEP_LABELS[step] : null,
    steps: r.steps.map((s) => ({
      label: s.step === 'fix' && s.outcome ? FIX_OUTCOME_LABELS[s.outcome] : RECTIFY_STEP_LABELS[s.step],
      note: s.note,
      at: when(s.at),
      byName: s.byName,
    })),
    fixRatingLabel: r.fixRating ? RATING_LABELS[r.fixRating.level] : r.autoClosed ? '逾期未评价' : null,
    calendarWarning: r.calendarMissingYears?.length ? '节假日安排尚未录入，整改期限可能调整' : null,
    ...(forStaff ? { applicantName: r.applicantName } : {}),
  }
}
