import type { Role } from '../../typings/domain'
import { conflict, notFound } from '../lib/errors'
import { fields, parse, z } from '../lib/validate'
import { uploadDirOf } from '../lib/files'
import { randomCode } from '../lib/codes'
import { currentAgent, requireOpenid, requireRole, type Ctx } from '../kit/context'

const INVITE_TTL_MS = 7 * 86_400_000

export async function meProfile(_payload: unknown, ctx: Ctx) {
  const agent = await currentAgent(ctx)
  // The folder this user's photo uploads go to (owner-scoped; see server/lib/files.ts).
  const uploadDir = ctx.caller.openid ? uploadDirOf(ctx.caller.openid) : ''
  if (!agent) return { openid: ctx.caller.openid, uploadDir, agent: null }
  const station = await ctx.deps.network.station(agent.stationId)
  return {
    openid: ctx.caller.openid,
    uploadDir,
    agent: {
      id: agent._id,
      name: agent.name,
      role: agent.role,
      stationId: agent.stationId,
      stationName: station?.name ?? '',
    },
  }
}

const inviteInput = z.object({ agentId: fields.id('花名册人员') })

/** An admin issues a one-time code that binds a WeChat user to a roster entry. */
export async function rosterInvite(payload: unknown, ctx: Ctx): Promise<{ code: string; expiresAt: string }> {
  await requireRole(ctx, ['admin'])
  const p = parse(inviteInput, payload)
  return issueInvitation(ctx, p.agentId)
}

/** A one-time code for a roster entry (also the deploy's first-admin code: scripts/deploy). */
export async function issueInvitation(
  ctx: Ctx,
  agentId: string,
): Promise<{ code: string; expiresAt: string }> {
  const agent = await ctx.deps.network.agent(agentId)
  if (!agent || !agent.active) throw notFound('花名册中没有此人')
  const code = randomCode(8)
  const expiresAt = new Date(ctx.now.getTime() + INVITE_TTL_MS)
  await ctx.deps.roster.createInvitation({
    _id: code,
    agentId: agent._id,
    expiresAt,
    createdAt: ctx.now,
    usedBy: null,
  })
  return { code, expiresAt: expiresAt.toISOString() }
}

const bindInput = z.object({
  code: z
    .string({ error: '请输入邀请码' })
    .trim()
    .transform((s) => s.toUpperCase())
    .pipe(z.string().regex(/^[A-Z2-9]{8}$/, '邀请码为 8 位字母或数字')),
})

/** The invited user redeems the code; identity is the caller's OPENID, never a client field. */
export async function rosterBind(
  payload: unknown,
  ctx: Ctx,
): Promise<{ agentId: string; name: string; role: Role; stationId: string }> {
  const p = parse(bindInput, payload)
  requireOpenid(ctx)
  if (await ctx.deps.network.agentByOpenid(ctx.caller.openid))
    throw conflict('您的微信已绑定花名册，无需重复绑定')
  const agent = await ctx.deps.roster.redeem(p.code, ctx.caller.openid, ctx.now)
  return { agentId: agent._id, name: agent.name, role: agent.role, stationId: agent.stationId }
}
