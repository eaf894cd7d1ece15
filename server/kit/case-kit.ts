/**
 * The case kit every case action uses: who the caller is to a case and whether the rules
 * (server/domain/case-rules.ts) let them act, one guarded transaction step, the parent-station
 * assignment of a 上报件, and the case as its caller sees it (CaseView, with the actions the rules
 * allow that caller — the buttons the pages show).
 */
import type { Actor, Agent, CaseRecord, Station } from '../../typings/domain'
import type { CaseView } from '../../typings/api'
import {
  CASE_ACTION_LABELS,
  CASE_STATE_DESCRIPTIONS,
  CASE_STATE_LABELS,
  EVENT_LABELS,
  HANDLING_TYPE_LABELS,
  RATING_LABELS,
  timeLimitText,
} from '../../typings/vocabulary'
import { shanghaiDay } from '../domain/calendar'
import { chooseAssignee } from '../domain/assignment'
import { transition } from '../domain/case-states'
import type { CaseAction, CaseState } from '../../typings/vocabulary'
import {
  actionsFor,
  callerOf,
  factsOf,
  maySee,
  refusal,
  stateRefusal,
  type CaseCaller,
  type CaseCommand,
  type CaseFacts,
} from '../domain/case-rules'
import { dutyOn } from '../domain/network'
import { conflict, forbidden, invalidState, notFound } from '../lib/errors'
import { maskPhone } from '../lib/mask'
import { currentAgent, loadCalendar, type Ctx } from './context'

export type { CaseView }

export function actorOf(ctx: Ctx, agent: Agent | null, applicantName?: string): Actor {
  return agent
    ? { openid: ctx.caller.openid, agentId: agent._id, name: agent.name, role: agent.role }
    : { openid: ctx.caller.openid, agentId: null, name: applicantName ?? '申请人', role: 'resident' }
}

// ---- who may act ---------------------------------------------------------------------------------

/** A case, the caller's roster entry (null for the applicant and residents) and who they are to it. */
export interface CaseAtHand {
  c: CaseRecord
  agent: Agent | null
  who: CaseCaller
}

/**
 * The caller and their relation to `c`. The applicant needs no roster read (a database call):
 * what they may do does not depend on a role.
 */
export async function caseCaller(
  ctx: Ctx,
  c: CaseRecord,
  /** The caller's roster entry when the handler has read it already. */
  known?: Agent | null,
): Promise<{ agent: Agent | null; who: CaseCaller }> {
  const isApplicant = !!ctx.caller.openid && c.applicant.openid === ctx.caller.openid
  const agent = isApplicant ? null : known !== undefined ? known : await currentAgent(ctx)
  return { agent, who: callerOf(c, ctx.caller.openid, agent) }
}

/** The actions `who` may take on `c` now (CaseView.actions). */
export function actionsOf(c: CaseRecord, who: CaseCaller, facts: Partial<CaseFacts> = {}): CaseCommand[] {
  return actionsFor(who, { ...factsOf(c), ...facts })
}

/**
 * Loads the case and lets the caller take `command` only if the rules allow it: FORBIDDEN for
 * a caller who may never take it, CONFLICT when the case changed since the caller read it
 * (`version`), INVALID_STATE when its state does not allow it now.
 */
export async function authorize(
  ctx: Ctx,
  caseId: string,
  command: CaseCommand,
  opts: { version?: number; facts?: Partial<CaseFacts>; agent?: Agent | null } = {},
): Promise<CaseAtHand> {
  const c = await ctx.deps.cases.get(caseId)
  if (!c) throw notFound('未找到该申请')
  const { agent, who } = await caseCaller(ctx, c, opts.agent)
  const no = refusal(command, who, { ...factsOf(c), ...opts.facts })
  if (no?.code === 'FORBIDDEN') throw forbidden(no.message)
  // The caller acted on what they saw; if someone changed the case since, say so first.
  if (opts.version !== undefined && c.version !== opts.version)
    throw conflict('该申请已被他人处理，请刷新后查看最新状态')
  if (no) throw invalidState(no.message)
  return { c, agent, who }
}

