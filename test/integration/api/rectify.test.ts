import type { LocalCloudBase } from '../../../local-cloudbase/server'
import type { CaseView, RectificationView } from '../../../typings/api'
import { DEMO_OPENIDS, call, ok, startApi } from '../../helpers/api'
import { nodeSdk } from '../../helpers/local-cloudbase'

let lcb: LocalCloudBase
const { resident1, resident2, villageAgent, villageHead, townshipHead, supervisor } = DEMO_OPENIDS
let n = 0

async function deliveredCase(): Promise<CaseView> {
  n += 1
  let c = await ok<CaseView>(
    lcb,
    'cases.submit',
    {
      itemId: 'it-ZZWW-001',
      stationId: 'st-qingshan-hongyan',
      description: '邻里纠纷调解',
      applicantName: '王秀英',
      applicantPhone: '13912345678',
    },
    resident1,
    `rf-${n}`,
  )
  for (const [action, extra] of [
    ['cases.accept', { handling: 'promised' }],
    ['cases.complete', { result: '已调解' }],
    ['cases.deliver', {}],
  ] as const)
    c = await ok<CaseView>(lcb, action, { caseId: c.id, version: c.version, ...extra }, villageAgent)
  return c
}
const step = (caseId: string, s: string, note: string, openid: string = villageHead, outcome?: string) =>
  call<RectificationView>(
    lcb,
    'rectify.step',
    { caseId, step: s, note, ...(outcome ? { outcome } : {}) },
    openid,
  )

beforeAll(async () => {
  lcb = await startApi('2026-12-01T10:00:00+08:00')
}, 30_000)
afterAll(() => lcb.stop())

