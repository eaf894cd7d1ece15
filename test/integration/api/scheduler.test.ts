/**
 * The deadline and reminder schedule and the outbox at county scale (issue 12), through the
 * real `jobs` function on Local CloudBase. Backlogs are inserted directly with the node SDK,
 * in the shape the `api` function leaves them (see bench/deadlines.ts).
 */
import type { LocalCloudBase } from '../../../local-cloudbase/server'
import type { CaseView } from '../../../typings/api'
import { DEMO_OPENIDS, ok, startApi } from '../../helpers/api'
import { nodeSdk } from '../../helpers/local-cloudbase'
import { CaseRepository } from '../../../server/repositories/cases'
import { connect } from '../../../scripts/deploy/data'

const HONGYAN = 'st-qingshan-hongyan'
const VILLAGE_AGENT = 'ag-qs-hy-2' // bound to DEMO_OPENIDS.villageAgent by the seed
const at = (iso: string) => new Date(iso)

interface Report {
  watched: number
  reminders: number
  sent: number
  skippedNoGrant: number
  waiting: number
  stoppedAtBudget: string[]
}

/** One timer run of `jobs`: its report and the database calls it made. */
async function runJobs(lcb: LocalCloudBase): Promise<{ report: Report; dbCalls: number }> {
  const res = await lcb.invoke(
    'jobs',
    { Type: 'Timer', TriggerName: 'jobs', Time: new Date(lcb.clock.now()).toISOString() },
    { source: 'wx_trigger' },
  )
  if (!res.ok) throw new Error(`jobs failed: ${res.message}`)
  return { report: JSON.parse(res.json) as Report, dbCalls: res.record.dbCalls }
}

async function setClock(lcb: LocalCloudBase, iso: string): Promise<void> {
  lcb.clock.set(Date.parse(iso))
  // Moving the clock fires the timer once (catch-up): let that run finish first.
  await lcb.scheduler.idle()
}

/** An accepted case as `cases.accept` leaves it, with its schedule fields. */
function acceptedCase(id: string, due: string, extra: Record<string, unknown> = {}) {
  const dueAt = at(`${due}T17:30:00+08:00`)
  return {
    _id: id,
    caseNo: `QS-HY-${id}`,
    state: 'accepted',
    version: 2,
    item: {
      id: 'it-MZ-003',
      code: 'MZ-003',
      name: '临时救助申请',
      category: '民政',
      tier: 'township',
      promisedDays: 5,
    },
    stationId: HONGYAN,
    applicant: { openid: null, name: '王某', phone: '13900000000', claimCode: null },
    description: '',
    attachments: [],
    visit: 'station',
    assignedAgentId: VILLAGE_AGENT,
    assignReason: '',
    submittedBy: { openid: 'o-bulk', agentId: null, name: '王某', role: 'resident' },
    requestId: id,
    handling: 'promised',
    receivedMaterials: [],
    acceptedAt: at('2026-11-20T10:00:00+08:00'),
    dueAt,
    dueDay: due,
    residentDueAt: dueAt,
    calendarMissingYears: [],
    completedAt: null,
    result: null,
    onTime: null,
    deliveredAt: null,
    rating: null,
    rejectReason: null,
    supplement: null,
    upper: null,
    extensions: [],
    tasks: [],
    createdAt: at('2026-11-20T09:00:00+08:00'),
    updatedAt: at('2026-11-20T10:00:00+08:00'),
    watchAt: at('2026-11-20T10:00:00+08:00'),
    reminded: [],
    ...extra,
  }
}

async function insert(lcb: LocalCloudBase, coll: string, docs: object[]): Promise<void> {
  const db = nodeSdk(lcb).database()
  for (let i = 0; i < docs.length; i += 500) await db.collection(coll).add(docs.slice(i, i + 500))
}

