import type { LocalCloudBase } from '../../../local-cloudbase/server'
import type { CaseView } from '../../../typings/api'
import { DEMO_OPENIDS, call, ok, startApi } from '../../helpers/api'
import { nodeSdk } from '../../helpers/local-cloudbase'
import { setClock as moveClock } from '../../helpers/builders'

let lcb: LocalCloudBase
const resident = DEMO_OPENIDS.resident1
const agent = DEMO_OPENIDS.villageAgent // ag-qs-hy-2, paired with resident 1
const villageHead = DEMO_OPENIDS.villageHead
const townshipHead = DEMO_OPENIDS.townshipHead // head of 青山镇, the parent station

const setClock = (iso: string) => moveClock(lcb, iso)

async function newCase(itemId: string, requestId: string): Promise<CaseView> {
  const payload = {
    itemId,
    stationId: 'st-qingshan-hongyan',
    description: '请帮忙办理',
    applicantName: '王秀英',
    applicantPhone: '13912345678',
  }
  const r = await call<CaseView>(lcb, 'cases.submit', payload, resident, requestId)
  expect(r.ok).toBe(true)
  return (r as { data: CaseView }).data
}

beforeAll(async () => {
  lcb = await startApi('2026-12-01T09:00:00+08:00')
}, 30_000)
afterAll(() => lcb.stop())

describe('补办件: materials missing, listed once, clock restarts', () => {
  it('stops the clock while waiting and restarts the full period after the materials arrive', async () => {
    const c = await newCase('it-MZ-003', 'flow-supp') // 临时救助申请, 5 working days
    expect(
      await call(lcb, 'cases.accept', { caseId: c.id, version: c.version, handling: 'supplement' }, agent),
    ).toMatchObject({
      ok: false,
      error: { fields: { missingMaterials: '补办件须一次性列明所缺材料' } },
    })
    const waiting = await ok<CaseView>(
      lcb,
      'cases.accept',
      {
        caseId: c.id,
        version: c.version,
        handling: 'supplement',
        missingMaterials: ['银行卡复印件', '收入证明'],
      },
      agent,
    )
    expect(waiting).toMatchObject({ state: 'awaiting_supplement', stateLabel: '待补正', dueAt: null })
    expect(
      await call(
        lcb,
        'cases.requestSupplement',
        { caseId: c.id, version: waiting.version, materials: ['又一项'] },
        agent,
      ),
    ).toMatchObject({
      ok: false,
      error: { code: 'INVALID_STATE' },
    })
    // Friday 2026-12-04 18:30: counting restarts from Monday 7 Dec; 5 working days → Fri 11 Dec.
    await setClock('2026-12-04T18:30:00+08:00')
    const resumed = await ok<CaseView>(
      lcb,
      'cases.supplement',
      { caseId: c.id, note: '已补交银行卡复印件和收入证明' },
      resident,
    )
    expect(resumed).toMatchObject({ state: 'accepted', dueDay: '2026-12-11' })
    await setClock('2026-12-01T09:00:00+08:00')
  })
})

