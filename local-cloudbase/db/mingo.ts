import { types } from 'node:util'
import { Context } from 'mingo'
import { Query as MingoQuery } from 'mingo/query'
import { Aggregator as MingoAggregator } from 'mingo/aggregator'
import { update as mingoUpdate } from 'mingo/updater'
import * as queryOps from 'mingo/operators/query'
import * as exprOps from 'mingo/operators/expression'
import * as pipelineOps from 'mingo/operators/pipeline'
import * as projectionOps from 'mingo/operators/projection'
import * as accumulatorOps from 'mingo/operators/accumulator'
import * as windowOps from 'mingo/operators/window'
import { resolve } from 'mingo/util'
import { geoQueryOps } from './geo'
import { jsonSchemaValidator } from './json-schema'

/**
 * mingo (MongoDB semantics in JavaScript) with the places where it differs from MongoDB
 * corrected in our layer, so that Local CloudBase answers what the platform (a MongoDB
 * underneath) answers. Every query, projection, update and pipeline goes through here.
 */

type Any = Record<string, unknown>
type Obj = Record<string, unknown>
type Opts = Parameters<typeof queryOps.$elemMatch>[2]
type ExprOpts = Parameters<typeof exprOps.$substrBytes>[2]

function isDocLike(v: unknown): v is Obj | unknown[] {
  return !!v && typeof v === 'object' && !types.isDate(v) && !types.isRegExp(v)
}

/** Evaluates an operator's argument list (an array expression evaluates element-wise). */
function args(obj: Any, expr: unknown, options: ExprOpts): unknown[] {
  return exprOps.$concatArrays(obj, [expr], options) as unknown[]
}

/**
 * `$elemMatch` with field conditions ({ a: { $ne: 1 } }) only considers array elements that
 * are documents: MongoDB's ElemMatchObjectMatchExpression skips every element that is not an
 * object or array, so `['x', 3]` never matches it. mingo tests scalars against the field
 * conditions and matches (`$ne`, `$nin`, `$not` are true of a missing field).
 * The operator form ({ $gt: 5 }) applies to scalars and is left to mingo.
 */
const $elemMatch = (selector: string, value: unknown, options: Opts) => {
  const crit = value as Obj
  const objectForm =
    isDocLike(crit) &&
    !Array.isArray(crit) &&
    Object.keys(crit).some(
      (k) => !k.startsWith('$') || ['$and', '$or', '$nor', '$expr', '$where'].includes(k),
    )
  if (!objectForm) return queryOps.$elemMatch(selector, value as Any, options)
  const inner = new Query(crit)
  return (o: Any): boolean => {
    const lhs = resolve(o, selector, { unwrapArray: true })
    if (!Array.isArray(lhs)) return false
    return lhs.some((el) => isDocLike(el) && inner.test(el as Obj))
  }
}

/**
 * `$substr`/`$substrBytes` with a negative length return the rest of the string
 * (https://www.mongodb.com/docs/manual/reference/operator/aggregation/substrBytes/ —
 * "If <byte count> is negative, $substrBytes returns a substring that starts at the byte
 * index and includes the rest of the string"); mingo refuses a negative count.
 */
const substr =
  (orig: typeof exprOps.$substrBytes) =>
  (obj: Any, expr: unknown, options: ExprOpts): unknown => {
    if (!Array.isArray(expr) || expr.length !== 3) return orig(obj, expr, options)
    const [s, index, count] = args(obj, expr, options)
    if (typeof count === 'number' && count < 0 && typeof s === 'string') {
      const rest = Math.max(0, Buffer.byteLength(s) - (typeof index === 'number' ? index : 0))
      return orig(obj, [{ $literal: s }, index, rest], options)
    }
    return orig(obj, [{ $literal: s }, index, count], options)
  }

/**
 * `$indexOfCP`: the code point index of a substring, -1 if absent, null for a null string
 * (https://www.mongodb.com/docs/manual/reference/operator/aggregation/indexOfCP/). Missing in mingo.
 */
const $indexOfCP = (obj: Any, expr: unknown, options: ExprOpts): unknown => {
  if (!Array.isArray(expr) || expr.length < 2 || expr.length > 4)
    throw new Error('$indexOfCP expects an array of 2 to 4 arguments')
  const [str, search, start = 0, end] = args(obj, expr, options)
  if (str === null || str === undefined) return null
  if (typeof str !== 'string') throw new Error('$indexOfCP requires a string as the first argument')
  if (typeof search !== 'string') throw new Error('$indexOfCP requires a string as the second argument')
  const cps = [...str]
  const stop = end === undefined ? cps.length : Number(end)
  if (!Number.isInteger(start) || (start as number) < 0 || !Number.isInteger(stop) || stop < 0)
    throw new Error('$indexOfCP start and end must be non-negative integers')
  const needle = [...search]
  for (let i = start as number; i + needle.length <= Math.min(stop, cps.length); i++) {
    if (needle.every((c, j) => cps[i + j] === c)) return i
  }
  return -1
}

/**
 * `$week`: weeks begin on Sundays, week 1 starts on the year's first Sunday and the days
 * before it are week 0 (0–53), like strftime's %U
 * (https://www.mongodb.com/docs/manual/reference/operator/aggregation/week/). mingo returns
 * the ISO week, which is `$isoWeek`.
 */
const $week = (obj: Any, expr: unknown, options: ExprOpts): unknown => {
  const yday = exprOps.$dayOfYear(obj, expr, options) as number | null // 1-based
  const dow = exprOps.$dayOfWeek(obj, expr, options) as number | null // 1 = Sunday
  if (yday === null || dow === null) return null
  return Math.floor((yday - 1 + 7 - (dow - 1)) / 7)
}

// One full context with our operators in place of mingo's: mingo's own entry points merge
// their defaults first, and the first operator of a name wins, so they cannot be overridden.
const CONTEXT = Context.init({
  accumulator: accumulatorOps as never,
  pipeline: pipelineOps as never,
  projection: projectionOps as never,
  window: windowOps as never,
  query: { ...queryOps, $elemMatch, ...geoQueryOps } as never,
  expression: {
    ...exprOps,
    $substr: substr(exprOps.$substrBytes),
    $substrBytes: substr(exprOps.$substrBytes),
    $indexOfCP,
    $week,
  } as never,
})

const OPTIONS = { context: CONTEXT, jsonSchemaValidator }

export class Query extends MingoQuery {
  constructor(condition: Obj) {
    super(condition, OPTIONS)
  }
}

export class Aggregator extends MingoAggregator {
  constructor(pipeline: Obj[], options: { collectionResolver?: (name: string) => Obj[] } = {}) {
    super(pipeline, { ...OPTIONS, ...options })
  }
}

export function find(docs: Obj[], query: Obj, projection?: Obj) {
  return new Query(query).find(docs, projection)
}

export function update(doc: Obj, ops: Obj): string[] {
  return mingoUpdate(doc, ops as never, undefined, undefined, { queryOptions: OPTIONS })
}
