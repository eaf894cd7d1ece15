/**
 * A local HTTP server standing in for Tencent Cloud's API endpoints (tcb, scf …), for testing
 * the cloud deploy through the unmodified management SDK. The only thing redirected is where
 * the SDK's HTTP requests go: its request layer (`lib/utils/http-request`) is pointed from
 * https://<service>.tencentcloudapi.com to this server, which checks each request's TC3-HMAC-SHA256
 * signature with the test's secret key, records it, and answers from a small model of one
 * environment (functions, triggers, collections, indexes, rules).
 */
import { createHash, createHmac } from 'node:crypto'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Recorded {
  service: string
  action: string
  body: Record<string, unknown>
}

interface Fn {
  FunctionName: string
  Runtime: string
  Handler: string
  Timeout: number
  MemorySize: number
  InstallDependency: 'TRUE' | 'FALSE'
  Environment: { Variables: { Key: string; Value: string }[] }
  Triggers: { TriggerName: string; Type: string; TriggerDesc: string }[]
  Status: string
}

interface Index {
  Name: string
  Keys: { Name: string; Direction: string }[]
  Unique: boolean
  Sparse: boolean
}

export class FakeTencentCloud {
  readonly requests: Recorded[] = []
  readonly functions = new Map<string, Fn>()
  readonly tables = new Map<string, Index[]>()
  readonly rules = new Map<string, string>()
  storageRule: string | null = null
  /** Index names whose creation fails as a unique violation would. */
  readonly duplicateOn = new Set<string>()
  private server?: http.Server
  private restore?: () => void
  port = 0

