import * as fs from 'node:fs'
import * as http from 'node:http'
import * as path from 'node:path'
import type { AddressInfo } from 'node:net'
import { Store } from './db/store'
import { DatabaseEngine } from './db/engine'
import { Clock } from './clock'
import { FunctionHost, type Caller, type InvocationRecord, type InvocationResult } from './functions/host'
import { Scheduler, type TimerSpec } from './timers/scheduler'
import { FileStorage } from './storage'
import type { OpenApiFault } from './openapi'
import { applyDefinition, type DatabaseDefinition } from './definition'
import { ClientRules } from './rules'
import { SubscribeGrants, type SubscriptionGrant } from './subscribe-grants'
import { OpenApiLog, type OpenApiRecord } from './openapi-log'
import type { Emulator } from './surfaces/context'
import { HttpError, redirect, sendJson } from './surfaces/http'
import { checkLocalRequest } from './surfaces/local-only'
import { tcbApi } from './surfaces/tcb-api'
import { storageRoute } from './surfaces/storage-routes'
import { gateway } from './surfaces/gateway'
import { control } from './surfaces/control'
import { consoleRoute } from './surfaces/console'

export type { SubscriptionGrant } from './subscribe-grants'
export type { OpenApiRecord } from './openapi-log'

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

/**
 * Local CloudBase: an offline, wire-compatible CloudBase on 127.0.0.1. This class is its
 * lifecycle (start, deploy, stop), its shared state and `route()`; each surface is a module:
 *   /admin[/inv/<invocation>]  the TCB API the SDKs call (database, functions, storage, open API)
 *                              surfaces/tcb-api.ts
 *   /storage/…                 upload target and temporary download URLs    surfaces/storage-routes.ts
 *   /gateway/…                 functions and client routes over HTTP with a caller identity
 *                              surfaces/gateway.ts; the clock, timers, grants, faults and stats
 *                              surfaces/control.ts
 *   /console/                  a small web console                           surfaces/console.ts
 * Every request passes surfaces/local-only.ts first (loopback, Host, Origin, TCB content types).
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
  private readonly grants: SubscribeGrants
  private readonly openApiLog: OpenApiLog
  /** What the surfaces see of this instance (one object, shared by all). */
  private readonly emulator: Emulator

  constructor(private readonly opts: LocalCloudBaseOptions) {
    fs.mkdirSync(opts.dataDir, { recursive: true })
    this.envId = opts.envId ?? 'local'
    this.store = new Store(path.join(opts.dataDir, 'cloudbase.sqlite'))
    this.openApiLog = new OpenApiLog(this.store)
    this.grants = new SubscribeGrants(this.store, opts.subscribeGrants !== 'off')
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
    this.emulator = {
      envId: this.envId,
      store: this.store,
      db: this.db,
      clock: this.clock,
      host: this.host,
      scheduler: this.scheduler,
      storage: this.storage,
      rules: this.rules,
      grants: this.grants,
      openApiLog: this.openApiLog,
      faults: this.faults,
      counters: this.counters,
      lastTimerRun: this.lastTimerRun,
      baseUrl: () => this.baseUrl,
      verbose: !!opts.verbose,
      consoleHtml: opts.consoleHtml,
    }
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
    return this.openApiLog.list(api, limit)
  }

  /** Records what a user accepted in wx.requestSubscribeMessage (WeChat's side of a grant). */
  acceptSubscriptions(openid: string, templateIds: string[], longTerm = false): void {
    this.grants.accept(openid, templateIds, longTerm)
  }

  subscriptions(openid?: string): SubscriptionGrant[] {
    return this.grants.list(openid)
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

  /** The one dispatcher: the local-only checks, then the surface the path names. */
  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local')
    const p = url.pathname
    const lcb = this.emulator
    try {
      checkLocalRequest(req)
      if (req.method === 'POST' && (p === '/admin' || p.startsWith('/admin/')))
        return await tcbApi(lcb, req, res, p)
      if (p.startsWith('/storage/')) return await storageRoute(lcb, req, res, url)
      if (p.startsWith('/gateway/')) {
        const sub = p.slice('/gateway'.length)
        if (await gateway(lcb, req, res, sub, url)) return
        return await control(lcb, req, res, sub, url)
      }
      if (p === '/console' || p.startsWith('/console/')) return await consoleRoute(lcb, req, res, url)
      if (p === '/') return redirect(res, '/console/')
      throw new HttpError(404, 'not found')
    } catch (err) {
      if (err instanceof HttpError) return sendJson(res, err.status, { error: err.message })
      console.error('[local-cloudbase]', err)
      sendJson(res, 500, { error: 'internal error' })
    }
  }
}
