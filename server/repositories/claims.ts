import { isDuplicateKey, type Database } from './db'

/**
 * 认领码 of cases an agent filed on a resident's behalf. The code is the document id, so it is
 * unique by construction; it expires, and wrong phone numbers against it are counted so that a
 * guessed code cannot be probed for its phone.
 */
export interface ClaimCodeRecord {
  _id: string
  caseId: string
  createdAt: Date
  expiresAt: Date
  /** Wrong phone numbers entered against this code. */
  failures: number
  /** Set when claimed, replaced by a new code, or locked after too many wrong phones. */
  closedAt: Date | null
  closedReason: 'claimed' | 'replaced' | 'locked' | null
}

export class ClaimRepository {
  constructor(private readonly db: Database) {}

  /** Inserts a new code; false when the code is taken (the caller draws another). */
  async create(c: ClaimCodeRecord): Promise<boolean> {
    const { _id, ...data } = c
    try {
      await this.db.collection('claim_codes').add({ data: { _id, ...data } })
      return true
    } catch (err) {
      if (isDuplicateKey(err)) return false
      throw err
    }
  }

  async get(code: string): Promise<ClaimCodeRecord | null> {
    const { data } = await this.db.collection('claim_codes').where({ _id: code }).limit(1).get()
    return (data[0] as unknown as ClaimCodeRecord | undefined) ?? null
  }

  /** Counts a wrong phone atomically; true when this failure locked the code. */
  async fail(code: string, maxFailures: number, now: Date): Promise<boolean> {
    const _ = this.db.command
    await this.db
      .collection('claim_codes')
      .where({ _id: code, closedAt: null })
      .update({ data: { failures: _.inc(1) } })
    const res = await this.db
      .collection('claim_codes')
      .where({ _id: code, closedAt: null, failures: _.gte(maxFailures) })
      .update({ data: { closedAt: now, closedReason: 'locked' } })
    return res.stats.updated === 1
  }

  async close(code: string, reason: 'claimed' | 'replaced', now: Date): Promise<void> {
    await this.db
      .collection('claim_codes')
      .where({ _id: code, closedAt: null })
      .update({ data: { closedAt: now, closedReason: reason } })
  }

  /**
   * Takes one of `limit` attempts of a counter window (per user per day): a conditional
   * increment, so parallel attempts cannot overrun the limit. False when none is left.
   */
  async takeAttempt(key: string, limit: number, now: Date): Promise<boolean> {
    const _ = this.db.command
    const coll = this.db.collection('claim_attempts')
    const res = await coll.where({ _id: key, n: _.lt(limit) }).update({ data: { n: _.inc(1) } })
    if (res.stats.updated === 1) return true
    try {
      await coll.add({ data: { _id: key, n: 1, createdAt: now } })
      return true
    } catch (err) {
      if (!isDuplicateKey(err)) throw err
      // Created meanwhile by a parallel attempt, or the window is used up.
      const again = await coll.where({ _id: key, n: _.lt(limit) }).update({ data: { n: _.inc(1) } })
      return again.stats.updated === 1
    }
  }
}
