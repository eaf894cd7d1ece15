import type { Agent, DutyRota, Item, Pairing, Station } from '../../typings/domain'
import { shanghaiDay } from '../domain/calendar'
import { searchText } from '../domain/network'
import { AppError, forbidden, invalidInput, invalidState, notFound } from '../lib/errors'
import { fields, parse, z } from '../lib/validate'
import { requireRole, type Ctx } from '../kit/context'
import { ITEM_CATEGORIES as CATEGORIES, itemIdOf, stationIdOf } from '../domain/import-rows'
import type { AuditActor } from '../repositories/audit'
import type { StoredItem } from '../repositories/network'

/** The roster entry behind an admin change, as the audit log names it. */
export function auditActor(me: Agent): AuditActor {
  return { agentId: me._id, name: me.name, role: me.role }
}

/** Open work an agent still holds: retiring them or moving them elsewhere waits for a hand-over. */
async function refuseIfHolding(ctx: Ctx, agent: Agent, doing: string): Promise<void> {
  const { total } = await ctx.deps.handover.heldBy(agent._id, 1)
  if (total > 0)
    throw invalidState(
      `${agent.name}还有 ${total} 件未办完的申请，请先在「花名册 → 移交」把它们交给本站其他代理员，再${doing}`,
    )
}

const tier = z.enum(['district', 'township', 'village'], { error: '层级应为 区/乡镇/村（社区）' })
const code = z
  .string({ error: '请填写编码' })
  .trim()
  .min(1, '请填写编码')
  .regex(/^[A-Z0-9][A-Z0-9-]{0,15}$/, '编码为大写字母、数字或“-”，不超过 16 位')

const stationInput = z.object({
  _id: z.string().max(64).optional(),
  code,
  name: fields.text('名称', 40),
  tier,
  parentId: z.string().max(64).nullable(),
  address: fields.text('地址', 100),
  location: z.object({
    latitude: z.number({ error: '纬度应为数字' }).min(-90, '纬度超出范围').max(90, '纬度超出范围'),
    longitude: z.number({ error: '经度应为数字' }).min(-180, '经度超出范围').max(180, '经度超出范围'),
  }),
  hotline: fields.phone,
  hours: fields.text('办公时间', 60),
  headAgentId: z.string().max(64).nullable().default(null),
  active: z.boolean().default(true),
})

/** CONFLICT on the code field: the form shows it under 编码. */
const codeTaken = (message: string) => new AppError('CONFLICT', message, { code: message })

const PARENT_TIER = { district: null, township: 'district', village: 'township' } as const

/** 管理员: create or update a station; the parent must be one tier up. */
export async function saveStation(payload: unknown, ctx: Ctx): Promise<{ id: string }> {
  const me = await requireRole(ctx, ['admin'])
  const p = parse(stationInput, payload)
  const net = ctx.deps.network
  const id = p._id ?? stationIdOf(p.code)
  const sameCode = await net.stationByCode(p.code)
  if (sameCode && sameCode._id !== id) throw codeTaken(`编码 ${p.code} 已被「${sameCode.name}」使用`)
  const expectedParent = PARENT_TIER[p.tier]
  if (expectedParent === null) {
    if (p.parentId) throw invalidInput({ parentId: '区为民服务中心没有上级' })
  } else {
    const parent = p.parentId ? await net.station(p.parentId) : null
    if (!parent || parent.tier !== expectedParent) {
      throw invalidInput({
        parentId:
          expectedParent === 'district'
            ? '乡镇服务站的上级应为区为民服务中心'
            : '村（社区）服务室的上级应为乡镇服务站',
      })
    }
  }
  if (p.headAgentId) {
    const head = await net.agent(p.headAgentId)
    if (!head || !head.active || head.stationId !== id)
      throw invalidInput({ headAgentId: '负责人应为本站花名册中在岗的人员' })
  }
  if (!p.active) await refuseRetiringStation(ctx, id)
  await ctx.deps.audit.change<Station>(
    'stations',
    id,
    (before) => {
      // A new station never overwrites one whose id its code makes (ids outlive code changes),
      // nor one created a moment ago with the same code: checked on what the transaction read.
      if (!p._id && before)
        throw codeTaken(
          before.code === p.code
            ? `编码 ${p.code} 已被「${before.name}」使用`
            : `编码 ${p.code} 与「${before.name}」冲突，请换一个`,
        )
      return {
        ...p,
        _id: id,
        parentId: p.parentId ?? null,
        // The QR poster stays valid: its scene is the code, which this save may not change.
        ...(before?.qrFileId && before.code === p.code ? { qrFileId: before.qrFileId } : {}),
      }
    },
    (before, after) => ({
      at: ctx.now,
      actor: auditActor(me),
      kind: 'station',
      action: before ? 'update' : 'create',
      summary: `${before ? '修改' : '新建'}服务站「${after.name}」`,
    }),
  )
  return { id }
}

