/**
 * Errors in the platform's shape: the TCB API answers HTTP 200 with `{ code, message,
 * requestId }`; the SDKs map the string code to errCode (e.g. DATABASE_COLLECTION_NOT_EXIST →
 * -502005, DATABASE_REQUEST_FAILED → -502001, INVALID_PARAM → -501007).
 */
export class DbError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
    this.name = 'DbError'
  }
}
