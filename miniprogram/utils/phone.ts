/** Display helpers for phone numbers; kept pure so pages and tests share them. */

/** 138****1234 — personal numbers are masked wherever the full value is not needed. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\s+/g, '')
  if (/^1\d{10}$/.test(digits)) return `${digits.slice(0, 3)}****${digits.slice(7)}`
  return digits
}

/** Digits a dialer accepts; hotlines may be written "0851-8888 1234". */
export function dialable(phone: string): string {
  return phone.replace(/[^\d+]/g, '')
}
