import type { LocalCloudBase } from '../../local-cloudbase/server'
import { OPENID, ROLES, type Row } from './access-matrix'
import { envelope, mutate, rng, type Json } from './fuzz'

/** Every code the api may answer; anything else is a broken envelope. */
const CODES = new Set([
  'INVALID_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'INVALID_STATE',
  'RATE_LIMITED',
  'UNAVAILABLE',
  'CONTENT_RISKY',
  'CALENDAR_MISSING',
  'UNKNOWN_ACTION',
  'INTERNAL',
])

/**
 * Bookkeeping a refusal is meant to write: a claim attempt is counted before it is judged (so
 * parallel guesses cannot overrun the limit), and a wrong phone counts against the code.
 */
const WRITES_ON_ERROR_ALLOWED = new Set(['claim_attempts', 'claim_codes'])

export interface FuzzFinding {
  action: string
  openid: string
  input: string
  answer: string
}

export interface FuzzReport {
  inputs: number
  ms: number
  codes: Record<string, number>
  internal: FuzzFinding[]
  malformed: FuzzFinding[]
  writesOnError: FuzzFinding[]
}

const short = (v: unknown) => {
  const s = JSON.stringify(v) ?? String(v)
  return s.length > 300 ? `${s.slice(0, 300)}… (${s.length} chars)` : s
}

/**
 * Fuzzes every row's action: the row's valid payload (built once, as its first allowed caller)
 * mutated `perAction` times, each sent as a random caller; then `envelopes` malformed events.
 * Calls run four at a time (the gateway runs function instances in parallel); writes are
 * attributed per call by Local CloudBase (`x-db-writes`).
 */
export async function runFuzz(
  lcb: LocalCloudBase,
  matrix: Record<string, Row>,
  opts: { seed: number; perAction: number; envelopes: number },
): Promise<FuzzReport> {
  const r = rng(opts.seed)
  const report: FuzzReport = { inputs: 0, ms: 0, codes: {}, internal: [], malformed: [], writesOnError: [] }
  const callers = [...ROLES.map((x) => OPENID[x]), 'o-fuzz-stranger']
  const started = Date.now()
  const templates: Record<string, Record<string, Json>> = {}
  const ids: string[] = ['st-baiyun-lihua', 'ag-by-lh-2', 'it-MZ-001', 'pr-qs-hy-2']
  for (const [action, row] of Object.entries(matrix)) {
    const first = ROLES[[...row.expect].indexOf('O')] ?? 'admin'
    try {
      templates[action] = ((await row.payload?.(first)) ?? {}) as Record<string, Json>
    } catch {
      templates[action] = {}
    }
    for (const v of Object.values(templates[action]))
      if (typeof v === 'string' && /^(case-|bk-|cp-|ag-|st-|it-)/.test(v)) ids.push(v)
  }

  const events: { event: Json; openid: string; action: string }[] = []
  for (const action of Object.keys(matrix)) {
    for (let i = 0; i < opts.perAction; i++) {
      events.push({
        action,
        openid: callers[Math.floor(r() * callers.length)]!,
        event: {
          action,
          payload: mutate(templates[action]!, r, ids),
          requestId: `fz-${i}-${Math.floor(r() * 1e9)}`,
        },
      })
    }
  }
  const names = Object.keys(matrix)
  for (let i = 0; i < opts.envelopes; i++)
    events.push({
      action: '(envelope)',
      openid: callers[Math.floor(r() * callers.length)]!,
      event: envelope(r, names, ids),
    })

  const one = async (e: (typeof events)[number]) => {
    const res = await fetch(`${lcb.gatewayUrl}/functions/api`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(e.openid ? { 'x-wx-openid': e.openid } : {}) },
      body: JSON.stringify(e.event),
    })
    const text = await res.text()
    const writes = JSON.parse(res.headers.get('x-db-writes') ?? '{}') as Record<string, number>
    report.inputs += 1
    const finding = { action: e.action, openid: e.openid, input: short(e.event), answer: short(text) }
    let body: { ok?: unknown; data?: unknown; error?: { code?: unknown; message?: unknown } }
    try {
      body = JSON.parse(text) as typeof body
    } catch {
      report.malformed.push(finding)
      return
    }
    const envelopeOk =
      res.status === 200 &&
      body &&
      typeof body === 'object' &&
      (body.ok === true
        ? 'data' in body
        : body.ok === false &&
          typeof body.error?.code === 'string' &&
          CODES.has(body.error.code) &&
          typeof body.error.message === 'string' &&
          body.error.message.length < 500)
    if (!envelopeOk) {
      report.malformed.push(finding)
      return
    }
    const code = body.ok ? 'ok' : String(body.error!.code)
    report.codes[code] = (report.codes[code] ?? 0) + 1
    if (code === 'INTERNAL') report.internal.push(finding)
    if (!body.ok && Object.keys(writes).some((c) => !WRITES_ON_ERROR_ALLOWED.has(c)))
      report.writesOnError.push({ ...finding, answer: `${finding.answer} wrote ${JSON.stringify(writes)}` })
  }

  let next = 0
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < events.length) await one(events[next++]!)
    }),
  )
  report.ms = Date.now() - started
  return report
}
