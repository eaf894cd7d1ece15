import { randomBytes } from 'node:crypto'
import type { Actor, Agent, CaseEvent, CaseRecord, Station } from '../../typings/domain'
import { shanghaiDay } from '../domain/calendar'
import { chooseAssignee } from '../domain/assignment'
import {
  CASE_ACTION_LABELS,
  CASE_STATE_DESCRIPTIONS,
  CASE_STATE_LABELS,
  HANDLING_TYPE_LABELS,
  RATING_LABELS,
  RATING_LEVELS,
  allowedActions,
  dueAfterAcceptance,
  isOnTime,
  transition,
  type CaseAction,
  type CaseState,
} from '../domain/case-states'
import { dutyOn, tiersOfferedAt } from '../domain/network'
import type { CaseReceipt, CaseView, HandlingCard } from '../../typings/api'
import {
  AppError,
  conflict,
  forbidden,
  invalidInput,
  invalidState,
  notFound,
  rateLimited,
} from '../lib/errors'
import { maskPhone } from '../lib/mask'
import { rectificationId, rectifyDue, type RectificationRecord } from '../domain/rectification'
import { rectificationView } from './rectify-view'
import { fields, parse, z } from '../lib/validate'
import { ownAttachments } from '../lib/files'
import { CODE_ALPHABET, randomCode } from '../lib/codes'
import { isDuplicateKey } from '../repositories/db'
import { currentAgent, loadCalendar, requireOpenid, type Ctx } from '../app/context'
import { calendarStatusOf } from './calendar'
import { notify } from '../app/notify'
import { isBadRating } from '../domain/case-states'

const STAFF_ROLES = ['agent', 'head'] as const

export function actorOf(ctx: Ctx, agent: Agent | null, applicantName?: string): Actor {
  return agent
    ? { openid: ctx.caller.openid, agentId: agent._id, name: agent.name, role: agent.role }
    : { openid: ctx.caller.openid, agentId: null, name: applicantName ?? '申请人', role: 'resident' }
}

export async function checkText(ctx: Ctx, text: string, field: string): Promise<void> {
  if (!text) return
  const verdict = await ctx.deps.platform.textCheck(text, ctx.caller.openid)
  if (verdict !== 'pass') {
    throw new AppError('CONTENT_RISKY', '内容含有不宜发布的信息，请修改后再提交', {
      [field]: '请修改这段文字后再提交',
    })
  }
}

// ---- views -------------------------------------------------------------------------------------

export type { CaseView }

/** Timeline entries that are not state transitions. */
const EVENT_LABELS: Record<string, string> = {
  submit: '提交申请',
  claim: '群众认领',
  reissueClaimCode: '重新生成认领码',
  addTasks: '分派联合任务',
  completeTask: '联合任务完成',
  supervise: '督办',
}

/**
 * A case as its caller sees it. `forResident`: a 上报件 promises the resident the later of the
 * two deadlines (the village's and the upper station's), so their due date is that one.
 */
export function view(
  c: CaseRecord,
  agent: Agent | null,
  callerActions: CaseAction[],
  events?: CaseEvent[],
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
    item: {
      ...c.item,
      timeLimitText: c.item.promisedDays === 0 ? '即办' : `${c.item.promisedDays} 个工作日`,
    },
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
    tasks: (c.tasks ?? []).map((t) => ({
      id: t.id,
      title: t.title,
      department: t.department,
      dueDay: t.dueDay,
      done: !!t.doneAt,
      result: t.result,
    })),
    ...(events
      ? {
          timeline: events.map((e) => ({
            at: new Date(e.at).toISOString(),
            who: e.actor.role === 'resident' ? '您' : e.actor.name,
            what: EVENT_LABELS[e.action] ?? CASE_ACTION_LABELS[e.action as CaseAction] ?? e.action,
            note: e.note,
          })),
        }
      : {}),
  }
}

type Access =
  | { kind: 'applicant' }
  | { kind: 'staff'; agent: Agent }
  | { kind: 'upper'; agent: Agent }
  | { kind: 'supervisor'; agent: Agent }

/**
 * Who may see a case: the applicant, staff of its station (and of the upper station of a 上报件),
 * and supervisors. Admins maintain data and read the figures, not residents' matters (least
 * privilege): they get the KPIs and the overdue list, never a case's contents.
 */
