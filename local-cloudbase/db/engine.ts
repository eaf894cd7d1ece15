import { randomBytes } from 'node:crypto'
import { BSONRegExp, EJSON, ObjectId } from 'bson'
import { Aggregator, find, update as applyUpdate, Query } from './mingo'
import {
  cloneDoc,
  duplicateIdError,
  idKey,
  isDocId,
  type Store,
  type Doc,
  type DocId,
  type StoredDoc,
} from './store'
import { DbError } from './errors'
import { geoNear, nearClause, distanceAt, type GeoNearSpec } from './geo'

/**
 * The database actions of the TCB API (`database.*`), with CloudBase semantics:
 * - queries, updates and pipelines are evaluated by mingo (MongoDB semantics) over EJSON,
 *   with its differences from MongoDB corrected in ./mingo;
 * - documents without a sort come back in insertion order, as on the platform;
 * - a query returns 100 documents unless limited, at most 1000
 *   (https://docs.cloudbase.net/api-reference/webv2/database#limit);
 * - an aggregation returns 20 documents unless it has a `$limit` stage
 *   (https://developers.weixin.qq.com/miniprogram/dev/wxcloud/reference-sdk-api/database/aggregate/Aggregate.limit.html);
 * - a result above 1 MB fails, as on the platform;
 * - `updated` counts the documents an update matched (MongoDB's nMatched: an update to the
 *   same value reports 1), which is what the platform returns;
 * - transactions have MongoDB's snapshot isolation
 *   (https://www.mongodb.com/docs/manual/core/transactions/ — "read concern snapshot"):
 *   reads see the data as of the transaction's first operation plus its own writes; the
 *   second transaction to write a document fails at that write with
 *   DATABASE_TRANSACTION_CONFLICT (MongoDB's WriteConflict), as does writing a document
 *   someone else changed after the snapshot, and the conflicting transaction is aborted.
 *   The SDK's runTransaction retries on that code. A write outside any transaction does
 *   not wait (MongoDB would block it until the transaction ends): it lands, and the
 *   transaction that had written the same document fails at commit instead.
 */

export type Body = Record<string, unknown>

const DEFAULT_LIMIT = 100
const MAX_LIMIT = 1000
const AGGREGATE_DEFAULT_LIMIT = 20
const MAX_RESULT_BYTES = 1024 * 1024
const TX_IDLE_MS = 60_000

interface Pending {
  coll: string
  key: string
  doc: Doc | null
  seq: number
}

interface Tx {
  id: string
  /** The snapshot is taken at the transaction's first operation, as MongoDB does. */
  started: boolean
  /** Documents others changed since the snapshot: their state in the snapshot (null = absent). */
  before: Map<string, { doc: Doc | null; seq: number }>
  writes: Map<string, Pending>
  lastUsed: number
}

const txKey = (coll: string, key: string): string => `${coll}\u0000${key}`

export function newDocId(): string {
  return randomBytes(16).toString('hex')
}

const conflict = (): DbError =>
  new DbError('DATABASE_TRANSACTION_CONFLICT', 'Transaction is conflicted, please retry (WriteConflict)')

export class DatabaseEngine {
  private readonly txs = new Map<string, Tx>()
  /** Which open transaction holds each document it wrote (write locks until commit/abort). */
  private readonly locks = new Map<string, string>()
  private committing: Tx | null = null
  private ownSeq = Number.MAX_SAFE_INTEGER / 2

  constructor(
    private readonly store: Store,
    private readonly now: () => number,
  ) {
    // While transactions are open, every write first hands the stored state to the open
    // snapshots that do not have it yet (copy on write), so they keep reading it.
    this.store.onBeforeWrite = (coll, key, before) => {
      if (!this.txs.size) return
      const k = txKey(coll, key)
      let seq: number | undefined
      for (const tx of this.txs.values()) {
        if (tx === this.committing || !tx.started || tx.before.has(k)) continue
        seq ??= before ? (this.store.getByKey(coll, key)?.seq ?? 0) : 0
        tx.before.set(k, { doc: before ? cloneDoc(before) : null, seq })
      }
    }
  }

