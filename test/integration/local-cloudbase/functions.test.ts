import * as path from 'node:path'
import type { LocalCloudBase } from '../../../local-cloudbase/server'
import { ROOT, callGateway, nodeSdk, startLocalCloudBase } from '../../helpers/local-cloudbase'

const PROBE = path.join(ROOT, 'test/fixtures/functions/probe')
let lcb: LocalCloudBase

beforeAll(async () => {
  lcb = await startLocalCloudBase({
    functions: [PROBE],
    definition: { collections: { probe: {} } },
  })
  lcb.clock.set(Date.parse('2026-11-30T08:00:00+08:00'))
})
afterAll(() => lcb.stop())

describe('function host and gateway', () => {
  it('gives each concurrent invocation its own caller identity', async () => {
    const openids = Array.from({ length: 6 }, (_, i) => `o-user-${i}`)
    const results = await Promise.all(
      openids.map((o) =>
        callGateway<{ openid: string; source: string; env: string }>(
          lcb,
          'probe',
          { op: 'whoami', delayMs: 50 },
          o,
        ),
      ),
    )
    expect(results.map((r) => r.body.openid)).toEqual(openids)
    expect(results[0]!.body).toMatchObject({ source: 'wx_client', env: 'local' })
  })

  it('shows functions the Local CloudBase clock', async () => {
    const r = await callGateway<{ now: string }>(lcb, 'probe', { op: 'whoami' }, 'o-1')
    expect(Math.abs(Date.parse(r.body.now) - lcb.clock.now())).toBeLessThan(2000)
    expect(r.body.now.startsWith('2026-11-30T00:0')).toBe(true)
  })

  it('reuses warm instances and records cold starts, durations and console output', async () => {
    await callGateway(lcb, 'probe', { op: 'log' }, 'o-log')
    const rec = lcb.host.records.at(-1)!
    expect(rec).toMatchObject({ function: 'probe', ok: true, cold: false })
    expect(rec.logs.map((l) => `${l.level} ${l.text}`)).toEqual([
      'log hello from o-log',
      'error an error line',
    ])
    expect(lcb.host.records.some((r) => r.cold)).toBe(true)
    expect(rec.durationMs).toBeGreaterThan(0)
  })

  it('runs the real SDK database inside a function with serverDate on the moved clock', async () => {
    const r = await callGateway<{ n: number; atIsDate: boolean; at: string }>(
      lcb,
      'probe',
      { op: 'db' },
      'o-db',
    )
    expect(r.body).toMatchObject({ n: 2, atIsDate: true })
    expect(r.body.at.startsWith('2026-11-30T00:0')).toBe(true)
    expect(r.dbCalls).toBe(3)
  })

  it('calls a function from a function, keeping the end user', async () => {
    const r = await callGateway<{ openid: string; source: string }>(lcb, 'probe', { op: 'call' }, 'o-caller')
    expect(r.body).toMatchObject({ openid: 'o-caller', source: 'wx_client,scf' })
  })

  it('fails a thrown error and a timeout without taking the host down', async () => {
    const thrown = await callGateway<{ errMsg: string }>(lcb, 'probe', { op: 'throw' }, 'o-1')
    expect(thrown.status).toBe(502)
    expect(thrown.body.errMsg).toContain('boom')
    const slow = await callGateway<{ errMsg: string }>(lcb, 'probe', { op: 'sleep', ms: 8000 }, 'o-1')
    expect(slow.body.errMsg).toContain('timed out after 4 seconds')
    expect((await callGateway(lcb, 'probe', { op: 'whoami' }, 'o-after')).body).toMatchObject({
      openid: 'o-after',
    })
  })

  it('uploads, links, downloads and deletes files in cloud storage', async () => {
    const r = await callGateway<{ fileID: string; url: string; text: string; deleted: number }>(
      lcb,
      'probe',
      { op: 'storage', name: '户口本.txt', text: '材料照片' },
      'o-1',
    )
    expect(r.body).toMatchObject({ text: '材料照片', deleted: 0 })
    expect(r.body.fileID).toMatch(/^cloud:\/\/local\..+\/probe\/户口本\.txt$/)
    // Deleted: the temporary URL no longer serves it.
    expect((await fetch(encodeURI(r.body.url))).status).toBe(404)
  })

  it('answers and records the open APIs, and injected failures surface as WeChat errors', async () => {
    await grant('o-api', ['TPL-CASE-ACCEPTED'], true)
    const r = await callGateway<{
      send: { errCode: number }
      check: { result: { suggest: string } }
      qr: { contentType: string; isBuffer: boolean; png: string }
      phone: { phoneInfo: { purePhoneNumber: string } }
    }>(lcb, 'probe', { op: 'openapi', text: '帮我办低保' }, 'o-api')
    expect(r.body.send.errCode).toBe(0)
    expect(r.body.check.result.suggest).toBe('pass')
    expect(r.body.qr).toEqual({ contentType: 'image/png', isBuffer: true, png: 'PNG' })
    expect(r.body.phone.phoneInfo.purePhoneNumber).toBe('13800138000')
    const sent = lcb.openApiCalls('subscribeMessage.send')[0]!
    expect(sent).toMatchObject({
      openid: 'o-api',
      params: { touser: 'o-api', template_id: 'TPL-CASE-ACCEPTED' },
    })

    await fetch(`${lcb.gatewayUrl}/openapi/faults`, {
      method: 'POST',
      body: JSON.stringify({
        api: 'subscribeMessage.send',
        errcode: 43101,
        errmsg: 'user refuse to accept the msg',
      }),
    })
    const risky = await callGateway<{
      send: { errCode: number; errMsg: string }
      check: { result: { suggest: string } }
    }>(lcb, 'probe', { op: 'openapi', text: '赌博' }, 'o-api')
    expect(risky.body.send).toMatchObject({ errCode: 43101 })
    expect(risky.body.check.result.suggest).toBe('risky')
  })
})