const outboxDoc = (lcb: LocalCloudBase, id: string) => [...lcb.store.find('outbox', { _id: id })][0]?.doc
const outboxWhere = (lcb: LocalCloudBase, q: Record<string, unknown>) =>
  [...lcb.store.find('outbox', q)].map((r) => r.doc)
const sends = (lcb: LocalCloudBase) => lcb.openApiCalls('subscribeMessage.send', 10_000)

describe('a backlog of overdue cases', () => {
  let lcb: LocalCloudBase
  beforeAll(async () => {
    // Thursday 2026-12-03, office hours.
    lcb = await startApi('2026-12-03T10:05:00+08:00')
    await ok(
      lcb,
      'notify.grant',
      { accepted: ['TPL-DUE', 'TPL-OVERDUE'], longTerm: true },
      DEMO_OPENIDS.villageAgent,
    )
  }, 30_000)
  afterAll(() => lcb.stop())

  it('one run of at most 400 calls takes the whole backlog; the case due tomorrow is reminded; nothing twice', async () => {
    // 1,050 cases due Wednesday, never looked at since acceptance (the timer was down, or a
    // county's first run): each is due its 催办 this morning, the due-soon and due-today passed.
    await insert(
      lcb,
      'cases',
      Array.from({ length: 1050 }, (_, i) => acceptedCase(`late-${i}`, '2026-12-02')),
    )
    // And 400 notices already waiting in the outbox: the sender has its own backlog.
    await insert(
      lcb,
      'outbox',
      Array.from({ length: 400 }, (_, i) => ({
        _id: `waiting-${i}`,
        event: 'caseAssigned',
        recipientOpenid: DEMO_OPENIDS.villageAgent,
        caseId: '',
        templateId: 'TPL-OVERDUE',
        page: 'work/case/index',
        data: { thing1: { value: `waiting-${i}` } },
        status: 'pending',
        attempts: 0,
        notBefore: at('2026-12-03T09:00:00+08:00'),
        lastError: null,
        createdAt: at('2026-12-03T09:00:00+08:00'),
        sentAt: null,
      })),
    )
    // Accepted a minute ago, due tomorrow: behind the whole backlog in the schedule.
    await insert(lcb, 'cases', [
      acceptedCase('tomorrow', '2026-12-04', { watchAt: at('2026-12-03T10:04:00+08:00') }),
    ])
    const calls: number[] = []
    let dueSoon: Record<string, unknown> | undefined
    for (let run = 0; run < 40 && !(dueSoon = outboxDoc(lcb, 'tomorrow:dueSoon:2026-12-04')); run++) {
      const r = await runJobs(lcb)
      calls.push(r.dbCalls)
      expect(r.dbCalls).toBeLessThanOrEqual(400)
      // The sender, last in the run, always gets its share: the reminders never starve it.
      expect(r.report.sent).toBeGreaterThan(0)
    }
    expect(dueSoon).toMatchObject({ event: 'dueSoon', recipientOpenid: DEMO_OPENIDS.villageAgent })
    // Pages of 100 cases: the addressees in bulk, the notices in one insert, the moves grouped by
    // next moment. 1,051 cases and 1,451 sends took one run (they took 14 before batching).
    expect(calls).toHaveLength(1)
    // Every overdue case got exactly its 催办, and nothing of the passed due-soon/due-today.
    expect(outboxWhere(lcb, { event: 'overdue' })).toHaveLength(1050)
    expect(outboxWhere(lcb, { event: 'dueToday' })).toHaveLength(0)
    // Drain the outbox, then run again: nothing is queued or sent twice, and an idle run is cheap.
    for (let run = 0; run < 20 && outboxWhere(lcb, { status: 'pending' }).length; run++) await runJobs(lcb)
    expect(outboxWhere(lcb, { status: 'pending' })).toHaveLength(0)
    const sent = sends(lcb).length
    // Every WeChat call is one message recorded as sent: 1,050 催办, the due-soon, the 400 notices.
    expect(sent).toBe(1451)
    expect(outboxWhere(lcb, { status: 'sent' })).toHaveLength(sent)
    const total = outboxWhere(lcb, {}).length
    const idle = await runJobs(lcb)
    await runJobs(lcb)
    expect(idle.report).toMatchObject({ watched: 0, reminders: 0, sent: 0 })
    // A handful of index reads, one per job, whatever lies behind them.
    expect(idle.dbCalls).toBeLessThanOrEqual(15)
    expect(sends(lcb)).toHaveLength(sent)
    expect(outboxWhere(lcb, {})).toHaveLength(total)
  }, 120_000)

  it('honours dueSoonDays = 2, and saving it applies to open cases, over several runs', async () => {
    // Due Monday: under dueSoonDays = 1 its next moment is Friday 08:30.
    await insert(lcb, 'cases', [
      acceptedCase('monday', '2026-12-07', { watchAt: at('2026-12-04T08:30:00+08:00'), reminded: [] }),
    ])
    // And a county's open cases, due over the next 20 working days, waiting for later moments.
    const days = workingDaysFrom('2026-12-08', 20)
    await insert(
      lcb,
      'cases',
      Array.from({ length: 1500 }, (_, i) =>
        acceptedCase(`open-${i}`, days[i % days.length]!, {
          watchAt: at('2026-12-10T08:30:00+08:00'),
          reminded: [],
        }),
      ),
    )
    await runJobs(lcb)
    expect(outboxDoc(lcb, 'monday:dueSoon:2026-12-07')).toBeUndefined()
    await ok(
      lcb,
      'admin.reminders.save',
      { dueSoonDays: 2, superviseAfterDays: 3, reportAfterDays: 5 },
      DEMO_OPENIDS.admin,
    )
    // Every open case is looked at again, a budget's worth per run, each run where the last stopped.
    const calls: number[] = []
    for (let watched = 1; watched > 0 && calls.length < 20;) {
      const r = await runJobs(lcb)
      calls.push(r.dbCalls)
      watched = r.report.watched
      expect(r.dbCalls).toBeLessThanOrEqual(400)
    }
    expect(outboxDoc(lcb, 'monday:dueSoon:2026-12-07')).toMatchObject({ event: 'dueSoon' })
    // 2,551 cases over 20 due days: more than one run's share, so the next run went on.
    expect(calls.length).toBeGreaterThan(2)
    // Re-planning sent nothing again to the backlog (their 督办 is not before Monday), and no
    // open case due from Tuesday on is due soon yet.
    expect(outboxWhere(lcb, { event: 'overdue' })).toHaveLength(1050)
    expect(outboxWhere(lcb, { event: 'superviseHead' })).toHaveLength(0)
    expect(
      outboxWhere(lcb, { event: 'dueSoon' }).filter((m) => String(m._id).startsWith('open-')),
    ).toHaveLength(0)
  }, 90_000)
})

