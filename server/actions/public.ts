import type {
  AgentPublic,
  DutyToday,
  ItemDetail,
  ItemSummary,
  Paged,
  StationDetail,
  StationSummary,
} from '../../typings/api'
import type { Agent, Station } from '../../typings/domain'
import { shanghaiDay } from '../domain/calendar'
import {
  KIND_LABELS,
  PROXY_MODE_LABELS,
  ROLE_LABELS,
  TIER_LABELS,
  WEEKDAY_LABELS,
  ancestry,
  distanceMeters,
  dutyOn,
  isoWeekday,
  tiersOfferedAt,
  timeLimitText,
} from '../domain/network'
import { ITEM_CATEGORIES } from '../domain/import-rows'
import { notFound } from '../lib/errors'
import { maskPhone } from '../lib/mask'
import { fields, parse, z } from '../lib/validate'
import type { StoredItem } from '../repositories/network'
import { loadCalendar, type Ctx } from '../kit/context'

const tier = z.enum(['district', 'township', 'village'], { error: '层级应为 区/乡镇/村（社区）' })

export function agentPublic(a: Agent): AgentPublic {
  return {
    id: a._id,
    name: a.name,
    title: a.title ?? ROLE_LABELS[a.role],
    role: a.role,
    roleLabel: ROLE_LABELS[a.role],
    kindLabel: KIND_LABELS[a.kind],
    maskedPhone: maskPhone(a.phone),
  }
}

function itemSummary(i: StoredItem): ItemSummary {
  return {
    id: i._id,
    code: i.code,
    name: i.name,
    category: i.category,
    tier: i.tier,
    tierLabel: TIER_LABELS[i.tier],
    promisedDays: i.promisedDays,
    timeLimitText: timeLimitText(i.promisedDays),
    proxyMode: i.proxyMode,
    proxyModeLabel: PROXY_MODE_LABELS[i.proxyMode],
    homeVisit: i.homeVisit,
    fee: i.fee,
  }
}

export function stationSummary(s: Station, from?: { latitude: number; longitude: number }): StationSummary {
  return {
    id: s._id,
    code: s.code,
    name: s.name,
    tier: s.tier,
    tierLabel: TIER_LABELS[s.tier],
    address: s.address,
    hotline: s.hotline,
    hours: s.hours,
    location: s.location,
    distanceMeters: from ? distanceMeters(from, s.location) : null,
  }
}

async function activeStation(ctx: Ctx, id: string): Promise<Station> {
  const s = await ctx.deps.network.station(id)
  if (!s || !s.active) throw notFound('未找到该服务站')
  return s
}

const listItems = z.object({
  stationId: fields.id('服务站').optional(),
  tier: tier.optional(),
  category: z.string().max(20, '分类名称过长').optional(),
  keyword: z.string().trim().max(30, '搜索词不能超过 30 个字').optional(),
  page: fields.page,
  pageSize: fields.pageSize,
})

/** 代理事项一览表: the items a station offers (its own tier and the higher tiers it proxies). */
export async function catalogList(
  payload: unknown,
  ctx: Ctx,
): Promise<Paged<ItemSummary> & { categories: string[] }> {
  const p = parse(listItems, payload)
  let tiers = tiersOfferedAt('village')
  if (p.stationId) tiers = tiersOfferedAt((await activeStation(ctx, p.stationId)).tier)
  if (p.tier) tiers = tiers.filter((t) => t === p.tier)
  const { items, total } = await ctx.deps.network.items({
    tiers,
    ...(p.category ? { category: p.category } : {}),
    ...(p.keyword ? { keyword: p.keyword } : {}),
    publicOnly: true,
    skip: (p.page - 1) * p.pageSize,
    limit: p.pageSize,
  })
  return {
    list: items.map(itemSummary),
    total,
    page: p.page,
    pageSize: p.pageSize,
    hasMore: p.page * p.pageSize < total,
    categories: [...CATEGORIES],
  }
}

/** The categories residents browse by (the catalog's vocabulary lives in the domain). */
export const CATEGORIES = ITEM_CATEGORIES

const getItem = z.object({ id: fields.id('事项'), stationId: fields.id('服务站').optional() })

export async function catalogGet(payload: unknown, ctx: Ctx): Promise<ItemDetail> {
  const p = parse(getItem, payload)
  const [item, district] = await Promise.all([ctx.deps.network.item(p.id), ctx.deps.settings.district()])
  if (!item || !item.active || !item.published) throw notFound('未找到该代理事项，可能已调整，请返回列表查看')
  let handling: ItemDetail['handling'] = null
  if (p.stationId) {
    const duty = await dutyToday({ stationId: p.stationId }, ctx)
    const station = await activeStation(ctx, p.stationId)
    handling = {
      stationId: station._id,
      stationName: station.name,
      hotline: station.hotline,
      dutyAgents: duty.agents,
      // 上报件: a village room forwards higher-tier items; the resident still deals with the room.
      forwardedTo: item.tier !== station.tier ? TIER_LABELS[item.tier] : null,
    }
  }
  return {
    ...itemSummary(item),
    description: item.description ?? '',
    materials: item.materials,
    steps: item.steps,
    departments: item.departments,
    legalDays: item.legalDays ?? null,
    supervisionHotline: district.supervisionHotline,
    handling,
  }
}

