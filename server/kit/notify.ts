import type { Agent, CaseRecord, Station } from '../../typings/domain'
import type { OutboxMessage } from '../repositories/outbox'
import { CASE_STATE_LABELS } from '../../typings/vocabulary'
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

/** Where addressees are looked up: the roster itself, or a timer run's directory (`Directory`). */
export interface RosterLookup {
  agent(id: string): Promise<Agent | null>
  station(id: string): Promise<Station | null>
  agentsByRole(role: Agent['role']): Promise<Agent[]>
}

/**
 * Who hears about `event` on case `c`. Supervisor and admin notices go to every one of them:
 * an unlinked one is still a recipient, recorded in the outbox as skipped, so "reported" never
 * silently means "nobody was told". `side: 'upper'` addresses the upper station of a 上报件.
 */
async function recipientsOf(
  roster: RosterLookup,
  event: NotifyEvent,
  c: CaseRecord,
  side: DeadlineSide,
): Promise<Recipient[]> {
  const audience = EVENT_AUDIENCE[event]
  const upper = side === 'upper' ? c.upper : null
  if (audience === 'resident') return [{ id: '', openid: c.applicant.openid }]
  if (audience === 'agent') {
    const id = upper ? upper.agentId : c.assignedAgentId
    return [{ id, openid: (await roster.agent(id))?.openid ?? null }]
  }
  if (audience === 'head') {
    const station = await roster.station(upper ? upper.stationId : c.stationId)
    const id = station?.headAgentId ?? ''
    return [{ id, openid: id ? ((await roster.agent(id))?.openid ?? null) : null }]
  }
  const all = await roster.agentsByRole(audience === 'admin' ? 'admin' : 'supervisor')
  return all.map((a: Agent) => ({ id: a._id, openid: a.openid ?? null }))
}

/**
 * A timer run's roster lookups: `warm` reads the agents and stations a page of cases needs in
 * a couple of bulk reads (one per 100 ids), and every lookup after that is answered from
 * memory; a miss still falls back to one read, so a forgotten id costs a call, never a wrong
 * addressee.
 */
export class Directory implements RosterLookup {
  private readonly agents = new Map<string, Agent | null>()
  private readonly stations = new Map<string, Station | null>()

  constructor(
    private readonly roster: Deps['network'],
    /** Agents the caller has read already (an action's station roster): no read to address them. */
    known: readonly Agent[] = [],
  ) {
    for (const a of known) this.agents.set(a._id, a)
  }

  /** What `event` on `c` needs looked up: the assignee, or the station for its head. */
  static needs(event: NotifyEvent, c: CaseRecord, side: DeadlineSide): { agent?: string; station?: string } {
    const audience = EVENT_AUDIENCE[event]
    const upper = side === 'upper' ? c.upper : null
    if (audience === 'agent') return { agent: upper ? upper.agentId : c.assignedAgentId }
    if (audience === 'head') return { station: upper ? upper.stationId : c.stationId }
    return {}
  }

  /** Reads the calls `warm` would make for these ids: stations, then agents and heads. */
  warmCalls(agentIds: string[], stationIds: string[]): number {
    const s = new Set(stationIds.filter((id) => id && !this.stations.has(id))).size
    const a = new Set(agentIds.filter((id) => id && !this.agents.has(id))).size
    // Each unknown station may bring one head more.
    return Math.ceil(s / 100) + Math.ceil((a + s) / 100)
  }

  async warm(agentIds: string[], stationIds: string[]): Promise<void> {
    const newStations = [...new Set(stationIds.filter((id) => id && !this.stations.has(id)))]
    if (newStations.length) {
      const found = await this.roster.stationsByIds(newStations)
      for (const id of newStations) this.stations.set(id, found.get(id) ?? null)
    }
    const heads = newStations.map((id) => this.stations.get(id)?.headAgentId ?? '')
    const newAgents = [...new Set([...agentIds, ...heads].filter((id) => id && !this.agents.has(id)))]
    if (newAgents.length) {
      const found = await this.roster.agentsByIds(newAgents)
      for (const id of newAgents) this.agents.set(id, found.get(id) ?? null)
    }
  }

  async agent(id: string): Promise<Agent | null> {
    if (!this.agents.has(id)) this.agents.set(id, await this.roster.agent(id))
    return this.agents.get(id) ?? null
  }

  async station(id: string): Promise<Station | null> {
    if (!this.stations.has(id)) this.stations.set(id, await this.roster.station(id))
    return this.stations.get(id) ?? null
  }

  agentsByRole(role: Agent['role']): Promise<Agent[]> {
    return this.roster.agentsByRole(role)
  }
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
    const cal = OFFICE_HOURS_ONLY.has(m.event) ? (calendar ?? (await loadCalendar(deps))) : undefined
    await deps.outbox.enqueue(toOutbox(now, m, t, cal))
    return true
  } catch (err) {
    console.error('[notify] could not enqueue', m.event, m.key, err)
    return false
  }
}

