/**
 * Issue 17, the gaps closed in the second session, through the real `api` on Local CloudBase:
 * creating a station (tier rules, unique code, every field checked) and an item; the rota's
 * 领导接待日 and date exceptions saved through the schedule editor, audited, and the station page
 * agreeing; and 整站移交 — every open case of a retiring station (more than 100) handed on to an
 * agent of another station, page by page, each case with its timeline event, then retired.
 */
import type { LocalCloudBase } from '../../../local-cloudbase/server'
import type { Actions, AuditView, CaseView, CursorPage, StationDetail } from '../../../typings/api'
import type { CaseRecord } from '../../../typings/domain'
import { DEMO_OPENIDS, call, ok, startApi, fieldsOf } from '../../helpers/api'
import { nodeSdk } from '../../helpers/local-cloudbase'

let lcb: LocalCloudBase
const admin = DEMO_OPENIDS.admin
const CHINESE = /[\u4e00-\u9fa5]/

/** The field messages of a refused call (empty when it went through). */

beforeAll(async () => {
  lcb = await startApi()
}, 30_000)
afterAll(() => lcb.stop())

const station = (over: Record<string, unknown> = {}) => ({
  code: 'QS-XC',
  name: '新村为民服务室',
  tier: 'village',
  parentId: 'st-qingshan',
  address: '青山镇新村村委会',
  location: { latitude: 26.6, longitude: 106.7 },
  hotline: '0851-88886666',
  hours: '工作日 9:00-17:00',
  ...over,
})

const auditOf = (recordId: string) =>
  ok<CursorPage<AuditView>>(lcb, 'admin.audit.list', { recordId, pageSize: 50 }, admin)

