/**
 * 移交: before an agent leaves (停用, or moves to another station) the open cases they hold go to
 * another agent of the same station, in bulk, without the admin or head reading what the cases
 * are about: only ids and versions are read, and each move is a timeline event of its case.
 */
import type { Actions } from '../../typings/api'
import type { Agent, CaseRecord } from '../../typings/domain'
import { AppError, forbidden, invalidInput, notFound } from '../lib/errors'
import { fields, parse, z } from '../lib/validate'
import { requireRole, type Ctx } from '../kit/context'
import { enqueue, formatInstant } from '../kit/notify'
import { auditActor } from './admin'
import type { Decision } from '../repositories/cases'
import type { HeldCase } from '../repositories/handover'

/** Cases moved per call: each is one transaction; a call stays far inside the function's time. */
const PER_CALL = 40

const handoverInput = z.object({
  fromAgentId: fields.id('移交人'),
  toAgentId: fields.id('接收人'),
})

class Moved extends Error {}

/**
 * Moves each held case in its own transaction with its timeline event, as `decide` says; a case
 * someone acted on meanwhile (decide throws Moved, or the version moved on) is skipped: it stays
 * in the count and the next call takes it up.
 */
async function moveEach(
  ctx: Ctx,
  held: HeldCase[],
  decide: (h: HeldCase, cur: CaseRecord) => Decision,
): Promise<CaseRecord[]> {
  const moved: CaseRecord[] = []
  for (const h of held) {
    try {
      moved.push(await ctx.deps.cases.transition(h.caseId, h.version, (cur) => decide(h, cur)))
    } catch (err) {
      if (err instanceof Moved || (err instanceof AppError && err.code === 'CONFLICT')) continue
      throw err
    }
  }
  return moved
}

/** Admins and supervisors do not work cases: only an agent or a head receives them. */
const works = (a: Agent) => a.role === 'agent' || a.role === 'head'
const NOT_A_WORKER = '接收人应为代理员或站长（管理员、督查不承办申请）'

/**
 * One notice per hand-over call to the receiver, whichever side (own or 上报件) they now hold:
 * a notice per case would spend one of their one-time grants each and bury the message list.
 * It reuses 新申请分派 (caseAssigned): 事项 says how many, 申请人 names the one applicant or
 * 多位群众, the hint says where they came from; it opens the first case moved (the others are on
 * the receiver's workbench).
 */
async function tellReceiver(ctx: Ctx, to: Agent, moved: CaseRecord[], hint: string): Promise<void> {
  const first = moved[0]
  if (!first) return
  const one = moved.length === 1
  await enqueue(ctx.deps, ctx.now, {
    event: 'caseAssigned',
    // Unique per call: the first case moved and its new version.
    key: `handover:${to._id}:${first._id}:${first.version}`,
    recipient: to.openid ?? null,
    caseId: first._id,
    query: `id=${encodeURIComponent(first._id)}`,
    vars: {
      itemName: one ? first.item.name : `移交申请 ${moved.length} 件`,
      applicantName: one ? first.applicant.name : '多位群众',
      caseNo: first.caseNo ?? '待受理',
      state: '移交',
      dueDay: '—',
      result: '—',
      now: formatInstant(ctx.now),
      hint,
    },
  })
}

export async function handOver(payload: unknown, ctx: Ctx): Promise<Actions['admin.handover']['out']> {
  const me = await requireRole(ctx, ['admin', 'head'])
  const p = parse(handoverInput, payload)
  if (p.fromAgentId === p.toAgentId) throw invalidInput({ toAgentId: '请选择另一位代理员' })
  const net = ctx.deps.network
  const [from, to] = await Promise.all([net.agent(p.fromAgentId), net.agent(p.toAgentId)])
  if (!from) throw notFound('花名册中没有移交人')
  if (me.role === 'head' && me.stationId !== from.stationId) throw forbidden('站长只能移交本站人员的申请')
  if (!to || !to.active || to.stationId !== from.stationId)
    throw invalidInput({ toAgentId: '接收人应为同一服务站在岗的代理员' })
  if (!works(to)) throw invalidInput({ toAgentId: NOT_A_WORKER })
  const held = await ctx.deps.handover.heldBy(from._id, PER_CALL)
  const actor = { openid: ctx.caller.openid, agentId: me._id, name: me.name, role: me.role }
  const note = `由 ${from.name} 移交给 ${to.name}`
  const movedCases = await moveEach(ctx, held.list, (h, cur) => {
    const holder = h.side === 'own' ? cur.assignedAgentId : cur.upper?.agentId
    if (holder !== from._id) throw new Moved()
    return {
      patch:
        h.side === 'own'
          ? { assignedAgentId: to._id, assignReason: `移交：${note}` }
          : { upper: { ...cur.upper!, agentId: to._id, assignReason: `移交：${note}` } },
      event: { at: ctx.now, actor, action: 'handover', from: cur.state, to: cur.state, note },
    }
  })
  const movedIds = movedCases.map((c) => c._id)
  const moved = movedIds.length
  await tellReceiver(ctx, to, movedCases, `${from.name}移交给您`)
  if (moved)
    await ctx.deps.audit.add({
      at: ctx.now,
      actor: auditActor(me),
      kind: 'handover',
      recordId: from._id,
      action: 'handover',
      summary: `移交 ${moved} 件申请：${from.name} → ${to.name}`,
      before: { agentId: from._id, caseIds: movedIds },
      after: { agentId: to._id, caseIds: movedIds },
    })
  const remaining = Math.max(0, held.total - moved)
  return {
    moved,
    remaining,
    message: remaining
      ? `已移交 ${moved} 件，还有 ${remaining} 件，请继续`
      : `已移交 ${moved} 件，${from.name}名下没有未办完的申请`,
  }
}

