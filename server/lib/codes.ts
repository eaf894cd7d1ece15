import { randomInt } from 'node:crypto'

/** Letters and digits read aloud and typed by hand: no 0/O, 1/I/L. */
export const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789'

/** A random code of `length` characters of the alphabet (invitation codes, 认领码). */
export function randomCode(length: number, alphabet = CODE_ALPHABET): string {
  return Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('')
}
