import { rectifyDue } from '../domain/rectification'
import { isOfficeTime } from '../domain/notifications'
import { enqueue } from '../kit/notify'
import type { Share } from './budget'
import { type RunContext, stopped } from './run-context'

/**
 * 整改 past its working days and still with the head: the supervisors are told once per task
 * (in office hours), so a 差评 cannot be left to lie.
 */
export async function rectifyWatch(rc: RunContext, share: Share): Promise<void> {
  const { deps, now, calendar, report } = rc
  // Tasks waiting for the resident's verdict close on their own after the rating window.
  if (!share.fits(2)) return stopped(rc, 'rectify')
  const { ratingWindowDays } = await rc.thresholds()
  const room = Math.min(100, share.room() - 1)
  if (room < 1) return stopped(rc, 'rectify')
  for (const r of await deps.rectifications.visitedBefore(
    new Date(now.getTime() - ratingWindowDays * 86_400_000),
    room,
  )) {
    if (!share.fits(1)) return stopped(rc, 'rectify')
    if (await deps.rectifications.advance(r._id, 'visited', 'closed', { autoClosed: true }, null))
      report.rectifyClosed += 1
  }
  // A changed 整改 period: due dates of open tasks recomputed from their opening, a batch a run.
  if (!share.fits(2)) return stopped(rc, 'rectify')
  const replan = await deps.rectifications.toReplan(now, Math.min(50, share.room() - 1))
  if (replan.length) {
    const { rectifyDays } = await rc.thresholds()
    for (const r of replan) {
      if (!share.fits(1)) return stopped(rc, 'rectify')
      await deps.rectifications.replanned(r, rectifyDue(new Date(r.openedAt), calendar, rectifyDays))
    }
  }
  if (!isOfficeTime(now, calendar)) return
  if (!share.fits(3)) return stopped(rc, 'rectify')
  const late = await deps.rectifications.overdueUnreported(now, 20)
  if (!late.length) return
  // Every supervisor, linked to WeChat or not: an unlinked one is recorded in the outbox as
  // skipped, so "reported" is never silently "nobody was told".
  const [supervisors, templates] = await Promise.all([
    deps.network.agentsByRole('supervisor'),
    rc.templates(),
  ])
  for (const r of late) {
    if (!share.fits(supervisors.length + 1)) return stopped(rc, 'rectify')
    let queued = supervisors.length > 0
    for (const s of supervisors) {
      queued =
        (await enqueue(
          deps,
          now,
          {
            event: 'rectifyOverdue',
            key: `${r._id}:rectifyOverdue:${s._id}`,
            recipient: s.openid ?? null,
            caseId: r.caseId,
            query: '',
            vars: { itemName: r.itemName, caseNo: r.caseNo ?? '—', dueDay: r.dueDay, state: '整改超期' },
          },
          templates,
          calendar,
        )) && queued
    }
    // Marked only once every notice is in the outbox; otherwise the next run tries again.
    if (!queued) continue
    await deps.rectifications.markOverdueNotified(r._id)
    report.rectifyOverdue += 1
  }
}
