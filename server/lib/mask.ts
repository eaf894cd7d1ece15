/** Personal data shown to the public or to staff who do not need the full value is masked. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\s+/g, '')
  if (/^1\d{10}$/.test(digits)) return `${digits.slice(0, 3)}****${digits.slice(7)}`
  return digits
}
