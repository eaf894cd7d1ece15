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
  return Object.values((err as ApiCallError).fields ?? {}).join('；') || errorText(err, fallback)
}

/** Feedback cleared when a form opens or another person or record is picked. */
export const cleared = () => ({ fieldErrors: {} as Record<string, string>, message: '', error: '' })

type FormPage = { data: { saving?: boolean }; setData(patch: Record<string, unknown>): void }

/**
 * A save of a form: once at a time (`saving` shows on the button), earlier messages cleared, and a
 * refusal shown on its fields (or above the form) by {@link saveFailure}. `run` saves and says so.
 */
export async function saveForm(page: FormPage, run: () => Promise<void>, fallback = '保存失败，请重试') {
  if (page.data.saving) return
  page.setData({ saving: true, error: '', fieldErrors: {} })
  try {
    await run()
  } catch (err) {
    page.setData(saveFailure(err, fallback))
  } finally {
    page.setData({ saving: false })
  }
}

/** `onField` of the forms: a van-field's value into `form.<data-key>`, its message cleared. */
export const fieldForm = Behavior({
  methods: {
    onField(e: WechatMiniprogram.CustomEvent) {
      const key = String(e.currentTarget.dataset.key)
      this.setData({ [`form.${key}`]: e.detail, [`fieldErrors.${key}`]: '' })
    },
  },
})
