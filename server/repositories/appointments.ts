import type { BookingReminder, VisitWindow } from '../domain/appointments'
import type { AppointmentSchedule, BookingKind, BookingStatus } from '../../typings/domain'
import { isDuplicateKey, type Database } from './db'
import { keysetPage, type Page } from './paging'

export interface Booking {
  _id: string
  kind: BookingKind
  /** The schedule the slot belongs to; null for home visits. */
  scheduleId: string | null
  slotKey: string | null
  stationId: string
  /** Null for a home visit until an agent confirms a time. */
  day: string | null
  start: string | null
  end: string | null
  startsAt: Date | null
  openid: string
  /** 联系人 and phone, for the agent receiving or visiting. */
  name: string
  phone: string
  itemId: string | null
  itemName: string | null
  caseId: string | null
  status: BookingStatus
  /**
   * While active (unique, removed when the booking leaves requested/booked or its time passes):
   * `${kind}:${stationId}:${openid}` — one active booking per resident, station and kind
   * (`visit-case:<case>` for a visit an agent arranges for a case).
   */
  activeKey?: string | null
  /** One of the resident's places in the cap while active (unique, `${openid}#n`). */
  quotaKey?: string | null
  /** Home visit: address, why a visit is needed, preferred windows, and who confirmed. */
  address?: string
  reason?: string
  windows?: VisitWindow[]
  agentId?: string | null
  note?: string
  declineReason?: string
  /** Why the station cancelled it (e.g. the opening hours changed). */
  cancelReason?: string
  reminded: BookingReminder[]
  rescheduledFrom?: string | null
  rescheduledTo?: string | null
  markedBy?: string | null
  markedAt?: Date | null
  createdAt: Date
  updatedAt: Date
}

/** The statuses the day view lists. */
const DAY_STATUSES = ['booked', 'arrived', 'no_show']

/** Opening schedules, per-slot place counters, bookings, no-show records. */
export class AppointmentRepository {
  constructor(private readonly db: Database) {}

  async schedules(stationId: string): Promise<AppointmentSchedule[]> {
    const { data } = await this.db.collection('schedules').where({ stationId }).limit(10).get()
    return data as unknown as AppointmentSchedule[]
  }

  async schedule(id: string): Promise<AppointmentSchedule | null> {
    const { data } = await this.db.collection('schedules').where({ _id: id }).limit(1).get()
    return (data[0] as unknown as AppointmentSchedule | undefined) ?? null
  }

  async booked(keys: string[]): Promise<Map<string, number>> {
    const _ = this.db.command
    const out = new Map<string, number>()
    for (let i = 0; i < keys.length; i += 100) {
      const { data } = await this.db
        .collection('slots')
        .where({ _id: _.in(keys.slice(i, i + 100)) })
        .limit(100)
        .get()
      for (const d of data) out.set(String(d._id), Number(d.booked))
    }
    return out
  }

  /**
   * Takes one place in a slot atomically: a conditional increment that only succeeds while
   * places remain, so simultaneous bookings can never exceed capacity.
   */
  async take(key: string, capacity: number): Promise<boolean> {
    const _ = this.db.command
    for (let attempt = 0; attempt < 2; attempt++) {
      const res = await this.db
        .collection('slots')
        .where({ _id: key, booked: _.lt(capacity) })
        .update({ data: { booked: _.inc(1) } })
      if (res.stats.updated === 1) return true
      const { data } = await this.db.collection('slots').where({ _id: key }).limit(1).get()
      if (data.length) return false
      try {
        await this.db.collection('slots').add({ data: { _id: key, booked: 1 } })
        return true
      } catch (err) {
        if (!isDuplicateKey(err)) throw err
        // Someone created the counter first: try the conditional increment again.
      }
    }
    return false
  }

  async release(key: string): Promise<void> {
    const _ = this.db.command
    await this.db
      .collection('slots')
      .where({ _id: key, booked: _.gt(0) })
      .update({ data: { booked: _.inc(-1) } })
  }

  /** Inserts a booking; false when the resident already holds this slot. */
  async insert(b: Booking): Promise<boolean> {
    try {
      await this.db.collection('bookings').add({ data: b })
      return true
    } catch (err) {
      if (isDuplicateKey(err)) return false
      throw err
    }
  }