describe('新建服务站', () => {
  it('checks every field with a Chinese message on the field', async () => {
    const r = await call(lcb, 'admin.stations.save', {}, admin)
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
    const fields = fieldsOf(r)
    for (const f of ['code', 'name', 'tier', 'parentId', 'address', 'location', 'hotline', 'hours']) {
      expect(fields[f]).toMatch(CHINESE)
    }
    const bad = await call(
      lcb,
      'admin.stations.save',
      station({ code: 'qs xc', hotline: '12', location: { latitude: 120, longitude: 0 } }),
      admin,
    )
    expect(fieldsOf(bad)).toMatchObject({
      code: expect.stringContaining('编码'),
      hotline: expect.stringContaining('电话格式不正确'),
      'location.latitude': '纬度超出范围',
    })
  })

  it('keeps the tier rules: a village room under a township, a township under the district', async () => {
    const parentOf = async (over: Record<string, unknown>) =>
      fieldsOf(await call(lcb, 'admin.stations.save', station(over), admin)).parentId
    expect(await parentOf({ parentId: 'st-district' })).toBe('村（社区）服务室的上级应为乡镇服务站')
    expect(await parentOf({ parentId: 'st-qingshan-hongyan' })).toBe('村（社区）服务室的上级应为乡镇服务站')
    expect(await parentOf({ parentId: null })).toBe('村（社区）服务室的上级应为乡镇服务站')
    expect(await parentOf({ tier: 'township', parentId: 'st-qingshan' })).toBe(
      '乡镇服务站的上级应为区为民服务中心',
    )
    expect(await parentOf({ tier: 'district', parentId: 'st-district' })).toBe('区为民服务中心没有上级')
  })

  it('refuses a code in use (CONFLICT on the code field), also one whose id would overwrite a station', async () => {
    const taken = await call(lcb, 'admin.stations.save', station({ code: 'QS-HY' }), admin)
    expect(taken).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT', fields: { code: expect.stringContaining('红岩村') } },
    })
    // QINGSHAN-HONGYAN is free as a code but makes the id of 红岩村 (code QS-HY): never overwritten.
    const clash = await call(lcb, 'admin.stations.save', station({ code: 'QINGSHAN-HONGYAN' }), admin)
    expect(clash).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT', fields: { code: expect.any(String) } },
    })
    const hy = await ok<StationDetail>(lcb, 'stations.get', { id: 'st-qingshan-hongyan' })
    expect(hy).toMatchObject({ code: 'QS-HY', name: '红岩村为民服务室' })
    // Two admins creating the same new code at once (two warm instances, as on the platform): one
    // wins, the other is told, nothing overwritten. The interleaving varies: five rounds.
    await Promise.all([0, 1].map(() => call(lcb, 'stations.get', { id: 'st-qingshan' })))
    for (let round = 1; round <= 5; round++) {
      const code = `QS-TWIN${round}`
      const names = ['甲', '乙'].map((n) => `${n}${round}村为民服务室`)
      const save = (name: string) => call(lcb, 'admin.stations.save', station({ code, name }), admin)
      const both = await Promise.all(names.map(save))
      const winner = both.findIndex((r) => r.ok)
      expect(winner).toBeGreaterThanOrEqual(0)
      let loser = both[1 - winner]!
      // Both transactions may read "no such station" at once: the database refuses the later
      // write (UNAVAILABLE, retried), and the retry reads the winner.
      if (!loser.ok && loser.error.code === 'UNAVAILABLE') loser = await save(names[1 - winner]!)
      expect(loser).toMatchObject({
        ok: false,
        error: { code: 'CONFLICT', fields: { code: expect.any(String) } },
      })
      const id = `st-${code.toLowerCase()}`
      expect((await ok<StationDetail>(lcb, 'stations.get', { id })).name).toBe(names[winner])
      expect((await auditOf(id)).total).toBe(1)
    }
  })

  it('creates a village room under its township, audited; a head may not', async () => {
    expect(await call(lcb, 'admin.stations.save', station(), DEMO_OPENIDS.villageHead)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    const { id } = await ok<{ id: string }>(lcb, 'admin.stations.save', station(), admin)
    expect(id).toBe('st-qs-xc')
    const list = await ok<Actions['admin.stations.list']['out']>(lcb, 'admin.stations.list', {}, admin)
    const made = list.list.find((s) => s.id === id)!
    expect(made).toMatchObject({
      parentName: '青山镇为民服务站',
      tierLabel: expect.any(String),
      active: true,
    })
    // A new station lacks a head, agents, a rota: the list says so.
    expect(made.gaps.length).toBeGreaterThan(0)
    const log = await auditOf(id)
    expect(log.list.map((e) => [e.kind, e.action])).toEqual([['station', 'create']])
  })
})

describe('新建事项', () => {
  const item = (over: Record<string, unknown> = {}) => ({
    code: 'MZ-101',
    name: '高龄津贴申领',
    category: '民政',
    tier: 'township',
    materials: [{ name: '身份证', form: 'copy', count: 1 }],
    steps: ['村里代理员收件', '镇民政办审核'],
    promisedDays: 5,
    proxyMode: 'promise',
    departments: ['镇民政办'],
    ...over,
  })

  it('checks every field, refuses a code in use on the field, then creates, audited', async () => {
    const r = await call(lcb, 'admin.items.save', {}, admin)
    for (const f of ['code', 'name', 'category', 'tier', 'materials', 'steps', 'promisedDays', 'proxyMode'])
      expect(fieldsOf(r)[f]).toMatch(CHINESE)
    const taken = await call(lcb, 'admin.items.save', item({ code: 'MZ-003' }), admin)
    expect(taken).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT', fields: { code: expect.stringContaining('MZ-003') } },
    })
    const { id } = await ok<{ id: string }>(lcb, 'admin.items.save', item({ published: true }), admin)
    expect(id).toBe('it-MZ-101')
    // Saving the same new code again is a CONFLICT, not a silent overwrite.
    const again = await call(lcb, 'admin.items.save', item({ name: '另一个' }), admin)
    expect(again).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT', fields: { code: expect.any(String) } },
    })
    const listed = await ok<Actions['admin.items.list']['out']>(
      lcb,
      'admin.items.list',
      { keyword: 'MZ-101' },
      admin,
    )
    expect(listed.list.map((i) => [i.id, i.name])).toEqual([['it-MZ-101', '高龄津贴申领']])
    expect((await auditOf(id)).list.map((e) => e.action)).toEqual(['create'])
  })
})

