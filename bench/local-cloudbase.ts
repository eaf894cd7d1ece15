/**
 * Local CloudBase figures (`npm run bench`): insert and indexed-get throughput at 100k
 * documents, p50/p95 latency per SDK call, cold vs warm invocation time. Prints figures; it
 * asserts nothing — tests do that.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import tcb from '@cloudbase/node-sdk'
import { LocalCloudBase } from '../local-cloudbase/server'

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

export async function timeCalls(
  n: number,
  fn: (i: number) => Promise<unknown>,
): Promise<{ p50: number; p95: number; perSec: number }> {
  const lat: number[] = []
  const t0 = performance.now()
  for (let i = 0; i < n; i++) {
    const s = performance.now()
    await fn(i)
    lat.push(performance.now() - s)
  }
  const total = performance.now() - t0
  lat.sort((a, b) => a - b)
  return { p50: percentile(lat, 50), p95: percentile(lat, 95), perSec: (n / total) * 1000 }
}

const fmt = (x: number) => x.toFixed(2)

export async function benchLocalCloudBase(
  root: string,
  docs = Number(process.env.BENCH_DOCS ?? 100_000),
): Promise<void> {
  process.env.TENCENTCLOUD = 'true'
  process.env.SILENCE = 'true'
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lcb-bench-'))
  const lcb = await new LocalCloudBase({
    dataDir,
    port: 0,
    workerScript: path.join(root, '.build/local-cloudbase/worker.js'),
    functions: [path.join(root, 'test/fixtures/functions/probe')],
    definition: {
      collections: {
        bench: { indexes: [{ name: 'station_state', fields: ['stationId', 'state'] }] },
        probe: {},
      },
    },
  }).start()
  const db = tcb.init({ env: 'local', secretId: 'x', secretKey: 'y', serviceUrl: lcb.tcbApiUrl }).database()
  const coll = db.collection('bench')
  console.log(`\n== Local CloudBase (${docs.toLocaleString()} documents) ==`)

  const t0 = performance.now()
  const batch = 500
  for (let i = 0; i < docs; i += batch) {
    await coll.add(
      Array.from({ length: Math.min(batch, docs - i) }, (_, j) => ({
        stationId: `st-${(i + j) % 200}`,
        state: ['submitted', 'accepted', 'completed', 'rated'][(i + j) % 4],
        seq: i + j,
        title: `代理事项 ${i + j}`,
        at: new Date(),
      })),
    )
  }
  const loadMs = performance.now() - t0
  console.log(
    `bulk insert (batches of ${batch}): ${fmt((docs / loadMs) * 1000)} docs/s (${fmt(loadMs / 1000)} s)`,
  )

  const single = await timeCalls(1000, (i) =>
    coll.add({ stationId: 'st-x', state: 'submitted', seq: docs + i }),
  )
  console.log(
    `add (single doc):        ${fmt(single.perSec)} calls/s  p50 ${fmt(single.p50)} ms  p95 ${fmt(single.p95)} ms`,
  )

  const scansBefore = lcb.store.stats.fullScans
  const get = await timeCalls(1000, (i) =>
    coll
      .where({ stationId: `st-${i % 200}`, state: 'accepted' })
      .limit(20)
      .get(),
  )
  console.log(
    `indexed where().get():   ${fmt(get.perSec)} calls/s  p50 ${fmt(get.p50)} ms  p95 ${fmt(get.p95)} ms  full scans: ${lcb.store.stats.fullScans - scansBefore}`,
  )

  const ids = (await coll.limit(100).get()).data.map((d: { _id: string }) => d._id)
  const doc = await timeCalls(1000, (i) => coll.doc(ids[i % ids.length]).get())
  console.log(
    `doc(id).get():           ${fmt(doc.perSec)} calls/s  p50 ${fmt(doc.p50)} ms  p95 ${fmt(doc.p95)} ms`,
  )
  const upd = await timeCalls(1000, (i) => coll.doc(ids[i % ids.length]).update({ state: 'completed' }))
  console.log(
    `doc(id).update():        ${fmt(upd.perSec)} calls/s  p50 ${fmt(upd.p50)} ms  p95 ${fmt(upd.p95)} ms`,
  )
  const cnt = await timeCalls(200, (i) => coll.where({ stationId: `st-${i % 200}` }).count())
  console.log(
    `indexed count():         ${fmt(cnt.perSec)} calls/s  p50 ${fmt(cnt.p50)} ms  p95 ${fmt(cnt.p95)} ms`,
  )
  const scan = await timeCalls(5, () => coll.where({ title: '代理事项 77' }).get())
  console.log(
    `unindexed where().get(): p50 ${fmt(scan.p50)} ms (full scan of ${docs.toLocaleString()} docs, for contrast)`,
  )

  // Cold vs warm: a fresh deploy drops instances, so the first call after it is cold.
  const cold: number[] = []
  const warm: number[] = []
  for (let i = 0; i < 5; i++) {
    lcb.deploy(path.join(root, 'test/fixtures/functions/probe'))
    const c = await lcb.invoke('probe', { op: 'whoami' }, { openid: 'o-bench', source: 'wx_client' })
    cold.push(c.record.durationMs)
    for (let j = 0; j < 10; j++) {
      const w = await lcb.invoke('probe', { op: 'whoami' }, { openid: 'o-bench', source: 'wx_client' })
      warm.push(w.record.durationMs)
    }
  }
  cold.sort((a, b) => a - b)
  warm.sort((a, b) => a - b)
  console.log(
    `function invocation:     cold p50 ${fmt(percentile(cold, 50))} ms  warm p50 ${fmt(percentile(warm, 50))} ms  warm p95 ${fmt(percentile(warm, 95))} ms`,
  )
  const size = fs.statSync(path.join(dataDir, 'cloudbase.sqlite')).size
  console.log(`database file:           ${fmt(size / 1024 / 1024)} MB`)
  await lcb.stop()
  fs.rmSync(dataDir, { recursive: true, force: true })
}
