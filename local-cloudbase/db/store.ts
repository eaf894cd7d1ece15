import { types } from 'node:util'
import Database from 'better-sqlite3'
import { EJSON, ObjectId } from 'bson'
import { Query } from './mingo'
import { MAX_CHAR, SEP, encodeValue, indexKeys, isScalar, type Scalar } from './keys'
import { DbError } from './errors'

/** A document id: a string (generated ids too), a number or an ObjectId, as in MongoDB. */
export type DocId = string | number | ObjectId

export type Doc = Record<string, unknown> & { _id: DocId }

/**
 * The key a document is stored under. String ids are their own key (so existing data keeps
 * its keys); numbers and ObjectIds get a prefix no generated or sensible id starts with, so
 * `5`, `"5"` and an ObjectId never collide — MongoDB tells them apart too.
 */
export function idKey(id: DocId): string {
  if (typeof id === 'string') return id
  if (typeof id === 'number') return `\u0001n${id === 0 ? 0 : id}`
  return `\u0001o${id.toHexString()}`
}

export function isDocId(v: unknown): v is DocId {
  return typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) || v instanceof ObjectId
}

/**
 * A deep copy that keeps BSON values intact: structuredClone turns an ObjectId into a bag of
 * numbers (which the SDK then decodes as `{}`).
 */
export function cloneDoc<T>(v: T): T {
  if (Array.isArray(v)) return v.map(cloneDoc) as T
  if (v && typeof v === 'object') {
    if (types.isDate(v)) return new Date(v.getTime()) as T
    if (types.isRegExp(v) || v instanceof ObjectId || Object.getPrototypeOf(v) !== Object.prototype) return v
    const out: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v)) out[k] = cloneDoc(x)
    return out as T
  }
  return v
}

export interface IndexDef {
  name: string
  /** Field paths in key order (ascending; order only matters for range scans, which are ascending). */
  fields: string[]
  unique?: boolean
  /** Skip documents missing every indexed field (so a unique index allows many of them). */
  sparse?: boolean
  /**
   * "2dsphere": a geo index (the platform's 地理位置索引). `$nearSphere` and `$geoNear` need one
   * on the field, as in MongoDB; it is not used to narrow other queries.
   */
  type?: '2dsphere'
}

export interface StoredDoc {
  /** The storage key (see idKey). */
  id: string
  ver: number
  /** Insertion sequence: unsorted reads return documents in this order, as the platform does. */
  seq: number
  doc: Doc
}

/** Counters that benchmarks and tests read: how much work queries really did. */
export interface StoreStats {
  docsExamined: number
  indexLookups: number
  fullScans: number
}

type Range = [string, string]
type Plan =
  { kind: 'ids'; ids: DocId[] } | { kind: 'index'; index: IndexDef; ranges: Range[] } | { kind: 'scan' }

export function parseDoc(body: string): Doc {
  return EJSON.parse(body, { relaxed: true }) as Doc
}

export function serializeDoc(doc: unknown): string {
  return EJSON.stringify(doc, { relaxed: true })
}

/**
 * Documents in SQLite (WAL): one row per document holding its EJSON text and a version that
 * every write bumps (optimistic transactions compare it), plus one row per index key.
 */
export class Store {
  readonly db: Database.Database
  readonly stats: StoreStats = { docsExamined: 0, indexLookups: 0, fullScans: 0 }
  /** Documents written (put or removed) per collection since start: attributes writes to calls. */
  readonly writes = new Map<string, number>()
  private readonly indexes = new Map<string, IndexDef[]>()
  private readonly collections = new Set<string>()
  private readonly stmts
  private nextSeq = 1
  /** Called with the stored state before each write, while snapshots are open (transactions). */
  onBeforeWrite: ((coll: string, key: string, before: Doc | null) => void) | null = null

  /** Data files from before insertion order was kept get a sequence in id order, once. */
  private migrateSeq(): void {
    const cols = this.db.prepare<[], { name: string }>('PRAGMA table_info(docs)').all()
    if (!cols.some((c) => c.name === 'seq'))
      this.db.transaction(() => {
        this.db.exec('ALTER TABLE docs ADD COLUMN seq INTEGER NOT NULL DEFAULT 0')
        const rows = this.db
          .prepare<[], { coll: string; id: string }>('SELECT coll, id FROM docs ORDER BY coll, id')
          .all()
        const set = this.db.prepare('UPDATE docs SET seq = ? WHERE coll = ? AND id = ?')
        rows.forEach((r, i) => set.run(i + 1, r.coll, r.id))
      })()
    this.db.exec('CREATE INDEX IF NOT EXISTS docs_by_seq ON docs (coll, seq)')
  }

