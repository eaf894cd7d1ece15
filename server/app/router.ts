import type { ApiResponse } from '../../typings/api'
import { AppError, unavailable } from '../lib/errors'

/** Who is calling, as established by the platform (never by the client). */
export interface Caller {
  openid: string
  appid?: string
  unionid?: string
  /** The platform's call source (getWXContext().SOURCE): `wx_client` marks a mini-program call. */
  source?: string
}

export interface ActionContext<Deps> {
  caller: Caller
  /** The platform's clock at invocation; pure code receives it instead of reading a clock. */
  now: Date
  requestId?: string
  deps: Deps
}

export type ActionHandler<Deps> = (payload: unknown, ctx: ActionContext<Deps>) => Promise<unknown>

export type ActionTable<Deps> = Record<string, ActionHandler<Deps>>

export interface Logger {
  error(...args: unknown[]): void
}

const ACTION_NAME = /^[A-Za-z][\w.]{0,63}$/

/**
 * Platform failures that a retry can cure: database timeouts and busy errors, WeChat open-API
 * "system busy" (errCode -1), and network resets between the function and the platform. They
 * answer UNAVAILABLE (retryable) rather than INTERNAL (a bug of ours).
 */
const TRANSIENT_CODES = new Set([
  'DATABASE_TIMEOUT',
  'DATABASE_REQUEST_FAILED',
  'DATABASE_TRANSACTION_FAIL',
  'DATABASE_TRANSACTION_CONFLICT',
  'SYS_ERR',
  'SERVER_ERROR',
  'FUNCTIONS_TIME_LIMIT_EXCEEDED',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EAI_AGAIN',
])

export function isTransient(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false
  const e = err as { code?: unknown; errCode?: unknown; errcode?: unknown }
  if (typeof e.code === 'string' && TRANSIENT_CODES.has(e.code)) return true
  const errCode = e.errCode ?? e.errcode
  // WeChat: -1 system busy; 45009/45011 call-frequency limits. wx-server-sdk: -501001/-501002
  // resource system error / timeout, -502001 database request failed.
  return [-1, 45009, 45011, -501001, -501002, -502001].includes(errCode as number)
}

/**
 * Dispatches `{ action, payload, requestId }` to a handler and wraps the result in the API
 * envelope. Any unexpected exception is logged with its stack and answered as INTERNAL
 * without details: raw errors never reach the client.
 */
export async function dispatch<Deps>(
  table: ActionTable<Deps>,
  event: unknown,
  ctx: Omit<ActionContext<Deps>, 'requestId'>,
  log: Logger = console,
): Promise<ApiResponse<unknown>> {
  try {
    if (!event || typeof event !== 'object') throw new AppError('INVALID_INPUT', '请求格式不正确')
    const { action, payload, requestId } = event as Record<string, unknown>
    if (typeof action !== 'string' || !action)
      throw new AppError('INVALID_INPUT', '缺少操作名称', { action: '必填' })
    // Action names are short identifiers; anything else is never echoed back (it could be 1 MB).
    if (!ACTION_NAME.test(action))
      throw new AppError('UNKNOWN_ACTION', '不支持的操作', { action: '操作名称格式不正确' })
    if (requestId !== undefined && (typeof requestId !== 'string' || requestId.length > 64)) {
      throw new AppError('INVALID_INPUT', '请求编号格式不正确', { requestId: '应为不超过 64 个字符的字符串' })
    }
    const handler = Object.prototype.hasOwnProperty.call(table, action) ? table[action] : undefined
    if (!handler) throw new AppError('UNKNOWN_ACTION', `不支持的操作：${action}`)
    const data = await handler(payload ?? {}, {
      ...ctx,
      ...(typeof requestId === 'string' ? { requestId } : {}),
    })
    return { ok: true, data }
  } catch (err) {
    if (err instanceof AppError) return { ok: false, error: err.toJSON() }
    if (isTransient(err)) {
      log.error('[api] transient platform failure', err)
      return { ok: false, error: unavailable().toJSON() }
    }
    log.error('[api] unexpected error', err)
    return { ok: false, error: { code: 'INTERNAL', message: '系统繁忙，请稍后再试' } }
  }
}