describe('差评整改 (the 好差评 loop)', () => {
  let bad: CaseView

  it('a 差评 opens a task for the head with the rating, due in 5 working days; a good rating opens none', async () => {
    const good = await deliveredCase()
    await ok(lcb, 'cases.rate', { caseId: good.id, level: 'very_satisfied' }, resident1)
    bad = await deliveredCase()
    await ok(lcb, 'cases.rate', { caseId: bad.id, level: 'dissatisfied', comment: '调解不公正' }, resident1)
    const db = nodeSdk(lcb).database()
    expect((await db.collection('rectifications').count()).total).toBe(1)
    const seen = await ok<CaseView>(lcb, 'cases.get', { caseId: bad.id }, resident1)
    expect(seen.rectification).toMatchObject({
      status: 'open',
      statusLabel: '待核实',
      ratingLabel: '不满意',
      comment: '调解不公正',
      dueDay: '2026-12-08',
      nextStep: null, // the resident does not act until the 回访
    })
    expect((await ok<CaseView>(lcb, 'cases.get', { caseId: good.id }, resident1)).rectification).toBeNull()
  })

  it('only the head of the station acts, step by step in order', async () => {
    expect(await call(lcb, 'rectify.list', {}, villageAgent)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    const list = await ok<{ list: RectificationView[] }>(lcb, 'rectify.list', {}, villageHead)
    expect(list.list).toEqual([
      expect.objectContaining({
        caseId: bad.id,
        nextStep: 'verify',
        nextStepLabel: '核实',
        applicantName: '王秀英',
      }),
    ])
    for (const other of [townshipHead, supervisor])
      expect(await step(bad.id, 'verify', '已核实', other)).toMatchObject({
        ok: false,
        error: { code: 'FORBIDDEN' },
      })
    expect(await step(bad.id, 'fix', '先整改')).toMatchObject({
      ok: false,
      error: { code: 'INVALID_STATE', message: '请先完成「核实」' },
    })
    expect(await step(bad.id, 'verify', '与双方当事人核实，调解书送达延迟')).toMatchObject({
      ok: true,
      data: { statusLabel: '待整改' },
    })
    expect(await step(bad.id, 'fix', '已说明')).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
    expect(
      await call(lcb, 'rectify.rateFix', { caseId: bad.id, level: 'satisfied' }, resident1),
    ).toMatchObject({ ok: false, error: { message: '站长回访后才能评价整改结果' } })
    expect(
      await step(bad.id, 'fix', '向群众解释调解依据，补送调解书', villageHead, 'explained'),
    ).toMatchObject({
      ok: true,
      data: { statusLabel: '待回访' },
    })
    const visited = await step(bad.id, 'visit', '电话回访，群众表示理解')
    expect(visited).toMatchObject({ ok: true, data: { statusLabel: '待群众评价', nextStep: null } })
    const box = await ok<{ list: { event: string }[] }>(lcb, 'notify.mine', {}, resident1)
    expect(box.list.map((m) => m.event)).toContain('rectifyVisited')
  })

  it('the resident rates the fix once; nobody else can', async () => {
    expect(
      await call(lcb, 'rectify.rateFix', { caseId: bad.id, level: 'satisfied' }, resident2),
    ).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    const closed = await ok<RectificationView>(
      lcb,
      'rectify.rateFix',
      { caseId: bad.id, level: 'satisfied' },
      resident1,
    )
    expect(closed).toMatchObject({ status: 'closed', statusLabel: '已办结', fixRatingLabel: '满意' })
    expect(closed.steps.map((s) => s.label)).toEqual(['核实', '已解释说明', '回访'])
    expect(await call(lcb, 'rectify.rateFix', { caseId: bad.id, level: 'basic' }, resident1)).toMatchObject({
      ok: false,
      error: { message: '您已评价过整改结果' },
    })
  })

  it('a task left past its working days is reported to the supervisors once, in office hours', async () => {
    const late = await deliveredCase()
    await ok(lcb, 'cases.rate', { caseId: late.id, level: 'very_dissatisfied' }, resident1)
    const db = nodeSdk(lcb).database()
    const reported = async () =>
      (
        (await db.collection('rectifications').doc(`rf-${late.id}`).get()).data[0] as {
          overdueNotified: boolean
        }
      ).overdueNotified
    const runAt = async (iso: string) => {
      await fetch(`${lcb.gatewayUrl}/clock`, { method: 'POST', body: JSON.stringify({ set: iso }) })
      await fetch(`${lcb.gatewayUrl}/timers/jobs/run`, { method: 'POST' })
    }
    await runAt('2026-12-08T20:00:00+08:00') // past due (12-08 17:30) but after office hours
    expect(await reported()).toBe(false)
    await runAt('2026-12-09T10:00:00+08:00')
    await runAt('2026-12-09T10:10:00+08:00')
    expect(await reported()).toBe(true)
    // The head's daily digest counts the open 整改 task.
    const digest = (await db.collection('outbox').doc('digest:st-qingshan-hongyan:2026-12-09').get())
      .data[0] as {
      data: { number5: { value: string } }
    }
    expect(digest.data.number5.value).toBe('1')
    const box = await ok<{ list: { event: string }[] }>(lcb, 'notify.mine', {}, supervisor)
    expect(box.list.filter((m) => m.event === 'rectifyOverdue')).toHaveLength(1)
    const all = await ok<{ list: RectificationView[] }>(lcb, 'rectify.list', { scope: 'all' }, supervisor)
    expect(all.list.map((r) => [r.caseId, r.overdue])).toEqual(
      expect.arrayContaining([
        [late.id, true],
        [bad.id, false],
      ]),
    )
    // Late but done: after the 回访 the resident has the rating window; unrated, it closes itself.
    for (const [s, note, outcome] of [
      ['verify', '已核实', undefined],
      ['fix', '已整改', 'fixed'],
      ['visit', '已回访', undefined],
    ] as const)
      expect(await step(late.id, s, note, villageHead, outcome)).toMatchObject({ ok: true })
    await runAt('2026-12-17T10:00:00+08:00')
    const seen = await ok<CaseView>(lcb, 'cases.get', { caseId: late.id }, resident1)
    expect(seen.rectification).toMatchObject({ status: 'closed', fixRatingLabel: '逾期未评价' })
  })
})

describe('a changed 整改 period', () => {
  it('re-plans the open tasks from when each was opened', async () => {
    await fetch(`${lcb.gatewayUrl}/clock`, {
      method: 'POST',
      body: JSON.stringify({ set: '2026-12-21T10:00:00+08:00' }), // Monday
    })
    const c = await deliveredCase()
    await ok(lcb, 'cases.rate', { caseId: c.id, level: 'very_dissatisfied', comment: '没人管' }, resident1)
    const due = async () =>
      (await ok<CaseView>(lcb, 'cases.get', { caseId: c.id }, resident1)).rectification?.dueDay
    expect(await due()).toBe('2026-12-28') // 5 working days
    const { reminders } = await ok<{ reminders: Record<string, number> }>(
      lcb,
      'admin.settings.get',
      {},
      DEMO_OPENIDS.admin,
    )
    await ok(lcb, 'admin.reminders.save', { ...reminders, rectifyDays: 2 }, DEMO_OPENIDS.admin)
    await fetch(`${lcb.gatewayUrl}/timers/jobs/run`, { method: 'POST' })
    expect(await due()).toBe('2026-12-23') // 2 working days from Monday
  })
})
