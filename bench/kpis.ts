/**
 * 六项指标 cost: latency and database calls of `supervise.kpis` for a quarter with 2k and 20k
 * cases in it (and as many in other quarters, which the createdAt index keeps out of reach).
 * The case counts are one aggregation, so the calls stay flat as cases grow.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import tcb from '@cloudbase/node-sdk'
import { LocalCloudBase } from '../local-cloudbase/server'
import { seed } from '../scripts/seed'
import { percentile } from './local-cloudbase'

const STATES = ['submitted', 'accepted', 'completed', 'delivered', 'rated', 'rejected', 'withdrawn'] as const

async function once(root: string, inQuarter: number): Promise<string> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-kpis-'))
  const lcb = await new LocalCloudBase({
    dataDir,
    port: 0,
    workerScript: path.join(root, '.build/local-cloudbase/worker.js'),
    functions: [path.join(root, 'cloudfunctions/api')],
    definition: JSON.parse(fs.readFileSync(path.join(root, 'database/definition.json'), 'utf8')),
  }).start()
  lcb.scheduler.stop()
  lcb.clock.set(Date.parse('2026-12-20T10:00:00+08:00'))
  await seed(lcb.tcbApiUrl, root)
  const db = tcb.init({ env: 'local', secretId: 'x', secretKey: 'y', serviceUrl: lcb.tcbApiUrl }).database()
  const stations = (await db.collection('stations').limit(100).get()).data.map((s) => String(s._id))
  const q4 = Date.parse('2026-10-01T00:00:00+08:00')
  const q3 = Date.parse('2026-07-01T00:00:00+08:00')
  const batch = 1000
  for (const [offset, from] of [
    [0, q4],
    [inQuarter, q3],
  ] as const) {
    for (let i = 0; i < inQuarter; i += batch) {
      await db.collection('cases').add(
        Array.from({ length: Math.min(batch, inQuarter - i) }, (_, j) => {
          const n = offset + i + j
          const state = STATES[n % STATES.length]!
          const at = new Date(from + (n % 80) * 86_400_000)
          const done = ['completed', 'delivered', 'rated'].includes(state)
          return {
            _id: `k-${n}`,
            stationId: stations[n % stations.length],
            state,
            createdAt: at,
            acceptedAt: state === 'submitted' || state === 'rejected' || state === 'withdrawn' ? null : at,
            completedAt: done ? at : null,
            onTime: done ? n % 5 !== 0 : null,
            rating:
              state === 'rated'
                ? {
                    level: n % 4 === 0 ? 'dissatisfied' : 'satisfied',
                    isDefault: n % 3 === 0,
                    tags: [],
                    comment: '',
                    at,
                  }
                : null,
          }
        }),
      )
    }
  }
  const call = async () => {
    const t0 = performance.now()
    const res = await fetch(`${lcb.gatewayUrl}/functions/api`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-wx-openid': 'o-demo-supervisor' },
      body: JSON.stringify({ action: 'supervise.kpis', payload: { kind: 'quarter' } }),
    })
    const body = (await res.json()) as { ok: boolean; data: { district: { counts: { submitted: number } } } }
    if (!body.ok) throw new Error(JSON.stringify(body))
    return { ms: performance.now() - t0, dbCalls: Number(res.headers.get('x-db-calls')), body }
  }
  const first = await call()
  const lat: number[] = []
  let last = first
  for (let i = 0; i < 5; i++) {
    last = await call()
    lat.push(last.ms)
  }
  lat.sort((a, b) => a - b)
  await lcb.stop()
  fs.rmSync(dataDir, { recursive: true, force: true })
  return `supervise.kpis (quarter) with ${String(inQuarter).padStart(6)} cases in the quarter (+${inQuarter} outside): ${last.body.data.district.counts.submitted} counted, database calls ${last.dbCalls}, p50 ${percentile(lat, 50).toFixed(0)} ms (cold ${first.ms.toFixed(0)} ms)`
}

export async function benchKpis(root: string): Promise<void> {
  process.env.TENCENTCLOUD = 'true'
  process.env.SILENCE = 'true'
  console.log('\n== 六项指标 ==')
  for (const n of [2_000, 20_000]) console.log(await once(root, n))
}
