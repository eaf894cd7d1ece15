import type { NotifyEvent } from '../domain/notifications'
import { addNew, isDuplicateKey, fetchAll, type Database } from './db'

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
  /**
   * The earliest moment the message may be sent: its office-hours moment for reminders, the
   * next retry after a transient failure, or the end of a sender's claim while `sending`.
   */
  notBefore: Date
  /** The claim of the sender working on it (a claim that expired is taken up again). */
  claimToken?: string | null
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

/** Documents per insert call: a page of reminders is far below the 1 MB request limit. */
const INSERT_CHUNK = 100

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

  /**
   * Adds many messages in as few calls as possible (one insert per 100), skipping keys that
   * exist already: a run that died between queuing and moving its cases on, or an overlapping
   * run, must not make the whole batch fail. Returns how many were new.
   */
  async enqueueMany(ms: OutboxMessage[]): Promise<number> {
    let added = 0
    for (let i = 0; i < ms.length; i += INSERT_CHUNK)
      added += await addNew(this.db, 'outbox', ms.slice(i, i + INSERT_CHUNK))
    return added
  }

  /**
   * Messages that may be sent now, oldest moment first (index status+notBefore). A `sending`
   * message whose claim has expired (its sender died) is due again; messages waiting for office
   * hours carry a later `notBefore` and never stand in front of the others.
   */
  async due(now: Date, limit = 50): Promise<OutboxMessage[]> {
    const _ = this.db.command
    const { data } = await this.db
      .collection('outbox')
      .where({ status: _.in(['pending', 'sending']), notBefore: _.lte(now) })
      .orderBy('notBefore', 'asc')
      .limit(limit)
      .get()
    return data as unknown as OutboxMessage[]
  }

  /** Messages queued before `notBefore` existed become due now (one bulk update). */
  async adoptUndated(now: Date): Promise<number> {
    const _ = this.db.command
    const res = await this.db
      .collection('outbox')
      .where({ status: _.in(['pending', 'sending']), notBefore: null })
      .update({ data: { status: 'pending', notBefore: now } })
    return res.stats.updated
  }

  /**
   * Claims due messages for one sender in one conditional update: each document moves to
   * `sending` with `notBefore` at the end of the claim only if it is still due, so two senders
   * never hold the same message; an expired claim is due again. Returns the ids claimed.
   */
  async claim(ids: string[], now: Date, token: string, leaseMs: number): Promise<string[]> {
    if (!ids.length) return []
    const _ = this.db.command
    const res = await this.db
      .collection('outbox')
      .where({ _id: _.in(ids), status: _.in(['pending', 'sending']), notBefore: _.lte(now) })
      .update({
        data: {
          status: 'sending',
          claimToken: token,
          claimedAt: now,
          notBefore: new Date(now.getTime() + leaseMs),
        },
      })
    if (res.stats.updated === ids.length) return ids
    if (res.stats.updated === 0) return []
    // Another sender took some of them: read back which are ours.
    const { data } = await this.db
      .collection('outbox')
      .where({ _id: _.in(ids), claimToken: token })
      .field({ _id: true })
      .limit(ids.length)
      .get()
    return data.map((d) => String(d._id))
  }

  /** Records the outcome, only while the claim is still this sender's. */
  async finish(id: string, token: string, patch: Partial<OutboxMessage>): Promise<boolean> {
    const res = await this.db
      .collection('outbox')
      .where({ _id: id, claimToken: token, status: 'sending' })
      .update({ data: { ...patch, claimToken: null } })
    return res.stats.updated === 1
  }

  /**
   * Records the same outcome for many messages of one sender in one update (a page's successful
   * sends): only those still claimed by it; each attempt counted unless none was made. Returns how many were recorded.
   */
  async finishMany(
    ids: string[],
    token: string,
    patch: Partial<OutboxMessage>,
    /** Whether a send was attempted (not for messages skipped before sending). */
    attempted = true,
  ): Promise<number> {
    if (!ids.length) return 0
    const _ = this.db.command
    const res = await this.db
      .collection('outbox')
      .where({ _id: _.in(ids), claimToken: token, status: 'sending' })
      .update({ data: { ...patch, ...(attempted ? { attempts: _.inc(1) } : {}), claimToken: null } })
    return res.stats.updated
  }

  /**
   * Moves office-hours messages that were not sent in time to their next moment (one update);
   * only while still due, so a live claim is never taken from its sender.
   */
  async postpone(ids: string[], now: Date, notBefore: Date): Promise<void> {
    if (!ids.length) return
    const _ = this.db.command
    await this.db
      .collection('outbox')
      .where({ _id: _.in(ids), status: _.in(['pending', 'sending']), notBefore: _.lte(now) })
      .update({ data: { status: 'pending', claimToken: null, notBefore } })
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

  /** Grants of several users and templates in one read, by `openid:templateId`. */
  async grants(keys: string[]): Promise<Map<string, Grant>> {
    const out = new Map<string, Grant>()
    const unique = [...new Set(keys)]
    if (!unique.length) return out
    const _ = this.db.command
    const { data } = await this.db
      .collection('grants')
      .where({ _id: _.in(unique) })
      .limit(unique.length)
      .get()
    for (const g of data as unknown as Grant[]) out.set(g._id, g)
    return out
  }

  /** The user's grant for a template, if any remains (long-term, or one-time left). */
  async grant(openid: string, templateId: string): Promise<Grant | null> {
    const g = (await this.grants([`${openid}:${templateId}`])).get(`${openid}:${templateId}`)
    return g && (g.longTerm || g.oneTime > 0) ? g : null
  }

  /**
   * Takes one one-time grant before a send (as WeChat uses one up per message): a conditional
   * decrement, so two senders can never spend the same grant. False when none is left.
   */
  async useOneTime(grantId: string): Promise<boolean> {
    const _ = this.db.command
    const res = await this.db
      .collection('grants')
      .where({ _id: grantId, oneTime: _.gt(0) })
      .update({ data: { oneTime: _.inc(-1) } })
    return res.stats.updated === 1
  }

  /** Gives a one-time grant back when the send did not go through (WeChat did not use it). */
  async returnOneTime(grantId: string): Promise<void> {
    const _ = this.db.command
    await this.db
      .collection('grants')
      .where({ _id: grantId })
      .update({ data: { oneTime: _.inc(1) } })
  }
}
