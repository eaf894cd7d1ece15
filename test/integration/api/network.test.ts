import type { LocalCloudBase } from '../../../local-cloudbase/server'
import type {
  DutyToday,
  ItemDetail,
  ItemSummary,
  Paged,
  StationDetail,
  StationSummary,
} from '../../../typings/api'
import { DEMO_OPENIDS, call, demo, ok, startApi } from '../../helpers/api'

let lcb: LocalCloudBase
const township = demo.stations.find((s) => s.tier === 'township')!
const village = demo.stations.find((s) => s.tier === 'village' && s.parentId === township._id)!
const district = demo.stations.find((s) => s.tier === 'district')!

beforeAll(async () => {
  // Tuesday 2026-12-01, 10:00 Shanghai.
  lcb = await startApi('2026-12-01T10:00:00+08:00')
}, 30_000)
afterAll(() => lcb.stop())

describe('public service list', () => {
  it('lists what a village room offers: its own, township and district items, published only', async () => {
    const page = await ok<Paged<ItemSummary>>(lcb, 'catalog.list', { stationId: village._id, pageSize: 50 })
    const published = demo.items.filter((i) => i.published && i.active)
    expect(page.total).toBe(published.length)
    expect(page.list.length).toBe(Math.min(50, published.length))
    expect(page.list.every((i) => published.some((p) => p.code === i.code))).toBe(true)
    const districtPage = await ok<Paged<ItemSummary>>(lcb, 'catalog.list', {
      stationId: district._id,
      pageSize: 50,
    })
    expect(districtPage.total).toBe(published.filter((i) => i.tier === 'district').length)
    expect(districtPage.list.every((i) => i.tier === 'district')).toBe(true)
  })

  it('filters by tier and category and pages with hasMore', async () => {
    const first = await ok<Paged<ItemSummary>>(lcb, 'catalog.list', { pageSize: 5 })
    expect(first.list).toHaveLength(5)
    expect(first.hasMore).toBe(true)
    const second = await ok<Paged<ItemSummary>>(lcb, 'catalog.list', { pageSize: 5, page: 2 })
    expect(second.list.map((i) => i.id)).not.toEqual(first.list.map((i) => i.id))
    const mz = await ok<Paged<ItemSummary>>(lcb, 'catalog.list', { category: '民政', pageSize: 50 })
    expect(mz.list.length).toBeGreaterThanOrEqual(2)
    expect(mz.list.every((i) => i.category === '民政')).toBe(true)
    const twp = await ok<Paged<ItemSummary>>(lcb, 'catalog.list', { tier: 'township', pageSize: 50 })
    expect(twp.list.every((i) => i.tier === 'township')).toBe(true)
  })

  it('finds items by Chinese keyword and by pinyin initials', async () => {
    const target = demo.items.find((i) => i.name === '最低生活保障申请')!
    const byWord2 = await ok<Paged<ItemSummary>>(lcb, 'catalog.list', { keyword: '最低生活', pageSize: 50 })
    expect(byWord2.list.map((i) => i.id)).toContain(target._id)
    // 最低生活保障 → zdshbz: elderly users type initials on a 9-key keyboard.
    const byInitials = await ok<Paged<ItemSummary>>(lcb, 'catalog.list', { keyword: 'ZDSHBZ', pageSize: 50 })
    expect(byInitials.list.map((i) => i.id)).toEqual([target._id])
    // …and by what residents call it: 低保 / dbsq.
    const byAlias = await ok<Paged<ItemSummary>>(lcb, 'catalog.list', { keyword: 'dbsq', pageSize: 50 })
    expect(byAlias.list.map((i) => i.id)).toContain(target._id)
    const byPinyin = await ok<Paged<ItemSummary>>(lcb, 'catalog.list', { keyword: 'zuidi', pageSize: 50 })
    expect(byPinyin.list.map((i) => i.id)).toContain(target._id)
    const none = await ok<Paged<ItemSummary>>(lcb, 'catalog.list', { keyword: '不存在的事项xyz' })
    expect(none).toMatchObject({ list: [], total: 0, hasMore: false })
  })

  it('shows an item with materials, steps, time limit, supervision hotline and who handles it', async () => {
    const item = demo.items.find((i) => i.published && i.active && i.tier !== 'village')!
    const d = await ok<ItemDetail>(lcb, 'catalog.get', { id: item._id, stationId: village._id })
    expect(d).toMatchObject({ code: item.code, materials: item.materials, steps: item.steps, fee: item.fee })
    expect(d.timeLimitText).toBe(item.promisedDays === 0 ? '即办' : `${item.promisedDays} 个工作日`)
    expect(d.supervisionHotline).toBe('0851-12345678')
    expect(d.handling).toMatchObject({
      stationId: village._id,
      hotline: village.hotline,
      forwardedTo: expect.any(String),
    })
    const draft = demo.items.find((i) => !i.published)!
    expect(await call(lcb, 'catalog.get', { id: draft._id })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    })
  })

  it('validates input with Chinese field messages', async () => {
    const r = await call(lcb, 'catalog.list', { pageSize: 500, tier: 'county', keyword: 'x'.repeat(40) })
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.code).toBe('INVALID_INPUT')
    expect(r.error.fields).toMatchObject({
      pageSize: '每页最多 50 条',
      tier: expect.stringContaining('层级'),
      keyword: expect.stringContaining('30'),
    })
  })
})