  constructor(file: string) {
    this.db = new Database(file)
    this.db.pragma('journal_mode = WAL')
    // NORMAL in WAL mode: a committed transaction survives a process crash (kill -9); only an
    // OS crash or power loss may lose the last commits. Acknowledged = committed.
    this.db.pragma('synchronous = NORMAL')
    this.db.pragma('foreign_keys = OFF')
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS collections (name TEXT PRIMARY KEY, created_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS docs (coll TEXT NOT NULL, id TEXT NOT NULL, ver INTEGER NOT NULL, body TEXT NOT NULL,
        seq INTEGER NOT NULL, PRIMARY KEY (coll, id)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS idx (coll TEXT NOT NULL, name TEXT NOT NULL, key TEXT NOT NULL, id TEXT NOT NULL,
        PRIMARY KEY (coll, name, key, id)) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS idx_by_doc ON idx (coll, id);
      CREATE TABLE IF NOT EXISTS index_defs (coll TEXT NOT NULL, name TEXT NOT NULL, def TEXT NOT NULL,
        PRIMARY KEY (coll, name)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
    `)
    this.migrateSeq()
    this.stmts = {
      getDoc: this.db.prepare<[string, string], { ver: number; seq: number; body: string }>(
        'SELECT ver, seq, body FROM docs WHERE coll = ? AND id = ?',
      ),
      scan: this.db.prepare<[string], { id: string; ver: number; seq: number; body: string }>(
        'SELECT id, ver, seq, body FROM docs WHERE coll = ? ORDER BY seq',
      ),
      insertDoc: this.db.prepare('INSERT INTO docs (coll, id, ver, body, seq) VALUES (?, ?, ?, ?, ?)'),
      updateDoc: this.db.prepare('UPDATE docs SET ver = ?, body = ? WHERE coll = ? AND id = ?'),
      deleteDoc: this.db.prepare('DELETE FROM docs WHERE coll = ? AND id = ?'),
      deleteIdxOfDoc: this.db.prepare('DELETE FROM idx WHERE coll = ? AND id = ?'),
      insertIdx: this.db.prepare('INSERT OR IGNORE INTO idx (coll, name, key, id) VALUES (?, ?, ?, ?)'),
      findDup: this.db.prepare<[string, string, string, string], { id: string }>(
        'SELECT id FROM idx WHERE coll = ? AND name = ? AND key = ? AND id != ? LIMIT 1',
      ),
      range: this.db.prepare<[string, string, string, string], { id: string }>(
        'SELECT id FROM idx WHERE coll = ? AND name = ? AND key >= ? AND key <= ? ORDER BY key, id',
      ),
      count: this.db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM docs WHERE coll = ?'),
      getMeta: this.db.prepare<[string], { v: string }>('SELECT v FROM meta WHERE k = ?'),
      setMeta: this.db.prepare(
        'INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v',
      ),
    }
    this.nextSeq =
      (this.db.prepare<[], { m: number | null }>('SELECT MAX(seq) AS m FROM docs').get()?.m ?? 0) + 1
    for (const r of this.db.prepare<[], { name: string }>('SELECT name FROM collections').all()) {
      this.collections.add(r.name)
    }
    for (const r of this.db
      .prepare<[], { coll: string; def: string }>('SELECT coll, def FROM index_defs')
      .all()) {
      this.indexList(r.coll).push(JSON.parse(r.def) as IndexDef)
    }
  }

  close(): void {
    this.db.close()
  }

  /** Runs `fn` in one SQLite transaction: all of its writes land, or none. */
  atomically<T>(fn: () => T): T {
    return this.db.transaction(fn)()
  }

  getMeta(k: string): string | undefined {
    return this.stmts.getMeta.get(k)?.v
  }

  setMeta(k: string, v: string): void {
    this.stmts.setMeta.run(k, v)
  }

  // ---- collections -------------------------------------------------------------------------

  hasCollection(name: string): boolean {
    return this.collections.has(name)
  }

  listCollections(): { name: string; count: number }[] {
    return [...this.collections].sort().map((name) => ({ name, count: this.stmts.count.get(name)?.n ?? 0 }))
  }

  createCollection(name: string, now: number): boolean {
    if (this.collections.has(name)) return false
    this.db.prepare('INSERT INTO collections (name, created_at) VALUES (?, ?)').run(name, now)
    this.collections.add(name)
    return true
  }

  requireCollection(name: string): void {
    if (!this.collections.has(name)) {
      throw new DbError('DATABASE_COLLECTION_NOT_EXIST', `Db or Table not exist: ${name}`)
    }
  }

  count(coll: string): number {
    return this.stmts.count.get(coll)?.n ?? 0
  }

  // ---- indexes -----------------------------------------------------------------------------

  private indexList(coll: string): IndexDef[] {
    let list = this.indexes.get(coll)
    if (!list) {
      list = []
      this.indexes.set(coll, list)
    }
    return list
  }

  listIndexes(coll: string): IndexDef[] {
    return [...(this.indexes.get(coll) ?? [])]
  }

  /** Creates or rebuilds an index from the definition; a unique violation leaves nothing changed. */
  ensureIndex(coll: string, def: IndexDef): void {
    const list = this.indexList(coll)
    const existing = list.find((d) => d.name === def.name)
    if (existing && JSON.stringify(existing) === JSON.stringify(def)) return
    this.atomically(() => {
      this.db.prepare('DELETE FROM idx WHERE coll = ? AND name = ?').run(coll, def.name)
      // all(), not iterate(): better-sqlite3 refuses writes while a read is still open, so an
      // index created on a collection that already holds documents failed ("connection is busy").
      for (const row of this.stmts.scan.all(coll)) {
        this.writeIndexKeys(coll, def, row.id, parseDoc(row.body))
      }
      this.db
        .prepare(
          'INSERT INTO index_defs (coll, name, def) VALUES (?, ?, ?) ON CONFLICT(coll, name) DO UPDATE SET def = excluded.def',
        )
        .run(coll, def.name, JSON.stringify(def))
    })
    if (existing) list.splice(list.indexOf(existing), 1, def)
    else list.push(def)
  }

  /** Drops an index (the deploy's `--prune`); the documents stay. */
  dropIndex(coll: string, name: string): boolean {
    const list = this.indexList(coll)
    const at = list.findIndex((d) => d.name === name)
    if (at < 0) return false
    this.atomically(() => {
      this.db.prepare('DELETE FROM idx WHERE coll = ? AND name = ?').run(coll, name)
      this.db.prepare('DELETE FROM index_defs WHERE coll = ? AND name = ?').run(coll, name)
    })
    list.splice(at, 1)
    return true
  }

  private writeIndexKeys(coll: string, def: IndexDef, id: string, doc: Doc): void {
    if (def.type === '2dsphere') return
    if (def.sparse && def.fields.every((f) => !hasPath(doc, f))) return
    for (const key of indexKeys(doc, def.fields)) {
      if (def.unique) {
        const dup = this.stmts.findDup.get(coll, def.name, key, id)
        if (dup) {
          const dupKey = def.fields.map((f) => `${f}: ${JSON.stringify(getPath(doc, f) ?? null)}`).join(', ')
          throw new DbError(
            'DATABASE_REQUEST_FAILED',
            `E11000 duplicate key error collection: ${coll} index: ${def.name} dup key: { ${dupKey} }`,
          )
        }
      }
      this.stmts.insertIdx.run(coll, def.name, key, id)
    }
  }

  // ---- documents ---------------------------------------------------------------------------

  get(coll: string, id: DocId): StoredDoc | null {
    return this.getByKey(coll, idKey(id))
  }

  getByKey(coll: string, key: string): StoredDoc | null {
    const row = this.stmts.getDoc.get(coll, key)
    this.stats.docsExamined += row ? 1 : 0
    return row ? { id: key, ver: row.ver, seq: row.seq, doc: parseDoc(row.body) } : null
  }

  /** The version of a stored document (0 if absent), by storage key. */
  version(coll: string, key: string): number {
    return this.stmts.getDoc.get(coll, key)?.ver ?? 0
  }

  /**
   * Inserts or replaces a document and its index keys; the caller wraps this in `atomically`.
   * A replaced document keeps its insertion sequence (MongoDB updates in place).
   */
  put(coll: string, doc: Doc): number {
    this.writes.set(coll, (this.writes.get(coll) ?? 0) + 1)
    const id = idKey(doc._id)
    const cur = this.stmts.getDoc.get(coll, id)
    if (this.onBeforeWrite) this.onBeforeWrite(coll, id, cur ? parseDoc(cur.body) : null)
    const ver = (cur?.ver ?? 0) + 1
    const body = serializeDoc(doc)
    if (cur) this.stmts.updateDoc.run(ver, body, coll, id)
    else this.stmts.insertDoc.run(coll, id, ver, body, this.nextSeq++)
    this.stmts.deleteIdxOfDoc.run(coll, id)
    for (const def of this.indexes.get(coll) ?? []) this.writeIndexKeys(coll, def, id, doc)
    return ver
  }

  insert(coll: string, doc: Doc): void {
    if (this.stmts.getDoc.get(coll, idKey(doc._id))) throw duplicateIdError(coll, doc._id)
    this.put(coll, doc)
  }

  remove(coll: string, key: string): boolean {
    if (this.onBeforeWrite) {
      const cur = this.stmts.getDoc.get(coll, key)
      if (cur) this.onBeforeWrite(coll, key, parseDoc(cur.body))
    }
    const res = this.stmts.deleteDoc.run(coll, key)
    if (res.changes > 0) this.writes.set(coll, (this.writes.get(coll) ?? 0) + 1)
    this.stmts.deleteIdxOfDoc.run(coll, key)
    return res.changes > 0
  }

  /**
   * Every document matching `query`, in insertion order (callers sort). Uses the `_id` or a
   * secondary index when the query pins a prefix of one; otherwise scans the collection.
   */
  *find(coll: string, query: Record<string, unknown>): Generator<StoredDoc> {
    const matcher = Object.keys(query).length ? new Query(query) : null
    const plan = this.plan(coll, query)
    const test = (row: StoredDoc | null): row is StoredDoc => !!row && (!matcher || matcher.test(row.doc))
    if (plan.kind === 'ids' || plan.kind === 'index') {
      const hits: StoredDoc[] = []
      const seen = new Set<string>()
      const keys: Iterable<string> =
        plan.kind === 'ids' ? plan.ids.map(idKey) : this.rangeKeys(coll, plan.index.name, plan.ranges)
      if (plan.kind === 'index') this.stats.indexLookups += 1
      for (const key of keys) {
        if (seen.has(key)) continue
        seen.add(key)
        const row = this.getByKey(coll, key)
        if (test(row)) hits.push(row)
      }
      // The platform returns unsorted results in insertion order whatever index serves them.
      hits.sort((a, b) => a.seq - b.seq)
      yield* hits
      return
    }
    this.stats.fullScans += 1
    for (const row of this.stmts.scan.iterate(coll)) {
      this.stats.docsExamined += 1
      const doc = parseDoc(row.body)
      if (!matcher || matcher.test(doc)) yield { id: row.id, ver: row.ver, seq: row.seq, doc }
    }
  }

  private *rangeKeys(coll: string, index: string, ranges: Range[]): Generator<string> {
    for (const [lo, hi] of ranges)
      for (const { id } of this.stmts.range.iterate(coll, index, lo, hi)) yield id
  }

  /** Which access path a query would use (exposed for tests and the console). */
  explain(coll: string, query: Record<string, unknown>): string {
    const p = this.plan(coll, query)
    return p.kind === 'index' ? `index:${p.index.name}` : p.kind
  }

  private plan(coll: string, query: Record<string, unknown>): Plan {
    const conds = collectConditions(query)
    const ids = idEquality(query._id)
    if (ids) return { kind: 'ids', ids }
    let best: { index: IndexDef; ranges: Range[]; score: number } | null = null
    for (const index of this.indexes.get(coll) ?? []) {
      if (index.type === '2dsphere') continue
      const built = rangesFor(index, conds)
      if (built && (!best || built.score > best.score)) best = { index, ...built }
    }
    return best ? { kind: 'index', index: best.index, ranges: best.ranges } : { kind: 'scan' }
  }
}

/** The ids an `_id` condition pins: a value, `{ $eq }` or `{ $in }` of ids; null if it pins none. */
function idEquality(cond: unknown): DocId[] | null {
  if (isDocId(cond)) return [cond]
  if (!isPlainObject(cond) || cond instanceof ObjectId) return null
  const keys = Object.keys(cond)
  if (keys.length !== 1) return null
  if (keys[0] === '$eq' && isDocId(cond.$eq)) return [cond.$eq]
  if (keys[0] === '$in' && Array.isArray(cond.$in) && cond.$in.every(isDocId)) return cond.$in as DocId[]
  return null
}

export function duplicateIdError(coll: string, id: DocId): DbError {
  return new DbError(
    'DATABASE_REQUEST_FAILED',
    `E11000 duplicate key error collection: ${coll} index: _id_ dup key: { _id: ${EJSON.stringify(id)} }`,
  )
}

interface Cond {
  eq?: Scalar[]
  low?: Scalar
  high?: Scalar
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v) && !types.isDate(v) && !types.isRegExp(v)
}

/** Field conditions an index can serve, from top-level fields and nested `$and`s. */
function collectConditions(query: Record<string, unknown>, out = new Map<string, Cond>()): Map<string, Cond> {
  for (const [k, v] of Object.entries(query)) {
    if (k === '$and' && Array.isArray(v)) {
      for (const sub of v) if (isPlainObject(sub)) collectConditions(sub, out)
      continue
    }
    if (k.startsWith('$')) continue
    const c = out.get(k) ?? {}
    if (isScalar(v)) {
      c.eq = [v]
    } else if (isPlainObject(v) && Object.keys(v).every((op) => op.startsWith('$'))) {
      for (const [op, arg] of Object.entries(v)) {
        if (op === '$eq' && isScalar(arg)) c.eq = [arg]
        else if (op === '$in' && Array.isArray(arg) && arg.every(isScalar) && arg.length <= 100)
          c.eq = arg as Scalar[]
        else if ((op === '$gt' || op === '$gte') && isScalar(arg) && arg !== null) c.low = arg
        else if ((op === '$lt' || op === '$lte') && isScalar(arg) && arg !== null) c.high = arg
      }
    }
    if (c.eq || c.low !== undefined || c.high !== undefined) out.set(k, c)
  }
  return out
}

/** Inclusive key ranges covering every document that can match; null if the index does not help. */
function rangesFor(index: IndexDef, conds: Map<string, Cond>): { ranges: Range[]; score: number } | null {
  let prefixes = ['']
  let score = 0
  for (let i = 0; i < index.fields.length; i++) {
    const c = conds.get(index.fields[i]!)
    const join = (p: string, part: string): string => (i === 0 ? part : p + SEP + part)
    const more = i < index.fields.length - 1
    if (c?.eq) {
      const next: string[] = []
      for (const p of prefixes) for (const v of c.eq) next.push(join(p, encodeValue(v)))
      if (next.length > 500) break
      prefixes = [...new Set(next)]
      score += 2
      if (!more) return { ranges: prefixes.map((p) => [p, p]), score }
      continue
    }
    if (c && (c.low !== undefined || c.high !== undefined)) {
      const lowEnc = c.low !== undefined ? encodeValue(c.low) : encodeValue(c.high)[0]!
      const sameType =
        c.low === undefined || c.high === undefined || encodeValue(c.low)[0] === encodeValue(c.high)[0]
      const highEnc =
        c.high !== undefined && sameType ? encodeValue(c.high) + SEP + MAX_CHAR : lowEnc[0]! + MAX_CHAR
      score += 1
      return { ranges: prefixes.map((p) => [join(p, lowEnc), join(p, highEnc)]), score }
    }
    if (i === 0) return null
    return { ranges: prefixes.map((p) => [p + SEP, p + SEP + MAX_CHAR]), score }
  }
  return score > 0 ? { ranges: prefixes.map((p) => [p, p + SEP + MAX_CHAR]), score } : null
}

function getPath(doc: unknown, path: string): unknown {
  let cur: unknown = doc
  for (const p of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined
    cur = (cur as Record<string, unknown>)[p]
  }
  return cur
}

function hasPath(doc: unknown, path: string): boolean {
  const v = getPath(doc, path)
  return v !== undefined && v !== null
}