/** `n` working days from `day` on (Mondays to Fridays; no holidays in these weeks). */
function workingDaysFrom(day: string, n: number): string[] {
  const out: string[] = []
  for (let d = new Date(`${day}T00:00:00Z`); out.length < n; d = new Date(d.getTime() + 86_400_000))
    if (d.getUTCDay() % 6 !== 0) out.push(d.toISOString().slice(0, 10))
  return out
}

describe('上报件 and supervisor notices', () => {
  let lcb: LocalCloudBase
  beforeAll(async () => {
    lcb = await startApi('2026-11-30T09:05:00+08:00') // Monday
  }, 30_000)
  afterAll(() => lcb.stop())

  it('the upper station’s assignee and head hear about their own deadline; 通报 reaches every supervisor', async () => {
    const agent = DEMO_OPENIDS.villageAgent
    const townshipHead = DEMO_OPENIDS.townshipHead
    const c = await ok<CaseView>(
      lcb,
      'cases.submit',
      {
        itemId: 'it-MZ-003',
        stationId: HONGYAN,
        description: '临时救助',
        applicantName: '王秀英',
        applicantPhone: '13912345678',
      },
      DEMO_OPENIDS.resident1,
      'up-1',
    )
    const escalated = await ok<CaseView>(
      lcb,
      'cases.accept',
      { caseId: c.id, version: c.version, handling: 'escalated' },
      agent,
    )
    // The township accepts on Tuesday: its own deadline is Tuesday 8 Dec, the owner's Monday 7 Dec.
    await setClock(lcb, '2026-12-01T09:05:00+08:00')
    await ok(lcb, 'cases.acceptUpper', { caseId: c.id, version: escalated.version }, townshipHead)
    const stored = [...lcb.store.find('cases', { _id: c.id })][0]!.doc as unknown as {
      watchAt: Date
      upper: { agentId: string }
    }
    // The transition put the case in the schedule without the action knowing about it.
    expect(new Date(stored.watchAt).getTime() - Date.parse('2026-12-01T09:05:00+08:00')).toBeLessThan(5_000)
    const upperAgent = [...lcb.store.find('agents', { _id: stored.upper.agentId })][0]!.doc as {
      openid?: string
    }
    // Stored before the schedule existed: a case without watchAt and a message without notBefore.
    const legacy: Record<string, unknown> = acceptedCase('legacy', '2026-12-09')
    delete legacy.watchAt
    delete legacy.reminded
    await insert(lcb, 'cases', [legacy])
    await insert(lcb, 'outbox', [
      {
        _id: 'legacy-message',
        event: 'caseAssigned',
        recipientOpenid: agent,
        caseId: '',
        templateId: 'TPL-CASE-ASSIGNED',
        page: 'work/case/index',
        data: {},
        status: 'pending',
        attempts: 0,
        nextAttemptAt: at('2026-12-01T09:00:00+08:00'),
        lastError: null,
        createdAt: at('2026-12-01T09:00:00+08:00'),
        sentAt: null,
      },
    ])
    // Friday 11 Dec: the owner is 4 working days overdue (督办 at 3), the township 3 (its 督办 too).
    await setClock(lcb, '2026-12-11T09:05:00+08:00')
    await runJobs(lcb)
    expect(outboxDoc(lcb, `${c.id}:upper:dueSoon:2026-12-08`)).toBeUndefined() // passed, not sent late
    expect(outboxDoc(lcb, `${c.id}:upper:overdue:2026-12-08`)).toMatchObject({
      recipientOpenid: upperAgent.openid ?? null,
    })
    expect(outboxDoc(lcb, `${c.id}:upper:superviseHead:2026-12-08`)).toMatchObject({
      recipientOpenid: townshipHead,
      data: expect.objectContaining({ date3: { value: '2026-12-08' } }),
    })
    expect(outboxDoc(lcb, `${c.id}:superviseHead:2026-12-07`)).toMatchObject({
      recipientOpenid: DEMO_OPENIDS.villageHead,
    })
    // The day's first run took them into the schedule and the outbox.
    expect(outboxDoc(lcb, 'legacy:overdue:2026-12-09')).toMatchObject({ recipientOpenid: agent })
    expect(outboxDoc(lcb, 'legacy-message')).toMatchObject({ status: 'skipped_no_grant' })
    // Monday 14 Dec: 5 working days past the owner's date → 通报 to each supervisor, linked or not.
    await setClock(lcb, '2026-12-14T09:05:00+08:00')
    await runJobs(lcb)
    const reported = outboxWhere(lcb, { event: 'reportSupervisor', caseId: c.id })
    expect(reported.map((m) => [m._id, m.recipientOpenid, m.status]).sort()).toEqual([
      [`${c.id}:reportSupervisor:2026-12-07:ag-qh-5`, DEMO_OPENIDS.supervisor, 'skipped_no_grant'],
      [`${c.id}:reportSupervisor:2026-12-07:ag-qh-6`, null, 'skipped_no_recipient'],
    ])
    // A second run the same day adds nothing.
    const before = outboxWhere(lcb, { caseId: c.id }).length
    await runJobs(lcb)
    expect(outboxWhere(lcb, { caseId: c.id })).toHaveLength(before)
  }, 60_000)
})

