import type { LocalCloudBase } from '../../../local-cloudbase/server'
import type { BookingView, DeskDay, ScheduleView } from '../../../typings/api'
import { DEMO_OPENIDS, call, demo, ok, startApi } from '../../helpers/api'
import { runJobs, setClock } from '../../helpers/builders'
import { nodeSdk } from '../../helpers/local-cloudbase'

let lcb: LocalCloudBase
const station = 'st-qingshan-hongyan'
const township = 'st-qingshan'
const { resident1, resident2, villageAgent, villageHead, admin } = DEMO_OPENIDS
const who = { name: '王秀英', phone: '13912345678' }

type Slots = { schedules: ScheduleView[] }
const slotsOf = async (stationId = station) =>
  (await ok<Slots>(lcb, 'appointments.slots', { stationId })).schedules
const remaining = async (key: string) =>
  (await slotsOf())[0]!.days.flatMap((d) => d.slots).find((s) => s.key === key)?.remaining
const book = (slotKey: string, openid: string = resident1, extra: object = {}) =>
  call<BookingView>(lcb, 'appointments.book', { slotKey, ...who, ...extra }, openid)
const key = (day: string, start: string, schedule = station) => `${schedule}:${day}:${start}`

beforeAll(async () => {
  // Tuesday 2026-12-01, 07:50 Shanghai.
  lcb = await startApi('2026-12-01T07:50:00+08:00')
}, 30_000)
afterAll(() => lcb.stop())

describe('open days and slots', () => {
  it('offers working days only, within 14 days and 2 hours notice, with places left', async () => {
    const [service, ...others] = await slotsOf()
    expect(others).toEqual([])
    expect(service!.kind).toBe('service')
    expect(service!.days[0]).toMatchObject({ day: '2026-12-01', label: '12月1日 周二' })
    expect(service!.days[0]!.slots[0]).toMatchObject({ start: '10:00', end: '10:30', remaining: 5 })
    expect(service!.days.map((d) => d.day)).not.toContain('2026-12-05') // Saturday
    expect(service!.days.at(-1)!.day).toBe('2026-12-15')
  })

  it('publishes the 领导接待日 as its own schedule with its host', async () => {
    const [service, leader] = await slotsOf(township)
    expect(service!.kind).toBe('service')
    expect(leader).toMatchObject({
      kind: 'leader',
      title: '领导接待日·群众来访接待',
      host: { name: expect.any(String) },
    })
    // Tuesdays only (2026-12-01 from 10:00 because of the 2 hours notice), 2 places each.
    expect(leader!.days.map((d) => d.day)).toEqual(['2026-12-01', '2026-12-08', '2026-12-15'])
    expect(leader!.days[1]!.slots[0]).toMatchObject({ start: '09:00', remaining: 2 })
    const booked = await ok<BookingView>(lcb, 'appointments.book', {
      slotKey: leader!.days[1]!.slots[0]!.key,
      ...who,
    })
    expect(booked).toMatchObject({
      kind: 'leader',
      kindLabel: '领导接待日',
      whenText: '12月8日 周二 09:00-09:30',
    })
  })

  it('refuses past, closed, too-early, too-far and malformed slots with a clear message, writing nothing', async () => {
    const cases: [string, string][] = [
      [key('2026-12-01', '09:00'), '请至少提前 2 小时预约'],
      [key('2026-12-05', '09:00'), '该时段不开放预约（休息日、节假日或不在办公时间）'],
      [key('2026-11-30', '09:00'), '该时段已过，请选择其他时间'],
      [key('2026-12-16', '09:00'), '只能预约 14 天以内的时段'],
      [key('2026-12-02', '09:10'), '该时段不开放预约（休息日、节假日或不在办公时间）'],
      ['st-nowhere:2026-12-02:09:00', '该服务站暂未开放预约，请拨打服务热线'],
      [key('2026-02-30', '09:00'), '预约时段不存在，请重新选择'],
    ]
    for (const [slotKey, message] of cases) {
      expect(await book(slotKey)).toMatchObject({ ok: false, error: { message } })
    }
    const noPhone = await call(lcb, 'appointments.book', { slotKey: key('2026-12-02', '10:00'), name: '王' })
    expect(noPhone).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', fields: { phone: '请填写电话' } },
    })
    const db = nodeSdk(lcb).database()
    expect(
      (await db.collection('bookings').where({ openid: resident1, kind: 'service' }).count()).total,
    ).toBe(0)
    expect(await remaining(key('2026-12-02', '10:00'))).toBe(5)
  })
})

