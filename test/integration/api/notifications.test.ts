import type { LocalCloudBase } from '../../../local-cloudbase/server'
import type { CaseView } from '../../../typings/api'
import { DEMO_OPENIDS, call, ok, startApi } from '../../helpers/api'
import { aCase, runJobs, setClock } from '../../helpers/builders'

let lcb: LocalCloudBase
const resident = DEMO_OPENIDS.resident1
const agent = DEMO_OPENIDS.villageAgent

const sent = (template?: string) =>
  lcb
    .openApiCalls('subscribeMessage.send', 500)
    .filter((c) => !template || (c.params as { template_id: string }).template_id === template)
const outbox = async (openid: string) =>
  (await ok<{ list: { event: string; status: string }[] }>(lcb, 'notify.mine', {}, openid)).list

const submit = (requestId: string) => aCase(lcb, {}, resident, requestId)

beforeAll(async () => {
  // Monday 2026-11-30, 09:00 Shanghai (office hours).
  lcb = await startApi('2026-11-30T09:00:00+08:00')
}, 30_000)
afterAll(() => lcb.stop())

describe('subscribe messages through the outbox', () => {
  let c: CaseView

  it('sends the assignment notice once to an agent who granted it; reruns send nothing twice', async () => {
    await ok(
      lcb,
      'notify.grant',
      { accepted: ['TPL-CASE-ASSIGNED', 'TPL-DUE', 'TPL-OVERDUE'], longTerm: true },
      agent,
    )
    c = await submit('n-1')
    await runJobs(lcb)
    await runJobs(lcb)
    const assigned = sent('TPL-CASE-ASSIGNED')
    expect(assigned).toHaveLength(1)
    expect(assigned[0]!.params).toMatchObject({
      touser: agent,
      page: expect.stringContaining('work/case/index?id='),
    })
    expect((assigned[0]!.params as { data: { thing1: { value: string } } }).data.thing1.value).toBe(
      '临时救助申请',
    )
    expect((await outbox(agent)).map((m) => [m.event, m.status])).toEqual([['caseAssigned', 'sent']])
  })

  it('records a missing grant instead of calling WeChat, and never blocks the case', async () => {
    const accepted = await ok<CaseView>(
      lcb,
      'cases.accept',
      { caseId: c.id, version: c.version, handling: 'supplement', missingMaterials: ['收入证明'] },
      agent,
    )
    expect(accepted.state).toBe('awaiting_supplement')
    const before = sent().length
    await runJobs(lcb)
    expect(sent().length).toBe(before)
    expect(await outbox(resident)).toEqual([
      expect.objectContaining({ event: 'supplementNeeded', status: 'skipped_no_grant' }),
    ])
  })

  it('reminds the agent at the right working moments only, each once', async () => {
    await ok(lcb, 'notify.grant', { accepted: ['TPL-COMPLETED'] }, resident)
    const resumed = await ok<CaseView>(lcb, 'cases.supplement', { caseId: c.id, note: '补交了' }, resident)
    // Supplied Monday 30 Nov 09:00 → 5 working days from Tuesday → due Monday 7 Dec 17:30.
    expect(resumed.dueDay).toBe('2026-12-07')
    await setClock(lcb, '2026-12-04T20:00:00+08:00') // Friday evening: outside office hours
    await runJobs(lcb)
    expect(sent('TPL-DUE')).toHaveLength(0)
    await setClock(lcb, '2026-12-05T10:00:00+08:00') // Saturday: not a working day
    await runJobs(lcb)
    expect(sent('TPL-DUE')).toHaveLength(0)
    await setClock(lcb, '2026-12-04T10:00:00+08:00') // Friday 10:00: one working day before → due soon
    await runJobs(lcb)
    await runJobs(lcb)
    expect(sent('TPL-DUE')).toHaveLength(1)
    await setClock(lcb, '2026-12-07T09:30:00+08:00') // due today
    await runJobs(lcb)
    expect(sent('TPL-DUE')).toHaveLength(2)
    await setClock(lcb, '2026-12-08T09:00:00+08:00') // first working day overdue → 催办
    await runJobs(lcb)
    await runJobs(lcb)
    expect(sent('TPL-OVERDUE')).toHaveLength(1)
    expect(await outbox(agent)).toEqual(
      expect.arrayContaining([expect.objectContaining({ event: 'overdue', status: 'sent' })]),
    )
  })

  it('retries a transient failure with backoff, then sends', async () => {
    await fetch(`${lcb.gatewayUrl}/openapi/faults`, {
      method: 'POST',
      body: JSON.stringify({
        api: 'subscribeMessage.send',
        errcode: -1,
        errmsg: 'system error',
        remaining: 1,
      }),
    })
    const v = (await ok<CaseView>(lcb, 'cases.get', { caseId: c.id }, agent)).version
    await ok(lcb, 'cases.complete', { caseId: c.id, version: v, result: '已发放救助金' }, agent)
    await runJobs(lcb)
    expect((await outbox(resident)).find((m) => m.event === 'caseCompleted')).toMatchObject({
      status: 'pending',
    })
    await fetch(`${lcb.gatewayUrl}/clock`, {
      method: 'POST',
      body: JSON.stringify({ advanceMs: 2 * 60_000 }),
    })
    await runJobs(lcb)
    expect((await outbox(resident)).find((m) => m.event === 'caseCompleted')).toMatchObject({
      status: 'sent',
    })
  })

  it('closes the rating window after 7 days with a default 基本满意', async () => {
    const v = (await ok<CaseView>(lcb, 'cases.get', { caseId: c.id }, agent)).version
    await ok(lcb, 'cases.deliver', { caseId: c.id, version: v }, agent)
    await setClock(lcb, '2026-12-14T10:00:00+08:00')
    await runJobs(lcb)
    expect((await ok<CaseView>(lcb, 'cases.get', { caseId: c.id }, resident)).state).toBe('delivered')
    await setClock(lcb, '2026-12-16T10:00:00+08:00')
    await runJobs(lcb)
    const rated = await ok<CaseView>(lcb, 'cases.get', { caseId: c.id }, resident)
    expect(rated).toMatchObject({ state: 'rated', rating: { label: '基本满意', isDefault: true } })
    // Its timeline says why, once, even after another run.
    await runJobs(lcb)
    const again = await ok<CaseView>(lcb, 'cases.get', { caseId: c.id }, resident)
    expect(again.timeline!.filter((e) => e.note.includes('默认基本满意'))).toHaveLength(1)
    expect(again.version).toBe(rated.version)
    expect(await call(lcb, 'cases.rate', { caseId: c.id, level: 'satisfied' }, resident)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_STATE' },
    })
  })
})

