import * as path from 'node:path'
import type { LocalCloudBase } from '../../local-cloudbase/server'
import type { ApiResponse } from '../../typings/api'
import { seed, loadDemo, DEMO_OPENIDS } from '../../scripts/seed'
import { ROOT, startLocalCloudBase } from './local-cloudbase'

export { DEMO_OPENIDS }
export const demo = loadDemo(ROOT)

/** Local CloudBase with the real `api` function deployed and the demo district seeded. */
export async function startApi(clockIso = '2026-12-01T10:00:00+08:00'): Promise<LocalCloudBase> {
  const lcb = await startLocalCloudBase({
    functions: [path.join(ROOT, 'cloudfunctions/api'), path.join(ROOT, 'cloudfunctions/jobs')],
  })
  lcb.clock.set(Date.parse(clockIso))
  await seed(lcb.tcbApiUrl, ROOT)
  return lcb
}

/** Calls an action of `api` through the gateway as `openid`; returns the envelope and the database calls it made. */
export async function call<T = unknown>(
  lcb: LocalCloudBase,
  action: string,
  payload: unknown,
  openid: string = DEMO_OPENIDS.resident1,
  requestId?: string,
): Promise<ApiResponse<T> & { dbCalls: number }> {
  if (action === 'notify.grant') await acceptInWeChat(lcb, openid, payload)
  const res = await fetch(`${lcb.gatewayUrl}/functions/api`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-wx-openid': openid },
    body: JSON.stringify({ action, payload, ...(requestId ? { requestId } : {}) }),
  })
  if (res.status !== 200) throw new Error(`gateway ${res.status}: ${await res.text()}`)
  const body = (await res.json()) as ApiResponse<T>
  return { ...body, dbCalls: Number(res.headers.get('x-db-calls')) }
}

/**
 * The user's tap on 允许 in wx.requestSubscribeMessage: WeChat records the grant (Local
 * CloudBase's /subscriptions), then the mini-program reports it to the server with notify.grant.
 * Tests call notify.grant for that tap, so both sides learn of it here.
 */
export async function acceptInWeChat(lcb: LocalCloudBase, openid: string, payload: unknown): Promise<void> {
  const p = payload as { accepted?: unknown; longTerm?: unknown } | null
  if (!openid || !Array.isArray(p?.accepted) || !p.accepted.length) return
  await fetch(`${lcb.gatewayUrl}/subscriptions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-wx-openid': openid },
    body: JSON.stringify({ accepted: p.accepted, longTerm: p.longTerm === true }),
  })
}

export async function ok<T>(
  lcb: LocalCloudBase,
  action: string,
  payload: unknown,
  openid?: string,
  requestId?: string,
): Promise<T> {
  const r = await call<T>(lcb, action, payload, openid, requestId)
  if (!r.ok) throw new Error(`${action} failed: ${JSON.stringify(r.error)}`)
  return r.data
}

/** The per-field Chinese messages of a refused call (`{}` when it had none). */
export const fieldsOf = (r: { ok: boolean; error?: { fields?: Record<string, string> } }) =>
  r.error?.fields ?? {}