describe('booking under load, cancel and reschedule', () => {
  it('100 simultaneous bookings for a slot of 5 give exactly 5 bookings and 95 clear refusals', async () => {
    const slotKey = key('2026-12-02', '09:00')
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => book(slotKey, `o-book-${i}`)))
    expect(results.filter((r) => r.ok)).toHaveLength(5)
    expect(results.filter((r) => !r.ok && r.error.message === '该时段已约满，请选择其他时段')).toHaveLength(
      95,
    )
    expect(await remaining(slotKey)).toBe(0)
    const db = nodeSdk(lcb).database()
    expect((await db.collection('bookings').where({ slotKey, status: 'booked' }).count()).total).toBe(5)
  }, 120_000)

  it('one active booking per resident, station and kind; cancel frees the place; only the owner cancels', async () => {
    const slotKey = key('2026-12-03', '14:00')
    const first = await ok<BookingView>(lcb, 'appointments.book', { slotKey, ...who, itemId: 'it-MZ-003' })
    expect(first).toMatchObject({
      status: 'booked',
      statusLabel: '已预约',
      itemName: expect.any(String),
      canChange: true,
    })
    for (const other of [slotKey, key('2026-12-04', '09:00')])
      expect(await book(other)).toMatchObject({
        ok: false,
        error: { code: 'CONFLICT', message: '您在该服务站已有一个未到的窗口预约，如需换时间请改期' },
      })
    expect(await remaining(slotKey)).toBe(2)
    // The refusal is read, not written: no place counted and given back (a half-written booking).
    const again = await fetch(`${lcb.gatewayUrl}/functions/api`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-wx-openid': resident1 },
      body: JSON.stringify({
        action: 'appointments.book',
        payload: { slotKey: key('2026-12-04', '10:00'), ...who },
      }),
    })
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('CONFLICT')
    expect(JSON.parse(again.headers.get('x-db-writes') ?? '{}')).toEqual({})
    expect(await call(lcb, 'appointments.cancel', { bookingId: first.id }, resident2)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    expect(await ok(lcb, 'appointments.cancel', { bookingId: first.id })).toMatchObject({
      status: 'cancelled',
    })
    expect(await call(lcb, 'appointments.cancel', { bookingId: first.id })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_STATE', message: '该预约已取消，不能再更改' },
    })
    expect(await remaining(slotKey)).toBe(3)
    expect(await book(slotKey)).toMatchObject({ ok: true }) // the unique key was released
  })

  it('reschedules to another slot of the station: the old place is freed, a full slot leaves the booking as it was', async () => {
    const from = key('2026-12-04', '14:00')
    const to = key('2026-12-04', '15:00')
    const b = await ok<BookingView>(lcb, 'appointments.book', { slotKey: from, ...who }, resident2)
    expect(
      await call(lcb, 'appointments.reschedule', { bookingId: b.id, slotKey: to }, resident1),
    ).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    const full = key('2026-12-02', '09:00')
    expect(
      await call(lcb, 'appointments.reschedule', { bookingId: b.id, slotKey: full }, resident2),
    ).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT', message: '该时段已约满，请选择其他时段' },
    })
    expect(await remaining(from)).toBe(2)
    const leaderSlot = `${township}-leader:2026-12-15:09:00`
    expect(
      await call(lcb, 'appointments.reschedule', { bookingId: b.id, slotKey: leaderSlot }, resident2),
    ).toMatchObject({ ok: false, error: { code: 'INVALID_STATE' } })
    const moved = await ok<BookingView>(
      lcb,
      'appointments.reschedule',
      { bookingId: b.id, slotKey: to },
      resident2,
    )
    expect(moved).toMatchObject({ status: 'booked', start: '15:00', whenText: '12月4日 周五 15:00-16:00' })
    expect(await remaining(from)).toBe(3)
    expect(await remaining(to)).toBe(2)
    const mine = await ok<{ list: BookingView[] }>(lcb, 'appointments.mine', {}, resident2)
    expect(mine.list.map((x) => [x.start, x.statusLabel])).toEqual([
      ['15:00', '已预约'],
      ['14:00', '已改期'],
    ])
    expect(mine.list[0]!.station).toMatchObject({ name: expect.any(String), location: expect.any(Object) })
  })
})