/**
 * A station is retired only when nothing is left hanging on it: open cases (handed on with
 * 整站移交), active child stations, 整改 not closed, and appointments still to happen. Every
 * reason is named at once, with how many and what to do, so the admin fixes them in one go.
 */
async function refuseRetiringStation(ctx: Ctx, stationId: string): Promise<void> {
  const [open, left] = await Promise.all([
    ctx.deps.handover.openAtStation(stationId),
    ctx.deps.handover.leftAtStation(stationId, shanghaiDay(ctx.now)),
  ])
  const reasons = [
    open && `还有 ${open} 件未办结的申请（含上报件），请先「整站移交」给其他服务站`,
    left.children && `下面还有 ${left.children} 个在用的服务站，请先把它们改挂到其他上级服务站或停用`,
    left.rectifications &&
      `还有 ${left.rectifications} 件整改未结束，请站长先办完核实、整改和回访（群众确认后结束）`,
    left.appointments &&
      `还有 ${left.appointments} 个未到期的预约（含上门服务申请），请先办完，或由站长在「今日预约 → 设置开放时段与休息日」停开这些日子（确认后自动取消并通知群众）`,
  ].filter(Boolean)
  if (reasons.length) throw invalidState(`该服务站${reasons.join('；')}，再停用`)
}

const material = z.object({
  name: fields.text('材料名称', 40),
  form: z.enum(['original', 'copy', 'either'], { error: '请选择原件或复印件' }),
  count: z.number().int().min(1, '份数至少为 1').max(20, '份数过多'),
  note: z.string().max(60, '备注不能超过 60 个字').optional(),
})

const itemInput = z
  .object({
    _id: z.string().max(64).optional(),
    code,
    name: fields.text('名称', 40),
    category: z.enum(CATEGORIES as [string, ...string[]], { error: '请选择事项分类' }),
    tier,
    materials: z.array(material).max(20, '材料不超过 20 项'),
    steps: z.array(fields.text('流程', 80)).max(12, '流程不超过 12 步'),
    promisedDays: z
      .number({ error: '请填写承诺时限' })
      .int('承诺时限应为整数')
      .min(0)
      .max(180, '承诺时限过长'),
    legalDays: z.number().int().min(0).max(365).optional(),
    fee: z.string().trim().max(40).default('无偿'),
    proxyMode: z.enum(['direct', 'promise', 'joint'], { error: '请选择代理方式' }),
    departments: z.array(z.string().trim().min(1).max(30)).max(10),
    homeVisit: z.boolean().default(false),
    published: z.boolean().default(false),
    active: z.boolean().default(true),
    description: z.string().max(200, '说明不能超过 200 个字').optional(),
    keywords: z.array(z.string().trim().min(1).max(12)).max(10, '俗称不超过 10 个').optional(),
  })
  .refine((i) => !i.published || (i.materials.length > 0 && i.steps.length > 0), {
    message: '公开的事项须列明所需材料和办理流程',
    path: ['published'],
  })
  .refine((i) => i.legalDays === undefined || i.legalDays >= i.promisedDays, {
    message: '法定时限不应短于承诺时限',
    path: ['legalDays'],
  })

