import type { RectificationRecord, RectifyStatus } from '../domain/rectification'
import { rectificationId } from '../domain/rectification'
import type { Database } from './db'
import { keysetPage, type Page } from './paging'

/** 整改 tasks (created with the 差评 in the case transaction; see CasesRepository.transition). */
export class RectificationRepository {
  constructor(private readonly db: Database) {}

  /**
   * The 整改 period changed: every task still with the head is marked for re-planning (one bulk
   * update); the timer recomputes their due dates from when they were opened, a batch a run.
   */
  async markForReplan(now: Date): Promise<void> {
    const _ = this.db.command
    await this.db
      .collection('rectifications')
      .where({ status: _.in(['open', 'verified', 'fixed']) })
      .update({ data: { replanAt: now } })
  }

  async toReplan(now: Date, limit: number): Promise<RectificationRecord[]> {
    const _ = this.db.command
    const { data } = await this.db
      .collection('rectifications')
      .where({ replanAt: _.lte(now) })
      .orderBy('replanAt', 'asc')
      .limit(limit)
      .get()
    return data as unknown as RectificationRecord[]
  }

  /** The new due date of a re-planned task; only if it was not re-marked meanwhile. */
  async replanned(
    r: RectificationRecord & { replanAt?: Date | null },
    due: { dueAt: Date; dueDay: string; missingYears: number[] },
  ): Promise<void> {
    await this.db
      .collection('rectifications')
      .where({ _id: r._id, replanAt: r.replanAt ?? null })
      .update({
        data: {
          dueAt: due.dueAt,
          dueDay: due.dueDay,
          calendarMissingYears: due.missingYears,
          replanAt: null,
        },
      })
  }

  async ofCase(caseId: string): Promise<RectificationRecord | null> {
    const { data } = await this.db
      .collection('rectifications')
      .where({ _id: rectificationId(caseId) })
      .limit(1)
      .get()
    return (data[0] as unknown as RectificationRecord | undefined) ?? null
  }

  /** Tasks of a station (or every station) in these statuses, due first, a page at a time. */
  async list(
    stationId: string | null,
    statuses: RectifyStatus[],
    cursor: string | null,
    limit: number,
  ): Promise<Page<RectificationRecord>> {
    const _ = this.db.command
    return keysetPage<RectificationRecord>(
      this.db,
      'rectifications',
      { ...(stationId ? { stationId } : {}), status: _.in(statuses) },
      { field: 'dueAt', dir: 'asc' },
      cursor,
      limit,
    )
  }

  /** Tasks of a station still with its head (for the daily digest). */
  async countWithHead(stationId: string): Promise<number> {
    const _ = this.db.command
    const { total } = await this.db
      .collection('rectifications')
      .where({ stationId, status: _.in(['open', 'verified', 'fixed']) })
      .count()
    return total
  }

  /** Moves a task on by one step only if it is still where the step starts (the guard). */
  async advance(
    id: string,
    from: RectifyStatus,
    to: RectifyStatus,
    patch: Record<string, unknown>,
    step: RectificationRecord['steps'][number] | null,
  ): Promise<boolean> {
    const _ = this.db.command
    const res = await this.db
      .collection('rectifications')
      .where({ _id: id, status: from })
      .update({ data: { ...patch, status: to, ...(step ? { steps: _.push(step) } : {}) } })
    return res.stats.updated === 1
  }

  /** Tasks visited before `cutoff` and still waiting for the resident's verdict. */
  async visitedBefore(cutoff: Date, limit: number): Promise<RectificationRecord[]> {
    const _ = this.db.command
    const { data } = await this.db
      .collection('rectifications')
      .where({ status: 'visited', visitedAt: _.lt(cutoff) })
      .limit(limit)
      .get()
    return data as unknown as RectificationRecord[]
  }

  /** Tasks still with the head and past due that nobody has reported yet (index: reported, status, due). */
  async overdueUnreported(now: Date, limit: number): Promise<RectificationRecord[]> {
    const _ = this.db.command
    const { data } = await this.db
      .collection('rectifications')
      .where({ overdueNotified: false, status: _.in(['open', 'verified', 'fixed']), dueAt: _.lt(now) })
      .orderBy('dueAt', 'asc')
      .limit(limit)
      .get()
    return data as unknown as RectificationRecord[]
  }

  async markOverdueNotified(id: string): Promise<void> {
    await this.db
      .collection('rectifications')
      .doc(id)
      .update({ data: { overdueNotified: true } })
  }
}