const grant = (openid: string, accepted: string[], longTerm = false) =>
  fetch(`${lcb.gatewayUrl}/subscriptions`, {
    method: 'POST',
    headers: { 'x-wx-openid': openid },
    body: JSON.stringify({ accepted, longTerm }),
  }).then(
    (r) => r.json() as Promise<{ grants: { templateId: string; oneTime: number; longTerm: boolean }[] }>,
  )

describe('subscribe-message grants, as WeChat keeps them', () => {
  const send = async (openid: string) =>
    (await callGateway<{ send: { errCode: number } }>(lcb, 'probe', { op: 'send' }, openid)).body.send.errCode

  it('refuses a send without a grant with 43101, uses a one-time grant up, keeps a long-term one', async () => {
    expect(await send('o-none')).toBe(43101)
    await grant('o-once', ['TPL-CASE-ACCEPTED'])
    await grant('o-once', ['TPL-CASE-ACCEPTED'])
    await grant('o-once', ['TPL-OTHER'])
    expect(await send('o-once')).toBe(0)
    expect(await send('o-once')).toBe(0)
    // Two one-time grants of this template, two messages; the other template's grant does not count.
    expect(await send('o-once')).toBe(43101)
    const left = await grant('o-always', ['TPL-CASE-ACCEPTED'], true)
    expect(left.grants).toEqual([
      { openid: 'o-always', templateId: 'TPL-CASE-ACCEPTED', oneTime: 0, longTerm: true },
    ])
    expect([await send('o-always'), await send('o-always')]).toEqual([0, 0])
    expect(lcb.subscriptions('o-once')).toEqual([
      { openid: 'o-once', templateId: 'TPL-CASE-ACCEPTED', oneTime: 0, longTerm: false },
      { openid: 'o-once', templateId: 'TPL-OTHER', oneTime: 1, longTerm: false },
    ])
  })
})

describe('storage and function calls answer as the platform does', () => {
  it('getFileAuthority, deleteFile above 50 ids, and a missing function', async () => {
    type Out = {
      fileID: string
      read: boolean[]
      many: { errCode?: number; errMsg?: string; ok?: unknown }
      missing: { errCode?: number; errMsg?: string }
    }
    const owner = await callGateway<Out>(lcb, 'probe', { op: 'authority', other: 'cloud://none' }, 'o-owner')
    const other = await callGateway<Out>(
      lcb,
      'probe',
      { op: 'authority', other: owner.body.fileID },
      'o-other',
    )
    // Own file: read and write; someone else's: read only; a missing file: nothing.
    expect(other.body.read).toEqual([true, true, true, false, false])
    expect(other.body.many).toMatchObject({ errMsg: expect.stringContaining('at most 50') })
    expect(other.body.missing).toMatchObject({ errMsg: expect.stringContaining('could not be found') })
    // The platform's code for it (https://docs.cloudbase.net/error-code/FUNCTION_NOT_FOUND).
    await expect(nodeSdk(lcb).callFunction({ name: 'no-such-function', data: {} })).rejects.toMatchObject({
      code: 'FUNCTION_NOT_FOUND',
    })
  })
})

describe('timers and the clock', () => {
  const timerDocs = async () =>
    (await nodeSdk(lcb).database().collection('probe').where({ timer: 'morning' }).get()).data as {
      at: Date
      eventTime: string
    }[]

  it('fires the 09:00 timer once when the clock passes it, seeing the moved time', async () => {
    expect(lcb.scheduler.list()[0]).toMatchObject({
      function: 'probe',
      trigger: 'morning',
      next: Date.parse('2026-11-30T09:00:00+08:00'),
    })
    const res = await fetch(`${lcb.gatewayUrl}/clock`, {
      method: 'POST',
      body: JSON.stringify({ set: '2026-11-30T09:00:30+08:00' }),
    })
    expect(((await res.json()) as { now: string }).now.startsWith('2026-11-30T01:00:3')).toBe(true)
    await lcb.scheduler.idle()
    const docs = await timerDocs()
    expect(docs).toHaveLength(1)
    expect(docs[0]!.at.toISOString().startsWith('2026-11-30T01:00:3')).toBe(true)
    expect(lcb.scheduler.list()[0]!.next).toBe(Date.parse('2026-12-01T09:00:00+08:00'))
    await fetch(`${lcb.gatewayUrl}/clock`, { method: 'POST', body: JSON.stringify({ advanceMs: 60_000 }) })
    await lcb.scheduler.idle()
    expect(await timerDocs()).toHaveLength(1)
  })

  it('runs a timer on demand and rejects bad clock input', async () => {
    const run = await fetch(`${lcb.gatewayUrl}/timers/probe/run`, { method: 'POST' })
    expect(await run.json()).toEqual({ ran: 1, ok: true })
    // Like /functions/<name>, the run reports its database calls and writes.
    expect(run.headers.get('x-db-calls')).toBe('1')
    expect(JSON.parse(run.headers.get('x-db-writes')!)).toEqual({ probe: 1 })
    expect(await timerDocs()).toHaveLength(2)
    expect(
      (await fetch(`${lcb.gatewayUrl}/clock`, { method: 'POST', body: '{"set":"yesterday"}' })).status,
    ).toBe(400)
    expect((await fetch(`${lcb.gatewayUrl}/timers/nope/run`, { method: 'POST' })).status).toBe(404)
  })
})
