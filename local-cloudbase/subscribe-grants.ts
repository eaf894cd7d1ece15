import type { Store } from './db/store'

export interface SubscriptionGrant {
  openid: string
  templateId: string
  /** One-time grants left: each accepted request adds one, each message sent uses one. */
  oneTime: number
  longTerm: boolean
}

/**
 * WeChat's record of what each user accepted in wx.requestSubscribeMessage, which
 * subscribeMessage.send checks. Kept in the emulator's own table beside the documents, so an
 * export carries it and a restart keeps it.
 */
export class SubscribeGrants {
  constructor(
    private readonly store: Store,
    /** `false` (subscribeGrants: 'off'): every send succeeds. */
    private readonly enforce: boolean,
  ) {
    store.db
      .exec(`CREATE TABLE IF NOT EXISTS subscribe_grants (openid TEXT NOT NULL, template_id TEXT NOT NULL,
      one_time INTEGER NOT NULL, long_term INTEGER NOT NULL, PRIMARY KEY (openid, template_id))`)
  }

  /** Records what a user accepted in wx.requestSubscribeMessage (WeChat's side of a grant). */
  accept(openid: string, templateIds: string[], longTerm: boolean): void {
    const up = this.store.db.prepare(
      `INSERT INTO subscribe_grants (openid, template_id, one_time, long_term) VALUES (?, ?, ?, ?)
       ON CONFLICT(openid, template_id) DO UPDATE SET one_time = one_time + excluded.one_time,
       long_term = MAX(long_term, excluded.long_term)`,
    )
    this.store.atomically(() => {
      for (const t of templateIds) up.run(openid, t, longTerm ? 0 : 1, longTerm ? 1 : 0)
    })
  }

  list(openid?: string): SubscriptionGrant[] {
    const rows = this.store.db
      .prepare<unknown[], { openid: string; template_id: string; one_time: number; long_term: number }>(
        `SELECT * FROM subscribe_grants ${openid ? 'WHERE openid = ?' : ''} ORDER BY openid, template_id`,
      )
      .all(...(openid ? [openid] : []))
    return rows.map((r) => ({
      openid: r.openid,
      templateId: r.template_id,
      oneTime: r.one_time,
      longTerm: r.long_term === 1,
    }))
  }

  /** Uses a grant for one message: long-term ones stay, a one-time one is used up. */
  take(openid: string, templateId: string): boolean {
    if (!this.enforce) return true
    const res = this.store.db
      .prepare(
        `UPDATE subscribe_grants SET one_time = CASE WHEN long_term = 1 THEN one_time ELSE one_time - 1 END
         WHERE openid = ? AND template_id = ? AND (long_term = 1 OR one_time > 0)`,
      )
      .run(openid, templateId)
    return res.changes > 0
  }

  /** Replaces every grant (an import); the caller wraps this in `store.atomically`. */
  replaceAll(grants: SubscriptionGrant[]): void {
    this.store.db.exec('DELETE FROM subscribe_grants')
    for (const g of grants) {
      this.store.db
        .prepare(
          'INSERT INTO subscribe_grants (openid, template_id, one_time, long_term) VALUES (?, ?, ?, ?)',
        )
        .run(g.openid, g.templateId, g.oneTime, g.longTerm ? 1 : 0)
    }
  }
}
