import type { CalendarOverride } from '../domain/calendar'
import type { Database } from './db'
import {
  DEFAULT_REMINDERS,
  type NotifyEvent,
  type ReminderSettings,
  type TemplateConfig,
} from '../domain/notifications'
import { DEFAULT_BOOKING_RULES } from '../domain/appointments'
import type { BookingRules } from '../../typings/domain'
import { DEFAULT_KPI_TARGETS, type KpiTargets } from '../domain/kpis'

export interface CalendarSettings {
  overrides: CalendarOverride[]
  /** Years an admin has entered in full (the State Council schedule published each November). */
  coveredYears: number[]
}

export interface DistrictSettings {
  districtName: string
  /** 监督电话 shown on every item and receipt. */
  supervisionHotline: string
}

/** Progress of the once-a-day jobs: the day claimed and the station digests done so far. */
export interface DailyProgress {
  day: string
  /** Code of the last station whose digest was queued ('' = none yet). */
  digestAfter: string
  digestDone: boolean
}

/** Where the deploy puts the print font in cloud storage. */
export const PRINT_FONT_PATH = 'fonts/wqy-microhei.ttc'

/** The print font the deploy uploaded: its file id and the content's hash (a new font is a new upload). */
export interface PrintFontRecord {
  fileId: string
  sha: string
  bytes: number
}

/** Admin-maintained settings documents in the `settings` collection. */
export class SettingsRepository {
  constructor(private readonly db: Database) {}

  private async read<T>(id: string): Promise<T | null> {
    const { data } = await this.db.collection('settings').where({ _id: id }).limit(1).get()
    return (data[0] as unknown as T | undefined) ?? null
  }

  async calendar(): Promise<CalendarSettings> {
    return (await this.read<CalendarSettings>('calendar')) ?? { overrides: [], coveredYears: [] }
  }

  /** Subscribe-message templates per event (configured by admins). */
  async templates(): Promise<Partial<Record<NotifyEvent, TemplateConfig>>> {
    return ((await this.read<{ events: Partial<Record<NotifyEvent, TemplateConfig>> }>('templates'))
      ?.events ?? {}) as Partial<Record<NotifyEvent, TemplateConfig>>
  }

  /** Reminder thresholds in working days (due soon, 督办, 通报); defaults from DOMAIN.md. */
  async reminders(): Promise<ReminderSettings> {
    const r = await this.read<Partial<ReminderSettings>>('reminders')
    return { ...DEFAULT_REMINDERS, ...(r ?? {}) }
  }

  /** Booking horizon, notice, cancel cutoff and no-show noting; defaults from the issue. */
  async bookingRules(): Promise<BookingRules> {
    const r = (await this.read<Partial<BookingRules>>('booking')) ?? {}
    const out = { ...DEFAULT_BOOKING_RULES }
    for (const k of Object.keys(out) as (keyof BookingRules)[]) if (typeof r[k] === 'number') out[k] = r[k]
    return out
  }

  /** 指标目标 per rate in percent; defaults for any an admin has not set. */
  async kpiTargets(): Promise<KpiTargets> {
    const r = (await this.read<Partial<KpiTargets>>('kpiTargets')) ?? {}
    const out = { ...DEFAULT_KPI_TARGETS }
    for (const k of Object.keys(out) as (keyof KpiTargets)[]) if (typeof r[k] === 'number') out[k] = r[k]
    return out
  }

  async saveKpiTargets(t: KpiTargets): Promise<void> {
    await this.db.collection('settings').doc('kpiTargets').set({ data: t })
  }

  /**
   * Claims the once-a-day jobs for `day`: true for exactly one caller per day, however many
   * timer runs overlap; a late run for an earlier day never claims after a later day did.
   * The claim also starts the day's digest cursor (see `dailyProgress`).
   */
  async claimDaily(day: string): Promise<boolean> {
    const _ = this.db.command
    const fresh = { dailyDoneFor: day, digestAfter: '', digestDone: false }
    const res = await this.db
      .collection('settings')
      .where({ _id: 'jobs', dailyDoneFor: _.lt(day) })
      .update({ data: fresh })
    if (res.stats.updated === 1) return true
    if (await this.read('jobs')) return false
    try {
      await this.db.collection('settings').add({ data: { _id: 'jobs', ...fresh } })
      return true
    } catch {
      return false
    }
  }

  /** How far today's digests have got: the last station done (in code order), or done. */
  async dailyProgress(): Promise<DailyProgress | null> {
    const r = await this.read<DailyProgress & { dailyDoneFor?: string }>('jobs')
    if (!r?.dailyDoneFor) return null
    return { day: r.dailyDoneFor, digestAfter: r.digestAfter ?? '', digestDone: r.digestDone ?? true }
  }

  /**
   * Moves the digest cursor on from `from` (a run that was overtaken by another changes
   * nothing; the outbox keys keep any digest it queued from going out twice).
   */
  async advanceDigest(day: string, from: string, to: string, done: boolean): Promise<boolean> {
    const res = await this.db
      .collection('settings')
      .where({ _id: 'jobs', dailyDoneFor: day, digestAfter: from })
      .update({ data: { digestAfter: to, digestDone: done } })
    return res.stats.updated === 1
  }

  async printFont(): Promise<PrintFontRecord | null> {
    return this.read<PrintFontRecord>('printFont')
  }

  async savePrintFont(r: PrintFontRecord): Promise<void> {
    await this.db.collection('settings').doc('printFont').set({ data: r })
  }

  async district(): Promise<DistrictSettings> {
    return (
      (await this.read<DistrictSettings>('district')) ?? { districtName: '', supervisionHotline: '12345' }
    )
  }
}
