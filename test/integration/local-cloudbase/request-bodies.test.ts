/**
 * Request bodies are read one way on every surface: a malformed body is refused with 400 and an
 * oversized one with 413 (`{ error }`, as `route()` answers every refusal), and the caller receives
 * that answer rather than a reset connection. The mini-program-side routes under /gateway used to
 * read a malformed JSON body as {}, crash (500) on a body that is not multipart, and store an
 * oversized upload cut to 32 MB.
 */
import * as http from 'node:http'
import type { LocalCloudBase } from '../../../local-cloudbase/server'
import { startLocalCloudBase } from '../../helpers/local-cloudbase'

const OPENID = 'o-body-1'
/**
 * Well over the emulator's body cap (MAX_BODY in surfaces/http.ts, 32 MB): refusing at the cap
 * without reading the rest reset the connection, so the caller never saw the 413.
 */
const OVER = 40 * 1024 * 1024
let lcb: LocalCloudBase

beforeAll(async () => {
  // The platform's default rules: a new file and a new document are the caller's to write.
  lcb = await startLocalCloudBase({ definition: { collections: { notes: {} } } })
})
afterAll(() => lcb.stop())

/** A raw request (fetch would refuse some of these bodies or hide a reset). */
function send(
  path: string,
  headers: Record<string, string | number>,
  body: Buffer | string,
  method = 'POST',
): Promise<{ status: number; body: Record<string, unknown> }> {
  const u = new URL(lcb.url)
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path, method, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        let parsed: Record<string, unknown>
        try {
          parsed = JSON.parse(text) as Record<string, unknown>
        } catch {
          parsed = { text }
        }
        // A failing assertion prints the body: keep an echoed 40 MB out of the report.
        if (text.length > 2000) parsed = { tooLong: `${text.slice(0, 200)}…` }
        resolve({ status: res.statusCode ?? 0, body: parsed })
      })
    })
    req.on('error', (err) => reject(new Error(`${path}: ${err.message} (no answer received)`)))
    req.end(body)
  })
}

const json = { 'content-type': 'application/json', 'x-wx-openid': OPENID }

function multipart(bytes: Buffer): { headers: Record<string, string | number>; body: Buffer } {
  const boundary = '----bodies'
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n` +
        'Content-Type: application/octet-stream\r\n\r\n',
    ),
    bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ])
  return {
    headers: {
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'content-length': body.length,
      'x-wx-openid': OPENID,
    },
    body,
  }
}

async function exists(cloudPath: string): Promise<boolean> {
  const fileID = lcb.storage.fileId(cloudPath)
  const r = await send(`/gateway/storage/download?fileID=${encodeURIComponent(fileID)}`, json, '', 'GET')
  return r.status === 200
}

describe('mini-program-side routes read bodies as the other surfaces do', () => {
  it('refuses malformed JSON on /gateway/database and /gateway/storage/url with 400', async () => {
    const bad = '{"action": "database.getDocument", "collectionName": '
    expect(await send('/gateway/database', json, bad)).toEqual({
      status: 400,
      body: { error: 'body must be JSON' },
    })
    // Before, this read as {} and answered 200 with an empty list.
    expect(await send('/gateway/storage/url', json, '{"fileList": [')).toEqual({
      status: 400,
      body: { error: 'body must be JSON' },
    })
  })

  it('refuses a JSON body that is not an object with 400 (it crashed into a 500)', async () => {
    const notObject = { status: 400, body: { error: 'body must be a JSON object' } }
    expect(await send('/gateway/database', json, 'null')).toEqual(notObject)
    expect(await send('/gateway/storage/url', json, '[1]')).toEqual(notObject)
    // A document to insert that is not EJSON is refused as a bad query is (it crashed too).
    const insert = { action: 'database.insertDocument', collectionName: 'notes', data: ['{"a":'] }
    expect(await send('/gateway/database', json, JSON.stringify(insert))).toEqual({
      status: 400,
      body: { errCode: -1, errMsg: 'data must be EJSON' },
    })
    // The control surface reads bodies the same way.
    expect(await send('/gateway/subscriptions', json, 'null')).toEqual(notObject)
  })

  it('refuses an oversized JSON body with 413, and the caller receives the answer', async () => {
    const big = JSON.stringify({ fileList: ['x'.repeat(OVER)] })
    expect(await send('/gateway/storage/url', json, big)).toEqual({
      status: 413,
      body: { error: 'request body too large' },
    })
    const insert = JSON.stringify({
      action: 'database.insertDocument',
      collectionName: 'notes',
      data: [JSON.stringify({ text: 'x'.repeat(OVER) })],
    })
    expect((await send('/gateway/database', json, insert)).status).toBe(413)
  })

  it('refuses an upload that is not multipart with 400 and stores nothing', async () => {
    const r = await send('/gateway/storage?path=u/not-multipart.jpg', json, '{"file": "x"}')
    expect(r.status).toBe(400)
    expect(typeof r.body.error).toBe('string')
    expect(await exists('u/not-multipart.jpg')).toBe(false)
  })

  it('refuses a cut-off multipart upload with 400 and stores nothing', async () => {
    const form = multipart(Buffer.from('half a photo'))
    const cut = form.body.subarray(0, form.body.length - 20)
    const r = await send(
      '/gateway/storage?path=u/cut.jpg',
      { ...form.headers, 'content-length': cut.length },
      cut,
    )
    expect(r.status).toBe(400)
    expect(await exists('u/cut.jpg')).toBe(false)
  })

  it('refuses an oversized upload with 413 instead of storing it cut short', async () => {
    const form = multipart(Buffer.alloc(OVER, 7))
    expect(await send('/gateway/storage?path=u/big.jpg', form.headers, form.body)).toEqual({
      status: 413,
      body: { error: 'request body too large' },
    })
    expect(await exists('u/big.jpg')).toBe(false)
  })

  it('still takes a well-formed upload and JSON call (the mini-program side keeps working)', async () => {
    const form = multipart(Buffer.from('a photo'))
    const up = await send('/gateway/storage?path=u/ok.jpg', form.headers, form.body)
    expect(up).toEqual({ status: 200, body: { fileID: lcb.storage.fileId('u/ok.jpg') } })
    const urls = await send('/gateway/storage/url', json, JSON.stringify({ fileList: [up.body.fileID] }))
    expect(urls.status).toBe(200)
    expect((urls.body.fileList as { status: number }[])[0]!.status).toBe(0)
  })
})

describe('the TCB API refuses an oversized body as the platform does', () => {
  it('answers EXCEED_REQUEST_SIZE_LIMIT (not a reset connection, not INVALID_PARAM) and writes nothing', async () => {
    const body = JSON.stringify({
      action: 'database.insertDocument',
      collectionName: 'notes',
      data: [JSON.stringify({ _id: 'n-big', text: 'x'.repeat(OVER) })],
    })
    const r = await send('/admin', { 'content-type': 'application/json' }, body)
    // https://docs.cloudbase.net/error-code/EXCEED_REQUEST_SIZE_LIMIT: the TCB API answers
    // errors with 200 and the platform's code, which the SDKs throw.
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ code: 'EXCEED_REQUEST_SIZE_LIMIT' })
    expect(lcb.store.find('notes', { _id: 'n-big' }).next().done).toBe(true)
  })
})
