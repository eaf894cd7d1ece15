/**
 * Order-preserving text encoding of index keys, so that SQLite's BINARY comparison of the
 * encoded text orders keys like MongoDB orders values of the supported types
 * (null < numbers < strings < booleans < dates). Objects and arrays of objects are not
 * indexed by value; the query planner only uses an index for scalar conditions and always
 * re-checks every candidate with the full query, so the index only has to return a superset.
 */

// `types.isDate`, not `instanceof Date`: documents cloned with structuredClone (updates) carry
// Dates of Node's main realm, which fail `instanceof` inside a jest or vm context.
import { types } from 'node:util'

const TYPE_NULL = '0'
const TYPE_NUMBER = '1'
const TYPE_STRING = '2'
const TYPE_OTHER = '5'
const TYPE_BOOL = '8'
const TYPE_DATE = '9'

/** Separates the parts of a compound key; lower than every type tag. */
export const SEP = '\u0000'
/** Greater than any character an encoded key can contain. */
export const MAX_CHAR = '\u{10FFFF}'

const buf = Buffer.alloc(8)

/** Big-endian bytes of an IEEE-754 double, flipped so that unsigned byte order = numeric order. */
function sortableDouble(n: number): string {
  buf.writeDoubleBE(n === 0 ? 0 : n) // -0 sorts as 0
  if (n < 0 || Object.is(n, -0)) {
    for (let i = 0; i < 8; i++) buf[i] = ~buf[i]! & 0xff
  } else {
    buf[0] = buf[0]! | 0x80
  }
  return buf.toString('hex')
}

export type Scalar = null | number | string | boolean | Date

export function isScalar(v: unknown): v is Scalar {
  return (
    v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' || types.isDate(v)
  )
}

/** Encodes one value; `undefined` (missing field) encodes like null, as MongoDB indexes it. */
export function encodeValue(v: unknown): string {
  if (v === null || v === undefined) return TYPE_NULL
  if (typeof v === 'number') return TYPE_NUMBER + (Number.isNaN(v) ? '' : sortableDouble(v))
  if (typeof v === 'string') return TYPE_STRING + v.split(SEP).join('')
  if (typeof v === 'boolean') return TYPE_BOOL + (v ? '1' : '0')
  if (types.isDate(v)) return TYPE_DATE + sortableDouble(v.getTime())
  return TYPE_OTHER + JSON.stringify(v)
}

/** The [low, high] bounds of all keys of the same type as `v` (for open-ended ranges). */
export function typeBounds(v: Scalar): [string, string] {
  const tag = encodeValue(v)[0]!
  return [tag, tag + MAX_CHAR]
}

/** Reads a dotted path; arrays along the path fan out (multikey). */
export function valuesAtPath(doc: unknown, path: string): unknown[] {
  const parts = path.split('.')
  let cur: unknown[] = [doc]
  for (const p of parts) {
    const next: unknown[] = []
    for (const c of cur) {
      if (Array.isArray(c)) {
        if (/^\d+$/.test(p)) next.push(c[Number(p)])
        else
          for (const el of c) if (el && typeof el === 'object') next.push((el as Record<string, unknown>)[p])
      } else if (c && typeof c === 'object' && !types.isDate(c)) {
        next.push((c as Record<string, unknown>)[p])
      } else {
        next.push(undefined)
      }
    }
    cur = next
  }
  const out: unknown[] = []
  for (const v of cur) {
    if (Array.isArray(v)) {
      if (v.length === 0) out.push(undefined)
      for (const el of v) out.push(el)
    } else out.push(v)
  }
  return out
}

/** All encoded keys a document contributes to an index on `fields` (cartesian over arrays). */
export function indexKeys(doc: unknown, fields: readonly string[], limit = 1000): string[] {
  let keys = ['']
  fields.forEach((f, i) => {
    const vals = [...new Set(valuesAtPath(doc, f).map(encodeValue))]
    const next: string[] = []
    for (const k of keys) for (const v of vals) next.push(i === 0 ? v : k + SEP + v)
    if (next.length > limit)
      throw new Error(`index key fan-out above ${limit} for fields ${fields.join(',')}`)
    keys = next
  })
  return keys
}
