import * as fs from 'node:fs'
import * as path from 'node:path'
import { Worker } from 'node:worker_threads'
import { randomBytes } from 'node:crypto'
import type { InvokeMessage, WorkerReply } from '../worker'

/** What a deployed function's config.json may say (https://docs.cloudbase.net/cloud-function/config). */
export interface FunctionConfig {
  timeout?: number
  memorySize?: number
  triggers?: { name: string; type: string; config: string }[]
  permissions?: unknown
}

export interface DeployedFunction {
  name: string
  dir: string
  bundlePath: string
  timeoutMs: number
  memoryMb: number
  config: FunctionConfig
}

export interface Caller {
  openid?: string
  appid?: string
  unionid?: string
  /** TCB SOURCE: wx_client (mini-program), wx_trigger (timer), a chain such as wx_client,scf … */
  source: string
}

export interface LogLine {
  level: string
  text: string
  at: number
}

export interface InvocationRecord {
  id: string
  function: string
  caller: Caller
  startedAt: number
  durationMs: number
  cold: boolean
  ok: boolean
  error?: string
  logs: LogLine[]
  dbCalls: number
  /** Documents written per collection (committed writes only). */
  dbWrites: Record<string, number>
}

export type InvocationResult =
  | { ok: true; json: string; record: InvocationRecord }
  | { ok: false; message: string; record: InvocationRecord }

interface Instance {
  worker: Worker
  busy: boolean
  lastUsed: number
  ready: Promise<void>
}

const MAX_INSTANCES = 16
const IDLE_REAP_MS = 10 * 60_000
const RECORDS_KEPT = 500

export interface HostOptions {
  workerScript: string
  /** TCB API base URL (`http://127.0.0.1:PORT/admin`); per invocation `/inv/<id>` is appended. */
  tcbUrl: () => string
  envId: string
  clockOffsetMs: () => number
  now: () => number
}

/**
 * Runs deployed functions in worker threads: each instance handles one invocation at a time;
 * a busy function gets a new (cold) instance up to a cap, then invocations queue.
 */
export class FunctionHost {
  private readonly fns = new Map<string, DeployedFunction>()
  private readonly pools = new Map<string, Instance[]>()
  private readonly waiters = new Map<string, (() => void)[]>()
  readonly records: InvocationRecord[] = []
  private readonly live = new Map<string, InvocationRecord>()
  private reaper: NodeJS.Timeout

  constructor(private readonly opts: HostOptions) {
    this.reaper = setInterval(() => this.reapIdle(), 60_000)
    this.reaper.unref()
  }

  deploy(dir: string): DeployedFunction {
    const name = path.basename(dir)
    const bundlePath = path.join(dir, 'index.js')
    if (!fs.existsSync(bundlePath))
      throw new Error(`function ${name}: ${bundlePath} not built (run npm run build)`)
    const cfgFile = path.join(dir, 'config.json')
    const config = fs.existsSync(cfgFile)
      ? (JSON.parse(fs.readFileSync(cfgFile, 'utf8')) as FunctionConfig)
      : {}
    const fn: DeployedFunction = {
      name,
      dir,
      bundlePath,
      config,
      // Platform defaults: 3 s timeout, 256 MB.
      timeoutMs: (config.timeout ?? 3) * 1000,
      memoryMb: config.memorySize ?? 256,
    }
    this.retire(name)
    this.fns.set(name, fn)
    return fn
  }

  list(): DeployedFunction[] {
    return [...this.fns.values()]
  }

  get(name: string): DeployedFunction | undefined {
    return this.fns.get(name)
  }

  /** The invocation an SDK request belongs to (its id travels in the TCB URL path). */
  liveInvocation(id: string): InvocationRecord | undefined {
    return this.live.get(id)
  }

  async invoke(name: string, event: unknown, caller: Caller): Promise<InvocationResult> {
    const fn = this.fns.get(name)
    if (!fn) throw new Error(`FUNCTION_NOT_FOUND:${name}`)
    const id = randomBytes(8).toString('hex')
    const record: InvocationRecord = {
      id,
      function: name,
      caller,
      startedAt: this.opts.now(),
      durationMs: 0,
      cold: false,
      ok: false,
      logs: [],
      dbCalls: 0,
      dbWrites: {},
    }
    this.live.set(id, record)
    const t0 = performance.now()
    try {
      const { instance, cold } = await this.acquire(fn)
      record.cold = cold
      const outcome = await this.run(fn, instance, id, event, caller, record)
      record.ok = outcome.ok
      if (!outcome.ok) record.error = outcome.message
      return { ...outcome, record }
    } finally {
      record.durationMs = Math.round((performance.now() - t0) * 100) / 100
      this.live.delete(id)
      this.records.push(record)
      if (this.records.length > RECORDS_KEPT) this.records.splice(0, this.records.length - RECORDS_KEPT)
    }
  }

  private async acquire(fn: DeployedFunction): Promise<{ instance: Instance; cold: boolean }> {
    for (;;) {
      const pool = this.pools.get(fn.name) ?? []
      this.pools.set(fn.name, pool)
      const idle = pool.find((i) => !i.busy)
      if (idle) {
        idle.busy = true
        await idle.ready
        return { instance: idle, cold: false }
      }
      if (pool.length < MAX_INSTANCES) {
        const instance = this.spawn(fn)
        instance.busy = true
        pool.push(instance)
        await instance.ready
        return { instance, cold: true }
      }
      await new Promise<void>((resolve) => {
        const list = this.waiters.get(fn.name) ?? []
        list.push(resolve)
        this.waiters.set(fn.name, list)
      })
    }
  }

