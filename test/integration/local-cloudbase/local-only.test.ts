import * as http from 'node:http'
import type { LocalCloudBase } from '../../../local-cloudbase/server'
import { nodeSdk, startLocalCloudBase, tempDir } from '../../helpers/local-cloudbase'

/** A raw request, so tests can set the Host and Origin a browser page would send. */
function post(
  lcb: LocalCloudBase,
  path: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; body: string }> {
  const u = new URL(lcb.tcbApiUrl)
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path, method: 'POST', headers }, (res) => {
      let out = ''
      res.on('data', (c: Buffer) => (out += c.toString()))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: out }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

describe("the developer's machine: only local callers reach Local CloudBase", () => {
  let lcb: LocalCloudBase
  const insert = JSON.stringify({
    action: 'database.insertDocument',
    collectionName: 'stations',
    data: [JSON.stringify({ _id: 'st-evil', name: 'x' })],
  })
  beforeAll(async () => {
    lcb = await startLocalCloudBase({ dataDir: tempDir() })
  })
  afterAll(() => lcb.stop())

  it('refuses DNS rebinding (a foreign Host), a foreign page (Origin) and a text/plain post; writes nothing', async () => {
    const port = new URL(lcb.tcbApiUrl).port
    const json = { 'content-type': 'application/json' }
    expect((await post(lcb, '/admin', { ...json, host: `evil.example:${port}` }, insert)).status).toBe(403)
    expect((await post(lcb, '/admin', { ...json, origin: 'https://evil.example' }, insert)).status).toBe(403)
    expect((await post(lcb, '/admin', { ...json, origin: 'null' }, insert)).status).toBe(403)
    expect((await post(lcb, '/admin', { 'content-type': 'text/plain' }, insert)).status).toBe(415)
    const got = await nodeSdk(lcb).database().collection('stations').where({ _id: 'st-evil' }).get()
    expect(got.data).toEqual([])
  })

  it('lets the SDKs, the console and mini-program pages in DevTools through', async () => {
    const port = new URL(lcb.tcbApiUrl).port
    for (const origin of [
      `http://127.0.0.1:${port}`,
      `http://localhost:${port}`,
      'https://servicewechat.com',
    ]) {
      const r = await post(
        lcb,
        '/admin',
        { 'content-type': 'application/json', origin, host: `localhost:${port}` },
        JSON.stringify({ action: 'database.calculateDocument', collectionName: 'stations', query: '{}' }),
      )
      expect(r.status).toBe(200)
    }
    await nodeSdk(lcb).database().collection('stations').add({ _id: 'st-ok', name: '青山镇' })
    expect((await nodeSdk(lcb).database().collection('stations').doc('st-ok').get()).data).toHaveLength(1)
  })
})
