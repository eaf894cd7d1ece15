import { nextFire, parseCron } from '../../local-cloudbase/timers/cron'

const at = (iso: string) => Date.parse(iso)
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

describe('7-field cron in UTC+8', () => {
  it('fires daily at 09:00 Shanghai time', () => {
    const c = parseCron('0 0 9 * * * *')
    expect(iso(nextFire(c, at('2026-11-30T08:59:59+08:00')))).toBe('2026-11-30T01:00:00.000Z')
    expect(iso(nextFire(c, at('2026-11-30T09:00:00+08:00')))).toBe('2026-12-01T01:00:00.000Z')
  })

  it('supports steps, ranges, lists and weekday names', () => {
    expect(iso(nextFire(parseCron('0 */15 * * * * *'), at('2026-11-30T10:07:00+08:00')))).toBe(
      '2026-11-30T02:15:00.000Z',
    )
    // Weekdays 08:30 — Saturday 2026-12-05 skips to Monday 12-07.
    expect(iso(nextFire(parseCron('0 30 8 * * MON-FRI *'), at('2026-12-04T09:00:00+08:00')))).toBe(
      '2026-12-07T00:30:00.000Z',
    )
    expect(iso(nextFire(parseCron('0 0 8,14 1 * * 2027'), at('2026-11-30T00:00:00+08:00')))).toBe(
      '2027-01-01T00:00:00.000Z',
    )
  })

  it('rejects malformed expressions', () => {
    expect(() => parseCron('0 0 9 * * *')).toThrow(/7 fields/)
    expect(() => parseCron('0 61 9 * * * *')).toThrow(/out of range/)
    expect(() => parseCron('0 */0 9 * * * *')).toThrow(/step/)
  })
})
