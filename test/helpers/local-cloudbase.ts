import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import tcb from '@cloudbase/node-sdk'
import { LocalCloudBase, type LocalCloudBaseOptions } from '../../local-cloudbase/server'
import type { DatabaseDefinition } from '../../local-cloudbase/definition'

/** The repository root, from test/helpers (ts-jest) or from .build (the bundled bench). */
export const ROOT = (() => {
  let dir = __dirname
  while (!fs.existsSync(path.join(dir, 'database/definition.json')) && path.dirname(dir) !== dir)
    dir = path.dirname(dir)
  return dir
})()
export const WORKER = path.join(ROOT, '.build/local-cloudbase/worker.js')
export const DEFINITION = JSON.parse(
  fs.readFileSync(path.join(ROOT, 'database/definition.json'), 'utf8'),
) as DatabaseDefinition

export function tempDir(prefix = 'lcb-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix))
}

/** Starts Local CloudBase in this process on a free port with a fresh data directory. */
export async function startLocalCloudBase(
  opts: Partial<LocalCloudBaseOptions> = {},
): Promise<LocalCloudBase> {
  if (!fs.existsSync(WORKER)) throw new Error('Local CloudBase is not built: run `npm run build` first')
  return new LocalCloudBase({
    dataDir: tempDir(),
    workerScript: WORKER,
    port: 0,
    definition: DEFINITION,
    ...opts,
  }).start()
}

/** The unmodified node SDK pointed at Local CloudBase with fake credentials. */
export function nodeSdk(lcb: LocalCloudBase) {
  return tcb.init({ env: lcb.envId, secretId: 'local-id', secretKey: 'local-key', serviceUrl: lcb.tcbApiUrl })
}

/** Calls a function through the gateway as the mini-program's local mode does. */
export async function callGateway<T = unknown>(
  lcb: LocalCloudBase,
  fn: string,
  event: unknown,
  openid?: string,
): Promise<{ status: number; body: T; dbCalls: number }> {
  const res = await fetch(`${lcb.gatewayUrl}/functions/${fn}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(openid ? { 'x-wx-openid': openid } : {}) },
    body: JSON.stringify(event),
  })
  return {
    status: res.status,
    body: (await res.json()) as T,
    dbCalls: Number(res.headers.get('x-db-calls') ?? 0),
  }
}
