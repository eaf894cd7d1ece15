import type { LocalCloudBase } from '../../../local-cloudbase/server'
import type { ItemDetail, ItemSummary, Paged, StationDetail } from '../../../typings/api'
import { DEMO_OPENIDS, call, demo, ok, startApi } from '../../helpers/api'

let lcb: LocalCloudBase
const admin = DEMO_OPENIDS.admin
const township = demo.stations.find((s) => s.tier === 'township')!

beforeAll(async () => {
  lcb = await startApi()
}, 30_000)
afterAll(() => lcb.stop())

const newItem = {
  code: 'MZ-901',
  name: '残疾人家庭无障碍改造申请',
  category: '残联',
  tier: 'township',
  materials: [
    { name: '残疾人证', form: 'copy', count: 1 },
    { name: '户口簿', form: 'original', count: 1, note: '核对后当场退还' },
  ],
  steps: ['代理员上门或在服务室收取材料', '乡镇审核', '区残联审批', '按月发放'],
  promisedDays: 10,
  legalDays: 20,
  proxyMode: 'promise',
  departments: ['区残联', '乡镇社会事务办'],
  homeVisit: true,
  published: true,
}

describe('admin maintains the service network', () => {
  it('refuses everyone but admins, whatever the client claims', async () => {
    for (const who of [
      DEMO_OPENIDS.resident1,
      DEMO_OPENIDS.villageAgent,
      DEMO_OPENIDS.townshipHead,
      DEMO_OPENIDS.supervisor,
    ]) {
      const r = await call(lcb, 'admin.items.save', { ...newItem, role: 'admin' }, who)
      expect(r).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', message: '您没有权限进行此操作' } })
    }
    const r = await call(lcb, 'catalog.list', { keyword: 'cjrjtwzagz' })
    expect(r).toMatchObject({ ok: true, data: { total: 0 } })
  })

  it('publishes a new item that residents then find by pinyin initials, and retires it', async () => {
    expect(await ok(lcb, 'admin.items.save', newItem, admin)).toEqual({ id: 'it-MZ-901' })
    const found = await ok<Paged<ItemSummary>>(lcb, 'catalog.list', { keyword: 'cjrjtwzagz' })
    expect(found.list.map((i) => i.code)).toEqual(['MZ-901'])
    const detail = await ok<ItemDetail>(lcb, 'catalog.get', { id: 'it-MZ-901' })
    expect(detail).toMatchObject({
      timeLimitText: '10 个工作日',
      legalDays: 20,
      proxyModeLabel: '承诺代理',
      homeVisit: true,
    })
    await ok(lcb, 'admin.retire', { kind: 'item', id: 'it-MZ-901' }, admin)
    expect(await call(lcb, 'catalog.get', { id: 'it-MZ-901' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    })
  })

  it('explains every bad field in Chinese and writes nothing', async () => {
    const r = await call(
      lcb,
      'admin.items.save',
      {
        ...newItem,
        code: 'mz 9',
        category: '天文',
        promisedDays: -1,
        materials: [{ name: '', form: 'scan', count: 0 }],
      },
      admin,
    )
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.code).toBe('INVALID_INPUT')
    expect(r.error.fields).toMatchObject({
      code: expect.stringContaining('大写字母'),
      category: '请选择事项分类',
      'materials.0.name': '请填写材料名称',
      'materials.0.form': '请选择原件或复印件',
      'materials.0.count': '份数至少为 1',
    })
    const unpublishable = await call(
      lcb,
      'admin.items.save',
      { ...newItem, code: 'MZ-902', materials: [] },
      admin,
    )
    expect(unpublishable).toMatchObject({
      ok: false,
      error: { fields: { published: '公开的事项须列明所需材料和办理流程' } },
    })
    expect(await call(lcb, 'catalog.get', { id: 'it-MZ-902' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    })
  })

  it('keeps the three tiers consistent and codes unique', async () => {
    const base = {
      code: 'QS-XC',
      name: '新村村为民服务室',
      tier: 'village',
      address: '青山镇新村村委会',
      location: { latitude: 26.5, longitude: 106.7 },
      hotline: '0851-86001234',
      hours: '周一至周五 8:30-17:30',
    }
    const wrongParent = await call(
      lcb,
      'admin.stations.save',
      { ...base, parentId: demo.stations[0]!._id },
      admin,
    )
    expect(wrongParent).toMatchObject({
      ok: false,
      error: { fields: { parentId: '村（社区）服务室的上级应为乡镇服务站' } },
    })
    const dup = await call(
      lcb,
      'admin.stations.save',
      { ...base, code: township.code, parentId: township._id },
      admin,
    )
    expect(dup).toMatchObject({ ok: false, error: { code: 'CONFLICT' } })
    expect(await ok(lcb, 'admin.stations.save', { ...base, parentId: township._id }, admin)).toEqual({
      id: 'st-qs-xc',
    })
    const s = await ok<StationDetail>(lcb, 'stations.get', { code: 'QS-XC' })
    expect(s.parents.map((p) => p.id)).toEqual([
      demo.stations.find((x) => x.tier === 'district')!._id,
      township._id,
    ])
  })

  it('rota entries must be people of the station', async () => {
    const stranger = demo.agents.find((a) => a.stationId !== township._id)!
    const r = await call(
      lcb,
      'admin.rotas.save',
      { stationId: township._id, weekly: { '1': [stranger._id] } },
      admin,
    )
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
  })
})

describe('station QR poster', () => {
  it('generates the mini-program code once, with the station scene, and reuses it', async () => {
    const first = await ok<{ fileId: string; url: string; scene: string }>(lcb, 'stations.qrcode', {
      stationId: township._id,
    })
    expect(first.scene).toBe(`s=${township.code}`)
    const png = Buffer.from(await (await fetch(encodeURI(first.url))).arrayBuffer())
    expect(png.subarray(1, 4).toString()).toBe('PNG')
    const calls = lcb.openApiCalls('wxacode.getUnlimited')
    expect(calls).toHaveLength(1)
    expect(calls[0]!.params).toMatchObject({ scene: `s=${township.code}`, page: 'pages/home/index' })
    const again = await ok<{ fileId: string }>(lcb, 'stations.qrcode', { stationId: township._id })
    expect(again.fileId).toBe(first.fileId)
    expect(lcb.openApiCalls('wxacode.getUnlimited')).toHaveLength(1)
  })
})
