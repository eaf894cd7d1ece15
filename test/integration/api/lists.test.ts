/**
 * Lists that outgrow one page (issue 12): each is read through the real `api` function page by
 * page with the cursor it returns, over more rows than one query returns (100) — the overdue list
 * over more than the 1,000 a query can ever return — and must reach every row exactly once, in
 * order, with a total that counts them all. Volume is inserted with node-sdk directly.
 */
import type { LocalCloudBase } from '../../../local-cloudbase/server'
import type { Actions, BookingView, ComplaintView, DeskDay, RectificationView } from '../../../typings/api'
import { DEMO_OPENIDS, call, ok, startApi } from '../../helpers/api'
import { nodeSdk } from '../../helpers/local-cloudbase'

let lcb: LocalCloudBase
const { villageHead, villageAgent, supervisor } = DEMO_OPENIDS
const station = 'st-qingshan-hongyan'
const NOW = Date.parse('2026-12-01T10:00:00+08:00')

beforeAll(async () => {
  lcb = await startApi('2026-12-01T10:00:00+08:00')
}, 30_000)
afterAll(() => lcb.stop())

/** Inserts documents 100 at a time (node-sdk accepts an array). */
async function insertMany(coll: string, docs: object[]): Promise<void> {
  const db = nodeSdk(lcb).database()
  for (let i = 0; i < docs.length; i += 100) {
    await Promise.all(docs.slice(i, i + 100).map((d) => db.collection(coll).add(d)))
  }
}

/** Follows `nextCursor` from the first page to the last; returns every page's answer. */
async function walk<T extends { nextCursor: string | null }>(
  action: string,
  payload: object,
  openid: string,
  cursorField = 'cursor',
  next: (r: T) => string | null = (r) => r.nextCursor,
): Promise<T[]> {
  const pages: T[] = []
  let cursor: string | null = null
  do {
    const r: T = await ok<T>(lcb, action, cursor ? { ...payload, [cursorField]: cursor } : payload, openid)
    pages.push(r)
    cursor = next(r)
    if (pages.length > 200) throw new Error('paging does not end')
  } while (cursor)
  return pages
}

const pad = (n: number) => String(n).padStart(4, '0')
/** Ten rows share each moment, so the order rests on the `_id` tie-break as well. */
const moment = (i: number, stepMs: number) => new Date(NOW - 86_400_000 + Math.floor(i / 10) * stepMs)

describe('complaints.list and complaints.mine', () => {
  const N = 135
  beforeAll(async () => {
    await insertMany(
      'complaints',
      Array.from({ length: N }, (_, i) => ({
        _id: `cp-bulk-${pad(i)}`,
        openid: i % 3 === 0 ? 'o-complainer' : `o-c-${i}`,
        name: '王秀英',
        phone: '13912345678',
        stationId: station,
        caseId: null,
        caseNo: null,
        text: `投诉 ${i}`,
        status: i % 5 === 0 ? 'replied' : 'open',
        reply: i % 5 === 0 ? '已处理' : null,
        repliedBy: null,
        repliedAt: null,
        createdAt: moment(i, 60_000),
      })),
    )
  })

  it('pages every complaint newest first with an honest total; each status has its own total', async () => {
    type Out = Actions['complaints.list']['out']
    const pages = await walk<Out>('complaints.list', {}, supervisor)
    expect(pages.length).toBeGreaterThan(1)
    const all = pages.flatMap((p) => p.list)
    expect(pages.every((p) => p.total === N)).toBe(true)
    expect(all).toHaveLength(N)
    expect(new Set(all.map((c) => c.id)).size).toBe(N)
    const times = all.map((c) => c.createdAt)
    expect([...times].sort().reverse()).toEqual(times)
    expect(all[0]).toMatchObject({ stationName: '红岩村为民服务室', maskedPhone: '139****5678' })
    const open = await walk<Out>('complaints.list', { status: 'open', pageSize: 40 }, supervisor)
    const openIds = open.flatMap((p) => p.list.map((c) => c.id))
    expect(openIds).toHaveLength(N - Math.ceil(N / 5))
    expect(open[0]!.total).toBe(openIds.length)
    expect(open[0]!.open).toBe(openIds.length)
  })

  it('pages a resident’s own complaints', async () => {
    const pages = await walk<Actions['complaints.mine']['out']>(
      'complaints.mine',
      { pageSize: 10 },
      'o-complainer',
    )
    const mine = pages.flatMap((p) => p.list as ComplaintView[])
    expect(mine).toHaveLength(Math.ceil(N / 3))
    expect(pages[0]!.total).toBe(mine.length)
    expect(mine.every((c) => c.name === undefined)).toBe(true)
  })

  it('refuses a cursor it did not issue with a clear message', async () => {
    for (const cursor of ['not-a-cursor', Buffer.from('[1,2,3]').toString('base64url')])
      expect(await call(lcb, 'complaints.list', { cursor }, supervisor)).toMatchObject({
        ok: false,
        error: { code: 'INVALID_INPUT', message: '翻页参数不正确，请下拉刷新后重试' },
      })
  })
})

