import type { ApiError, ErrorCode } from '../../typings/api'

/** An expected failure with a stable code; the router turns it into `{ ok: false, error }`. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields?: Record<string, string>,
  ) {
    super(message)
    this.name = 'AppError'
  }

  toJSON(): ApiError {
    return this.fields
      ? { code: this.code, message: this.message, fields: this.fields }
      : { code: this.code, message: this.message }
  }
}

export const invalidInput = (
  fields: Record<string, string>,
  message = '提交的信息有误，请检查后重试',
): AppError => new AppError('INVALID_INPUT', message, fields)
export const forbidden = (message = '您没有权限进行此操作'): AppError => new AppError('FORBIDDEN', message)
export const notFound = (message = '未找到相关信息'): AppError => new AppError('NOT_FOUND', message)
export const conflict = (message = '数据已被他人修改，请刷新后重试'): AppError =>
  new AppError('CONFLICT', message)
export const invalidState = (message: string): AppError => new AppError('INVALID_STATE', message)

/** A transient platform failure (database, WeChat open API): the same request may be retried. */
export const unavailable = (message = '系统繁忙，请稍后再试'): AppError =>
  new AppError('UNAVAILABLE', message)
export const rateLimited = (message: string): AppError => new AppError('RATE_LIMITED', message)