  /**
   * Inserts a resident's booking holding `activeKey` and `quotaKey`; on a unique-key clash says
   * which: `held` (already one of this kind at the station), `quota` (that place in the cap was
   * just taken by another of the resident's requests) or `exists` (the same id).
   */
  async insertHolding(b: Booking): Promise<'ok' | 'held' | 'quota' | 'exists'> {
    try {
      await this.db.collection('bookings').add({ data: b })
      return 'ok'
    } catch (err) {
      if (!isDuplicateKey(err)) throw err
      const msg = String((err as { errMsg?: string; message?: string }).errMsg ?? (err as Error).message)
      if (/index: quota_unique/.test(msg)) return 'quota'
      if (/index: active_unique/.test(msg)) return 'held'
      return 'exists'
    }
  }

  /**
   * The resident's bookings that hold a place in the cap. Those whose time has passed are let go
   * first (their keys removed, so they no longer count), whether or not an agent has marked them.
   */
  async holds(openid: string, keys: string[], now: Date): Promise<Booking[]> {
    const _ = this.db.command
    const { data } = await this.db
      .collection('bookings')
      .where({ quotaKey: _.in(keys) })
      .limit(keys.length)
      .get()
    const list = data as unknown as Booking[]
    const past = list.filter((b) => b.startsAt && new Date(b.startsAt).getTime() <= now.getTime())
    if (past.length)
      await this.db
        .collection('bookings')
        .where({ _id: _.in(past.map((b) => b._id)), openid, startsAt: _.lte(now) })
        .update({ data: { quotaKey: _.remove(), activeKey: _.remove() } })
    return list.filter((b) => !past.includes(b))
  }

  /**
   * 改期 in one transaction: the old booking, only if still booked, is closed and gives its
   * unique keys to the new one, which is written at the same moment. False when the old one
   * changed meanwhile (cancelled, marked); then nothing is written.
   */
  async moveTo(oldId: string, next: Booking, now: Date): Promise<boolean> {
    return this.db.runTransaction(async (tx) => {
      const ref = tx.collection('bookings').doc(oldId)
      const old = (await ref.get().catch(() => ({ data: null }))).data as unknown as Booking | null
      if (!old || old.status !== 'booked') return false
      // Old first: its keys are gone before the new booking takes the same ones.
      const { _id, activeKey: _active, quotaKey, ...rest } = old
      await ref.set({ data: { ...rest, status: 'rescheduled', rescheduledTo: next._id, updatedAt: now } })
      const { _id: nextId, ...data } = next
      await tx
        .collection('bookings')
        .doc(nextId)
        .set({ data: { ...data, ...(quotaKey ? { quotaKey } : {}) } })
      return true
    })
  }

  async get(id: string): Promise<Booking | null> {
    const { data } = await this.db.collection('bookings').where({ _id: id }).limit(1).get()
    return (data[0] as unknown as Booking | undefined) ?? null
  }

  /**
   * Moves a booking from one of `from` to `patch.status` only if nobody changed it meanwhile
   * (the status is the guard); leaving the active statuses frees the unique slot key.
   */
  async change(id: string, from: BookingStatus[], patch: Partial<Booking>, now: Date): Promise<boolean> {
    const _ = this.db.command
    const freeKey = patch.status && !['requested', 'booked'].includes(patch.status)
    const res = await this.db
      .collection('bookings')
      .where({ _id: id, status: _.in(from) })
      .update({
        data: {
          ...patch,
          updatedAt: now,
          ...(freeKey ? { activeKey: _.remove(), quotaKey: _.remove() } : {}),
        },
      })
    return res.stats.updated === 1
  }

  /** Marks a page of bookings reminded of `kind` in one update (the window query then skips them). */
  async markRemindedMany(ids: string[], kind: BookingReminder): Promise<void> {
    if (!ids.length) return
    const _ = this.db.command
    await this.db
      .collection('bookings')
      .where({ _id: _.in(ids), reminded: _.neq(kind) })
      .update({ data: { reminded: _.push(kind) } })
  }

