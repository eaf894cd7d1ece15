import { types } from 'node:util'
import { randomBytes } from 'node:crypto'
import { BSONRegExp, EJSON } from 'bson'
import { Aggregator, find, update as applyUpdate } from 'mingo'
import type { Store, Doc, StoredDoc } from './store'
import { DbError } from './errors'

/**
 * The database actions of the TCB API (`database.*`), with CloudBase semantics:
 * - queries, updates and pipelines are evaluated by mingo (MongoDB semantics) over EJSON;
 * - a query returns 100 documents unless limited, at most 1000
 *   (https://docs.cloudbase.net/api-reference/webv2/database#limit);
 * - an aggregation returns 20 documents unless it has a `$limit` stage
 *   (https://developers.weixin.qq.com/miniprogram/dev/wxcloud/reference-sdk-api/database/aggregate/Aggregate.limit.html);
 * - a result above 1 MB fails, as on the platform;
 * - transactions are optimistic: reads record document versions, writes are buffered and
 *   applied at commit only if no version read has changed; otherwise the commit answers
 *   DATABASE_TRANSACTION_CONFLICT, which makes the SDK's runTransaction retry.
 */

export type Body = Record<string, unknown>

const DEFAULT_LIMIT = 100
const MAX_LIMIT = 1000
const AGGREGATE_DEFAULT_LIMIT = 20
const MAX_RESULT_BYTES = 1024 * 1024
const TX_IDLE_MS = 60_000

interface Tx {
  id: string
  reads: Map<string, number>
  writes: Map<string, { coll: string; id: string; doc: Doc | null }>
  lastUsed: number
}

const txKey = (coll: string, id: string): string => `${coll}\u0000${id}`

export function newDocId(): string {
  return randomBytes(16).toString('hex')
}

export class DatabaseEngine {
  private readonly txs = new Map<string, Tx>()

  constructor(
    private readonly store: Store,
    private readonly now: () => number,
  ) {}

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
    if (v && typeof v === 'object' && !types.isDate(v) && !types.isRegExp(v)) {
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
    return tx
  }

  // ---- reads -------------------------------------------------------------------------------

