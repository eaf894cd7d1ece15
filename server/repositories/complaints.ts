import type { ComplaintStatus } from '../domain/complaints'
import { isDuplicateKey, type Database } from './db'
import { keysetPage, type Page } from './paging'

export interface Complaint {
  _id: string
  openid: string
  name: string
  phone: string
  /** The station complained about, and the case when there is one. */
  stationId: string
  caseId: string | null
  caseNo: string | null
  text: string
  status: ComplaintStatus
  reply: string | null
  repliedBy: string | null
  repliedAt: Date | null
  createdAt: Date
}

const dailyKey = (openid: string, day: string) => `complaints-${day}-${openid}`

export class ComplaintRepository {
  constructor(private readonly db: Database) {}

  /** Adds a complaint; false when one with this id (the same request) exists already. */
  async insert(c: Complaint): Promise<boolean> {
    try {
      await this.db.collection('complaints').add({ data: c })
      return true
    } catch (err) {
      if (isDuplicateKey(err)) return false
      throw err
    }
  }

  async get(id: string): Promise<Complaint | null> {
    const { data } = await this.db.collection('complaints').where({ _id: id }).limit(1).get()
    return (data[0] as unknown as Complaint | undefined) ?? null
  }

  /** A resident's complaints, newest first, a page at a time. */
  async mine(openid: string, cursor: string | null, limit: number): Promise<Page<Complaint>> {
    return keysetPage<Complaint>(
      this.db,
      'complaints',
      { openid },
      { field: 'createdAt', dir: 'desc' },
      cursor,
      limit,
    )
  }

  /**
   * Takes one of the resident's `limit` complaints of `day` (Shanghai): a conditional increment
   * of a per-resident-per-day counter, so simultaneous submits cannot all pass a count that was
   * read before any of them was saved. False when the day's allowance is used up.
   */
  async takeDaily(openid: string, day: string, limit: number): Promise<boolean> {
    const _ = this.db.command
    const id = dailyKey(openid, day)
    for (let attempt = 0; attempt < 3; attempt++) {
      const res = await this.db
        .collection('counters')
        .where({ _id: id, n: _.lt(limit) })
        .update({ data: { n: _.inc(1) } })
      if (res.stats.updated === 1) return true
      const { data } = await this.db.collection('counters').where({ _id: id }).limit(1).get()
      if (data.length) return false
      try {
        await this.db.collection('counters').add({ data: { _id: id, n: 1 } })
        return true
      } catch (err) {
        if (!isDuplicateKey(err)) throw err
        // Another submit created the counter first: try the conditional increment again.
      }
    }
    return false
  }

  /** Gives a taken allowance back (the complaint was not filed after all). */
  async releaseDaily(openid: string, day: string): Promise<void> {
    const _ = this.db.command
    await this.db
      .collection('counters')
      .where({ _id: dailyKey(openid, day), n: _.gt(0) })
      .update({ data: { n: _.inc(-1) } })
  }

  /** Complaints (of one status, or all), newest first, a page at a time (index: status, createdAt). */
  async byStatus(
    status: ComplaintStatus | null,
    cursor: string | null,
    limit: number,
  ): Promise<Page<Complaint>> {
    return keysetPage<Complaint>(
      this.db,
      'complaints',
      status ? { status } : {},
      { field: 'createdAt', dir: 'desc' },
      cursor,
      limit,
    )
  }

  async countOpen(): Promise<number> {
    const { total } = await this.db.collection('complaints').where({ status: 'open' }).count()
    return total
  }

  /** Records the reply once: a second supervisor answering at the same moment gets false. */
  async reply(id: string, reply: string, by: string, at: Date): Promise<boolean> {
    const res = await this.db
      .collection('complaints')
      .where({ _id: id, status: 'open' })
      .update({ data: { status: 'replied', reply, repliedBy: by, repliedAt: at } })
    return res.stats.updated === 1
  }
}
