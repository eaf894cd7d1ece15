/** A small seeded generator (mulberry32): the same seed builds the same county and the same cases. */
export class Rng {
  private s: number

  constructor(seed: number) {
    this.s = seed >>> 0
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0
    let t = this.s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  chance(p: number): boolean {
    return this.next() < p
  }

  pick<T>(list: readonly T[]): T {
    if (!list.length) throw new Error('pick from an empty list')
    return list[Math.floor(this.next() * list.length)]!
  }

  /** Picks by weight: [[value, weight], …]. */
  weighted<T>(choices: readonly (readonly [T, number])[]): T {
    const total = choices.reduce((s, [, w]) => s + w, 0)
    let r = this.next() * total
    for (const [v, w] of choices) {
      r -= w
      if (r < 0) return v
    }
    return choices[choices.length - 1]![0]
  }

  /** A few distinct elements. */
  sample<T>(list: readonly T[], n: number): T[] {
    const copy = [...list]
    const out: T[] = []
    while (out.length < n && copy.length) out.push(copy.splice(Math.floor(this.next() * copy.length), 1)[0]!)
    return out
  }
}
