/**
 * 预约 through the real `api` and `jobs` functions on Local CloudBase with the demo district:
 * latency of a station's 14-day slot query (with and without booked counters), database calls
 * per appointment action, 100 simultaneous bookings for 5 places, and the reminder job.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { LocalCloudBase } from '../local-cloudbase/server'
import { seed } from '../scripts/seed'
import { percentile } from './local-cloudbase'

interface Reply {
  ok: boolean
  data: Record<string, unknown>
  error?: { message: string }
}

export async function benchAppointments(root: string): Promise<void> {
  process.env.TENCENTCLOUD = 'true'
  process.env.SILENCE = 'true'
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-appt-'))
  const lcb = await new LocalCloudBase({
    dataDir,
    port: 0,
    workerScript: path.join(root, '.build/local-cloudbase/worker.js'),
    functions: [path.join(root, 'cloudfunctions/api'), path.join(root, 'cloudfunctions/jobs')],
    definition: JSON.parse(fs.readFileSync(path.join(root, 'database/definition.json'), 'utf8')),
  }).start()
  // The bench runs the jobs itself: no timer catch-up runs when it moves the clock.
  lcb.scheduler.stop()
  // Tuesday 2026-12-01, 08:00 Shanghai.
  lcb.clock.set(Date.parse('2026-12-01T08:00:00+08:00'))
  await seed(lcb.tcbApiUrl, root)

  const call = async (action: string, payload: unknown, openid: string) => {
    const t0 = performance.now()
    const res = await fetch(`${lcb.gatewayUrl}/functions/api`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-wx-openid': openid },
      body: JSON.stringify({ action, payload }),
    })
    const body = (await res.json()) as Reply
    return { body, ms: performance.now() - t0, dbCalls: Number(res.headers.get('x-db-calls')) }
  }
  const must = async (action: string, payload: unknown, openid: string) => {
    const r = await call(action, payload, openid)
    if (!r.body.ok) throw new Error(`${action}: ${JSON.stringify(r.body.error)}`)
    return r
  }
  const who = { name: '王秀英', phone: '13912345678' }
  const village = 'st-qingshan-hongyan'

  console.log('\n== 预约 (demo district) ==')
  await must('appointments.slots', { stationId: village }, 'o-warm')
  const slotQuery = async (label: string, stationId: string) => {
    const lat: number[] = []
    let r = await must('appointments.slots', { stationId }, 'o-demo-resident-1')
    for (let i = 0; i < 50; i++) {
      r = await must('appointments.slots', { stationId }, 'o-demo-resident-1')
      lat.push(r.ms)
    }
    lat.sort((a, b) => a - b)
    const schedules = r.body.data.schedules as { days: { slots: unknown[] }[] }[]
    const slots = schedules.reduce((n, s) => n + s.days.reduce((m, d) => m + d.slots.length, 0), 0)
    console.log(
      `appointments.slots 14 days, ${label.padEnd(34)} ${String(slots).padStart(3)} slots  p50 ${percentile(lat, 50).toFixed(1)} ms  p95 ${percentile(lat, 95).toFixed(1)} ms  db calls ${r.dbCalls}`,
    )
  }
  await slotQuery('village (window service)', village)
  await slotQuery('township (window + 领导接待日)', 'st-qingshan')

  // Fill counters: one booking in every bookable slot of the village for the next 14 days.
  const { body } = await must('appointments.slots', { stationId: village }, 'o-demo-resident-1')
  const keys = (body.data.schedules as { days: { slots: { key: string }[] }[] }[])[0]!.days.flatMap((d) =>
    d.slots.map((s) => s.key),
  )
  for (const [i, slotKey] of keys.entries())
    await must('appointments.book', { slotKey, ...who }, `o-fill-${i}`)
  await slotQuery(`village, ${keys.length} slots with bookings`, village)

  const rows: [string, number][] = []
  const b = await must(
    'appointments.book',
    { slotKey: keys[10], ...who, itemId: 'it-MZ-003' },
    'o-demo-resident-1',
  )
  rows.push(['appointments.book (with item)', b.dbCalls])
  const moved = await must(
    'appointments.reschedule',
    { bookingId: b.body.data.id, slotKey: keys[11] },
    'o-demo-resident-1',
  )
  rows.push(['appointments.reschedule', moved.dbCalls])
  rows.push(['appointments.mine', (await must('appointments.mine', {}, 'o-demo-resident-1')).dbCalls])
  rows.push([
    'appointments.cancel',
    (await must('appointments.cancel', { bookingId: moved.body.data.id }, 'o-demo-resident-1')).dbCalls,
  ])
  const visit = await must(
    'appointments.requestVisit',
    {
      stationId: village,
      ...who,
      address: '红岩村三组 12 号',
      reason: 'elderly',
      windows: [{ day: '2026-12-02', part: 'am' }],
    },
    'o-demo-resident-2',
  )
  rows.push(['appointments.requestVisit (head notified)', visit.dbCalls])
  rows.push([
    'work.appointments (day view)',
    (await must('work.appointments', {}, 'o-demo-agent-village')).dbCalls,
  ])
  rows.push([
    'work.visits.confirm (resident notified)',
    (
      await must(
        'work.visits.confirm',
        { bookingId: visit.body.data.id, day: '2026-12-02', start: '09:30' },
        'o-demo-agent-village',
      )
    ).dbCalls,
  ])
  lcb.clock.set(Date.parse('2026-12-01T09:45:00+08:00'))
  const today = (await must('work.appointments', {}, 'o-demo-agent-village')).body.data.list as {
    id: string
  }[]
  rows.push([
    'work.appointments.mark (arrived)',
    (
      await must(
        'work.appointments.mark',
        { bookingId: today[0]!.id, outcome: 'arrived' },
        'o-demo-agent-village',
      )
    ).dbCalls,
  ])
  for (const [name, n] of rows) console.log(`${name.padEnd(44)} ${n}`)

  // 100 residents tap the same morning slot (5 places, 1 already taken) at once, with the
  // function's instances cold and then warm.
  const morning = keys.filter((k) => k.endsWith(':09:00'))
  const rush = async (label: string, slotKey: string, offset: number) => {
    const t0 = performance.now()
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        call('appointments.book', { slotKey, ...who }, `o-rush-${offset + i}`),
      ),
    )
    const wall = performance.now() - t0
    const okCount = results.filter((r) => r.body.ok).length
    const full = results.filter((r) => r.body.error?.message === '该时段已约满，请选择其他时段').length
    const lat = results.map((r) => r.ms).sort((a, b) => a - b)
    console.log(
      `appointments.book × 100 concurrent for 4 free places (${label}): ${okCount} booked, ${full} refused as full  p50 ${percentile(lat, 50).toFixed(0)} ms  p95 ${percentile(lat, 95).toFixed(0)} ms  wall ${wall.toFixed(0)} ms`,
    )
  }
  await rush('instances cold', morning.at(-1)!, 0)
  await rush('instances warm', morning.at(-2)!, 100)

  // Reminder job: every booking above starts within the next 14 days; the job reads only the
  // next 36 hours (an index range), once per kind.
  lcb.clock.set(Date.parse('2026-12-02T09:10:00+08:00'))
  const run = async () => {
    const t = performance.now()
    const r = await lcb.invoke('jobs', {}, { openid: '' })
    if (!r.ok) throw new Error(r.message)
    return {
      ms: performance.now() - t,
      dbCalls: r.record.dbCalls ?? 0,
      report: JSON.parse(r.json) as Record<string, number>,
    }
  }
  const first = await run()
  const again = await run()
  console.log(
    `jobs run with ${keys.length + 8} bookings in the next 14 days: ${first.report.appointmentReminders} reminders enqueued, ${first.dbCalls} db calls, ${first.ms.toFixed(0)} ms; rerun ${again.report.appointmentReminders} reminders, ${again.dbCalls} db calls`,
  )
  await lcb.stop()
  fs.rmSync(dataDir, { recursive: true, force: true })
}