describe('督查: overdue list and 督办', () => {
  it('lists overdue cases by station with working days overdue; 督办 goes on the timeline with a new date', async () => {
    await setClock(lcb, '2026-11-30T09:00:00+08:00')
    const c2 = await submit('n-overdue')
    const accepted = await ok<CaseView>(
      lcb,
      'cases.accept',
      { caseId: c2.id, version: c2.version, handling: 'immediate' },
      agent,
    )
    expect(accepted.dueDay).toBe('2026-11-30')
    // Thursday 3 Dec: due Monday, overdue by Tue, Wed, Thu = 3 working days.
    await setClock(lcb, '2026-12-03T10:00:00+08:00')
    expect(await call(lcb, 'supervise.overdue', {}, DEMO_OPENIDS.villageHead)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    const list = await ok<{
      total: number
      stations: { stationId: string; count: number }[]
      cases: { caseId: string; workingDaysOverdue: number }[]
    }>(lcb, 'supervise.overdue', {}, DEMO_OPENIDS.supervisor)
    expect(list.cases.find((x) => x.caseId === c2.id)).toMatchObject({ workingDaysOverdue: 3 })
    expect(list.stations[0]).toMatchObject({ stationId: 'st-qingshan-hongyan' })
    const urged = await ok<{ dueDay: string }>(
      lcb,
      'supervise.urge',
      { caseId: c2.id, version: accepted.version, note: '请本周内办结并回告', newDueDay: '2026-12-05' },
      DEMO_OPENIDS.supervisor,
    )
    // 5 Dec is a Saturday: the approved date moves to the next working day.
    expect(urged.dueDay).toBe('2026-12-07')
    const timeline = (await ok<CaseView>(lcb, 'cases.get', { caseId: c2.id }, DEMO_OPENIDS.supervisor))
      .timeline!
    expect(timeline.at(-1)).toMatchObject({ what: '督办', note: '请本周内办结并回告（批准延至 2026-12-07）' })
  })
})

describe('daily jobs, concurrency and template settings', () => {
  it('sends each head one digest a day and warns admins about the calendar, even with overlapping runs', async () => {
    await ok(lcb, 'notify.grant', { accepted: ['TPL-DIGEST'], longTerm: true }, DEMO_OPENIDS.villageHead)
    await ok(lcb, 'notify.grant', { accepted: ['TPL-CALENDAR'], longTerm: true }, DEMO_OPENIDS.admin)
    // A new working week (Monday 2026-12-21): a case waits at 红岩村, 2027 is not entered yet.
    // (The calendar warning is weekly; earlier runs this week found no grant and recorded that.)
    await lcb.scheduler.idle()
    const before = { digest: sent('TPL-DIGEST').length, calendar: sent('TPL-CALENDAR').length }
    // Moving the clock also fires the timer (catch-up); then three overlapping runs and one more.
    await setClock(lcb, '2026-12-21T08:40:00+08:00')
    await submit('n-digest')
    await Promise.all([runJobs(lcb), runJobs(lcb), runJobs(lcb)])
    await runJobs(lcb)
    await lcb.scheduler.idle()
    expect(sent('TPL-DIGEST').length - before.digest).toBe(1)
    expect(sent('TPL-CALENDAR').length - before.calendar).toBe(1)
    const digest = sent('TPL-DIGEST').at(-1)!.params as {
      touser: string
      data: {
        thing1: { value: string }
        number2: { value: string }
        number3: { value: string }
        number5: { value: string }
      }
    }
    expect(digest.touser).toBe(DEMO_OPENIDS.villageHead)
    expect(digest.data.thing1.value).toContain('红岩')
    expect(Number(digest.data.number2.value) + Number(digest.data.number3.value)).toBeGreaterThanOrEqual(1)
    expect(digest.data.number5.value).toBe('0') // open 整改 tasks with the head
    // Overlapping runs never send one message twice: every call to WeChat is one recorded
    // attempt of one outbox message.
    const attempts = [...lcb.store.find('outbox', {})].reduce((n, m) => n + Number(m.doc.attempts), 0)
    expect(lcb.openApiCalls('subscribeMessage.send', 1000)).toHaveLength(attempts)
  })

  it('lets admins map templates, with Chinese errors for bad fields', async () => {
    const bad = await call(
      lcb,
      'admin.templates.save',
      { event: 'caseAssigned', templateId: 'X', page: 'work/case/index', fields: { foo: 'itemName' } },
      DEMO_OPENIDS.admin,
    )
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
    expect(
      await call(
        lcb,
        'admin.templates.save',
        { event: 'caseAssigned', templateId: 'X', page: 'p', fields: { thing1: 'itemName' } },
        agent,
      ),
    ).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    expect(
      await ok(
        lcb,
        'admin.templates.save',
        {
          event: 'caseAssigned',
          templateId: 'TPL-NEW',
          page: 'work/case/index',
          fields: { thing1: 'itemName', time2: 'now' },
        },
        DEMO_OPENIDS.admin,
      ),
    ).toEqual({ event: 'caseAssigned' })
    const thresholds = await call(
      lcb,
      'admin.reminders.save',
      { dueSoonDays: 2, superviseAfterDays: 3, reportAfterDays: 3 },
      DEMO_OPENIDS.admin,
    )
    expect(thresholds).toMatchObject({ ok: false, error: { fields: { reportAfterDays: '通报应晚于督办' } } })
    expect(
      await ok(
        lcb,
        'admin.reminders.save',
        { dueSoonDays: 2, superviseAfterDays: 2, reportAfterDays: 4 },
        DEMO_OPENIDS.admin,
      ),
    ).toEqual({
      dueSoonDays: 2,
      superviseAfterDays: 2,
      reportAfterDays: 4,
      ratingWindowDays: 7,
      rectifyDays: 5,
    })
    const rating = { dueSoonDays: 2, superviseAfterDays: 2, reportAfterDays: 4 }
    expect(
      await call(lcb, 'admin.reminders.save', { ...rating, ratingWindowDays: 40 }, DEMO_OPENIDS.admin),
    ).toMatchObject({ ok: false, error: { fields: { ratingWindowDays: '评价期限最多 30 天' } } })
    await ok(lcb, 'admin.reminders.save', { ...rating, ratingWindowDays: 10 }, DEMO_OPENIDS.admin)
    // Leaving the rating window out keeps the saved one.
    expect(await ok(lcb, 'admin.reminders.save', rating, DEMO_OPENIDS.admin)).toMatchObject({
      ratingWindowDays: 10,
    })
  })
})
