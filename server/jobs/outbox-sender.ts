import { randomUUID } from 'node:crypto'
import { OFFICE_HOURS_ONLY, isOfficeTime, isPermanent, nextAttempt } from '../domain/notifications'
import { nextOfficeStart } from '../domain/schedule'
import type { Share } from './budget'
import { type RunContext, stopped } from './run-context'

/** A claim on an outbox message lasts this long; then another run may take it up. */
export const CLAIM_MS = 5 * 60_000

/**
 * Sends due outbox messages, oldest moment first: claim a page in one conditional update,
 * read the recipients' grants in one read, then per message spend a one-time grant (a
 * conditional decrement) and send. Outcomes are recorded in groups (sent ones every
 * SEND_FLUSH messages, so a run that dies re-sends at most that many after its claim expires);
 * failures one by one. Transient errors back off; a claim that dies with its run expires after
 * CLAIM_MS and the message is taken up again.
 */
export async function sendOutbox(rc: RunContext, share: Share): Promise<void> {
  const { deps, now, calendar, report } = rc
  const token = randomUUID()
  const office = isOfficeTime(now, calendar)
  const seen = new Set<string>()
  for (;;) {
    // Per page: read, claim, read back, grants, two group records; per message at most spend,
    // finish, give back.
    const room = Math.floor((share.room() - 6) / 3)
    if (room < 1) return stopped(rc, 'outbox')
    const limit = Math.min(50, room)
    const due = (await deps.outbox.due(now, limit)).filter((m) => !seen.has(m._id))
    if (!due.length) return
    for (const m of due) seen.add(m._id)
    // Reminders left over after office hours wait for the next office morning, out of the way.
    const later = office ? [] : due.filter((m) => OFFICE_HOURS_ONLY.has(m.event))
    if (later.length) {
      await deps.outbox.postpone(
        later.map((m) => m._id),
        now,
        nextOfficeStart(now, calendar),
      )
      report.waiting += later.length
    }
    const ready = due.filter((m) => !later.includes(m))
    const mine = new Set(
      await deps.outbox.claim(
        ready.map((m) => m._id),
        now,
        token,
        CLAIM_MS,
      ),
    )
    const claimed = ready.filter((m) => mine.has(m._id))
    const grants = await deps.outbox.grants(
      claimed.filter((m) => m.recipientOpenid).map((m) => `${m.recipientOpenid}:${m.templateId}`),
    )
    let sent: string[] = []
    const noGrant: string[] = []
    const flush = async () => {
      if (sent.length)
        await deps.outbox.finishMany(sent, token, { status: 'sent', sentAt: now, lastError: null })
      sent = []
    }
    for (const m of claimed) {
      const g = m.recipientOpenid ? grants.get(`${m.recipientOpenid}:${m.templateId}`) : undefined
      const oneTime = !!g && !g.longTerm
      // A one-time grant is taken before the send, so two messages can never ride on one grant.
      const granted = !!g && (g.longTerm || (g.oneTime > 0 && (await deps.outbox.useOneTime(g._id))))
      if (!granted) {
        noGrant.push(m._id)
        report.skippedNoGrant += 1
        continue
      }
      let res: { errCode: number; errMsg: string }
      try {
        res = await deps.platform.sendSubscribe({
          touser: m.recipientOpenid!,
          templateId: m.templateId,
          page: m.page,
          data: m.data,
        })
      } catch (err) {
        res = { errCode: -1, errMsg: String((err as Error).message ?? err) }
      }
      const attempts = m.attempts + 1
      if (res.errCode === 0) {
        sent.push(m._id)
        report.sent += 1
        if (sent.length >= SEND_FLUSH) await flush()
        continue
      }
      // Not sent: WeChat did not use the grant, unless it says there was none (43101).
      if (oneTime && res.errCode !== 43101) await deps.outbox.returnOneTime(g._id)
      if (res.errCode === 43101) {
        await deps.outbox.finish(m._id, token, {
          status: 'skipped_no_grant',
          attempts,
          lastError: res.errMsg,
        })
        report.skippedNoGrant += 1
        continue
      }
      const next = isPermanent(res.errCode) ? null : nextAttempt(attempts, now)
      await deps.outbox.finish(
        m._id,
        token,
        next
          ? { status: 'pending', attempts, notBefore: next, lastError: res.errMsg }
          : { status: 'failed', attempts, lastError: res.errMsg },
      )
      if (next) report.retried += 1
      else report.failed += 1
    }
    await flush()
    if (noGrant.length)
      await deps.outbox.finishMany(
        noGrant,
        token,
        { status: 'skipped_no_grant', lastError: '用户未授权该订阅消息' },
        false,
      )
    if (due.length < limit) return
  }
}

/** Successful sends recorded together: at most this many are sent again if a run dies. */
const SEND_FLUSH = 10
