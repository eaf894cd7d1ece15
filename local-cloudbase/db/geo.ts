import { types } from 'node:util'
import { resolve } from 'mingo/util'
import { DbError } from './errors'

/**
 * Geo queries as MongoDB answers them on a 2dsphere field (the platform's geo index), for the
 * SDKs' `_.geoNear`, `_.geoWithin`, `_.geoIntersects` and the `geoNear` aggregate stage
 * (https://docs.cloudbase.net/api-reference/server/node-sdk/database/command#geonear):
 * - `$nearSphere` / `$near` with a GeoJSON point: distances in metres on a sphere of MongoDB's
 *   earth radius, documents sorted nearest first unless the query has its own sort;
 * - `$geoWithin` with `$geometry` (Polygon, MultiPolygon) or `$centerSphere` ([point, radians]);
 * - `$geoIntersects` of stored points with a geometry;
 * - the `$geoNear` stage (near, distanceField, minDistance, maxDistance, query, key,
 *   distanceMultiplier, includeLocs), only as the first stage.
 * Polygon edges are treated as straight lines in longitude/latitude, which differs from
 * MongoDB's geodesic edges by metres at town scale and more for continent-sized shapes.
 */

/** MongoDB's kRadiusOfEarthInMeters (src/mongo/db/geo/geoconstants.h). */
export const EARTH_RADIUS_M = 6378.1 * 1000

type Pt = [number, number]
type Obj = Record<string, unknown>

function isObj(v: unknown): v is Obj {
  return !!v && typeof v === 'object' && !Array.isArray(v) && !types.isDate(v)
}

/** A stored location: a GeoJSON Point or a legacy [lng, lat] pair. */
export function pointOf(v: unknown): Pt | null {
  if (Array.isArray(v) && v.length >= 2 && typeof v[0] === 'number' && typeof v[1] === 'number')
    return [v[0], v[1]]
  if (isObj(v) && v.type === 'Point' && Array.isArray(v.coordinates)) return pointOf(v.coordinates)
  return null
}

/** Every vertex of a stored geometry (a point has one). */
function verticesOf(v: unknown): Pt[] {
  const p = pointOf(v)
  if (p) return [p]
  if (!isObj(v) || !Array.isArray(v.coordinates)) return []
  const flat: Pt[] = []
  const walk = (c: unknown): void => {
    const q = pointOf(c)
    if (q) flat.push(q)
    else if (Array.isArray(c)) c.forEach(walk)
  }
  walk(v.coordinates)
  return flat
}

function toRad(d: number): number {
  return (d * Math.PI) / 180
}

/** Great-circle distance in radians. */
export function arc(a: Pt, b: Pt): number {
  const [lng1, lat1] = [toRad(a[0]), toRad(a[1])]
  const [lng2, lat2] = [toRad(b[0]), toRad(b[1])]
  const h =
    Math.sin((lat2 - lat1) / 2) ** 2 + Math.cos(lat1) * Math.cos(lat2) * Math.sin((lng2 - lng1) / 2) ** 2
  return 2 * Math.asin(Math.min(1, Math.sqrt(h)))
}

export function metres(a: Pt, b: Pt): number {
  return arc(a, b) * EARTH_RADIUS_M
}

function inRing(p: Pt, ring: Pt[]): boolean {
  let inside = false
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!
    const [xj, yj] = ring[j]!
    if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside
  }
  return inside
}

function rings(poly: unknown): Pt[][] {
  if (!Array.isArray(poly)) return []
  return poly.map((r) => (Array.isArray(r) ? r.map(pointOf).filter((x): x is Pt => !!x) : []))
}

function inPolygon(p: Pt, poly: unknown): boolean {
  const [outer, ...holes] = rings(poly)
  return !!outer && inRing(p, outer) && !holes.some((h) => inRing(p, h))
}

function geometryContains(geometry: Obj, p: Pt): boolean {
  if (geometry.type === 'Polygon') return inPolygon(p, geometry.coordinates)
  if (geometry.type === 'MultiPolygon')
    return Array.isArray(geometry.coordinates) && geometry.coordinates.some((poly) => inPolygon(p, poly))
  throw new DbError(
    'DATABASE_INVALID_OPERRATOR',
    `$geoWithin: unsupported geometry type ${String(geometry.type)}`,
  )
}

interface NearSpec {
  point: Pt
  min: number
  max: number
}

/** Reads `{ $geometry, $minDistance, $maxDistance }` (metres) or a legacy point (radians). */
export function nearSpec(arg: unknown, op: string): NearSpec {
  if (isObj(arg) && '$geometry' in arg) {
    const point = pointOf(arg.$geometry)
    if (!point) throw new DbError('DATABASE_INVALID_OPERRATOR', `${op}: $geometry must be a GeoJSON Point`)
    const min = arg.$minDistance === undefined ? 0 : Number(arg.$minDistance)
    const max = arg.$maxDistance === undefined ? Infinity : Number(arg.$maxDistance)
    if (!(min >= 0) || !(max >= 0))
      throw new DbError('DATABASE_INVALID_OPERRATOR', `${op}: distances must be non-negative numbers`)
    return { point, min, max }
  }
  const point = pointOf(arg)
  if (!point) throw new DbError('DATABASE_INVALID_OPERRATOR', `${op}: expected a point`)
  return { point, min: 0, max: Infinity }
}

