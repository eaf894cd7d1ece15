import type { Agent, DutyRota, Item, Pairing, Station, Tier } from '../../typings/domain'
import { escapeRegExp, fetchAll, isDuplicateKey, withoutId, type Database, type Row } from './db'

export type StoredItem = Item & { search: string }

/**
 * An import (admin.import) in progress: the validated rows are staged in chunks first; the batch
 * is committed once every chunk is staged, then applied chunk by chunk (`applied` is the marker a
 * retried call continues from) until done.
 */
export interface ImportBatch {
  _id: string
  type: 'batch'
  kind: 'stations' | 'items' | 'agents'
  fileId: string
  rows: number
  chunks: number
  status: 'staging' | 'committed' | 'done'
  applied: number
  by: string
  createdAt: Date
  updatedAt: Date
}

/** One chunk of a batch's validated records, ready to write. */
export interface ImportChunk {
  _id: string
  type: 'chunk'
  batchId: string
  n: number
  count: number
  records: object[]
}

/** Stations, catalog, roster, rotas and pairings: the service network's records. */
export class NetworkRepository {
  constructor(private readonly db: Database) {}

  // ---- stations ----
  async station(id: string): Promise<Station | null> {
    const { data } = await this.db.collection('stations').where({ _id: id }).limit(1).get()
    return (data[0] as unknown as Station | undefined) ?? null
  }

  /** Stations by id, one read per 100 ids (a timer run resolves a page of cases at once). */
  async stationsByIds(ids: string[]): Promise<Map<string, Station>> {
    return this.byIds<Station>('stations', ids)
  }

  /** Agents by id, one read per 100 ids; missing ids are absent from the map. */
  async agentsByIds(ids: string[]): Promise<Map<string, Agent>> {
    return this.byIds<Agent>('agents', ids)
  }

  /** Items by id, one read per 100 ids (an import chunk's prior values for the audit log). */
  async itemsByIds(ids: string[]): Promise<Map<string, StoredItem>> {
    return this.byIds<StoredItem>('items', ids)
  }

  private async byIds<T extends { _id: string }>(coll: string, ids: string[]): Promise<Map<string, T>> {
    const _ = this.db.command
    const unique = [...new Set(ids.filter(Boolean))]
    const out = new Map<string, T>()
    for (let i = 0; i < unique.length; i += 100) {
      const part = unique.slice(i, i + 100)
      const { data } = await this.db
        .collection(coll)
        .where({ _id: _.in(part) })
        .limit(part.length)
        .get()
      for (const d of data as unknown as T[]) out.set(String(d._id), d)
    }
    return out
  }

  /** Names of the given stations, one read per 100 (a page of a list names at most 100). */
  async stationNames(ids: string[]): Promise<Map<string, string>> {
    const _ = this.db.command
    const unique = [...new Set(ids)]
    const out = new Map<string, string>()
    for (let i = 0; i < unique.length; i += 100) {
      const { data } = await this.db
        .collection('stations')
        .where({ _id: _.in(unique.slice(i, i + 100)) })
        .field({ name: true })
        .limit(100)
        .get()
      for (const s of data) out.set(String(s._id), String(s.name))
    }
    return out
  }

  async stationByCode(code: string): Promise<Station | null> {
    const { data } = await this.db.collection('stations').where({ code }).limit(1).get()
    return (data[0] as unknown as Station | undefined) ?? null
  }

  /** All active stations of a district (hundreds at most), paged 100 at a time. */
  async stations(filter: { tier?: Tier; parentId?: string } = {}): Promise<Station[]> {
    return fetchAll<Station>(
      this.db
        .collection('stations')
        .where({ active: true, ...filter })
        .orderBy('code', 'asc'),
    )
  }

  /**
   * Every record of a collection, retired ones included (exports, KPIs): read 200 at a time in
   * `_id` order after the last one, so a county roster of any size is read whole (no 1,000 or
   * 2,000 cap) and no page nears the 1 MB result limit.
   */
  async everything<T>(coll: 'stations' | 'items' | 'agents', max = 100_000): Promise<T[]> {
    const _ = this.db.command
    const out: T[] = []
    let after: string | null = null
    while (out.length < max) {
      const { data }: { data: Row[] } = await this.db
        .collection(coll)
        .where(after === null ? {} : { _id: _.gt(after) })
        .orderBy('_id', 'asc')
        .limit(200)
        .get()
      out.push(...(data as unknown as T[]))
      if (data.length < 200) break
      after = String(data[data.length - 1]!._id)
    }
    return out.slice(0, max)
  }

  async saveStation(s: Station): Promise<void> {
    await this.db
      .collection('stations')
      .doc(s._id)
      .set({ data: withoutId(s) })
  }

