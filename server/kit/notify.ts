import type { Agent, CaseRecord } from '../../typings/domain'
import { CASE_STATE_LABELS } from '../domain/case-states'
import {
  EVENT_AUDIENCE,
  OFFICE_HOURS_ONLY,
  fitField,
  type NotifyEvent,
  type TemplateConfig,
} from '../domain/notifications'
import { shanghaiDateTime } from '../../typings/vocabulary'
import type { WorkCalendar } from '../domain/calendar'
import { nextOfficeMoment, type DeadlineSide } from '../domain/schedule'
import { loadCalendar, type Deps } from './context'

export type { TemplateConfig }

const when = (d: Date): string => shanghaiDateTime(d)

/** One addressee of a notice: roster id (for per-person keys) and WeChat openid if linked. */
interface Recipient {
  id: string
  openid: string | null
}

/**
 * Who hears about `event` on case `c`. Supervisor and admin notices go to every one of them:
 * an unlinked one is still a recipient, recorded in the outbox as skipped, so "reported" never
 * silently means "nobody was told". `side: 'upper'` addresses the upper station of a 上报件.
 */
async function recipientsOf(
  deps: Deps,
  event: NotifyEvent,
  c: CaseRecord,
  side: DeadlineSide,
): Promise<Recipient[]> {
  const audience = EVENT_AUDIENCE[event]
  const upper = side === 'upper' ? c.upper : null
  if (audience === 'resident') return [{ id: '', openid: c.applicant.openid }]
  if (audience === 'agent') {
    const id = upper ? upper.agentId : c.assignedAgentId
    return [{ id, openid: (await deps.network.agent(id))?.openid ?? null }]
  }
  if (audience === 'head') {
    const station = await deps.network.station(upper ? upper.stationId : c.stationId)
    const id = station?.headAgentId ?? ''
    return [{ id, openid: id ? ((await deps.network.agent(id))?.openid ?? null) : null }]
  }
  const all = await deps.network.agentsByRole(audience === 'admin' ? 'admin' : 'supervisor')
  return all.map((a: Agent) => ({ id: a._id, openid: a.openid ?? null }))
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
  /** The working calendar, when the caller has it (office-hours messages need it). */
  calendar?: WorkCalendar,
): Promise<boolean> {
  try {
    const t = (templates ?? (await deps.settings.templates()))[m.event]
    // No template configured for this event: nothing to send, and nothing failed.
    if (!t) return true
    // Office-hours messages wait for their moment in the outbox, behind nobody.
    const notBefore = OFFICE_HOURS_ONLY.has(m.event)
      ? nextOfficeMoment(now, calendar ?? (await loadCalendar(deps)))
      : now
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
      notBefore,
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

/** What a loop of notices shares: templates and calendar read once; the 上报件 side and its date. */
export interface NotifyOptions {
  templates?: Partial<Record<NotifyEvent, TemplateConfig>>
  calendar?: WorkCalendar
  /** 'upper': the upper station's assignee and head hear about their own deadline. */
  side?: DeadlineSide
  /** The due day the notice is about (the upper station's for side 'upper'). */
  dueDay?: string
}

/**
 * A notification about case `c` for the audience of `event` (every supervisor for supervisor
 * notices, each under its own key). Returns false when something could not be queued, so a
 * timer can try again; actions may ignore it (a notice never breaks the case flow).
 */
export async function notify(
  deps: Deps,
  now: Date,
  event: NotifyEvent,
  c: CaseRecord,
  key?: string,
  opts: NotifyOptions = {},
): Promise<boolean> {
  let recipients: Recipient[]
  try {
    recipients = await recipientsOf(deps, event, c, opts.side ?? 'own')
  } catch (err) {
    console.error('[notify] recipient lookup failed', event, c._id, err)
    return false
  }
  const base = key ?? `${c._id}:${event}:${c.version}`
  const many = EVENT_AUDIENCE[event] === 'supervisor' || EVENT_AUDIENCE[event] === 'admin'
  const lastExtension = (c.extensions ?? []).at(-1)
  const vars = {
    itemName: c.item.name,
    caseNo: c.caseNo ?? '待受理',
    applicantName: c.applicant.name,
    state: CASE_STATE_LABELS[c.state],
    dueDay: opts.dueDay ?? c.dueDay ?? '—',
    result: c.result ?? '—',
    now: when(now),
    hint:
      event === 'caseDelivered'
        ? '请为本次服务评价'
        : event === 'caseExtended' && lastExtension
          ? `延期原因：${lastExtension.reason}`
          : opts.side === 'upper'
            ? '上报件，请按本站期限办理'
            : '请及时办理',
  }
  // Nobody in the role at all: recorded once as having no recipient.
  const list = recipients.length ? recipients : [{ id: '', openid: null }]
  let queued = true
  for (const r of list) {
    queued =
      (await enqueue(
        deps,
        now,
        {
          event,
          key: many && r.id ? `${base}:${r.id}` : base,
          recipient: r.openid,
          caseId: c._id,
          query: `id=${encodeURIComponent(c._id)}`,
          vars,
        },
        opts.templates,
        opts.calendar,
      )) && queued
  }
  return queued
}

/** Shanghai `YYYY-MM-DD HH:mm` of an instant, for template fields. */
export { when as formatInstant }
