/**
 * 谁能对一件申请做什么 (who may do what to a case): the one decision, from the case's state and
 * facts, the caller's role and the caller's relation to the case. The server enforces exactly
 * this (server/kit/case-access.ts) and returns it in `CaseView.actions`; pages show buttons from
 * those actions and nothing else. A new case action is one entry in RULES (plus its handler).
 *
 * Pure: no clock, no I/O.
 */
import type { CaseRecord, Role } from '../../typings/domain'
import {
  CASE_COMMANDS,
  OPEN_STATES,
  type CallerRole,
  type CaseAction,
  type CaseCommand,
  type CaseRelation,
} from '../../typings/vocabulary'
import { TRANSITIONS, transition } from './case-states'

export type { CaseCommand, CaseRelation, CallerRole }
export { CASE_COMMANDS }

/** The caller as the rules see them: role (from the roster, or resident) and relation to the case. */
export interface CaseCaller {
  role: CallerRole
  relation: CaseRelation
}

/** What the rules read from a case besides its state. */
export interface CaseFacts {
  state: CaseRecord['state']
  rated: boolean
  /** The applicant is known in WeChat (not a walk-in awaiting their 认领). */
  claimed: boolean
  homeVisit: boolean
  /** 补办件: the missing materials were already listed (they are listed once). */
  supplementRequested: boolean
  /** The deadline clock has a due moment (it has none while 待补正). */
  hasDue: boolean
  upperAccepted: boolean
  tasks: number
  /** Titles of the 联合代理 tasks not yet done. */
  openTasks: string[]
  /** False for the district centre (no parent to escalate to); unknown counts as true. */
  hasParentStation: boolean
}

export function factsOf(c: CaseRecord, opts: { hasParentStation?: boolean } = {}): CaseFacts {
  const tasks = c.tasks ?? []
  return {
    state: c.state,
    rated: !!c.rating,
    claimed: !!c.applicant.openid,
    homeVisit: c.visit === 'home',
    supplementRequested: !!c.supplement,
    hasDue: !!c.dueAt,
    upperAccepted: !!c.upper?.acceptedAt,
    tasks: tasks.length,
    openTasks: tasks.filter((t) => !t.doneAt).map((t) => t.title),
    hasParentStation: opts.hasParentStation ?? true,
  }
}

/** The roster entry of a caller, as far as the rules need it. */
export interface RosterEntry {
  _id: string
  role: Role
  stationId: string
}

/**
 * The caller's relation to the case. The applicant comes first (an agent may apply for
 * themselves); then the roster entry's station: the case's own, or the parent station holding a
 * 上报件.
 */
export function callerOf(
  c: Pick<CaseRecord, 'applicant' | 'stationId' | 'assignedAgentId' | 'upper'>,
  openid: string,
  agent: RosterEntry | null,
): CaseCaller {
  const role: CallerRole = agent ? agent.role : 'resident'
  if (openid && c.applicant.openid === openid) return { role, relation: 'applicant' }
  if (!agent) return { role, relation: 'none' }
  if (agent.stationId === c.stationId)
    return { role, relation: agent._id === c.assignedAgentId ? 'assignee' : 'station' }
  if (c.upper && agent.stationId === c.upper.stationId)
    return { role, relation: agent._id === c.upper.agentId ? 'upperAssignee' : 'upper' }
  return { role, relation: 'none' }
}

// ---- who ---------------------------------------------------------------------------------------

const ofStation = (w: CaseCaller) => w.relation === 'assignee' || w.relation === 'station'
const ofUpper = (w: CaseCaller) => w.relation === 'upperAssignee' || w.relation === 'upper'
/** 承办代理员 or the station head: they work the case. */
const owner = (w: CaseCaller) => w.relation === 'assignee' || (ofStation(w) && w.role === 'head')
const head = (w: CaseCaller) => ofStation(w) && w.role === 'head'
const upperOwner = (w: CaseCaller) => w.relation === 'upperAssignee' || (ofUpper(w) && w.role === 'head')
const stationWorker = (w: CaseCaller) => ofStation(w) && (w.role === 'agent' || w.role === 'head')
const applicant = (w: CaseCaller) => w.relation === 'applicant'

/**
 * Who may see a case at all: the applicant, staff of its station (and of the upper station of a
 * 上报件), and supervisors. Admins maintain data, not residents' matters.
 */
export function maySee(w: CaseCaller): boolean {
  return w.relation !== 'none' || w.role === 'supervisor'
}

// ---- the table ---------------------------------------------------------------------------------

interface Rule {
  /** Who may ever do it; anyone else is refused (FORBIDDEN) with `forbidden`. */
  who: (w: CaseCaller) => boolean
  forbidden: string
  /** The state-machine action whose `from` states it needs (its message when not). */
  transition?: CaseAction
  /** Further conditions on the case, checked after the state: why not (INVALID_STATE), or null. */
  unless?: (f: CaseFacts) => string | null
}

const STAFF_ONLY = '只有承办代理员或站长可以办理这件申请'
const UPPER_ONLY = '只有上级承办代理员或站长可以办理这件上报件'

