import type { ApiResponse } from '../../typings/api'
import { AppError } from '../lib/errors'

/** Who is calling, as established by the platform (never by the client). */
export interface Caller {
  openid: string
  appid?: string
  unionid?: string
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
    log.error('[api] unexpected error', err)
    return { ok: false, error: { code: 'INTERNAL', message: '系统繁忙，请稍后再试' } }
  }
}
