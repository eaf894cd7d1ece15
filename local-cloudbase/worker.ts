/**
 * One function instance (a worker thread). Loads the function's bundle once (cold start) and
 * then runs one invocation at a time, as the platform does. Per invocation it sets the
 * environment that wx-server-sdk reads (WX_OPENID… for getWXContext, TCB_CONTEXT_CNFG for the
 * endpoint), shifts `Date` to the Local CloudBase clock and forwards console output.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { format } from 'node:util'

export interface InvokeMessage {
  type: 'invoke'
  id: string
  event: unknown
  env: Record<string, string>
  clockOffsetMs: number
}

export type WorkerReply =
  | { type: 'ready' }
  | { type: 'log'; id: string; level: string; text: string }
  | { type: 'done'; id: string; ok: true; json: string }
  | { type: 'done'; id: string; ok: false; message: string }

const port = parentPort
if (!port) throw new Error('worker.ts must run as a worker thread')
const { bundlePath } = workerData as { bundlePath: string }

// ---- clock -----------------------------------------------------------------------------------
const RealDate = Date
let clockOffsetMs = 0
class ClockDate extends RealDate {
  constructor(...args: unknown[]) {
    if (args.length === 0) super(RealDate.now() + clockOffsetMs)
    else super(...(args as [number]))
  }
  static override now(): number {
    return RealDate.now() + clockOffsetMs
  }
}
globalThis.Date = ClockDate as DateConstructor

// ---- console ---------------------------------------------------------------------------------
let currentId = ''
for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
  console[level] = (...args: unknown[]) => {
    port.postMessage({ type: 'log', id: currentId, level, text: format(...args) } satisfies WorkerReply)
  }
}

// ---- the function ----------------------------------------------------------------------------

const mod = require(bundlePath) as { main?: (event: unknown, context: unknown) => unknown }
if (typeof mod.main !== 'function') throw new Error(`${bundlePath} does not export main`)
const main = mod.main

port.on('message', (msg: InvokeMessage) => {
  if (msg.type !== 'invoke') return
  currentId = msg.id
  clockOffsetMs = msg.clockOffsetMs
  Object.assign(process.env, msg.env)
  const context = { request_id: msg.id, function_name: process.env.SCF_FUNCTIONNAME, environ: '' }
  Promise.resolve()
    .then(() => main(msg.event, context))
    .then(
      (result) => {
        // The platform serialises the return value as JSON; `undefined` becomes an empty body.
        const json = result === undefined ? '' : JSON.stringify(result)
        port.postMessage({ type: 'done', id: msg.id, ok: true, json } satisfies WorkerReply)
      },
      (err: unknown) => {
        const e = err as { stack?: string; message?: string }
        console.error(e?.stack ?? String(err))
        port.postMessage({
          type: 'done',
          id: msg.id,
          ok: false,
          message: e?.message ?? String(err),
        } satisfies WorkerReply)
      },
    )
})

port.postMessage({ type: 'ready' } satisfies WorkerReply)
