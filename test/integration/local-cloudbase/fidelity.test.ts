import { ObjectId } from 'bson'
import type { LocalCloudBase } from '../../../local-cloudbase/server'
import { nodeSdk, startLocalCloudBase } from '../../helpers/local-cloudbase'

/**
 * Wire fidelity: the places where the platform's answers differ from a lenient emulator, each
 * driven through the official @cloudbase/node-sdk and written from the platform's (MongoDB's)
 * documented behaviour.
 */

let lcb: LocalCloudBase
let db: ReturnType<ReturnType<typeof nodeSdk>['database']>
type Tx = Awaited<ReturnType<typeof db.startTransaction>>

beforeAll(async () => {
  lcb = await startLocalCloudBase({
    definition: {
      collections: {
        ordered: { indexes: [{ name: 'k', fields: ['k'] }] },
        accounts: {},
        places: { indexes: [{ name: 'loc', fields: ['loc'], type: '2dsphere' }] },
        misc: {},
      },
    },
  })
  db = nodeSdk(lcb).database()
})
afterAll(() => lcb.stop())

const names = (res: { data: unknown[] }) => res.data.map((d) => (d as { name: string }).name)

describe('unsorted reads come back in insertion order', () => {
  // Ids chosen so that _id order, index-key order and insertion order all differ.
  const rows = [
    { _id: 'm', name: 'first', k: 3 },
    { _id: 'z', name: 'second', k: 1 },
    { _id: 'a', name: 'third', k: 2 },
    { _id: 'q', name: 'fourth', k: 1 },
  ]
  beforeAll(async () => {
    for (const r of rows) await db.collection('ordered').add(r)
  })

  it('get() without orderBy, by scan, by index and by _id list', async () => {
    const c = db.collection('ordered')
    const _ = db.command
    expect(names(await c.get())).toEqual(['first', 'second', 'third', 'fourth'])
    expect(names(await c.where({ k: _.gte(1) }).get())).toEqual(['first', 'second', 'third', 'fourth'])
    expect(names(await c.where({ k: 1 }).get())).toEqual(['second', 'fourth'])
    expect(names(await c.where({ _id: _.in(['q', 'a', 'm']) }).get())).toEqual(['first', 'third', 'fourth'])
  })

  it('aggregate() without $sort, and an update keeps a document in place', async () => {
    const c = db.collection('ordered')
    await c.doc('m').update({ touched: true })
    expect(names(await c.aggregate().end())).toEqual(['first', 'second', 'third', 'fourth'])
    expect(names(await c.aggregate().match({ k: 1 }).end())).toEqual(['second', 'fourth'])
  })
})

describe('transactions', () => {
  beforeEach(async () => {
    await db
      .collection('accounts')
      .where({ n: db.command.exists(true) })
      .remove()
    await db.collection('accounts').add({ _id: 'acc', n: 10 })
  })

  it('read a snapshot: a re-read inside the transaction does not see a write made outside it', async () => {
    const tx: Tx = await db.startTransaction()
    const first = (await tx.collection('accounts').doc('acc').get()).data as { n: number }
    await db.collection('accounts').doc('acc').update({ n: 99 })
    const again = (await tx.collection('accounts').doc('acc').get()).data as { n: number }
    expect([first.n, again.n]).toEqual([10, 10])
    const listed = await tx.collection('accounts').where({ n: 10 }).get()
    expect(listed.data).toHaveLength(1)
    // Writing the document changed since the snapshot is a write conflict.
    await expect(tx.collection('accounts').doc('acc').update({ n: 11 })).rejects.toMatchObject({
      code: 'DATABASE_TRANSACTION_CONFLICT',
    })
    expect(((await db.collection('accounts').doc('acc').get()).data[0] as { n: number }).n).toBe(99)
  })

  it('a write-write conflict fails at the second write, not at commit', async () => {
    const t1: Tx = await db.startTransaction()
    const t2: Tx = await db.startTransaction()
    await t1.collection('accounts').doc('acc').update({ n: 11 })
    await expect(t2.collection('accounts').doc('acc').update({ n: 12 })).rejects.toMatchObject({
      code: 'DATABASE_TRANSACTION_CONFLICT',
    })
    await t1.commit()
    expect(((await db.collection('accounts').doc('acc').get()).data[0] as { n: number }).n).toBe(11)
  })

  it('runTransaction retries a conflicting transaction to success', async () => {
    const bump = () =>
      db.runTransaction(async (tx: Tx) => {
        const doc = (await tx.collection('accounts').doc('acc').get()).data as { n: number }
        await new Promise((r) => setTimeout(r, 5))
        await tx
          .collection('accounts')
          .doc('acc')
          .update({ n: doc.n + 1 })
      })
    const results = await Promise.allSettled([bump(), bump()])
    const ok = results.filter((r) => r.status === 'fulfilled').length
    expect(ok).toBe(2)
    expect(((await db.collection('accounts').doc('acc').get()).data[0] as { n: number }).n).toBe(12)
  })

  it('a numeric custom _id stays a number: doc(number) finds it, in and out of a transaction', async () => {
    const c = db.collection('accounts')
    const added = (await c.add({ _id: 42, n: 1 })) as { id: unknown }
    expect(added.id).toBe(42)
    expect((await c.doc(42).get()).data).toEqual([{ _id: 42, n: 1 }])
    expect((await c.doc('42').get()).data).toEqual([])
    const tx: Tx = await db.startTransaction()
    expect((await tx.collection('accounts').doc(42).get()).data).toEqual({ _id: 42, n: 1 })
    await tx.collection('accounts').doc(42).update({ n: 2 })
    await tx.commit()
    expect((await c.doc(42).get()).data[0]).toEqual({ _id: 42, n: 2 })
    await c.doc(42).remove()
  })
})

