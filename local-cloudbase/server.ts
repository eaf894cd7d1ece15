import * as fs from 'node:fs'
import * as http from 'node:http'
import * as path from 'node:path'
import { randomBytes } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import busboy from 'busboy'
import { BSONRegExp, EJSON } from 'bson'
import { Store, idKey, isDocId, type Doc, type DocId, type IndexDef } from './db/store'
import { DatabaseEngine, newDocId, type Body } from './db/engine'
import { find } from './db/mingo'
import { DbError } from './db/errors'
import { Clock } from './clock'
import { FunctionHost, type Caller, type InvocationRecord, type InvocationResult } from './functions/host'
import { Scheduler, type TimerSpec } from './timers/scheduler'
import { FileStorage } from './storage'
import { answerOpenApi, decodeOpenApiRequest, encodeOpenApiResponse, type OpenApiFault } from './openapi'
import { applyDefinition, type DatabaseDefinition } from './definition'
import { ClientRules, clientRoute } from './rules'

export interface LocalCloudBaseOptions {
  dataDir: string
  port?: number
  host?: string
  envId?: string
  /** Directories of functions to deploy (each with a built index.js). */
  functions?: string[]
  /** Built worker script (.build/local-cloudbase/worker.js). */
  workerScript: string
  definition?: DatabaseDefinition
  consoleHtml?: string
  /** Log one line per request to stderr. */
  verbose?: boolean
  /**
   * `enforce` (default): subscribeMessage.send succeeds only on a grant recorded through
   * `POST /gateway/subscriptions` (what the user accepted in wx.requestSubscribeMessage), as
   * WeChat does. `off`: every send succeeds.
   */
  subscribeGrants?: 'enforce' | 'off'
}

export interface SubscriptionGrant {
  openid: string
  templateId: string
  /** One-time grants left: each accepted request adds one, each message sent uses one. */
  oneTime: number
  longTerm: boolean
}

/** The most file ids one storage.batchDeleteFile takes (cloud.deleteFile: "一次最多 50 个"). */
const MAX_DELETE_FILES = 50

export interface OpenApiRecord {
  id: number
  at: number
  api: string
  params: unknown
  response: unknown
  invocation: string | null
  openid: string | null
}

const MAX_BODY = 32 * 1024 * 1024

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

/**
 * Local CloudBase: an offline, wire-compatible CloudBase on 127.0.0.1.
 *   /admin[/inv/<invocation>]  the TCB API the SDKs call (database, functions, storage, open API)
 *   /storage/…                 upload target and temporary download URLs
 *   /gateway/…                 functions over HTTP with a caller identity, the clock, timers
 *   /console/                  a small web console
 */
export class LocalCloudBase {
  readonly store: Store
  readonly db: DatabaseEngine
  readonly clock = new Clock()
  readonly host: FunctionHost
  readonly scheduler: Scheduler
  readonly storage: FileStorage
  /** Security rules for mini-program-side requests (rules.ts); functions are never subject to them. */
  readonly rules: ClientRules
  readonly envId: string
  readonly faults: OpenApiFault[] = []
  /** TCB API requests by action, for benchmarks ("database calls are the platform's bill"). */
  readonly counters: Record<string, number> = {}
  private server?: http.Server
  private baseUrl = ''
  /** The last invocation of each timer (function/trigger), for the gateway's run answer. */
  private readonly lastTimerRun = new Map<string, InvocationRecord>()
  private readonly consoleHtml: string | undefined

  constructor(private readonly opts: LocalCloudBaseOptions) {
    fs.mkdirSync(opts.dataDir, { recursive: true })
    this.envId = opts.envId ?? 'local'
    this.store = new Store(path.join(opts.dataDir, 'cloudbase.sqlite'))
    this.store.db
      .exec(`CREATE TABLE IF NOT EXISTS openapi_calls (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL,
      api TEXT NOT NULL, params TEXT NOT NULL, response TEXT NOT NULL, invocation TEXT, openid TEXT)`)
    this.store.db
      .exec(`CREATE TABLE IF NOT EXISTS subscribe_grants (openid TEXT NOT NULL, template_id TEXT NOT NULL,
      one_time INTEGER NOT NULL, long_term INTEGER NOT NULL, PRIMARY KEY (openid, template_id))`)
    this.db = new DatabaseEngine(this.store, () => this.clock.now())
    this.storage = new FileStorage(this.store.db, opts.dataDir, this.envId)
    this.rules = new ClientRules(this.store.db)
    this.host = new FunctionHost({
      workerScript: opts.workerScript,
      tcbUrl: () => `${this.baseUrl}/admin`,
      envId: this.envId,
      clockOffsetMs: () => this.clock.offset(),
      now: () => this.clock.now(),
    })
    this.scheduler = new Scheduler(this.clock, (spec, at) => this.runTimer(spec, at))
    if (opts.definition) applyDefinition(this.store, opts.definition, this.clock.now())
    this.consoleHtml = opts.consoleHtml
  }

