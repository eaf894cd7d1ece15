/**
 * 操作记录 (audit log): every admin change — who, when, which record, before and after — in the
 * `audit_log` collection, which only this repository writes.
 *
 * Atomicity: CloudBase transactions are document-level (get/set/update/remove by id and add,
 * no queries). That is exactly what one admin change is: read the record by id, write it, add
 * its audit entry. So `change` does all three in one transaction: the entry exists if and only
 * if the change does, and its `before` is the version the change replaced (read inside the
 * transaction, not earlier), so two admins saving at once each record what they overwrote.
 *
 * Imports write up to 100 records per chunk, too many for one transaction; each chunk's entry is
 * added under a fixed id (`au-<chunk id>`) before the chunk is written, with the records' prior
 * values. A rerun of a chunk after a crash finds the entry there and keeps it, so the `before`
 * stays the value from before the import, never a half-applied one.
 */
import type { AuditKind } from '../../typings/api'
import type { Role } from '../../typings/domain'
import { isDuplicateKey, withoutId, type Database } from './db'
import { keysetPage, type Page } from './paging'

/** What a record is, in the audit log (one word per maintained collection or settings part). */
export type { AuditKind }

/** Who made a change: from the roster, never from the client. */
export interface AuditActor {
  /** '' for a resident (accepting a pairing). */
  agentId: string
  name: string
  role: Role | 'resident'
}

export interface AuditEntry {
  _id: string
  at: Date
  actor: AuditActor
  kind: AuditKind
  /** The changed record's id (a station id, `templates`, an import batch id …). */
  recordId: string
  /** create, update, retire, accept (a resident accepting a pairing), import, handover. */
  action: string
  /** One line for the list, in Chinese (e.g. "修改服务站「红岩村为民服务室」"). */
  summary: string
  before: object | null
  after: object | null
}

/** The collections an audited change may write (settings documents live in `settings`). */
export type AuditedCollection =
  'stations' | 'items' | 'agents' | 'rotas' | 'pairings' | 'schedules' | 'settings'

/** WeChat bindings are not copied into the log: it shows that a binding exists, not whose. */
export function redact(doc: object | null): object | null {
  if (!doc) return null
  const { openid, residentOpenid, ...rest } = doc as Record<string, unknown>
  return {
    ...rest,
    ...(openid !== undefined ? { openid: openid ? '（已绑定微信）' : '' } : {}),
    ...(residentOpenid !== undefined ? { residentOpenid: residentOpenid ? '（群众已确认）' : '' } : {}),
  }
}

export class AuditRepository {
  constructor(private readonly db: Database) {}

  /**
   * One audited change in one transaction: reads the record as it is, lets `build` decide the
   * new version from it (it may throw an AppError to refuse, and nothing is written), writes it
   * and adds the entry. Returns both versions.
   */
  async change<T extends { _id: string }>(
    coll: AuditedCollection,
    id: string,
    build: (before: T | null) => T,
    entry: (before: T | null, after: T) => Omit<AuditEntry, '_id' | 'before' | 'after' | 'recordId'>,
  ): Promise<{ before: T | null; after: T }> {
    return this.db.runTransaction(async (tx) => {
      const ref = tx.collection(coll).doc(id)
      const got = (await ref.get().catch(() => ({ data: null }))).data as unknown as T | null
      const before = got ? ({ ...got, _id: id } as T) : null
      const after = build(before)
      await ref.set({ data: withoutId(after) })
      const e = entry(before, after)
      await tx.collection('audit_log').add({
        data: { ...e, recordId: id, before: redact(before), after: redact(after) },
      })
      return { before, after }
    })
  }

  /** Adds an entry under a fixed id once (a rerun keeps the first); false when it was there. */
  async addOnce(entry: AuditEntry): Promise<boolean> {
    try {
      await this.db.collection('audit_log').add({ data: entry })
      return true
    } catch (err) {
      if (isDuplicateKey(err)) return false
      throw err
    }
  }

  /** Adds an entry for a change written elsewhere (a hand-over, whose cases keep their own timeline). */
  async add(entry: Omit<AuditEntry, '_id'>): Promise<void> {
    await this.db.collection('audit_log').add({ data: entry })
  }

  /** The log newest first, a page at a time; optionally one kind or one record. */
  async list(
    filter: { kind?: AuditKind; recordId?: string },
    cursor: string | null,
    limit: number,
  ): Promise<Page<AuditEntry>> {
    const where: Record<string, unknown> = {}
    if (filter.kind) where.kind = filter.kind
    if (filter.recordId) where.recordId = filter.recordId
    return keysetPage<AuditEntry>(this.db, 'audit_log', where, { field: 'at', dir: 'desc' }, cursor, limit)
  }
}
