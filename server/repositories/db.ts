/**
 * The subset of wx-server-sdk's database API the repositories use, typed for promises only
 * (the SDK's published typings mix in callback overloads that return void). Repositories are
 * the only code that holds a Database.
 */
export type Row = Record<string, unknown>

export interface Query {
  where(query: object): Query
  orderBy(field: string, order: 'asc' | 'desc'): Query
  skip(n: number): Query
  limit(n: number): Query
  field(projection: object): Query
  get(): Promise<{ data: Row[] }>
  count(): Promise<{ total: number }>
  update(opts: { data: object }): Promise<{ stats: { updated: number } }>
  remove(): Promise<{ stats: { removed: number } }>
}

export interface DocumentRef {
  get(): Promise<{ data: Row }>
  set(opts: { data: object }): Promise<{ _id: string | number; stats: { updated: number; created: number } }>
  update(opts: { data: object }): Promise<{ stats: { updated: number } }>
  remove(): Promise<{ stats: { removed: number } }>
}

/** An aggregation pipeline (stages take raw MongoDB expressions); `end()` returns `{ list }`. */
export interface Aggregate {
  match(query: object): Aggregate
  group(spec: object): Aggregate
  project(spec: object): Aggregate
  sort(spec: object): Aggregate
  limit(n: number): Aggregate
  end(): Promise<{ list: Row[] }>
}

export interface Collection extends Query {
  aggregate(): Aggregate
  doc(id: string): DocumentRef
  add(opts: { data: object | object[] }): Promise<{ _id?: string; _ids?: string[] }>
}

export interface Transaction {
  collection(name: string): {
    doc(id: string): DocumentRef
    add(opts: { data: object }): Promise<{ _id: string }>
  }
}

/** A query condition that can be combined (`_.gte(a).and(_.lt(b))`). */
export interface QueryCommand {
  and(other: unknown): QueryCommand
}

export interface Command {
  in(values: unknown[]): unknown
  nin(values: unknown[]): unknown
  gt(v: unknown): QueryCommand
  gte(v: unknown): QueryCommand
  lt(v: unknown): QueryCommand
  lte(v: unknown): QueryCommand
  neq(v: unknown): unknown
  inc(n: number): unknown
  push(v: unknown): unknown
  remove(): unknown
  or(conds: object[]): unknown
  and(conds: object[]): unknown
}

export interface Database {
  collection(name: string): Collection
  command: Command
  RegExp(opts: { regexp: string; options?: string }): unknown
  serverDate(opts?: { offset?: number }): unknown
  runTransaction<T>(fn: (tx: Transaction) => Promise<T>, retries?: number): Promise<T>
}

/** CloudBase returns at most 100 documents per query: page through up to `max`. */
export async function fetchAll<T>(query: Query, max = 1000): Promise<T[]> {
  const out: T[] = []
  for (let skip = 0; skip < max; skip += 100) {
    const { data } = await query
      .skip(skip)
      .limit(Math.min(100, max - skip))
      .get()
    const page = data as unknown as T[]
    out.push(...page)
    if (page.length < 100) break
  }
  return out
}

/** A unique-index violation (E11000): the record exists, which callers treat as "already done". */
export function isDuplicateKey(err: unknown): boolean {
  const e = err as { errMsg?: string; message?: string }
  return /E11000|duplicate key/.test(`${e.errMsg ?? ''} ${e.message ?? ''}`)
}

/**
 * A transaction's write conflict. At commit the SDK keeps the platform's code
 * DATABASE_TRANSACTION_CONFLICT; at a write inside the transaction (where MongoDB reports a
 * second writer) wx-server-sdk knows no errCode for it and answers -501001 with the platform's
 * message, so the message is the only sign — and runTransaction does not retry it.
 */
export function isWriteConflict(err: unknown): boolean {
  const e = err as { code?: string; errMsg?: string; message?: string } | null
  if (!e || typeof e !== 'object') return false
  if (e.code === 'DATABASE_TRANSACTION_CONFLICT') return true
  return /DATABASE_TRANSACTION_CONFLICT|Transaction is conflicted|WriteConflict/.test(
    `${e.errMsg ?? ''} ${e.message ?? ''}`,
  )
}

/**
 * Inserts documents with known ids in one call, skipping ids that exist already (a run that
 * died after writing some, or an overlapping run): on a duplicate it reads which exist (the
 * platform may have stored the part before the duplicate) and adds the rest; one by one only if
 * it is raced again. Returns how many were added.
 */
export async function addNew(db: Database, coll: string, docs: { _id: string }[]): Promise<number> {
  if (!docs.length) return 0
  try {
    await db.collection(coll).add({ data: docs })
    return docs.length
  } catch (err) {
    if (!isDuplicateKey(err)) throw err
  }
  const { data } = await db
    .collection(coll)
    .where({ _id: db.command.in(docs.map((d) => d._id)) })
    .field({ _id: true })
    .limit(docs.length)
    .get()
  const have = new Set(data.map((d) => String(d._id)))
  const rest = docs.filter((d) => !have.has(d._id))
  if (!rest.length) return 0
  try {
    await db.collection(coll).add({ data: rest })
    return rest.length
  } catch (err) {
    if (!isDuplicateKey(err)) throw err
  }
  let added = 0
  for (const d of rest) {
    try {
      await db.collection(coll).add({ data: d })
      added += 1
    } catch (err) {
      if (!isDuplicateKey(err)) throw err
    }
  }
  return added
}

/** Escapes user text for a RegExp query. */
export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** Strips `_id` for update/set calls (the SDK rejects `_id` in update data). */
export function withoutId<T extends { _id: string }>(doc: T): Omit<T, '_id'> {
  const { _id, ...rest } = doc
  return rest
}
