import type { NotifyEvent } from '../domain/notifications'
import { isDuplicateKey, fetchAll, type Database } from './db'

export type OutboxStatus =
  'pending' | 'sending' | 'sent' | 'failed' | 'skipped_no_grant' | 'skipped_no_recipient'

/** One notification; `_id` is its idempotency key, so one event never notifies twice. */
export interface OutboxMessage {
  _id: string
  event: NotifyEvent
  recipientOpenid: string | null
  caseId: string
  templateId: string
  page: string
  data: Record<string, { value: string }>
  status: OutboxStatus
  attempts: number
  nextAttemptAt: Date
  lastError: string | null
  createdAt: Date
  sentAt: Date | null
}

export interface Grant {
  _id: string
  openid: string
  templateId: string
  /** One-time grants left (each accepted wx.requestSubscribeMessage adds one). */
  oneTime: number
  longTerm: boolean
}

/** The notification outbox and users' subscribe-message grants. */
export class OutboxRepository {
  constructor(private readonly db: Database) {}

  /** Adds a message unless one with the same key exists; returns whether it was new. */
  async enqueue(m: OutboxMessage): Promise<boolean> {
    const { _id, ...data } = m
    try {
      await this.db.collection('outbox').add({ data: { _id, ...data } })
      return true
    } catch (err) {
      if (isDuplicateKey(err)) return false
      throw err
    }
  }

  async due(now: Date, limit = 50): Promise<OutboxMessage[]> {
    const _ = this.db.command
    const { data } = await this.db
      .collection('outbox')
      .where({ status: 'pending', nextAttemptAt: _.lte(now) })
      .orderBy('nextAttemptAt', 'asc')
      .limit(limit)
      .get()
    return data as unknown as OutboxMessage[]
  }

  /** Claims a pending message for sending; false if another sender took it first. */
  async claim(id: string, now: Date): Promise<boolean> {
    const res = await this.db
      .collection('outbox')
      .where({ _id: id, status: 'pending' })
      .update({ data: { status: 'sending', claimedAt: now } })
    return res.stats.updated === 1
  }

  async finish(id: string, patch: Partial<OutboxMessage>): Promise<void> {
    await this.db.collection('outbox').doc(id).update({ data: patch })
  }

  async forRecipient(openid: string, limit = 50): Promise<OutboxMessage[]> {
    return fetchAll<OutboxMessage>(
      this.db.collection('outbox').where({ recipientOpenid: openid }).orderBy('createdAt', 'desc'),
      limit,
    )
  }

  // ---- grants ----

  async addGrants(openid: string, templateIds: string[], longTerm: boolean): Promise<void> {
    const _ = this.db.command
    for (const templateId of templateIds) {
      const id = `${openid}:${templateId}`
      const res = await this.db
        .collection('grants')
        .where({ _id: id })
        .update({ data: longTerm ? { longTerm: true } : { oneTime: _.inc(1) } })
      if (res.stats.updated === 0) {
        await this.db
          .collection('grants')
          .add({ data: { _id: id, openid, templateId, oneTime: longTerm ? 0 : 1, longTerm } })
          .catch(async (err) => {
            // Two taps raced to create it: count this grant on the existing record.
            if (!isDuplicateKey(err)) throw err
            await this.db
              .collection('grants')
              .where({ _id: id })
              .update({ data: longTerm ? { longTerm: true } : { oneTime: _.inc(1) } })
          })
      }
    }
  }

  /** The user's grant for a template, if any remains (long-term, or one-time left). */
  async grant(openid: string, templateId: string): Promise<Grant | null> {
    const { data } = await this.db
      .collection('grants')
      .where({ _id: `${openid}:${templateId}` })
      .limit(1)
      .get()
    const g = data[0] as unknown as Grant | undefined
    return g && (g.longTerm || g.oneTime > 0) ? g : null
  }

  /** A successful send uses up one one-time grant (as WeChat does); long-term grants stay. */
  async useOneTime(g: Grant): Promise<void> {
    if (g.longTerm) return
    const _ = this.db.command
    await this.db
      .collection('grants')
      .where({ _id: g._id, oneTime: _.gt(0) })
      .update({ data: { oneTime: _.inc(-1) } })
  }
}
