/**
 * CloudBase timer triggers use 7-field cron expressions evaluated in UTC+8:
 * `second minute hour day-of-month month day-of-week year`
 * (https://docs.cloudbase.net/cloud-function/timer-trigger — "Cron 表达式", 7 个必需字段,
 * 时区 UTC+8). Supports `*`, lists, ranges, steps and English month/weekday names.
 */

const OFFSET_MS = 8 * 3600_000

interface Field {
  min: number
  max: number
  names?: string[]
}

const FIELDS: Field[] = [
  { min: 0, max: 59 },
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  {
    min: 1,
    max: 12,
    names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
  },
  { min: 0, max: 6, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
  { min: 1970, max: 2199 },
]

export interface Cron {
  source: string
  sets: Set<number>[]
  domRestricted: boolean
  dowRestricted: boolean
}

function parseValue(token: string, f: Field): number {
  const upper = token.toUpperCase()
  if (f.names) {
    const i = f.names.indexOf(upper)
    if (i >= 0) return i + (f.min === 1 ? 1 : 0)
  }
  if (!/^\d+$/.test(token)) throw new Error(`invalid cron value: ${token}`)
  const n = Number(token)
  if (n < f.min || n > f.max) throw new Error(`cron value out of range: ${token}`)
  return n
}

function parseField(expr: string, f: Field): Set<number> {
  const out = new Set<number>()
  for (const part of expr.split(',')) {
    const [rangePart, stepPart] = part.split('/') as [string, string | undefined]
    const step = stepPart === undefined ? 1 : Number(stepPart)
    if (!Number.isInteger(step) || step < 1) throw new Error(`invalid cron step: ${part}`)
    let lo: number
    let hi: number
    if (rangePart === '*' || rangePart === '?') {
      lo = f.min
      hi = f.max
    } else if (rangePart.includes('-')) {
      const [a, b] = rangePart.split('-') as [string, string]
      lo = parseValue(a, f)
      hi = parseValue(b, f)
    } else {
      lo = parseValue(rangePart, f)
      hi = stepPart === undefined ? lo : f.max
    }
    if (lo > hi) throw new Error(`invalid cron range: ${part}`)
    for (let v = lo; v <= hi; v += step) out.add(v)
  }
  return out
}

export function parseCron(source: string): Cron {
  const parts = source.trim().split(/\s+/)
  if (parts.length !== 7)
    throw new Error(`cron needs 7 fields (second minute hour day month week year): "${source}"`)
  const sets = parts.map((p, i) => parseField(p, FIELDS[i]!))
  return {
    source,
    sets,
    domRestricted: parts[3] !== '*' && parts[3] !== '?',
    dowRestricted: parts[5] !== '*' && parts[5] !== '?',
  }
}

/** The first fire time strictly after `afterMs` (epoch ms), or null within 5 years. */
export function nextFire(cron: Cron, afterMs: number): number | null {
  const [sec, min, hour, dom, mon, dow, year] = cron.sets as [
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
  ]
  // Work on Shanghai wall time expressed through UTC getters.
  let t = Math.floor((afterMs + OFFSET_MS) / 1000) * 1000 + 1000
  const limit = t + 5 * 366 * 86_400_000
  while (t < limit) {
    const d = new Date(t)
    const y = d.getUTCFullYear()
    if (!year.has(y)) {
      t = Date.UTC(y + 1, 0, 1)
      continue
    }
    if (!mon.has(d.getUTCMonth() + 1)) {
      t = Date.UTC(y, d.getUTCMonth() + 1, 1)
      continue
    }
    const domOk = dom.has(d.getUTCDate())
    const dowOk = dow.has(d.getUTCDay())
    const dayOk =
      cron.domRestricted && cron.dowRestricted
        ? domOk || dowOk
        : cron.domRestricted
          ? domOk
          : cron.dowRestricted
            ? dowOk
            : true
    if (!dayOk) {
      t = Date.UTC(y, d.getUTCMonth(), d.getUTCDate() + 1)
      continue
    }
    if (!hour.has(d.getUTCHours())) {
      t = Date.UTC(y, d.getUTCMonth(), d.getUTCDate(), d.getUTCHours() + 1)
      continue
    }
    if (!min.has(d.getUTCMinutes())) {
      t = Date.UTC(y, d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes() + 1)
      continue
    }
    if (!sec.has(d.getUTCSeconds())) {
      t += 1000
      continue
    }
    return t - OFFSET_MS
  }
  return null
}
