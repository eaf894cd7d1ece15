/**
 * The controllable clock of Local CloudBase: real time plus an offset. Timers, `serverDate`
 * and the `Date` seen inside functions all read it, so a demo or a test can move time across
 * working days, weekends and holidays.
 */
export class Clock {
  private offsetMs = 0
  private readonly listeners = new Set<() => void>()

  now(): number {
    return Date.now() + this.offsetMs
  }

  offset(): number {
    return this.offsetMs
  }

  set(instant: number): void {
    this.offsetMs = instant - Date.now()
    this.changed()
  }

  advance(ms: number): void {
    this.offsetMs += ms
    this.changed()
  }

  onChange(fn: () => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  private changed(): void {
    for (const fn of this.listeners) fn()
  }
}