describe('cancel racing a reschedule', () => {
  it('leaves the resident exactly one or no active booking, and the place counters equal the bookings', async () => {
    const from = key('2026-12-10', '09:00')
    const to = key('2026-12-10', '09:30')
    const db = nodeSdk(lcb).database()
    for (let i = 0; i < 8; i++) {
      const openid = `o-race-${i}`
      const b = await ok<BookingView>(lcb, 'appointments.book', { slotKey: from, ...who }, openid)
      await Promise.all([
        call(lcb, 'appointments.cancel', { bookingId: b.id }, openid),
        call(lcb, 'appointments.reschedule', { bookingId: b.id, slotKey: to }, openid),
      ])
      const active = (await db.collection('bookings').where({ openid, status: 'booked' }).get()).data
      expect(active.length).toBeLessThanOrEqual(1)
    }
    for (const slotKey of [from, to]) {
      const active = (await db.collection('bookings').where({ slotKey, status: 'booked' }).count()).total
      expect(5 - active).toBe(await remaining(slotKey))
    }
  }, 60_000)
})

describe('a cap on active bookings per resident (issue 11)', () => {
  const quota = '每人最多同时保留 3 个未完成的预约（含上门服务申请），请先取消不需要的预约'
  /** Places taken in these slots, and the booked appointments holding them (anyone's). */
  const placesTaken = async (keys: string[]) => {
    const db = nodeSdk(lcb).database()
    const _ = db.command
    const { data } = await db
      .collection('slots')
      .where({ _id: _.in(keys) })
      .limit(100)
      .get()
    const booked = (
      await db
        .collection('bookings')
        .where({ slotKey: _.in(keys), status: 'booked' })
        .count()
    ).total
    return { places: data.reduce((n, d) => n + Number(d.booked), 0), booked }
  }

  it('20 simultaneous bookings at one station by one resident: one is booked, every other place is given back', async () => {
    const openid = 'o-hoarder-1'
    const keys = ['2026-12-11', '2026-12-14', '2026-12-15']
      .flatMap((d) =>
        ['09:00', '09:30', '10:00', '10:30', '11:00', '14:00', '15:00', '16:00'].map((t) => key(d, t)),
      )
      .slice(0, 20)
    const results = await Promise.all(keys.map((k) => book(k, openid)))
    expect(results.filter((r) => r.ok)).toHaveLength(1)
    expect(
      results.filter(
        (r) => !r.ok && r.error.message === '您在该服务站已有一个未到的窗口预约，如需换时间请改期',
      ),
    ).toHaveLength(19)
    // Every refused request gave its place back: places equal the bookings holding them.
    const taken = await placesTaken(keys)
    expect(taken.places).toBe(taken.booked)
  }, 60_000)

  // The demo district has 20 stations with window bookings.
  const stations = demo.stations.filter((s) => s.tier !== 'district').map((s) => s._id)

  it('20 simultaneous bookings across stations: exactly 3 are kept; a visit request is refused too; cancelling frees a place in the cap', async () => {
    const openid = 'o-hoarder-2'
    const keys = [
      ...stations.slice(0, 17).map((id) => key('2026-12-11', '09:00', id)),
      ...stations.slice(0, 3).map((id) => key('2026-12-14', '09:00', id)),
    ]
    const results = await Promise.all(keys.map((k) => book(k, openid)))
    const kept = results.filter((r) => r.ok)
    expect(kept).toHaveLength(3)
    const refusals = results.filter((r) => !r.ok).map((r) => (r.ok ? '' : r.error.message))
    expect(refusals.filter((m) => m === quota).length).toBeGreaterThanOrEqual(14)
    expect(
      refusals.every((m) => m === quota || m === '您在该服务站已有一个未到的窗口预约，如需换时间请改期'),
    ).toBe(true)
    const taken = await placesTaken(keys)
    expect(taken.places).toBe(taken.booked)
    const db = nodeSdk(lcb).database()
    expect((await db.collection('bookings').where({ openid, status: 'booked' }).count()).total).toBe(3)
    const visit = await call(
      lcb,
      'appointments.requestVisit',
      {
        stationId: stations[17],
        ...who,
        address: '红岩村 3 组',
        reason: 'elderly',
        windows: [{ day: '2026-12-14', part: 'am' }],
      },
      openid,
    )
    expect(visit).toMatchObject({ ok: false, error: { code: 'INVALID_STATE', message: quota } })
    // Rescheduling moves a booking inside the cap: still three, and the freed slot is given back.
    const first = kept[0]!.data as BookingView
    const moved = await ok<BookingView>(
      lcb,
      'appointments.reschedule',
      { bookingId: first.id, slotKey: key(first.day!, '10:00', first.station.id) },
      openid,
    )
    expect((await db.collection('bookings').where({ openid, status: 'booked' }).count()).total).toBe(3)
    expect(await book(key('2026-12-14', '09:00', stations[18]), openid)).toMatchObject({
      ok: false,
      error: { message: quota },
    })
    await ok(lcb, 'appointments.cancel', { bookingId: moved.id }, openid)
    expect(await book(key('2026-12-14', '09:00', stations[18]), openid)).toMatchObject({ ok: true })
  }, 60_000)

  it('a booking whose time has passed no longer counts, marked or not', async () => {
    const openid = 'o-hoarder-2'
    await setClock(lcb, '2026-12-11T12:00:00+08:00')
    try {
      for (const id of [stations[17]!, stations[19]!])
        expect(await book(key('2026-12-14', '10:00', id), openid)).toMatchObject({ ok: true })
      const db = nodeSdk(lcb).database()
      const active = (await db.collection('bookings').where({ openid, status: 'booked' }).get()).data
      expect(active.filter((b) => b.quotaKey)).toHaveLength(3)
      expect(await book(key('2026-12-15', '10:00', stations[16]), openid)).toMatchObject({
        ok: false,
        error: { message: quota },
      })
    } finally {
      await setClock(lcb, '2026-12-01T07:50:00+08:00')
    }
  })
})

