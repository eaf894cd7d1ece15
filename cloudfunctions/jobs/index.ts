import cloud from 'wx-server-sdk'
import { makeDeps } from '../../server/app/deps'
import { runJobs } from '../../server/jobs'
import { isTimerInvocation } from '../../server/app/timer'

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV as unknown as string })
const deps = makeDeps(cloud)

/**
 * Timer entry: deadline watch, rating window, outbox sender (see server/jobs). Only the
 * platform's timer trigger may run it: a mini-program user calling `wx.cloud.callFunction('jobs')`
 * (or anything else) is refused before any work is done.
 */
export async function main(event: unknown): Promise<unknown> {
  const wx = cloud.getWXContext()
  if (
    !isTimerInvocation(event, { openid: wx.OPENID, source: wx.SOURCE, triggerSrc: process.env.TRIGGER_SRC })
  ) {
    console.warn('[jobs] refused a call that is not the timer trigger', { source: wx.SOURCE })
    return { ok: false, error: { code: 'FORBIDDEN', message: '定时任务只能由定时触发器运行' } }
  }
  const report = await runJobs(deps, new Date())
  console.log('[jobs]', JSON.stringify(report))
  return report
}