describe('领导接待日 and date exceptions from the rota page', () => {
  const STATION = 'st-qingshan-hongyan'
  const period = { start: '09:00', end: '11:30', slotMinutes: 30, capacity: 2 }

  it('saves the leader schedule, audited, and the station page publishes the same days', async () => {
    await ok(
      lcb,
      'admin.schedules.save',
      {
        stationId: STATION,
        kind: 'leader',
        hostAgentId: 'ag-qs-hy-1',
        topic: '群众来访接待',
        periods: [
          { ...period, weekdays: [3] },
          { ...period, weekdays: [3, 5], start: '14:00', end: '16:00' },
        ],
      },
      admin,
    )
    const rota = await ok<Actions['admin.rotas.get']['out']>(
      lcb,
      'admin.rotas.get',
      { stationId: STATION },
      admin,
    )
    expect(rota.receptionDays).toEqual([
      { weekday: 3, agentId: 'ag-qs-hy-1', hours: '09:00-11:30、14:00-16:00', topic: '群众来访接待' },
      { weekday: 5, agentId: 'ag-qs-hy-1', hours: '14:00-16:00', topic: '群众来访接待' },
    ])
    const page = await ok<StationDetail>(lcb, 'stations.get', { id: STATION })
    expect(page.receptionDays.map((r) => [r.weekdayLabel, r.hours])).toEqual([
      [expect.stringContaining('三'), '09:00-11:30、14:00-16:00'],
      [expect.stringContaining('五'), '14:00-16:00'],
    ])
    const log = await ok<CursorPage<AuditView>>(lcb, 'admin.audit.list', { kind: 'schedule' }, admin)
    expect(log.list[0]).toMatchObject({
      recordId: `${STATION}-leader`,
      summary: expect.stringContaining('领导接待日'),
    })
  })

  it('keeps the leader’s days when the duty grid is saved without them or from a stale page', async () => {
    const rota = await ok<Actions['admin.rotas.get']['out']>(
      lcb,
      'admin.rotas.get',
      { stationId: STATION },
      admin,
    )
    const grid = { stationId: STATION, weekly: { ...rota.weekly, '1': ['ag-qs-hy-3'] }, overrides: [] }
    // A caller leaving them out, then a page loaded before the leader schedule was saved.
    await ok(lcb, 'admin.rotas.save', grid, admin)
    await ok(
      lcb,
      'admin.rotas.save',
      { ...grid, receptionDays: [{ weekday: 1, agentId: 'ag-qs-hy-1', hours: '08:00-09:00' }] },
      admin,
    )
    const page = await ok<StationDetail>(lcb, 'stations.get', { id: STATION })
    expect(page.receptionDays.map((r) => [r.weekdayLabel, r.hours])).toEqual([
      [expect.stringContaining('三'), '09:00-11:30、14:00-16:00'],
      [expect.stringContaining('五'), '14:00-16:00'],
    ])
    const saved = await ok<Actions['admin.rotas.get']['out']>(
      lcb,
      'admin.rotas.get',
      { stationId: STATION },
      admin,
    )
    expect(saved.weekly['1']).toEqual(['ag-qs-hy-3'])
  })

  it('closes a date and gives another date other hours; bad hours are refused on the field', async () => {
    const view = await ok<Actions['admin.schedules.get']['out']>(
      lcb,
      'admin.schedules.get',
      { stationId: STATION },
      admin,
    )
    const save = (exceptions: unknown, openid: string = admin) =>
      call(
        lcb,
        'admin.schedules.save',
        { stationId: STATION, kind: 'service', periods: view.service!.periods, exceptions },
        openid,
      )
    const bad = await save([{ date: '2026-12-10', periods: [{ ...period, start: '16:00', end: '14:00' }] }])
    expect(bad).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', fields: { periods: expect.stringMatching(CHINESE) } },
    })
    const badDay = await save([{ date: '2026-02-30', closed: true }])
    expect(fieldsOf(badDay)['exceptions.0.date']).toBe('日期不存在')
    // Another station's head may not.
    const other = await save([], DEMO_OPENIDS.townshipHead)
    expect(other).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    const saved = await save([
      { date: '2026-12-09', closed: true },
      {
        date: '2026-12-10',
        periods: [{ weekdays: [], start: '14:00', end: '15:00', slotMinutes: 30, capacity: 2 }],
      },
    ])
    expect(saved.ok).toBe(true)
    const slots = await ok<Actions['appointments.slots']['out']>(lcb, 'appointments.slots', {
      stationId: STATION,
    })
    const service = slots.schedules.find((s) => s.kind === 'service')!
    expect(service.days.find((d) => d.day === '2026-12-09')).toBeUndefined()
    expect(service.days.find((d) => d.day === '2026-12-10')!.slots.map((s) => s.start)).toEqual([
      '14:00',
      '14:30',
    ])
    const log = await ok<CursorPage<AuditView>>(
      lcb,
      'admin.audit.list',
      { recordId: STATION, kind: 'schedule' },
      admin,
    )
    expect(log.total).toBe(1)
  })
})