describe('home visits (上门服务)', () => {
  let visitId = ''
  it('a resident asks for a visit with preferred half days; the head is notified', async () => {
    const bad = await call(lcb, 'appointments.requestVisit', {
      stationId: station,
      ...who,
      address: '红岩村三组 12 号',
      reason: 'elderly',
      windows: [{ day: '2026-12-05', part: 'am' }],
    })
    expect(bad).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', fields: { windows: '2026-12-05 不是工作日，请另选时间' } },
    })
    const v = await ok<BookingView>(lcb, 'appointments.requestVisit', {
      stationId: station,
      ...who,
      address: '红岩村三组 12 号',
      reason: 'elderly',
      windows: [
        { day: '2026-12-03', part: 'pm' },
        { day: '2026-12-02', part: 'am' },
      ],
      note: '腿脚不便，需要办理高龄补贴认证',
    })
    expect(v).toMatchObject({
      kind: 'visit',
      status: 'requested',
      statusLabel: '待确认',
      whenText: '待代理员确认时间',
      windowsText: '12月2日 周三上午、12月3日 周四下午',
    })
    visitId = v.id
    const again = await call(lcb, 'appointments.requestVisit', {
      stationId: station,
      ...who,
      address: '红岩村三组 12 号',
      reason: 'elderly',
      windows: [{ day: '2026-12-04', part: 'am' }],
    })
    expect(again).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT', message: expect.stringContaining('未完成的上门服务申请') },
    })
    // Two phones at once: exactly one request is queued.
    const twice = await Promise.all(
      [1, 2].map(() =>
        call(
          lcb,
          'appointments.requestVisit',
          {
            stationId: township,
            ...who,
            address: '青山镇街上 1 号',
            reason: 'ill',
            windows: [{ day: '2026-12-04', part: 'pm' }],
          },
          'o-two-phones',
        ),
      ),
    )
    expect(twice.filter((r) => r.ok)).toHaveLength(1)
    const headBox = await ok<{ list: { event: string }[] }>(lcb, 'notify.mine', {}, villageHead)
    expect(headBox.list.map((m) => m.event)).toContain('visitRequested')
  })

  it('an agent of the station confirms a time inside a window; others cannot', async () => {
    const desk = await ok<DeskDay>(lcb, 'work.appointments', {}, villageAgent)
    expect(desk.visitRequests.map((r) => r.id)).toEqual([visitId])
    expect(desk.visitRequests[0]).toMatchObject({
      reason: '年老行动不便',
      maskedPhone: '139****5678',
      address: '红岩村三组***',
    })
    expect(await call(lcb, 'work.appointments', { day: '2026-13-01' }, villageAgent)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', fields: { day: '日期不存在' } },
    })
    expect(await call(lcb, 'work.appointments', {}, resident1)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    expect(
      await call(
        lcb,
        'work.visits.confirm',
        { bookingId: visitId, day: '2026-12-02', start: '15:00' },
        villageAgent,
      ),
    ).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', message: '请在群众选择的时间段内安排上门时间' },
    })
    expect(
      await call(
        lcb,
        'work.visits.confirm',
        { bookingId: visitId, day: '2026-12-02', start: '10:00' },
        DEMO_OPENIDS.townshipHead,
      ),
    ).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    const confirmed = await ok(
      lcb,
      'work.visits.confirm',
      { bookingId: visitId, day: '2026-12-02', start: '10:00' },
      villageAgent,
    )
    expect(confirmed).toMatchObject({
      status: 'booked',
      statusLabel: '已确认上门',
      start: '10:00',
      end: '11:00',
    })
    expect(
      await call(lcb, 'work.visits.decline', { bookingId: visitId, reason: '已安排' }, villageHead),
    ).toMatchObject({ ok: false, error: { code: 'INVALID_STATE' } })
    const mine = await ok<{ list: BookingView[] }>(lcb, 'appointments.mine', {})
    expect(mine.list.find((b) => b.id === visitId)).toMatchObject({
      statusLabel: '已确认上门',
      whenText: '12月2日 周三 10:00-11:00',
    })
    const residentBox = await ok<{ list: { event: string }[] }>(lcb, 'notify.mine', {})
    expect(residentBox.list.map((m) => m.event)).toContain('visitConfirmed')
  })

  it('full phone numbers and addresses for staff are logged', async () => {
    const c = await ok<{ phone: string; address: string }>(
      lcb,
      'work.appointments.contact',
      { bookingId: visitId },
      villageAgent,
    )
    expect(c).toEqual({ phone: '13912345678', address: '红岩村三组 12 号' })
    const db = nodeSdk(lcb).database()
    const logs = (
      await db
        .collection('access_logs')
        .where({ what: `booking:${visitId}:phone,address` })
        .get()
    ).data
    expect(logs).toHaveLength(1)
  })
})

