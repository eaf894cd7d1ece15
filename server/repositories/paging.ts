/**
 * Keyset paging for lists that can outgrow one query (the platform returns 100 documents unless
 * limited, 1,000 at most). A page is read after the last row the client saw, so rows inserted or
 * removed meanwhile neither repeat nor vanish as they would with skip; the total is a count(),
 * never the length of what happened to be read.
 */
import { invalidInput } from '../lib/errors'
import type { Database, Row } from './db'

/** One page of a list: the rows, how many there are in all, and where the next page starts. */
export interface Page<T> {
  list: T[]
  total: number
  /** Opaque; null on the last page. */
  nextCursor: string | null
}

/** The sort of a paged list: one field, then `_id` in the same direction to break ties. */
export interface PageSort {
  field: string
  dir: 'asc' | 'desc'
}

type Key = string | number | { d: string } | null

function keyOf(v: unknown): Key {
  if (v instanceof Date || Object.prototype.toString.call(v) === '[object Date]')
    return { d: (v as Date).toISOString() }
  if (typeof v === 'string' || typeof v === 'number') return v
  return null
}

function valueOf(k: Key): unknown {
  return k && typeof k === 'object' ? new Date(k.d) : k
}

/** base64url of the last row's sort value and id; the client passes it back unchanged. */
export function encodeCursor(value: unknown, id: string): string {
  return Buffer.from(JSON.stringify([keyOf(value), id])).toString('base64url')
}

/** The sort value and id a cursor names; a cursor that was not ours is INVALID_INPUT. */
export function decodeCursor(cursor: string): { value: unknown; id: string } {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown
    if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[1] === 'string') {
      const k = parsed[0] as Key
      const ok =
        k === null ||
        typeof k === 'string' ||
        typeof k === 'number' ||
        (typeof k === 'object' && typeof k.d === 'string' && !Number.isNaN(Date.parse(k.d)))
      if (ok) return { value: valueOf(k), id: parsed[1] }
    }
  } catch {
    // fall through to the refusal below
  }
  throw invalidInput({ cursor: '翻页参数不正确' }, '翻页参数不正确，请下拉刷新后重试')
}

/**
 * A page of `collection` matching `where`, ordered by `sort` then `_id`, starting after `cursor`;
 * `limit` rows at most (≤ 100). Two calls: the page (one row more than asked, to know whether
 * another page follows) and the count.
 */
export async function keysetPage<T extends { _id: string }>(
  db: Database,
  collection: string,
  where: Record<string, unknown>,
  sort: PageSort,
  cursor: string | null | undefined,
  limit: number,
): Promise<Page<T>> {
  const _ = db.command as Database['command'] & { and(conds: unknown[]): object }
  const after = cursor ? decodeCursor(cursor) : null
  const beyond = (v: unknown) => (sort.dir === 'asc' ? _.gt(v) : _.lt(v))
  const query = after
    ? _.and([
        where,
        _.or([{ [sort.field]: beyond(after.value) }, { [sort.field]: after.value, _id: beyond(after.id) }]),
      ])
    : where
  const size = Math.max(1, Math.min(100, limit))
  const [{ data }, { total }] = await Promise.all([
    db
      .collection(collection)
      .where(query as object)
      .orderBy(sort.field, sort.dir)
      .orderBy('_id', sort.dir)
      .limit(size + 1)
      .get(),
    db.collection(collection).where(where).count(),
  ])
  const rows = data as Row[] as unknown as T[]
  const list = rows.slice(0, size)
  const last = list.at(-1) as (T & Record<string, unknown>) | undefined
  return {
    list,
    total,
    nextCursor: rows.length > size && last ? encodeCursor(last[sort.field], last._id) : null,
  }
}