describe('rectify.list', () => {
  const N = 125
  beforeAll(async () => {
    await insertMany(
      'rectifications',
      Array.from({ length: N }, (_, i) => ({
        _id: `rf-bulk-${pad(i)}`,
        caseId: `bulk-${pad(i)}`,
        caseNo: null,
        itemName: '低保申请',
        stationId: i % 25 === 0 ? 'st-qingshan-shimen' : station,
        applicantOpenid: null,
        applicantName: '李四',
        level: 'dissatisfied',
        comment: '',
        status: i % 10 === 0 ? 'closed' : 'open',
        openedAt: new Date(NOW - 7 * 86_400_000),
        dueAt: moment(i, 3_600_000),
        dueDay: '2026-12-01',
        steps: [],
        fixRating: null,
        overdueNotified: false,
        calendarMissingYears: [],
      })),
    )
  })

  it('pages the head’s open tasks, due first; supervisors page every station’s, all statuses', async () => {
    const mine = await walk<Actions['rectify.list']['out']>('rectify.list', {}, villageHead)
    const list = mine.flatMap((p) => p.list as RectificationView[])
    const expected = Array.from({ length: N }, (_, i) => i).filter((i) => i % 25 !== 0 && i % 10 !== 0)
    expect(list.map((r) => r.caseId)).toEqual(expected.map((i) => `bulk-${pad(i)}`))
    expect(mine[0]!.total).toBe(expected.length)
    const all = await walk<Actions['rectify.list']['out']>('rectify.list', { scope: 'all' }, supervisor)
    expect(all.flatMap((p) => p.list)).toHaveLength(N)
    expect(all[0]!.total).toBe(N)
  })
})

describe('supervise.overdue', () => {
  const N = 1_050
  beforeAll(async () => {
    const stations = [station, 'st-qingshan-shimen', 'st-baiyun']
    await insertMany(
      'cases',
      Array.from({ length: N }, (_, i) => {
        const dueAt = moment(i, -3_600_000 * 3)
        return {
          _id: `case-overdue-${pad(i)}`,
          caseNo: `QS-${pad(i)}`,
          version: 1,
          state: i % 2 ? 'accepted' : 'escalated',
          stationId: stations[i % 3],
          item: { id: 'it-MZ-003', name: '低保申请' },
          applicant: { openid: `o-overdue-${i}`, name: '张三', phone: '13900000000' },
          dueAt,
          dueDay: '2026-11-30',
          createdAt: new Date(NOW - 30 * 86_400_000),
        }
      }),
    )
    // Running but not yet due, and done: neither is on the list.
    await insertMany('cases', [
      { _id: 'case-not-due', state: 'accepted', stationId: station, dueAt: new Date(NOW + 3_600_000) },
      { _id: 'case-done', state: 'completed', stationId: station, dueAt: new Date(NOW - 86_400_000) },
    ])
  }, 60_000)

  it('reaches all of more than 1,000 overdue cases, most overdue first; the station figures cover them all', async () => {
    type Out = Actions['supervise.overdue']['out']
    const pages = await walk<Out>('supervise.overdue', { pageSize: 100 }, supervisor)
    const cases = pages.flatMap((p) => p.cases)
    expect(pages[0]!.total).toBe(N)
    expect(cases).toHaveLength(N)
    expect(new Set(cases.map((c) => c.caseId)).size).toBe(N)
    expect(cases.map((c) => c.caseId)).not.toContain('case-not-due')
    const days = cases.map((c) => c.workingDaysOverdue)
    expect([...days].sort((a, b) => b - a)).toEqual(days)
    expect(pages[0]!.stations.reduce((n, s) => n + s.count, 0)).toBe(N)
    expect(pages[0]!.stations.find((s) => s.stationId === station)).toMatchObject({
      stationName: '红岩村为民服务室',
      count: N / 3,
      maxDays: Math.max(...cases.filter((c) => c.stationId === station).map((c) => c.workingDaysOverdue)),
    })
    const first = await call<Out>(lcb, 'supervise.overdue', {}, supervisor)
    expect(first.ok && first.data.cases).toHaveLength(50)
    expect(first.dbCalls).toBeLessThanOrEqual(8)
  }, 60_000)
})

