import { types } from 'node:util'
import { ObjectId } from 'bson'

/**
 * `$jsonSchema` as MongoDB evaluates it in a query
 * (https://www.mongodb.com/docs/manual/reference/operator/query/jsonSchema/): draft 4 keywords
 * plus `bsonType`. Integers count as "int"/"long"/"double"/"number" alike, because JSON
 * numbers arrive without a BSON type through the SDKs' relaxed EJSON.
 */

type Schema = Record<string, unknown>
type Obj = Record<string, unknown>

function isObj(v: unknown): v is Obj {
  return (
    !!v &&
    typeof v === 'object' &&
    !Array.isArray(v) &&
    !types.isDate(v) &&
    !types.isRegExp(v) &&
    !(v instanceof ObjectId)
  )
}

function bsonTypeOf(v: unknown): string[] {
  if (v === null) return ['null']
  if (Array.isArray(v)) return ['array']
  if (types.isDate(v)) return ['date']
  if (types.isRegExp(v)) return ['regex']
  if (v instanceof ObjectId) return ['objectId']
  if (typeof v === 'string') return ['string']
  if (typeof v === 'boolean') return ['bool']
  if (typeof v === 'number')
    return Number.isInteger(v)
      ? ['int', 'long', 'double', 'number', 'decimal']
      : ['double', 'number', 'decimal']
  if (isObj(v)) return ['object']
  return ['undefined']
}

function jsonTypeOf(v: unknown): string[] {
  if (v === null) return ['null']
  if (Array.isArray(v)) return ['array']
  if (typeof v === 'string') return ['string']
  if (typeof v === 'boolean') return ['boolean']
  if (typeof v === 'number') return ['number']
  if (isObj(v)) return ['object']
  return []
}

const asList = (v: unknown): string[] => (Array.isArray(v) ? (v as string[]) : [v as string])

function equal(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

export function validates(schema: Schema, v: unknown): boolean {
  const s = schema
  if (s.bsonType !== undefined && !asList(s.bsonType).some((t) => bsonTypeOf(v).includes(t))) return false
  if (s.type !== undefined && !asList(s.type).some((t) => jsonTypeOf(v).includes(t))) return false
  if (Array.isArray(s.enum) && !s.enum.some((e) => equal(e, v))) return false
  if (Array.isArray(s.allOf) && !s.allOf.every((x) => validates(x as Schema, v))) return false
  if (Array.isArray(s.anyOf) && !s.anyOf.some((x) => validates(x as Schema, v))) return false
  if (Array.isArray(s.oneOf) && s.oneOf.filter((x) => validates(x as Schema, v)).length !== 1) return false
  if (isObj(s.not) && validates(s.not, v)) return false
  if (typeof v === 'number') {
    if (typeof s.minimum === 'number' && (s.exclusiveMinimum === true ? v <= s.minimum : v < s.minimum))
      return false
    if (typeof s.maximum === 'number' && (s.exclusiveMaximum === true ? v >= s.maximum : v > s.maximum))
      return false
    if (typeof s.multipleOf === 'number' && v % s.multipleOf !== 0) return false
  }
  if (typeof v === 'string') {
    const len = [...v].length
    if (typeof s.minLength === 'number' && len < s.minLength) return false
    if (typeof s.maxLength === 'number' && len > s.maxLength) return false
    if (typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(v)) return false
  }
  if (Array.isArray(v)) {
    if (typeof s.minItems === 'number' && v.length < s.minItems) return false
    if (typeof s.maxItems === 'number' && v.length > s.maxItems) return false
    if (s.uniqueItems === true && new Set(v.map((x) => JSON.stringify(x))).size !== v.length) return false
    if (isObj(s.items) && !v.every((x) => validates(s.items as Schema, x))) return false
    if (Array.isArray(s.items)) {
      const tuple = s.items as Schema[]
      if (!tuple.every((t, i) => i >= v.length || validates(t, v[i]))) return false
      if (s.additionalItems === false && v.length > tuple.length) return false
    }
  }
  if (isObj(v)) {
    const keys = Object.keys(v)
    if (Array.isArray(s.required) && !s.required.every((k) => k in v)) return false
    if (typeof s.minProperties === 'number' && keys.length < s.minProperties) return false
    if (typeof s.maxProperties === 'number' && keys.length > s.maxProperties) return false
    const props = isObj(s.properties) ? (s.properties as Record<string, Schema>) : {}
    const patterns = isObj(s.patternProperties)
      ? Object.entries(s.patternProperties as Record<string, Schema>)
      : []
    for (const k of keys) {
      let covered = false
      if (props[k]) {
        covered = true
        if (!validates(props[k], v[k])) return false
      }
      for (const [re, sub] of patterns) {
        if (new RegExp(re, 'u').test(k)) {
          covered = true
          if (!validates(sub, v[k])) return false
        }
      }
      if (!covered) {
        if (s.additionalProperties === false) return false
        if (isObj(s.additionalProperties) && !validates(s.additionalProperties, v[k])) return false
      }
    }
  }
  return true
}

export function jsonSchemaValidator(schema: Obj): (doc: Obj) => boolean {
  return (doc) => validates(schema, doc)
}
