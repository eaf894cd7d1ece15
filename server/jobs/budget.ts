/**
 * The database-call budget of one timer run. The platform bills and times out by calls, so a
 * run counts every call it makes (through a metered Database under each repository) and each
 * job stops cleanly when its share is used; the next run continues where it stopped.
 */
import type { Deps } from '../kit/context'
import type { Database } from '../repositories/db'

/** At most 400 database calls per run, whatever the backlog (issue 12), and a time guard. */
export const RUN_CALLS = 400
export const RUN_MS = 20_000

export class Budget {
  used = 0
  private readonly started: number

  constructor(
    readonly calls: number = RUN_CALLS,
    readonly ms: number = RUN_MS,
    private readonly clock: () => number = () => Date.now(),
  ) {
    this.started = clock()
  }

  count(n = 1): void {
    this.used += n
  }

  left(): number {
    return this.calls - this.used
  }

  /** Wall time still available (a guard far below the 60 s limit; calls are the real bound). */
  inTime(): boolean {
    return this.clock() - this.started < this.ms
  }

  /**
   * A job's share: at most `max` calls, and never eating into `reserve` calls kept for the jobs
   * after it (the outbox sender runs last and must always get its turn).
   */
  share(max: number, reserve = 0): Share {
    return new Share(this, max, reserve)
  }
}

export class Share {
  private readonly start: number

  constructor(
    private readonly budget: Budget,
    private readonly max: number,
    private readonly reserve: number,
  ) {
    this.start = budget.used
  }

  /** Whether a unit of work costing at most `n` calls still fits in this share. */
  fits(n: number): boolean {
    const b = this.budget
    return b.used - this.start + n <= this.max && b.left() - this.reserve >= n && b.inTime()
  }

  /** Calls this share can still make. */
  room(): number {
    const b = this.budget
    if (!b.inTime()) return 0
    return Math.max(0, Math.min(this.max - (b.used - this.start), b.left() - this.reserve))
  }

  get used(): number {
    return this.budget.used - this.start
  }
}

/** Methods that send a request (one call each) and methods that build on a query. */
const TERMINAL = new Set(['get', 'count', 'update', 'remove', 'set', 'add', 'end'])
const BUILDERS = new Set([
  'collection',
  'where',
  'orderBy',
  'skip',
  'limit',
  'field',
  'doc',
  'aggregate',
  'match',
  'group',
  'project',
  'sort',
  'unwind',
  'lookup',
  'addFields',
])

function metered<T extends object>(target: T, budget: Budget): T {
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const value = Reflect.get(obj, prop, receiver) as unknown
      if (typeof prop !== 'string' || typeof value !== 'function') return value
      const fn = value as (...args: unknown[]) => unknown
      if (TERMINAL.has(prop))
        return (...args: unknown[]) => {
          budget.count()
          return fn.apply(obj, args)
        }
      if (BUILDERS.has(prop)) return (...args: unknown[]) => metered(fn.apply(obj, args) as object, budget)
      if (prop === 'runTransaction')
        return (body: (tx: object) => Promise<unknown>, retries?: number) =>
          fn.call(
            obj,
            async (tx: object) => {
              budget.count(2) // start and commit
              return body(metered(tx, budget))
            },
            retries,
          )
      return (...args: unknown[]) => fn.apply(obj, args)
    },
  })
}

/** A Database that counts every call of the run. */
export function meteredDatabase(db: Database, budget: Budget): Database {
  return metered(db, budget)
}

/**
 * The run's own dependencies: each repository over a metered Database (repositories keep their
 * Database in `db`; copying them is cheaper than a second way of building them), and roster and
 * station lookups remembered for the run, since many reminders go to the same people.
 */
export function runDeps(deps: Deps, budget: Budget): Deps {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(deps)) {
    const holder = v as { db?: Database }
    if (holder && typeof holder === 'object' && holder.db) {
      const copy = Object.create(Object.getPrototypeOf(holder) as object) as { db: Database }
      Object.assign(copy, holder, { db: meteredDatabase(holder.db, budget) })
      out[k] = copy
    } else out[k] = v
  }
  const d = out as unknown as Deps
  const net = d.network
  const memo = <A extends unknown[], R>(fn: (...a: A) => Promise<R>) => {
    const cache = new Map<string, Promise<R>>()
    return (...a: A): Promise<R> => {
      const key = JSON.stringify(a)
      let hit = cache.get(key)
      if (!hit) {
        hit = fn.apply(net, a).catch((err: unknown) => {
          cache.delete(key)
          throw err
        })
        cache.set(key, hit)
      }
      return hit
    }
  }
  net.agent = memo(net.agent.bind(net))
  net.station = memo(net.station.bind(net))
  net.agentsByRole = memo(net.agentsByRole.bind(net))
  return d
}