export async function saveItem(payload: unknown, ctx: Ctx): Promise<{ id: string }> {
  const me = await requireRole(ctx, ['admin'])
  const p = parse(itemInput, payload)
  const id = p._id ?? itemIdOf(p.code)
  const sameCode = await ctx.deps.network.itemByCode(p.code)
  if (sameCode && sameCode._id !== id) throw codeTaken(`编码 ${p.code} 已被事项「${sameCode.name}」使用`)
  const item: Item = { ...p, _id: id }
  await ctx.deps.audit.change<StoredItem>(
    'items',
    id,
    (before) => {
      // A new item never overwrites one whose id its code makes (checked on what the transaction read).
      if (!p._id && before)
        throw codeTaken(
          before.code === p.code
            ? `编码 ${p.code} 已被事项「${before.name}」使用`
            : `编码 ${p.code} 与事项「${before.name}」冲突，请换一个`,
        )
      return { ...item, search: searchText(item) }
    },
    (before, after) => ({
      at: ctx.now,
      actor: auditActor(me),
      kind: 'item',
      action: before ? 'update' : 'create',
      summary: `${before ? '修改' : '新建'}事项「${after.name}」`,
    }),
  )
  return { id }
}

/**
 * 擅长类别 (assignment rule 3 matches them against an item's category): only the catalog's
 * categories, each once, the message on the field itself so the form shows it there.
 */
const specialtiesField = z
  .array(z.string({ error: '擅长类别应为事项分类' }).trim(), { error: '擅长类别应为列表' })
  .max(CATEGORIES.length * 2, '擅长类别过多')
  .transform((list) => [...new Set(list)])
  .superRefine((list, c) => {
    const unknown = list.filter((s) => !CATEGORIES.includes(s))
    if (unknown.length)
      c.addIssue({ code: 'custom', message: `「${unknown.join('、')}」不是事项目录中的分类` })
  })

const agentInput = z.object({
  _id: z.string().max(64).optional(),
  name: fields.text('姓名', 20),
  phone: z
    .string()
    .trim()
    .regex(/^1\d{10}$/, '应为 11 位手机号'),
  stationId: fields.id('服务站'),
  role: z.enum(['agent', 'head', 'supervisor', 'admin'], { error: '请选择角色' }),
  specialties: specialtiesField.default([]),
  kind: z.enum(['party_member', 'volunteer'], { error: '请选择党员或志愿者' }),
  title: z.string().max(30).optional(),
  leaves: z
    .array(
      z
        .object({ from: fields.day, to: fields.day, reason: z.string().max(30).optional() })
        .refine((l) => l.from <= l.to, '结束日期不能早于开始日期'),
    )
    .max(50)
    .default([]),
  active: z.boolean().default(true),
})

export async function saveAgent(payload: unknown, ctx: Ctx): Promise<{ id: string }> {
  const me = await requireRole(ctx, ['admin'])
  const p = parse(agentInput, payload)
  const net = ctx.deps.network
  const station = await net.station(p.stationId)
  if (!station || !station.active) throw invalidInput({ stationId: '请选择在用的服务站' })
  let id = p._id
  const existing = p._id ? await net.agent(p._id) : null
  if (!id) {
    // A new entry: the id is made from the station and the phone's last digits; two people of
    // one station sharing them get a suffix, and the same phone twice is a conflict.
    const base = `ag-${p.stationId.replace(/^st-/, '')}-${p.phone.slice(-4)}`
    const same = await net.agent(base)
    if (same && same.phone === p.phone)
      throw new AppError('CONFLICT', `${same.name}（${p.phone}）已在本站花名册中`, {
        phone: '此手机号已在本站花名册中',
      })
    id = same ? `${base}-${ctx.now.getTime().toString(36).slice(-4)}` : base
  }
  if (existing && (existing.stationId !== p.stationId || !p.active) && existing.active)
    await refuseIfHolding(ctx, existing, existing.stationId !== p.stationId ? '调往其他服务站' : '停用')
  const agentId = id
  await ctx.deps.audit.change<Agent>(
    'agents',
    agentId,
    // The WeChat binding is kept: it is changed only by redeeming an invitation (read inside the
    // transaction, so a binding made a moment ago survives this save too).
    (before) => ({ ...p, _id: agentId, ...(before?.openid ? { openid: before.openid } : {}) }),
    (before, after) => ({
      at: ctx.now,
      actor: auditActor(me),
      kind: 'agent',
      action: before ? 'update' : 'create',
      summary: `${before ? '修改' : '登记'}花名册人员「${after.name}」`,
    }),
  )
  return { id: agentId }
}

