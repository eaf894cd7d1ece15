import type { SubscribeMoment } from '../../typings/domain'
import { EVENT_AUDIENCE, type Audience, type NotifyEvent } from './notifications'

export type { SubscribeMoment }

/**
 * Where the mini-program asks for subscribe-message grants (订阅消息). The platform lets a page
 * ask only on the user's tap, for at most three templates at a time; each moment is a tap where
 * the notices asked for make sense to the person tapping.
 */
/** The events whose notices are asked for at each moment (only the caller's own are asked). */
export const SUBSCRIBE_MOMENTS: Readonly<Record<SubscribeMoment, readonly NotifyEvent[]>> = {
  /** 提交申请: the three things that happen to most cases. */
  apply: ['supplementNeeded', 'caseCompleted', 'caseDelivered'],
  /** On the case page's next step (打电话, 补交材料): later news of the same case. */
  followCase: ['caseExtended', 'caseCompleted', 'caseDelivered'],
  /** 评价: a 差评 leads to the head's 回访, which the resident then rates. */
  rate: ['rectifyVisited'],
  book: ['appointmentReminder', 'appointmentCancelled'],
  visit: ['visitConfirmed', 'visitDeclined', 'appointmentReminder'],
  complaint: ['complaintReplied'],
  /** 工作台's 开启提醒: an agent's case notices, and a head's too. */
  workbench: [
    'caseAssigned',
    'dueSoon',
    'dueToday',
    'overdue',
    'superviseHead',
    'badRating',
    'visitRequested',
    'dailyDigest',
  ],
  /** 督查's pages. */
  supervise: ['reportSupervisor', 'complaintFiled', 'rectifyOverdue'],
  /** 管理员's settings page. */
  settings: ['calendarMissing'],
}

/** Moments for staff ask for long-term templates (政务 类目 allows them); residents' are one-time. */
export const STAFF_MOMENTS: ReadonlySet<SubscribeMoment> = new Set(['workbench', 'supervise', 'settings'])

export const SUBSCRIBE_BATCH = 3

/**
 * The template ids to ask for at `moment` by a caller who receives notices as `audiences`: the
 * templates configured for their events (several events may share one), in asks of three.
 */
export function subscribeBatches(
  moment: SubscribeMoment,
  audiences: readonly Audience[],
  templates: Partial<Record<NotifyEvent, { templateId: string }>>,
): string[][] {
  const ids: string[] = []
  for (const event of SUBSCRIBE_MOMENTS[moment]) {
    const id = templates[event]?.templateId
    if (id && audiences.includes(EVENT_AUDIENCE[event]) && !ids.includes(id)) ids.push(id)
  }
  const batches: string[][] = []
  for (let i = 0; i < ids.length; i += SUBSCRIBE_BATCH) batches.push(ids.slice(i, i + SUBSCRIBE_BATCH))
  return batches
}