  /** A resident's bookings, newest first, a page at a time (index: openid, createdAt). */
  async mine(openid: string, cursor: string | null, limit: number): Promise<Page<Booking>> {
    return keysetPage<Booking>(
      this.db,
      'bookings',
      { openid },
      { field: 'createdAt', dir: 'desc' },
      cursor,
      limit,
    )
  }

  /** Gives the bookings of a walk-in case (no openid yet) to the resident who claimed it. */
  async adoptCaseBookings(caseId: string, openid: string): Promise<void> {
    await this.db
      .collection('bookings')
      .where({ caseId, openid: '' })
      .update({ data: { openid, reminded: [] } })
  }

  /** A station's appointments of one day, in time order, a page at a time (the agent's day view). */
  async ofDay(stationId: string, day: string, cursor: string | null, limit: number): Promise<Page<Booking>> {
    const _ = this.db.command
    return keysetPage<Booking>(
      this.db,
      'bookings',
      { stationId, day, status: _.in(DAY_STATUSES) },
      { field: 'start', dir: 'asc' },
      cursor,
      limit,
    )
  }

  /** How many of the day's appointments are in each status: one aggregation, not the page's length. */
  async dayCounts(stationId: string, day: string): Promise<Record<string, number>> {
    const _ = this.db.command
    const { list } = await this.db
      .collection('bookings')
      .aggregate()
      .match({ stationId, day, status: _.in(DAY_STATUSES) })
      .group({ _id: '$status', n: { $sum: 1 } })
      .limit(10)
      .end()
    return Object.fromEntries(list.map((r) => [String(r._id), Number(r.n)]))
  }

  /** A station's booked appointments from a day on (what a schedule change may affect). */
  async bookedFrom(stationId: string, fromDay: string): Promise<Booking[]> {
    const _ = this.db.command
    const { data } = await this.db
      .collection('bookings')
      .where({ stationId, day: _.gte(fromDay), status: 'booked' })
      .orderBy('day', 'asc')
      .limit(1000)
      .get()
    return data as unknown as Booking[]
  }

  /** Home-visit requests of a station waiting for an agent to confirm a time, oldest first. */
  async visitRequests(stationId: string, cursor: string | null, limit: number): Promise<Page<Booking>> {
    return keysetPage<Booking>(
      this.db,
      'bookings',
      { stationId, status: 'requested' },
      { field: 'createdAt', dir: 'asc' },
      cursor,
      limit,
    )
  }

  /**
   * Booked appointments starting in [from, to) that have not had reminder `kind` yet: an index
   * range on status and start; reminded ones drop out, so the job can page until done.
   */
  async dueForReminder(kind: BookingReminder, from: Date, to: Date, limit: number): Promise<Booking[]> {
    const _ = this.db.command
    const { data } = await this.db
      .collection('bookings')
      .where({ status: 'booked', startsAt: _.gte(from).and(_.lt(to)), reminded: _.neq(kind) })
      .orderBy('startsAt', 'asc')
      .limit(limit)
      .get()
    return data as unknown as Booking[]
  }

  /** Records a no-show day for a resident (a set per day, so a corrected mark is not doubled). */
  async noteNoShow(openid: string, bookingId: string, day: string): Promise<void> {
    await this.db
      .collection('noshows')
      .doc(`${openid}:${bookingId}`)
      .set({ data: { openid, bookingId, day } })
  }

  async clearNoShow(openid: string, bookingId: string): Promise<void> {
    await this.db
      .collection('noshows')
      .where({ _id: `${openid}:${bookingId}` })
      .remove()
  }

  /** No-show days per resident, for the given residents. */
  async noShowDays(openids: string[]): Promise<Map<string, string[]>> {
    const _ = this.db.command
    const out = new Map<string, string[]>()
    openids = openids.filter(Boolean)
    if (!openids.length) return out
    const { data } = await this.db
      .collection('noshows')
      .where({ openid: _.in([...new Set(openids)].slice(0, 100)) })
      .limit(1000)
      .get()
    for (const d of data) {
      const k = String(d.openid)
      out.set(k, [...(out.get(k) ?? []), String(d.day)])
    }
    return out
  }
}