describe('geo', () => {
  const Geo = () => db.Geo
  // 青山镇 area, Wuhan: a few hundred metres apart.
  const here = () => new (Geo().Point)(114.3, 30.6)
  beforeAll(async () => {
    const P = Geo().Point
    await db.collection('places').add([
      { name: 'far', loc: new P(114.33, 30.6) }, // ≈ 2.9 km east
      { name: 'near', loc: new P(114.301, 30.6) }, // ≈ 96 m
      { name: 'mid', loc: new P(114.31, 30.6) }, // ≈ 958 m
    ])
  })

  it('geoNear ($nearSphere) sorts nearest first and honours max/min distance in metres', async () => {
    const _ = db.command
    const c = db.collection('places')
    expect(names(await c.where({ loc: _.geoNear({ geometry: here() }) }).get())).toEqual([
      'near',
      'mid',
      'far',
    ])
    expect(names(await c.where({ loc: _.geoNear({ geometry: here(), maxDistance: 1000 }) }).get())).toEqual([
      'near',
      'mid',
    ])
    expect(
      names(
        await c.where({ loc: _.geoNear({ geometry: here(), minDistance: 500, maxDistance: 5000 }) }).get(),
      ),
    ).toEqual(['mid', 'far'])
    const got = (await c.where({ name: 'near' }).get()).data[0] as { loc: unknown }
    expect(got.loc).toBeInstanceOf(Geo().Point)
  })

  it('geoNear needs a geo index on the field, as on the platform', async () => {
    const _ = db.command
    await db.collection('misc').add({ name: 'x', loc: here() })
    await expect(
      db
        .collection('misc')
        .where({ loc: _.geoNear({ geometry: here() }) })
        .get(),
    ).rejects.toMatchObject({
      code: 'DATABASE_INVALID_OPERRATOR',
    })
  })

  it('geoWithin a polygon, a multipolygon and a centerSphere', async () => {
    const _ = db.command
    const { Point, LineString, Polygon, MultiPolygon } = Geo() as unknown as Record<
      'Point' | 'LineString' | 'Polygon' | 'MultiPolygon',
      new (...args: unknown[]) => unknown
    >
    const ring = (x0: number, x1: number) =>
      new Polygon([
        new LineString([
          new Point(x0, 30.59),
          new Point(x1, 30.59),
          new Point(x1, 30.61),
          new Point(x0, 30.61),
          new Point(x0, 30.59),
        ]),
      ])
    const c = db.collection('places')
    expect(names(await c.where({ loc: _.geoWithin({ geometry: ring(114.299, 114.305) }) }).get())).toEqual([
      'near',
    ])
    const multi = new MultiPolygon([ring(114.299, 114.305), ring(114.325, 114.335)])
    expect(names(await c.where({ loc: _.geoWithin({ geometry: multi }) }).get())).toEqual(['far', 'near'])
    // 1.5 km in radians of MongoDB's earth radius.
    const within = await c.where({ loc: _.geoWithin({ centerSphere: [here(), 1500 / 6378100] }) }).get()
    expect(names(within)).toEqual(['near', 'mid'])
  })

  it('the $geoNear aggregate stage adds the distance and sorts by it', async () => {
    const res = await db
      .collection('places')
      .aggregate()
      .geoNear({
        near: here(),
        spherical: true,
        distanceField: 'metres',
        maxDistance: 2000,
        query: { name: db.command.neq('mid') },
      })
      .end()
    expect(
      res.data.map((d: { name: string; metres: number }) => [d.name, Math.round(d.metres / 10) * 10]),
    ).toEqual([['near', 100]])
  })
})