/** `authorize` for the staff commands: the caller is on the roster (the rules let no one else in). */
export async function staffFor(
  ctx: Ctx,
  command: CaseCommand,
  caseId: string,
  version: number,
): Promise<{ c: CaseRecord; agent: Agent }> {
  const { c, agent } = await authorize(ctx, caseId, command, { version })
  if (!agent) throw forbidden('只有承办代理员或站长可以办理这件申请')
  return { c, agent }
}

/** The state part of the rules again, on the case read inside a transaction. */
export function recheck(cur: CaseRecord, command: CaseCommand): void {
  const no = stateRefusal(command, factsOf(cur))
  if (no) throw invalidState(no.message)
}

/** The caller may see the case (applicant, its station, the upper station, supervisors). */
export async function viewer(ctx: Ctx, c: CaseRecord): Promise<{ agent: Agent | null; who: CaseCaller }> {
  const seen = await caseCaller(ctx, c)
  if (!maySee(seen.who)) throw forbidden('您无权查看这件申请')
  return seen
}

/** The state machine's target for `action` (reason and classification checked), or INVALID_STATE. */
export function guard(
  state: CaseState,
  action: CaseAction,
  opts: Parameters<typeof transition>[2] = {},
): CaseState {
  const t = transition(state, action, opts)
  if (!t.ok) throw invalidState(t.message)
  return t.to
}

/**
 * One transition as a transaction step: the action is guarded against the state read inside
 * the transaction (not the one read before), and the timeline event records who did it.
 */
export function step(
  ctx: Ctx,
  actor: Actor,
  action: CaseAction,
  build: (cur: CaseRecord) => { patch?: Partial<CaseRecord>; note: string },
  opts: Parameters<typeof transition>[2] = {},
) {
  return (cur: CaseRecord) => {
    const to = guard(cur.state, action, opts)
    const { patch, note } = build(cur)
    return {
      patch: { state: to, ...patch },
      event: { at: ctx.now, actor, action, from: cur.state, to, note },
    }
  }
}

/** The case after a staff action, with what that staff member may do next. */
export async function staffView(ctx: Ctx, c: CaseRecord, agent: Agent): Promise<CaseView> {
  const assigned = c.assignedAgentId === agent._id ? agent : await ctx.deps.network.agent(c.assignedAgentId)
  return view(c, assigned, actionsOf(c, callerOf(c, ctx.caller.openid, agent)))
}

/** The case after the applicant's action, with what they may do next. */
export async function applicantView(ctx: Ctx, c: CaseRecord): Promise<CaseView> {
  const agent = await ctx.deps.network.agent(c.assignedAgentId)
  return view(c, agent, actionsOf(c, { role: 'resident', relation: 'applicant' }), undefined, true)
}

/** The parent station and its assignee for a 上报件 (same rules, no pairing there). */
export async function assignUpper(
  ctx: Ctx,
  station: Station | null,
  category: string,
): Promise<NonNullable<CaseRecord['upper']>> {
  if (!station?.parentId) throw invalidState('区为民服务中心是最高一级，无需上报')
  const net = ctx.deps.network
  const day = shanghaiDay(ctx.now)
  const [parent, rota, agents, calendar] = await Promise.all([
    net.station(station.parentId),
    net.rota(station.parentId),
    net.agentsOfStation(station.parentId),
    loadCalendar(ctx.deps),
  ])
  if (!parent) throw notFound('上级服务站不存在')
  const byId = new Map(agents.map((a) => [a._id, a]))
  const duty = dutyOn(rota, byId, day, calendar).agentIds
  const chosen = chooseAssignee({
    day,
    category,
    agents,
    pairedAgentIds: [],
    dutyAgentIds: duty,
    openCases: new Map(),
    lastAssignedAt: new Map(),
    headAgentId: parent.headAgentId,
  })
  if (!chosen) throw invalidState(`${parent.name}暂无可接件的代理员，请联系站长`)
  return {
    stationId: parent._id,
    agentId: chosen.agentId,
    assignReason: chosen.reason,
    acceptedAt: null,
    dueAt: null,
    completedAt: null,
    result: null,
  }
}

