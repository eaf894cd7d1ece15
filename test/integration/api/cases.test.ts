import type { LocalCloudBase } from '../../../local-cloudbase/server'
import type { CaseView } from '../../../typings/api'
import { DEMO_OPENIDS, call, demo, ok, startApi } from '../../helpers/api'
import { requestId, submitCall } from '../../helpers/builders'
import { nodeSdk } from '../../helpers/local-cloudbase'

let lcb: LocalCloudBase
const village = demo.stations.find((s) => s._id === 'st-qingshan-hongyan')!
const item = demo.items.find((i) => i.code === 'MZ-001')!
const resident = DEMO_OPENIDS.resident1
const agent = DEMO_OPENIDS.villageAgent
const head = DEMO_OPENIDS.villageHead

type Submitted = CaseView & { claimCode: string | null }

async function submit(openid: string = resident, id = requestId('r'), extra: Record<string, unknown> = {}) {
  const form = { itemId: item._id, stationId: village._id, description: '家里老人想申请低保，行动不便' }
  const r = await submitCall(lcb, { ...form, visit: 'home', ...extra }, openid, id)
  return {
    body: r as unknown as {
      ok: boolean
      data: Submitted
      error: { code: string; message: string; fields?: Record<string, string> }
    },
    dbCalls: r.dbCalls,
  }
}

beforeAll(async () => {
  // Monday 2026-11-30, 10:00 Shanghai.
  lcb = await startApi('2026-11-30T10:00:00+08:00')
}, 30_000)
afterAll(() => lcb.stop())

describe('a case from submission to rating', () => {
  let c: Submitted

  it('submits once per request id and assigns the paired agent', async () => {
    const first = await submit(resident, 'req-1')
    expect(first.body.ok).toBe(true)
    c = first.body.data
    expect(c).toMatchObject({
      state: 'submitted',
      stateLabel: '待受理',
      assignReason: '结对代理员',
      agent: { id: 'ag-qs-hy-2' },
    })
    expect(c.caseNo).toBeNull()
    expect(c.applicant.maskedPhone).toBe('139****5678')
    const retry = await submit(resident, 'req-1')
    expect(retry.body.data.id).toBe(c.id)
    const mine = await ok<{ total: number }>(lcb, 'cases.mine', {}, resident)
    expect(mine.total).toBe(1)
    // The least a submit needs here: item, station, pairings, rota, roster, calendar; the case
    // and its event in a transaction (start, write, event, commit); templates; the notice. The
    // retry is answered by the unique index and one read, without a second case.
    expect(first.dbCalls).toBeLessThanOrEqual(12)
    expect(retry.dbCalls).toBeLessThanOrEqual(14)
  })

  it('lets only the assigned agent or the head act, and only in order', async () => {
    expect(
      await call(lcb, 'cases.accept', { caseId: c.id, version: c.version, handling: 'promised' }, resident),
    ).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    expect(
      await call(
        lcb,
        'cases.accept',
        { caseId: c.id, version: c.version, handling: 'promised' },
        DEMO_OPENIDS.townshipHead,
      ),
    ).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    expect(
      await call(lcb, 'cases.complete', { caseId: c.id, version: c.version, result: '已办结' }, agent),
    ).toMatchObject({
      ok: false,
      error: { code: 'INVALID_STATE', message: '当前状态为「待受理」，不能办结' },
    })
  })

  it('accepts as 承诺件 with a due date in working days, then completes, delivers and is rated once', async () => {
    const accepted = await ok<CaseView>(
      lcb,
      'cases.accept',
      {
        caseId: c.id,
        version: c.version,
        handling: 'promised',
        receivedMaterials: ['户口簿', '身份证复印件'],
      },
      agent,
    )
    expect(accepted).toMatchObject({
      state: 'accepted',
      handlingLabel: '承诺件',
      dueDay: expect.any(String),
      caseNo: 'QS-HY-20261130-001',
    })
    // Monday 30 Nov + item's promised working days, due 17:30 Shanghai.
    expect(accepted.dueAt!.endsWith('T09:30:00.000Z')).toBe(true)
    const completed = await ok<CaseView>(
      lcb,
      'cases.complete',
      { caseId: c.id, version: accepted.version, result: '低保申请已获批，12 月起按月发放' },
      agent,
    )
    expect(completed).toMatchObject({ state: 'completed', onTime: true })
    expect(await call(lcb, 'cases.rate', { caseId: c.id, level: 'satisfied' }, resident)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_STATE' },
    })
    const delivered = await ok<CaseView>(
      lcb,
      'cases.deliver',
      { caseId: c.id, version: completed.version },
      agent,
    )
    expect(delivered.state).toBe('delivered')
    expect(
      await call(lcb, 'cases.rate', { caseId: c.id, level: 'satisfied' }, DEMO_OPENIDS.resident2),
    ).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    const rated = await ok<CaseView>(
      lcb,
      'cases.rate',
      { caseId: c.id, level: 'very_satisfied', tags: ['上门服务'], comment: '代理员跑了三趟，谢谢' },
      resident,
    )
    expect(rated).toMatchObject({ state: 'rated', rating: { label: '非常满意', isDefault: false } })
    expect(await call(lcb, 'cases.rate', { caseId: c.id, level: 'satisfied' }, resident)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_STATE' },
    })
    const full = await ok<CaseView>(lcb, 'cases.get', { caseId: c.id }, resident)
    expect(full.timeline!.map((e) => e.what)).toEqual(['提交申请', '受理', '办结', '反馈结果', '评价'])
  })

  it('keeps cases private to the applicant and the station', async () => {
    expect(await call(lcb, 'cases.get', { caseId: c.id }, DEMO_OPENIDS.resident2)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    expect(await call(lcb, 'cases.get', { caseId: c.id }, DEMO_OPENIDS.townshipHead)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    expect(await call(lcb, 'cases.get', { caseId: c.id }, head)).toMatchObject({ ok: true })
    expect(await call(lcb, 'cases.get', { caseId: c.id }, DEMO_OPENIDS.supervisor)).toMatchObject({
      ok: true,
    })
  })
})

