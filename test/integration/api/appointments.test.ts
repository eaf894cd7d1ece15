import type { LocalCloudBase } from '../../../local-cloudbase/server'
import { DEMO_OPENIDS, call, ok, startApi } from '../../helpers/api'

let lcb: LocalCloudBase
const station = 'st-qingshan-hongyan'

beforeAll(async () => {
  lcb = await startApi('2026-12-01T07:50:00+08:00')
}, 30_000)
afterAll(() => lcb.stop())

type Slots = { slots: { key: string; day: string; start: string; remaining: number }[] }

describe('appointments', () => {
  it('offers open days only, within 14 days and 2 hours notice', async () => {
    const { slots } = await ok<Slots>(lcb, 'appointments.slots', { stationId: station })
    expect(slots[0]).toMatchObject({ day: '2026-12-01', start: '10:00', remaining: 5 })
    expect(slots.some((s) => s.day === '2026-12-05')).toBe(false) // Saturday
    expect(slots.at(-1)!.day).toBe('2026-12-15')
    const early = await call(lcb, 'appointments.book', {
      stationId: station,
      slotKey: `${station}:2026-12-01:09:00`,
    })
    expect(early).toMatchObject({
      ok: false,
      error: { code: 'INVALID_STATE', message: '请至少提前 2 小时预约' },
    })
    const weekend = await call(lcb, 'appointments.book', {
      stationId: station,
      slotKey: `${station}:2026-12-05:09:00`,
    })
    expect(weekend).toMatchObject({ ok: false, error: { message: expect.stringContaining('不开放预约') } })
  })

  it('100 simultaneous bookings for a slot of 5 give exactly 5 bookings and 95 clear refusals', async () => {
    const slotKey = `${station}:2026-12-02:09:00`
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        call(lcb, 'appointments.book', { stationId: station, slotKey }, `o-book-${i}`),
      ),
    )
    const okCount = results.filter((r) => r.ok).length
    const refusals = results.filter((r) => !r.ok && r.error.message === '该时段已约满，请选择其他时段')
    expect(okCount).toBe(5)
    expect(refusals).toHaveLength(95)
    const { slots } = await ok<Slots>(lcb, 'appointments.slots', { stationId: station })
    expect(slots.find((s) => s.key === slotKey)!.remaining).toBe(0)
  }, 120_000)

  it('one active booking per resident per slot; cancel frees the place; only the owner cancels', async () => {
    const slotKey = `${station}:2026-12-03:14:00`
    const first = await ok<{ id: string }>(
      lcb,
      'appointments.book',
      { stationId: station, slotKey },
      DEMO_OPENIDS.resident1,
    )
    expect(
      await call(lcb, 'appointments.book', { stationId: station, slotKey }, DEMO_OPENIDS.resident1),
    ).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT', message: '您已预约过这个时段' },
    })
    const remaining = async () =>
      (await ok<Slots>(lcb, 'appointments.slots', { stationId: station })).slots.find(
        (s) => s.key === slotKey,
      )!.remaining
    expect(await remaining()).toBe(2)
    expect(
      await call(lcb, 'appointments.cancel', { bookingId: first.id }, DEMO_OPENIDS.resident2),
    ).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    expect(
      await ok(lcb, 'appointments.cancel', { bookingId: first.id }, DEMO_OPENIDS.resident1),
    ).toMatchObject({ status: 'cancelled' })
    expect(await remaining()).toBe(3)
    // Rebooking after a cancel works (the unique key was released).
    expect(
      await call(lcb, 'appointments.book', { stationId: station, slotKey }, DEMO_OPENIDS.resident1),
    ).toMatchObject({ ok: true })
    expect(
      (await ok<{ list: unknown[] }>(lcb, 'appointments.mine', {}, DEMO_OPENIDS.resident1)).list,
    ).toHaveLength(2)
  })
})
