import type { Store } from './db/store'

export interface OpenApiRecord {
  id: number
  at: number
  api: string
  params: unknown
  response: unknown
  invocation: string | null
  openid: string | null
}

/** Every open API call the functions made (the console's outbox; tests read what was sent). */
export class OpenApiLog {
  constructor(private readonly store: Store) {
    store.db
      .exec(`CREATE TABLE IF NOT EXISTS openapi_calls (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL,
      api TEXT NOT NULL, params TEXT NOT NULL, response TEXT NOT NULL, invocation TEXT, openid TEXT)`)
  }

  record(
    at: number,
    api: string,
    params: unknown,
    response: unknown,
    invocation: string | null,
    openid: string | null,
  ): void {
    this.store.db
      .prepare(
        'INSERT INTO openapi_calls (at, api, params, response, invocation, openid) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(at, api, JSON.stringify(params), JSON.stringify(response), invocation, openid)
  }

  /** The latest calls first, of one api or all. */
  list(api?: string, limit = 100): OpenApiRecord[] {
    const rows = this.store.db
      .prepare<
        unknown[],
        {
          id: number
          at: number
          api: string
          params: string
          response: string
          invocation: string | null
          openid: string | null
        }
      >(`SELECT * FROM openapi_calls ${api ? 'WHERE api = ?' : ''} ORDER BY id DESC LIMIT ?`)
      .all(...(api ? [api, limit] : [limit]))
    return rows.map((r) => ({ ...r, params: JSON.parse(r.params), response: JSON.parse(r.response) }))
  }
}