  // ---- catalog ----
  async item(id: string): Promise<StoredItem | null> {
    const { data } = await this.db.collection('items').where({ _id: id }).limit(1).get()
    return (data[0] as unknown as StoredItem | undefined) ?? null
  }

  async items(q: {
    tiers: Tier[]
    category?: string
    keyword?: string
    publicOnly: boolean
    skip: number
    limit: number
  }): Promise<{ items: StoredItem[]; total: number }> {
    const _ = this.db.command
    const where: Record<string, unknown> = { tier: _.in(q.tiers) }
    if (q.publicOnly) Object.assign(where, { published: true, active: true })
    if (q.category) where.category = q.category
    if (q.keyword)
      where.search = this.db.RegExp({ regexp: escapeRegExp(q.keyword.toLowerCase()), options: 'i' })
    const coll = this.db.collection('items').where(where)
    const [{ total }, { data }] = await Promise.all([
      coll.count(),
      coll.orderBy('category', 'asc').orderBy('code', 'asc').skip(q.skip).limit(q.limit).get(),
    ])
    return { items: data as unknown as StoredItem[], total }
  }

  async itemByCode(code: string): Promise<StoredItem | null> {
    const { data } = await this.db.collection('items').where({ code }).limit(1).get()
    return (data[0] as unknown as StoredItem | undefined) ?? null
  }

  async saveItem(item: StoredItem): Promise<void> {
    await this.db
      .collection('items')
      .doc(item._id)
      .set({ data: withoutId(item) })
  }

  // ---- roster ----
  async agentByOpenid(openid: string): Promise<Agent | null> {
    if (!openid) return null
    const { data } = await this.db.collection('agents').where({ openid, active: true }).limit(1).get()
    return (data[0] as unknown as Agent | undefined) ?? null
  }

  async agent(id: string): Promise<Agent | null> {
    const { data } = await this.db.collection('agents').where({ _id: id }).limit(1).get()
    return (data[0] as unknown as Agent | undefined) ?? null
  }

  async agentsOfStation(stationId: string): Promise<Agent[]> {
    return fetchAll<Agent>(
      this.db.collection('agents').where({ stationId, active: true }).orderBy('_id', 'asc'),
      300,
    )
  }

  /** A station's whole roster, retired entries included (the roster page). */
  async rosterOfStation(stationId: string): Promise<Agent[]> {
    return fetchAll<Agent>(this.db.collection('agents').where({ stationId }).orderBy('_id', 'asc'), 1000)
  }

  async agentsByRole(role: Agent['role']): Promise<Agent[]> {
    return fetchAll<Agent>(this.db.collection('agents').where({ role, active: true }), 200)
  }

  async saveAgent(a: Agent): Promise<void> {
    await this.db
      .collection('agents')
      .doc(a._id)
      .set({ data: withoutId(a) })
  }

  // ---- duty ----
  async rota(stationId: string): Promise<DutyRota | null> {
    const { data } = await this.db.collection('rotas').where({ _id: stationId }).limit(1).get()
    return (data[0] as unknown as DutyRota | undefined) ?? null
  }

  async pairing(id: string): Promise<Pairing | null> {
    const { data } = await this.db.collection('pairings').where({ _id: id }).limit(1).get()
    return (data[0] as unknown as Pairing | undefined) ?? null
  }

  async pairingsOfStation(stationId: string): Promise<Pairing[]> {
    return fetchAll<Pairing>(this.db.collection('pairings').where({ stationId }), 1000)
  }

  /**
   * Active roster per station in one aggregation: how many agents (heads not counted) and the
   * ids of everyone active, to check that the head and the rota name people still serving.
   */
  async activeStaff(): Promise<Map<string, { agents: number; ids: string[] }>> {
    const _ = this.db.command
    const { list } = await this.db
      .collection('agents')
      .aggregate()
      .match({ active: true, role: _.in(['agent', 'head']) })
      .group({
        _id: '$stationId',
        agents: { $sum: { $cond: [{ $eq: ['$role', 'agent'] }, 1, 0] } },
        ids: { $push: '$_id' },
      })
      .limit(1000)
      .end()
    return new Map(
      list.map((r) => [String(r._id), { agents: Number(r.agents), ids: (r.ids as string[]) ?? [] }]),
    )
  }

  /** Each station's weekly rota (roster ids per weekday). */
  async weeklyRotas(): Promise<Map<string, Record<string, string[]>>> {
    const rotas = await fetchAll<DutyRota>(
      this.db.collection('rotas').where({}).field({ stationId: true, weekly: true }),
      5000,
    )
    return new Map(rotas.map((r) => [r.stationId, r.weekly ?? {}]))
  }

