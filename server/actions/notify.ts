import { parse, z } from '../lib/validate'
import { requireOpenid, type Ctx } from '../kit/context'

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
