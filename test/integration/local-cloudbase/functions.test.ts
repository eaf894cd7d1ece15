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
    expect(await timerDocs()).toHaveLength(2)
    expect(
      (await fetch(`${lcb.gatewayUrl}/clock`, { method: 'POST', body: '{"set":"yesterday"}' })).status,
    ).toBe(400)
    expect((await fetch(`${lcb.gatewayUrl}/timers/nope/run`, { method: 'POST' })).status).toBe(404)
  })
})
