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
  const supervisors = await deps.network.agentsByRole('supervisor')
  return supervisors.find((a: Agent) => a.openid)?.openid ?? null
}

/**
 * Puts a notification for `event` about case `c` in the outbox. Never throws: a notification
 * problem must not break the case flow; it is logged and the outbox shows what happened.
 */
export async function notify(
  deps: Deps,
  now: Date,
  event: NotifyEvent,
  c: CaseRecord,
  key?: string,
): Promise<void> {
  try {
    const templates = await deps.settings.templates()
    const t = templates[event]
    if (!t) return
    const recipient = await recipientOf(deps, event, c)
    const vars: Record<string, string> = {
      itemName: c.item.name,
      caseNo: c.caseNo ?? '待受理',
      applicantName: c.applicant.name,
      state: CASE_STATE_LABELS[c.state],
      dueDay: c.dueDay ?? '—',
      result: c.result ?? '—',
      now: when(now),
      hint: event === 'caseDelivered' ? '请为本次服务评价' : '请及时办理',
    }
    const data = Object.fromEntries(
      Object.entries(t.fields).map(([k, v]) => [k, { value: fitField(k, vars[v] ?? v) }]),
    )
    await deps.outbox.enqueue({
      _id: key ?? `${c._id}:${event}:${c.version}`,
      event,
      recipientOpenid: recipient,
      caseId: c._id,
      templateId: t.templateId,
      page: `${t.page}?id=${encodeURIComponent(c._id)}`,
      data,
      status: recipient ? 'pending' : 'skipped_no_recipient',
      attempts: 0,
      nextAttemptAt: now,
      lastError: recipient ? null : '接收人未绑定微信',
      createdAt: now,
      sentAt: null,
    })
  } catch (err) {
    console.error('[notify] could not enqueue', event, c._id, err)
  }
}

/** Whether a message of this event may be sent now (reminders wait for office hours). */
export function sendableNow(event: NotifyEvent, now: Date, calendar: WorkCalendar): boolean {
  return !OFFICE_HOURS_ONLY.has(event) || isOfficeTime(now, calendar)
}
