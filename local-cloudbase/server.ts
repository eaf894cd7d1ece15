import * as fs from 'node:fs'
import * as http from 'node:http'
import * as path from 'node:path'
import { randomBytes } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import busboy from 'busboy'
import { Store } from './db/store'
import { DatabaseEngine, type Body } from './db/engine'
import { DbError } from './db/errors'
import { Clock } from './clock'
import { FunctionHost, type Caller, type InvocationResult } from './functions/host'
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
}

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
  private readonly consoleHtml: string | undefined

  constructor(private readonly opts: LocalCloudBaseOptions) {
    fs.mkdirSync(opts.dataDir, { recursive: true })
    this.envId = opts.envId ?? 'local'
    this.store = new Store(path.join(opts.dataDir, 'cloudbase.sqlite'))
    this.store.db
      .exec(`CREATE TABLE IF NOT EXISTS openapi_calls (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL,
      api TEXT NOT NULL, params TEXT NOT NULL, response TEXT NOT NULL, invocation TEXT, openid TEXT)`)
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

  private async runTimer(spec: TimerSpec, at: number): Promise<boolean> {
    const event = {
      Type: 'Timer',
      TriggerName: spec.trigger,
      Time: new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      Message: '',
    }
    // As on the platform: SOURCE is wx_trigger and TRIGGER_SRC=timer for a timer trigger.
    const res = await this.host.invoke(spec.function, event, { source: 'wx_trigger' })
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
        return sendJson(res, 200, { requestId, ...this.storageAction(action, body) })
      return sendJson(res, 200, {
        code: 'INVALID_PARAM',
        message: `unsupported action: ${action || '(none)'}`,
        requestId,
      })
    } catch (err) {
      if (err instanceof DbError)
        return sendJson(res, 200, { code: err.code, message: err.message, requestId })
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
      return sendJson(res, 200, {
        code: 'FUNCTIONS_REQUEST_FAIL',
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

  private storageAction(action: string, body: Body): Body {
    const now = this.clock.now()
    switch (action) {
      case 'storage.getUploadMetadata': {
        const cloudPath = String(body.path ?? '')
        let token: string
        try {
          token = this.storage.beginUpload(cloudPath, now)
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
    const answer = await answerOpenApi(call, this.faults)
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
      if (!this.scheduler.hasTimers(timer[1]!)) throw new HttpError(404, `no timer for function ${timer[1]}`)
      const results = await this.scheduler.runNow(timer[1]!)
      return sendJson(res, 200, { ran: results.length, ok: results.every(Boolean) })
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
    if (p === '/console/api/docs') {
      const coll = q.get('collection') ?? ''
      if (!this.store.hasCollection(coll)) throw new HttpError(404, `no collection ${coll}`)
      const limit = Math.min(Math.max(Number(q.get('limit') ?? 20) || 20, 1), 100)
      const offset = Math.max(Number(q.get('offset') ?? 0) || 0, 0)
      const docs = [...this.store.find(coll, {})]
      return sendJson(res, 200, {
        total: docs.length,
        offset,
        limit,
        docs: docs.slice(offset, offset + limit).map((d) => d.doc),
      })
    }
    if (p === '/console/api/invocations') {
      return sendJson(res, 200, { invocations: [...this.host.records].reverse().slice(0, 100) })
    }
    if (p === '/console/api/outbox') return sendJson(res, 200, { calls: this.openApiCalls(undefined, 100) })
    throw new HttpError(404, 'not found')
  }
}

// ---- helpers -----------------------------------------------------------------------------------

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