describe('the outbox', () => {
  let lcb: LocalCloudBase
  const message = (id: string, event: string, openid: string, templateId: string, extra: object = {}) => ({
    _id: id,
    event,
    recipientOpenid: openid,
    caseId: '',
    templateId,
    page: 'pages/case/index',
    data: { thing1: { value: id } },
    status: 'pending',
    attempts: 0,
    notBefore: at('2026-12-03T20:00:00+08:00'),
    lastError: null,
    createdAt: at('2026-12-03T17:00:00+08:00'),
    sentAt: null,
    ...extra,
  })
  beforeAll(async () => {
    lcb = await startApi('2026-12-03T20:05:00+08:00') // Thursday evening, after office hours
    await ok(lcb, 'notify.grant', { accepted: ['TPL-OVERDUE'], longTerm: true }, DEMO_OPENIDS.villageAgent)
    await ok(lcb, 'notify.grant', { accepted: ['TPL-VISIT'], longTerm: true }, DEMO_OPENIDS.resident2)
  }, 30_000)
  afterAll(() => lcb.stop())

  it('office-hours messages left after hours wait for the morning without blocking the others', async () => {
    // 60 reminders queued before 17:30 and not sent in time stand in front of a visit notice.
    await insert(lcb, 'outbox', [
      ...Array.from({ length: 60 }, (_, i) =>
        message(`late-reminder-${i}`, 'overdue', DEMO_OPENIDS.villageAgent, 'TPL-OVERDUE', {
          notBefore: at('2026-12-03T17:00:00+08:00'),
        }),
      ),
      message('visit-notice', 'visitConfirmed', DEMO_OPENIDS.resident2, 'TPL-VISIT'),
    ])
    const first = await runJobs(lcb)
    expect(outboxDoc(lcb, 'visit-notice')).toMatchObject({ status: 'sent' })
    expect(first.report.waiting).toBe(60)
    expect(outboxDoc(lcb, 'late-reminder-0')).toMatchObject({
      status: 'pending',
      notBefore: at('2026-12-04T08:30:00+08:00'),
    })
    // They are out of the way now: an evening run does not read them again.
    expect((await runJobs(lcb)).report.waiting).toBe(0)
    await setClock(lcb, '2026-12-04T08:35:00+08:00')
    await runJobs(lcb)
    expect(outboxWhere(lcb, { event: 'overdue', status: 'sent' })).toHaveLength(60)
  })

  it('takes up a message whose sender died (expired claim), never one still claimed', async () => {
    const now = Date.parse('2026-12-04T08:35:00+08:00')
    await insert(lcb, 'outbox', [
      message('dead-claim', 'visitConfirmed', DEMO_OPENIDS.resident2, 'TPL-VISIT', {
        status: 'sending',
        claimToken: 'run-that-died',
        notBefore: new Date(now - 60_000), // its 5-minute claim ended a minute ago
      }),
      message('live-claim', 'visitConfirmed', DEMO_OPENIDS.resident2, 'TPL-VISIT', {
        status: 'sending',
        claimToken: 'run-still-working',
        notBefore: new Date(now + 4 * 60_000),
      }),
    ])
    await runJobs(lcb)
    expect(outboxDoc(lcb, 'dead-claim')).toMatchObject({ status: 'sent', attempts: 1 })
    expect(outboxDoc(lcb, 'live-claim')).toMatchObject({ status: 'sending', claimToken: 'run-still-working' })
    lcb.clock.advance(5 * 60_000)
    await runJobs(lcb)
    expect(outboxDoc(lcb, 'live-claim')).toMatchObject({ status: 'sent' })
  })

  it('spends a one-time grant on the send: a second message without a new grant never reaches WeChat', async () => {
    const resident = DEMO_OPENIDS.resident1
    await ok(lcb, 'notify.grant', { accepted: ['TPL-COMPLETED'] }, resident)
    await insert(
      lcb,
      'outbox',
      ['done-1', 'done-2', 'done-3'].map((id) =>
        message(id, 'caseCompleted', resident, 'TPL-COMPLETED', {
          notBefore: at('2026-12-04T08:00:00+08:00'),
        }),
      ),
    )
    // Two overlapping runs race for the messages and the single grant.
    await Promise.all([runJobs(lcb), runJobs(lcb)])
    const mine = ['done-1', 'done-2', 'done-3'].map((id) => outboxDoc(lcb, id)!.status)
    expect(mine.filter((s) => s === 'sent')).toHaveLength(1)
    expect(mine.filter((s) => s === 'skipped_no_grant')).toHaveLength(2)
    const toResident = sends(lcb).filter((c) => (c.params as { touser: string }).touser === resident)
    expect(toResident).toHaveLength(1)
    expect([...lcb.store.find('grants', { _id: `${resident}:TPL-COMPLETED` })][0]!.doc).toMatchObject({
      oneTime: 0,
    })
  })
})