describe('整站移交: a retiring station hands every open case on, more than 100 of them', () => {
  const FROM = 'st-qs-old'
  const HOLDER = 'ag-qs-old-0001'
  const db = () => nodeSdk(lcb).database()

  it('moves 127 open cases page by page, each with its event, audited, then the station retires', async () => {
    // A township station being merged into 青山镇: created, staffed, holding cases.
    await ok(
      lcb,
      'admin.stations.save',
      station({ code: 'QS-OLD', name: '老街镇为民服务站', tier: 'township', parentId: 'st-district' }),
      admin,
    )
    await ok(
      lcb,
      'admin.agents.save',
      {
        _id: HOLDER,
        name: '老站员',
        phone: '13700000001',
        stationId: FROM,
        role: 'agent',
        kind: 'party_member',
      },
      admin,
    )
    const template = await ok<CaseView>(
      lcb,
      'cases.submit',
      {
        itemId: 'it-MZ-003',
        stationId: 'st-qingshan-hongyan',
        description: '咨询低保',
        applicantName: '赵大山',
        applicantPhone: '13912340000',
      },
      DEMO_OPENIDS.resident2,
      '整站移交-template',
    )
    const { data: tpl } = (await db().collection('cases').doc(template.id).get()) as unknown as {
      data: CaseRecord[]
    }
    const { _id: _drop, ...base } = tpl[0]!
    const docs: Record<string, unknown>[] = []
    // 115 of its own (submitted and accepted), 12 上报件 waiting at it, 3 finished ones that stay.
    for (let i = 0; i < 115; i++)
      docs.push({
        ...base,
        _id: `c-old-${i}`,
        stationId: FROM,
        assignedAgentId: HOLDER,
        state: i % 2 ? 'accepted' : 'submitted',
      })
    const upper = {
      stationId: FROM,
      agentId: HOLDER,
      assignReason: '上报',
      acceptedAt: null,
      dueAt: null,
      completedAt: null,
      result: null,
    }
    for (let i = 0; i < 12; i++) docs.push({ ...base, _id: `c-up-${i}`, state: 'escalated', upper })
    for (let i = 0; i < 3; i++)
      docs.push({ ...base, _id: `c-done-${i}`, stationId: FROM, assignedAgentId: HOLDER, state: 'rated' })
    for (const d of docs) {
      const { _id, ...rest } = d
      await db()
        .collection('cases')
        .doc(String(_id))
        .set({ ...rest, requestId: `rq-${String(_id)}` })
    }

    expect(await call(lcb, 'admin.retire', { kind: 'station', id: FROM }, admin)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_STATE', message: expect.stringContaining('127 件') },
    })
    // Only an admin; the receiver at a station of the same tier or the parent.
    const to = (toAgentId: string, openid: string = admin) =>
      call<Actions['admin.handover.station']['out']>(
        lcb,
        'admin.handover.station',
        { stationId: FROM, toAgentId },
        openid,
      )
    expect(await to('ag-qs-2', DEMO_OPENIDS.townshipHead)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    expect(fieldsOf(await to('ag-qs-hy-3')).toAgentId).toContain('同一层级')
    expect(fieldsOf(await to(HOLDER)).toAgentId).toContain('其他在用服务站')
    // The district's admin sits at the parent station, but does not work cases.
    expect(fieldsOf(await to('ag-qh-7')).toAgentId).toContain('代理员或站长')
    expect(fieldsOf(await call(lcb, 'admin.handover.station', { stationId: FROM }, admin)).toAgentId).toBe(
      '请选择接收人',
    )

    const calls: { moved: number; remaining: number; dbCalls: number; ms: number }[] = []
    for (let n = 0; n < 10; n++) {
      const t0 = Date.now()
      const r = await to('ag-qs-2')
      if (!r.ok) throw new Error(r.error.message)
      calls.push({ ...r.data, dbCalls: r.dbCalls, ms: Date.now() - t0 })
      if (!r.data.remaining) break
    }
    console.log('整站移交 calls', JSON.stringify(calls))
    expect(calls.map((c) => c.moved)).toEqual([40, 40, 40, 7])
    expect(calls.map((c) => c.remaining)).toEqual([87, 47, 7, 0])
    expect(calls.at(-1)!.dbCalls).toBeLessThan(calls[0]!.dbCalls)

    const cases = db().collection('cases')
    expect(
      (await cases.where({ stationId: FROM, state: db().command.in(['submitted', 'accepted']) }).count())
        .total,
    ).toBe(0)
    expect(
      (
        await cases
          .where({
            stationId: 'st-qingshan',
            assignedAgentId: 'ag-qs-2',
            _id: db().RegExp({ regexp: '^c-old-' }),
          })
          .count()
      ).total,
    ).toBe(115)
    expect(
      (await cases.where({ 'upper.stationId': 'st-qingshan', 'upper.agentId': 'ag-qs-2' }).count()).total,
    ).toBe(12)
    // The finished ones stay where they were, untouched.
    expect(
      (await cases.where({ stationId: FROM, state: 'rated', version: base.version }).count()).total,
    ).toBe(3)
    // Every moved case got exactly one timeline event and one new version: moved whole or not at all.
    const events = await db().collection('case_events').where({ action: 'handover' }).count()
    expect(events.total).toBe(127)
    expect(
      (await cases.where({ _id: db().RegExp({ regexp: '^c-(old|up)-' }), version: base.version + 1 }).count())
        .total,
    ).toBe(127)
    // The receiver heard once per call (4 notices for 127 cases, the 上报件 among them).
    expect(
      (
        await db()
          .collection('outbox')
          .where({ event: 'caseAssigned', caseId: db().RegExp({ regexp: '^c-(old|up)-' }) })
          .count()
      ).total,
    ).toBe(4)
    // One audit entry per call, naming the cases moved.
    const log = await auditOf(FROM)
    const handovers = log.list.filter((e) => e.kind === 'handover')
    expect(handovers).toHaveLength(4)
    expect(handovers.reduce((n, e) => n + (e.after as { caseIds: string[] }).caseIds.length, 0)).toBe(127)
    // A resident sees the move in plain words on their case.
    const moved = await ok<CaseView>(lcb, 'cases.get', { caseId: 'c-old-0' }, DEMO_OPENIDS.resident2)
    expect(moved.timeline?.at(-1)).toMatchObject({
      what: '移交',
      note: expect.stringContaining('老街镇为民服务站撤并'),
    })

    await ok(lcb, 'admin.retire', { kind: 'station', id: FROM }, admin)
    expect((await auditOf(FROM)).list[0]).toMatchObject({ action: 'retire' })
  }, 120_000)
})
