import type { Clock } from '../clock'
import { nextFire, parseCron, type Cron } from './cron'

export interface TimerSpec {
  function: string
  trigger: string
  cron: string
}

export interface TimerState extends TimerSpec {
  next: number | null
  lastRunAt: number | null
  lastOk: boolean | null
  runs: number
}

/** Runs a timer: invokes the function with the platform's timer event. */
export type TimerRunner = (spec: TimerSpec, at: number) => Promise<boolean>

/**
 * Fires timer triggers on the Local CloudBase clock. When the clock jumps forward past one or
 * more fire times, each timer fires once (catch-up) and is rescheduled from the new time:
 * scheduled jobs are written to be idempotent and to work from `now`, so one catch-up run is
 * what a job would have done at its last missed tick.
 */
export class Scheduler {
  private readonly timers = new Map<string, { state: TimerState; cron: Cron; handle?: NodeJS.Timeout }>()
  private readonly running = new Set<Promise<unknown>>()
  private stopped = false
  private readonly unsubscribe: () => void

  constructor(
    private readonly clock: Clock,
    private readonly runner: TimerRunner,
  ) {
    this.unsubscribe = clock.onChange(() => this.onClockChange())
  }

  add(spec: TimerSpec): void {
    const key = `${spec.function}/${spec.trigger}`
    this.clear(key)
    const cron = parseCron(spec.cron)
    const state: TimerState = {
      ...spec,
      next: nextFire(cron, this.clock.now()),
      lastRunAt: null,
      lastOk: null,
      runs: 0,
    }
    this.timers.set(key, { state, cron })
    this.arm(key)
  }

  list(): TimerState[] {
    return [...this.timers.values()].map((t) => ({ ...t.state }))
  }

  /** Runs every timer of `fn` now (POST /timers/<fn>/run); resolves with their outcomes. */
  async runNow(fn: string): Promise<boolean[]> {
    const entries = [...this.timers.entries()].filter(([, t]) => t.state.function === fn)
    return Promise.all(entries.map(([key]) => this.fire(key, this.clock.now(), false)))
  }

  hasTimers(fn: string): boolean {
    return [...this.timers.values()].some((t) => t.state.function === fn)
  }

  /** Waits for timer runs in flight (tests use this after moving the clock). */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running])
  }

  stop(): void {
    this.stopped = true
    this.unsubscribe()
    for (const key of this.timers.keys()) this.clear(key)
  }

  private clear(key: string): void {
    const t = this.timers.get(key)
    if (t?.handle) clearTimeout(t.handle)
  }

  private arm(key: string): void {
    const t = this.timers.get(key)
    if (!t || this.stopped) return
    if (t.handle) clearTimeout(t.handle)
    if (t.state.next === null) return
    const delay = Math.min(Math.max(t.state.next - this.clock.now(), 0), 2 ** 31 - 1)
    t.handle = setTimeout(() => {
      const now = this.clock.now()
      if (t.state.next !== null && t.state.next <= now) void this.fire(key, t.state.next, true)
      else this.arm(key)
    }, delay)
    t.handle.unref()
  }

  private async fire(key: string, at: number, reschedule: boolean): Promise<boolean> {
    const t = this.timers.get(key)
    if (!t) return false
    if (reschedule) {
      t.state.next = nextFire(t.cron, Math.max(at, this.clock.now()))
      this.arm(key)
    }
    const p = this.runner(t.state, at).catch(() => false)
    this.running.add(p)
    try {
      const ok = await p
      t.state.lastRunAt = at
      t.state.lastOk = ok
      t.state.runs += 1
      return ok
    } finally {
      this.running.delete(p)
    }
  }

  private onClockChange(): void {
    const now = this.clock.now()
    for (const [key, t] of this.timers) {
      if (t.state.next !== null && t.state.next <= now) void this.fire(key, now, true)
      else {
        // The clock may also move backwards: recompute from the new time.
        t.state.next = nextFire(t.cron, now)
        this.arm(key)
      }
    }
  }
}