  /** Active items with the fields 代理事项公开率 looks at. */
  async itemsForKpi(): Promise<
    Pick<StoredItem, '_id' | 'tier' | 'published' | 'materials' | 'steps' | 'promisedDays'>[]
  > {
    return fetchAll(
      this.db
        .collection('items')
        .where({ active: true })
        .field({ tier: true, published: true, materials: true, steps: true, promisedDays: true }),
      5000,
    )
  }

  // ---- imports (admin.import): rows staged in `import_batches`, then applied in bounded steps ----

  async importBatch(id: string): Promise<ImportBatch | null> {
    const { data } = await this.db.collection('import_batches').where({ _id: id }).limit(1).get()
    return (data[0] as unknown as ImportBatch | undefined) ?? null
  }

  /** Creates the batch record; false when it exists already (a retry or a simultaneous call). */
  async createImportBatch(b: ImportBatch): Promise<boolean> {
    try {
      await this.db.collection('import_batches').add({ data: b })
      return true
    } catch (err) {
      if (isDuplicateKey(err)) return false
      throw err
    }
  }

  /**
   * Stages one chunk of validated records. A chunk this batch staged before (a retried call) is
   * fine; a document of that id that is not this batch's chunk is an error, and the batch stays
   * unstaged (the live records untouched).
   */
  async stageImportChunk(c: ImportChunk): Promise<void> {
    try {
      await this.db.collection('import_batches').add({ data: c })
    } catch (err) {
      if (!isDuplicateKey(err)) throw err
      const { data } = await this.db
        .collection('import_batches')
        .where({ _id: c._id })
        .field({ batchId: true, n: true, count: true })
        .limit(1)
        .get()
      const prior = data[0]
      if (!prior || prior.batchId !== c.batchId || prior.n !== c.n || prior.count !== c.count)
        throw new Error(`import chunk ${c._id} is taken by another document`)
    }
  }

  async importChunk(id: string): Promise<ImportChunk | null> {
    const { data } = await this.db.collection('import_batches').where({ _id: id }).limit(1).get()
    return (data[0] as unknown as ImportChunk | undefined) ?? null
  }

  /** Moves a batch on only from where the caller saw it (status and applied chunks are the guard). */
  async advanceImportBatch(
    id: string,
    from: { status: ImportBatch['status']; applied: number },
    patch: Partial<Omit<ImportBatch, '_id'>>,
  ): Promise<boolean> {
    const res = await this.db
      .collection('import_batches')
      .where({ _id: id, status: from.status, applied: from.applied })
      .update({ data: patch })
    return res.stats.updated === 1
  }

  /** Committed imports of a kind not yet fully applied (at most a few: each is finished first). */
  async unfinishedImports(kind: string): Promise<ImportBatch[]> {
    const { data } = await this.db
      .collection('import_batches')
      .where({ type: 'batch', kind, status: 'committed' })
      .orderBy('createdAt', 'asc')
      .limit(10)
      .get()
    return data as unknown as ImportBatch[]
  }

  /** Which of these roster ids exist (one read per 100). */
  async existingAgentIds(ids: string[]): Promise<Set<string>> {
    const _ = this.db.command
    const out = new Set<string>()
    for (let i = 0; i < ids.length; i += 100) {
      const { data } = await this.db
        .collection('agents')
        .where({ _id: _.in(ids.slice(i, i + 100)) })
        .field({ _id: true })
        .limit(100)
        .get()
      for (const d of data) out.add(String(d._id))
    }
    return out
  }

  /**
   * Rewrites an existing roster entry from an import without touching its WeChat binding: an
   * update of the imported fields only, so a binding made at this very moment survives too.
   */
  async updateAgentFromImport(a: Agent): Promise<void> {
    const _ = this.db.command
    const { _id, openid: _openid, title, ...fields } = a
    await this.db
      .collection('agents')
      .doc(_id)
      .update({ data: { ...fields, title: title ?? _.remove() } })
  }

  /** Every roster id (validating a stations sheet's heads), ids only. */
  async agentIds(): Promise<Set<string>> {
    const _ = this.db.command
    const out = new Set<string>()
    let after: string | null = null
    for (;;) {
      const { data }: { data: Row[] } = await this.db
        .collection('agents')
        .where(after === null ? {} : { _id: _.gt(after) })
        .orderBy('_id', 'asc')
        .field({ _id: true })
        .limit(1000)
        .get()
      for (const d of data) out.add(String(d._id))
      if (data.length < 1000) return out
      after = String(data[data.length - 1]!._id)
    }
  }
}
