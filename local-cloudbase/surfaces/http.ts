/** What every surface shares on the wire: the error it throws, body reading, JSON replies. */
import type * as http from 'node:http'
import busboy from 'busboy'

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

export async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY) throw new HttpError(413, 'request body too large')
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks)
}

export async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const text = (await readBody(req)).toString('utf8')
  if (!text) return {}
  try {
    return JSON.parse(text)
  } catch {
    throw new HttpError(400, 'body must be JSON')
  }
}

export function readMultipart(req: http.IncomingMessage): Promise<Record<string, Buffer>> {
  return new Promise((resolve, reject) => {
    const out: Record<string, Buffer> = {}
    let bb: busboy.Busboy
    try {
      bb = busboy({
        headers: req.headers,
        defCharset: 'latin1',
        defParamCharset: 'utf8',
        limits: { fileSize: MAX_BODY, fieldSize: MAX_BODY },
      })
    } catch (err) {
      reject(new HttpError(400, (err as Error).message))
      return
    }
    bb.on('field', (name, value) => {
      out[name] = Buffer.from(value, 'latin1')
    })
    bb.on('file', (name, stream) => {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        out[name] = Buffer.concat(chunks)
      })
    })
    bb.on('close', () => resolve(out))
    bb.on('error', (err) => reject(new HttpError(400, (err as Error).message)))
    req.pipe(bb)
  })
}
