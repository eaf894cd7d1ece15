import type { LocalCloudBase } from '../../../local-cloudbase/server'
import { nodeSdk, startLocalCloudBase } from '../../helpers/local-cloudbase'

let lcb: LocalCloudBase
let app: ReturnType<typeof nodeSdk>
let db: ReturnType<ReturnType<typeof nodeSdk>['database']>

beforeAll(async () => {
  lcb = await startLocalCloudBase({
    definition: {
      collections: {
        people: { indexes: [{ name: 'town_age', fields: ['town', 'age'] }] },
        codes: { indexes: [{ name: 'code_unique', fields: ['code'], unique: true }] },
        many: { indexes: [{ name: 'k', fields: ['k'] }] },
        dated: { indexes: [{ name: 'status_at', fields: ['status', 'at'] }] },
      },
    },
  })
  app = nodeSdk(lcb)
  db = app.database()
})
afterAll(() => lcb.stop())

describe('documents through @cloudbase/node-sdk', () => {
  it('adds, gets by id and by query with order, skip, limit and projection', async () => {
    const people = db.collection('people')
    const born = new Date('1950-03-01T00:00:00Z')
    const { id } = (await people.add({
      name: '张大爷',
      town: '青山镇',
      age: 76,
      born,
      tags: ['低保', '独居'],
    })) as { id: string }
    await people.add([
      { name: '李奶奶', town: '青山镇', age: 81, tags: ['高龄'] },
      { name: '王叔', town: '青山镇', age: 58, tags: [] },
      { name: '赵姐', town: '白水乡', age: 45, tags: ['低保'] },
    ])
    const byId = await people.doc(id).get()
    expect(byId.data[0]).toMatchObject({ _id: id, name: '张大爷', age: 76, tags: ['低保', '独居'] })
    expect(byId.data[0].born).toEqual(born)

    const _ = db.command
    const page = await people
      .where({ town: '青山镇', age: _.gte(50) })
      .orderBy('age', 'desc')
      .skip(1)
      .limit(1)
      .field({ name: true, _id: false })
      .get()
    expect(page.data).toEqual([{ name: '张大爷' }])

    const byRegExp = await people.where({ name: db.RegExp({ regexp: '^张', options: 'i' }) }).get()
    expect(byRegExp.data.map((p: { name: string }) => p.name)).toEqual(['张大爷'])
    const tagged = await people.where({ tags: '低保' }).orderBy('name', 'asc').get()
    expect(tagged.data.map((p: { name: string }) => p.name).sort()).toEqual(['张大爷', '赵姐'].sort())
    expect((await people.where({ town: '青山镇' }).count()).total).toBe(3)
    expect((await people.where(_.or([{ age: _.lt(50) }, { age: _.gt(80) }])).count()).total).toBe(2)
  })

  it('updates with operators, replaces with set (upsert), updates many and removes', async () => {
    const c = db.collection('people')
    const _ = db.command
    const { id } = (await c.add({ name: '测试', town: '红岩村', age: 30, tags: ['a'] })) as { id: string }
    const upd = await c
      .doc(id)
      .update({ age: _.inc(2), tags: _.push('b'), note: '已核实', at: db.serverDate() })
    expect(upd.updated).toBe(1)
    const got = (await c.doc(id).get()).data[0]
    expect(got).toMatchObject({ age: 32, tags: ['a', 'b'], note: '已核实' })
    expect(got.at).toBeInstanceOf(Date)
    expect(Math.abs(got.at.getTime() - lcb.clock.now())).toBeLessThan(5000)

    const set = await c.doc('fixed-id').set({ name: '新建', town: '红岩村', age: 1 })
    expect(set.upsertedId).toBe('fixed-id')
    const replaced = await c.doc('fixed-id').set({ name: '替换', town: '红岩村' })
    expect(replaced.updated).toBe(1)
    expect((await c.doc('fixed-id').get()).data[0]).toEqual({ _id: 'fixed-id', name: '替换', town: '红岩村' })

    const many = await c.where({ town: '红岩村' }).update({ checked: true })
    expect(many.updated).toBe(2)
    const ret = await c.where({ _id: id }).updateAndReturn({ age: _.inc(1) })
    expect(ret.doc).toMatchObject({ _id: id, age: 33, checked: true })
    const removed = await c.where({ town: '红岩村' }).remove()
    expect(removed.deleted).toBe(2)
    expect((await c.where({ town: '红岩村' }).count()).total).toBe(0)
  })

  it('aggregates with group, sort and the default limit of 20', async () => {
    const many = db.collection('many')
    await many.add(Array.from({ length: 45 }, (_, i) => ({ k: i % 3, i })))
    const $ = db.command.aggregate
    const grouped = await many
      .aggregate()
      .group({ _id: '$k', n: $.sum(1) })
      .sort({ _id: 1 })
      .end()
    expect(grouped.data).toEqual([
      { _id: 0, n: 15 },
      { _id: 1, n: 15 },
      { _id: 2, n: 15 },
    ])
    const unlimited = await many.aggregate().match({ k: 0 }).end()
    expect(unlimited.data).toHaveLength(15)
    const all = await many.aggregate().project({ i: 1 }).end()
    expect(all.data).toHaveLength(20)
    const limited = await many.aggregate().limit(40).end()
    expect(limited.data).toHaveLength(40)
  })

  it('returns 100 documents unless limited and at most 1000', async () => {
    const many = db.collection('many')
    await many.add(Array.from({ length: 1100 - 45 }, (_, i) => ({ k: 9, i })))
    expect((await many.get()).data).toHaveLength(100)
    expect((await many.limit(1000).get()).data).toHaveLength(1000)
    expect((await many.count()).total).toBe(1100)
  })

  it('creates collections and reports missing ones with the platform code', async () => {
    await db.createCollection('fresh')
    await expect(db.createCollection('fresh')).rejects.toMatchObject({
      code: 'DATABASE_COLLECTION_ALREADY_EXIST',
    })
    await expect(db.collection('nope').get()).rejects.toMatchObject({ code: 'DATABASE_COLLECTION_NOT_EXIST' })
  })

  it('rejects a duplicate key on a unique index and writes nothing of the batch', async () => {
    const codes = db.collection('codes')
    await codes.add({ code: 'MZ-001' })
    await expect(codes.add([{ code: 'MZ-002' }, { code: 'MZ-001' }])).rejects.toMatchObject({
      code: 'DATABASE_REQUEST_FAILED',
      message: expect.stringContaining('E11000 duplicate key'),
    })
    expect((await codes.where({ code: 'MZ-002' }).count()).total).toBe(0)
  })

  it('serves indexed equality and range queries without scanning the collection', async () => {
    const people = db.collection('people')
    await people.add(
      Array.from({ length: 500 }, (_, i) => ({ name: `p${i}`, town: `镇${i % 50}`, age: i % 90 })),
    )
    const before = { ...lcb.store.stats }
    const _ = db.command
    const res = await people.where({ town: '镇7', age: _.gte(40).and(_.lt(80)) }).get()
    expect(res.data.length).toBeGreaterThan(0)
    expect(
      res.data.every((p: { town: string; age: number }) => p.town === '镇7' && p.age >= 40 && p.age < 80),
    ).toBe(true)
    expect(lcb.store.stats.fullScans).toBe(before.fullScans)
    expect(lcb.store.stats.docsExamined - before.docsExamined).toBeLessThanOrEqual(10)
    expect(lcb.store.explain('people', { town: '镇7' })).toBe('index:town_age')
    expect(lcb.store.explain('people', { name: 'p1' })).toBe('scan')
  })
})

