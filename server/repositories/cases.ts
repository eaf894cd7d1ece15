import type { CaseEvent, CaseRecord } from '../../typings/domain'
import type { CaseState } from '../domain/case-states'
import { OPEN_STATES } from '../domain/case-states'
import { AppError, conflict, notFound } from '../lib/errors'
import type { Database, Row } from './db'

export interface InboxQuery {
  stationId: string
  agentId?: string
  states: CaseState[]
  dueBefore?: Date
  dueAfter?: Date
}

/** Cases and their timeline. Every state change and its event are written in one transaction. */
export class CaseRepository {
  constructor(private readonly db: Database) {}

  async get(id: string): Promise<CaseRecord | null> {
    const { data } = await this.db.collection('cases').where({ _id: id }).limit(1).get()
    return (data[0] as unknown as CaseRecord | undefined) ?? null
  }

  /** A retried submit with the same client request id returns the first case. */
  async byRequestId(submitterOpenid: string, requestId: string): Promise<CaseRecord | null> {
    const { data } = await this.db
      .collection('cases')
      .where({ 'submittedBy.openid': submitterOpenid, requestId })
      .limit(1)
      .get()
    return (data[0] as unknown as CaseRecord | undefined) ?? null
  }

  async events(caseId: string): Promise<CaseEvent[]> {
    const { data } = await this.db
      .collection('case_events')
      .where({ caseId })
      .orderBy('at', 'asc')
      .limit(100)
      .get()
    return data as unknown as CaseEvent[]
  }

  /**
   * Creates the case with its 受理编号 (a per-day counter, e.g. 20261201-0007) and its first
   * timeline event in one transaction; concurrent submits get distinct numbers (the counter
   * read conflicts and the SDK retries).
   */
  async create(
    c: Omit<CaseRecord, 'caseNo'>,
    day: string,
    event: Omit<CaseEvent, '_id' | 'caseId'>,
  ): Promise<CaseRecord> {
    const { _id, ...data } = c
    return this.db.runTransaction(async (tx) => {
      const counter = tx.collection('counters').doc(`caseno-${day}`)
      const cur = (await counter.get().catch(() => ({ data: null }))).data as unknown as { n: number } | null
      const n = (cur?.n ?? 0) + 1
      const caseNo = `${day.replace(/-/g, '')}-${String(n).padStart(4, '0')}`
      await counter.set({ data: { n } })
      await tx
        .collection('cases')
        .doc(_id)
        .set({ data: { ...data, caseNo } })
      await tx.collection('case_events').add({ data: { ...event, caseId: _id } })
      return { ...c, caseNo }
    }, 10)
  }

  /**
   * Applies a transition if the case is still at `expectedVersion`: the patch and the timeline
   * event land together or not at all. A stale version (someone else acted first) is CONFLICT.
   */
  async transition(
    id: string,
    expectedVersion: number,
    decide: (c: CaseRecord) => { patch: Partial<CaseRecord>; event: Omit<CaseEvent, '_id' | 'caseId'> },
  ): Promise<CaseRecord> {
    try {
      return await this.transitionOnce(id, expectedVersion, decide)
    } catch (err) {
      // Another transition committed first on this case (document-level conflict at commit).
      if ((err as { code?: string }).code === 'DATABASE_TRANSACTION_CONFLICT') {
        throw conflict('该申请已被他人处理，请刷新后查看最新状态')
      }
      throw err
    }
  }

  private transitionOnce(
    id: string,
    expectedVersion: number,
    decide: (c: CaseRecord) => { patch: Partial<CaseRecord>; event: Omit<CaseEvent, '_id' | 'caseId'> },
  ): Promise<CaseRecord> {
    return this.db.runTransaction(async (tx) => {
      const ref = tx.collection('cases').doc(id)
      const cur = (await ref.get().catch(() => ({ data: null }))).data as unknown as CaseRecord | null
      if (!cur) throw notFound('未找到该申请')
      if (cur.version !== expectedVersion) throw conflict('该申请已被他人处理，请刷新后查看最新状态')
      const { patch, event } = decide(cur)
      const next = { ...patch, version: cur.version + 1, updatedAt: event.at }
      await ref.update({ data: next })
      await tx.collection('case_events').add({ data: { ...event, caseId: id } })
      return { ...cur, ...next }
    }, 0)
  }

  async mine(openid: string, skip: number, limit: number): Promise<{ list: CaseRecord[]; total: number }> {
    const q = this.db.collection('cases').where({ 'applicant.openid': openid })
    const [{ total }, { data }] = await Promise.all([
      q.count(),
      q.orderBy('createdAt', 'desc').skip(skip).limit(limit).get(),
    ])
    return { list: data as unknown as CaseRecord[], total }
  }

  /** Open cases per agent, one indexed count each (a station has a handful of agents). */
  async openCounts(agentIds: readonly string[]): Promise<Map<string, number>> {
    const _ = this.db.command
    const counts = await Promise.all(
      agentIds.map((id) =>
        this.db
          .collection('cases')
          .where({ assignedAgentId: id, state: _.in([...OPEN_STATES]) })
          .count(),
      ),
    )
    return new Map(agentIds.map((id, i) => [id, counts[i]!.total]))
  }

  async lastAssigned(agentIds: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>()
    await Promise.all(
      agentIds.map(async (id) => {
        const { data } = await this.db
          .collection('cases')
          .where({ assignedAgentId: id })
          .orderBy('createdAt', 'desc')
          .limit(1)
          .field({ createdAt: true })
          .get()
        const at = (data[0] as Row | undefined)?.createdAt
        if (at instanceof Date) out.set(id, at.getTime())
      }),
    )
    return out
  }

  /** An agent's inbox: cases in `states`, due soonest first, paged. */
  async inbox(q: InboxQuery & { skip: number; limit: number }) {
    const coll = this.db.collection('cases').where(this.inboxWhere(q))
    const [{ total }, { data }] = await Promise.all([
      coll.count(),
      coll.orderBy('dueAt', 'asc').orderBy('createdAt', 'asc').skip(q.skip).limit(q.limit).get(),
    ])
    return { list: data as unknown as CaseRecord[], total }
  }

  private inboxWhere(q: InboxQuery): Record<string, unknown> {
    const _ = this.db.command
    const where: Record<string, unknown> = { stationId: q.stationId, state: _.in(q.states) }
    if (q.agentId) where.assignedAgentId = q.agentId
    if (q.dueAfter && q.dueBefore) where.dueAt = _.gte(q.dueAfter).and(_.lt(q.dueBefore))
    else if (q.dueBefore) where.dueAt = _.lt(q.dueBefore)
    else if (q.dueAfter) where.dueAt = _.gte(q.dueAfter)
    return where
  }

  async countInbox(q: InboxQuery): Promise<number> {
    return (await this.db.collection('cases').where(this.inboxWhere(q)).count()).total
  }
}

export function assertFound<T>(v: T | null, message = '未找到该申请'): T {
  if (!v) throw new AppError('NOT_FOUND', message)
  return v
}
