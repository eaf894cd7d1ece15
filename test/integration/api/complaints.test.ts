import type { LocalCloudBase } from '../../../local-cloudbase/server'
import type { CaseView, ComplaintView } from '../../../typings/api'
import { DEMO_OPENIDS, call, ok, startApi } from '../../helpers/api'
import { nodeSdk } from '../../helpers/local-cloudbase'

let lcb: LocalCloudBase
const { resident1, resident2, villageAgent, villageHead, supervisor, admin } = DEMO_OPENIDS
const station = 'st-qingshan-hongyan'
const who = { name: '王秀英', phone: '13912345678' }

beforeAll(async () => {
  lcb = await startApi('2026-12-01T10:00:00+08:00')
}, 30_000)
afterAll(() => lcb.stop())

describe('监督投诉', () => {
  let filed: ComplaintView

  it('a resident complains about their case; a retried tap files once; supervisors are told', async () => {
    const c = await ok<CaseView>(
      lcb,
      'cases.submit',
      {
        itemId: 'it-ZZWW-001',
        stationId: station,
        description: '邻里纠纷',
        applicantName: '王秀英',
        applicantPhone: '13912345678',
      },
      resident1,
      'cp-case',
    )
    const payload = { caseId: c.id, ...who, text: '代理员三天没有联系我' }
    filed = await ok<ComplaintView>(lcb, 'complaints.submit', payload, resident1, 'cp-1')
    const again = await ok<ComplaintView>(lcb, 'complaints.submit', payload, resident1, 'cp-1')
    expect(again.id).toBe(filed.id)
    expect(filed).toMatchObject({
      stationId: station,
      stationName: '红岩村为民服务室',
      status: 'open',
      statusLabel: '待处理',
    })
    expect((await ok<{ list: unknown[] }>(lcb, 'complaints.mine', {}, resident1)).list).toHaveLength(1)
    const box = await ok<{ list: { event: string }[] }>(lcb, 'notify.mine', {}, supervisor)
    expect(box.list.filter((m) => m.event === 'complaintFiled')).toHaveLength(1)
  })

  it('refuses someone else’s case, an empty text and risky text, writing nothing', async () => {
    const mine = (await ok<{ list: ComplaintView[] }>(lcb, 'complaints.mine', {}, resident1)).list[0]!
    expect(
      await call(
        lcb,
        'complaints.submit',
        { caseId: mine.caseId, ...who, text: '冒名投诉' },
        resident2,
        'cp-2',
      ),
    ).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    expect(
      await call(lcb, 'complaints.submit', { stationId: station, ...who, text: ' ' }, resident2, 'cp-3'),
    ).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', fields: { text: '请填写投诉内容' } },
    })
    const risky = await call(
      lcb,
      'complaints.submit',
      { stationId: station, ...who, text: '有人代开发票' },
      resident2,
      'cp-4',
    )
    expect(risky).toMatchObject({ ok: false, error: { code: 'CONTENT_RISKY' } })
    expect((await ok<{ list: unknown[] }>(lcb, 'complaints.mine', {}, resident2)).list).toEqual([])
  })

  it('is hidden from the station complained about, even its head; supervisors list and answer once', async () => {
    for (const who of [villageAgent, villageHead, resident1]) {
      expect(await call(lcb, 'complaints.list', {}, who)).toMatchObject({
        ok: false,
        error: { code: 'FORBIDDEN' },
      })
    }
    const open = await ok<{ list: ComplaintView[]; open: number }>(
      lcb,
      'complaints.list',
      { status: 'open' },
      supervisor,
    )
    expect(open.list.find((c) => c.id === filed.id)).toMatchObject({
      name: '王秀英',
      maskedPhone: '139****5678',
    })
    const replied = await ok<ComplaintView>(
      lcb,
      'complaints.reply',
      { id: filed.id, reply: '已责成红岩村服务室当日联系，并纳入月度考核' },
      supervisor,
    )
    expect(replied).toMatchObject({ status: 'replied', statusLabel: '已答复' })
    expect(await call(lcb, 'complaints.reply', { id: filed.id, reply: '再答复' }, supervisor)).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT', message: '该投诉已答复' },
    })
    expect(await call(lcb, 'complaints.reply', { id: filed.id, reply: 'x' }, admin)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    const mine = await ok<{ list: ComplaintView[] }>(lcb, 'complaints.mine', {}, resident1)
    expect(mine.list[0]).toMatchObject({ reply: '已责成红岩村服务室当日联系，并纳入月度考核' })
    expect(mine.list[0]!.name).toBeUndefined() // residents do not get the staff view
    const box = await ok<{ list: { event: string }[] }>(lcb, 'notify.mine', {}, resident1)
    expect(box.list.map((m) => m.event)).toContain('complaintReplied')
  })

  it('needs a request id (so a retry is recognised), and logs a supervisor reading the phone', async () => {
    expect(
      await call(lcb, 'complaints.submit', { stationId: station, ...who, text: '没有编号' }, resident2),
    ).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', fields: { requestId: '缺少请求编号' } },
    })
    expect(await ok(lcb, 'complaints.contact', { id: filed.id }, supervisor)).toEqual({
      phone: '13912345678',
    })
    expect(await call(lcb, 'complaints.contact', { id: filed.id }, villageHead)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    const logs = await nodeSdk(lcb)
      .database()
      .collection('access_logs')
      .where({ what: `complaint:${filed.id}:phone` })
      .get()
    expect(logs.data).toHaveLength(1)
  })

  it('limits flooding to 5 complaints a day per resident', async () => {
    const results = []
    for (let i = 0; i < 6; i++)
      results.push(
        await call(
          lcb,
          'complaints.submit',
          { stationId: station, ...who, text: `第 ${i} 次` },
          'o-flood',
          `fl-${i}`,
        ),
      )
    expect(results.filter((r) => r.ok)).toHaveLength(5)
    expect(results.at(-1)).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } })
  })

  it('holds the 5-a-day limit when 20 complaints arrive at once; the next day has 5 again', async () => {
    const openid = 'o-flood-race'
    const fire = (prefix: string) =>
      Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          call(
            lcb,
            'complaints.submit',
            { stationId: station, ...who, text: `同时 ${i}` },
            openid,
            `${prefix}-${i}`,
          ),
        ),
      )
    const results = await fire('race')
    expect(results.filter((r) => r.ok)).toHaveLength(5)
    expect(results.filter((r) => !r.ok && r.error.code === 'RATE_LIMITED')).toHaveLength(15)
    const db = nodeSdk(lcb).database()
    expect((await db.collection('complaints').where({ openid }).count()).total).toBe(5)
    // A retried tap of a filed request is answered, not refused, even with the day used up.
    const filedRequest = results.findIndex((r) => r.ok)
    expect(
      await call(
        lcb,
        'complaints.submit',
        { stationId: station, ...who, text: `同时 ${filedRequest}` },
        openid,
        `race-${filedRequest}`,
      ),
    ).toMatchObject({ ok: true })
    const clock = await (await fetch(`${lcb.gatewayUrl}/clock`)).json()
    await fetch(`${lcb.gatewayUrl}/clock`, {
      method: 'POST',
      body: JSON.stringify({ advanceMs: 86_400_000 }),
    })
    try {
      expect((await fire('next')).filter((r) => r.ok)).toHaveLength(5)
    } finally {
      await fetch(`${lcb.gatewayUrl}/clock`, { method: 'POST', body: JSON.stringify({ set: clock.now }) })
    }
  }, 60_000)
})