const resolveField = (o: unknown, selector: string): unknown => resolve(o as Obj, selector)

/** Nearest distance (metres) from any point stored at `selector` to `p`, or null. */
export function distanceAt(doc: unknown, selector: string, p: Pt): number | null {
  const v = resolveField(doc, selector)
  const candidates = Array.isArray(v) && !pointOf(v) ? v : [v]
  let best: number | null = null
  for (const c of candidates) {
    const q = pointOf(c)
    if (q) {
      const d = metres(q, p)
      if (best === null || d < best) best = d
    }
  }
  return best
}

const near =
  (op: string) =>
  (selector: string, value: unknown): ((o: unknown) => boolean) => {
    const spec = nearSpec(value, op)
    return (o) => {
      const d = distanceAt(o, selector, spec.point)
      return d !== null && d >= spec.min && d <= spec.max
    }
  }

const $geoWithin = (selector: string, value: unknown): ((o: unknown) => boolean) => {
  if (!isObj(value)) throw new DbError('DATABASE_INVALID_OPERRATOR', '$geoWithin expects an object')
  let test: (p: Pt) => boolean
  if (isObj(value.$geometry)) {
    const g = value.$geometry
    test = (p) => geometryContains(g, p)
  } else if (Array.isArray(value.$centerSphere)) {
    const [c, r] = value.$centerSphere as [unknown, unknown]
    const centre = pointOf(c)
    const radius = Number(r)
    if (!centre || !(radius >= 0))
      throw new DbError('DATABASE_INVALID_OPERRATOR', '$centerSphere expects [[lng, lat], radians]')
    test = (p) => arc(p, centre) <= radius
  } else {
    throw new DbError('DATABASE_INVALID_OPERRATOR', '$geoWithin supports $geometry and $centerSphere')
  }
  return (o) => {
    const vs = verticesOf(resolveField(o, selector))
    return vs.length > 0 && vs.every(test)
  }
}

const $geoIntersects = (selector: string, value: unknown): ((o: unknown) => boolean) => {
  const g = isObj(value) && isObj(value.$geometry) ? value.$geometry : null
  if (!g) throw new DbError('DATABASE_INVALID_OPERRATOR', '$geoIntersects expects { $geometry }')
  const gp = pointOf(g)
  return (o) => {
    const vs = verticesOf(resolveField(o, selector))
    if (gp) return vs.some((p) => p[0] === gp[0] && p[1] === gp[1])
    if (g.type === 'Polygon' || g.type === 'MultiPolygon') return vs.some((p) => geometryContains(g, p))
    const gv = verticesOf(g)
    return vs.some((p) => gv.some((q) => p[0] === q[0] && p[1] === q[1]))
  }
}

export const geoQueryOps = {
  $nearSphere: near('$nearSphere'),
  $near: near('$near'),
  $geoWithin,
  $geoIntersects,
}

/** The `{ field, point }` of a top-level `$nearSphere`/`$near`, whose results sort by distance. */
export function nearClause(query: Obj): { field: string; point: Pt } | null {
  for (const [field, cond] of Object.entries(query)) {
    if (field.startsWith('$') || !isObj(cond)) continue
    for (const op of ['$nearSphere', '$near']) {
      if (op in cond) return { field, point: nearSpec(cond[op], op).point }
    }
  }
  return null
}

export interface GeoNearSpec {
  near: unknown
  distanceField?: string
  spherical?: boolean
  minDistance?: number
  maxDistance?: number
  query?: Obj
  key?: string
  distanceMultiplier?: number
  includeLocs?: string
}

/** Applies a `$geoNear` stage to the documents matching its query. */
export function geoNear(docs: Obj[], spec: GeoNearSpec, geoFields: string[]): Obj[] {
  const point = pointOf(spec.near)
  if (!point) throw new DbError('DATABASE_INVALID_OPERRATOR', '$geoNear requires near to be a GeoJSON Point')
  if (!spec.distanceField)
    throw new DbError('DATABASE_INVALID_OPERRATOR', '$geoNear requires a distanceField option')
  const key = spec.key ?? (geoFields.length === 1 ? geoFields[0] : undefined)
  if (!key)
    throw new DbError(
      'DATABASE_INVALID_OPERRATOR',
      geoFields.length
        ? 'more than one 2dsphere index, use the key option to choose one'
        : 'unable to find index for $geoNear query',
    )
  const min = spec.minDistance ?? 0
  const max = spec.maxDistance ?? Infinity
  const mult = spec.distanceMultiplier ?? 1
  const out: { d: number; doc: Obj }[] = []
  for (const doc of docs) {
    const d = distanceAt(doc, key, point)
    if (d === null || d < min || d > max) continue
    const copy = structuredClone(doc)
    setPath(copy, spec.distanceField, d * mult)
    if (spec.includeLocs) setPath(copy, spec.includeLocs, resolveField(doc, key))
    out.push({ d, doc: copy })
  }
  return out.sort((a, b) => a.d - b.d).map((x) => x.doc)
}

function setPath(doc: Obj, path: string, value: unknown): void {
  const parts = path.split('.')
  let cur = doc
  for (const p of parts.slice(0, -1)) {
    if (!isObj(cur[p])) cur[p] = {}
    cur = cur[p] as Obj
  }
  cur[parts[parts.length - 1]!] = value
}