describe('rules and bad input', () => {
  it('of two concurrent transitions exactly one wins, the other gets CONFLICT', async () => {
    const { body } = await submit(DEMO_OPENIDS.resident2, 'req-race', { applicantName: '李四' })
    const c = body.data
    const assignee = demo.agents.find((a) => a._id === c.agent!.id)!
    const openid = assignee._id === 'ag-qs-hy-2' ? agent : head
    const [a, b] = await Promise.all([
      call(lcb, 'cases.accept', { caseId: c.id, version: c.version, handling: 'immediate' }, openid),
      call(lcb, 'cases.reject', { caseId: c.id, version: c.version, reason: '不属于代理范围' }, head),
    ])
    const outcomes = [a, b].map((r) => (r.ok ? 'ok' : r.error.code)).sort()
    expect(outcomes).toEqual(['CONFLICT', 'ok'])
    const after = await ok<CaseView>(lcb, 'cases.get', { caseId: c.id }, head)
    expect(after.timeline).toHaveLength(2)
    expect(after.version).toBe(2)
  })

  it('refuses risky text with a clear message and writes nothing', async () => {
    const before = await ok<{ total: number }>(lcb, 'cases.mine', {}, resident)
    const { body } = await submit(resident, 'req-risky', { description: '帮我找人赌博' })
    expect(body).toMatchObject({
      ok: false,
      error: { code: 'CONTENT_RISKY', message: '内容含有不宜发布的信息，请修改后再提交' },
    })
    expect((await ok<{ total: number }>(lcb, 'cases.mine', {}, resident)).total).toBe(before.total)
  })

  it('validates the form with Chinese field messages', async () => {
    const { body } = await submit(resident, 'req-bad', {
      description: '',
      applicantPhone: '123',
      visit: 'mail',
    })
    expect(body.ok).toBe(false)
    expect(body.error.fields).toMatchObject({
      description: '请填写需求说明',
      applicantPhone: '应为 11 位手机号',
      visit: '请选择到站办理或上门服务',
    })
  })

  it('lets an agent file for a resident without a smartphone, with a claim code', async () => {
    const { body } = await submit(agent, 'req-walkin', {
      onBehalf: true,
      applicantName: '赵大爷',
      applicantPhone: '13800001111',
    })
    expect(body.ok).toBe(true)
    expect(body.data.claimCode).toMatch(/^[ABCDEFGHJKMNPQRSTUVWXYZ2-9]{8}$/)
    // Later the resident claims it in WeChat with the code and the phone given at intake.
    const code = body.data.claimCode!
    expect(await call(lcb, 'cases.claim', { claimCode: code, phone: '13900000000' }, 'o-zhao')).toMatchObject(
      {
        ok: false,
        error: { code: 'NOT_FOUND', message: '认领码或手机号不正确，请核对材料接收单' },
      },
    )
    expect(await call(lcb, 'cases.claim', { claimCode: code, phone: '13800001111' }, 'o-zhao')).toMatchObject(
      { ok: true },
    )
    expect(await call(lcb, 'cases.get', { caseId: body.data.id }, 'o-zhao')).toMatchObject({ ok: true })
    expect(
      await call(lcb, 'cases.claim', { claimCode: code, phone: '13800001111' }, 'o-other'),
    ).toMatchObject({
      // A used code is closed: it answers like any wrong code.
      ok: false,
      error: { code: 'NOT_FOUND' },
    })
    const notStaff = await submit(DEMO_OPENIDS.resident2, 'req-walkin-2', { onBehalf: true })
    expect(notStaff.body).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
  })

  it('shows the agent an inbox with counts per tab', async () => {
    const inbox = await call<{ counts: Record<string, number>; list: CaseView[] }>(
      lcb,
      'work.inbox',
      { tab: 'pending' },
      agent,
    )
    expect(inbox.ok).toBe(true)
    if (!inbox.ok) return
    expect(inbox.data.counts.pending).toBe(inbox.data.list.length)
    expect(inbox.data.list.every((c) => c.state === 'submitted')).toBe(true)
    console.log(`db calls: inbox ${inbox.dbCalls}`)
    expect(await call(lcb, 'work.inbox', {}, resident)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
  })
})

describe('the applicant’s phone for staff', () => {
  it('is given in full to the station’s agent, logged each time; other residents and stations are refused', async () => {
    const { body } = await submit(resident, 'contact-1')
    const c = body.data
    expect(c.applicant.maskedPhone).toBe('139****5678')
    expect(await ok(lcb, 'cases.contact', { caseId: c.id }, agent)).toEqual({
      name: '王秀英',
      phone: '13912345678',
    })
    for (const who of [DEMO_OPENIDS.resident2, DEMO_OPENIDS.townshipHead, DEMO_OPENIDS.admin])
      expect(await call(lcb, 'cases.contact', { caseId: c.id }, who)).toMatchObject({
        ok: false,
        error: { code: 'FORBIDDEN' },
      })
    const db = nodeSdk(lcb).database()
    expect(
      (
        await db
          .collection('access_logs')
          .where({ what: `case:${c.id}:phone` })
          .get()
      ).data,
    ).toEqual([expect.objectContaining({ openid: resident })])
  })

  it('gives the applicant their agent’s number instead of their own, logged as a read of the agent’s', async () => {
    const { body } = await submit(resident, 'contact-2')
    const c = body.data
    const mine = await ok<{ name: string; phone: string }>(lcb, 'cases.contact', { caseId: c.id }, resident)
    expect(mine.name).toBe(c.agent!.name)
    expect(mine.phone).toMatch(/^1\d{10}$/)
    expect(mine.phone).not.toBe('13912345678')
    const db = nodeSdk(lcb).database()
    expect(
      (
        await db
          .collection('access_logs')
          .where({ what: `case:${c.id}:agent-phone` })
          .get()
      ).data,
    ).toHaveLength(1)
  })
})

describe('the workbench counts', () => {
  it('counts every tab in one aggregation and pages each tab to its count', async () => {
    const db = nodeSdk(lcb).database()
    await db.collection('agents').doc('ag-qs-sm-2').update({ openid: 'o-sm-agent' })
    await db.collection('agents').doc('ag-qs-sm-1').update({ openid: 'o-sm-head' })
    const now = Date.parse('2026-11-30T10:00:00+08:00')
    const day = 86_400_000
    let n = 0
    const make = (state: string, dueIn: number | null, extra: Record<string, unknown> = {}) => ({
      _id: `wb-${++n}`,
      caseNo: `SM-${n}`,
      state,
      version: 1,
      item: {
        id: item._id,
        code: item.code,
        name: item.name,
        category: item.category,
        tier: item.tier,
        promisedDays: 5,
      },
      stationId: 'st-qingshan-shimen',
      assignedAgentId: 'ag-qs-sm-2',
      applicant: { openid: null, name: '某', phone: '13900000000', claimCode: null },
      description: '工作台计数',
      attachments: [],
      visit: 'station',
      assignReason: '值班',
      handling: null,
      dueAt: dueIn === null ? null : new Date(now + dueIn * day),
      dueDay: null,
      calendarMissingYears: [],
      tasks: [],
      upper: null,
      createdAt: new Date(now - day),
      ...extra,
    })
    await db.collection('cases').add([
      make('submitted', null),
      make('submitted', null),
      make('submitted', null, { assignedAgentId: 'ag-qs-sm-3' }),
      make('accepted', 3),
      make('accepted', 0.2),
      make('accepted', -1),
      make('accepted', -2),
      make('awaiting_supplement', null),
      make('escalated', 10, {
        upper: { stationId: 'st-qingshan', agentId: 'ag-qs-2', dueAt: new Date(now + 9 * day) },
      }),
      make('completed', -1),
      make('delivered', -3),
    ])
    const inbox = (openid: string, tab: string, scope = 'mine') =>
      call<{ counts: Record<string, number>; total: number; list: CaseView[] }>(
        lcb,
        'work.inbox',
        { tab, scope, pageSize: 50 },
        openid,
      )
    const mine = await inbox('o-sm-agent', 'pending')
    expect(mine.ok && mine.data.counts).toEqual({
      pending: 2,
      handling: 6,
      dueSoon: 1,
      overdue: 2,
      feedback: 1,
      upper: 0,
    })
    console.log(`db calls: inbox ${mine.dbCalls}`)
    expect(mine.dbCalls).toBeLessThanOrEqual(6)
    const station = await inbox('o-sm-head', 'pending', 'station')
    expect(station.ok && station.data.counts).toMatchObject({ pending: 3, handling: 6, overdue: 2 })
    // Each tab's list holds exactly what its count says.
    for (const tab of ['pending', 'handling', 'dueSoon', 'overdue', 'feedback']) {
      const r = await inbox('o-sm-head', tab, 'station')
      if (!r.ok) throw new Error(r.error.message)
      expect({ tab, n: r.data.list.length, total: r.data.total }).toEqual({
        tab,
        n: r.data.counts[tab],
        total: r.data.counts[tab],
      })
    }
    const township = await inbox(DEMO_OPENIDS.townshipHead, 'upper', 'station')
    expect(township.ok && township.data.counts.upper).toBeGreaterThanOrEqual(1)
    expect(township.ok && township.data.list.map((c) => c.id)).toContain('wb-9')
  })
})

describe('the workbench opens where the work is', () => {
  it('answers without a tab with the most urgent one that has cases: 已超期 before 待受理', async () => {
    const { body } = await submit(resident, 'urgent-1')
    const c = body.data
    await ok(lcb, 'cases.accept', { caseId: c.id, version: c.version, handling: 'immediate' }, agent)
    await submit(resident, 'urgent-2')
    const before = await ok<{ tab: string }>(lcb, 'work.inbox', {}, agent)
    expect(before.tab).not.toBe('overdue')
    const now = lcb.clock.now()
    lcb.clock.set(now + 3 * 86_400_000) // 即办件 is due the same day: three days on, it is late
    try {
      const r = await ok<{ tab: string; list: { id: string }[]; counts: Record<string, number> }>(
        lcb,
        'work.inbox',
        {},
        agent,
      )
      expect(r.tab).toBe('overdue')
      expect(r.list.map((x) => x.id)).toContain(c.id)
      expect(r.counts.pending).toBeGreaterThan(0)
    } finally {
      lcb.clock.set(now)
    }
  })
})
