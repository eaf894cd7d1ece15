import type { ComplaintStatus } from '../domain/complaints'
import { isDuplicateKey, type Database } from './db'

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

  async mine(openid: string): Promise<Complaint[]> {
    const { data } = await this.db
      .collection('complaints')
      .where({ openid })
      .orderBy('createdAt', 'desc')
      .limit(50)
      .get()
    return data as unknown as Complaint[]
  }

  async countSince(openid: string, since: Date): Promise<number> {
    const _ = this.db.command
    const { total } = await this.db
      .collection('complaints')
      .where({ openid, createdAt: _.gte(since) })
      .count()
    return total
  }

  async byStatus(status: ComplaintStatus | null, limit: number): Promise<Complaint[]> {
    const { data } = await this.db
      .collection('complaints')
      .where(status ? { status } : {})
      .orderBy('createdAt', 'desc')
      .limit(limit)
      .get()
    return data as unknown as Complaint[]
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