  get url(): string {
    return this.baseUrl
  }

  get tcbApiUrl(): string {
    return `${this.baseUrl}/admin`
  }

  get gatewayUrl(): string {
    return `${this.baseUrl}/gateway`
  }

  get consoleUrl(): string {
    return `${this.baseUrl}/console/`
  }

  async start(): Promise<this> {
    const server = http.createServer((req, res) => void this.route(req, res))
    // Above the SDK's 4.8 s idle-socket timeout so a reused keep-alive socket is never reset.
    server.keepAliveTimeout = 10_000
    this.server = server
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.opts.port ?? 0, this.opts.host ?? '127.0.0.1', () => resolve())
    })
    const addr = server.address() as AddressInfo
    this.baseUrl = `http://${addr.address}:${addr.port}`
    for (const dir of this.opts.functions ?? []) this.deploy(dir)
    return this
  }

  deploy(dir: string): void {
    const fn = this.host.deploy(dir)
    for (const t of fn.config.triggers ?? []) {
      if (t.type === 'timer') this.scheduler.add({ function: fn.name, trigger: t.name, cron: t.config })
    }
  }

  async stop(): Promise<void> {
    this.scheduler.stop()
    await this.host.close()
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve()
      this.server.close(() => resolve())
      this.server.closeAllConnections()
    })
    this.store.close()
  }

  /** Invokes a deployed function as the platform would for `caller`. */
  invoke(name: string, event: unknown, caller: Caller): Promise<InvocationResult> {
    return this.host.invoke(name, event, caller)
  }

  openApiCalls(api?: string, limit = 100): OpenApiRecord[] {
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

  /** Records what a user accepted in wx.requestSubscribeMessage (WeChat's side of a grant). */
  acceptSubscriptions(openid: string, templateIds: string[], longTerm = false): void {
    const up = this.store.db.prepare(
      `INSERT INTO subscribe_grants (openid, template_id, one_time, long_term) VALUES (?, ?, ?, ?)
       ON CONFLICT(openid, template_id) DO UPDATE SET one_time = one_time + excluded.one_time,
       long_term = MAX(long_term, excluded.long_term)`,
    )
    this.store.atomically(() => {
      for (const t of templateIds) up.run(openid, t, longTerm ? 0 : 1, longTerm ? 1 : 0)
    })
  }

  subscriptions(openid?: string): SubscriptionGrant[] {
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
  private takeGrant(openid: string, templateId: string): boolean {
    if (this.opts.subscribeGrants === 'off') return true
    const res = this.store.db
      .prepare(
        `UPDATE subscribe_grants SET one_time = CASE WHEN long_term = 1 THEN one_time ELSE one_time - 1 END
         WHERE openid = ? AND template_id = ? AND (long_term = 1 OR one_time > 0)`,
      )
      .run(openid, templateId)
    return res.changes > 0
  }

  private async runTimer(spec: TimerSpec, at: number): Promise<boolean> {
    const event = {
      Type: 'Timer',
      TriggerName: spec.trigger,
      Time: new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      Message: '',
    }
    // As on the platform: SOURCE is wx_trigger and TRIGGER_SRC=timer for a timer trigger.
    const res = await this.host.invoke(spec.function, event, { source: 'wx_trigger' })
    this.lastTimerRun.set(`${spec.function}/${spec.trigger}`, res.record)
    return res.ok
  }

  // ---- HTTP ------------------------------------------------------------------------------------

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local')
    const p = url.pathname
    try {
      if (!isLoopback(req.socket.remoteAddress)) throw new HttpError(403, 'loopback only')
      if (req.method === 'POST' && (p === '/admin' || p.startsWith('/admin/')))
        return await this.tcbApi(req, res, p)
      if (p.startsWith('/storage/')) return await this.storageRoute(req, res, url)
      if (p.startsWith('/gateway/')) return await this.gateway(req, res, url)
      if (p === '/console' || p.startsWith('/console/')) return await this.consoleRoute(req, res, url)
      if (p === '/') return redirect(res, '/console/')
      throw new HttpError(404, 'not found')
    } catch (err) {
      if (err instanceof HttpError) return sendJson(res, err.status, { error: err.message })
      console.error('[local-cloudbase]', err)
      sendJson(res, 500, { error: 'internal error' })
    }
  }

  private async tcbApi(req: http.IncomingMessage, res: http.ServerResponse, p: string): Promise<void> {
    const requestId = randomBytes(8).toString('hex')
    const invocationId = /^\/admin\/inv\/([0-9a-f]+)$/.exec(p)?.[1] ?? null
    const invocation = invocationId ? this.host.liveInvocation(invocationId) : undefined
    const ctype = String(req.headers['content-type'] ?? '')
    if (ctype.startsWith('multipart/form-data')) {
      const form = await readMultipart(req)
      const action = form.action?.toString() ?? ''
      this.count(action, invocation)
      if (action !== 'wx.openApi')
        return sendJson(res, 200, {
          code: 'INVALID_PARAM',
          message: `unsupported action: ${action}`,
          requestId,
        })
      return await this.openApi(res, form, invocationId, invocation?.caller.openid ?? null)
    }
    let body: Body
    try {
      const parsed = JSON.parse((await readBody(req)).toString('utf8')) as unknown
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
        throw new Error('body must be an object')
      body = parsed as Body
    } catch (err) {
      return sendJson(res, 200, {
        code: 'INVALID_PARAM',
        message: `malformed request body: ${(err as Error).message}`,
        requestId,
      })
    }
    const action = typeof body.action === 'string' ? body.action : ''
    this.count(action, invocation)
    if (this.opts.verbose)
      console.error(`[tcb] ${action} ${String(body.collectionName ?? body.function_name ?? '')}`)
    try {
      if (action.startsWith('database.')) {
        // handle() is synchronous: the store's write tally moves only for this action.
        const before = invocation ? new Map(this.store.writes) : null
        const out = this.db.handle(action, body)
        if (invocation && before) {
          for (const [coll, n] of this.store.writes) {
            const d = n - (before.get(coll) ?? 0)
            if (d) invocation.dbWrites[coll] = (invocation.dbWrites[coll] ?? 0) + d
          }
        }
        return sendJson(res, 200, { requestId, ...out })
      }
      if (action === 'functions.invokeFunction')
        return await this.callFunction(res, body, requestId, invocation?.caller)
      if (action.startsWith('storage.'))
        return sendJson(res, 200, {
          requestId,
          ...this.storageAction(action, body, invocation?.caller.openid ?? null),
        })
      return sendJson(res, 200, {
        code: 'INVALID_PARAM',
        message: `unsupported action: ${action || '(none)'}`,
        requestId,
      })
    } catch (err) {
      if (err instanceof DbError) {
        if (process.env.LCB_LOG_ERRORS)
          console.error('[tcb]', action, body.collectionName ?? '', err.code, err.message)
        return sendJson(res, 200, { code: err.code, message: err.message, requestId })
      }
      console.error('[local-cloudbase] action failed', action, err)
      return sendJson(res, 200, { code: 'SYS_ERR', message: (err as Error).message, requestId })
    }
  }

  private count(action: string, invocation: { dbCalls: number } | undefined): void {
    this.counters[action] = (this.counters[action] ?? 0) + 1
    if (invocation && action.startsWith('database.')) invocation.dbCalls += 1
  }

  private async callFunction(
    res: http.ServerResponse,
    body: Body,
    requestId: string,
    parent?: Caller,
  ): Promise<void> {
    const name = String(body.function_name ?? '')
    if (!this.host.get(name)) {
      // The platform's code for a function that does not exist
      // (https://docs.cloudbase.net/error-code/FUNCTION_NOT_FOUND).
      return sendJson(res, 200, {
        code: 'FUNCTION_NOT_FOUND',
        message: `FunctionName parameter could not be found: ${name}`,
        requestId,
      })
    }
    let event: unknown
    try {
      event = JSON.parse(String(body.request_data ?? '{}') || '{}')
    } catch {
      return sendJson(res, 200, { code: 'INVALID_PARAM', message: 'request_data must be JSON', requestId })
    }
    // A function called by a function keeps the end user's identity.
    // SOURCE follows the call chain: a function called from a mini-program call sees
    // "wx_client,scf"; one called from a script sees "scf".
    const out = await this.host.invoke(name, event, {
      ...(parent ?? {}),
      source: parent?.source ? `${parent.source},scf` : 'scf',
    })
    if (!out.ok)
      return sendJson(res, 200, { code: 'FUNCTIONS_EXECUTE_FAIL', message: out.message, requestId })
    return sendJson(res, 200, { requestId, data: { response_data: out.json } })
  }

  private storageAction(action: string, body: Body, openid: string | null): Body {
    const now = this.clock.now()
    switch (action) {
      case 'storage.getUploadMetadata': {
        const cloudPath = String(body.path ?? '')
        let token: string
        try {
          token = this.storage.beginUpload(cloudPath, now, openid)
        } catch {
          throw new DbError('STORAGE_SIGN_PARAM_INVALID', `invalid cloud path: ${cloudPath}`)
        }
        return {
          data: {
            url: `${this.baseUrl}/storage/upload/${token}`,
            token,
            authorization: 'local',
            fileId: this.storage.fileId(cloudPath),
            cosFileId: token,
          },
        }
      }
      case 'storage.batchGetDownloadUrl': {
        const list = Array.isArray(body.file_list)
          ? (body.file_list as { fileid?: string; max_age?: number }[])
          : []
        return {
          data: {
            download_list: list.map((f) => {
              const fileID = String(f.fileid ?? '')
              const p = this.storage.pathOf(fileID)
              if (!p || !this.storage.exists(p)) {
                return {
                  fileID,
                  tempFileURL: '',
                  code: 'STORAGE_FILE_NONEXIST',
                  message: 'storage file not exists',
                }
              }
              const maxAge = Number(f.max_age ?? 7200)
              return {
                fileID,
                tempFileURL: `${this.baseUrl}/storage/files/${this.storage.sign(p, now + maxAge * 1000)}`,
                code: 'SUCCESS',
                maxAge,
              }
            }),
          },
        }
      }
      case 'storage.batchDeleteFile': {
        const list = Array.isArray(body.fileid_list) ? (body.fileid_list as string[]) : []
        if (list.length > MAX_DELETE_FILES)
          throw new DbError('INVALID_PARAM', `fileid_list: at most ${MAX_DELETE_FILES} files per call`)
        return {
          data: {
            delete_list: list.map((fileID) => {
              const p = this.storage.pathOf(String(fileID))
              return p && this.storage.remove(p)
                ? { fileID, code: 'SUCCESS' }
                : { fileID, code: 'STORAGE_FILE_NONEXIST', message: 'storage file not exists' }
            }),
          },
        }
      }
      case 'storage.getFileAuthority': {
        // Which of the caller's files it may read, as the default storage rule answers it
        // ("所有用户可读，仅创建者及管理员可写"): reads are allowed for every file that exists;
        // WRITE/READWRITE ask for a write, which only the uploader may do.
        const list = Array.isArray(body.fileList) ? (body.fileList as { path?: string; type?: string }[]) : []
        const caller = String(body.openId ?? '') || openid
        return {
          data: list.map((f) => {
            const fileId = String(f.path ?? '')
            const p = fileId.startsWith('cloud://') ? this.storage.pathOf(fileId) : fileId
            const exists = !!p && this.storage.exists(p)
            const owner = p ? this.storage.owner(p) : null
            const write = exists && !!caller && owner === caller
            return {
              path: fileId,
              cosFileId: p ?? '',
              read: f.type === 'READ' ? exists : f.type === 'WRITE' ? write : exists && write,
            }
          }),
        }
      }
      default:
        throw new DbError('INVALID_PARAM', `unsupported action: ${action}`)
    }
  }

  private async openApi(
    res: http.ServerResponse,
    form: Record<string, Buffer>,
    invocation: string | null,
    openid: string | null,
  ): Promise<void> {
    const apiName = form.apiName?.toString() ?? ''
    let call
    try {
      call = decodeOpenApiRequest(apiName, form.requestData ?? Buffer.alloc(0))
    } catch (err) {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' })
      res.end(
        JSON.stringify({ code: 'INVALID_PARAM', message: `invalid requestData: ${(err as Error).message}` }),
      )
      return
    }
    const answer = await answerOpenApi(call, this.faults, { take: (o, t) => this.takeGrant(o, t) })
    const response =
      'json' in answer ? answer.json : { contentType: answer.contentType, bytes: answer.binary.length }
    this.store.db
      .prepare(
        'INSERT INTO openapi_calls (at, api, params, response, invocation, openid) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(
        this.clock.now(),
        apiName,
        JSON.stringify(call.params),
        JSON.stringify(response),
        invocation,
        openid,
      )
    const bytes = 'json' in answer ? Buffer.from(JSON.stringify(answer.json)) : answer.binary
    const ctype = 'json' in answer ? 'application/json' : answer.contentType
    res.writeHead(200, { 'content-type': 'application/octet-stream' })
    res.end(encodeOpenApiResponse(bytes, ctype))
  }

  private async storageRoute(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const now = this.clock.now()
    const up = /^\/storage\/upload\/([0-9a-f]+)$/.exec(url.pathname)
    if (up && (req.method === 'PUT' || req.method === 'POST')) {
      const bytes = await readBody(req)
      try {
        this.storage.completeUpload(up[1]!, bytes, now)
      } catch (err) {
        res.writeHead(403, { 'content-type': 'application/xml' })
        res.end(
          `<Error><Code>AccessDenied</Code><Message>${(err as Error).message}</Message><RequestId>local</RequestId><TraceId>local</TraceId></Error>`,
        )
        return
      }
      res.writeHead(200)
      res.end()
      return
    }
    const dl = /^\/storage\/files\/(.+)$/.exec(url.pathname)
    if (dl && req.method === 'GET') {
      const cloudPath = decodeURI(dl[1]!)
      const ok = this.storage.verify(
        cloudPath,
        Number(url.searchParams.get('t')),
        url.searchParams.get('sign') ?? '',
        now,
      )
      if (!ok) throw new HttpError(403, 'signature invalid or URL expired')
      const bytes = this.storage.read(cloudPath)
      if (!bytes) throw new HttpError(404, 'file not found')
      res.writeHead(200, { 'content-type': contentTypeOf(cloudPath), 'content-length': bytes.length })
      res.end(bytes)
      return
    }
    throw new HttpError(404, 'not found')
  }

  // ---- gateway -------------------------------------------------------------------------------

  private async gateway(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const p = url.pathname.slice('/gateway'.length)
    const fn = /^\/functions\/([\w-]+)$/.exec(p)
    if (fn && req.method === 'POST') {
      const name = fn[1]!
      if (!this.host.get(name)) throw new HttpError(404, `function not found: ${name}`)
      const event = await readJson(req)
      const caller: Caller = {
        openid: header(req, 'x-wx-openid'),
        appid: header(req, 'x-wx-appid') ?? 'wx-local',
        unionid: header(req, 'x-wx-unionid'),
        source: 'wx_client',
      }
      const out = await this.host.invoke(name, event, caller)
      res.setHeader('x-invocation-id', out.record.id)
      res.setHeader('x-db-calls', String(out.record.dbCalls))
      // Documents written per collection by this call (tests check that refusals write nothing).
      res.setHeader('x-db-writes', JSON.stringify(out.record.dbWrites))
      if (!out.ok) return sendJson(res, 502, { errCode: -1, errMsg: `callFunction:fail ${out.message}` })
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' })
      res.end(out.json === '' ? 'null' : out.json)
      return
    }
    // Client uploads, downloads and database calls, under the security rules (rules.ts).
    const side = {
      rules: this.rules,
      storage: this.storage,
      db: this.db,
      now: () => this.clock.now(),
      url: this.baseUrl,
    }
    if (await clientRoute(side, req, res, p, url)) return
    if (p === '/clock') {
      if (req.method === 'POST') {
        const body = (await readJson(req)) as { set?: unknown; advanceMs?: unknown }
        if (typeof body?.set === 'string' && !Number.isNaN(Date.parse(body.set)))
          this.clock.set(Date.parse(body.set))
        else if (typeof body?.advanceMs === 'number' && Number.isFinite(body.advanceMs))
          this.clock.advance(body.advanceMs)
        else throw new HttpError(400, 'body must be {"set": ISO-8601} or {"advanceMs": number}')
        // Moving the clock fires each skipped timer once: answer when those runs are done, so a
        // caller's next step never races a catch-up run it cannot see.
        await this.scheduler.idle()
      } else if (req.method !== 'GET') throw new HttpError(405, 'method not allowed')
      return sendJson(res, 200, { now: new Date(this.clock.now()).toISOString() })
    }
    const timer = /^\/timers\/([\w-]+)\/run$/.exec(p)
    if (timer && req.method === 'POST') {
      const fnName = timer[1]!
      if (!this.scheduler.hasTimers(fnName)) throw new HttpError(404, `no timer for function ${fnName}`)
      const results = await this.scheduler.runNow(fnName)
      // The same figures as /functions/<name>: what the run cost in database calls and writes.
      const runs = this.scheduler
        .list()
        .filter((t) => t.function === fnName)
        .map((t) => this.lastTimerRun.get(`${t.function}/${t.trigger}`))
        .filter((r): r is InvocationRecord => !!r)
      const writes: Record<string, number> = {}
      for (const r of runs) for (const [c, n] of Object.entries(r.dbWrites)) writes[c] = (writes[c] ?? 0) + n
      res.setHeader('x-invocation-id', runs.map((r) => r.id).join(','))
      res.setHeader('x-db-calls', String(runs.reduce((n, r) => n + r.dbCalls, 0)))
      res.setHeader('x-db-writes', JSON.stringify(writes))
      return sendJson(res, 200, { ran: results.length, ok: results.every(Boolean) })
    }
    if (p === '/subscriptions') {
      // What a user accepted in wx.requestSubscribeMessage: WeChat's record, which
      // subscribeMessage.send checks. The mini-program's local mode and tests post here.
      if (req.method === 'POST') {
        const body = (await readJson(req)) as { openid?: unknown; accepted?: unknown; longTerm?: unknown }
        const openid =
          typeof body.openid === 'string' && body.openid ? body.openid : header(req, 'x-wx-openid')
        const accepted = body.accepted
        if (!openid || !Array.isArray(accepted) || !accepted.every((t) => typeof t === 'string' && t))
          throw new HttpError(
            400,
            'body must be {"accepted": [templateId…], "longTerm"?, "openid"?} (or x-wx-openid)',
          )
        this.acceptSubscriptions(openid, accepted as string[], body.longTerm === true)
        return sendJson(res, 200, { grants: this.subscriptions(openid) })
      }
      if (req.method === 'GET')
        return sendJson(res, 200, { grants: this.subscriptions(url.searchParams.get('openid') ?? undefined) })
      throw new HttpError(405, 'method not allowed')
    }
    if (p === '/timers' && req.method === 'GET') return sendJson(res, 200, { timers: this.timerView() })
    if (p === '/openapi' && req.method === 'GET') {
      return sendJson(res, 200, {
        calls: this.openApiCalls(
          url.searchParams.get('api') ?? undefined,
          Number(url.searchParams.get('limit') ?? 100),
        ),
      })
    }
    if (p === '/openapi/faults' && req.method === 'POST') {
      const body = (await readJson(req)) as Partial<OpenApiFault> & { clear?: boolean }
      if (body.clear) this.faults.splice(0)
      else if (typeof body.api === 'string' && typeof body.errcode === 'number') {
        this.faults.push({
          api: body.api,
          errcode: body.errcode,
          errmsg: body.errmsg ?? 'injected failure',
          remaining: body.remaining ?? 1,
          ...(body.touser ? { touser: body.touser } : {}),
        })
      } else throw new HttpError(400, 'body must be {"api", "errcode", "remaining"?} or {"clear": true}')
      return sendJson(res, 200, { faults: this.faults })
    }
    if (p === '/stats' && req.method === 'GET') {
      return sendJson(res, 200, {
        counters: this.counters,
        store: this.store.stats,
        instances: this.host.instanceCounts(),
      })
    }
    throw new HttpError(404, 'not found')
  }

  private timerView(): unknown[] {
    return this.scheduler.list().map((t) => ({
      ...t,
      next: t.next === null ? null : new Date(t.next).toISOString(),
      lastRunAt: t.lastRunAt === null ? null : new Date(t.lastRunAt).toISOString(),
    }))
  }

  // ---- console -------------------------------------------------------------------------------

  private async consoleRoute(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const p = url.pathname
    if (p === '/console') return redirect(res, '/console/')
    if (p === '/console/') {
      if (!this.consoleHtml) throw new HttpError(404, 'console not built')
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      res.end(this.consoleHtml)
      return
    }
    const q = url.searchParams
    if (p === '/console/api/overview') {
      return sendJson(res, 200, {
        env: this.envId,
        now: new Date(this.clock.now()).toISOString(),
        tcbApi: this.tcbApiUrl,
        gateway: this.gatewayUrl,
        collections: this.store.listCollections(),
        functions: this.host
          .list()
          .map((f) => ({ name: f.name, timeoutMs: f.timeoutMs, memoryMb: f.memoryMb })),
        timers: this.timerView(),
      })
    }
    if (p === '/console/api/docs' && req.method === 'GET') {
      // A collection as a table: a JSON `where` (MongoDB query, EJSON for dates and ids), a
      // `sort` ({"field": 1|-1}) and paging; unsorted in insertion order, as the platform reads.
      const coll = q.get('collection') ?? ''
      if (!this.store.hasCollection(coll)) throw new HttpError(404, `no collection ${coll}`)
      const limit = Math.min(Math.max(Number(q.get('limit') ?? 20) || 20, 1), 100)
      const offset = Math.max(Number(q.get('offset') ?? 0) || 0, 0)
      const where = parseEjsonParam(q.get('where'), 'where')
      const sort = parseEjsonParam(q.get('sort'), 'sort') as Record<string, 1 | -1>
      let docs: Record<string, unknown>[]
      try {
        docs = [...this.store.find(coll, where)].map((d) => d.doc)
        if (Object.keys(sort).length) docs = find(docs, {}).sort(sort).all() as Record<string, unknown>[]
      } catch (err) {
        throw new HttpError(400, `query: ${(err as Error).message}`)
      }
      return sendJson(res, 200, {
        total: docs.length,
        offset,
        limit,
        docs: docs.slice(offset, offset + limit).map((d) => EJSON.serialize(d, { relaxed: true })),
      })
    }
    if (p === '/console/api/docs' && (req.method === 'POST' || req.method === 'DELETE')) {
      checkConsoleWrite(req)
      const body = (await readJson(req)) as { collection?: string; doc?: unknown; id?: unknown }
      const coll = String(body.collection ?? '')
      if (!this.store.hasCollection(coll)) throw new HttpError(404, `no collection ${coll}`)
      if (req.method === 'DELETE') {
        const id = EJSON.deserialize({ id: body.id }, { relaxed: true }).id as DocId
        if (!isDocId(id)) throw new HttpError(400, 'id must be a document id')
        const removed = this.store.atomically(() => this.store.remove(coll, idKey(id)))
        return sendJson(res, 200, { removed })
      }
      // Add (no _id: one is generated) or replace a document, EJSON as the table shows it.
      const doc = EJSON.deserialize((body.doc ?? {}) as Record<string, unknown>, { relaxed: true }) as Doc
      if (!doc || typeof doc !== 'object' || Array.isArray(doc))
        throw new HttpError(400, 'doc must be an object')
      if (doc._id === undefined) doc._id = newDocId()
      if (!isDocId(doc._id)) throw new HttpError(400, '_id must be a string, a number or an ObjectId')
      try {
        this.store.atomically(() => this.store.put(coll, doc))
      } catch (err) {
        throw new HttpError(400, (err as Error).message)
      }
      return sendJson(res, 200, { doc: EJSON.serialize(doc, { relaxed: true }) })
    }
    if (p === '/console/api/export' && req.method === 'GET') {
      // The whole database in one file (to share a reproduction): every collection's documents
      // in insertion order, as canonical EJSON so types survive, plus indexes and grants.
      const collections: Record<string, { indexes: unknown[]; docs: unknown[] }> = {}
      for (const { name } of this.store.listCollections()) {
        collections[name] = {
          indexes: this.store.listIndexes(name),
          docs: [...this.store.find(name, {})].map((d) => EJSON.serialize(d.doc, { relaxed: false })),
        }
      }
      res.setHeader('content-disposition', `attachment; filename="local-cloudbase-${this.envId}.json"`)
      return sendJson(res, 200, {
        format: 'local-cloudbase-export/1',
        exportedAt: new Date(this.clock.now()).toISOString(),
        collections,
        subscriptions: this.subscriptions(),
      })
    }
    if (p === '/console/api/import' && req.method === 'POST') {
      checkConsoleWrite(req)
      const body = (await readJson(req)) as {
        format?: string
        collections?: Record<string, { indexes?: IndexDef[]; docs?: Record<string, unknown>[] }>
        subscriptions?: SubscriptionGrant[]
      }
      if (body.format !== 'local-cloudbase-export/1' || !body.collections)
        throw new HttpError(400, 'not a Local CloudBase export (format local-cloudbase-export/1)')
      let imported = 0
      try {
        this.store.atomically(() => {
          for (const [name, spec] of Object.entries(body.collections!)) {
            this.store.createCollection(name, this.clock.now())
            for (const d of [...this.store.find(name, {})]) this.store.remove(name, d.id)
            for (const index of spec.indexes ?? []) this.store.ensureIndex(name, index)
            for (const raw of spec.docs ?? []) {
              this.store.put(name, EJSON.deserialize(raw, { relaxed: false }) as Doc)
              imported += 1
            }
          }
          this.store.db.exec('DELETE FROM subscribe_grants')
          for (const g of body.subscriptions ?? []) {
            this.store.db
              .prepare(
                'INSERT INTO subscribe_grants (openid, template_id, one_time, long_term) VALUES (?, ?, ?, ?)',
              )
              .run(g.openid, g.templateId, g.oneTime, g.longTerm ? 1 : 0)
          }
        })
      } catch (err) {
        throw new HttpError(400, `import failed, nothing changed: ${(err as Error).message}`)
      }
      return sendJson(res, 200, { imported })
    }
    if (p === '/console/api/invocations') {
      // Per-invocation logs, filtered by function, outcome and text (in logs, errors or caller).
      const fn = q.get('function') || null
      const outcome = q.get('ok')
      const text = (q.get('q') ?? '').toLowerCase()
      const list = [...this.host.records]
        .reverse()
        .filter(
          (r) =>
            (!fn || r.function === fn) &&
            (outcome === null || outcome === '' || String(r.ok) === outcome) &&
            (!text ||
              `${r.caller.openid ?? ''} ${r.error ?? ''} ${r.logs.map((l) => l.text).join('\n')}`
                .toLowerCase()
                .includes(text)),
        )
      return sendJson(res, 200, { invocations: list.slice(0, 100) })
    }
    if (p === '/console/api/outbox') return sendJson(res, 200, { calls: this.openApiCalls(undefined, 100) })
    throw new HttpError(404, 'not found')
  }
}