/**
 * The outbox record of a message filled from its template. Office-hours messages wait for
 * their moment in the outbox (`notBefore`), behind nobody; they need the calendar.
 */
export function toOutbox(now: Date, m: Message, t: TemplateConfig, calendar?: WorkCalendar): OutboxMessage {
  const notBefore = OFFICE_HOURS_ONLY.has(m.event)
    ? nextOfficeMoment(now, calendar ?? missingCalendar(m.event))
    : now
  const data = Object.fromEntries(
    Object.entries(t.fields).map(([k, v]) => [k, { value: fitField(k, m.vars[v] ?? v) }]),
  )
  return {
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
  }
}

function missingCalendar(event: NotifyEvent): never {
  throw new Error(`office-hours message ${event} needs the working calendar`)
}

/** What a loop of notices shares: templates and calendar read once; the 上报件 side and its date. */
export interface NotifyOptions {
  templates?: Partial<Record<NotifyEvent, TemplateConfig>>
  calendar?: WorkCalendar
  /** 'upper': the upper station's assignee and head hear about their own deadline. */
  side?: DeadlineSide
  /** The due day the notice is about (the upper station's for side 'upper'). */
  dueDay?: string
  /** Agents the caller has read already (addressees among them need no read). */
  known?: Agent[]
}

/** One notice about a case, for `queueNotices`. */
export interface Notice {
  event: NotifyEvent
  c: CaseRecord
  key?: string
  side?: DeadlineSide
  dueDay?: string
}

/** The messages of one notice, one per addressee (each supervisor under its own key). */
async function noticeMessages(roster: RosterLookup, now: Date, n: Notice): Promise<Message[]> {
  const { event, c } = n
  const recipients = await recipientsOf(roster, event, c, n.side ?? 'own')
  const base = n.key ?? `${c._id}:${event}:${c.version}`
  const many = EVENT_AUDIENCE[event] === 'supervisor' || EVENT_AUDIENCE[event] === 'admin'
  const lastExtension = (c.extensions ?? []).at(-1)
  const vars = {
    itemName: c.item.name,
    caseNo: c.caseNo ?? '待受理',
    applicantName: c.applicant.name,
    state: CASE_STATE_LABELS[c.state],
    dueDay: n.dueDay ?? c.dueDay ?? '—',
    result: c.result ?? '—',
    now: when(now),
    hint:
      event === 'caseDelivered'
        ? '请为本次服务评价'
        : event === 'caseExtended' && lastExtension
          ? `延期原因：${lastExtension.reason}`
          : n.side === 'upper'
            ? '上报件，请按本站期限办理'
            : '请及时办理',
  }
  // Nobody in the role at all: recorded once as having no recipient.
  const list = recipients.length ? recipients : [{ id: '', openid: null }]
  return list.map((r) => ({
    event,
    key: many && r.id ? `${base}:${r.id}` : base,
    recipient: r.openid,
    caseId: c._id,
    query: `id=${encodeURIComponent(c._id)}`,
    vars,
  }))
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
  let messages: Message[]
  try {
    const roster: RosterLookup = opts.known?.length ? new Directory(deps.network, opts.known) : deps.network
    messages = await noticeMessages(roster, now, {
      event,
      c,
      key,
      side: opts.side,
      dueDay: opts.dueDay,
    })
  } catch (err) {
    console.error('[notify] recipient lookup failed', event, c._id, err)
    return false
  }
  // Several addressees (the supervisors, say): the templates are read once for all of them.
  const templates =
    opts.templates ??
    (messages.length > 1 ? await deps.settings.templates().catch(() => undefined) : undefined)
  let queued = true
  for (const m of messages) queued = (await enqueue(deps, now, m, templates, opts.calendar)) && queued
  return queued
}

/**
 * Many notices at once, for timer runs: addressees from the run's directory, every message
 * of the batch in one insert per 100 (keys already queued are skipped). Throws when the batch
 * could not be queued, so the caller leaves its cases due for the next run.
 */
export async function queueNotices(
  deps: Deps,
  now: Date,
  notices: Notice[],
  roster: RosterLookup,
  templates: Partial<Record<NotifyEvent, TemplateConfig>>,
  calendar: WorkCalendar,
): Promise<number> {
  const out: OutboxMessage[] = []
  for (const n of notices) {
    const t = templates[n.event]
    // No template configured for this event: nothing to send, and nothing failed.
    if (!t) continue
    for (const m of await noticeMessages(roster, now, n)) out.push(toOutbox(now, m, t, calendar))
  }
  return deps.outbox.enqueueMany(out)
}

/** Shanghai `YYYY-MM-DD HH:mm` of an instant, for template fields. */
export { when as formatInstant }
