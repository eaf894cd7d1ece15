import type { CaseEvent, CaseRecord } from '../../typings/domain'
import { CLOCK_RUNNING_STATES, HANDLING_STATES, WORKBENCH_STATES } from '../../typings/vocabulary'
import type { CaseCounts } from '../domain/kpis'
import type { CaseState } from '../../typings/vocabulary'
import { OPEN_STATES } from '../../typings/vocabulary'
import { isWatched } from '../domain/schedule'
import { conflict, notFound } from '../lib/errors'
import { addNew, isWriteConflict, type Database, type Row } from './db'
import { keysetPage, type Page } from './paging'

export interface InboxQuery {
  stationId: string
  agentId?: string
  states: CaseState[]
  dueBefore?: Date
  dueAfter?: Date
  /** Cases escalated to this station by its villages. */
  upper?: boolean
}

/** Cases and their timeline. Every state change and its event are written in one transaction. */
/** What a transition writes: the case patch, its timeline event, and records born with it. */
export interface Decision {
  patch: Partial<CaseRecord>
  event: Omit<CaseEvent, '_id' | 'caseId'>
  also?: { collection: 'rectifications'; id: string; data: object }[]
}

/** Fields whose change can move what the schedule must do next. */
const SCHEDULE_FIELDS: readonly (keyof CaseRecord)[] = [
  'state',
  'dueAt',
  'dueDay',
  'upper',
  'deliveredAt',
  'rating',
]

/** The $group fields of the six rates' counts (KPI): one definition for both groupings. */
function countFields(overdue: { now: Date; running: CaseState[] }) {
  const live = { $ne: ['$state', 'withdrawn'] }
  const when = (cond: object) => ({ $sum: { $cond: [cond, 1, 0] } })
  const has = (field: string) => ({ $ne: [{ $ifNull: [field, null] }, null] })
  const real = { $and: [has('$rating'), { $ne: ['$rating.isDefault', true] }] }
  return {
    submitted: when(live),
    withdrawn: when({ $eq: ['$state', 'withdrawn'] }),
    accepted: when({ $and: [live, has('$acceptedAt')] }),
    completed: when({ $and: [live, has('$completedAt')] }),
    onTime: when({ $and: [live, has('$completedAt'), { $eq: ['$onTime', true] }] }),
    rated: when(real),
    satisfied: when({
      $and: [real, { $in: ['$rating.level', ['very_satisfied', 'satisfied', 'basic']] }],
    }),
    defaultRated: when({ $eq: ['$rating.isDefault', true] }),
    overdueOpen: when({
      $and: [{ $in: ['$state', overdue.running] }, has('$dueAt'), { $lt: ['$dueAt', overdue.now] }],
    }),
  }
}

/**
 * The schedule part of a transition, derived from the patch so that no action has to think of
 * it: a change to the deadline, the state, the upper station's deadline or the rating puts the
 * case at the front of the schedule (`watchAt` = now; the next timer run computes the exact
 * moment with the calendar and the thresholds) or takes it out when nothing can be due any more.
 */
function watchPatch(cur: CaseRecord, patch: Partial<CaseRecord>, at: Date): Partial<CaseRecord> {
  if (!SCHEDULE_FIELDS.some((f) => f in patch)) return {}
  return { watchAt: isWatched({ ...cur, ...patch }) ? at : null }
}

