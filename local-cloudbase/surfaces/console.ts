/**
 * The developer console: its page (console.html, built) at /console/ and the JSON it reads and
 * writes under /console/api/ — overview, a collection as a table (read, add, replace, delete),
 * export and import of the whole database, invocation logs and the open API outbox.
 */
import type * as http from 'node:http'
import { BSONRegExp, EJSON } from 'bson'
import { idKey, isDocId, type Doc, type DocId, type IndexDef } from '../db/store'
import { newDocId } from '../db/engine'
import { find } from '../db/mingo'
import type { SubscriptionGrant } from '../subscribe-grants'
import type { Emulator } from './context'
import { timerView } from './control'
import { HttpError, readJsonObject, redirect, sendBytes, sendJson } from './http'
import { checkConsoleWrite } from './local-only'

export async function consoleRoute(
  lcb: Emulator,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
): Promise<void> {
  const p = url.pathname
  const { store } = lcb
  if (p === '/console') return redirect(res, '/console/')
  if (p === '/console/') {
    if (!lcb.consoleHtml) throw new HttpError(404, 'console not built')
    return sendBytes(res, lcb.consoleHtml, 'text/html; charset=utf-8')
  }
  const q = url.searchParams
  if (p === '/console/api/overview') {
    return sendJson(res, 200, {
      env: lcb.envId,
      now: new Date(lcb.clock.now()).toISOString(),
      tcbApi: `${lcb.baseUrl()}/admin`,
      gateway: `${lcb.baseUrl()}/gateway`,
      collections: store.listCollections(),
      functions: lcb.host.list().map((f) => ({ name: f.name, timeoutMs: f.timeoutMs, memoryMb: f.memoryMb })),
      timers: timerView(lcb),
    })
  }
  if (p === '/console/api/docs' && req.method === 'GET') {
    // A collection as a table: a JSON `where` (MongoDB query, EJSON for dates and ids), a
    // `sort` ({"field": 1|-1}) and paging; unsorted in insertion order, as the platform reads.
    const coll = q.get('collection') ?? ''
    if (!store.hasCollection(coll)) throw new HttpError(404, `no collection ${coll}`)
    const limit = Math.min(Math.max(Number(q.get('limit') ?? 20) || 20, 1), 100)
    const offset = Math.max(Number(q.get('offset') ?? 0) || 0, 0)
    const where = parseEjsonParam(q.get('where'), 'where')
    const sort = parseEjsonParam(q.get('sort'), 'sort') as Record<string, 1 | -1>
    let docs: Record<string, unknown>[]
    try {
      docs = [...store.find(coll, where)].map((d) => d.doc)
      if (Object.keys(sort).length) docs = find(docs, {}).sort(sort).all() as Record<string, unknown>[]
    } catch (err) {
      throw new HttpError(400, `query: ${(err as Error).message}`)
    }
    return sendJson(res, 200, {
      total: docs.length,
      offset,
      limit,
      docs: docs.slice(offset, offset + limit).map((d) => EJSON.serialize(d, { relaxed: true })),
    })
  }
  if (p === '/console/api/docs' && (req.method === 'POST' || req.method === 'DELETE')) {
    checkConsoleWrite(req)
    const body = (await readJsonObject(req)) as { collection?: string; doc?: unknown; id?: unknown }
    const coll = String(body.collection ?? '')
    if (!store.hasCollection(coll)) throw new HttpError(404, `no collection ${coll}`)
    if (req.method === 'DELETE') {
      const id = EJSON.deserialize({ id: body.id }, { relaxed: true }).id as DocId
      if (!isDocId(id)) throw new HttpError(400, 'id must be a document id')
      const removed = store.atomically(() => store.remove(coll, idKey(id)))
      return sendJson(res, 200, { removed })
    }
    // Add (no _id: one is generated) or replace a document, EJSON as the table shows it.
    const doc = EJSON.deserialize((body.doc ?? {}) as Record<string, unknown>, { relaxed: true }) as Doc
    if (!doc || typeof doc !== 'object' || Array.isArray(doc))
      throw new HttpError(400, 'doc must be an object')
    if (doc._id === undefined) doc._id = newDocId()
    if (!isDocId(doc._id)) throw new HttpError(400, '_id must be a string, a number or an ObjectId')
    try {
      store.atomically(() => store.put(coll, doc))
    } catch (err) {
      throw new HttpError(400, (err as Error).message)
    }
    return sendJson(res, 200, { doc: EJSON.serialize(doc, { relaxed: true }) })
  }
  if (p === '/console/api/export' && req.method === 'GET') {
    // The whole database in one file (to share a reproduction): every collection's documents
    // in insertion order, as canonical EJSON so types survive, plus indexes and grants.
    const collections: Record<string, { indexes: unknown[]; docs: unknown[] }> = {}
    for (const { name } of store.listCollections()) {
      collections[name] = {
        indexes: store.listIndexes(name),
        docs: [...store.find(name, {})].map((d) => EJSON.serialize(d.doc, { relaxed: false })),
      }
    }
    res.setHeader('content-disposition', `attachment; filename="local-cloudbase-${lcb.envId}.json"`)
    return sendJson(res, 200, {
      format: 'local-cloudbase-export/1',
      exportedAt: new Date(lcb.clock.now()).toISOString(),
      collections,
      subscriptions: lcb.grants.list(),
    })
  }
  if (p === '/console/api/import' && req.method === 'POST') {
    checkConsoleWrite(req)
    const body = (await readJsonObject(req)) as {
      format?: string
      collections?: Record<string, { indexes?: IndexDef[]; docs?: Record<string, unknown>[] }>
      subscriptions?: SubscriptionGrant[]
    }
    if (body.format !== 'local-cloudbase-export/1' || !body.collections)
      throw new HttpError(400, 'not a Local CloudBase export (format local-cloudbase-export/1)')
    let imported = 0
    try {
      store.atomically(() => {
        for (const [name, spec] of Object.entries(body.collections!)) {
          store.createCollection(name, lcb.clock.now())
          for (const d of [...store.find(name, {})]) store.remove(name, d.id)
          for (const index of spec.indexes ?? []) store.ensureIndex(name, index)
          for (const raw of spec.docs ?? []) {
            store.put(name, EJSON.deserialize(raw, { relaxed: false }) as Doc)
            imported += 1
          }
        }
        lcb.grants.replaceAll(body.subscriptions ?? [])
      })
    } catch (err) {
      throw new HttpError(400, `import failed, nothing changed: ${(err as Error).message}`)
    }
    return sendJson(res, 200, { imported })
  }
  if (p === '/console/api/invocations') {
    // Per-invocation logs, filtered by function, outcome and text (in logs, errors or caller).
    const fn = q.get('function') || null
    const outcome = q.get('ok')
    const text = (q.get('q') ?? '').toLowerCase()
    const list = [...lcb.host.records]
      .reverse()
      .filter(
        (r) =>
          (!fn || r.function === fn) &&
          (outcome === null || outcome === '' || String(r.ok) === outcome) &&
          (!text ||
            `${r.caller.openid ?? ''} ${r.error ?? ''} ${r.logs.map((l) => l.text).join('\n')}`
              .toLowerCase()
              .includes(text)),
      )
    return sendJson(res, 200, { invocations: list.slice(0, 100) })
  }
  if (p === '/console/api/outbox') return sendJson(res, 200, { calls: lcb.openApiLog.list(undefined, 100) })
  throw new HttpError(404, 'not found')
}

function parseEjsonParam(text: string | null, name: string): Record<string, unknown> {
  if (!text || !text.trim()) return {}
  try {
    const v = toRegExps(EJSON.parse(text, { relaxed: true }))
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('must be an object')
    return v as Record<string, unknown>
  } catch (err) {
    throw new HttpError(400, `${name}: ${(err as Error).message}`)
  }
}

/** EJSON reads `{"$regex": …}` as a BSONRegExp; the query engine evaluates JS RegExps. */
function toRegExps(v: unknown): unknown {
  if (v instanceof BSONRegExp) return new RegExp(v.pattern, v.options.replace(/[^imsu]/g, ''))
  if (Array.isArray(v)) return v.map(toRegExps)
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const o = v as Record<string, unknown>
    for (const k of Object.keys(o)) o[k] = toRegExps(o[k])
  }
  return v
}