// ---- the view ------------------------------------------------------------------------------------

/** A 联合办理 task as the case page and the 承办卡 show it. */
export function taskView(t: NonNullable<CaseRecord['tasks']>[number]) {
  return {
    id: t.id,
    title: t.title,
    department: t.department,
    dueDay: t.dueDay,
    done: !!t.doneAt,
    result: t.result,
  }
}

/**
 * A case as its caller sees it. `forResident`: a 上报件 promises the resident the later of the
 * two deadlines (the village's and the upper station's), so their due date is that one.
 */
export function view(
  c: CaseRecord,
  agent: Agent | null,
  callerActions: CaseCommand[],
  events?: { at: Date; actor: Actor; action: string; note: string }[],
  forResident = false,
): CaseView {
  const residentDue = c.residentDueAt ?? c.dueAt
  const dueAt = forResident ? residentDue : c.dueAt
  return {
    id: c._id,
    caseNo: c.caseNo,
    version: c.version,
    state: c.state,
    stateLabel: CASE_STATE_LABELS[c.state],
    stateDescription: CASE_STATE_DESCRIPTIONS[c.state],
    item: { ...c.item, timeLimitText: timeLimitText(c.item.promisedDays) },
    stationId: c.stationId,
    applicant: { name: c.applicant.name, maskedPhone: maskPhone(c.applicant.phone) },
    description: c.description,
    attachments: c.attachments,
    visit: c.visit,
    agent: agent ? { id: agent._id, name: agent.name, maskedPhone: maskPhone(agent.phone) } : null,
    assignReason: c.assignReason,
    handling: c.handling,
    handlingLabel: c.handling ? HANDLING_TYPE_LABELS[c.handling] : null,
    dueAt: dueAt ? new Date(dueAt).toISOString() : null,
    dueDay: forResident && residentDue ? shanghaiDay(new Date(residentDue)) : c.dueDay,
    // The upper station's own deadline of a 上报件, for the staff on both sides.
    upperDue:
      !forResident && c.upper?.dueAt
        ? {
            stationId: c.upper.stationId,
            dueAt: new Date(c.upper.dueAt).toISOString(),
            dueDay: shanghaiDay(new Date(c.upper.dueAt)),
            completed: !!c.upper.completedAt,
          }
        : null,
    calendarWarning: c.calendarMissingYears.length
      ? `${c.calendarMissingYears.join('、')} 年的节假日安排尚未录入，截止日期按周一至周五推算，请管理员尽快补录`
      : null,
    result: c.result,
    onTime: c.onTime,
    rating: c.rating
      ? {
          level: c.rating.level,
          label: RATING_LABELS[c.rating.level],
          isDefault: c.rating.isDefault,
          comment: c.rating.comment,
        }
      : null,
    createdAt: new Date(c.createdAt).toISOString(),
    actions: callerActions,
    tasks: (c.tasks ?? []).map(taskView),
    ...(events
      ? {
          timeline: events.map((e) => ({
            at: new Date(e.at).toISOString(),
            // The applicant reads 您; staff read the applicant's name (never "您" for someone else).
            who: e.actor.role === 'resident' ? (forResident ? '您' : e.actor.name || '申请人') : e.actor.name,
            what: EVENT_LABELS[e.action] ?? CASE_ACTION_LABELS[e.action as CaseAction] ?? e.action,
            note: e.note,
          })),
        }
      : {}),
  }
}