  /** Matching documents as seen by `tx` (its own buffered writes win). */
  private matching(coll: string, query: Record<string, unknown>, tx?: Tx, single = false): StoredDoc[] {
    const out: StoredDoc[] = []
    if (!tx) {
      for (const row of this.store.find(coll, query)) {
        out.push(row)
        if (single) break
      }
      return out
    }
    const seen = new Set<string>()
    for (const row of this.store.find(coll, query)) {
      const k = txKey(coll, row.id)
      seen.add(k)
      if (!tx.reads.has(k)) tx.reads.set(k, row.ver)
      const w = tx.writes.get(k)
      if (w) {
        if (w.doc && find([w.doc], query).hasNext()) out.push({ id: row.id, ver: row.ver, doc: w.doc })
      } else out.push(row)
    }
    for (const [k, w] of tx.writes) {
      if (w.coll === coll && !seen.has(k) && w.doc && find([w.doc], query).hasNext()) {
        out.push({ id: w.id, ver: 0, doc: w.doc })
      }
    }
    // A document read by id that does not exist is still a read: a later insert by another
    // writer must conflict with this transaction.
    if (typeof query._id === 'string' && out.length === 0) {
      const k = txKey(coll, query._id)
      if (!tx.reads.has(k)) tx.reads.set(k, this.store.version(coll, query._id))
    }
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

  private get(body: Body): Body {
    const coll = this.collection(body)
    const query = this.object(body.query, 'query')
    const order = this.object(body.order, 'order') as Record<string, 1 | -1>
    const projection = this.object(body.projection, 'projection')
    const offset = nonNegativeInt(body.offset, 'offset', 0)
    const limit = Math.min(nonNegativeInt(body.limit, 'limit', DEFAULT_LIMIT) || DEFAULT_LIMIT, MAX_LIMIT)
    const single = body.queryType === 'DOC' || body.multi === false
    const tx = this.tx(body)
    const docs = this.matching(coll, query, tx, single && !Object.keys(order).length).map((r) => r.doc)
    const total = docs.length
    let cursor = find(docs, {}, Object.keys(projection).length ? projection : undefined)
    if (Object.keys(order).length) cursor = cursor.sort(order)
    const list = cursor.skip(offset).limit(limit).all()
    const encoded = list.map((d) => EJSON.stringify(d, { relaxed: false }))
    checkSize(encoded)
    return { data: { list: encoded, limit, offset }, total }
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
      return { [st.stageKey]: value }
    })
    if (!pipeline.some((s) => '$limit' in s)) pipeline.push({ $limit: AGGREGATE_DEFAULT_LIMIT })
    // A leading $match goes through the store so that indexes serve it.
    let source: Doc[]
    const first = pipeline[0]
    if (first && '$match' in first && first.$match && typeof first.$match === 'object') {
      source = this.matching(coll, first.$match as Record<string, unknown>).map((r) => r.doc)
      pipeline.shift()
    } else {
      source = this.matching(coll, {}).map((r) => r.doc)
    }
    let list: unknown[]
    try {
      list = new Aggregator(pipeline, {
        collectionResolver: (name: string) => {
          this.store.requireCollection(name)
          return this.matching(name, {}).map((r) => r.doc)
        },
      }).run(source)
    } catch (err) {
      if (err instanceof DbError) throw err
      throw new DbError('DATABASE_INVALID_OPERRATOR', (err as Error).message)
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
      if (typeof d._id !== 'string' && typeof d._id !== 'number')
        throw new DbError('INVALID_PARAM', '_id must be a string')
      d._id = String(d._id)
      return d as Doc
    })
    const tx = this.tx(body)
    if (tx) {
      for (const d of docs) {
        const k = txKey(coll, d._id)
        const existing = tx.writes.get(k)?.doc ?? (tx.writes.has(k) ? null : this.store.get(coll, d._id)?.doc)
        if (existing) throw duplicateId(coll, d._id)
        if (!tx.reads.has(k)) tx.reads.set(k, this.store.version(coll, d._id))
        tx.writes.set(k, { coll, id: d._id, doc: d })
      }
    } else {
      this.store.atomically(() => docs.forEach((d) => this.store.insert(coll, d)))
    }
    return { data: { insertedIds: docs.map((d) => d._id) } }
  }

  /** Applies an update (operators, or a plain object = $set) or a replacement; true if changed. */
  private applyTo(doc: Doc, data: Record<string, unknown>, merge: boolean): Doc {
    if (!merge) return { ...data, _id: doc._id }
    const ops = Object.keys(data).some((k) => k.startsWith('$')) ? data : { $set: data }
    if ('_id' in ((ops.$set as object) ?? {})) throw new DbError('INVALID_PARAM', 'cannot update _id')
    const next = structuredClone(doc)
    try {
      applyUpdate(next, ops as never)
    } catch (err) {
      throw new DbError('DATABASE_INVALID_OPERRATOR', (err as Error).message)
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
      const id = typeof query._id === 'string' ? query._id : newDocId()
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
    return { data: { updated: changed.length } }
  }

  private modifyAndReturn(body: Body): Body {
    const coll = this.collection(body)
    const query = this.object(body.query, 'query')
    const data = this.object(body.data, 'data')
    const tx = this.tx(body)
    const [target] = this.matching(coll, query, tx, true)
    if (!target) return { data: { updated: 0, doc: null } }
    const next = this.applyTo(target.doc, data, true)
    const changed = !sameDoc(next, target.doc)
    if (changed) this.write(coll, tx, [next], [])
    return { data: { updated: changed ? 1 : 0, doc: EJSON.stringify(next, { relaxed: false }) } }
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

  private write(coll: string, tx: Tx | undefined, puts: Doc[], removes: string[]): void {
    if (tx) {
      for (const d of puts) tx.writes.set(txKey(coll, d._id), { coll, id: d._id, doc: d })
      for (const id of removes) tx.writes.set(txKey(coll, id), { coll, id, doc: null })
      return
    }
    this.store.atomically(() => {
      for (const d of puts) this.store.put(coll, d)
      for (const id of removes) this.store.remove(coll, id)
    })
  }

  // ---- transactions ------------------------------------------------------------------------

  private startTransaction(): Body {
    const id = `tx-${newDocId()}`
    this.txs.set(id, { id, reads: new Map(), writes: new Map(), lastUsed: this.now() })
    return { transactionId: id }
  }

  private commit(body: Body): Body {
    const tx = this.tx(body)
    if (!tx) throw new DbError('INVALID_PARAM', 'transactionId is required')
    this.txs.delete(tx.id)
    this.store.atomically(() => {
      for (const [k, ver] of tx.reads) {
        const [coll, id] = k.split('\u0000') as [string, string]
        if (this.store.version(coll, id) !== ver) {
          throw new DbError('DATABASE_TRANSACTION_CONFLICT', 'Transaction is conflicted, please retry')
        }
      }
      for (const w of tx.writes.values()) {
        if (w.doc) this.store.put(w.coll, w.doc)
        else this.store.remove(w.coll, w.id)
      }
    })
    return {}
  }

  private abort(body: Body): Body {
    const id = String(body.transactionId ?? '')
    this.txs.delete(id)
    return {}
  }

  private expireTransactions(): void {
    const cutoff = this.now() - TX_IDLE_MS
    for (const [id, tx] of this.txs) if (tx.lastUsed < cutoff) this.txs.delete(id)
  }

  openTransactions(): number {
    return this.txs.size
  }
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

function duplicateId(coll: string, id: string): DbError {
  return new DbError(
    'DATABASE_REQUEST_FAILED',
    `E11000 duplicate key error collection: ${coll} index: _id_ dup key: { _id: ${JSON.stringify(id)} }`,
  )
}

function sameDoc(a: Doc, b: Doc): boolean {
  return EJSON.stringify(a) === EJSON.stringify(b)
}
