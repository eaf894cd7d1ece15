/**
 * The cloud applier through the unmodified management SDK, against a local server standing in
 * for Tencent Cloud's API (test/helpers/tencent-cloud.ts): the signed requests it makes are
 * recorded and compared with the plan, one for one; a second plan has nothing to do; drift,
 * a unique index the data violates, and wrong keys or env id give clear messages.
 */
import { loadInputs } from '../../../scripts/deploy'
import { CloudEnvironment } from '../../../scripts/deploy/cloud'
import { CODE_HASH_VAR, EMPTY_OBSERVED, plan } from '../../../scripts/deploy/plan'
import type { Desired, Op } from '../../../scripts/deploy/types'
import { FakeTencentCloud } from '../../helpers/tencent-cloud'
import { ROOT } from '../../helpers/local-cloudbase'

const ENV = 'weimin-test-1a2b3c'
const KEYS = { secretId: 'AKIDdeploytest', secretKey: 'deploy-test-secret' }
let fake: FakeTencentCloud
let desired: Desired

async function observeAndPlan(env: CloudEnvironment, d = desired, prune = false) {
  const seen = await env.observe(
    d.functions.map((f) => f.name),
    d.collections,
  )
  return plan(d, { ...EMPTY_OBSERVED, ...seen }, { prune })
}

/** The management request each operation must make (the SDK's own reads excluded). */
function expected(op: Op): { action: string; body: Record<string, unknown> }[] {
  switch (op.kind) {
    case 'collection.create':
      return [{ action: 'CreateTable', body: { EnvId: ENV, TableName: op.collection } }]
    case 'index.create':
      return [
        {
          action: 'UpdateTable',
          body: {
            TableName: op.collection,
            CreateIndexes: [
              {
                IndexName: op.index.name,
                MgoKeySchema: {
                  MgoIsUnique: !!op.index.unique,
                  MgoIndexKeys: op.index.fields.map((Name) => ({ Name, Direction: '1' })),
                  ...(op.index.sparse ? { MgoIsSparse: true } : {}),
                },
              },
            ],
          },
        },
      ]
    case 'rules.set':
      return [
        {
          action: 'ModifySafeRule',
          body: {
            CollectionName: op.collection,
            EnvId: ENV,
            AclTag: 'CUSTOM',
            Rule: JSON.stringify(op.rules),
          },
        },
      ]
    case 'storageRule.set':
      return [
        {
          action: 'ModifyStorageSafeRule',
          body: { EnvId: ENV, AclTag: 'CUSTOM', Rule: JSON.stringify(op.rules) },
        },
      ]
    case 'function.create':
      return [
        {
          action: 'CreateFunction',
          body: {
            FunctionName: op.fn.name,
            Runtime: op.fn.runtime,
            Handler: 'index.main',
            Timeout: op.fn.timeout,
            MemorySize: op.fn.memorySize,
            InstallDependency: 'TRUE',
            Environment: { Variables: [{ Key: CODE_HASH_VAR, Value: op.fn.codeHash }] },
          },
        },
      ]
    case 'trigger.create':
      return [
        {
          action: 'BatchCreateTrigger',
          body: {
            FunctionName: op.function,
            Triggers: JSON.stringify([
              { TriggerName: op.trigger.name, Type: 'timer', TriggerDesc: op.trigger.config },
            ]),
          },
        },
      ]
    case 'function.updateCode':
      return [{ action: 'UpdateFunctionCode', body: { FunctionName: op.fn.name } }]
    case 'function.updateConfig':
      return [
        { action: 'UpdateFunctionConfiguration', body: { FunctionName: op.fn.name, Timeout: op.fn.timeout } },
      ]
    default:
      throw new Error(`not expected in this test: ${op.kind}`)
  }
}

beforeAll(async () => {
  fake = await new FakeTencentCloud(ENV, KEYS.secretId, KEYS.secretKey).start()
  desired = await loadInputs({ root: ROOT })
})
afterAll(() => fake?.stop())

