/**
 * A small, seeded input fuzzer for the `api` function: mutations of a valid payload (wrong
 * types, sizes, deep nesting, query operators, unicode, prototype keys, other users' ids) and
 * whole-envelope junk. Shared by the fuzz test (a few hundred inputs per action) and
 * `npm run bench fuzz` (thousands).
 */

/** mulberry32: a tiny deterministic PRNG, so a failing input can be replayed from its seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json }

function nest(depth: number, leaf: Json): Json {
  let v = leaf
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v }
  return v
}

const UNICODE = [
  '',
  ' ',
  '\u0000',
  '\u202e反转',
  '👨‍👩‍👧‍👦'.repeat(50),
  '𠀀𠀁𠀂',
  'ä'.normalize('NFD'),
  '\ud800',
  '<script>alert(1)</script>',
  "'; DROP TABLE cases; --",
  '../../etc/passwd',
  'cloud://other-env.bucket/cases/aaaaaaaaaaaaaaaaaaaa/x/abcdefgh12.jpg',
  '2026-02-30',
  '9999-99-99',
  '0001-01',
  '   王秀英   ',
  '١٢٣',
]

const OPERATORS: Json[] = [
  { $gt: '' },
  { $ne: null },
  { $regex: '.*' },
  { $where: 'sleep(1000)' },
  { $exists: true },
  { $in: ['a', 'b'] },
  { _id: { $ne: '' } },
  { __proto__: { admin: true } } as unknown as Json,
  JSON.parse('{"__proto__":{"polluted":true}}') as Json,
  { constructor: { prototype: { polluted: true } } },
]

/** A value of a random kind. `ids` are real ids of other people's objects. */
export function junk(r: () => number, ids: string[]): Json {
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!
  switch (Math.floor(r() * 14)) {
    case 0:
      return null
    case 1:
      return r() < 0.5
    case 2:
      return pick([0, -1, 1.5, -0, 1e308, -1e308, 2 ** 53 + 1, 1e-320, 42, 2147483648])
    case 3:
      return pick(UNICODE)
    case 4:
      return 'x'.repeat(pick([65, 257, 1025, 20_000, 120_000]))
    case 5:
      return pick(OPERATORS)
    case 6:
      return nest(pick([5, 40, 120]), pick(['x', 1, null]))
    case 7:
      return Array.from({ length: pick([0, 10, 101, 2000]) }, () => pick(['a', 1, null]))
    case 8:
      return pick(ids)
    case 9:
      return {}
    case 10:
      return [pick(ids), pick(UNICODE)]
    case 11:
      return Math.floor(r() * 1e6)
    case 12:
      return pick(['submitted', 'admin', 'supervisor', 'true', 'null', 'undefined', 'NaN'])
    default:
      return { [pick(['$set', '$inc', 'a.b', '', '__proto__'])]: pick(UNICODE) }
  }
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T
}

/** One mutation of `template`: change, drop or add fields, or replace the whole payload. */
export function mutate(template: Record<string, Json>, r: () => number, ids: string[]): Json {
  const p = clone(template)
  const keys = Object.keys(p)
  const roll = r()
  if (roll < 0.08) return junk(r, ids)
  if (roll < 0.16 || !keys.length) {
    p[['extra', '_id', 'openid', 'role', 'stationId', '__proto__', 'agentId'][Math.floor(r() * 7)]!] = junk(
      r,
      ids,
    )
    return p
  }
  const n = 1 + Math.floor(r() * Math.min(3, keys.length))
  for (let i = 0; i < n; i++) {
    const k = keys[Math.floor(r() * keys.length)]!
    if (r() < 0.2) delete p[k]
    else p[k] = junk(r, ids)
  }
  return p
}

/** Malformed envelopes: not an object, odd action names, request ids of the wrong type. */
export function envelope(r: () => number, actions: string[], ids: string[]): Json {
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!
  switch (Math.floor(r() * 8)) {
    case 0:
      return junk(r, ids)
    case 1:
      return { action: junk(r, ids), payload: {} }
    case 2:
      return { action: 'x'.repeat(1_000_000) }
    case 3:
      return { action: pick(actions), payload: {}, requestId: junk(r, ids) }
    case 4:
      return { action: `${pick(actions)}.${pick(UNICODE)}` }
    case 5:
      return { action: pick(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) }
    case 6:
      return { action: pick(actions), payload: junk(r, ids) }
    default:
      return { action: pick(actions), payload: [] }
  }
}