// ---- helpers -----------------------------------------------------------------------------------

function parseEjsonParam(text: string | null, name: string): Record<string, unknown> {
  if (!text || !text.trim()) return {}
  try {
    const v = toRegExps(EJSON.parse(text, { relaxed: true }))
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('must be an object')
    return v as Record<string, unknown>
  } catch (err) {
    throw new HttpError(400, `${name}: ${(err as Error).message}`)
  }
}

/** EJSON reads `{"$regex": …}` as a BSONRegExp; the query engine evaluates JS RegExps. */
function toRegExps(v: unknown): unknown {
  if (v instanceof BSONRegExp) return new RegExp(v.pattern, v.options.replace(/[^imsu]/g, ''))
  if (Array.isArray(v)) return v.map(toRegExps)
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const o = v as Record<string, unknown>
    for (const k of Object.keys(o)) o[k] = toRegExps(o[k])
  }
  return v
}

/**
 * Writes through the console API change the database: only the console's own page may make
 * them (a JSON body, which a cross-site form cannot send without a CORS preflight we never
 * answer, and no foreign Origin).
 */
function checkConsoleWrite(req: http.IncomingMessage): void {
  if (!String(req.headers['content-type'] ?? '').startsWith('application/json'))
    throw new HttpError(415, 'console writes take application/json')
  const origin = req.headers.origin
  if (origin && origin !== `http://${req.headers.host ?? ''}`) throw new HttpError(403, 'foreign origin')
}

