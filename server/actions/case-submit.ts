/**
 * 申请: a resident submits (or an agent files for them at the counter, with a 认领码 the resident
 * later claims the case with). Idempotent per request id; assigned by pairing → duty → specialty
 * → head.
 */
import { randomBytes } from 'node:crypto'
import type { Agent, CaseRecord } from '../../typings/domain'
import { shanghaiDay } from '../domain/calendar'
import { chooseAssignee } from '../domain/assignment'
import { dutyOn, tiersOfferedAt } from '../domain/network'
import {
  AppError,
  conflict,
  forbidden,
  invalidInput,
  invalidState,
  notFound,
  rateLimited,
} from '../lib/errors'
import { fields, parse, z } from '../lib/validate'
import { ownAttachments } from '../lib/files'
import { CODE_ALPHABET, randomCode } from '../lib/codes'
import { isDuplicateKey } from '../repositories/db'
import { currentAgent, loadCalendar, requireOpenid, type Ctx } from '../kit/context'
import { notify } from '../kit/notify'
import { checkText } from '../kit/text-check'
import { actionsOf, actorOf, applicantView, authorize, recheck, view, type CaseView } from '../kit/case-kit'
import { callerOf } from '../domain/case-rules'

const STAFF_ROLES = ['agent', 'head'] as const

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
    ...(await submitterView(ctx, prior, p.onBehalf)),
    claimCode: prior.applicant.claimCode,
  }
}

/**
 * The filed case as its submitter sees it, with what they may do next: the resident their own
 * case, the agent at the counter theirs.
 */
async function submitterView(
  ctx: Ctx,
  c: CaseRecord,
  onBehalf: boolean,
  known?: { me: Agent | null; assigned: Agent | null },
): Promise<CaseView> {
  const assigned = known ? known.assigned : await ctx.deps.network.agent(c.assignedAgentId)
  if (!onBehalf) return view(c, assigned, actionsOf(c, APPLICANT), undefined, true)
  const me = known ? known.me : await currentAgent(ctx)
  return view(c, assigned, actionsOf(c, callerOf(c, ctx.caller.openid, me)))
}

const APPLICANT = { role: 'resident', relation: 'applicant' } as const

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
  // No read for a retry up front: the unique index on (submitter, request id) refuses a second
  // case below and the retry is answered from the first one, so a first submit (nearly all of
  // them) saves a call.

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
  // The assignee was read with the station's roster: no second read to address the notice.
  await notify(ctx.deps, ctx.now, 'caseAssigned', created, undefined, { known: agents })
  const assigned = byId.get(chosen.agentId) ?? null
  return { ...(await submitterView(ctx, created, p.onBehalf, { me, assigned })), claimCode }
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
  return applicantView(ctx, updated)
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
  const { c, agent } = await authorize(ctx, p.caseId, 'reissueClaimCode')
  const code = await issueClaimCode(ctx, c._id)
  const old = c.applicant.claimCode
  await ctx.deps.cases.transition(c._id, c.version, (cur) => {
    recheck(cur, 'reissueClaimCode')
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
