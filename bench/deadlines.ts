/**
 * Deadline schedule cost: database calls and time of one `jobs` run with 1k and with 100k open
 * cases, 10% of them overdue, side by side, and their ratio (issue 12: must stay under 1.5).
 *
 * The open cases are spread over the demo district's 16 villages. The overdue backlog is what a
 * county carries: cases 1 to 40 working days late whose reminders went out when their moments
 * came (each carries the `watchAt` and `reminded` the schedule left it with: its next stage, or
 * nothing after 通报). At both sizes the same work is due at the measured moment, Thursday
 * 10:00: 100 cases due tomorrow (due soon now) and 100 due yesterday (催办 now), each first looked
 * at now. The measured run is an ordinary tick; the day's first office-hours tick (08:35, the
 * daily digests for every station) and the tick after the measured one are printed beside it.
 * A warm-up run at 07:00 keeps the cold start out of the figures.
 *
 * The digest tick's time grows with the overdue backlog (not its calls): each head's digest
 * counts the station's overdue cases, and a count reads every matching index entry (Local
 * CloudBase even reads the documents). It runs once a day.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import tcb from '@cloudbase/node-sdk'
import { LocalCloudBase } from '../local-cloudbase/server'
import { seed, loadDemo } from '../scripts/seed'
import { WorkCalendar, addDays, shanghaiDay, shanghaiInstant } from '../server/domain/calendar'
import { officialCalendarSource } from '../server/domain/official-calendar'
import { DEFAULT_REMINDERS } from '../server/domain/notifications'
import { planWatch, workingDaysBefore } from '../server/domain/schedule'

const NOW = '2026-12-03T10:00:00+08:00' // Thursday, office hours
const calendar = new WorkCalendar(officialCalendarSource())

interface Tick {
  dbCalls: number
  ms: number
  reminders: number
  digests: number
}

interface Figures {
  open: number
  overdue: number
  daily: Tick
  measured: Tick
  next: Tick
}

async function once(root: string, open: number): Promise<Figures> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-deadlines-'))
  const lcb = await new LocalCloudBase({
    dataDir,
    port: 0,
    workerScript: path.join(root, '.build/local-cloudbase/worker.js'),
    functions: [path.join(root, 'cloudfunctions/jobs')],
    definition: JSON.parse(fs.readFileSync(path.join(root, 'database/definition.json'), 'utf8')),
  }).start()
  // Only the runs measured here: no timer firing on its own when the clock moves.
  lcb.scheduler.stop()
  const now = new Date(NOW)
  const today = shanghaiDay(now)
  lcb.clock.set(Date.parse('2026-12-03T07:00:00+08:00'))
  await seed(lcb.tcbApiUrl, root)
  const demo = loadDemo(root)
  const villages = demo.stations.filter((s) => s.tier === 'village')
  const agentOf = new Map(
    villages.map((v) => [
      v._id,
      demo.agents.find((a) => a.stationId === v._id && a.role === 'agent')?._id ?? v.headAgentId!,
    ]),
  )
  const db = tcb.init({ env: 'local', secretId: 'x', secretKey: 'y', serviceUrl: lcb.tcbApiUrl }).database()
  const overdueCount = Math.round(open * 0.1)
  const build = (n: number) => {
    // n < 100: due tomorrow; n < 200: due yesterday; then the rest of the 10% overdue (the
    // backlog); then the others, due in the coming weeks.
    const dueDay =
      n < 100
        ? calendar.addWorkingDays(today, 1).day
        : n < 200
          ? workingDaysBefore(today, 1, calendar)
          : n < 100 + overdueCount
            ? workingDaysBefore(today, 2 + (n % 40), calendar)
            : addDays(today, 10 + (n % 40))
    const dueAt = shanghaiInstant(dueDay, '17:30')
    const station = villages[n % villages.length]!
    const c = {
      state: 'accepted' as const,
      dueAt,
      dueDay,
      upper: null,
      deliveredAt: null,
      rating: null,
      reminded: [] as string[],
    }
    // The schedule as earlier runs left it: fresh cases wait since acceptance, the backlog's
    // reminders went out at their moments (so nothing of it is due at the measured run).
    let watchAt: Date | null = new Date(now.getTime() - 5 * 60_000) // accepted a moment ago
    if (n >= 200) {
      const plan = planWatch(c, now, calendar, DEFAULT_REMINDERS)
      watchAt = plan.next
      c.reminded = plan.reminded
    }
    return {
      _id: `b-${n}`,
      caseNo: `B-${n}`,
      version: 2,
      item: {
        id: 'it-MZ-003',
        code: 'MZ-003',
        name: '临时救助申请',
        category: '民政',
        tier: 'township',
        promisedDays: 5,
      },
      stationId: station._id,
      assignedAgentId: agentOf.get(station._id),
      applicant: { openid: null, name: '某', phone: '13900000000', claimCode: null },
      submittedBy: { openid: 'o-bench', agentId: null, name: '某', role: 'resident' },
      requestId: `b-${n}`,
      handling: 'promised',
      acceptedAt: new Date(dueAt.getTime() - 7 * 86_400_000),
      residentDueAt: dueAt,
      createdAt: new Date(dueAt.getTime() - 8 * 86_400_000),
      ...c,
      watchAt,
    }
  }
  for (let i = 0; i < open; i += 500) {
    await db.collection('cases').add(Array.from({ length: Math.min(500, open - i) }, (_, j) => build(i + j)))
  }
  const run = async (at: string): Promise<Tick> => {
    lcb.clock.set(Date.parse(at))
    const t0 = performance.now()
    const res = await lcb.invoke(
      'jobs',
      { Type: 'Timer', TriggerName: 'jobs', Time: new Date(lcb.clock.now()).toISOString() },
      { source: 'wx_trigger' },
    )
    const ms = performance.now() - t0
    if (!res.ok) throw new Error(`jobs failed: ${res.message}`)
    const report = JSON.parse(res.json) as { reminders: number; digests: number }
    return { ms, dbCalls: res.record.dbCalls, reminders: report.reminders, digests: report.digests }
  }
  await run('2026-12-03T07:00:00+08:00') // warm-up before office hours: cold start, nothing due
  const daily = await run('2026-12-03T08:35:00+08:00')
  const measured = await run(NOW)
  const next = await run('2026-12-03T10:10:00+08:00')
  await lcb.stop()
  fs.rmSync(dataDir, { recursive: true, force: true })
  return { open, overdue: overdueCount, daily, measured, next }
}

export async function benchDeadlines(root: string): Promise<void> {
  process.env.TENCENTCLOUD = 'true'
  process.env.SILENCE = 'true'
  console.log('\n== Deadline schedule (jobs timer), 10% overdue ==')
  // A first, discarded round warms this process (SQLite, mingo, the JIT), which would otherwise
  // make whichever size runs first look slower.
  await once(root, 1_000)
  const small = await once(root, 1_000)
  const large = await once(root, Number(process.env.BENCH_OPEN_CASES ?? 100_000))
  const tick = (t: Tick) =>
    `${String(t.dbCalls).padStart(3)} calls ${t.ms.toFixed(0).padStart(5)} ms (${t.reminders} reminders, ${t.digests} digests)`
  console.log(
    'open cases (overdue)    | 10:00 tick (measured)                     | 10:10 tick | 08:35 daily digests',
  )
  for (const f of [small, large])
    console.log(
      `${String(f.open).padStart(7)} (${String(f.overdue).padStart(6)})        | ${tick(f.measured)} | ` +
        `${f.next.dbCalls} calls ${f.next.ms.toFixed(0)} ms | ${tick(f.daily)}`,
    )
  const calls = large.measured.dbCalls / small.measured.dbCalls
  const time = large.measured.ms / small.measured.ms
  console.log(
    `ratio ${large.open / 1000}k/1k of the measured tick: database calls ${calls.toFixed(2)}, time ${time.toFixed(2)} ` +
      `(must stay under 1.5)${calls < 1.5 && time < 1.5 ? '' : '  ← ABOVE 1.5'}; ` +
      `daily-digest tick: calls ${(large.daily.dbCalls / small.daily.dbCalls).toFixed(2)}, ` +
      `time ${(large.daily.ms / small.daily.ms).toFixed(2)}`,
  )
}
