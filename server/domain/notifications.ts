/**
 * 订阅消息 rules, pure: which reminders a case is due for at a moment, office time, template
 * field limits, and retry backoff. Thresholds are settings (DOMAIN.md: due soon 1 working day
 * before, due today, overdue → 催办 the next working day, 督办 to the head at 3, 通报 to the
 * supervisor at 5 working days overdue).
 */
import type { NotifyEvent, ReminderSettings } from '../../typings/domain'
import type { WorkCalendar, OfficeHours } from './calendar'
import { DEFAULT_OFFICE_HOURS, shanghaiDay, shanghaiMinuteOfDay } from './calendar'

export type { NotifyEvent }

export type Audience = 'agent' | 'resident' | 'head' | 'supervisor' | 'admin'

export const EVENT_AUDIENCE: Record<NotifyEvent, Audience> = {
  caseAssigned: 'agent',
  supplementNeeded: 'resident',
  caseCompleted: 'resident',
  caseDelivered: 'resident',
  /** 延期 approved by the head: the resident hears the new date and the reason (DOMAIN.md). */
  caseExtended: 'resident',
  dueSoon: 'agent',
  dueToday: 'agent',
  overdue: 'agent',
  superviseHead: 'head',
  reportSupervisor: 'supervisor',
  badRating: 'head',
  dailyDigest: 'head',
  calendarMissing: 'admin',
  appointmentReminder: 'resident',
  visitRequested: 'head',
  visitConfirmed: 'resident',
  visitDeclined: 'resident',
  appointmentCancelled: 'resident',
  complaintFiled: 'supervisor',
  complaintReplied: 'resident',
  rectifyVisited: 'resident',
  rectifyOverdue: 'supervisor',
}

/** Reminders wait for office hours; case-flow notices to residents go out at once. */
export const OFFICE_HOURS_ONLY: ReadonlySet<NotifyEvent> = new Set([
  'dueSoon',
  'dueToday',
  'overdue',
  'superviseHead',
  'reportSupervisor',
  'dailyDigest',
  'calendarMissing',
  'rectifyOverdue',
])

export const NOTIFY_EVENTS = Object.keys(EVENT_AUDIENCE) as NotifyEvent[]

export type { ReminderSettings }

export const DEFAULT_REMINDERS: ReminderSettings = {
  dueSoonDays: 1,
  superviseAfterDays: 3,
  reportAfterDays: 5,
  ratingWindowDays: 7,
  rectifyDays: 5,
}

export function isOfficeTime(
  now: Date,
  calendar: WorkCalendar,
  hours: OfficeHours = DEFAULT_OFFICE_HOURS,
): boolean {
  const day = shanghaiDay(now)
  if (!calendar.isWorkday(day)) return false
  const m = shanghaiMinuteOfDay(now)
  const toMin = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))
  return m >= toMin(hours.start) && m < toMin(hours.end)
}

export interface Reminder {
  event: NotifyEvent
  /** Idempotency: one reminder of a kind per case and due date (an extension re-arms them). */
  key: string
}

/**
 * Reminders a running case is due for at `now` (call only in office time). Each kind fires once
 * per due date thanks to its key; overdue kinds stack (催办 day 1, 督办 day 3, 通报 day 5).
 */
export function remindersDue(
  c: { id: string; dueAt: Date; dueDay: string },
  now: Date,
  calendar: WorkCalendar,
  s: Pick<ReminderSettings, 'dueSoonDays' | 'superviseAfterDays' | 'reportAfterDays'> = DEFAULT_REMINDERS,
): Reminder[] {
  const today = shanghaiDay(now)
  const key = (kind: string) => `${c.id}:${kind}:${c.dueDay}`
  const out: Reminder[] = []
  if (now.getTime() < c.dueAt.getTime()) {
    if (today === c.dueDay) out.push({ event: 'dueToday', key: key('dueToday') })
    else if (calendar.workingDaysBetween(today, c.dueDay) <= s.dueSoonDays)
      out.push({ event: 'dueSoon', key: key('dueSoon') })
    return out
  }
  const overdueDays = calendar.workingDaysBetween(c.dueDay, today)
  if (overdueDays >= 1) out.push({ event: 'overdue', key: key('overdue') })
  if (overdueDays >= s.superviseAfterDays) out.push({ event: 'superviseHead', key: key('superviseHead') })
  if (overdueDays >= s.reportAfterDays) out.push({ event: 'reportSupervisor', key: key('reportSupervisor') })
  return out
}

/**
 * Subscribe-message value limits by keyword type
 * (https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/mp-message-management/subscribe-message/sendMessage.html).
 */
export const FIELD_LIMITS: Record<string, number> = {
  thing: 20,
  character_string: 32,
  phrase: 5,
  name: 10,
  number: 32,
  letter: 32,
  symbol: 5,
  phone_number: 17,
  amount: 32,
  time: 64,
  date: 64,
}

/** Fits a value to its keyword type: too long is cut with "…" (thing, name) or truncated. */
export function fitField(key: string, value: string): string {
  const type = key.replace(/\d+$/, '')
  const max = FIELD_LIMITS[type]
  const chars = [...(value || '—')]
  if (max === undefined || chars.length <= max) return chars.join('')
  return type === 'thing' || type === 'name'
    ? chars.slice(0, max - 1).join('') + '…'
    : chars.slice(0, max).join('')
}

/** Backoff for transient send failures: 1, 5, 15, 60 minutes, then give up. */
export const RETRY_DELAYS_MIN = [1, 5, 15, 60]

export function nextAttempt(attempts: number, now: Date): Date | null {
  const m = RETRY_DELAYS_MIN[attempts - 1]
  return m === undefined ? null : new Date(now.getTime() + m * 60_000)
}

/** WeChat errCodes that retrying will not fix: no grant (43101), bad template/data. */
export function isPermanent(errCode: number): boolean {
  return [43101, 40003, 40037, 47003, 41030].includes(errCode)
}

/** Template configured by the admin for an event: id, page to open and field mapping. */
export interface TemplateConfig {
  templateId: string
  page: string
  /** keyword (thing1, time2 …) → variable name (itemName, dueDay …). */
  fields: Record<string, string>
}