describe('上报件: the village room forwards upward and still delivers', () => {
  it('escalates to the township, which accepts and completes; the village agent delivers', async () => {
    const c = await newCase('it-MZ-001', 'flow-esc') // 最低生活保障申请, decided at township
    const escalated = await ok<CaseView>(
      lcb,
      'cases.accept',
      { caseId: c.id, version: c.version, handling: 'escalated' },
      agent,
    )
    expect(escalated.state).toBe('escalated')
    // The owning agent cannot finish it; the township can see and work on it.
    expect(
      await call(
        lcb,
        'cases.completeUpper',
        { caseId: c.id, version: escalated.version, result: 'x' },
        agent,
      ),
    ).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    expect(
      await call(lcb, 'cases.complete', { caseId: c.id, version: escalated.version, result: 'x' }, agent),
    ).toMatchObject({
      ok: false,
      error: { code: 'INVALID_STATE' },
    })
    const upperInbox = await ok<{ counts: Record<string, number>; list: CaseView[] }>(
      lcb,
      'work.inbox',
      { tab: 'upper', scope: 'station' },
      townshipHead,
    )
    expect(upperInbox.list.map((x) => x.id)).toContain(c.id)
    expect(upperInbox.counts.upper).toBeGreaterThanOrEqual(1)
    const seen = await ok<CaseView>(lcb, 'cases.get', { caseId: c.id }, townshipHead)
    expect(seen.upperStep).toBe('accept')
    // The township takes it up two days later: its own deadline ends after the village's.
    const before = lcb.clock.now()
    lcb.clock.set(before + 2 * 86_400_000)
    const upperAccepted = await ok<CaseView>(
      lcb,
      'cases.acceptUpper',
      { caseId: c.id, version: seen.version },
      townshipHead,
    )
    expect(Date.parse(upperAccepted.dueAt!)).toBeLessThanOrEqual(
      Date.parse((await ok<CaseView>(lcb, 'cases.get', { caseId: c.id }, resident)).dueAt!),
    )
    expect((await ok<CaseView>(lcb, 'cases.get', { caseId: c.id }, townshipHead)).upperStep).toBe('complete')
    // Both deadlines are on the staff's pages; the resident is promised the later of the two.
    const onVillage = await ok<CaseView>(lcb, 'cases.get', { caseId: c.id }, agent)
    const onTownship = await ok<CaseView>(lcb, 'cases.get', { caseId: c.id }, townshipHead)
    const forResident = await ok<CaseView>(lcb, 'cases.get', { caseId: c.id }, resident)
    expect(onTownship.upperDue).toMatchObject({ stationId: 'st-qingshan', completed: false })
    expect(onVillage.upperDue?.dueDay).toBe(onTownship.upperDue!.dueDay)
    expect(onTownship.upperDue!.dueDay > onVillage.dueDay!).toBe(true)
    expect(forResident.dueDay).toBe(onTownship.upperDue!.dueDay)
    expect(forResident.upperDue).toBeNull()
    const done = await ok<CaseView>(
      lcb,
      'cases.completeUpper',
      { caseId: c.id, version: upperAccepted.version, result: '经乡镇审核，符合低保条件' },
      townshipHead,
    )
    expect(done).toMatchObject({ state: 'completed', result: '经乡镇审核，符合低保条件' })
    const delivered = await ok<CaseView>(
      lcb,
      'cases.deliver',
      { caseId: c.id, version: done.version, note: '上门送达批复' },
      agent,
    )
    expect(delivered.state).toBe('delivered')
    const timeline = (await ok<CaseView>(lcb, 'cases.get', { caseId: c.id }, resident)).timeline!.map(
      (e) => e.what,
    )
    expect(timeline).toEqual(['提交申请', '受理', '受理', '上级办结', '反馈结果'])
    lcb.clock.set(before)
  })
})

