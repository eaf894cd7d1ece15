/**
 * What the admin pages read: the district's records as maintained (retired ones included), each
 * with what it still lacks. Admins read everything; a head reads their own station's roster,
 * rota and pairings (what they maintain), FORBIDDEN elsewhere.
 */
import type { Actions } from '../../typings/api'
import type { Agent, Item, Station, Tier } from '../../typings/domain'
import { TIER_LABELS } from '../../typings/vocabulary'
import { ROLE_LABELS, KIND_LABELS, PROXY_MODE_LABELS, isOnLeave, tiersOfferedAt } from '../domain/network'
import { ITEM_CATEGORIES } from '../domain/import-rows'
import { stationGaps } from '../domain/kpis'
import { itemLacks } from '../domain/publication'
import { shanghaiDay } from '../../typings/vocabulary'
import { forbidden, notFound } from '../lib/errors'
import { fields, parse, z } from '../lib/validate'
import { requireRole, type Ctx } from '../kit/context'

/** A head may read only their own station's part. */
async function stationScope(ctx: Ctx, stationId: string) {
  const me = await requireRole(ctx, ['admin', 'head'])
  if (me.role === 'head' && me.stationId !== stationId) throw forbidden('站长只能查看和维护本站的信息')
  const station = await ctx.deps.network.station(stationId)
  if (!station) throw notFound('未找到该服务站')
  return { me, station }
}

/** Every station with what keeps it from counting as 健全. */
export async function adminStations(
  _payload: unknown,
  ctx: Ctx,
): Promise<Actions['admin.stations.list']['out']> {
  await requireRole(ctx, ['admin'])
  const net = ctx.deps.network
  const [stations, staff, rotas, items] = await Promise.all([
    net.everything<Station>('stations'),
    net.activeStaff(),
    net.weeklyRotas(),
    net.itemsForKpi(),
  ])
  const names = new Map(stations.map((s) => [s._id, s.name]))
  const published = (tier: Tier) =>
    items.filter((i) => i.published && tiersOfferedAt(tier).includes(i.tier)).length
  // The network as a tree: the district centre, then each township followed by its villages.
  const rank = (st: Station): string => {
    const parent = st.parentId ? byId.get(st.parentId) : undefined
    return parent ? `${rank(parent)}/${st.code}` : st.code
  }
  const byId = new Map(stations.map((st) => [st._id, st]))
  return {
    list: stations
      .sort((a, b) => rank(a).localeCompare(rank(b)))
      .map((s) => {
        const st = staff.get(s._id) ?? { agents: 0, ids: [] }
        const ids = new Set(st.ids)
        const rota = rotas.get(s._id) ?? {}
        return {
          ...s,
          id: s._id,
          tierLabel: TIER_LABELS[s.tier],
          parentName: s.parentId ? (names.get(s.parentId) ?? '') : '',
          gaps: s.active
            ? stationGaps({
                hasHead: !!s.headAgentId && ids.has(s.headAgentId),
                agents: st.agents,
                hotline: s.hotline,
                hasRota: Object.values(rota).some((list) => list.some((id) => ids.has(id))),
                publishedItems: published(s.tier),
              })
            : [],
        }
      }),
  }
}

const itemsInput = z.object({
  keyword: z.string().trim().max(30, '关键词过长').optional(),
  category: z.string().trim().max(20).optional(),
  onlyLacking: z.boolean().optional(),
  page: fields.page,
  pageSize: fields.pageSize,
})