describe('stations and duty', () => {
  it('lists stations nearest first', async () => {
    const near = { latitude: village.location.latitude + 0.001, longitude: village.location.longitude }
    const page = await ok<Paged<StationSummary>>(lcb, 'stations.list', { near, pageSize: 3 })
    expect(page.total).toBe(demo.stations.length)
    expect(page.list[0]!.id).toBe(village._id)
    expect(page.list[0]!.distanceMeters).toBeLessThan(200)
    const villages = await ok<Paged<StationSummary>>(lcb, 'stations.list', { parentId: township._id })
    expect(villages.list.every((s) => s.tier === 'village')).toBe(true)
  })

  it('shows a station with its chain, head, agents with masked phones and today’s duty', async () => {
    const s = await ok<StationDetail>(lcb, 'stations.get', { code: village.code })
    expect(s.parents.map((p) => p.id)).toEqual([district._id, township._id])
    expect(s.head?.id).toBe(village.headAgentId)
    expect(s.agents.every((a) => /^\d{3}\*{4}\d{4}$/.test(a.maskedPhone))).toBe(true)
    expect(JSON.stringify(s)).not.toMatch(/1[3-9]\d{9}/)
    expect(s.duty.date).toBe('2026-12-01')
    expect(s.itemCount).toBeGreaterThan(0)
  })

  it('duty today follows the rota, skips agents on leave, and is closed on holidays', async () => {
    const rota = demo.rotas.find((r) => r._id === village._id)!
    const tuesday = await ok<DutyToday>(lcb, 'duty.today', { stationId: village._id })
    const override = rota.overrides.find((o) => o.date === '2026-12-01')
    const scheduled = override ? override.agentIds : (rota.weekly['2'] ?? [])
    const onLeave = (id: string) =>
      demo.agents
        .find((a) => a._id === id)!
        .leaves.some((l) => l.from <= '2026-12-01' && '2026-12-01' <= l.to)
    expect(tuesday.agents.map((a) => a.id).sort()).toEqual(scheduled.filter((id) => !onLeave(id)).sort())

    await fetch(`${lcb.gatewayUrl}/clock`, {
      method: 'POST',
      body: JSON.stringify({ set: '2026-10-02T10:00:00+08:00' }),
    })
    const holiday = await ok<DutyToday>(lcb, 'duty.today', { stationId: village._id })
    expect(holiday).toMatchObject({
      workday: false,
      agents: [],
      closedReason: '节假日休息，请拨打服务热线',
      hotline: village.hotline,
    })
    await fetch(`${lcb.gatewayUrl}/clock`, {
      method: 'POST',
      body: JSON.stringify({ set: '2026-12-01T10:00:00+08:00' }),
    })
  })

  it('answers NOT_FOUND for unknown stations', async () => {
    expect(await call(lcb, 'stations.get', { id: 'st-nowhere' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    })
  })
})

describe('roster binding and roles', () => {
  it('lets an admin invite and a new user bind exactly once; others are FORBIDDEN', async () => {
    const target = demo.agents.find((a) => a.role === 'agent' && a.stationId !== village._id)!
    expect(
      await call(lcb, 'admin.roster.invite', { agentId: target._id }, DEMO_OPENIDS.resident1),
    ).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    expect(
      await call(lcb, 'admin.roster.invite', { agentId: target._id }, DEMO_OPENIDS.villageHead),
    ).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    const { code } = await ok<{ code: string }>(
      lcb,
      'admin.roster.invite',
      { agentId: target._id },
      DEMO_OPENIDS.admin,
    )
    expect(code).toMatch(/^[A-Z2-9]{8}$/)
    const [a, b] = await Promise.all([
      call(lcb, 'roster.bind', { code: code.toLowerCase() }, 'o-new-agent-a'),
      call(lcb, 'roster.bind', { code }, 'o-new-agent-b'),
    ])
    expect([a.ok, b.ok].filter(Boolean)).toHaveLength(1)
    const winner = a.ok ? 'o-new-agent-a' : 'o-new-agent-b'
    expect(await ok(lcb, 'me.profile', {}, winner)).toMatchObject({
      agent: { id: target._id, role: 'agent' },
    })
    expect(await ok(lcb, 'me.profile', {}, DEMO_OPENIDS.resident2)).toMatchObject({ agent: null })
    expect(await call(lcb, 'roster.bind', { code: '12' }, 'o-x')).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    })
  })
})