describe('a visit scheduled from a case filed with 上门服务', () => {
  it('becomes a confirmed visit in the day view and in 我的预约, once per case', async () => {
    const submit = (visit: string, requestId: string) =>
      ok<{ id: string }>(
        lcb,
        'cases.submit',
        {
          itemId: 'it-MZ-004',
          stationId: station,
          description: '老人行动不便，申请高龄津贴',
          applicantName: '李桂兰',
          applicantPhone: '13700001111',
          visit,
        },
        'o-case-visit',
        requestId,
      )
    const c = await submit('home', 'visit-case-1')
    const schedule = (openid: string, caseId = c.id) =>
      call(lcb, 'work.visits.schedule', { caseId, day: '2026-12-03', start: '15:00' }, openid)
    expect(await schedule(DEMO_OPENIDS.townshipHead)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    expect(await schedule('o-case-visit')).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    expect(await schedule(villageAgent)).toMatchObject({
      ok: true,
      data: { statusLabel: '已确认上门', start: '15:00', end: '16:00' },
    })
    expect(await schedule(villageAgent)).toMatchObject({ ok: false, error: { code: 'CONFLICT' } })
    const mine = await ok<{ list: BookingView[] }>(lcb, 'appointments.mine', {}, 'o-case-visit')
    expect(mine.list.find((b) => b.caseId === c.id)).toMatchObject({
      kind: 'visit',
      whenText: '12月3日 周四 15:00-16:00',
      itemName: '高龄津贴申领',
    })
    const desk = await ok<DeskDay>(lcb, 'work.appointments', { day: '2026-12-03' }, villageHead)
    expect(desk.list.some((b) => b.caseId === c.id)).toBe(true)
    const atStation = await submit('station', 'visit-case-2')
    expect(await schedule(villageAgent, atStation.id)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_STATE', message: '这件申请没有选择上门服务' },
    })
  })
})

