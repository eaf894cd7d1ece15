import type { Agent, DutyRota, Item, Pairing, Station, Tier } from '../../typings/domain'
import { escapeRegExp, fetchAll, withoutId, type Database } from './db'

export type StoredItem = Item & { search: string }

/** Stations, catalog, roster, rotas and pairings: the service network's records. */
export class NetworkRepository {
  constructor(private readonly db: Database) {}

  // ---- stations ----
  async station(id: string): Promise<Station | null> {
    const { data } = await this.db.collection('stations').where({ _id: id }).limit(1).get()
    return (data[0] as unknown as Station | undefined) ?? null
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

  /** Every record of a collection, retired ones included (exports; at most `max`). */
  async everything<T>(coll: 'stations' | 'items' | 'agents', max = 2000): Promise<T[]> {
    return fetchAll<T>(this.db.collection(coll).where({}).orderBy('_id', 'asc'), max)
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

  async saveRota(r: DutyRota): Promise<void> {
    await this.db
      .collection('rotas')
      .doc(r._id)
      .set({ data: withoutId(r) })
  }

  async pairingsOfStation(stationId: string): Promise<Pairing[]> {
    return fetchAll<Pairing>(this.db.collection('pairings').where({ stationId }), 1000)
  }

  async savePairing(p: Pairing): Promise<void> {
    await this.db
      .collection('pairings')
      .doc(p._id)
      .set({ data: withoutId(p) })
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
}
