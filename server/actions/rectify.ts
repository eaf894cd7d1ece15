/**
 * 整改 (the 好差评 loop): the station head 核实 → 整改或说明 → 回访 within the set working days;
 * the resident then rates the fix. Supervisors see every station's tasks; the head only theirs.
 */
import type { CursorPage, RectificationView } from '../../typings/api'
import { RATING_LEVELS } from '../../typings/vocabulary'
import {
  HEAD_STATUSES,
  RECTIFY_STATUS_LABELS,
  RECTIFY_STEP_LABELS,
  nextStep,
  stepTransition,
  type RectifyStatus,
} from '../domain/rectification'
import { AppError, conflict, forbidden, invalidState, notFound } from '../lib/errors'
import { fields, parse, z } from '../lib/validate'
import { requireRole, type Ctx } from '../kit/context'
import { enqueue, formatInstant } from '../kit/notify'
import { checkText } from '../kit/text-check'
import { rectificationView } from './rectify-view'
import { pageFields } from './page-input'

const listInput = z.object({ scope: z.enum(['open', 'all']).default('open'), ...pageFields })

/** The head's 整改 list (their station), or every station's for supervisors; due first, paged. */
export async function listRectifications(payload: unknown, ctx: Ctx): Promise<CursorPage<RectificationView>> {
  // Not admins: a 整改 carries the resident's complaint, which is case content (least privilege).
  const me = await requireRole(ctx, ['head', 'supervisor'])
  const p = parse(listInput, payload ?? {})
  const statuses: RectifyStatus[] =
    p.scope === 'open' ? [...HEAD_STATUSES, 'visited'] : ['open', 'verified', 'fixed', 'visited', 'closed']
  const page = await ctx.deps.rectifications.list(
    me.role === 'head' ? me.stationId : null,
    statuses,
    p.cursor ?? null,
    p.pageSize ?? 20,
  )
  return { ...page, list: page.list.map((r) => rectificationView(r, ctx.now, true)) }
}

const stepInput = z.object({
  caseId: fields.id('申请'),
  step: z.enum(['verify', 'fix', 'visit'], { error: '请选择整改环节' }),
  note: fields.text('情况说明', 300),
  outcome: z.enum(['fixed', 'explained']).optional(),
})

/** One step of the task, by the head of the station, in order; the 回访 asks the resident to rate. */
export async function rectifyStep(payload: unknown, ctx: Ctx): Promise<RectificationView> {
  const me = await requireRole(ctx, ['head'])
  const p = parse(stepInput, payload)
  const r = await ctx.deps.rectifications.ofCase(p.caseId)
  if (!r) throw notFound('这件申请没有整改任务')
  if (r.stationId !== me.stationId) throw forbidden('只能处理本站的整改任务')
  const expected = nextStep(r.status)
  if (expected !== p.step)
    throw invalidState(
      expected
        ? `请先完成「${RECTIFY_STEP_LABELS[expected]}」`
        : `该整改任务${RECTIFY_STATUS_LABELS[r.status]}`,
    )
  if (p.step === 'fix' && !p.outcome)
    throw new AppError('INVALID_INPUT', '请选择已整改或已解释说明', { outcome: '请选择' })
  await checkText(ctx, p.note, 'note')
  const { from, to } = stepTransition(p.step)
  const entry = {
    step: p.step,
    note: p.note,
    outcome: p.step === 'fix' ? (p.outcome ?? null) : null,
    at: ctx.now,
    by: me._id,
    byName: me.name,
  }
  const patch = p.step === 'visit' ? { visitedAt: ctx.now } : {}
  if (!(await ctx.deps.rectifications.advance(r._id, from, to, patch, entry)))
    throw conflict('该整改任务刚刚有了变化，请刷新')
  const next = { ...r, status: to, steps: [...r.steps, entry] }
  if (p.step === 'visit') {
    await enqueue(ctx.deps, ctx.now, {
      event: 'rectifyVisited',
      key: `${r._id}:rectifyVisited`,
      recipient: r.applicantOpenid,
      caseId: r.caseId,
      query: `id=${encodeURIComponent(r.caseId)}`,
      vars: { itemName: r.itemName, hint: '站长已回访，请评价整改结果', now: formatInstant(ctx.now) },
    })
  }
  return rectificationView(next, ctx.now, true)
}

const rateInput = z.object({
  caseId: fields.id('申请'),
  level: z.enum(RATING_LEVELS, { error: '请选择满意程度' }),
})

/** The resident rates the fix once, after the 回访; the task is then closed. */
export async function rateFix(payload: unknown, ctx: Ctx): Promise<RectificationView> {
  const p = parse(rateInput, payload)
  const r = await ctx.deps.rectifications.ofCase(p.caseId)
  if (!r) throw notFound('这件申请没有整改任务')
  if (!r.applicantOpenid || r.applicantOpenid !== ctx.caller.openid) throw forbidden('只有申请人本人可以评价')
  if (r.status !== 'visited')
    throw invalidState(r.status === 'closed' ? '您已评价过整改结果' : '站长回访后才能评价整改结果')
  const fixRating = { level: p.level, at: ctx.now }
  if (!(await ctx.deps.rectifications.advance(r._id, 'visited', 'closed', { fixRating }, null)))
    throw conflict('您已评价过整改结果')
  return rectificationView({ ...r, status: 'closed', fixRating }, ctx.now, false)
}