describe('a visit for a walk-in case (filed by an agent for a resident without WeChat)', () => {
  it('is kept in office hours on working days, tells the agent to phone, and moves to the resident on claim', async () => {
    const c = await ok<{ id: string; claimCode: string }>(
      lcb,
      'cases.submit',
      {
        itemId: 'it-MZ-004',
        stationId: station,
        description: '代老人申请高龄津贴',
        applicantName: '赵大爷',
        applicantPhone: '13600002222',
        visit: 'home',
        onBehalf: true,
      },
      villageAgent,
      'walk-in-1',
    )
    const schedule = (day: string, start: string) =>
      call(lcb, 'work.visits.schedule', { caseId: c.id, day, start }, villageAgent)
    expect(await schedule('2026-12-05', '10:00')).toMatchObject({
      ok: false,
      error: { message: '2026-12-05 不是工作日，请另选时间' },
    })
    expect(await schedule('2026-12-04', '17:00')).toMatchObject({
      ok: false,
      error: { message: '请安排在办公时间内（08:30-17:30）' },
    })
    expect(await schedule('2026-12-04', '10:00')).toMatchObject({ ok: true, data: { notified: false } })
    await ok(lcb, 'cases.claim', { claimCode: c.claimCode, phone: '13600002222' }, 'o-claimer')
    const mine = await ok<{ list: BookingView[] }>(lcb, 'appointments.mine', {}, 'o-claimer')
    expect(mine.list).toEqual([
      expect.objectContaining({ caseId: c.id, whenText: '12月4日 周五 10:00-11:00' }),
    ])
  })
})

