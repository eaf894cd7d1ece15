import type { AppointmentSchedule } from '../domain/appointments'
import type { Database } from './db'

export interface Booking {
  _id: string
  slotKey: string
  stationId: string
  day: string
  start: string
  startsAt: Date
  openid: string
  itemId: string | null
  status: 'booked' | 'cancelled' | 'arrived' | 'no_show'
  /** `${slotKey}:${openid}` while active (unique), removed on cancel: one active booking per slot. */
  activeKey?: string | null
  createdAt: Date
}

function isDuplicate(err: unknown): boolean {
  const e = err as { errMsg?: string; message?: string }
  return /E11000|duplicate key/.test(`${e.errMsg ?? ''} ${e.message ?? ''}`)
}

/** Opening schedules, per-slot place counters and bookings. */
export class AppointmentRepository {
  constructor(private readonly db: Database) {}

  async schedule(stationId: string): Promise<AppointmentSchedule | null> {
    const { data } = await this.db.collection('schedules').where({ _id: stationId }).limit(1).get()
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
        if (!isDuplicate(err)) throw err
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
      if (isDuplicate(err)) return false
      throw err
    }
  }

  async get(id: string): Promise<Booking | null> {
    const { data } = await this.db.collection('bookings').where({ _id: id }).limit(1).get()
    return (data[0] as unknown as Booking | undefined) ?? null
  }

  async cancel(id: string): Promise<boolean> {
    const _ = this.db.command
    const res = await this.db
      .collection('bookings')
      .where({ _id: id, status: 'booked' })
      .update({ data: { status: 'cancelled', activeKey: _.remove() } })
    return res.stats.updated === 1
  }

  async mine(openid: string): Promise<Booking[]> {
    const { data } = await this.db
      .collection('bookings')
      .where({ openid })
      .orderBy('startsAt', 'desc')
      .limit(50)
      .get()
    return data as unknown as Booking[]
  }
}
