/**
 * What every 数据维护 form does with a refused save, in one place: the server names fields by
 * path (`materials.0.name`, `location.latitude`, `leaves.1.from`, a CONFLICT on `code`); each
 * message is shown on the form field the path starts with, and only a refusal without fields
 * becomes the line above the form.
 */
import { ApiCallError, errorText } from '../services/api'

/** Messages per form field (the first segment of the path); two on one field read 「a；b」. */
export function fieldErrorsOf(err: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [path, message] of Object.entries((err as ApiCallError).fields ?? {})) {
    const key = path.split('.')[0]!
    out[key] = out[key] ? `${out[key]}；${message}` : message
  }
  return out
}

/** The patch after a refused save: the messages on their fields, or else one line above the form. */
export function saveFailure(
  err: unknown,
  fallback: string,
): { fieldErrors: Record<string, string>; error: string } {
  const fieldErrors = fieldErrorsOf(err)
  return { fieldErrors, error: Object.keys(fieldErrors).length ? '' : errorText(err, fallback) }
}

/** For a section without per-field slots (settings, 领导接待日): every field's message on one line. */
export function sectionError(err: unknown, fallback: string): string {
  const fields = (err as ApiCallError).fields
  return fields ? Object.values(fields).join('；') : errorText(err, fallback)
}
