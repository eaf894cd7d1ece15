/**
 * The applicant's own steps on their case: supply the missing materials (the agent may do it at
 * the counter too), withdraw before the work is done, rate once after delivery (a 差评 opens the
 * head's 整改 task in the same transaction).
 */
import { RATING_LABELS, RATING_LEVELS } from '../../typings/vocabulary'
import { dueAfterSupplement, isBadRating } from '../domain/case-states'
import { rectificationId, rectifyDue, type RectificationRecord } from '../domain/rectification'
import { fields, parse, z } from '../lib/validate'
import { ownAttachments } from '../lib/files'
import { loadCalendar, requireOpenid, type Ctx } from '../kit/context'
import { notify } from '../kit/notify'
import { checkText } from '../kit/text-check'
import {
  actionsOf,
  actorOf,
  applicantView,
  authorize,
  guard,
  recheck,
  step,
  view,
  type CaseView,
} from '../kit/case-kit'

/** Attachments must be the caller's own uploads (resident, or the agent at the counter). */
const supplementInput = (openid: string) =>
  z.object({
    caseId: fields.id('申请'),
    attachments: ownAttachments(openid),
    note: z.string().trim().max(200).default(''),
  })

/** The resident (or their agent at the counter) supplies the materials; the full period restarts. */
export async function supplyMaterials(payload: unknown, ctx: Ctx): Promise<CaseView> {
  requireOpenid(ctx)
  const p = parse(supplementInput(ctx.caller.openid), payload)
  const { c, agent: me, who } = await authorize(ctx, p.caseId, 'supplement')
  const isApplicant = who.relation === 'applicant'
  await checkText(ctx, p.note, 'note')
  const calendar = await loadCalendar(ctx.deps)
  const updated = await ctx.deps.cases.transition(c._id, c.version, (cur) => {
    recheck(cur, 'supplement')
    const to = guard(cur.state, 'supplement')
    const due = dueAfterSupplement(ctx.now, cur.item.promisedDays, calendar)
    return {
      patch: {
        state: to,
        supplement: cur.supplement
          ? { ...cur.supplement, suppliedAt: ctx.now, attachments: p.attachments }
          : null,
        attachments: [...cur.attachments, ...p.attachments],
        dueAt: due.dueAt,
        dueDay: due.dueDay,
        residentDueAt: due.dueAt,
        calendarMissingYears: due.missingYears,
      },
      event: {
        at: ctx.now,
        actor: actorOf(ctx, me, cur.applicant.name),
        action: 'supplement',
        from: cur.state,
        to,
        note: p.note || '材料已补齐，重新计时',
      },
    }
  })
  const assigned = await ctx.deps.network.agent(updated.assignedAgentId)
  return view(updated, assigned, actionsOf(updated, who), undefined, isApplicant)
}

const withdrawInput = z.object({ caseId: fields.id('申请'), reason: z.string().trim().max(200).default('') })

/** 撤回: the applicant withdraws before the work is done. */
export async function withdrawCase(payload: unknown, ctx: Ctx): Promise<CaseView> {
  const p = parse(withdrawInput, payload)
  const { c, who } = await authorize(ctx, p.caseId, 'withdraw')
  const updated = await ctx.deps.cases.transition(
    c._id,
    c.version,
    step(ctx, actorOf(ctx, null, c.applicant.name), 'withdraw', () => ({ note: p.reason || '申请人撤回' })),
  )
  return view(updated, null, actionsOf(updated, who), undefined, true)
}

const rateInput = z.object({
  caseId: fields.id('申请'),
  level: z.enum(RATING_LEVELS, { error: '请选择满意程度' }),
  tags: z.array(z.string().trim().min(1).max(10)).max(6).default([]),
  comment: z.string().trim().max(300, '评价内容不能超过 300 个字').default(''),
})

export async function rateCase(payload: unknown, ctx: Ctx): Promise<CaseView> {
  const p = parse(rateInput, payload)
  const { c } = await authorize(ctx, p.caseId, 'rate')
  await checkText(ctx, p.comment, 'comment')
  // A 差评 opens the head's 整改 task in the same transaction as the rating.
  const bad = isBadRating(p.level)
  const due = bad
    ? rectifyDue(ctx.now, await loadCalendar(ctx.deps), (await ctx.deps.settings.reminders()).rectifyDays)
    : null
  const updated = await ctx.deps.cases.transition(c._id, c.version, (cur) => {
    recheck(cur, 'rate')
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
  return applicantView(ctx, updated)
}
