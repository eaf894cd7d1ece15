/**
 * The product's actions through the real `api` function on Local CloudBase with the demo
 * district: database calls per action (the platform bills them) and submit latency under
 * 50 concurrent residents.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { LocalCloudBase } from '../local-cloudbase/server'
import { seed } from '../scripts/seed'
import { percentile } from './local-cloudbase'

interface Reply {
  ok: boolean
  data: { id: string; version: number }
  error?: unknown
}

export async function benchCases(root: string): Promise<void> {
  process.env.TENCENTCLOUD = 'true'
  process.env.SILENCE = 'true'
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cases-'))
  const lcb = await new LocalCloudBase({
    dataDir,
    port: 0,
    workerScript: path.join(root, '.build/local-cloudbase/worker.js'),
    functions: [path.join(root, 'cloudfunctions/api')],
    definition: JSON.parse(fs.readFileSync(path.join(root, 'database/definition.json'), 'utf8')),
  }).start()
  lcb.clock.set(Date.parse('2026-11-30T10:00:00+08:00'))
  await seed(lcb.tcbApiUrl, root)

  const call = async (action: string, payload: unknown, openid: string, requestId?: string) => {
    const t0 = performance.now()
    const res = await fetch(`${lcb.gatewayUrl}/functions/api`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-wx-openid': openid },
      body: JSON.stringify({ action, payload, ...(requestId ? { requestId } : {}) }),
    })
    const body = (await res.json()) as Reply
    if (!body.ok) throw new Error(`${action}: ${JSON.stringify(body.error)}`)
    return { body, ms: performance.now() - t0, dbCalls: Number(res.headers.get('x-db-calls')) }
  }
  const submitPayload = (i: number) => ({
    itemId: 'it-MZ-001',
    stationId: 'st-qingshan-hongyan',
    description: '想咨询低保办理',
    applicantName: `群众${i}`,
    applicantPhone: `139${String(10000000 + i)}`,
  })

  console.log('\n== Actions of `api` (demo district) — database calls per action ==')
  await call('catalog.list', {}, 'o-warm') // warm the instance
  const rows: [string, number][] = []
  const catalog = await call(
    'catalog.list',
    { stationId: 'st-qingshan-hongyan', keyword: 'dbsq' },
    'o-demo-resident-1',
  )
  rows.push(['catalog.list (station + keyword)', catalog.dbCalls])
  rows.push(['stations.get', (await call('stations.get', { code: 'QS-HY' }, 'o-demo-resident-1')).dbCalls])
  const sub = await call('cases.submit', submitPayload(0), 'o-demo-resident-1', 'bench-0')
  rows.push(['cases.submit (paired agent)', sub.dbCalls])
  rows.push([
    'cases.submit (retry, same request id)',
    (await call('cases.submit', submitPayload(0), 'o-demo-resident-1', 'bench-0')).dbCalls,
  ])
  rows.push(['work.inbox', (await call('work.inbox', { tab: 'pending' }, 'o-demo-agent-village')).dbCalls])
  let c = sub.body.data
  const step = async (action: string, payload: Record<string, unknown>, openid: string) => {
    const r = await call(action, { caseId: c.id, version: c.version, ...payload }, openid)
    c = r.body.data
    rows.push([action, r.dbCalls])
  }
  await step('cases.accept', { handling: 'promised' }, 'o-demo-agent-village')
  await step('cases.complete', { result: '已办结' }, 'o-demo-agent-village')
  await step('cases.deliver', {}, 'o-demo-agent-village')
  const rate = await call('cases.rate', { caseId: c.id, level: 'satisfied' }, 'o-demo-resident-1')
  rows.push(['cases.rate', rate.dbCalls])
  rows.push([
    'cases.get (with timeline)',
    (await call('cases.get', { caseId: c.id }, 'o-demo-resident-1')).dbCalls,
  ])
  for (const [name, n] of rows) console.log(`${name.padEnd(40)} ${n}`)

  // 50 residents submit at once (distinct people, one station): the platform runs several
  // instances; Local CloudBase caps at 16 per function, so some wait — as they would at a
  // concurrency limit.
  const burst = async (label: string, offset: number) => {
    const lat: number[] = []
    const t0 = performance.now()
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        call(
          'cases.submit',
          submitPayload(offset + i),
          `o-bench-${offset + i}`,
          `bench-c-${offset + i}`,
        ).then((r) => lat.push(r.ms)),
      ),
    )
    const wall = performance.now() - t0
    lat.sort((a, b) => a - b)
    const failed = results.filter((r) => r.status === 'rejected').length
    console.log(
      `cases.submit × 50 concurrent (${label}): p50 ${percentile(lat, 50).toFixed(1)} ms  p95 ${percentile(lat, 95).toFixed(1)} ms  wall ${wall.toFixed(0)} ms  failed ${failed}`,
    )
  }
  await burst('instances cold', 100)
  await burst('instances warm', 200)
  await lcb.stop()
  fs.rmSync(dataDir, { recursive: true, force: true })
}
