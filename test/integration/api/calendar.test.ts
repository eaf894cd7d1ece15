import type { LocalCloudBase } from '../../../local-cloudbase/server'
import type { CaseView } from '../../../typings/api'
import { DEMO_OPENIDS, call, ok, startApi } from '../../helpers/api'

let lcb: LocalCloudBase

beforeAll(async () => {
  // 2026-12-21: a 20-working-day deadline reaches into 2027, which chinese-days does not know.
  lcb = await startApi('2026-12-21T10:00:00+08:00')
}, 30_000)
afterAll(() => lcb.stop())

describe('calendar coverage (CALENDAR_MISSING)', () => {
  it('warns admins and agents loudly, marks affected deadlines, and clears once 2027 is entered', async () => {
    const status = await ok<{ coveredUntil: string; warning: { code: string; message: string } | null }>(
      lcb,
      'calendar.status',
      {},
      DEMO_OPENIDS.admin,
    )
    expect(status.coveredUntil).toBe('2026-12-31')
    expect(status.warning).toMatchObject({
      code: 'CALENDAR_MISSING',
      message: expect.stringContaining('2027 年的节假日与调休安排尚未录入'),
    })
    const inbox = await ok<{ calendarWarning: string | null }>(
      lcb,
      'work.inbox',
      {},
      DEMO_OPENIDS.villageAgent,
    )
    expect(inbox.calendarWarning).toContain('2027')
    expect(await call(lcb, 'calendar.status', {}, DEMO_OPENIDS.resident1)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })

    // A 20-day case accepted now gets a weekday-only deadline with the warning attached.
    const res = await fetch(`${lcb.gatewayUrl}/functions/api`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-wx-openid': DEMO_OPENIDS.resident1 },
      body: JSON.stringify({
        action: 'cases.submit',
        requestId: 'cal-1',
        payload: {
          itemId: 'it-MZ-002',
          stationId: 'st-qingshan-hongyan',
          description: '特困供养',
          applicantName: '王秀英',
          applicantPhone: '13912345678',
        },
      }),
    })
    const c = ((await res.json()) as { data: CaseView }).data
    const accepted = await ok<CaseView>(
      lcb,
      'cases.accept',
      { caseId: c.id, version: c.version, handling: 'promised' },
      DEMO_OPENIDS.villageAgent,
    )
    expect(accepted.calendarWarning).toContain('2027')

    const bad = await call(
      lcb,
      'admin.calendar.saveYear',
      { year: 2027, holidays: ['2027-02-30', '2026-12-31'], workdays: [] },
      DEMO_OPENIDS.admin,
    )
    expect(bad).toMatchObject({
      ok: false,
      error: {
        code: 'INVALID_INPUT',
        fields: { 'holidays.0': '日期不存在', 'holidays.1': '应为 2027 年的日期' },
      },
    })
    const saved = await ok<{ coveredUntil: string; warning: unknown }>(
      lcb,
      'admin.calendar.saveYear',
      { year: 2027, holidays: ['2027-01-01', '2027-01-02', '2027-01-03'], workdays: [] },
      DEMO_OPENIDS.admin,
    )
    expect(saved).toEqual({ today: '2026-12-21', coveredUntil: '2027-12-31', warning: null })
  })
})
