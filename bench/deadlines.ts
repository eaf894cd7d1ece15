/**
 * Deadline watch cost: database reads and time of one `jobs` run with 1k vs 100k open cases,
 * of which the same 100 are due soon. Reads go through the state+due index, so the cost should
 * stay nearly flat as open cases grow.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import tcb from '@cloudbase/node-sdk'
import { LocalCloudBase } from '../local-cloudbase/server'
import { seed } from '../scripts/seed'

async function once(root: string, open: number): Promise<string> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-deadlines-'))
  const lcb = await new LocalCloudBase({
    dataDir,
    port: 0,
    workerScript: path.join(root, '.build/local-cloudbase/worker.js'),
    functions: [path.join(root, 'cloudfunctions/jobs')],
    definition: JSON.parse(fs.readFileSync(path.join(root, 'database/definition.json'), 'utf8')),
  }).start()
  const now = Date.parse('2026-12-03T10:00:00+08:00') // Thursday, office hours
  lcb.clock.set(now)
  await seed(lcb.tcbApiUrl, root)
  const db = tcb.init({ env: 'local', secretId: 'x', secretKey: 'y', serviceUrl: lcb.tcbApiUrl }).database()
  const base = {
    state: 'accepted',
    stationId: 'st-qingshan-hongyan',
    assignedAgentId: 'ag-qs-hy-2',
    item: {
      id: 'it-MZ-003',
      code: 'MZ-003',
      name: '临时救助申请',
      category: '民政',
      tier: 'township',
      promisedDays: 5,
    },
    applicant: { openid: null, name: '某', phone: '13900000000', claimCode: null },
    caseNo: 'B',
    version: 1,
  }
  const batch = 500
  for (let i = 0; i < open; i += batch) {
    await db.collection('cases').add(
      Array.from({ length: Math.min(batch, open - i) }, (_, j) => {
        const n = i + j
        // The first 100 are due tomorrow; the rest weeks away.
        const soon = n < 100
        const due = new Date(now + (soon ? 1 : 30 + (n % 30)) * 86_400_000)
        return {
          ...base,
          _id: `b-${n}`,
          submittedBy: { openid: 'o-bench', agentId: null, name: '某', role: 'resident' },
          requestId: `b-${n}`,
          dueAt: due,
          dueDay: due.toISOString().slice(0, 10),
        }
      }),
    )
  }
  const t0 = performance.now()
  const res = await lcb.invoke('jobs', { Type: 'Timer' }, { source: 'wx_timer' })
  const ms = performance.now() - t0
  const report = res.ok ? (JSON.parse(res.json) as { watched: number; reminders: number }) : null
  await lcb.stop()
  fs.rmSync(dataDir, { recursive: true, force: true })
  return `${String(open).padStart(7)} open cases: watched ${report?.watched}, reminders ${report?.reminders}, database calls ${res.record.dbCalls}, ${ms.toFixed(0)} ms (incl. cold start)`
}

export async function benchDeadlines(root: string): Promise<void> {
  process.env.TENCENTCLOUD = 'true'
  process.env.SILENCE = 'true'
  console.log('\n== Deadline watch (jobs timer) ==')
  for (const n of [1_000, Number(process.env.BENCH_OPEN_CASES ?? 100_000)]) console.log(await once(root, n))
}
