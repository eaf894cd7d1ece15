/**
 * A week of a small county through the real `api` and `jobs` functions, 2026-09-28 to
 * 2026-10-11: 国庆 (1–7 October) and the make-up Saturday (10 October) inside. The same
 * generator, driver and checker as `npm run bench county` (a quarter of a real county); here
 * two townships and about 150 cases so it runs in `npm test`. Each check is named; a failure
 * lists the first cases it concerns.
 */
import { checkCounty, formatReport, type CheckReport } from '../helpers/county/checker'
import { driveCounty } from '../helpers/county/driver'
import { WEEK } from '../helpers/county/generator'
import { ROOT } from '../helpers/local-cloudbase'

let report: CheckReport

beforeAll(async () => {
  const log = await driveCounty({ root: ROOT, county: WEEK })
  report = checkCounty(log)
  if (process.env.COUNTY_REPORT) console.log(formatReport(report))
}, 170_000)

const names = [
  'no INTERNAL answer',
  'every action of the simulation was accepted',
  'jobs run within the platform budget',
  'due dates given at acceptance',
  'reminders (due soon',
  '上报件: both deadlines watched',
  'default rating',
  '整改 overdue notice',
  'case-flow notices',
  'appointment reminders',
  'daily digest',
  'no lost message',
  'sent exactly once',
  'grants honoured',
  'no case stuck',
  '六项指标',
]

describe('a county week across 国庆 and the make-up Saturday', () => {
  it('simulated a week with every kind of case', () => {
    const f = report.figures
    expect(f.cases).toBeGreaterThan(100)
    // One run per 10-minute tick, a few of them doubled (overlapping runs).
    expect(f.jobsRuns).toBeGreaterThan(14 * 144)
    // Every kind of notice happened at least once, so every check below has something to hold.
    expect(Object.keys(f.messagesByKind)).toEqual(
      expect.arrayContaining([
        'caseAssigned',
        'supplementNeeded',
        'caseCompleted',
        'caseDelivered',
        'dueSoon',
        'dueToday',
        'overdue',
        'superviseHead',
        'reportSupervisor',
        'badRating',
        'rectifyVisited',
        'rectifyOverdue',
        'complaintFiled',
        'complaintReplied',
        'appointmentReminder',
        'visitRequested',
        'visitConfirmed',
        'dailyDigest',
      ]),
    )
    expect(Object.keys(f.perAction)).toEqual(
      expect.arrayContaining([
        'cases.submit',
        'cases.accept',
        'cases.supplement',
        'cases.acceptUpper',
        'cases.completeUpper',
        'cases.addTasks',
        'cases.completeTask',
        'cases.complete',
        'cases.deliver',
        'cases.rate',
        'notify.grant',
        'supervise.kpis',
      ]),
    )
  })

  it.each(names)('%s', (name) => {
    const check = report.checks.find((c) => c.name.startsWith(name))
    expect(check).toBeDefined()
    expect(check!.checked).toBeGreaterThan(0)
    expect({ name: check!.name, failures: check!.failures, count: check!.failureCount }).toEqual({
      name: check!.name,
      failures: [],
      count: 0,
    })
  })
})
