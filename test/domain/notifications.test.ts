import { WorkCalendar } from '../../server/domain/calendar'
import { NOTICE_TITLES } from '../../typings/vocabulary'
import { officialCalendarSource } from '../../server/domain/official-calendar'
import {
  fitField,
  isOfficeTime,
  isPermanent,
  NOTIFY_EVENTS,
  nextAttempt,
  remindersDue,
} from '../../server/domain/notifications'

const cal = new WorkCalendar(officialCalendarSource())
const at = (iso: string) => new Date(iso)
// Due Monday 2026-12-07 17:30 Shanghai.
const c = { id: 'c1', dueAt: at('2026-12-07T09:30:00Z'), dueDay: '2026-12-07' }
const events = (iso: string, s?: Parameters<typeof remindersDue>[3]) =>
  remindersDue(c, at(iso), cal, s).map((r) => r.event)

describe('reminders', () => {
  it('due soon one working day before (across the weekend), due today, then overdue stages', () => {
    expect(events('2026-12-03T10:00:00+08:00')).toEqual([])
    expect(events('2026-12-04T10:00:00+08:00')).toEqual(['dueSoon'])
    expect(events('2026-12-07T10:00:00+08:00')).toEqual(['dueToday'])
    expect(events('2026-12-07T18:00:00+08:00')).toEqual([]) // past due but still the due day
    expect(events('2026-12-08T09:00:00+08:00')).toEqual(['overdue'])
    expect(events('2026-12-10T09:00:00+08:00')).toEqual(['overdue', 'superviseHead'])
    expect(events('2026-12-14T09:00:00+08:00')).toEqual(['overdue', 'superviseHead', 'reportSupervisor'])
  })

  it('uses the admin thresholds and keys each kind to the due date', () => {
    expect(
      events('2026-12-03T10:00:00+08:00', {
        dueSoonDays: 2,
        superviseAfterDays: 2,
        reportAfterDays: 4,
      }),
    ).toEqual(['dueSoon'])
    expect(
      events('2026-12-09T10:00:00+08:00', {
        dueSoonDays: 2,
        superviseAfterDays: 2,
        reportAfterDays: 4,
      }),
    ).toEqual(['overdue', 'superviseHead'])
    expect(remindersDue(c, at('2026-12-08T09:00:00+08:00'), cal)[0]!.key).toBe('c1:overdue:2026-12-07')
  })

  it('office time is working days 08:30–17:30 Shanghai, holidays and make-up days included', () => {
    expect(isOfficeTime(at('2026-12-04T08:30:00+08:00'), cal)).toBe(true)
    expect(isOfficeTime(at('2026-12-04T17:30:00+08:00'), cal)).toBe(false)
    expect(isOfficeTime(at('2026-12-05T10:00:00+08:00'), cal)).toBe(false) // Saturday
    expect(isOfficeTime(at('2026-10-02T10:00:00+08:00'), cal)).toBe(false) // National Day
    expect(isOfficeTime(at('2026-10-10T10:00:00+08:00'), cal)).toBe(true) // make-up Saturday
  })
})

describe('subscribe-message fields and retries', () => {
  it('fits values to their keyword type', () => {
    expect(fitField('thing1', '困难群众临时救助申请（因病致贫重病患者认定）')).toBe(
      '困难群众临时救助申请（因病致贫重病患者…',
    )
    expect([...fitField('thing1', 'x'.repeat(30))]).toHaveLength(20)
    expect(fitField('phrase2', '已办结并送达')).toBe('已办结并送')
    expect(fitField('character_string2', 'QS-HY-20261201-001')).toBe('QS-HY-20261201-001')
    expect(fitField('thing3', '')).toBe('—')
  })

  it('backs off 1, 5, 15, 60 minutes then gives up; permanent errors are not retried', () => {
    const now = at('2026-12-01T02:00:00Z')
    expect([1, 2, 3, 4, 5].map((n) => nextAttempt(n, now)?.toISOString() ?? null)).toEqual([
      '2026-12-01T02:01:00.000Z',
      '2026-12-01T02:05:00.000Z',
      '2026-12-01T02:15:00.000Z',
      '2026-12-01T03:00:00.000Z',
      null,
    ])
    expect(isPermanent(43101)).toBe(true)
    expect(isPermanent(-1)).toBe(false)
  })
})

describe('我的消息 titles', () => {
  it('says in plain words what every notice is about, and names no event it does not know', () => {
    expect(Object.keys(NOTICE_TITLES).sort()).toEqual([...NOTIFY_EVENTS].sort())
    for (const t of Object.values(NOTICE_TITLES)) expect(t).toMatch(/^[\u4e00-\u9fa5，]{4,16}$/)
  })
})