describe('bad input', () => {
  const post = (body: string, ctype = 'application/json') =>
    fetch(lcb.tcbApiUrl, { method: 'POST', headers: { 'content-type': ctype }, body }).then(async (r) => ({
      status: r.status,
      body: (await r.json()) as { code?: string; message?: string },
    }))

  it('answers malformed bodies, unknown actions, invalid EJSON and bad operators in the platform shape', async () => {
    expect(await post('{not json')).toMatchObject({ status: 200, body: { code: 'INVALID_PARAM' } })
    expect(await post('{"action":"database.frobnicate","collectionName":"people"}')).toMatchObject({
      body: { code: 'INVALID_PARAM', message: expect.stringContaining('unsupported action') },
    })
    expect(
      await post(
        JSON.stringify({ action: 'database.getDocument', collectionName: 'people', query: '{"a":{"$date":' }),
      ),
    ).toMatchObject({ body: { code: 'INVALID_PARAM', message: expect.stringContaining('invalid EJSON') } })
    expect(
      await post(
        JSON.stringify({
          action: 'database.modifyDocument',
          collectionName: 'people',
          query: '{}',
          data: '{"$frob":{"a":1}}',
          multi: true,
        }),
      ),
    ).toMatchObject({ body: { code: 'DATABASE_INVALID_OPERRATOR' } })
    // Still serving, and nothing was half-written.
    expect((await db.collection('people').where({ a: 1 }).count()).total).toBe(0)
  })
})