/** Every caller-facing case action, who may take it and when. */
export const RULES: Readonly<Record<CaseCommand, Rule>> = Object.freeze({
  accept: { who: owner, forbidden: STAFF_ONLY, transition: 'accept' },
  reject: { who: owner, forbidden: STAFF_ONLY, transition: 'reject' },
  requestSupplement: {
    who: owner,
    forbidden: STAFF_ONLY,
    transition: 'requestSupplement',
    unless: (f) => (f.supplementRequested ? '所缺材料应一次性告知，本件已告知过，请与群众电话沟通' : null),
  },
  supplement: {
    who: (w) => applicant(w) || owner(w),
    forbidden: '只有申请人或承办代理员可以补交材料',
    transition: 'supplement',
  },
  escalate: {
    who: owner,
    forbidden: STAFF_ONLY,
    transition: 'escalate',
    unless: (f) => (f.hasParentStation ? null : '区为民服务中心是最高一级，无需上报'),
  },
  complete: {
    who: owner,
    forbidden: STAFF_ONLY,
    transition: 'complete',
    unless: (f) =>
      f.openTasks.length
        ? `还有 ${f.openTasks.length} 项联合办理任务未完成：${f.openTasks.join('、')}`
        : null,
  },
  deliver: { who: owner, forbidden: STAFF_ONLY, transition: 'deliver' },
  rate: {
    who: applicant,
    forbidden: '只有申请人本人可以评价',
    transition: 'rate',
    unless: (f) => (f.rated ? '您已评价过这件申请' : null),
  },
  withdraw: { who: applicant, forbidden: '只有申请人本人可以撤回', transition: 'withdraw' },
  reassign: { who: head, forbidden: '只有站长可以改派', transition: 'reassign' },
  extend: {
    who: head,
    forbidden: '延期须由站长批准',
    transition: 'extend',
    unless: (f) => (f.hasDue ? null : '待补正期间不计时，无需延期'),
  },
  addTasks: {
    who: owner,
    forbidden: STAFF_ONLY,
    unless: (f) =>
      f.state !== 'accepted'
        ? '只有已受理、正在办理的申请可以分派联合任务'
        : f.tasks
          ? '已分派过联合任务'
          : null,
  },
  completeTask: {
    who: owner,
    forbidden: STAFF_ONLY,
    unless: (f) =>
      !f.openTasks.length
        ? '没有未完成的联合任务'
        : !TRANSITIONS.complete.from.includes(f.state)
          ? '只有已受理、正在办理的申请可以完成联合任务'
          : null,
  },
  acceptUpper: {
    who: upperOwner,
    forbidden: UPPER_ONLY,
    unless: (f) =>
      f.state !== 'escalated'
        ? '只有已上报的申请可以由上级受理'
        : f.upperAccepted
          ? '上级已受理过这件申请'
          : null,
  },
  completeUpper: {
    who: upperOwner,
    forbidden: UPPER_ONLY,
    transition: 'completeUpper',
    // The upper station's deadline runs from its acceptance: it accepts first, then finishes.
    unless: (f) => (f.upperAccepted ? null : '请先由上级受理（开始计时），再办结'),
  },
  scheduleVisit: {
    who: stationWorker,
    forbidden: '只能为本站的申请安排上门',
    unless: (f) =>
      !f.homeVisit
        ? '这件申请没有选择上门服务'
        : // Up to 送达: a completed case's result may still be taken to the resident's home.
          !(OPEN_STATES.includes(f.state) || f.state === 'completed')
          ? '这件申请已送达或已结束，不能再安排上门'
          : null,
  },
  reissueClaimCode: {
    who: stationWorker,
    forbidden: '只有本站代理员可以重新生成认领码',
    unless: (f) => (f.claimed ? '这件申请已被群众认领' : null),
  },
  contact: {
    // Staff working on it (its station, the upper station) and supervisors read the applicant's
    // number; the applicant reads their agent's (打电话给代理员). Admins maintain data and do
    // not need residents' numbers.
    who: (w) => w.role !== 'admin' && maySee(w),
    forbidden: '无权查看联系电话',
  },
} satisfies Record<CaseCommand, Rule>)

/** Why the caller may not take `command` now; null when they may. */
export function refusal(
  command: CaseCommand,
  w: CaseCaller,
  f: CaseFacts,
): { code: 'FORBIDDEN' | 'INVALID_STATE'; message: string } | null {
  const rule = RULES[command]
  if (!rule.who(w)) return { code: 'FORBIDDEN', message: rule.forbidden }
  return stateRefusal(command, f)
}

/** The state part alone (for a transaction re-checking the case it read). */
export function stateRefusal(
  command: CaseCommand,
  f: CaseFacts,
): { code: 'INVALID_STATE'; message: string } | null {
  const rule = RULES[command]
  if (rule.transition) {
    // `accept` needs a classification and some actions a reason: the handler checks those; here
    // only whether the state allows the action.
    const t = transition(f.state, rule.transition, { handling: 'promised', reason: '-' })
    if (!t.ok) return { code: 'INVALID_STATE', message: t.message }
  }
  const why = rule.unless?.(f)
  return why ? { code: 'INVALID_STATE', message: why } : null
}

/** Every action the caller may take on the case now, in table order (for `CaseView.actions`). */
export function actionsFor(w: CaseCaller, f: CaseFacts): CaseCommand[] {
  return CASE_COMMANDS.filter((a) => refusal(a, w, f) === null)
}
