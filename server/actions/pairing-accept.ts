/**
 * 结对确认: the paired agent shows a pairing QR code (a one-time code that expires in 10 minutes),
 * the resident scans it in WeChat and accepts; the pairing then knows the resident's openid, so
 * assignment rule 1 (the paired agent) applies to their next case at that station.
 */
import type { Actions } from '../../typings/api'
import type { Pairing } from '../../typings/domain'
import { conflict, forbidden, notFound } from '../lib/errors'
import { randomCode } from '../lib/codes'
import { fields, parse, z } from '../lib/validate'
import { currentAgent, requireOpenid, type Ctx } from '../kit/context'

const TOKEN_TTL_MS = 10 * 60_000
/** The page the code opens; its scene is `pt=<code>` (a mini-program code's scene holds 32 characters). */
export const PAIR_PAGE = 'pages/pair/index'

const qrInput = z.object({ pairingId: fields.id('结对') })

async function pairingOf(ctx: Ctx, id: string): Promise<Pairing | null> {
  return ctx.deps.network.pairing(id)
}

/** 王秀英 → 王*英, 李明 → 李*: enough for the resident to recognise their household. */
function maskName(name: string): string {
  const chars = [...name]
  if (chars.length <= 1) return name
  if (chars.length === 2) return `${chars[0]}*`
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars.at(-1)}`
}

/** The paired agent, their station's head or an admin shows the code (nobody else may). */
export async function pairingQrcode(payload: unknown, ctx: Ctx): Promise<Actions['pairings.qrcode']['out']> {
  requireOpenid(ctx)
  const p = parse(qrInput, payload)
  const me = await currentAgent(ctx)
  if (!me) throw forbidden()
  const pairing = await pairingOf(ctx, p.pairingId)
  if (!pairing) throw notFound('未找到这条结对')
  const allowed =
    me.role === 'admin' ||
    (me.role === 'head' && me.stationId === pairing.stationId) ||
    me._id === pairing.agentId
  if (!allowed) throw forbidden('只有结对的代理员、本站站长或管理员可以出示结对码')
  if (pairing.residentOpenid) throw conflict(`${pairing.residentName}已在微信中确认过这条结对`)
  const code = randomCode(12)
  const expiresAt = new Date(ctx.now.getTime() + TOKEN_TTL_MS)
  await ctx.deps.pairingTokens.create({
    _id: code,
    pairingId: pairing._id,
    stationId: pairing.stationId,
    agentId: pairing.agentId,
    expiresAt,
    createdAt: ctx.now,
    createdBy: me._id,
    usedBy: null,
  })
  const scene = `pt=${code}`
  const png = await ctx.deps.platform.qrcode(scene, PAIR_PAGE)
  const fileId = await ctx.deps.platform.upload(`pairing-qr/${code}.png`, png)
  return { code, scene, expiresAt: expiresAt.toISOString(), url: await ctx.deps.platform.tempUrl(fileId) }
}

const codeInput = z.object({
  code: z
    .string({ error: '请扫描代理员出示的结对码' })
    .trim()
    .regex(/^[A-Z2-9]{12}$/, '结对码不正确，请重新扫描'),
})

async function describe(ctx: Ctx, pairing: Pick<Pairing, 'agentId' | 'stationId' | 'residentName'>) {
  const [agent, station] = await Promise.all([
    ctx.deps.network.agent(pairing.agentId),
    ctx.deps.network.station(pairing.stationId),
  ])
  return {
    agentName: agent?.name ?? '',
    agentTitle: agent?.title ?? '',
    stationName: station?.name ?? '',
    residentName: maskName(pairing.residentName),
  }
}

/** What the resident is asked to confirm: who the agent is, at which station, for whom. */
export async function pairingScan(payload: unknown, ctx: Ctx): Promise<Actions['pairings.scan']['out']> {
  const openid = requireOpenid(ctx)
  const p = parse(codeInput, payload)
  const t = await ctx.deps.pairingTokens.get(p.code)
  if (!t || (t.usedBy && t.usedBy !== openid)) throw notFound('结对码无效，请让代理员重新出示')
  if (new Date(t.expiresAt).getTime() < ctx.now.getTime()) throw notFound('结对码已过期，请让代理员重新出示')
  const pairing = await pairingOf(ctx, t.pairingId)
  if (!pairing) throw notFound('这条结对已变更，请让代理员重新出示')
  return { ...(await describe(ctx, pairing)), accepted: pairing.residentOpenid === openid }
}

/** The resident accepts: the pairing records their openid (one resident per pairing, one pairing per station). */
export async function pairingAccept(payload: unknown, ctx: Ctx): Promise<Actions['pairings.accept']['out']> {
  const openid = requireOpenid(ctx)
  const p = parse(codeInput, payload)
  const t = await ctx.deps.pairingTokens.get(p.code)
  if (!t) throw notFound('结对码无效，请让代理员重新出示')
  const others = await ctx.deps.network.pairingsOfStation(t.stationId)
  const already = others.find((x) => x.residentOpenid === openid && x._id !== t.pairingId)
  if (already) throw conflict('您已与本站的另一位代理员结对，如需更换请联系站长')
  const pairing = await ctx.deps.pairingTokens.accept(p.code, openid, '群众（微信确认）', ctx.now)
  return { pairingId: pairing._id, accepted: true, ...(await describe(ctx, pairing)) }
}