describe('reminders, the day view, arrivals and no-shows', () => {
  it('reminds the day before and 2 hours before, each exactly once', async () => {
    await ok(lcb, 'notify.grant', { accepted: ['TPL-APPOINTMENT'], longTerm: true }, 'o-remind')
    const b = await ok<BookingView>(
      lcb,
      'appointments.book',
      { slotKey: key('2026-12-08', '10:00'), ...who },
      'o-remind',
    )
    const reminders = () =>
      lcb
        .openApiCalls('subscribeMessage.send', 500)
        .filter((c) => (c.params as { page: string }).page.includes(b.id))
    await setClock(lcb, '2026-12-07T08:50:00+08:00')
    await runJobs(lcb)
    expect(reminders()).toHaveLength(0)
    await setClock(lcb, '2026-12-07T09:00:00+08:00')
    await runJobs(lcb)
    await runJobs(lcb)
    expect(reminders()).toHaveLength(1)
    expect(
      (reminders()[0]!.params as { data: Record<string, { value: string }> }).data.thing4!.value,
    ).toContain('明天')
    await setClock(lcb, '2026-12-08T07:50:00+08:00')
    await runJobs(lcb)
    expect(reminders()).toHaveLength(1)
    await setClock(lcb, '2026-12-08T08:00:00+08:00')
    await Promise.all([runJobs(lcb), runJobs(lcb), runJobs(lcb)])
    expect(reminders()).toHaveLength(2)
    await setClock(lcb, '2026-12-08T09:30:00+08:00')
    await runJobs(lcb)
    expect(reminders()).toHaveLength(2)
  }, 60_000)

  it('the agent sees the day, marks arrivals and no-shows; repeated no-shows are noted', async () => {
    await setClock(lcb, '2026-12-01T08:00:00+08:00')
    // Two no-shows earlier this autumn; one active booking per station, so the others are neighbours.
    const db = nodeSdk(lcb).database()
    for (const day of ['2026-10-12', '2026-11-16'])
      await db
        .collection('noshows')
        .doc(`o-often-absent:bk-old-${day}`)
        .set({ openid: 'o-often-absent', bookingId: `bk-old-${day}`, day })
    const booker = ['o-often-absent', 'o-absent-b', 'o-absent-c']
    for (const [i, s] of ['14:00', '15:00', '16:00'].entries())
      await ok(lcb, 'appointments.book', { slotKey: key('2026-12-09', s), ...who }, booker[i])
    await ok(lcb, 'appointments.book', { slotKey: key('2026-12-09', '10:00'), ...who }, 'o-on-time')
    await setClock(lcb, '2026-12-09T09:05:00+08:00')
    const desk = await ok<DeskDay>(lcb, 'work.appointments', {}, villageAgent)
    expect(desk).toMatchObject({ day: '2026-12-09', label: '12月9日 周三', isToday: true })
    expect(desk.list.map((b) => b.start)).toEqual(['10:00', '14:00', '15:00', '16:00'])
    expect(desk.list[0]).toMatchObject({ canArrive: true, canNoShow: false })
    const arrive = (id: string, outcome = 'arrived', openid: string = villageAgent) =>
      call(lcb, 'work.appointments.mark', { bookingId: id, outcome }, openid)
    expect(await arrive(desk.list[1]!.id)).toMatchObject({
      ok: false,
      error: { message: '预约开始前 1 小时起才能登记到场' },
    })
    expect(await arrive(desk.list[0]!.id, 'arrived', resident1)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    expect(await arrive(desk.list[0]!.id)).toMatchObject({ ok: true, data: { statusLabel: '已到场' } })
    await setClock(lcb, '2026-12-09T17:30:00+08:00')
    for (const b of desk.list.slice(1)) expect(await arrive(b.id, 'no_show')).toMatchObject({ ok: true })
    const after = await ok<DeskDay>(lcb, 'work.appointments', { day: '2026-12-09' }, villageHead)
    expect(after.counts).toEqual({ total: 4, arrived: 1, noShow: 3, waiting: 0 })
    expect(after.list[1]).toMatchObject({
      statusLabel: '未到场',
      noShows: 3,
      noShowNote: '近 90 天未到 3 次',
    })
    const mine = await ok<{ notice: string | null }>(lcb, 'appointments.mine', {}, 'o-often-absent')
    expect(mine.notice).toContain('3 次预约未到场')
    // A correction the same day removes the no-show again.
    expect(await arrive(desk.list[1]!.id)).toMatchObject({ ok: true })
    const corrected = await ok<DeskDay>(lcb, 'work.appointments', { day: '2026-12-09' }, villageAgent)
    expect(corrected.list[1]).toMatchObject({ noShows: 2, noShowNote: null })
    expect(corrected.list[2]).toMatchObject({ noShows: 1, noShowNote: null })
  })
})

describe('settings and schedules', () => {
  it('respects holidays and make-up workdays from the admin calendar', async () => {
    await setClock(lcb, '2026-12-01T08:00:00+08:00')
    await ok(
      lcb,
      'admin.calendar.saveYear',
      { year: 2026, holidays: ['2026-12-07'], workdays: ['2026-12-12'] },
      admin,
    )
    const days = (await slotsOf())[0]!.days.map((d) => d.day)
    expect(days).not.toContain('2026-12-07')
    expect(days).toContain('2026-12-12') // make-up Saturday opens with Monday's hours
    expect(await book(key('2026-12-07', '09:00'))).toMatchObject({
      ok: false,
      error: { code: 'INVALID_STATE' },
    })
  })

  it('horizon, notice and cutoff are admin settings', async () => {
    await setClock(lcb, '2026-12-01T07:55:00+08:00')
    const rules = {
      horizonDays: 7,
      minNoticeMinutes: 60,
      cancelCutoffMinutes: 120,
      noShowLimit: 3,
      noShowWindowDays: 90,
    }
    expect(await call(lcb, 'admin.booking.saveRules', rules, villageHead)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    await ok(lcb, 'admin.booking.saveRules', rules, admin)
    const days = (await slotsOf())[0]!.days
    expect(days.at(-1)!.day).toBe('2026-12-08')
    expect(days[0]!.slots[0]!.start).toBe('09:00') // 1 hour notice now
    expect(await book(key('2026-12-10', '09:00'))).toMatchObject({
      ok: false,
      error: { message: '只能预约 7 天以内的时段' },
    })
    const b = await ok<BookingView>(
      lcb,
      'appointments.book',
      { slotKey: key('2026-12-01', '09:00'), ...who },
      'o-rules',
    )
    expect(b).toMatchObject({ canChange: false, changeHint: '开始前 2 小时内不能在线更改，请致电服务站' })
    // The cutoff holds at the action too, not only in the view: nothing is cancelled.
    expect(await call(lcb, 'appointments.cancel', { bookingId: b.id }, 'o-rules')).toMatchObject({
      ok: false,
      error: { code: 'INVALID_STATE', message: '开始前 2 小时内不能在线更改，请致电服务站' },
    })
  })

  it('heads set their own station schedule; overlapping periods are refused', async () => {
    const periods = [{ weekdays: [1, 3], start: '09:00', end: '12:00', slotMinutes: 60, capacity: 4 }]
    expect(
      await call(lcb, 'admin.schedules.save', { stationId: township, kind: 'service', periods }, villageHead),
    ).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    expect(
      await call(
        lcb,
        'admin.schedules.save',
        {
          stationId: station,
          kind: 'service',
          periods: [...periods, { ...periods[0], start: '11:00', end: '12:00' }],
        },
        villageHead,
      ),
    ).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', message: '周一的时段 11:00-12:00 与其他时段重叠' },
    })
    // Thursday and Friday bookings (and the booked leader-free afternoons) are no longer offered:
    // the head sees how many first, then confirms; residents are told.
    const change = await call(
      lcb,
      'admin.schedules.save',
      { stationId: station, kind: 'service', periods },
      villageHead,
    )
    expect(change).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT', message: expect.stringMatching(/^调整后有 \d+ 个已预约的时段不再开放/) },
    })
    const before = await ok<{ list: BookingView[] }>(lcb, 'appointments.mine', {}, resident2)
    expect(before.list[0]).toMatchObject({ start: '15:00', statusLabel: '已预约' })
    const saved = await ok<{ cancelled: number }>(
      lcb,
      'admin.schedules.save',
      { stationId: station, kind: 'service', periods, confirmAffected: true },
      villageHead,
    )
    expect(saved.cancelled).toBeGreaterThan(0)
    const after = await ok<{ list: BookingView[] }>(lcb, 'appointments.mine', {}, resident2)
    expect(after.list[0]).toMatchObject({
      statusLabel: '已取消',
      cancelReason: '服务站调整了开放时间，请重新预约',
    })
    const box = await ok<{ list: { event: string }[] }>(lcb, 'notify.mine', {}, resident2)
    expect(box.list.map((m) => m.event)).toContain('appointmentCancelled')
    // The Wednesday 09:00 slot still exists: its five bookings stay.
    const db = nodeSdk(lcb).database()
    expect(
      (
        await db
          .collection('bookings')
          .where({ slotKey: key('2026-12-02', '09:00'), status: 'booked' })
          .count()
      ).total,
    ).toBe(5)
    const editor = await ok<{ service: { periods: unknown[] }; hosts: unknown[] }>(
      lcb,
      'admin.schedules.get',
      {},
      villageHead,
    )
    expect(editor.service.periods).toEqual(periods)
    expect(editor.hosts.length).toBeGreaterThan(0)
    const days = (await slotsOf())[0]!.days
    // Mondays and Wednesdays within the 7-day horizon; Monday 12-07 is now a holiday.
    expect(days.map((d) => d.day)).toEqual(['2026-12-02'])
    expect(days.every((d) => d.slots.every((s) => s.capacity === 4))).toBe(true)
  })
})