  private release(fn: DeployedFunction, instance: Instance): void {
    instance.busy = false
    instance.lastUsed = Date.now()
    this.waiters.get(fn.name)?.shift()?.()
  }

  private spawn(fn: DeployedFunction): Instance {
    const worker = new Worker(this.opts.workerScript, {
      workerData: { bundlePath: fn.bundlePath },
      env: {
        ...process.env,
        // Any credentials: the SDK signs requests with them; Local CloudBase does not check.
        TENCENTCLOUD_SECRETID: 'local',
        TENCENTCLOUD_SECRETKEY: 'local',
        TENCENTCLOUD: 'true',
        SILENCE: 'true',
        TCB_ENV: this.opts.envId,
        SCF_NAMESPACE: this.opts.envId,
        SCF_FUNCTIONNAME: fn.name,
        TCB_CONTEXT_KEYS: 'TCB_ENV,TCB_SOURCE,TCB_SEQID',
        WX_CONTEXT_KEYS: 'WX_OPENID,WX_APPID,WX_UNIONID,WX_CLIENTIP',
      },
      resourceLimits: { maxOldGenerationSizeMb: fn.memoryMb },
      stdout: false,
      stderr: false,
    })
    const instance: Instance = {
      worker,
      busy: false,
      lastUsed: Date.now(),
      ready: new Promise<void>((resolve, reject) => {
        const onMsg = (m: WorkerReply): void => {
          if (m.type === 'ready') {
            worker.off('message', onMsg)
            worker.off('error', reject)
            resolve()
          }
        }
        worker.on('message', onMsg)
        worker.once('error', reject)
      }),
    }
    instance.ready.catch(() => this.drop(fn.name, instance))
    worker.once('exit', () => this.drop(fn.name, instance))
    return instance
  }

  private run(
    fn: DeployedFunction,
    instance: Instance,
    id: string,
    event: unknown,
    caller: Caller,
    record: InvocationRecord,
  ): Promise<{ ok: true; json: string } | { ok: false; message: string }> {
    return new Promise((resolve) => {
      const { worker } = instance
      let settled = false
      const finish = (
        r: { ok: true; json: string } | { ok: false; message: string },
        healthy: boolean,
      ): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        worker.off('message', onMsg)
        worker.off('error', onError)
        worker.off('exit', onExit)
        if (healthy) this.release(fn, instance)
        else {
          this.drop(fn.name, instance)
          void worker.terminate()
          this.waiters.get(fn.name)?.shift()?.()
        }
        resolve(r)
      }
      const onMsg = (m: WorkerReply): void => {
        if (m.type === 'log' && m.id === id)
          record.logs.push({ level: m.level, text: m.text, at: this.opts.now() })
        if (m.type === 'done' && m.id === id)
          finish(m.ok ? { ok: true, json: m.json } : { ok: false, message: m.message }, true)
      }
      const onError = (err: Error): void =>
        finish({ ok: false, message: `Function crashed: ${err.message}` }, false)
      const onExit = (): void => finish({ ok: false, message: 'Function instance exited' }, false)
      const timer = setTimeout(
        () => finish({ ok: false, message: `Task timed out after ${fn.timeoutMs / 1000} seconds` }, false),
        fn.timeoutMs,
      )
      worker.on('message', onMsg)
      worker.once('error', onError)
      worker.once('exit', onExit)
      const env: Record<string, string> = {
        TCB_CONTEXT_CNFG: JSON.stringify({ URL: `${this.opts.tcbUrl()}/inv/${id}` }),
        TCB_SOURCE: caller.source,
        ...(caller.source === 'wx_trigger' ? { TRIGGER_SRC: 'timer' } : {}),
        TCB_SEQID: id,
        WX_OPENID: caller.openid ?? '',
        WX_APPID: caller.appid ?? '',
        WX_UNIONID: caller.unionid ?? '',
        WX_CLIENTIP: '127.0.0.1',
      }
      const msg: InvokeMessage = { type: 'invoke', id, event, env, clockOffsetMs: this.opts.clockOffsetMs() }
      worker.postMessage(msg)
    })
  }

  private drop(name: string, instance: Instance): void {
    const pool = this.pools.get(name)
    if (!pool) return
    const i = pool.indexOf(instance)
    if (i >= 0) pool.splice(i, 1)
  }

  private retire(name: string): void {
    for (const inst of this.pools.get(name) ?? []) void inst.worker.terminate()
    this.pools.delete(name)
  }

  private reapIdle(): void {
    const cutoff = Date.now() - IDLE_REAP_MS
    for (const [name, pool] of this.pools) {
      for (const inst of [...pool]) {
        if (!inst.busy && inst.lastUsed < cutoff) {
          this.drop(name, inst)
          void inst.worker.terminate()
        }
      }
    }
  }

  instanceCounts(): Record<string, number> {
    return Object.fromEntries([...this.pools].map(([n, p]) => [n, p.length]))
  }

  async close(): Promise<void> {
    clearInterval(this.reaper)
    const all = [...this.pools.values()].flat()
    this.pools.clear()
    await Promise.all(all.map((i) => i.worker.terminate()))
  }
}