export async function accessTo(ctx: Ctx, c: CaseRecord): Promise<Access> {
  if (c.applicant.openid && c.applicant.openid === ctx.caller.openid) return { kind: 'applicant' }
  const agent = await currentAgent(ctx)
  if (agent && agent.role === 'supervisor') return { kind: 'supervisor', agent }
  if (agent && agent.stationId === c.stationId) return { kind: 'staff', agent }
  if (agent && c.upper && agent.stationId === c.upper.stationId) return { kind: 'upper', agent }
  throw forbidden('您无权查看这件申请')
}

export function staffActions(c: CaseRecord, agent: Agent): CaseAction[] {
  const mine = c.assignedAgentId === agent._id || agent.role === 'head'
  if (!mine) return []
  return allowedActions(c.state).filter(
    (a) =>
      ['accept', 'reject', 'complete', 'deliver'].includes(a) || (a === 'reassign' && agent.role === 'head'),
  )
}

// ---- submit ------------------------------------------------------------------------------------

const submitInput = (openid: string) =>
  z.object({
    itemId: fields.id('事项'),
    stationId: fields.id('服务站'),
    description: fields.text('需求说明', 500),
    // Only photos the caller uploaded to their own folder (a bounded id, never another user's file).
    attachments: ownAttachments(openid),
    visit: z.enum(['station', 'home'], { error: '请选择到站办理或上门服务' }).default('station'),
    // Required for residents and for walk-in intake alike: the agent must be able to call back.
    applicantName: fields.text('姓名', 20),
    applicantPhone: z
      .string({ error: '请填写手机号，方便代理员联系' })
      .trim()
      .min(1, '请填写手机号，方便代理员联系')
      .regex(/^1\d{10}$/, '应为 11 位手机号'),
    /** An agent files for a resident without a smartphone (walk-in or hotline). */
    onBehalf: z.boolean().default(false),
  })

type SubmitInput = z.infer<ReturnType<typeof submitInput>>

/** Whether a retried submit carries the same form as the case its request id already filed. */
function sameSubmission(c: CaseRecord, p: SubmitInput): boolean {
  return (
    c.item.id === p.itemId &&
    c.stationId === p.stationId &&
    c.description === p.description &&
    c.visit === p.visit &&
    c.applicant.name === p.applicantName &&
    c.applicant.phone === p.applicantPhone &&
    (c.applicant.openid === null) === p.onBehalf &&
    c.attachments.length === p.attachments.length &&
    c.attachments.every((a, i) => a === p.attachments[i])
  )
}

/** The answer to a retried submit: the first case, if the form is the same one. */
async function replay(ctx: Ctx, prior: CaseRecord, p: SubmitInput) {
  if (!sameSubmission(prior, p)) throw conflict('这个请求编号已用于另一份申请，请返回重新填写后提交')
  return {
    ...view(prior, await ctx.deps.network.agent(prior.assignedAgentId), [], undefined, !p.onBehalf),
    claimCode: prior.applicant.claimCode,
  }
}

/** 认领码: 8 characters of an alphabet without 0/O, 1/I/L; 32^8 ≈ 1.1 × 10^12 codes. */
export const CLAIM_CODE_LENGTH = 8
const CLAIM_TTL_DAYS = 30
/** Wrong phone numbers a code survives; then it is void and the agent issues a new one. */
const CLAIM_MAX_FAILURES = 5
/** Claim attempts per WeChat user and day, right or wrong. */
const CLAIM_ATTEMPTS_PER_DAY = 10

/** Draws a code that no other case holds (the code is the document id) and records it. */
async function issueClaimCode(ctx: Ctx, caseId: string): Promise<string> {
  for (let i = 0; i < 5; i++) {
    const code = randomCode(CLAIM_CODE_LENGTH)
    const created = await ctx.deps.claims.create({
      _id: code,
      caseId,
      createdAt: ctx.now,
      expiresAt: new Date(ctx.now.getTime() + CLAIM_TTL_DAYS * 86_400_000),
      failures: 0,
      closedAt: null,
      closedReason: null,
    })
    if (created) return code
  }
  throw new AppError('UNAVAILABLE', '认领码生成失败，请重试')
}