describe('改派, 延期, 撤回', () => {
  it('only the head reassigns and extends, with reasons; only the applicant withdraws', async () => {
    const c = await newCase('it-MZ-003', 'flow-head')
    expect(
      await call(
        lcb,
        'cases.reassign',
        { caseId: c.id, version: c.version, agentId: 'ag-qs-hy-3', reason: '请假' },
        agent,
      ),
    ).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    const moved = await ok<CaseView>(
      lcb,
      'cases.reassign',
      { caseId: c.id, version: c.version, agentId: 'ag-qs-hy-3', reason: '原代理员下乡' },
      villageHead,
    )
    expect(moved.agent).toMatchObject({ id: 'ag-qs-hy-3' })
    const accepted = await ok<CaseView>(
      lcb,
      'cases.accept',
      { caseId: c.id, version: moved.version, handling: 'promised' },
      villageHead,
    )
    const extended = await ok<CaseView>(
      lcb,
      'cases.extend',
      { caseId: c.id, version: accepted.version, days: 3, reason: '需等待银行流水' },
      villageHead,
    )
    expect(Date.parse(extended.dueAt!)).toBeGreaterThan(Date.parse(accepted.dueAt!))
    // The resident is told the new date and the reason.
    const { data: notices } = await nodeSdk(lcb)
      .database()
      .collection('outbox')
      .where({ caseId: c.id, event: 'caseExtended' })
      .get()
    expect(notices).toHaveLength(1)
    expect(notices[0]).toMatchObject({
      recipientOpenid: resident,
      data: { date2: { value: extended.dueDay }, thing3: { value: expect.stringContaining('银行流水') } },
    })
    expect(await call(lcb, 'cases.withdraw', { caseId: c.id }, DEMO_OPENIDS.resident2)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    expect(
      await ok<CaseView>(lcb, 'cases.withdraw', { caseId: c.id, reason: '已自行办理' }, resident),
    ).toMatchObject({ state: 'withdrawn', stateLabel: '已撤回' })
  })
})

describe('联合代理 and the documents', () => {
  it('splits a case into parallel tasks; it completes only when all are done', async () => {
    const c = await newCase('it-MZ-003', 'flow-joint')
    const accepted = await ok<CaseView>(
      lcb,
      'cases.accept',
      { caseId: c.id, version: c.version, handling: 'promised', receivedMaterials: ['户口簿', '火灾证明'] },
      agent,
    )
    expect(
      await call(
        lcb,
        'cases.addTasks',
        {
          caseId: c.id,
          version: accepted.version,
          tasks: [{ title: '只有一项', department: '民政', days: 3 }],
        },
        agent,
      ),
    ).toMatchObject({
      ok: false,
      error: { fields: { tasks: '联合代理至少两项任务' } },
    })
    const split = await ok<CaseView>(
      lcb,
      'cases.addTasks',
      {
        caseId: c.id,
        version: accepted.version,
        tasks: [
          { title: '核实受灾情况', department: '乡镇应急办', days: 2 },
          { title: '审批救助金', department: '乡镇社会事务办', days: 4 },
        ],
      },
      agent,
    )
    expect(split.tasks.map((t) => [t.department, t.dueDay, t.done])).toEqual([
      ['乡镇应急办', '2026-12-03', false],
      ['乡镇社会事务办', '2026-12-07', false],
    ])
    expect(
      await call(lcb, 'cases.complete', { caseId: c.id, version: split.version, result: '好了' }, agent),
    ).toMatchObject({
      ok: false,
      error: { code: 'INVALID_STATE', message: expect.stringContaining('还有 2 项联合办理任务未完成') },
    })
    const one = await ok<CaseView>(
      lcb,
      'cases.completeTask',
      { caseId: c.id, version: split.version, taskId: 't1', result: '房屋部分损毁属实' },
      agent,
    )
    expect(one.state).toBe('accepted')
    const both = await ok<CaseView>(
      lcb,
      'cases.completeTask',
      { caseId: c.id, version: one.version, taskId: 't2', result: '批准救助金 3000 元' },
      agent,
    )
    expect(both).toMatchObject({
      state: 'completed',
      result: '乡镇应急办：房屋部分损毁属实；乡镇社会事务办：批准救助金 3000 元',
    })

    // 材料接收单 for the resident; 承办卡 only for staff.
    const mine = await ok<CaseView>(lcb, 'cases.get', { caseId: c.id }, resident)
    expect(mine.receipt).toMatchObject({
      caseNo: expect.stringMatching(/^QS-HY-20261201-\d{3}$/),
      receivedMaterials: ['户口簿', '火灾证明'],
      supervisionHotline: '0851-12345678',
      agentPhone: expect.stringMatching(/^\d{3}\*{4}\d{4}$/),
    })
    expect(mine.card).toBeUndefined()
    const staff = await ok<CaseView>(lcb, 'cases.get', { caseId: c.id }, agent)
    expect(staff.card).toMatchObject({ handlingLabel: '承诺件', tasks: [{ done: true }, { done: true }] })
    expect(staff.card!.steps.length).toBeGreaterThan(0)
  })
})
