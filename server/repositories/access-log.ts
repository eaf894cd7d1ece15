import type { Database } from './db'

export interface AccessLog {
  at: Date
  agentId: string
  /** Whose data was read. */
  openid: string | null
  /** What was read, e.g. `booking:bk-1:phone`, `case:case-1:phone`. */
  what: string
}

/** DOMAIN (privacy): every read of a resident's full phone, ID or address by staff is logged. */
export class AccessLogRepository {
  constructor(private readonly db: Database) {}

  async log(entry: AccessLog): Promise<void> {
    await this.db.collection('access_logs').add({ data: entry })
  }
}