export async function submitCase(
  payload: unknown,
  ctx: Ctx,
): Promise<CaseView & { claimCode: string | null }> {
  requireOpenid(ctx)
  const p = parse(submitInput(ctx.caller.openid), payload)
  if (!ctx.requestId) throw invalidInput({ requestId: '缺少请求编号' }, '请求缺少编号，请升级小程序后重试')
  const { network, cases } = ctx.deps
  const prior = await cases.byRequestId(ctx.caller.openid, ctx.requestId)
  if (prior) return replay(ctx, prior, p)

  const [item, station, me] = await Promise.all([
    network.item(p.itemId),
    network.station(p.stationId),
    // The roster is read only for a filing on someone's behalf (a resident's own needs none).
    p.onBehalf ? currentAgent(ctx) : Promise.resolve(null),
  ])
  if (!item || !item.active || !item.published) throw notFound('该事项暂不受理，请返回列表查看')
  if (!station || !station.active) throw notFound('未找到该服务站')
  if (!tiersOfferedAt(station.tier).includes(item.tier))
    throw invalidInput({ itemId: `${station.name}不代理此事项，请到村（社区）服务室申请` })
  if (p.onBehalf) {
    if (
      !me ||
      !STAFF_ROLES.includes(me.role as (typeof STAFF_ROLES)[number]) ||
      me.stationId !== station._id
    ) {
      throw forbidden('只有本站代理员可以代群众申请')
    }
  }
  await checkText(ctx, p.description, 'description')

  const day = shanghaiDay(ctx.now)
  const [pairings, rota, agents, calendar] = await Promise.all([
    p.onBehalf ? Promise.resolve([]) : network.pairingsOfStation(station._id),
    network.rota(station._id),
    network.agentsOfStation(station._id),
    loadCalendar(ctx.deps),
  ])
  const byId = new Map(agents.map((a) => [a._id, a]))
  const paired = pairings.filter((x) => x.residentOpenid === ctx.caller.openid).map((x) => x.agentId)
  const duty = dutyOn(rota, byId, day, calendar).agentIds
  // Open-case counts only for the candidates that need a tie-break (each is a database call).
  const pairedAvailable = paired.some((id) => byId.has(id))
  const needCounts = pairedAvailable
    ? []
    : duty.length > 1
      ? duty
      : duty.length === 1
        ? []
        : agents.filter((a) => a.specialties.includes(item.category)).map((a) => a._id)
  const [openCases, lastAssignedAt] =
    needCounts.length > 1
      ? await Promise.all([cases.openCounts(needCounts), cases.lastAssigned(needCounts)])
      : [new Map<string, number>(), new Map<string, number>()]
  const chosen = chooseAssignee({
    day,
    category: item.category,
    agents,
    pairedAgentIds: paired,
    dutyAgentIds: duty,
    openCases,
    lastAssignedAt,
    headAgentId: station.headAgentId,
  })
  if (!chosen)
    throw new AppError('INVALID_STATE', '本站暂无可接件的代理员，请拨打服务热线 ' + station.hotline)

  const caseId = `case-${ctx.now.getTime().toString(36)}-${randomBytes(4).toString('hex')}`
  const claimCode = p.onBehalf ? await issueClaimCode(ctx, caseId) : null
  const record: CaseRecord = {
    _id: caseId,
    caseNo: null,
    state: 'submitted',
    version: 1,
    item: {
      id: item._id,
      code: item.code,
      name: item.name,
      category: item.category,
      tier: item.tier,
      promisedDays: item.promisedDays,
    },
    stationId: station._id,
    applicant: {
      openid: p.onBehalf ? null : ctx.caller.openid,
      name: p.applicantName!,
      phone: p.applicantPhone!,
      claimCode,
    },
    description: p.description,
    attachments: p.attachments,
    visit: p.visit,
    assignedAgentId: chosen.agentId,
    assignReason: chosen.reason,
    submittedBy: actorOf(ctx, p.onBehalf ? me : null, p.applicantName),
    requestId: ctx.requestId,
    handling: null,
    receivedMaterials: [],
    acceptedAt: null,
    dueAt: null,
    dueDay: null,
    calendarMissingYears: [],
    completedAt: null,
    result: null,
    onTime: null,
    deliveredAt: null,
    rating: null,
    rejectReason: null,
    supplement: null,
    upper: null,
    residentDueAt: null,
    extensions: [],
    tasks: [],
    createdAt: ctx.now,
    updatedAt: ctx.now,
  }
  let created: CaseRecord
  try {
    created = await cases.create(record, {
      at: ctx.now,
      actor: record.submittedBy,
      action: 'submit',
      from: null,
      to: 'submitted',
      note: `${p.onBehalf ? '代理员代为提交' : '群众提交'}；分派给 ${byId.get(chosen.agentId)?.name ?? ''}（${chosen.reason}）`,
    })
  } catch (err) {
    // A simultaneous submit with the same request id won the unique index: answer as a retry.
    if (!isDuplicateKey(err)) throw err
    const first = await cases.byRequestId(ctx.caller.openid, ctx.requestId)
    if (!first) throw err
    if (claimCode) await ctx.deps.claims.close(claimCode, 'replaced', ctx.now)
    return replay(ctx, first, p)
  }
  await notify(ctx.deps, ctx.now, 'caseAssigned', created)
  return { ...view(created, byId.get(chosen.agentId) ?? null, []), claimCode }
}