describe('query and update semantics', () => {
  it('$elemMatch with field conditions never matches an array of plain values', async () => {
    const c = db.collection('misc')
    await c.add([
      { name: 'plain', tags: ['x', 3] },
      { name: 'docs', tags: [{ a: 2 }, { a: 1 }] },
    ])
    const _ = db.command
    expect(names(await c.where({ tags: _.elemMatch({ a: _.neq(1) }) }).get())).toEqual(['docs'])
    expect(names(await c.where({ tags: _.elemMatch({ a: _.nin([5]) }) }).get())).toEqual(['docs'])
    expect(names(await c.where({ tags: _.elemMatch(_.gt(2)) }).get())).toEqual(['plain'])
  })

  it('updated counts the matched documents, even when nothing changes', async () => {
    const c = db.collection('misc')
    await c.add({ _id: 'same', name: 'same', v: 1 })
    expect((await c.doc('same').update({ v: 1 })).updated).toBe(1)
    expect((await c.where({ name: 'same' }).update({ v: 1 })).updated).toBe(1)
    expect((await c.where({ name: 'nobody' }).update({ v: 1 })).updated).toBe(0)
  })

  it('a field name starting with $ is refused; unknown query operators answer DATABASE_INVALID_OPERRATOR', async () => {
    const post = async (body: object) =>
      (await (
        await fetch(lcb.tcbApiUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      ).json()) as { code?: string }
    expect(
      await post({ action: 'database.insertDocument', collectionName: 'misc', data: ['{"$bad":1}'] }),
    ).toMatchObject({ code: 'DATABASE_REQUEST_FAILED' })
    expect(
      await post({ action: 'database.insertDocument', collectionName: 'misc', data: ['{"a":{"$bad":1}}'] }),
    ).toMatchObject({ code: 'DATABASE_REQUEST_FAILED' })
    expect(
      await post({ action: 'database.getDocument', collectionName: 'misc', query: '{"a":{"$frob":1}}' }),
    ).toMatchObject({ code: 'DATABASE_INVALID_OPERRATOR' })
    await expect(
      db
        .collection('misc')
        .where({ $bad: 1 } as never)
        .count(),
    ).rejects.toMatchObject({
      code: 'DATABASE_INVALID_OPERRATOR',
    })
  })
})

describe('ObjectId', () => {
  it('an ObjectId _id is stored and found; ObjectId fields survive updates and go back as {"$oid"}', async () => {
    const c = db.collection('misc')
    const hex = '64b7f0c2a1b2c3d4e5f60718'
    const refHex = '64b7f0c2a1b2c3d4e5f60719'
    const ref = db.ObjectId({ id: refHex })
    const added = (await c.add({ _id: db.ObjectId({ id: hex }), name: 'oid', ref })) as { id: unknown }
    expect(String(added.id)).toBe(hex)
    // doc() takes strings and numbers only (the SDK checks); an ObjectId id is found by where().
    const byId = () => c.where({ _id: db.ObjectId({ id: hex }) })
    expect((await byId().get()).data).toHaveLength(1)
    expect((await byId().update({ seen: true })).updated).toBe(1)
    expect((await c.where({ ref }).count()).total).toBe(1)
    // On the wire an ObjectId is canonical EJSON, as a MongoDB-backed server writes it. (The
    // SDK's Util.formatField then copies the decoded ObjectId's own keys, of which bson 4 has
    // none, so `get()` hands the caller `{}` — the SDK does that to any ObjectId.)
    const raw = (await (
      await fetch(lcb.tcbApiUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          action: 'database.getDocument',
          collectionName: 'misc',
          query: '{"name":"oid"}',
        }),
      })
    ).json()) as { data: { list: string[] } }
    const wire = JSON.parse(raw.data.list[0]!) as Record<string, unknown>
    expect(wire).toMatchObject({ _id: { $oid: hex }, ref: { $oid: refHex }, seen: true })
    expect(lcb.store.get('misc', new ObjectId(hex))?.doc.ref).toBeInstanceOf(ObjectId)
  })
})

describe('aggregation operators', () => {
  const project = async (expr: object) => {
    const c = db.collection('misc')
    const res = await c.aggregate().match({ name: 'ops' }).project({ _id: 0, v: expr }).end()
    return (res.data[0] as { v: unknown }).v
  }
  beforeAll(async () => {
    await db.collection('misc').add({
      name: 'ops',
      s: 'hello world',
      zh: '为民服务代理',
      // Tuesday 2026-01-06: the year's first Sunday is 01-04, so MongoDB's $week is 1 (ISO week 2).
      at: new Date('2026-01-06T04:00:00Z'),
      jan1: new Date('2026-01-01T04:00:00Z'),
    })
  })

  it('$substr and $substrBytes with a negative length return the rest of the string', async () => {
    expect(await project({ $substr: ['$s', 6, -1] })).toBe('world')
    expect(await project({ $substrBytes: ['$s', 0, -1] })).toBe('hello world')
  })

  it('$indexOfCP counts code points', async () => {
    expect(await project({ $indexOfCP: ['$zh', '服务'] })).toBe(2)
    expect(await project({ $indexOfCP: ['$zh', '没有'] })).toBe(-1)
  })

  it('$week is Sunday-based (0–53), unlike $isoWeek', async () => {
    expect(await project({ $week: '$at' })).toBe(1)
    expect(await project({ $week: '$jan1' })).toBe(0)
    expect(await project({ $isoWeek: '$at' })).toBe(2)
  })

  it('$jsonSchema filters documents', async () => {
    const c = db.collection('misc')
    const schema = {
      bsonType: 'object',
      required: ['s', 'at'],
      properties: { s: { bsonType: 'string', minLength: 5 }, at: { bsonType: 'date' } },
    }
    const res = await c.aggregate().match({ $jsonSchema: schema }).project({ _id: 0, name: 1 }).end()
    expect(res.data).toEqual([{ name: 'ops' }])
  })
})
