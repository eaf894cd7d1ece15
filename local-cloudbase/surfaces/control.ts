/**
 * The control surface, under /gateway: what tests, benchmarks and the console use to drive the
 * platform's side rather than a user's.
 *   GET|POST /gateway/clock               read, set ({set: ISO}) or advance ({advanceMs}) the clock
 *   GET      /gateway/timers              the timers with their next and last runs
 *   POST     /gateway/timers/<fn>/run     run a function's timers now (x-db-calls as for a call)
 *   GET|POST /gateway/subscriptions       WeChat's record of accepted subscribe messages
 *   GET      /gateway/openapi             the open API calls made (the outbox)
 *   POST     /gateway/openapi/faults      inject ({api, errcode, remaining?}) or clear failures
 *   GET      /gateway/stats               TCB API counters, store and instance figures
 */
import type * as http from 'node:http'
import type { InvocationRecord } from '../functions/host'
import type { OpenApiFault } from '../openapi'
import type { Emulator } from './context'
import { HttpError, header, readJsonObject, sendJson, setInvocationHeaders } from './http'

/** Handles a control request (`p` without the /gateway prefix); 404 for anything else. */
export async function control(
  lcb: Emulator,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  p: string,
  url: URL,
): Promise<void> {
  if (p === '/clock') {
    if (req.method === 'POST') {
      const body = (await readJsonObject(req)) as { set?: unknown; advanceMs?: unknown }
      if (typeof body.set === 'string' && !Number.isNaN(Date.parse(body.set)))
        lcb.clock.set(Date.parse(body.set))
      else if (typeof body.advanceMs === 'number' && Number.isFinite(body.advanceMs))
        lcb.clock.advance(body.advanceMs)
      else throw new HttpError(400, 'body must be {"set": ISO-8601} or {"advanceMs": number}')
      // Moving the clock fires each skipped timer once: answer when those runs are done, so a
      // caller's next step never races a catch-up run it cannot see.
      await lcb.scheduler.idle()
    } else if (req.method !== 'GET') throw new HttpError(405, 'method not allowed')
    return sendJson(res, 200, { now: new Date(lcb.clock.now()).toISOString() })
  }
  const timer = /^\/timers\/([\w-]+)\/run$/.exec(p)
  if (timer && req.method === 'POST') {
    const fnName = timer[1]!
    if (!lcb.scheduler.hasTimers(fnName)) throw new HttpError(404, `no timer for function ${fnName}`)
    const results = await lcb.scheduler.runNow(fnName)
    // The same figures as /functions/<name>: what the run cost in database calls and writes.
    const runs = lcb.scheduler
      .list()
      .filter((t) => t.function === fnName)
      .map((t) => lcb.lastTimerRun.get(`${t.function}/${t.trigger}`))
      .filter((r): r is InvocationRecord => !!r)
    setInvocationHeaders(res, runs)
    return sendJson(res, 200, { ran: results.length, ok: results.every(Boolean) })
  }
  if (p === '/subscriptions') {
    // What a user accepted in wx.requestSubscribeMessage: WeChat's record, which
    // subscribeMessage.send checks. The mini-program's local mode and tests post here.
    if (req.method === 'POST') {
      const body = (await readJsonObject(req)) as { openid?: unknown; accepted?: unknown; longTerm?: unknown }
      const openid = typeof body.openid === 'string' && body.openid ? body.openid : header(req, 'x-wx-openid')
      const accepted = body.accepted
      if (!openid || !Array.isArray(accepted) || !accepted.every((t) => typeof t === 'string' && t))
        throw new HttpError(
          400,
          'body must be {"accepted": [templateId…], "longTerm"?, "openid"?} (or x-wx-openid)',
        )
      lcb.grants.accept(openid, accepted as string[], body.longTerm === true)
      return sendJson(res, 200, { grants: lcb.grants.list(openid) })
    }
    if (req.method === 'GET')
      return sendJson(res, 200, { grants: lcb.grants.list(url.searchParams.get('openid') ?? undefined) })
    throw new HttpError(405, 'method not allowed')
  }
  if (p === '/timers' && req.method === 'GET') return sendJson(res, 200, { timers: timerView(lcb) })
  if (p === '/openapi' && req.method === 'GET') {
    return sendJson(res, 200, {
      calls: lcb.openApiLog.list(
        url.searchParams.get('api') ?? undefined,
        Number(url.searchParams.get('limit') ?? 100),
      ),
    })
  }
  if (p === '/openapi/faults' && req.method === 'POST') {
    const body = (await readJsonObject(req)) as Partial<OpenApiFault> & { clear?: boolean }
    if (body.clear) lcb.faults.splice(0)
    else if (typeof body.api === 'string' && typeof body.errcode === 'number') {
      lcb.faults.push({
        api: body.api,
        errcode: body.errcode,
        errmsg: body.errmsg ?? 'injected failure',
        remaining: body.remaining ?? 1,
        ...(body.touser ? { touser: body.touser } : {}),
      })
    } else throw new HttpError(400, 'body must be {"api", "errcode", "remaining"?} or {"clear": true}')
    return sendJson(res, 200, { faults: lcb.faults })
  }
  if (p === '/stats' && req.method === 'GET') {
    return sendJson(res, 200, {
      counters: lcb.counters,
      store: lcb.store.stats,
      instances: lcb.host.instanceCounts(),
    })
  }
  throw new HttpError(404, 'not found')
}

/** The timers with ISO times (the control surface and the console's overview show them). */
export function timerView(lcb: Emulator): unknown[] {
  return lcb.scheduler.list().map((t) => ({
    ...t,
    next: t.next === null ? null : new Date(t.next).toISOString(),
    lastRunAt: t.lastRunAt === null ? null : new Date(t.lastRunAt).toISOString(),
  }))
}
