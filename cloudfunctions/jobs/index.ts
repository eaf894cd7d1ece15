import cloud from 'wx-server-sdk'
import { makeDeps } from '../../server/app/deps'
import { runJobs } from '../../server/jobs'

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV as unknown as string })
const deps = makeDeps(cloud)

/** Timer entry: deadline watch, rating window, outbox sender (see server/jobs). */
export async function main(): Promise<unknown> {
  const report = await runJobs(deps, new Date())
  console.log('[jobs]', JSON.stringify(report))
  return report
}
