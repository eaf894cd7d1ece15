import type { Agent, CaseRecord } from '../../typings/domain'
import { CASE_STATE_LABELS } from '../domain/case-states'
import {
  EVENT_AUDIENCE,
  OFFICE_HOURS_ONLY,
  fitField,
  isOfficeTime,
  type NotifyEvent,
} from '../domain/notifications'
import type { WorkCalendar } from '../domain/calendar'
import type { Deps } from './context'

/** Template configured by the admin for an event: id, page to open and field mapping. */
export interface TemplateConfig {
  templateId: string
  page: string
  /** keyword (thing1, time2 …) → variable name (itemName, dueDay …). */
  fields: Record<string, string>
}

function when(d: Date): string {
  const s = new Date(d.getTime() + 8 * 3600_000).toISOString()
  return `${s.slice(0, 10)} ${s.slice(11, 16)}`
}

async function recipientOf(deps: Deps, event: NotifyEvent, c: CaseRecord): Promise<string | null> {
  const audience = EVENT_AUDIENCE[event]
  if (audience === 'resident') return c.applicant.openid
  if (audience === 'agent') return (await deps.network.agent(c.assignedAgentId))?.openid ?? null
  if (audience === 'head') {
    const station = await deps.network.station(c.stationId)
    return station?.headAgentId ? ((await deps.network.agent(station.headAgentId))?.openid ?? null) : null
  }
  const supervisors = await deps.network.agentsByRole(audience === 'admin' ? 'admin' : 'supervisor')
  return supervisors.find((a: Agent) => a.openid)?.openid ?? null
}

/** A message to put in the outbox: who, which event, what fills the template, where it opens. */
export interface Message {
  event: NotifyEvent
  /** Idempotency key: the same key is never sent twice. */
  key: string
  recipient: string | null
  caseId: string
  /** Query string of the page the message opens. */
  query: string
  vars: Record<string, string>
}

/**
 * Puts a message in the outbox. Never throws: a notification problem must not break the case
 * flow; it is logged and the outbox shows what happened. Returns false when it could not be
 * queued, for callers that must try again later (a message already queued counts as queued).
 */
export async function enqueue(
  deps: Deps,
  now: Date,
  m: Message,
  /** Loops that queue many messages pass the templates read once, instead of one read each. */
  templates?: Partial<Record<NotifyEvent, TemplateConfig>>,
): Promise<boolean> {
  try {
    const t = (templates ?? (await deps.settings.templates()))[m.event]
    // No template configured for this event: nothing to send, and nothing failed.
    if (!t) return true
    const data = Object.fromEntries(
      Object.entries(t.fields).map(([k, v]) => [k, { value: fitField(k, m.vars[v] ?? v) }]),
    )
    await deps.outbox.enqueue({
      _id: m.key,
      event: m.event,
      recipientOpenid: m.recipient,
      caseId: m.caseId,
      templateId: t.templateId,
      page: m.query ? `${t.page}?${m.query}` : t.page,
      data,
      status: m.recipient ? 'pending' : 'skipped_no_recipient',
      attempts: 0,
      nextAttemptAt: now,
      lastError: m.recipient ? null : '接收人未绑定微信',
      createdAt: now,
      sentAt: null,
    })
    return true
  } catch (err) {
    console.error('[notify] could not enqueue', m.event, m.key, err)
    return false
  }
}

/** A notification about case `c` for the audience of `event`. */
export async function notify(
  deps: Deps,
  now: Date,
  event: NotifyEvent,
  c: CaseRecord,
  key?: string,
): Promise<void> {
  let recipient: string | null = null
  try {
    recipient = await recipientOf(deps, event, c)
  } catch (err) {
    console.error('[notify] recipient lookup failed', event, c._id, err)
  }
  await enqueue(deps, now, {
    event,
    key: key ?? `${c._id}:${event}:${c.version}`,
    recipient,
    caseId: c._id,
    query: `id=${encodeURIComponent(c._id)}`,
    vars: {
      itemName: c.item.name,
      caseNo: c.caseNo ?? '待受理',
      applicantName: c.applicant.name,
      state: CASE_STATE_LABELS[c.state],
      dueDay: c.dueDay ?? '—',
      result: c.result ?? '—',
      now: when(now),
      hint: event === 'caseDelivered' ? '请为本次服务评价' : '请及时办理',
    },
  })
}

/** Whether a message of this event may be sent now (reminders wait for office hours). */
export { when as formatInstant }

export function sendableNow(event: NotifyEvent, now: Date, calendar: WorkCalendar): boolean {
  return !OFFICE_HOURS_ONLY.has(event) || isOfficeTime(now, calendar)
}