// ---- staff transitions -------------------------------------------------------------------------

const base = {
  caseId: fields.id('申请'),
  version: z.number({ error: '缺少版本号，请刷新后重试' }).int().min(1),
}

const acceptInput = z.object({
  ...base,
  handling: z.enum(['immediate', 'promised', 'supplement', 'escalated'], { error: '请选择承办类型' }),
  receivedMaterials: z.array(z.string().trim().min(1).max(40)).max(20).default([]),
  missingMaterials: z.array(z.string().trim().min(1).max(40)).max(20).default([]),
  note: z.string().trim().max(200).default(''),
})
const rejectInput = z.object({ ...base, reason: fields.text('不予受理的理由', 200) })
const completeInput = z.object({ ...base, result: fields.text('办理结果', 500) })
const deliverInput = z.object({ ...base, note: z.string().trim().max(200).default('') })

/**
 * The staff member acting on a case: the assigned agent or the head of its station, or — for a
 * 上报件 (`side: 'upper'`) — of the parent station that holds it. A stale version is CONFLICT.
 */
export async function staffFor(
  ctx: Ctx,
  caseId: string,
  version: number,
  side: 'owner' | 'upper' = 'owner',
): Promise<{ c: CaseRecord; agent: Agent }> {
  const c = await ctx.deps.cases.get(caseId)
  if (!c) throw notFound('未找到该申请')
  const agent = await currentAgent(ctx)
  const holder = side === 'owner' ? { stationId: c.stationId, agentId: c.assignedAgentId } : c.upper
  if (
    !holder ||
    !agent ||
    agent.stationId !== holder.stationId ||
    (agent._id !== holder.agentId && agent.role !== 'head')
  ) {
    throw forbidden(
      side === 'owner'
        ? '只有承办代理员或站长可以办理这件申请'
        : '只有上级承办代理员或站长可以办理这件上报件',
    )
  }
  // The caller acted on what they saw; if someone changed the case since, say so first.
  if (c.version !== version) throw conflict('该申请已被他人处理，请刷新后查看最新状态')
  return { c, agent }
}

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

export async function staffView(ctx: Ctx, c: CaseRecord, agent: Agent): Promise<CaseView> {
  const assigned = c.assignedAgentId === agent._id ? agent : await ctx.deps.network.agent(c.assignedAgentId)
  return view(c, assigned, staffActions(c, agent))
}