describe('transactions', () => {
  it('runTransaction retries on conflict so no concurrent increment is lost', async () => {
    await db.collection('codes').add({ _id: 'counter', code: 'counter', n: 0 })
    const bump = () =>
      db.runTransaction(async (tx: Awaited<ReturnType<typeof db.startTransaction>>) => {
        const doc = (await tx.collection('codes').doc('counter').get()).data as { n: number }
        await new Promise((r) => setTimeout(r, 5))
        await tx
          .collection('codes')
          .doc('counter')
          .update({ n: doc.n + 1 })
      })
    const results = await Promise.allSettled(Array.from({ length: 4 }, bump))
    const ok = results.filter((r) => r.status === 'fulfilled').length
    const final = (await db.collection('codes').doc('counter').get()).data[0] as { n: number }
    // Every committed transaction counted exactly once; losers exhausted their retries loudly.
    expect(final.n).toBe(ok)
    expect(ok).toBeGreaterThanOrEqual(1)
    for (const r of results)
      if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'DATABASE_TRANSACTION_CONFLICT' })
  })

  it('startTransaction then commit applies all writes; rollback applies none', async () => {
    const tx = await db.startTransaction()
    await tx.collection('codes').add({ _id: 'tx-a', code: 'tx-a' })
    await tx.collection('codes').doc('counter').update({ touched: true })
    expect((await db.collection('codes').where({ _id: 'tx-a' }).count()).total).toBe(0)
    await tx.commit()
    expect((await db.collection('codes').doc('tx-a').get()).data).toHaveLength(1)

    const tx2 = await db.startTransaction()
    await tx2.collection('codes').add({ _id: 'tx-b', code: 'tx-b' })
    await tx2.rollback()
    expect((await db.collection('codes').where({ _id: 'tx-b' }).count()).total).toBe(0)
  })
})

describe('index keys after updates', () => {
  it('a document updated with an operator keeps its date index key (found by an index range)', async () => {
    const dated = db.collection('dated')
    const _ = db.command
    await dated.add({ _id: 'd1', status: 'open', at: new Date('2026-12-08T02:00:00Z'), log: [] })
    const q = () => dated.where({ status: 'open', at: _.gte(new Date('2026-12-08T00:00:00Z')) }).get()
    expect((await q()).data).toHaveLength(1)
    await dated.doc('d1').update({ log: _.push('seen') })
    expect(lcb.store.explain('dated', { status: 'open', at: { $gte: new Date(0) } })).toBe('index:status_at')
    expect((await q()).data).toHaveLength(1)
  })
})