  constructor(
    readonly envId: string,
    readonly secretId: string,
    readonly secretKey: string,
  ) {}

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res))
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()))
    this.port = (this.server.address() as AddressInfo).port
    // The SDK's request layer: every management call goes through this module's fetch().
    const layer = require('@cloudbase/manager-node/lib/utils/http-request') as {
      fetch: (url: string, config: unknown, proxy: unknown) => Promise<unknown>
    }
    const original = layer.fetch
    layer.fetch = (url, config, proxy) => {
      const u = new URL(url)
      const m = /^([a-z]+)\.tencentcloudapi\.com$/.exec(u.hostname)
      if (!m) throw new Error(`unexpected host ${u.hostname}`)
      return original(`http://127.0.0.1:${this.port}/${m[1]}${u.pathname}${u.search}`, config, proxy)
    }
    this.restore = () => (layer.fetch = original)
    return this
  }

  async stop(): Promise<void> {
    this.restore?.()
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()))
  }

  /** Management actions recorded since `from` (reads excluded when `writesOnly`). */
  actions(from = 0, writesOnly = false): Recorded[] {
    const reads = /^(Describe|Get|List|Check)/
    return this.requests.slice(from).filter((r) => !writesOnly || !reads.test(r.action))
  }

  private verify(req: http.IncomingMessage, body: string, service: string): string | null {
    const auth = String(req.headers.authorization ?? '')
    const m =
      /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/([a-z]+)\/tc3_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
        auth,
      )
    if (!m) return 'AuthFailure.SignatureFailure'
    const [, id, date, svc, , sig] = m
    if (id !== this.secretId) return 'AuthFailure.SecretIdNotFound'
    if (svc !== service) return 'AuthFailure.SignatureFailure'
    const host = String(req.headers.host)
    const canonical = `POST\n/\n\ncontent-type:application/json\nhost:${host}\n\ncontent-type;host\n${sha(body)}`
    const ts = String(req.headers['x-tc-timestamp'])
    const toSign = `TC3-HMAC-SHA256\n${ts}\n${date}/${service}/tc3_request\n${sha(canonical)}`
    const k = hmac(hmac(hmac(`TC3${this.secretKey}`, date!), service), 'tc3_request')
    return hmac(k, toSign).toString('hex') === sig ? null : 'AuthFailure.SignatureFailure'
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const text = Buffer.concat(chunks).toString('utf8')
    const service = (req.url ?? '/').split('/')[1] ?? ''
    const action = String(req.headers['x-tc-action'] ?? '')
    const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>
    const reply = (r: Record<string, unknown>) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ Response: { RequestId: `req-${this.requests.length}`, ...r } }))
    }
    const fail = (Code: string, Message: string) => reply({ Error: { Code, Message } })
    const authError = this.verify(req, text, service)
    if (authError) return fail(authError, 'The SecretId is not found or the signature does not match')
    this.requests.push({ service, action, body })
    try {
      reply(this.answer(action, body))
    } catch (err) {
      const e = err as { code?: string; message: string }
      fail(e.code ?? 'InternalError', e.message)
    }
  }

  private answer(action: string, b: Record<string, unknown>): Record<string, unknown> {
    const err = (code: string, message: string) => Object.assign(new Error(message), { code })
    const table = (name: unknown) => {
      const t = this.tables.get(String(name))
      if (!t) throw err('ResourceNotFound', `Db or Table not exist: ${String(name)}`)
      return t
    }
    const fn = (name: unknown) => {
      const f = this.functions.get(String(name))
      if (!f) throw err('ResourceNotFound.Function', `未找到指定的Function，请创建后再试。${String(name)}`)
      return f
    }
    if (b.EnvId !== undefined && b.EnvId !== this.envId)
      throw err('ResourceNotFound', `env not found: ${String(b.EnvId)}`)
    switch (action) {
      case 'DescribeEnvInfo':
        return {
          EnvInfo: {
            EnvBaseInfo: {
              EnvId: this.envId,
              Status: 'NORMAL',
              Databases: [{ InstanceId: 'tnt-fake' }],
              Storages: [{ Bucket: `${this.envId}-1250000000`, Region: 'ap-shanghai' }],
              Functions: [{ Namespace: this.envId }],
            },
          },
        }
      case 'ListTables':
        return {
          Tables: [...this.tables.keys()].map((TableName) => ({ TableName })),
          Pager: { Total: this.tables.size },
        }
      case 'DescribeTable':
        return { Indexes: table(b.TableName), IndexNum: table(b.TableName).length }
      case 'CreateTable':
        this.tables.set(String(b.TableName), [
          { Name: '_id_', Keys: [{ Name: '_id', Direction: '1' }], Unique: true, Sparse: false },
        ])
        return {}
      case 'DeleteTable':
        this.tables.delete(String(b.TableName))
        return {}
      case 'UpdateTable': {
        const t = table(b.TableName)
        for (const d of (b.DropIndexes as { IndexName: string }[] | undefined) ?? []) {
          const at = t.findIndex((i) => i.Name === d.IndexName)
          if (at >= 0) t.splice(at, 1)
        }
        for (const c of (b.CreateIndexes as {
          IndexName: string
          MgoKeySchema: {
            MgoIsUnique: boolean
            MgoIsSparse?: boolean
            MgoIndexKeys: { Name: string; Direction: string }[]
          }
        }[]) ?? []) {
          if (this.duplicateOn.has(c.IndexName))
            throw err(
              'FailedOperation',
              `E11000 duplicate key error collection: ${String(b.TableName)} index: ${c.IndexName}`,
            )
          t.push({
            Name: c.IndexName,
            Keys: c.MgoKeySchema.MgoIndexKeys,
            Unique: c.MgoKeySchema.MgoIsUnique,
            Sparse: !!c.MgoKeySchema.MgoIsSparse,
          })
        }
        return {}
      }
      case 'DescribeSafeRule':
        return this.rules.has(String(b.CollectionName))
          ? { AclTag: 'CUSTOM', Rule: this.rules.get(String(b.CollectionName)) }
          : { AclTag: 'ADMINONLY', Rule: null }
      case 'ModifySafeRule':
        this.rules.set(String(b.CollectionName), String(b.Rule))
        return {}
      case 'DescribeStorageSafeRule':
        return this.storageRule
          ? { AclTag: 'CUSTOM', Rule: this.storageRule }
          : { AclTag: 'PRIVATE', Rule: null }
      case 'ModifyStorageSafeRule':
        this.storageRule = String(b.Rule)
        return {}
      case 'GetFunction':
        return { ...fn(b.FunctionName) }
      case 'CreateFunction': {
        const env = (b.Environment as Fn['Environment'] | undefined) ?? { Variables: [] }
        this.functions.set(String(b.FunctionName), {
          FunctionName: String(b.FunctionName),
          Runtime: String(b.Runtime),
          Handler: String(b.Handler),
          Timeout: Number(b.Timeout),
          MemorySize: Number(b.MemorySize),
          InstallDependency: b.InstallDependency === 'TRUE' ? 'TRUE' : 'FALSE',
          Environment: env,
          Triggers: [],
          Status: 'Active',
        })
        return {}
      }
      case 'UpdateFunctionCode':
        fn(b.FunctionName)
        return {}
      case 'UpdateFunctionConfiguration': {
        const f = fn(b.FunctionName)
        if (b.Timeout !== undefined) f.Timeout = Number(b.Timeout)
        if (b.MemorySize !== undefined) f.MemorySize = Number(b.MemorySize)
        if (b.InstallDependency !== undefined)
          f.InstallDependency = b.InstallDependency === 'TRUE' ? 'TRUE' : 'FALSE'
        if (b.Environment) f.Environment = b.Environment as Fn['Environment']
        return {}
      }
      case 'BatchCreateTrigger': {
        const f = fn(b.FunctionName)
        for (const t of JSON.parse(String(b.Triggers)) as {
          TriggerName: string
          Type: string
          TriggerDesc: string
        }[])
          f.Triggers.push({
            TriggerName: t.TriggerName,
            Type: t.Type,
            TriggerDesc: JSON.stringify({ cron: t.TriggerDesc }),
          })
        return {}
      }
      case 'DeleteTrigger': {
        const f = fn(b.FunctionName)
        f.Triggers = f.Triggers.filter((t) => t.TriggerName !== b.TriggerName)
        return {}
      }
      default:
        throw err('UnsupportedOperation', `the fake does not answer ${action}`)
    }
  }
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex')
const hmac = (key: string | Buffer, s: string) => createHmac('sha256', key).update(s).digest()