const specialtiesInput = z.object({
  agentId: fields.id('花名册人员'),
  specialties: specialtiesField,
})

/**
 * 擅长类别 of one roster entry: admins for any station, a head for their own station's people
 * (who knows what each colleague is good at). Only this field changes; audited like every roster change.
 */
export async function saveSpecialties(payload: unknown, ctx: Ctx): Promise<{ id: string }> {
  const me = await requireRole(ctx, ['admin', 'head'])
  const p = parse(specialtiesInput, payload)
  const agent = await ctx.deps.network.agent(p.agentId)
  if (!agent) throw notFound('花名册中没有此人')
  if (me.role === 'head' && me.stationId !== agent.stationId)
    throw forbidden('站长只能维护本站人员的擅长类别')
  await ctx.deps.audit.change<Agent>(
    'agents',
    agent._id,
    (before) => {
      // Checked again on what the transaction read: the entry may have moved station meanwhile.
      if (!before || (me.role === 'head' && before.stationId !== me.stationId))
        throw notFound('花名册中没有此人')
      return { ...before, specialties: p.specialties }
    },
    (_before, after) => ({
      at: ctx.now,
      actor: auditActor(me),
      kind: 'agent',
      action: 'update',
      summary: `修改「${after.name}」的擅长类别`,
    }),
  )
  return { id: agent._id }
}

const rotaInput = z.object({
  stationId: fields.id('服务站'),
  // Days left out have nobody on duty (a rota read back may omit the weekend).
  weekly: z.partialRecord(z.enum(['1', '2', '3', '4', '5', '6', '7']), z.array(z.string().max(64)).max(10)),
  overrides: z
    .array(
      z.object({
        date: fields.day,
        agentIds: z.array(z.string().max(64)).max(10),
        note: z.string().max(30).optional(),
      }),
    )
    .max(366)
    .default([]),
  // No receptionDays: 领导接待日 have one writer, the leader schedule (admin.schedules.save), which
  // derives them; a rota page loaded before that save (or a caller leaving them out) would
  // otherwise put back stale days or wipe them. Sent anyway, they are dropped here.
})

/**
 * 值班表: admins for any station, a head for their own station only. Writes the duty grid and
 * date overrides; keeps the 领导接待日 the rota holds, read inside the audited transaction.
 */
export async function saveRota(payload: unknown, ctx: Ctx): Promise<{ id: string }> {
  const me = await requireRole(ctx, ['admin', 'head'])
  const p = parse(rotaInput, payload)
  if (me.role === 'head' && me.stationId !== p.stationId) throw forbidden('站长只能维护本站的值班表')
  const net = ctx.deps.network
  const station = await net.station(p.stationId)
  if (!station) throw notFound('未找到该服务站')
  const agents = await net.agentsOfStation(p.stationId)
  const ids = new Set(agents.map((a) => a._id))
  const used = [
    ...Object.values(p.weekly).flatMap((ids) => ids ?? []),
    ...p.overrides.flatMap((o) => o.agentIds),
  ]
  const stranger = used.find((id) => !ids.has(id))
  if (stranger) throw invalidInput({ weekly: `${stranger} 不在本站花名册中` })
  const weekly = Object.fromEntries(
    Object.entries(p.weekly).filter(([, ids]) => ids !== undefined),
  ) as Record<string, string[]>
  await ctx.deps.audit.change<DutyRota>(
    'rotas',
    p.stationId,
    (before) => ({ _id: p.stationId, ...p, weekly, receptionDays: before?.receptionDays ?? [] }),
    (before) => ({
      at: ctx.now,
      actor: auditActor(me),
      kind: 'rota',
      action: before ? 'update' : 'create',
      summary: `${before ? '修改' : '建立'}值班表（${station.name}）`,
    }),
  )
  return { id: p.stationId }
}

const pairingInput = z.object({
  _id: z.string().max(64).optional(),
  stationId: fields.id('服务站'),
  agentId: fields.id('代理员'),
  residentName: fields.text('群众姓名', 20),
  household: z.string().max(40).optional(),
})

/**
 * 结对: admins for any station, a head for their own station only. Editing names an existing
 * pairing of that same station (never another station's by its id), and keeps what the resident
 * confirmed in WeChat (`residentOpenid`) unless the agent changes.
 */