function isLoopback(addr: string | undefined): boolean {
  return !!addr && (addr.startsWith('127.') || addr === '::1' || addr.startsWith('::ffff:127.'))
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name]
  return typeof v === 'string' && v ? v : undefined
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  })
  res.end(text)
}

function redirect(res: http.ServerResponse, to: string): void {
  res.writeHead(302, { location: to })
  res.end()
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY) throw new HttpError(413, 'request body too large')
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks)
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const text = (await readBody(req)).toString('utf8')
  if (!text) return {}
  try {
    return JSON.parse(text)
  } catch {
    throw new HttpError(400, 'body must be JSON')
  }
}

function readMultipart(req: http.IncomingMessage): Promise<Record<string, Buffer>> {
  return new Promise((resolve, reject) => {
    const out: Record<string, Buffer> = {}
    let bb: busboy.Busboy
    try {
      bb = busboy({
        headers: req.headers,
        defCharset: 'latin1',
        defParamCharset: 'utf8',
        limits: { fileSize: MAX_BODY, fieldSize: MAX_BODY },
      })
    } catch (err) {
      reject(new HttpError(400, (err as Error).message))
      return
    }
    bb.on('field', (name, value) => {
      out[name] = Buffer.from(value, 'latin1')
    })
    bb.on('file', (name, stream) => {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        out[name] = Buffer.concat(chunks)
      })
    })
    bb.on('close', () => resolve(out))
    bb.on('error', (err) => reject(new HttpError(400, (err as Error).message)))
    req.pipe(bb)
  })
}

function contentTypeOf(p: string): string {
  const ext = path.extname(p).toLowerCase()
  return (
    {
      '.png': 'image/png',
      '.jpg': 'image/jpeg',
      '.jpeg': 'image/jpeg',
      '.pdf': 'application/pdf',
      '.txt': 'text/plain; charset=utf-8',
      '.json': 'application/json',
    }[ext] ?? 'application/octet-stream'
  )
}
