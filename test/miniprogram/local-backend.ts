import { spawn, type ChildProcess } from 'node:child_process'
import * as fs from 'node:fs'
import * as http from 'node:http'
import * as os from 'node:os'
import * as path from 'node:path'
import type { Transport } from '../../miniprogram/services/api'

const ROOT = path.resolve(__dirname, '../..')

export interface Backend {
  gateway: string
  transport(openid: () => string): Transport
  /** Stores a file as `openid` uploaded it from the phone (wx.uploadFile in local mode); its file id. */
  upload(openid: string, cloudPath: string, bytes: Buffer): Promise<string>
  /** Moves Local CloudBase's clock (jsdom has no fetch). */
  setClock(iso: string): Promise<unknown>
  stop(): Promise<void>
}

/**
 * The real backend for page tests: Local CloudBase in a child process (built by `npm run
 * build`) with the `api` function and the demo district, at a fixed clock. Pages reach it
 * through the same gateway the mini-program's local mode uses.
 */
export async function startBackend(clock = '2026-12-01T10:00:00+08:00'): Promise<Backend> {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-lcb-'))
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(ROOT, '.build/local-cloudbase/main.js'), '--port', '0', '--data', data, '--clock', clock],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  const gateway = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString()
      const m = /Gateway: (\S+)/.exec(out)
      if (m) resolve(m[1]!)
    })
    child.once('exit', (code) => reject(new Error(`Local CloudBase exited (${code})`)))
  })
  const post = (fn: string, event: unknown, openid: string, route = `functions/${fn}`) =>
    new Promise<unknown>((resolve, reject) => {
      const body = JSON.stringify(event)
      const req = http.request(
        `${gateway}/${route}`,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-wx-openid': openid,
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))))
        },
      )
      req.on('error', reject)
      req.end(body)
    })
  const upload = (openid: string, cloudPath: string, bytes: Buffer) =>
    new Promise<string>((resolve, reject) => {
      const boundary = `----shots${Date.now().toString(36)}`
      const body = Buffer.concat([
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="photo.png"\r\n` +
            `Content-Type: application/octet-stream\r\n\r\n`,
        ),
        bytes,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ])
      const req = http.request(
        `${gateway}/storage?path=${encodeURIComponent(cloudPath)}`,
        {
          method: 'POST',
          headers: {
            'content-type': `multipart/form-data; boundary=${boundary}`,
            'x-wx-openid': openid,
            'content-length': body.length,
          },
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8')
            if (res.statusCode !== 200) return reject(new Error(`upload ${res.statusCode}: ${text}`))
            resolve((JSON.parse(text) as { fileID: string }).fileID)
          })
        },
      )
      req.on('error', reject)
      req.end(body)
    })
  return {
    gateway,
    upload,
    transport: (openid) => (fn, event) => post(fn, event, openid()),
    setClock: (iso) => post('', { set: iso }, '', 'clock'),
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}