const stationHandoverInput = z.object({
  stationId: fields.id('移交的服务站'),
  toAgentId: fields.id('接收人'),
})

/**
 * 整站移交: before a station is retired (撤并), every open case it holds — its own, and 上报件
 * waiting at it — goes to one agent of another station the admin picks: a station of the same
 * tier (a merged neighbour) or its parent station. Admins only (retiring a station is theirs).
 * The parent is refused while it works on 上报件 this station owns: it would become owner and
 * decider of them at once, and nobody could take their upper steps (accept, complete).
 *
 * Like the agent hand-over it reads ids and versions only, moves each case in its own
 * transaction with its timeline event (a case is never half moved), and stops after PER_CALL
 * cases so a call stays far inside the function's 60 s; the page calls again while `remaining`
 * is above 0. Moved cases leave the station's query, so the next call needs no cursor.
 */
export async function handOverStation(
  payload: unknown,
  ctx: Ctx,
): Promise<Actions['admin.handover.station']['out']> {
  const me = await requireRole(ctx, ['admin'])
  const p = parse(stationHandoverInput, payload)
  const net = ctx.deps.network
  const [from, to] = await Promise.all([net.station(p.stationId), net.agent(p.toAgentId)])
  if (!from) throw notFound('未找到该服务站')
  const target = to?.active ? await net.station(to.stationId) : null
  if (!to || !to.active || !target || !target.active || target._id === from._id)
    throw invalidInput({ toAgentId: '接收人应为其他在用服务站在岗的人员' })
  if (!works(to)) throw invalidInput({ toAgentId: NOT_A_WORKER })
  if (target.tier !== from.tier && target._id !== from.parentId)
    throw invalidInput({ toAgentId: '接收人应在同一层级的服务站，或本站的上级服务站' })
  if (target._id === from.parentId) {
    const stuck = await ctx.deps.handover.escalatedTo(from._id, target._id)
    if (stuck > 0)
      throw invalidInput({
        toAgentId: `本站有 ${stuck} 件上报件正由${target.name}办理，交给${target.name}后无人能接着办理。请改选同级服务站的代理员，或等${target.name}办结这些上报件后再移交`,
      })
  }
  const held = await ctx.deps.handover.heldAtStation(from._id, PER_CALL)
  const actor = { openid: ctx.caller.openid, agentId: me._id, name: me.name, role: me.role }
  const note = `${from.name}撤并，由 ${target.name} ${to.name} 接办`
  const movedCases = await moveEach(ctx, held.list, (h, cur) => {
    const here = h.side === 'own' ? cur.stationId : cur.upper?.stationId
    if (here !== from._id) throw new Moved()
    // Escalated to the receiving station since the count above: left for the next call to refuse.
    if (h.side === 'own' && cur.state === 'escalated' && cur.upper?.stationId === target._id)
      throw new Moved()
    const assignReason = `移交：${note}`
    return {
      patch:
        h.side === 'own'
          ? { stationId: target._id, assignedAgentId: to._id, assignReason }
          : { upper: { ...cur.upper!, stationId: target._id, agentId: to._id, assignReason } },
      event: { at: ctx.now, actor, action: 'handover', from: cur.state, to: cur.state, note },
    }
  })
  const movedIds = movedCases.map((c) => c._id)
  await tellReceiver(ctx, to, movedCases, `${from.name}撤并移交`)
  if (movedIds.length)
    await ctx.deps.audit.add({
      at: ctx.now,
      actor: auditActor(me),
      kind: 'handover',
      recordId: from._id,
      action: 'handover',
      summary: `整站移交 ${movedIds.length} 件申请：${from.name} → ${target.name} ${to.name}`,
      before: { stationId: from._id, caseIds: movedIds },
      after: { stationId: target._id, agentId: to._id, caseIds: movedIds },
    })
  const moved = movedIds.length
  const remaining = Math.max(0, held.total - moved)
  return {
    moved,
    remaining,
    message: remaining
      ? `已移交 ${moved} 件，还有 ${remaining} 件，请继续`
      : `已移交 ${moved} 件，${from.name}没有未办结的申请了，可以停用`,
  }
}