  handle(action: string, body: Body): Body {
    this.expireTransactions()
    switch (action) {
      case 'database.addCollection':
        return this.addCollection(body)
      case 'database.insertDocument':
        return this.insert(body)
      case 'database.getDocument':
        return this.get(body)
      case 'database.calculateDocument':
        return this.count(body)
      case 'database.modifyDocument':
        return this.modify(body)
      case 'database.modifyAndReturnDoc':
        return this.modifyAndReturn(body)
      case 'database.removeDocument':
        return this.remove(body)
      case 'database.aggregateDocuments':
        return this.aggregate(body)
      case 'database.startTransaction':
        return this.startTransaction()
      case 'database.commitTransaction':
        return this.commit(body)
      case 'database.abortTransaction':
        return this.abort(body)
      default:
        throw new DbError('INVALID_PARAM', `unsupported action: ${action}`)
    }
  }

  // ---- decoding ----------------------------------------------------------------------------

  private ejson(value: unknown, field: string): unknown {
    if (value === undefined || value === '') return undefined
    if (typeof value !== 'string') throw new DbError('INVALID_PARAM', `${field} must be an EJSON string`)
    try {
      return this.resolveServerDates(EJSON.parse(value, { relaxed: true }))
    } catch (err) {
      if (err instanceof DbError) throw err
      throw new DbError('INVALID_PARAM', `invalid EJSON in ${field}: ${(err as Error).message}`)
    }
  }

  private object(value: unknown, field: string): Record<string, unknown> {
    const v = this.ejson(value, field)
    if (v === undefined) return {}
    if (!v || typeof v !== 'object' || Array.isArray(v))
      throw new DbError('INVALID_PARAM', `${field} must be an object`)
    return v as Record<string, unknown>
  }