describe('work.appointments (the desk day) and appointments.mine', () => {
  const DAY = '2026-12-02'
  const N = 130
  const V = 70
  beforeAll(async () => {
    const base = {
      kind: 'service',
      scheduleId: station,
      stationId: station,
      name: '王秀英',
      phone: '13912345678',
    }
    await insertMany('bookings', [
      ...Array.from({ length: N }, (_, i) => {
        const start = `${String(9 + Math.floor(i / 20)).padStart(2, '0')}:${i % 2 ? '30' : '00'}`
        return {
          ...base,
          _id: `bk-bulk-${pad(i)}`,
          slotKey: `${station}:${DAY}:${start}`,
          day: DAY,
          start,
          end: start,
          startsAt: new Date(`${DAY}T${start}:00+08:00`),
          openid: i < 30 ? 'o-regular' : `o-b-${i}`,
          itemId: null,
          itemName: null,
          caseId: null,
          status: i % 13 === 0 ? 'arrived' : i % 17 === 0 ? 'cancelled' : 'booked',
          reminded: [],
          createdAt: moment(i, 60_000),
          updatedAt: moment(i, 60_000),
        }
      }),
      ...Array.from({ length: V }, (_, i) => ({
        ...base,
        _id: `bk-visit-${pad(i)}`,
        kind: 'visit',
        scheduleId: null,
        slotKey: null,
        day: null,
        start: null,
        end: null,
        startsAt: null,
        openid: `o-v-${i}`,
        itemId: null,
        itemName: null,
        caseId: null,
        status: 'requested',
        address: '红岩村 3 组',
        reason: '年老行动不便',
        windows: [{ day: '2026-12-03', part: 'am' }],
        note: '',
        reminded: [],
        createdAt: moment(i, 60_000),
        updatedAt: moment(i, 60_000),
      })),
    ])
  }, 60_000)

  it('pages the day in time order with counts for the whole day, and the visit requests apart', async () => {
    const listed = Array.from({ length: N }, (_, i) => i).filter((i) => i % 13 === 0 || i % 17 !== 0)
    const pages = await walk<DeskDay>('work.appointments', { day: DAY, only: 'list' }, villageAgent)
    const list = pages.flatMap((p) => p.list)
    expect(list).toHaveLength(listed.length)
    expect(new Set(list.map((b) => b.id)).size).toBe(listed.length)
    expect(list.map((b) => b.start)).toEqual([...list.map((b) => b.start)].sort())
    const arrived = listed.filter((i) => i % 13 === 0).length
    expect(pages[0]!.counts).toEqual({
      total: listed.length,
      arrived,
      noShow: 0,
      waiting: listed.length - arrived,
    })
    expect(pages.every((p) => p.visitRequests.length === 0)).toBe(true)
    const visits = await walk<DeskDay>(
      'work.appointments',
      { day: DAY, only: 'visits', pageSize: 30 },
      villageAgent,
      'visitCursor',
      (r) => r.visitNextCursor,
    )
    expect(visits.flatMap((p) => p.visitRequests.map((v) => v.id))).toEqual(
      Array.from({ length: V }, (_, i) => `bk-visit-${pad(i)}`),
    )
    expect(visits[0]!.visitRequestsTotal).toBe(V)
    // The first screen: both parts' first pages, each with its total and where it continues.
    const first = await ok<DeskDay>(lcb, 'work.appointments', { day: DAY }, villageAgent)
    expect(first.list).toHaveLength(50)
    expect(first.visitRequests).toHaveLength(50)
    expect(first).toMatchObject({ visitRequestsTotal: V, nextCursor: expect.any(String) })
  }, 60_000)

  it('pages a resident’s own bookings, newest first', async () => {
    const pages = await walk<Actions['appointments.mine']['out']>(
      'appointments.mine',
      { pageSize: 8 },
      'o-regular',
    )
    const mine = pages.flatMap((p) => p.list as BookingView[])
    expect(mine).toHaveLength(30)
    expect(pages[0]!.total).toBe(30)
    expect(mine.map((b) => b.id)).toEqual(Array.from({ length: 30 }, (_, i) => `bk-bulk-${pad(29 - i)}`))
  })
})
