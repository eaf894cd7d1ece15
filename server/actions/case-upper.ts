/**
 * The parent station's side of a 上报件: it accepts (its own deadline starts) and finishes; the
 * case then returns to the owning agent, who delivers it (只进一家门).
 */
import { dueAfterAcceptance, isOnTime, residentDue } from '../domain/case-states'
import { fields, parse, z } from '../lib/validate'
import { loadCalendar, type Ctx } from '../kit/context'
import { notify } from '../kit/notify'
import { checkText } from '../kit/text-check'
import { actorOf, guard, recheck, staffFor, staffView, type CaseView } from '../kit/case-kit'

const base = {
  caseId: fields.id('申请'),
  version: z.number({ error: '缺少版本号，请刷新后重试' }).int().min(1),
}

const upperAcceptInput = z.object({ ...base })

/** The parent station accepts the escalated case: its own deadline starts now. */
export async function acceptUpper(payload: unknown, ctx: Ctx): Promise<CaseView> {
  const p = parse(upperAcceptInput, payload)
  const { c, agent } = await staffFor(ctx, 'acceptUpper', p.caseId, p.version)
  const calendar = await loadCalendar(ctx.deps)
  const updated = await ctx.deps.cases.transition(c._id, p.version, (cur) => {
    recheck(cur, 'acceptUpper')
    const due = dueAfterAcceptance(ctx.now, 'promised', cur.item.promisedDays, calendar)
    const own = cur.dueAt ? new Date(cur.dueAt) : due.dueAt
    return {
      patch: {
        upper: { ...cur.upper!, acceptedAt: ctx.now, dueAt: due.dueAt },
        residentDueAt: residentDue(own, due.dueAt),
      },
      event: {
        at: ctx.now,
        actor: actorOf(ctx, agent),
        action: 'accept',
        from: cur.state,
        to: cur.state,
        note: '上级服务站已受理',
      },
    }
  })
  return staffView(ctx, updated, agent)
}

const upperCompleteInput = z.object({ ...base, result: fields.text('办理结果', 500) })

/** The parent station finishes; the case returns to the owning agent, who delivers it. */
export async function completeUpper(payload: unknown, ctx: Ctx): Promise<CaseView> {
  const p = parse(upperCompleteInput, payload)
  const { c, agent } = await staffFor(ctx, 'completeUpper', p.caseId, p.version)
  await checkText(ctx, p.result, 'result')
  const updated = await ctx.deps.cases.transition(c._id, p.version, (cur) => {
    recheck(cur, 'completeUpper')
    const to = guard(cur.state, 'completeUpper')
    const dueAt = cur.residentDueAt ?? cur.dueAt
    return {
      patch: {
        state: to,
        completedAt: ctx.now,
        result: p.result,
        onTime: dueAt ? isOnTime(ctx.now, new Date(dueAt)) : true,
        upper: { ...cur.upper!, completedAt: ctx.now, result: p.result },
      },
      event: {
        at: ctx.now,
        actor: actorOf(ctx, agent),
        action: 'completeUpper',
        from: cur.state,
        to,
        note: p.result,
      },
    }
  })
  await notify(ctx.deps, ctx.now, 'caseCompleted', updated)
  return staffView(ctx, updated, agent)
}