  /**
   * Normalises decoded EJSON for the query engine: `db.serverDate({ offset })` arrives as
   * `{ $tcb_server_date: { offset } }` and becomes the clock's time; BSON regular expressions
   * (`db.RegExp`, `/re/` in where) become JS RegExps, which mingo evaluates.
   */
  private resolveServerDates(v: unknown): unknown {
    if (Array.isArray(v)) return v.map((x) => this.resolveServerDates(x))
    if (v instanceof BSONRegExp) {
      try {
        return new RegExp(v.pattern, v.options.replace(/[^imsu]/g, ''))
      } catch (err) {
        throw new DbError('INVALID_PARAM', `invalid regular expression: ${(err as Error).message}`)
      }
    }
    if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      const o = v as Record<string, unknown>
      const marker = o.$tcb_server_date as { offset?: unknown } | undefined
      if (marker && Object.keys(o).length === 1) return new Date(this.now() + Number(marker.offset ?? 0))
      for (const k of Object.keys(o)) o[k] = this.resolveServerDates(o[k])
    }
    return v
  }

  private collection(body: Body): string {
    const name = body.collectionName
    if (typeof name !== 'string' || !name) throw new DbError('INVALID_PARAM', 'collectionName is required')
    this.store.requireCollection(name)
    return name
  }

  private tx(body: Body): Tx | undefined {
    const id = body.transactionId
    if (id === undefined || id === '') return undefined
    const tx = this.txs.get(String(id))
    if (!tx) throw new DbError('DATABASE_TRANSACTION_FAIL', `transaction not found or expired: ${String(id)}`)
    tx.lastUsed = this.now()
    tx.started = true
    return tx
  }

  /** Runs a query through mingo, answering a bad operator with the platform's code. */
  private query(query: Record<string, unknown>): Query | null {
    if (!Object.keys(query).length) return null
    try {
      return new Query(query)
    } catch (err) {
      throw invalidOperator(err)
    }
  }

  // ---- reads -------------------------------------------------------------------------------

  /** Matching documents as seen by `tx` (its snapshot plus its own writes), in insertion order. */
  private matching(coll: string, query: Record<string, unknown>, tx?: Tx, single = false): StoredDoc[] {
    const out: StoredDoc[] = []
    let rows: Iterable<StoredDoc>
    try {
      rows = this.store.find(coll, query)
      if (!tx) {
        for (const row of rows) {
          out.push(row)
          if (single) break
        }
        return out
      }
      rows = [...rows]
    } catch (err) {
      throw invalidOperator(err)
    }
    const q = this.query(query)
    const matches = (d: Doc): boolean => !q || q.test(d)
    const seen = new Set<string>()
    const view = (k: string, key: string, fallback: StoredDoc | null): StoredDoc | null => {
      const own = tx.writes.get(k)
      if (own) return own.doc && matches(own.doc) ? { id: key, ver: 0, seq: own.seq, doc: own.doc } : null
      const snap = tx.before.get(k)
      if (snap)
        return snap.doc && matches(snap.doc) ? { id: key, ver: 0, seq: snap.seq, doc: snap.doc } : null
      return fallback
    }
    for (const row of rows) {
      const k = txKey(coll, row.id)
      seen.add(k)
      const v = view(k, row.id, row)
      if (v) out.push(v)
    }
    // Documents that match in the snapshot or in this transaction's writes but not (any more)
    // in the stored state.
    for (const map of [tx.writes, tx.before] as Map<string, unknown>[]) {
      for (const k of map.keys()) {
        if (seen.has(k) || !k.startsWith(`${coll}\u0000`)) continue
        seen.add(k)
        const v = view(k, k.slice(coll.length + 1), null)
        if (v) out.push(v)
      }
    }
    out.sort((a, b) => a.seq - b.seq)
    return single ? out.slice(0, 1) : out
  }

  private addCollection(body: Body): Body {
    const name = body.collectionName
    if (typeof name !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(name)) {
      throw new DbError('INVALID_PARAM', 'invalid collection name')
    }
    if (!this.store.createCollection(name, this.now())) {
      throw new DbError('DATABASE_COLLECTION_ALREADY_EXIST', `Table exist: ${name}`)
    }
    return {}
  }

  /** Fields with a 2dsphere index, which `$nearSphere` and `$geoNear` require (as MongoDB does). */
  private geoFields(coll: string): string[] {
    return this.store
      .listIndexes(coll)
      .filter((i) => i.type === '2dsphere')
      .map((i) => i.fields[0]!)
  }

  private get(body: Body): Body {
    const coll = this.collection(body)
    const query = this.object(body.query, 'query')
    const order = this.object(body.order, 'order') as Record<string, 1 | -1>
    const projection = this.object(body.projection, 'projection')
    const offset = nonNegativeInt(body.offset, 'offset', 0)
    const limit = Math.min(nonNegativeInt(body.limit, 'limit', DEFAULT_LIMIT) || DEFAULT_LIMIT, MAX_LIMIT)
    const single = body.queryType === 'DOC' || body.multi === false
    const tx = this.tx(body)
    const near = nearClause(query)
    if (near && !this.geoFields(coll).includes(near.field))
      throw new DbError(
        'DATABASE_INVALID_OPERRATOR',
        `unable to find index for $geoNear query: create a geo index (2dsphere) on ${near.field}`,
      )
    let docs = this.matching(coll, query, tx, single && !Object.keys(order).length && !near).map((r) => r.doc)
    // $nearSphere returns documents nearest first unless the query sorts them otherwise.
    if (near && !Object.keys(order).length) {
      docs = docs
        .map((d) => ({ d, m: distanceAt(d, near.field, near.point) ?? Infinity }))
        .sort((a, b) => a.m - b.m)
        .map((x) => x.d)
    }
    let list: Record<string, unknown>[]
    try {
      let cursor = find(docs, {}, Object.keys(projection).length ? projection : undefined)
      if (Object.keys(order).length) cursor = cursor.sort(order)
      list = cursor.skip(offset).limit(limit).all() as Record<string, unknown>[]
    } catch (err) {
      throw invalidOperator(err)
    }
    const encoded = list.map((d) => EJSON.stringify(d, { relaxed: false }))
    checkSize(encoded)
    return { data: { list: encoded, limit, offset }, total: docs.length }
  }

  private count(body: Body): Body {
    const coll = this.collection(body)
    const query = this.object(body.query, 'query')
    const tx = this.tx(body)
    let total = 0
    if (!tx && Object.keys(query).length === 0) total = this.store.count(coll)
    else total = this.matching(coll, query, tx).length
    return { data: { total } }
  }

  private aggregate(body: Body): Body {
    const coll = this.collection(body)
    const stages = body.stages
    if (!Array.isArray(stages)) throw new DbError('INVALID_PARAM', 'stages must be an array')
    const tx = this.tx(body)
    const pipeline = stages.map((s, i) => {
      const st = s as { stageKey?: unknown; stageValue?: unknown }
      if (typeof st.stageKey !== 'string' || !st.stageKey.startsWith('$')) {
        throw new DbError('INVALID_PARAM', `invalid stage ${i}`)
      }
      let value: unknown
      try {
        value = this.resolveServerDates(EJSON.parse(String(st.stageValue), { relaxed: true }))
      } catch (err) {
        throw new DbError('INVALID_PARAM', `invalid EJSON in stage ${i}: ${(err as Error).message}`)
      }
      return { [st.stageKey]: value } as Record<string, unknown>
    })
    if (pipeline.slice(1).some((s) => '$geoNear' in s))
      throw new DbError(
        'DATABASE_INVALID_OPERRATOR',
        '$geoNear is only valid as the first stage in a pipeline',
      )
    if (!pipeline.some((s) => '$limit' in s)) pipeline.push({ $limit: AGGREGATE_DEFAULT_LIMIT })
    // A leading $match goes through the store so that indexes serve it.
    let source: Doc[]
    const first = pipeline[0]
    if (first && '$geoNear' in first) {
      const spec = (first.$geoNear ?? {}) as GeoNearSpec
      source = geoNear(
        this.matching(coll, spec.query ?? {}, tx).map((r) => r.doc),
        spec,
        this.geoFields(coll),
      ) as Doc[]
      pipeline.shift()
    } else if (first && '$match' in first && first.$match && typeof first.$match === 'object') {
      source = this.matching(coll, first.$match as Record<string, unknown>, tx).map((r) => r.doc)
      pipeline.shift()
    } else {
      source = this.matching(coll, {}, tx).map((r) => r.doc)
    }
    let list: unknown[]
    try {
      list = new Aggregator(pipeline, {
        collectionResolver: (name: string) => {
          this.store.requireCollection(name)
          return this.matching(name, {}, tx).map((r) => r.doc)
        },
      }).run(source)
    } catch (err) {
      throw invalidOperator(err)
    }
    const encoded = list.map((d) => EJSON.stringify(d, { relaxed: false }))
    checkSize(encoded)
    return { data: { list: encoded } }
  }

  // ---- writes ------------------------------------------------------------------------------

  private insert(body: Body): Body {
    const coll = this.collection(body)
    if (!Array.isArray(body.data) || body.data.length === 0)
      throw new DbError('INVALID_PARAM', 'data must be a non-empty array')
    const docs = body.data.map((s, i) => {
      const d = this.object(s, `data[${i}]`)
      if (d._id === undefined) d._id = newDocId()
      // MongoDB keeps an _id's type: a number stays a number (doc(5) finds it), an ObjectId
      // stays an ObjectId.
      if (!isDocId(d._id)) throw new DbError('INVALID_PARAM', '_id must be a string, a number or an ObjectId')
      checkFieldNames(d)
      return d as Doc
    })
    const tx = this.tx(body)
    if (tx) {
      for (const d of docs) {
        const key = idKey(d._id)
        const [existing] = this.matching(coll, { _id: d._id }, tx, true)
        if (existing) throw duplicateIdError(coll, d._id)
        this.lock(tx, coll, key)
        tx.writes.set(txKey(coll, key), { coll, key, doc: d, seq: this.ownSeq++ })
      }
    } else {
      this.store.atomically(() => docs.forEach((d) => this.store.insert(coll, d)))
    }
    return { data: { insertedIds: docs.map((d) => d._id) } }
  }

  /** Applies an update (operators, or a plain object = $set) or a replacement. */
  private applyTo(doc: Doc, data: Record<string, unknown>, merge: boolean): Doc {
    if (!merge) {
      checkFieldNames(data)
      return { ...data, _id: doc._id }
    }
    const ops = Object.keys(data).some((k) => k.startsWith('$')) ? data : { $set: data }
    if ('_id' in ((ops.$set as object) ?? {})) throw new DbError('INVALID_PARAM', 'cannot update _id')
    for (const [op, fields] of Object.entries(ops)) {
      if (!op.startsWith('$'))
        throw new DbError('DATABASE_INVALID_OPERRATOR', `cannot mix update operators and fields: ${op}`)
      // Values of $push/$addToSet carry modifiers ($each, $slice …): only $set's values are documents.
      if (fields && typeof fields === 'object')
        checkFieldNames(fields as Record<string, unknown>, true, op === '$set' || op === '$setOnInsert')
    }
    const next = cloneDoc(doc)
    try {
      applyUpdate(next, ops)
    } catch (err) {
      throw invalidOperator(err)
    }
    return next
  }

  private modify(body: Body): Body {
    const coll = this.collection(body)
    const query = this.object(body.query, 'query')
    const data = this.object(body.data, 'data')
    const merge = body.merge !== false
    const multi = body.multi === true
    const tx = this.tx(body)
    const targets = this.matching(coll, query, tx, !multi)
    if (targets.length === 0 && body.upsert === true) {
      const id = isDocId(query._id) ? query._id : newDocId()
      const doc = this.applyTo({ _id: id }, data, merge)
      this.write(coll, tx, [doc], [])
      return { data: { updated: 0, upsert_id: id } }
    }
    const changed: Doc[] = []
    for (const t of targets) {
      const next = this.applyTo(t.doc, data, merge)
      if (!sameDoc(next, t.doc)) changed.push(next)
    }
    this.write(coll, tx, changed, [])
    // MongoDB's nMatched: a document updated to the values it already has still counts.
    return { data: { updated: targets.length } }
  }

  private modifyAndReturn(body: Body): Body {
    const coll = this.collection(body)
    const query = this.object(body.query, 'query')
    const data = this.object(body.data, 'data')
    const tx = this.tx(body)
    const [target] = this.matching(coll, query, tx, true)
    if (!target) return { data: { updated: 0, doc: null } }
    const next = this.applyTo(target.doc, data, true)
    if (!sameDoc(next, target.doc)) this.write(coll, tx, [next], [])
    return { data: { updated: 1, doc: EJSON.stringify(next, { relaxed: false }) } }
  }

  private remove(body: Body): Body {
    const coll = this.collection(body)
    const query = this.object(body.query, 'query')
    const multi = body.multi === true
    const tx = this.tx(body)
    const targets = this.matching(coll, query, tx, !multi)
    this.write(
      coll,
      tx,
      [],
      targets.map((t) => t.id),
    )
    return { data: { deleted: targets.length } }
  }

  /** Takes the write lock of a document for `tx`, or aborts `tx` with a write conflict. */
  private lock(tx: Tx, coll: string, key: string): void {
    const k = txKey(coll, key)
    const holder = this.locks.get(k)
    if ((holder !== undefined && holder !== tx.id) || tx.before.has(k)) {
      this.drop(tx)
      throw conflict()
    }
    this.locks.set(k, tx.id)
  }

  private write(coll: string, tx: Tx | undefined, puts: Doc[], removes: string[]): void {
    if (tx) {
      for (const d of puts) this.lock(tx, coll, idKey(d._id))
      for (const key of removes) this.lock(tx, coll, key)
      for (const d of puts) {
        const key = idKey(d._id)
        const k = txKey(coll, key)
        const seq = tx.writes.get(k)?.seq ?? this.store.getByKey(coll, key)?.seq ?? this.ownSeq++
        tx.writes.set(k, { coll, key, doc: d, seq })
      }
      for (const key of removes) tx.writes.set(txKey(coll, key), { coll, key, doc: null, seq: 0 })
      return
    }
    this.store.atomically(() => {
      for (const d of puts) this.store.put(coll, d)
      for (const key of removes) this.store.remove(coll, key)
    })
  }

  // ---- transactions ------------------------------------------------------------------------

  private startTransaction(): Body {
    const id = `tx-${newDocId()}`
    this.txs.set(id, { id, started: false, before: new Map(), writes: new Map(), lastUsed: this.now() })
    return { transactionId: id }
  }

  private drop(tx: Tx): void {
    this.txs.delete(tx.id)
    for (const k of tx.writes.keys()) if (this.locks.get(k) === tx.id) this.locks.delete(k)
    for (const [k, holder] of this.locks) if (holder === tx.id) this.locks.delete(k)
  }

  private commit(body: Body): Body {
    const tx = this.tx(body)
    if (!tx) throw new DbError('INVALID_PARAM', 'transactionId is required')
    this.drop(tx)
    // A document this transaction wrote was changed by a write outside any transaction.
    for (const k of tx.writes.keys()) if (tx.before.has(k)) throw conflict()
    this.committing = tx
    try {
      this.store.atomically(() => {
        for (const w of tx.writes.values()) {
          if (w.doc) this.store.put(w.coll, w.doc)
          else this.store.remove(w.coll, w.key)
        }
      })
    } finally {
      this.committing = null
    }
    return {}
  }

  private abort(body: Body): Body {
    const tx = this.txs.get(String(body.transactionId ?? ''))
    if (tx) this.drop(tx)
    return {}
  }

  private expireTransactions(): void {
    const cutoff = this.now() - TX_IDLE_MS
    for (const tx of [...this.txs.values()]) if (tx.lastUsed < cutoff) this.drop(tx)
  }

  openTransactions(): number {
    return this.txs.size
  }
}