export async function acceptCase(payload: unknown, ctx: Ctx): Promise<CaseView> {
  const p = parse(acceptInput, payload)
  if (p.handling === 'supplement' && p.missingMaterials.length === 0) {
    throw invalidInput({ missingMaterials: '补办件须一次性列明所缺材料' })
  }
  const { c, agent } = await staffFor(ctx, p.caseId, p.version)
  guard(c.state, 'accept', { handling: p.handling })
  await checkText(ctx, p.note, 'note')
  const [calendar, station] = await Promise.all([
    loadCalendar(ctx.deps),
    ctx.deps.network.station(c.stationId),
  ])
  // 上报件: assigned at the parent station by the same rules, before the transaction.
  const upper = p.handling === 'escalated' ? await assignUpper(ctx, station, c.item.category) : null
  const numbering = { stationCode: station?.code ?? 'WM', day: shanghaiDay(ctx.now) }
  const updated = await ctx.deps.cases.transition(
    c._id,
    p.version,
    (cur, caseNo) => {
      const to = guard(cur.state, 'accept', { handling: p.handling })
      const due = dueAfterAcceptance(ctx.now, p.handling, cur.item.promisedDays, calendar)
      return {
        patch: {
          state: to,
          caseNo,
          handling: p.handling,
          receivedMaterials: p.receivedMaterials,
          acceptedAt: ctx.now,
          dueAt: due?.dueAt ?? null,
          dueDay: due?.dueDay ?? null,
          residentDueAt: due?.dueAt ?? null,
          calendarMissingYears: due?.missingYears ?? [],
          supplement:
            p.handling === 'supplement'
              ? { materials: p.missingMaterials, requestedAt: ctx.now, suppliedAt: null, attachments: [] }
              : null,
          upper,
        },
        event: {
          at: ctx.now,
          actor: actorOf(ctx, agent),
          action: 'accept',
          from: cur.state,
          to,
          note: [
            `受理编号 ${caseNo}`,
            HANDLING_TYPE_LABELS[p.handling],
            p.handling === 'supplement' ? `请补交：${p.missingMaterials.join('、')}` : '',
            upper ? `已上报，由上级站点承办` : '',
            p.note,
          ]
            .filter(Boolean)
            .join('；'),
        },
      }
    },
    numbering,
  )
  if (updated.state === 'awaiting_supplement') await notify(ctx.deps, ctx.now, 'supplementNeeded', updated)
  return staffView(ctx, updated, agent)
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

export async function rejectCase(payload: unknown, ctx: Ctx): Promise<CaseView> {
  const p = parse(rejectInput, payload)
  const { c, agent } = await staffFor(ctx, p.caseId, p.version)
  guard(c.state, 'reject', { reason: p.reason })
  const updated = await ctx.deps.cases.transition(
    c._id,
    p.version,
    step(ctx, actorOf(ctx, agent), 'reject', () => ({ patch: { rejectReason: p.reason }, note: p.reason }), {
      reason: p.reason,
    }),
  )
  return staffView(ctx, updated, agent)
}

export async function completeCase(payload: unknown, ctx: Ctx): Promise<CaseView> {
  const p = parse(completeInput, payload)
  const { c, agent } = await staffFor(ctx, p.caseId, p.version)
  const open = (c.tasks ?? []).filter((t) => !t.doneAt)
  if (open.length)
    throw invalidState(`还有 ${open.length} 项联合办理任务未完成：${open.map((t) => t.title).join('、')}`)
  guard(c.state, 'complete')
  await checkText(ctx, p.result, 'result')
  const updated = await ctx.deps.cases.transition(
    c._id,
    p.version,
    step(ctx, actorOf(ctx, agent), 'complete', (cur) => ({
      patch: {
        completedAt: ctx.now,
        result: p.result,
        onTime: cur.dueAt ? isOnTime(ctx.now, new Date(cur.dueAt)) : true,
      },
      note: p.result,
    })),
  )
  await notify(ctx.deps, ctx.now, 'caseCompleted', updated)
  return staffView(ctx, updated, agent)
}

export async function deliverCase(payload: unknown, ctx: Ctx): Promise<CaseView> {
  const p = parse(deliverInput, payload)
  const { c, agent } = await staffFor(ctx, p.caseId, p.version)
  guard(c.state, 'deliver')
  const updated = await ctx.deps.cases.transition(
    c._id,
    p.version,
    step(ctx, actorOf(ctx, agent), 'deliver', () => ({
      patch: { deliveredAt: ctx.now },
      note: p.note || '已将办理结果送达',
    })),
  )
  await notify(ctx.deps, ctx.now, 'caseDelivered', updated)
  return staffView(ctx, updated, agent)
}

// ---- resident ----------------------------------------------------------------------------------

const rateInput = z.object({
  caseId: fields.id('申请'),
  level: z.enum(RATING_LEVELS, { error: '请选择满意程度' }),
  tags: z.array(z.string().trim().min(1).max(10)).max(6).default([]),
  comment: z.string().trim().max(300, '评价内容不能超过 300 个字').default(''),
})

export async function rateCase(payload: unknown, ctx: Ctx): Promise<CaseView> {
  const p = parse(rateInput, payload)
  const c = await ctx.deps.cases.get(p.caseId)
  if (!c) throw notFound('未找到该申请')
  if (!c.applicant.openid || c.applicant.openid !== ctx.caller.openid)
    throw forbidden('只有申请人本人可以评价')
  if (c.rating) throw invalidState('您已评价过这件申请')
  guard(c.state, 'rate')
  await checkText(ctx, p.comment, 'comment')
  // A 差评 opens the head's 整改 task in the same transaction as the rating.
  const bad = isBadRating(p.level)
  const due = bad
    ? rectifyDue(ctx.now, await loadCalendar(ctx.deps), (await ctx.deps.settings.reminders()).rectifyDays)
    : null
  const updated = await ctx.deps.cases.transition(c._id, c.version, (cur) => {
    if (cur.rating) throw invalidState('您已评价过这件申请')
    const to = guard(cur.state, 'rate')
    const task: Omit<RectificationRecord, '_id'> | null = due
      ? {
          caseId: cur._id,
          caseNo: cur.caseNo,
          itemName: cur.item.name,
          stationId: cur.stationId,
          applicantOpenid: cur.applicant.openid,
          applicantName: cur.applicant.name,
          level: p.level,
          comment: p.comment,
          status: 'open',
          openedAt: ctx.now,
          dueAt: due.dueAt,
          dueDay: due.dueDay,
          steps: [],
          fixRating: null,
          overdueNotified: false,
          calendarMissingYears: due.missingYears,
        }
      : null
    return {
      ...(task
        ? { also: [{ collection: 'rectifications' as const, id: rectificationId(cur._id), data: task }] }
        : {}),
      patch: {
        state: to,
        rating: { level: p.level, tags: p.tags, comment: p.comment, isDefault: false, at: ctx.now },
      },
      event: {
        at: ctx.now,
        actor: actorOf(ctx, null, c.applicant.name),
        action: 'rate',
        from: cur.state,
        to,
        note: RATING_LABELS[p.level],
      },
    }
  })
  if (bad) await notify(ctx.deps, ctx.now, 'badRating', updated)
  return view(updated, await ctx.deps.network.agent(updated.assignedAgentId), [], undefined, true)
}

const getInput = z.object({ caseId: fields.id('申请') })

export async function getCase(payload: unknown, ctx: Ctx): Promise<CaseView> {
  const p = parse(getInput, payload)
  const c = await ctx.deps.cases.get(p.caseId)
  if (!c) throw notFound('未找到该申请')
  const access = await accessTo(ctx, c)
  // Only a resident's 差评 has a 整改 task: no extra read otherwise.
  const hasTask = !!c.rating && !c.rating.isDefault && isBadRating(c.rating.level)
  const [events, agent, task] = await Promise.all([
    ctx.deps.cases.events(c._id),
    ctx.deps.network.agent(c.assignedAgentId),
    hasTask ? ctx.deps.rectifications.ofCase(c._id) : null,
  ])
  const extras = c.caseNo && c.acceptedAt ? await documents(ctx, c, agent) : {}
  const actions: CaseAction[] =
    access.kind === 'applicant'
      ? c.state === 'delivered' && !c.rating
        ? ['rate']
        : []
      : access.kind === 'staff'
        ? staffActions(c, access.agent)
        : []
  const upperStep =
    access.kind === 'upper' && c.state === 'escalated' && c.upper
      ? c.upper.acceptedAt
        ? 'complete'
        : 'accept'
      : null
  // The handling card is for staff; the resident keeps the receipt.
  const { card, ...receipt } = extras as { receipt?: CaseReceipt; card?: HandlingCard }
  return {
    ...view(c, agent, actions, events, access.kind === 'applicant'),
    ...receipt,
    ...(access.kind === 'applicant' ? {} : card ? { card } : {}),
    upperStep,
    rectification: task ? rectificationView(task, ctx.now, access.kind !== 'applicant') : null,
  }
}

/**
 * 材料照片: temporary URLs for a case's uploaded materials, for whoever may see the case. The
 * storage rule keeps each resident's uploads to their own client; staff see them only here,
 * after this access check.
 */
export async function caseMaterials(
  payload: unknown,
  ctx: Ctx,
): Promise<{ list: { fileId: string; url: string }[] }> {
  const p = parse(getInput, payload)
  const c = await ctx.deps.cases.get(p.caseId)
  if (!c) throw notFound('未找到该申请')
  await accessTo(ctx, c)
  const urls = await Promise.all(c.attachments.map((f) => ctx.deps.platform.tempUrl(f)))
  return { list: c.attachments.map((fileId, i) => ({ fileId, url: urls[i]! })) }
}

/** 材料接收单 and 承办卡 of an accepted case. */
async function documents(
  ctx: Ctx,
  c: CaseRecord,
  agent: Agent | null,
): Promise<{ receipt: CaseReceipt; card: HandlingCard }> {
  const [station, district, item] = await Promise.all([
    ctx.deps.network.station(c.stationId),
    ctx.deps.settings.district(),
    ctx.deps.network.item(c.item.id),
  ])
  const caseNo = c.caseNo!
  return {
    receipt: {
      caseNo,
      itemName: c.item.name,
      stationName: station?.name ?? '',
      receivedMaterials: c.receivedMaterials,
      acceptedAt: new Date(c.acceptedAt!).toISOString(),
      dueDay: c.dueDay,
      agentName: agent?.name ?? '',
      agentPhone: agent ? maskPhone(agent.phone) : '',
      supervisionHotline: district.supervisionHotline,
    },
    card: {
      caseNo,
      handlingLabel: c.handling ? HANDLING_TYPE_LABELS[c.handling] : '',
      itemName: c.item.name,
      departments: item?.departments ?? [],
      steps: item?.steps ?? [],
      dueDay: c.dueDay,
      tasks: (c.tasks ?? []).map((t) => ({
        id: t.id,
        title: t.title,
        department: t.department,
        dueDay: t.dueDay,
        done: !!t.doneAt,
      })),
    },
  }
}

const mineInput = z.object({ page: fields.page, pageSize: fields.pageSize })

export async function myCases(payload: unknown, ctx: Ctx) {
  const p = parse(mineInput, payload)
  requireOpenid(ctx)
  const { list, total } = await ctx.deps.cases.mine(ctx.caller.openid, (p.page - 1) * p.pageSize, p.pageSize)
  return {
    list: list.map((c) => view(c, null, [], undefined, true)),
    total,
    page: p.page,
    pageSize: p.pageSize,
    hasMore: p.page * p.pageSize < total,
  }
}

const INBOX_TABS = ['pending', 'handling', 'dueSoon', 'overdue', 'feedback', 'upper'] as const
const inboxInput = z.object({
  tab: z.enum(INBOX_TABS, { error: '未知的分类' }).default('pending'),
  page: fields.page,
  pageSize: fields.pageSize,
  scope: z.enum(['mine', 'station']).default('mine'),
})

/** 代理员工作台: 待受理, 办理中, 即将超期 (within 1 working day), 已超期, 待反馈 — with counts. */
export async function workInbox(payload: unknown, ctx: Ctx) {
  const p = parse(inboxInput, payload)
  const agent = await currentAgent(ctx)
  if (!agent || !STAFF_ROLES.includes(agent.role as (typeof STAFF_ROLES)[number]))
    throw forbidden('工作台仅对代理员开放')
  if (p.scope === 'station' && agent.role !== 'head') throw forbidden('只有站长可以查看全站案件')
  const calendar = await loadCalendar(ctx.deps)
  const today = shanghaiDay(ctx.now)
  const soonEnd = dueAfterAcceptance(ctx.now, 'promised', 1, calendar).dueAt
  const scope = { stationId: agent.stationId, ...(p.scope === 'mine' ? { agentId: agent._id } : {}) }
  const running: CaseState[] = ['accepted', 'escalated']
  const tabs = {
    pending: { ...scope, states: ['submitted'] as CaseState[] },
    handling: { ...scope, states: ['accepted', 'awaiting_supplement', 'escalated'] as CaseState[] },
    dueSoon: { ...scope, states: running, dueAfter: ctx.now, dueBefore: soonEnd },
    overdue: { ...scope, states: running, dueBefore: ctx.now },
    feedback: { ...scope, states: ['completed'] as CaseState[] },
    upper: { ...scope, states: ['escalated'] as CaseState[], upper: true },
  }
  // One aggregation for the six counts, one read for the page: the tab's total is its count.
  const [counts, list] = await Promise.all([
    ctx.deps.cases.inboxCounts(scope, ctx.now, soonEnd),
    ctx.deps.cases.inboxPage({ ...tabs[p.tab], skip: (p.page - 1) * p.pageSize, limit: p.pageSize }),
  ])
  const total = counts[p.tab]
  const { warning } = calendarStatusOf(calendar, ctx.now)
  return {
    today,
    calendarWarning: warning?.message ?? null,
    tab: p.tab,
    counts,
    list: list.map((c) => ({
      ...view(c, null, staffActions(c, agent)),
      applicant: { name: c.applicant.name, maskedPhone: maskPhone(c.applicant.phone) },
    })),
    total,
    page: p.page,
    pageSize: p.pageSize,
    hasMore: p.page * p.pageSize < total,
  }
}

const claimInput = z.object({
  claimCode: z
    .string({ error: '请输入认领码' })
    .trim()
    .toUpperCase()
    .regex(
      new RegExp(`^[${CODE_ALPHABET}]{${CLAIM_CODE_LENGTH}}$`),
      `认领码为 ${CLAIM_CODE_LENGTH} 位字母或数字，见材料接收单`,
    ),
  phone: z
    .string({ error: '请填写手机号' })
    .trim()
    .regex(/^1\d{10}$/, '应为 11 位手机号'),
})

const WRONG_CLAIM = '认领码或手机号不正确，请核对材料接收单'

/**
 * A resident whose case an agent filed at the counter (or by phone) claims it in WeChat with the
 * code on their 材料接收单 and the phone number given at intake; from then on it is theirs.
 * Guessing is bounded twice: 10 attempts per WeChat user a day, and 5 wrong phone numbers void a
 * code (the agent issues a new one). A wrong code, a wrong phone, an expired or void code all get
 * the same answer, so probing learns nothing.
 */
export async function claimCase(payload: unknown, ctx: Ctx): Promise<CaseView> {
  requireOpenid(ctx)
  const p = parse(claimInput, payload)
  const day = shanghaiDay(ctx.now)
  if (!(await ctx.deps.claims.takeAttempt(`${ctx.caller.openid}:${day}`, CLAIM_ATTEMPTS_PER_DAY, ctx.now)))
    throw rateLimited('今天认领尝试次数过多，请明天再试，或请代理员帮您查看')
  const code = await ctx.deps.claims.get(p.claimCode)
  if (!code || code.closedAt || new Date(code.expiresAt).getTime() <= ctx.now.getTime())
    throw notFound(WRONG_CLAIM)
  const c = await ctx.deps.cases.get(code.caseId)
  if (!c) throw notFound(WRONG_CLAIM)
  if (c.applicant.phone !== p.phone) {
    await ctx.deps.claims.fail(code._id, CLAIM_MAX_FAILURES, ctx.now)
    throw notFound(WRONG_CLAIM)
  }
  if (c.applicant.openid) throw invalidState('这件申请已被认领')
  const updated = await ctx.deps.cases.transition(c._id, c.version, (cur) => {
    if (cur.applicant.openid) throw invalidState('这件申请已被认领')
    return {
      patch: { applicant: { ...cur.applicant, openid: ctx.caller.openid } },
      event: {
        at: ctx.now,
        actor: actorOf(ctx, null, cur.applicant.name),
        action: 'claim',
        from: cur.state,
        to: cur.state,
        note: '群众在微信中认领',
      },
    }
  })
  await ctx.deps.claims.close(code._id, 'claimed', ctx.now)
  // A visit the agent scheduled before the claim now belongs to the resident (我的预约, reminders).
  await ctx.deps.appointments.adoptCaseBookings(c._id, ctx.caller.openid)
  return view(updated, await ctx.deps.network.agent(updated.assignedAgentId), [], undefined, true)
}

const reissueInput = z.object({ caseId: fields.id('申请') })

/**
 * A new 认领码 for an unclaimed case filed on a resident's behalf (the old one expired, was lost or
 * was voided by wrong phone numbers): staff of the case's station only; the old code stops working.
 */
export async function reissueClaimCode(
  payload: unknown,
  ctx: Ctx,
): Promise<{ claimCode: string; expiresAt: string }> {
  const p = parse(reissueInput, payload)
  const c = await ctx.deps.cases.get(p.caseId)
  if (!c) throw notFound('未找到该申请')
  const agent = await currentAgent(ctx)
  if (
    !agent ||
    !STAFF_ROLES.includes(agent.role as (typeof STAFF_ROLES)[number]) ||
    agent.stationId !== c.stationId
  )
    throw forbidden('只有本站代理员可以重新生成认领码')
  if (c.applicant.openid) throw invalidState('这件申请已被群众认领')
  const code = await issueClaimCode(ctx, c._id)
  const old = c.applicant.claimCode
  await ctx.deps.cases.transition(c._id, c.version, (cur) => {
    if (cur.applicant.openid) throw invalidState('这件申请已被群众认领')
    return {
      patch: { applicant: { ...cur.applicant, claimCode: code } },
      event: {
        at: ctx.now,
        actor: actorOf(ctx, agent),
        action: 'reissueClaimCode',
        from: cur.state,
        to: cur.state,
        note: '重新生成认领码，旧码作废',
      },
    }
  })
  if (old) await ctx.deps.claims.close(old, 'replaced', ctx.now)
  return {
    claimCode: code,
    expiresAt: new Date(ctx.now.getTime() + CLAIM_TTL_DAYS * 86_400_000).toISOString(),
  }
}

const contactInput = z.object({ caseId: fields.id('申请') })

/**
 * The applicant's full phone for the staff working on the case (its station, the upper station
 * of a 上报件, supervisors); every read is logged.
 */
export async function caseContact(payload: unknown, ctx: Ctx): Promise<{ name: string; phone: string }> {
  const p = parse(contactInput, payload)
  const c = await ctx.deps.cases.get(p.caseId)
  if (!c) throw notFound('未找到该申请')
  const access = await accessTo(ctx, c)
  if (access.kind === 'applicant') throw forbidden('这是您本人的电话')
  // Admins maintain data; they do not need residents' numbers.
  if (access.agent.role === 'admin') throw forbidden('管理员无需查看群众电话')
  await ctx.deps.accessLog.log({
    at: ctx.now,
    agentId: access.agent._id,
    openid: c.applicant.openid,
    what: `case:${c._id}:phone`,
  })
  return { name: c.applicant.name, phone: c.applicant.phone }
}
