/** Personal data shown to the public or to staff who do not need the full value is masked. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\s+/g, '')
  if (/^1\d{10}$/.test(digits)) return `${digits.slice(0, 3)}****${digits.slice(7)}`
  return digits
}

/**
 * 红岩村三组 12 号 → 红岩村三组*** : enough for staff to know the area; the full address is read
 * through a logged action when someone is about to go there.
 */
export function maskAddress(address: string): string {
  const chars = [...address.trim()]
  if (chars.length <= 4) return `${chars.slice(0, 1).join('')}***`
  return `${chars
    .slice(0, Math.min(6, chars.length - 3))
    .join('')
    .trimEnd()}***`
}
