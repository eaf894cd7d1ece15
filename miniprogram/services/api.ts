import type { Actions, ApiError, ApiResponse } from '../../typings/api'
import { config } from '../config'

/** Error the pages show: a Chinese message and a stable code. */
export class ApiCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly fields?: Record<string, string>,
  ) {
    super(message)
  }
}

/** The Chinese message to show for a failed call: the server's own, or `fallback` for anything else. */
export function errorText(err: unknown, fallback: string): string {
  return err instanceof ApiCallError ? err.message : fallback
}

export type Transport = (fn: string, event: unknown) => Promise<unknown>

const DEMO_OPENID_KEY = 'local.demoOpenid'

export function demoOpenid(): string {
  return (wx.getStorageSync(DEMO_OPENID_KEY) as string) || 'o-demo-resident-1'
}

export function setDemoOpenid(openid: string): void {
  wx.setStorageSync(DEMO_OPENID_KEY, openid)
}

const cloudTransport: Transport = async (fn, event) => {
  const res = await wx.cloud.callFunction({ name: fn, data: event as WechatMiniprogram.IAnyObject })
  return res.result
}

const localTransport: Transport = (fn, event) =>
  new Promise((resolve, reject) => {
    wx.request({
      url: `${config.gatewayUrl}/functions/${fn}`,
      method: 'POST',
      data: event as WechatMiniprogram.IAnyObject,
      header: { 'content-type': 'application/json', 'X-WX-OPENID': demoOpenid() },
      success: (res) =>
        res.statusCode === 200
          ? resolve(res.data)
          : reject(new ApiCallError('NETWORK', '服务暂时不可用，请稍后再试')),
      fail: () => reject(new ApiCallError('NETWORK', '网络不给力，请检查网络后重试')),
    })
  })

let transport: Transport = config.transport === 'cloud' ? cloudTransport : localTransport

/** Tests route the client to a Local CloudBase they started. */
export function useTransport(t: Transport): void {
  transport = t
}

/**
 * Local mode only: tells Local CloudBase what the user accepted in wx.requestSubscribeMessage.
 * In the cloud WeChat records that itself, and subscribeMessage.send answers 43101 without it;
 * Local CloudBase models the same rule, so it has to hear of the tap.
 */
export function reportLocalGrants(accepted: string[], longTerm = false): Promise<void> {
  if (transport !== localTransport || !accepted.length) return Promise.resolve()
  return new Promise((resolve) => {
    wx.request({
      url: `${config.gatewayUrl}/subscriptions`,
      method: 'POST',
      data: { accepted, longTerm },
      header: { 'content-type': 'application/json', 'X-WX-OPENID': demoOpenid() },
      complete: () => resolve(),
    })
  })
}

let seq = 0
/** A client request id that makes retries of one write idempotent. */
export function newRequestId(): string {
  seq += 1
  return `${Date.now().toString(36)}-${seq}-${Math.random().toString(36).slice(2, 8)}`
}

/** Calls an action of the `api` function with typed input and output. */
export async function callApi<A extends keyof Actions>(
  action: A,
  payload: Actions[A]['in'],
  requestId?: string,
): Promise<Actions[A]['out']> {
  let res: ApiResponse<Actions[A]['out']>
  try {
    res = (await transport('api', { action, payload, ...(requestId ? { requestId } : {}) })) as ApiResponse<
      Actions[A]['out']
    >
  } catch (err) {
    if (err instanceof ApiCallError) throw err
    throw new ApiCallError('NETWORK', '网络不给力，请检查网络后重试')
  }
  if (!res || typeof res !== 'object') throw new ApiCallError('INTERNAL', '系统繁忙，请稍后再试')
  if (!res.ok) {
    const e: ApiError = res.error
    throw new ApiCallError(e.code, e.message, e.fields)
  }
  return res.data
}
