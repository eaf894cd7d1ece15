/** What every surface shares on the wire: the error it throws, body reading, JSON replies. */
import type * as http from 'node:http'
import busboy from 'busboy'
import type { InvocationRecord } from '../functions/host'

export const MAX_BODY = 32 * 1024 * 1024

/** Thrown by a surface; `route()` answers it as `{ error: message }` with its status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

export function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name]
  return typeof v === 'string' && v ? v : undefined
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  })
  res.end(text)
}

export function redirect(res: http.ServerResponse, to: string): void {
  res.writeHead(302, { location: to })
  res.end()
}

/** The response body as the function answered it (JSON text; an empty answer is `null`). */
export function sendJsonText(res: http.ServerResponse, status: number, text: string): void {
  const body = text === '' ? 'null' : text
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  })
  res.end(body)
}

/** A 200 with a body that is not JSON: a file, a page, the open API's protobuf answer. */
export function sendBytes(res: http.ServerResponse, body: Buffer | string, contentType: string): void {
  res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) })
  res.end(body)
}

/**
 * What an invocation (or a timer's runs) cost, on the answer: its ids, its database calls and the
 * documents it wrote per collection (tests check that refusals write nothing).
 */
export function setInvocationHeaders(res: http.ServerResponse, runs: readonly InvocationRecord[]): void {
  const writes: Record<string, number> = {}
  for (const r of runs) for (const [c, n] of Object.entries(r.dbWrites)) writes[c] = (writes[c] ?? 0) + n
  res.setHeader('x-invocation-id', runs.map((r) => r.id).join(','))
  res.setHeader('x-db-calls', String(runs.reduce((n, r) => n + r.dbCalls, 0)))
  res.setHeader('x-db-writes', JSON.stringify(writes))
}

/**
 * The whole body, at most MAX_BODY bytes, else 413. An oversized body is still read to its end
 * (and dropped): refusing part-way resets the connection, and a node client still sending then
 * sees ECONNRESET instead of the 413.
 */
export async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  let chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY) chunks = []
    else chunks.push(chunk as Buffer)
  }
  if (size > MAX_BODY) throw new HttpError(413, 'request body too large')
  return Buffer.concat(chunks)
}

/** A JSON body (an empty body reads as {}); 400 when it is not JSON, 413 when too large. */
export async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const text = (await readBody(req)).toString('utf8')
  if (!text) return {}
  try {
    return JSON.parse(text)
  } catch {
    throw new HttpError(400, 'body must be JSON')
  }
}

/** As readJson, for the routes whose body is always an object (400 for `null`, `[]` or `5`). */
export async function readJsonObject(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const body = await readJson(req)
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new HttpError(400, 'body must be a JSON object')
  return body as Record<string, unknown>
}

/**
 * A multipart/form-data body by field name (a file's bytes, a field's latin1 bytes). The body is
 * read whole first so one cap (readBody's 413) covers it: busboy's own limits would only cut a
 * file short. 400 for anything busboy cannot parse (not multipart, no boundary, cut-off form).
 */
export async function readMultipart(req: http.IncomingMessage): Promise<Record<string, Buffer>> {
  let bb: busboy.Busboy
  try {
    bb = busboy({
      headers: req.headers,
      defCharset: 'latin1',
      defParamCharset: 'utf8',
      // Only to lift busboy's 1 MB field default: readBody's cap is the limit.
      limits: { fileSize: MAX_BODY, fieldSize: MAX_BODY },
    })
  } catch (err) {
    // Read the body anyway, for the reason readBody gives.
    await readBody(req)
    throw new HttpError(400, (err as Error).message)
  }
  const body = await readBody(req)
  return new Promise((resolve, reject) => {
    const out: Record<string, Buffer> = {}
    bb.on('field', (name, value) => {
      out[name] = Buffer.from(value, 'latin1')
    })
    bb.on('file', (name, stream) => {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        out[name] = Buffer.concat(chunks)
      })
      // A form cut off inside a file fails the file's stream too; unheard, that error is thrown.
      stream.on('error', (err) => reject(new HttpError(400, err.message)))
    })
    bb.on('close', () => resolve(out))
    bb.on('error', (err) => reject(new HttpError(400, (err as Error).message)))
    bb.end(body)
  })
}
