/**
 * The client–server contract of the one client-facing cloud function `api`.
 * Types only: shared by the mini-program, the cloud functions and the tests.
 */

/** Stable error codes: programs branch on these, users read `message` (Chinese). */
export type ErrorCode =
  | 'INVALID_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'INVALID_STATE'
  | 'RATE_LIMITED'
  | 'CONTENT_RISKY'
  | 'CALENDAR_MISSING'
  | 'UNKNOWN_ACTION'
  | 'INTERNAL'

export interface ApiError {
  code: ErrorCode
  /** Chinese, shown to users as is. */
  message: string
  /** Per-field Chinese messages for form input, keyed by field path (`materials.0.name`). */
  fields?: Record<string, string>
}

export interface ApiRequest<A extends string = string, P = unknown> {
  action: A
  payload?: P
  /** Client-generated id that makes retries of a write idempotent. */
  requestId?: string
}

export type ApiResponse<T> = { ok: true; data: T } | { ok: false; error: ApiError }