describe('cloud deploy through @cloudbase/manager-node', () => {
  const env = () => new CloudEnvironment({ envId: ENV, ...KEYS, root: ROOT })

  it('makes exactly the requests the plan lists, signed, and a second plan is empty', async () => {
    const p = await observeAndPlan(env())
    expect(p.errors).toEqual([])
    const from = fake.requests.length
    const e = env()
    for (const op of p.ops) await e.apply(op)
    const writes = fake.actions(from, true)
    expect(writes.map((w) => w.action)).toEqual(p.ops.flatMap(expected).map((x) => x.action))
    p.ops.flatMap(expected).forEach((x, i) => expect(writes[i]!.body).toMatchObject(x.body))
    // The code itself: a zip (base64) holding the bundle, not the TypeScript sources.
    const code = Buffer.from(
      String((writes.find((w) => w.action === 'CreateFunction')!.body.Code as { ZipFile: string }).ZipFile),
      'base64',
    )
    expect(code.subarray(0, 2).toString()).toBe('PK')
    expect(code.includes(Buffer.from('index.js'))).toBe(true)
    expect(code.includes(Buffer.from('index.ts'))).toBe(false)
    console.log(
      `cloud deploy: ${p.ops.length} operations → ${writes.length} management requests (${fake.actions(from).length} with reads)`,
    )
    const again = await observeAndPlan(env())
    expect(again.ops).toEqual([])
    expect(again.drift).toEqual([])
  }, 120_000)

  it('updates code and configuration when the bundle changes', async () => {
    const changed: Desired = {
      ...desired,
      functions: desired.functions.map((f) =>
        f.name === 'api' ? { ...f, codeHash: '0123456789abcdef' } : f,
      ),
    }
    const p = await observeAndPlan(env(), changed)
    expect(p.ops.map((o) => o.kind)).toEqual(['function.updateCode', 'function.updateConfig'])
    const from = fake.requests.length
    for (const op of p.ops) await env().apply(op)
    expect(fake.actions(from, true).map((w) => w.action)).toEqual([
      'UpdateFunctionCode',
      'UpdateFunctionConfiguration',
    ])
    expect(fake.functions.get('api')!.Environment.Variables).toEqual([
      { Key: CODE_HASH_VAR, Value: '0123456789abcdef' },
    ])
    // Back to the real bundle for the next tests.
    for (const op of (await observeAndPlan(env())).ops) await env().apply(op)
  }, 60_000)

  it('reports a changed index and an unknown collection as drift, refused without --prune', async () => {
    const idx = fake.tables.get('bookings')!.find((i) => i.Name === 'active_unique')!
    idx.Sparse = false
    fake.tables.set('old_stuff', [])
    const p = await observeAndPlan(env())
    expect(p.drift.map((d) => d.what)).toEqual(
      expect.arrayContaining(['索引 bookings.active_unique', '集合 old_stuff']),
    )
    expect(p.refused).toHaveLength(2)
    const pruned = await observeAndPlan(env(), desired, true)
    expect(pruned.ops.map((o) => o.kind)).toEqual(['index.drop', 'index.create', 'collection.delete'])
    idx.Sparse = true
    fake.tables.delete('old_stuff')
  }, 60_000)

  it('stops at a unique index that cannot be created, naming it', async () => {
    fake.tables.get('items')!.splice(
      fake.tables.get('items')!.findIndex((i) => i.Name === 'code_unique'),
      1,
    )
    fake.duplicateOn.add('code_unique')
    const p = await observeAndPlan(env())
    expect(p.ops).toHaveLength(1)
    await expect(env().apply(p.ops[0]!)).rejects.toThrow(
      /无法创建唯一索引 items\.code_unique\(code, 唯一\).*重复/,
    )
    fake.duplicateOn.clear()
    // The next run plans only what is left.
    const next = await observeAndPlan(env())
    expect(next.ops.map((o) => o.kind)).toEqual(['index.create'])
  }, 60_000)

  it('names the key or the env id to fix when they are wrong', async () => {
    const wrongKey = new CloudEnvironment({
      envId: ENV,
      secretId: KEYS.secretId,
      secretKey: 'nope',
      root: ROOT,
    })
    await expect(wrongKey.observe(['api'], [])).rejects.toThrow(
      /TENCENTCLOUD_SECRETID \/ TENCENTCLOUD_SECRETKEY/,
    )
    const wrongId = new CloudEnvironment({ envId: 'weimin-other', ...KEYS, root: ROOT })
    await expect(wrongId.observe(['api'], [])).rejects.toThrow(/ENV_ID/)
  })
})