/** The 一栏表 as maintained: every item (retired too) and what it lacks to count as published. */
export async function adminItems(payload: unknown, ctx: Ctx): Promise<Actions['admin.items.list']['out']> {
  await requireRole(ctx, ['admin'])
  const p = parse(itemsInput, payload)
  const net = ctx.deps.network
  const [{ items, total }, district, staff, stations] = await Promise.all([
    net.items({
      tiers: ['district', 'township', 'village'],
      ...(p.category ? { category: p.category } : {}),
      ...(p.keyword ? { keyword: p.keyword } : {}),
      publicOnly: false,
      skip: (p.page - 1) * p.pageSize,
      limit: p.pageSize,
    }),
    ctx.deps.settings.district(),
    net.activeStaff(),
    net.stations(),
  ])
  // An item has someone responsible when a station offering it has an active head or agent.
  const staffedTiers = new Set<Tier>()
  for (const s of stations)
    if ((staff.get(s._id)?.ids.length ?? 0) > 0) for (const t of tiersOfferedAt(s.tier)) staffedTiers.add(t)
  const list = items.map(({ search: _s, ...i }) => ({
    ...i,
    id: i._id,
    tierLabel: TIER_LABELS[i.tier],
    lacks: itemLacks(i, {
      supervisionHotline: district.supervisionHotline,
      responsible: staffedTiers.has(i.tier),
    }),
  }))
  return {
    list: p.onlyLacking ? list.filter((i) => i.lacks.length) : list,
    total,
    page: p.page,
    pageSize: p.pageSize,
    hasMore: p.page * p.pageSize < total,
    choices: {
      categories: [...ITEM_CATEGORIES],
      proxyModes: Object.entries(PROXY_MODE_LABELS).map(([value, label]) => ({
        value: value as Item['proxyMode'],
        label,
      })),
    },
  }
}

const stationInput = z.object({ stationId: fields.id('服务站') })

function rosterRow(a: Agent, today: string) {
  const { openid, ...rest } = a
  return {
    ...rest,
    id: a._id,
    roleLabel: ROLE_LABELS[a.role],
    kindLabel: KIND_LABELS[a.kind],
    bound: !!openid,
    onLeaveToday: isOnLeave(a, today),
  }
}

/** 花名册 of one station (retired entries last), with who is bound to WeChat and who is on leave. */
export async function adminRoster(payload: unknown, ctx: Ctx): Promise<Actions['admin.agents.list']['out']> {
  const p = parse(stationInput, payload)
  const { me, station } = await stationScope(ctx, p.stationId)
  const today = shanghaiDay(ctx.now)
  const roster = await ctx.deps.network.rosterOfStation(station._id)
  return {
    stationId: station._id,
    stationName: station.name,
    headAgentId: station.headAgentId,
    categories: [...ITEM_CATEGORIES],
    editable: me.role === 'admin' ? 'all' : 'specialties',
    list: roster
      .sort((a, b) => Number(b.active) - Number(a.active) || a._id.localeCompare(b._id))
      .map((a) => rosterRow(a, today)),
  }
}

/** 值班表 of one station with the roster it may name. */
export async function adminRota(payload: unknown, ctx: Ctx): Promise<Actions['admin.rotas.get']['out']> {
  const p = parse(stationInput, payload)
  const { station } = await stationScope(ctx, p.stationId)
  const [rota, agents] = await Promise.all([
    ctx.deps.network.rota(station._id),
    ctx.deps.network.agentsOfStation(station._id),
  ])
  return {
    stationId: station._id,
    stationName: station.name,
    weekly: rota?.weekly ?? {},
    overrides: rota?.overrides ?? [],
    receptionDays: rota?.receptionDays ?? [],
    agents: agents.map((a) => ({
      id: a._id,
      name: a.name,
      title: a.title ?? '',
      roleLabel: ROLE_LABELS[a.role],
    })),
  }
}

/** 结对 of one station: who is paired with which household, and whether the resident confirmed in WeChat. */
export async function adminPairings(
  payload: unknown,
  ctx: Ctx,
): Promise<Actions['admin.pairings.list']['out']> {
  const p = parse(stationInput, payload)
  const { station } = await stationScope(ctx, p.stationId)
  const [pairings, agents] = await Promise.all([
    ctx.deps.network.pairingsOfStation(station._id),
    ctx.deps.network.agentsOfStation(station._id),
  ])
  const names = new Map(agents.map((a) => [a._id, a.name]))
  return {
    stationId: station._id,
    stationName: station.name,
    agents: agents.map((a) => ({ id: a._id, name: a.name })),
    list: pairings.map(({ residentOpenid, ...x }) => ({
      ...x,
      id: x._id,
      agentName: names.get(x.agentId) ?? '（已停用）',
      accepted: !!residentOpenid,
    })),
  }
}