export async function savePairing(payload: unknown, ctx: Ctx): Promise<{ id: string }> {
  const me = await requireRole(ctx, ['admin', 'head'])
  const p = parse(pairingInput, payload)
  if (me.role === 'head' && me.stationId !== p.stationId) throw forbidden('站长只能维护本站的结对')
  const agent = await ctx.deps.network.agent(p.agentId)
  if (!agent || !agent.active || agent.stationId !== p.stationId)
    throw invalidInput({ agentId: '请选择本站在岗的代理员' })
  const id = p._id ?? `pr-${p.agentId}-${ctx.now.getTime().toString(36)}`
  await ctx.deps.audit.change<Pairing>(
    'pairings',
    id,
    (before) => {
      // By id, only a pairing of this same station (never another station's), checked on the
      // version the transaction read.
      if (p._id && (!before || before.stationId !== p.stationId)) throw notFound('本站没有这条结对记录')
      return {
        ...p,
        _id: id,
        ...(before?.residentOpenid && before.agentId === p.agentId
          ? { residentOpenid: before.residentOpenid }
          : {}),
      }
    },
    (before, after) => ({
      at: ctx.now,
      actor: auditActor(me),
      kind: 'pairing',
      action: before ? 'update' : 'create',
      summary: `${before ? '修改' : '建立'}结对：${agent.name} — ${after.residentName}`,
    }),
  )
  return { id }
}

const retireInput = z.object({
  kind: z.enum(['station', 'item', 'agent'], { error: '类型不正确' }),
  id: fields.id('记录'),
})

/** Retiring keeps the record (cases refer to it) but takes it off every public list. */
export async function retire(payload: unknown, ctx: Ctx): Promise<{ id: string }> {
  const me = await requireRole(ctx, ['admin'])
  const p = parse(retireInput, payload)
  const net = ctx.deps.network
  const entry = (name: string) => ({
    at: ctx.now,
    actor: auditActor(me),
    kind: p.kind,
    action: 'retire',
    summary: `停用${{ station: '服务站', item: '事项', agent: '花名册人员' }[p.kind]}「${name}」`,
  })
  const off = <T extends { _id: string; active: boolean }>(before: T | null, missing: string): T => {
    if (!before) throw notFound(missing)
    return { ...before, active: false }
  }
  if (p.kind === 'station') {
    if (!(await net.station(p.id))) throw notFound('未找到该服务站')
    await refuseRetiringStation(ctx, p.id)
    await ctx.deps.audit.change<Station>(
      'stations',
      p.id,
      (b) => off(b, '未找到该服务站'),
      (_b, a) => entry(a.name),
    )
  } else if (p.kind === 'item') {
    await ctx.deps.audit.change<StoredItem>(
      'items',
      p.id,
      (b) => off(b, '未找到该事项'),
      (_b, a) => entry(a.name),
    )
  } else {
    const a = await net.agent(p.id)
    if (!a) throw notFound('花名册中没有此人')
    await refuseIfHolding(ctx, a, '停用')
    await ctx.deps.audit.change<Agent>(
      'agents',
      p.id,
      (b) => off(b, '花名册中没有此人'),
      (_b, after) => entry(after.name),
    )
  }
  return { id: p.id }
}

const qrInput = z.object({ stationId: fields.id('服务站') })

/**
 * The station's QR poster: a mini-program code that opens the home page at that station
 * (scene `s=<code>`, ≤ 32 characters). Generated once and kept in cloud storage.
 */
export async function stationQrcode(
  payload: unknown,
  ctx: Ctx,
): Promise<{ fileId: string; url: string; scene: string }> {
  const p = parse(qrInput, payload)
  const net = ctx.deps.network
  const station = await net.station(p.stationId)
  if (!station || !station.active) throw notFound('未找到该服务站')
  const scene = `s=${station.code}`
  let fileId = station.qrFileId
  if (!fileId) {
    const png = await ctx.deps.platform.qrcode(scene, 'pages/home/index')
    fileId = await ctx.deps.platform.upload(`qrcode/${station.code}.png`, png)
    await net.saveStation({ ...station, qrFileId: fileId })
  }
  return { fileId, url: await ctx.deps.platform.tempUrl(fileId), scene }
}