const listStations = z.object({
  tier: tier.optional(),
  parentId: fields.id('上级服务站').optional(),
  near: z
    .object({
      latitude: z.number({ error: '纬度应为数字' }).min(-90).max(90),
      longitude: z.number({ error: '经度应为数字' }).min(-180).max(180),
    })
    .optional(),
  page: fields.page,
  pageSize: fields.pageSize,
})

export async function stationsList(payload: unknown, ctx: Ctx): Promise<Paged<StationSummary>> {
  const p = parse(listStations, payload)
  const all = await ctx.deps.network.stations({
    ...(p.tier ? { tier: p.tier } : {}),
    ...(p.parentId ? { parentId: p.parentId } : {}),
  })
  let list = all.map((s) => stationSummary(s, p.near))
  if (p.near) list = list.sort((a, b) => a.distanceMeters! - b.distanceMeters!)
  const start = (p.page - 1) * p.pageSize
  return {
    list: list.slice(start, start + p.pageSize),
    total: list.length,
    page: p.page,
    pageSize: p.pageSize,
    hasMore: start + p.pageSize < list.length,
  }
}

const dutyInput = z.object({ stationId: fields.id('服务站') })

export async function dutyToday(payload: unknown, ctx: Ctx): Promise<DutyToday> {
  const p = parse(dutyInput, payload)
  const [station, rota, agents, calendar] = await Promise.all([
    activeStation(ctx, p.stationId),
    ctx.deps.network.rota(p.stationId),
    ctx.deps.network.agentsOfStation(p.stationId),
    loadCalendar(ctx.deps),
  ])
  return dutyView(station, rota, agents, shanghaiDay(ctx.now), calendar)
}

function dutyView(
  station: Station,
  rota: Awaited<ReturnType<Ctx['deps']['network']['rota']>>,
  agents: Agent[],
  day: string,
  calendar: Awaited<ReturnType<typeof loadCalendar>>,
): DutyToday {
  const byId = new Map(agents.map((a) => [a._id, a]))
  const duty = dutyOn(rota, byId, day, calendar)
  const reception = rota?.receptionDays.find((r) => r.weekday === isoWeekday(day) && duty.workday)
  const receptionAgent = reception ? byId.get(reception.agentId) : undefined
  return {
    date: day,
    workday: duty.workday,
    stationId: station._id,
    stationName: station.name,
    hotline: station.hotline,
    agents: duty.agentIds.map((id) => agentPublic(byId.get(id)!)),
    closedReason: duty.agentIds.length
      ? null
      : duty.workday
        ? '今日值班代理员请假，请拨打服务热线'
        : calendar.isHoliday(day)
          ? '节假日休息，请拨打服务热线'
          : '休息日，请拨打服务热线',
    reception:
      reception && receptionAgent
        ? {
            agent: agentPublic(receptionAgent),
            hours: reception.hours,
            topic: reception.topic ?? '领导接待日',
          }
        : null,
  }
}

const getStation = z
  .object({ id: fields.id('服务站').optional(), code: z.string().max(32).optional() })
  .refine((v) => v.id || v.code, { message: '请选择服务站', path: ['id'] })

export async function stationsGet(payload: unknown, ctx: Ctx): Promise<StationDetail> {
  const p = parse(getStation, payload)
  const net = ctx.deps.network
  const station = p.id ? await net.station(p.id) : await net.stationByCode(p.code!)
  if (!station || !station.active) throw notFound('未找到该服务站')
  const [all, rota, agents, calendar, items] = await Promise.all([
    net.stations(),
    net.rota(station._id),
    net.agentsOfStation(station._id),
    loadCalendar(ctx.deps),
    net.items({ tiers: tiersOfferedAt(station.tier), publicOnly: true, skip: 0, limit: 1 }),
  ])
  const byId = new Map(all.map((s) => [s._id, s]))
  const agentById = new Map(agents.map((a) => [a._id, a]))
  const head = station.headAgentId ? agentById.get(station.headAgentId) : undefined
  return {
    ...stationSummary(station),
    parents: ancestry(station, byId)
      .slice(0, -1)
      .map((s) => ({ id: s._id, name: s.name, tier: s.tier })),
    children: all.filter((s) => s.parentId === station._id).map((s) => stationSummary(s)),
    head: head ? agentPublic(head) : null,
    agents: agents.filter((a) => a.role === 'agent' || a.role === 'head').map(agentPublic),
    duty: dutyView(station, rota, agents, shanghaiDay(ctx.now), calendar),
    receptionDays: (rota?.receptionDays ?? [])
      .filter((r) => agentById.has(r.agentId))
      .map((r) => ({
        weekdayLabel: WEEKDAY_LABELS[r.weekday] ?? '',
        agent: agentPublic(agentById.get(r.agentId)!),
        hours: r.hours,
        topic: r.topic ?? '领导接待日',
      })),
    itemCount: items.total,
  }
}