function invalidOperator(err: unknown): DbError {
  if (err instanceof DbError) return err
  return new DbError('DATABASE_INVALID_OPERRATOR', (err as Error).message)
}

/**
 * Field names may not start with `$` (MongoDB: "Document can't have $ prefixed field names",
 * code 52 before 5.0; the platform refuses them). In an update, a path segment may be a
 * positional operator ($, $[], $[name]) instead.
 */
function checkFieldNames(doc: Record<string, unknown>, updatePaths = false, deep = true): void {
  const walk = (v: unknown, top: boolean): void => {
    if (Array.isArray(v)) return v.forEach((x) => walk(x, false))
    if (!v || typeof v !== 'object' || Object.getPrototypeOf(v) !== Object.prototype) return
    for (const [k, x] of Object.entries(v)) {
      const parts = top && updatePaths ? k.split('.') : [k]
      if (parts.some((p) => p.startsWith('$') && !(top && updatePaths && /^\$(\[\w*\])?$/.test(p))))
        throw new DbError('DATABASE_REQUEST_FAILED', `Document can't have $ prefixed field names: ${k}`)
      if (deep) walk(x, false)
    }
  }
  walk(doc, true)
}

function nonNegativeInt(v: unknown, field: string, dflt: number): number {
  if (v === undefined || v === null) return dflt
  const n = Number(v)
  if (!Number.isInteger(n) || n < 0)
    throw new DbError('INVALID_PARAM', `${field} must be a non-negative integer`)
  return n
}

function checkSize(encoded: string[]): void {
  let bytes = 0
  for (const s of encoded) bytes += Buffer.byteLength(s)
  if (bytes > MAX_RESULT_BYTES) {
    throw new DbError(
      'DATABASE_REQUEST_FAILED',
      `result size ${bytes} bytes exceeds the 1MB limit; use limit or field`,
    )
  }
}

function sameDoc(a: Doc, b: Doc): boolean {
  return EJSON.stringify(a) === EJSON.stringify(b)
}

export type { DocId }
export const isObjectId = (v: unknown): v is ObjectId => v instanceof ObjectId