describe('the default rating of a page of cases', () => {
  let lcb: LocalCloudBase
  beforeAll(async () => {
    lcb = await startApi('2026-12-10T10:00:00+08:00')
  }, 30_000)
  afterAll(() => lcb.stop())

  it('rates only cases still unrated as read; the one the resident rated meanwhile keeps its rating and gets no event', async () => {
    // The repository over wx-server-sdk, as in the functions (the deploy's data side does the same).
    const { db: wxDb } = connect({
      env: lcb.envId,
      secretId: 'local-id',
      secretKey: 'local-key',
      tcbUrl: lcb.tcbApiUrl,
    })
    const repo = new CaseRepository(wxDb)
    const db = nodeSdk(lcb).database()
    const delivered = (id: string) =>
      acceptedCase(id, '2026-12-01', { state: 'delivered', deliveredAt: at('2026-12-02T10:00:00+08:00') })
    await insert(lcb, 'cases', [delivered('quiet'), delivered('rated-meanwhile')])
    // What the timer read: both delivered and unrated at version 2.
    const read = [(await repo.get('quiet'))!, (await repo.get('rated-meanwhile'))!]
    // The resident rates one of them between the read and the write.
    await db
      .collection('cases')
      .doc('rated-meanwhile')
      .update({ state: 'rated', version: 3, rating: { level: 'satisfied', isDefault: false } })
    const now = at('2026-12-10T10:00:00+08:00')
    const rating = { level: 'basic' as const, tags: [], comment: '', isDefault: true, at: now }
    expect(await repo.autoRateMany(read, now, rating, 'rated', '默认基本满意')).toEqual(['quiet'])
    expect((await repo.get('quiet'))!).toMatchObject({
      state: 'rated',
      version: 3,
      rating: { isDefault: true },
    })
    expect((await repo.get('rated-meanwhile'))!.rating).toMatchObject({
      level: 'satisfied',
      isDefault: false,
    })
    const events = async () =>
      (await db.collection('case_events').where({ action: 'autoRate' }).get()).data.map((e) => e._id)
    expect(await events()).toEqual(['quiet:autoRate'])
    // An overlapping run that read the same page a minute later rates nothing and adds nothing,
    // and leaves the first run's event alone.
    const later = at('2026-12-10T10:01:00+08:00')
    expect(await repo.autoRateMany(read, later, { ...rating, at: later }, 'rated', '默认基本满意')).toEqual(
      [],
    )
    expect(await events()).toEqual(['quiet:autoRate'])
  })
})