/** Moves that one conditional update can make together, at most 100 ids each. */
function groupMoves<M extends { c: CaseRecord; next: Date | null; reminded: string[] }>(moves: M[]): M[][] {
  const groups = new Map<string, M[]>()
  for (const m of moves) {
    const key = JSON.stringify([m.c.version, m.c.watchAt ?? null, m.next?.getTime() ?? null, m.reminded])
    const g = groups.get(key)
    if (g) g.push(m)
    else groups.set(key, [m])
  }
  return [...groups.values()].flatMap((g) =>
    Array.from({ length: Math.ceil(g.length / 100) }, (_, i) => g.slice(i * 100, i * 100 + 100)),
  )
}

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

  /** Creates the case and its first timeline event in one transaction. */
  async create(c: CaseRecord, event: Omit<CaseEvent, '_id' | 'caseId'>): Promise<CaseRecord> {
    const { _id, ...data } = c
    await this.db.runTransaction(async (tx) => {
      await tx.collection('cases').doc(_id).set({ data })
      await tx.collection('case_events').add({ data: { ...event, caseId: _id } })
    })
    return c
  }

  /**
   * Applies a transition if the case is still at `expectedVersion`: the patch and the timeline
   * event land together or not at all. A stale version (someone else acted first) is CONFLICT.
   */
  async transition(
    id: string,
    expectedVersion: number,
    decide: (c: CaseRecord, caseNo: string | null) => Decision,
    /** Issue the next 受理编号 of this station and day in the same transaction. */
    numbering?: { stationCode: string; day: string },
  ): Promise<CaseRecord> {
    // A write conflict is retried: the case's version is checked again inside, so a transition
    // that lost to another on this case ends in CONFLICT, while one that only met a colleague
    // taking the next 受理编号 of the same station and day goes through.
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.transitionOnce(id, expectedVersion, decide, numbering)
      } catch (err) {
        if (!isWriteConflict(err)) throw err
        if (attempt >= 2) throw conflict('该申请已被他人处理，请刷新后查看最新状态')
      }
    }
  }

  private transitionOnce(
    id: string,
    expectedVersion: number,
    decide: (c: CaseRecord, caseNo: string | null) => Decision,
    numbering?: { stationCode: string; day: string },
  ): Promise<CaseRecord> {
    return this.db.runTransaction(async (tx) => {
      const ref = tx.collection('cases').doc(id)
      const cur = (await ref.get().catch(() => ({ data: null }))).data as unknown as CaseRecord | null
      if (!cur) throw notFound('未找到该申请')
      if (cur.version !== expectedVersion) throw conflict('该申请已被他人处理，请刷新后查看最新状态')
      let caseNo: string | null = null
      if (numbering) {
        // 受理编号 such as QS-HY-20261201-007: sequential per station and day (agents accept
        // one case at a time, so this counter sees little contention).
        const counter = tx.collection('counters').doc(`caseno-${numbering.stationCode}-${numbering.day}`)
        const cur = (await counter.get().catch(() => ({ data: null }))).data as unknown as {
          n: number
        } | null
        const n = (cur?.n ?? 0) + 1
        await counter.set({ data: { n } })
        caseNo = `${numbering.stationCode}-${numbering.day.replace(/-/g, '')}-${String(n).padStart(3, '0')}`
      }
      const { patch, event, also } = decide(cur, caseNo)
      const next: Partial<CaseRecord> = {
        ...patch,
        ...watchPatch(cur, patch, event.at),
        version: cur.version + 1,
        updatedAt: event.at,
      }
      await ref.update({ data: next })
      await tx.collection('case_events').add({ data: { ...event, caseId: id } })
      // Records born of this transition (a 整改 task from a 差评) land with it or not at all.
      for (const a of also ?? []) await tx.collection(a.collection).doc(a.id).set({ data: a.data })
      return { ...cur, ...next }
    }, 0)
  }

  /**
   * Watched cases in `states` whose next moment has come, oldest first (index state+watchAt):
   * the timer reads only these, however many cases are open or overdue.
   */
  async watchDue(states: readonly CaseState[], now: Date, limit: number): Promise<CaseRecord[]> {
    const _ = this.db.command
    const { data } = await this.db
      .collection('cases')
      .where({ state: _.in([...states]), watchAt: _.lte(now) })
      .orderBy('watchAt', 'asc')
      .limit(limit)
      .get()
    return data as unknown as CaseRecord[]
  }

  /**
   * Moves the timer's cases on to their next moment, only those nobody changed since they were
   * read (same version and moment: a transition in between has re-planned the case already, and
   * an overlapping run that got there first wins; the version is not bumped, since the schedule
   * is not a change a user must see as a conflict). Cases read at the same version and moment
   * that move to the same next moment with the same `reminded` share one conditional update (a plain id list, so
   * the `_id` index serves it; a case changed since it was read is left alone). A page of
   * reminders due at 08:30 mostly moves to a handful of moments, so a hundred cases take a
   * handful of calls. Returns how many cases moved.
   */
  async moveWatchMany(moves: { c: CaseRecord; next: Date | null; reminded: string[] }[]): Promise<number> {
    const _ = this.db.command
    let moved = 0
    for (const part of groupMoves(moves)) {
      const { c, next, reminded } = part[0]!
      const res = await this.db
        .collection('cases')
        .where({ _id: _.in(part.map((m) => m.c._id)), version: c.version, watchAt: c.watchAt ?? null })
        .update({ data: { watchAt: next, reminded } })
      moved += res.stats.updated
    }
    return moved
  }

  /** Calls `moveWatchMany` makes for these moves. */
  static moveWatchCalls(moves: { c: CaseRecord; next: Date | null; reminded: string[] }[]): number {
    return groupMoves(moves).length
  }

  /**
   * The default rating (基本满意, marked default) for cases whose rating window has closed, as
   * the resident did not rate: one conditional update for the page (a case rated or changed
   * meanwhile is left alone), with each case's event under a fixed id (`<case>:autoRate`)
   * written first so that it exists before the state it explains; an event whose case did not
   * change (rated by the resident in between) is removed again. Returns the ids rated.
   */
  async autoRateMany(
    cases: CaseRecord[],
    now: Date,
    rating: NonNullable<CaseRecord['rating']>,
    to: CaseRecord['state'],
    note: string,
  ): Promise<string[]> {
    if (!cases.length) return []
    const _ = this.db.command
    const events = cases.map((c) => ({
      _id: `${c._id}:autoRate`,
      caseId: c._id,
      at: now,
      actor: { openid: '', agentId: null, name: '系统', role: 'system' },
      action: 'autoRate',
      from: c.state,
      to,
      note,
    }))
    // A run that died after writing them: the events there already are skipped.
    await addNew(this.db, 'case_events', events)
    // One update per version read (mostly one): only cases still unrated and unchanged. A plain
    // id list, so the `_id` index finds the page's documents.
    let updated = 0
    for (const version of new Set(cases.map((c) => c.version))) {
      const ids = cases.filter((c) => c.version === version).map((c) => c._id)
      const res = await this.db
        .collection('cases')
        .where({ _id: _.in(ids), version, state: cases[0]!.state, rating: null })
        .update({ data: { state: to, rating, watchAt: null, version: _.inc(1), updatedAt: now } })
      updated += res.stats.updated
    }
    if (updated === cases.length) return cases.map((c) => c._id)
    // Some were not ours to rate: read what each case holds now. A case rated by default (by
    // this run, or an overlapping one that got there first) keeps its event; a case the resident
    // rated keeps theirs, and the event written above for it goes again.
    const { data } = await this.db
      .collection('cases')
      .where({ _id: _.in(cases.map((c) => c._id)) })
      .field({ _id: true, rating: true })
      .limit(cases.length)
      .get()
    const held = new Map(data.map((d) => [String(d._id), d.rating as CaseRecord['rating']]))
    const orphans = cases.filter((c) => !held.get(c._id)?.isDefault).map((c) => `${c._id}:autoRate`)
    if (orphans.length)
      await this.db
        .collection('case_events')
        .where({ _id: _.in(orphans) })
        .remove()
    return cases
      .filter((c) => {
        const r = held.get(c._id)
        return !!r?.isDefault && new Date(r.at).getTime() === now.getTime()
      })
      .map((c) => c._id)
  }

  /**
   * After a threshold change: every case of `states` waiting for a later moment is looked at
   * again by the next runs (one bulk update), so the new thresholds apply to open cases.
   */
  async rewatch(states: readonly CaseState[], now: Date): Promise<number> {
    const _ = this.db.command
    const res = await this.db
      .collection('cases')
      .where({ state: _.in([...states]), watchAt: _.gt(now) })
      .update({ data: { watchAt: now } })
    return res.stats.updated
  }

  /**
   * Cases of `states` that have never been planned (stored before the schedule existed: no
   * `watchAt` and no `reminded`) join the schedule now, in one bulk update.
   */
  async adoptUnplanned(states: readonly CaseState[], now: Date): Promise<number> {
    const _ = this.db.command
    const res = await this.db
      .collection('cases')
      .where({ state: _.in([...states]), watchAt: null, reminded: null })
      .update({ data: { watchAt: now, reminded: [] } })
    return res.stats.updated
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
    // 上报件 wait at the parent station: there they are found by the upper assignment.
    const where: Record<string, unknown> = q.upper
      ? { 'upper.stationId': q.stationId, state: _.in(q.states) }
      : { stationId: q.stationId, state: _.in(q.states) }
    if (q.agentId) where[q.upper ? 'upper.agentId' : 'assignedAgentId'] = q.agentId
    if (q.dueAfter && q.dueBefore) where.dueAt = _.gte(q.dueAfter).and(_.lt(q.dueBefore))
    else if (q.dueBefore) where.dueAt = _.lt(q.dueBefore)
    else if (q.dueAfter) where.dueAt = _.gte(q.dueAfter)
    return where
  }

  /**
   * The workbench's six tab counts in one aggregation (instead of six counts): the station's
   * own open cases (the agent's, for scope 'mine') and the 上报件 held for it by its villages.
   */
  async inboxCounts(
    scope: { stationId: string; agentId?: string },
    now: Date,
    soonEnd: Date,
  ): Promise<Record<'pending' | 'handling' | 'dueSoon' | 'overdue' | 'feedback' | 'upper', number>> {
    const _ = this.db.command
    const own: Record<string, unknown> = {
      stationId: scope.stationId,
      state: _.in([...WORKBENCH_STATES]),
    }
    const upper: Record<string, unknown> = { 'upper.stationId': scope.stationId, state: 'escalated' }
    if (scope.agentId) {
      own.assignedAgentId = scope.agentId
      upper['upper.agentId'] = scope.agentId
    }
    const mine = scope.agentId
      ? { $and: [{ $eq: ['$stationId', scope.stationId] }, { $eq: ['$assignedAgentId', scope.agentId] }] }
      : { $eq: ['$stationId', scope.stationId] }
    const inState = (...states: string[]) => ({ $in: ['$state', states] })
    const when = (...conds: object[]) => ({ $sum: { $cond: [{ $and: [mine, ...conds] }, 1, 0] } })
    const due = { $ne: [{ $ifNull: ['$dueAt', null] }, null] }
    const running = inState(...CLOCK_RUNNING_STATES)
    const { list } = await this.db
      .collection('cases')
      .aggregate()
      .match(_.or([own, upper]) as object)
      .group({
        _id: null,
        pending: when(inState('submitted')),
        handling: when(inState(...HANDLING_STATES)),
        dueSoon: when(running, due, { $gte: ['$dueAt', now] }, { $lt: ['$dueAt', soonEnd] }),
        overdue: when(running, due, { $lt: ['$dueAt', now] }),
        feedback: when(inState('completed')),
        upper: {
          $sum: {
            $cond: [
              {
                $and: [
                  { $eq: ['$state', 'escalated'] },
                  { $eq: ['$upper.stationId', scope.stationId] },
                  ...(scope.agentId ? [{ $eq: ['$upper.agentId', scope.agentId] }] : []),
                ],
              },
              1,
              0,
            ],
          },
        },
      })
      .end()
    const r = (list[0] ?? {}) as Record<string, number>
    return {
      pending: r.pending ?? 0,
      handling: r.handling ?? 0,
      dueSoon: r.dueSoon ?? 0,
      overdue: r.overdue ?? 0,
      feedback: r.feedback ?? 0,
      upper: r.upper ?? 0,
    }
  }

  /** A page of an inbox tab whose total the caller already has (from `inboxCounts`). */
  async inboxPage(q: InboxQuery & { skip: number; limit: number }): Promise<CaseRecord[]> {
    const { data } = await this.db
      .collection('cases')
      .where(this.inboxWhere(q))
      .orderBy('dueAt', 'asc')
      .orderBy('createdAt', 'asc')
      .skip(q.skip)
      .limit(q.limit)
      .get()
    return data as unknown as CaseRecord[]
  }

  async countInbox(q: InboxQuery): Promise<number> {
    return (await this.db.collection('cases').where(this.inboxWhere(q)).count()).total
  }

  /**
   * 六项指标 counts per station for the cases submitted in [from, to): one aggregation, grouped
   * by the owning station (escalated cases count where the resident asked: one door).
   */
  async kpiCounts(
    from: Date,
    to: Date,
    /** Cases in these states and due before `now` count as 超期未办结. */
    overdue: { now: Date; running: CaseState[] },
  ): Promise<Map<string, CaseCounts>> {
    return this.countsBy('$stationId', from, to, overdue, 1000)
  }

  /**
   * The district's counts per Shanghai month (YYYY-MM) of submission, for the trend of the case
   * rates: one aggregation for the twelve months.
   */
  async kpiMonthly(
    from: Date,
    to: Date,
    overdue: { now: Date; running: CaseState[] },
  ): Promise<Map<string, CaseCounts>> {
    const month = { $dateToString: { format: '%Y-%m', date: '$createdAt', timezone: '+08:00' } }
    return this.countsBy(month, from, to, overdue, 100)
  }

  /** The KPI counts of cases submitted in [from, to), grouped by `key`, in one aggregation. */
  private async countsBy(
    key: unknown,
    from: Date,
    to: Date,
    overdue: { now: Date; running: CaseState[] },
    limit: number,
  ): Promise<Map<string, CaseCounts>> {
    const _ = this.db.command
    const { list } = await this.db
      .collection('cases')
      .aggregate()
      .match({ createdAt: _.gte(from).and(_.lt(to)) })
      .group({ _id: key, ...countFields(overdue) })
      .limit(limit)
      .end()
    const out = new Map<string, CaseCounts>()
    for (const r of list) {
      const { _id, ...counts } = r as unknown as CaseCounts & { _id: string }
      out.set(String(_id), counts)
    }
    return out
  }

  // ---- 超期督办 list (Task B): paged, with an honest total and per-station figures ----------

  /** Running cases past due, most overdue first, a page at a time (index: state, dueAt). */
  async overduePage(
    states: CaseState[],
    now: Date,
    cursor: string | null,
    limit: number,
  ): Promise<Page<CaseRecord>> {
    const _ = this.db.command
    return keysetPage<CaseRecord>(
      this.db,
      'cases',
      { state: _.in(states), dueAt: _.lt(now) },
      { field: 'dueAt', dir: 'asc' },
      cursor,
      limit,
    )
  }

  /** Per station: how many running cases are past due and the earliest due moment among them. */
  async overdueByStation(
    states: CaseState[],
    now: Date,
  ): Promise<{ stationId: string; count: number; earliestDue: Date }[]> {
    const _ = this.db.command
    const { list } = await this.db
      .collection('cases')
      .aggregate()
      .match({ state: _.in(states), dueAt: _.lt(now) })
      .group({ _id: '$stationId', count: { $sum: 1 }, earliestDue: { $min: '$dueAt' } })
      .limit(1000)
      .end()
    return list.map((r) => ({
      stationId: String(r._id),
      count: Number(r.count),
      earliestDue: new Date(r.earliestDue as Date),
    }))
  }
}
