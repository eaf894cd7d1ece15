import type { Audience } from '../domain/notifications'
import { STAFF_MOMENTS, SUBSCRIBE_MOMENTS, subscribeBatches, type SubscribeMoment } from '../domain/subscribe'
import { parse, z } from '../lib/validate'
import { currentAgent, requireOpenid, type Ctx } from '../kit/context'

const grantInput = z.object({
  /** Template ids the user accepted in wx.requestSubscribeMessage. */
  accepted: z.array(z.string().min(1).max(64)).max(10),
  longTerm: z.boolean().default(false),
})

/** Records the subscribe-message grants a user just gave (one-time grants are counted). */
export async function recordGrants(payload: unknown, ctx: Ctx): Promise<{ recorded: number }> {
  const p = parse(grantInput, payload)
  requireOpenid(ctx)
  await ctx.deps.outbox.addGrants(ctx.caller.openid, p.accepted, p.longTerm)
  return { recorded: p.accepted.length }
}

const templatesInput = z.object({
  moment: z.enum(Object.keys(SUBSCRIBE_MOMENTS) as [SubscribeMoment, ...SubscribeMoment[]], {
    error: '未知的订阅时机',
  }),
})

/**
 * The subscribe-message template ids a page asks for at a moment, for this caller: the templates
 * admins configured (the database holds the mapping), only for notices the caller can receive.
 * Pages fetch this when they open, because the ask itself must happen inside the user's tap.
 */
export async function subscribeTemplates(
  payload: unknown,
  ctx: Ctx,
): Promise<{ batches: string[][]; longTerm: boolean }> {
  const p = parse(templatesInput, payload)
  requireOpenid(ctx)
  const agent = STAFF_MOMENTS.has(p.moment) ? await currentAgent(ctx) : null
  const audiences: Audience[] = !STAFF_MOMENTS.has(p.moment)
    ? ['resident']
    : agent?.role === 'head'
      ? ['agent', 'head']
      : agent
        ? [agent.role]
        : []
  const templates = audiences.length ? await ctx.deps.settings.templates() : {}
  return { batches: subscribeBatches(p.moment, audiences, templates), longTerm: STAFF_MOMENTS.has(p.moment) }
}

const STATUS_LABELS: Record<string, string> = {
  pending: '待发送',
  sending: '发送中',
  sent: '已发送',
  failed: '发送失败',
  skipped_no_grant: '未订阅，未发送',
  skipped_no_recipient: '未绑定微信，未发送',
}

/** 我的消息: notifications addressed to the caller. */
export async function myMessages(_payload: unknown, ctx: Ctx) {
  requireOpenid(ctx)
  const list = await ctx.deps.outbox.forRecipient(ctx.caller.openid, 50)
  return {
    list: list.map((m) => ({
      id: m._id,
      event: m.event,
      caseId: m.caseId,
      text: Object.values(m.data)
        .map((d) => d.value)
        .join(' · '),
      status: m.status,
      statusLabel: STATUS_LABELS[m.status] ?? m.status,
      at: new Date(m.createdAt).toISOString(),
    })),
  }
}
