/**
 * Storage over HTTP: the upload target that storage.getUploadMetadata names
 * (`/storage/upload/<token>`) and the signed temporary download URLs that
 * storage.batchGetDownloadUrl issues (`/storage/files/<path>?t=…&sign=…`).
 */
import type * as http from 'node:http'
import * as path from 'node:path'
import type { Emulator } from './context'
import { HttpError, readBody, sendBytes } from './http'

export async function storageRoute(
  lcb: Emulator,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
): Promise<void> {
  const now = lcb.clock.now()
  const up = /^\/storage\/upload\/([0-9a-f]+)$/.exec(url.pathname)
  if (up && (req.method === 'PUT' || req.method === 'POST')) {
    const bytes = await readBody(req)
    try {
      lcb.storage.completeUpload(up[1]!, bytes, now)
    } catch (err) {
      // COS's own refusal, which the SDK's uploader reads.
      res.writeHead(403, { 'content-type': 'application/xml' })
      res.end(
        `<Error><Code>AccessDenied</Code><Message>${(err as Error).message}</Message><RequestId>local</RequestId><TraceId>local</TraceId></Error>`,
      )
      return
    }
    res.writeHead(200)
    res.end()
    return
  }
  const dl = /^\/storage\/files\/(.+)$/.exec(url.pathname)
  if (dl && req.method === 'GET') {
    const cloudPath = decodeURI(dl[1]!)
    const ok = lcb.storage.verify(
      cloudPath,
      Number(url.searchParams.get('t')),
      url.searchParams.get('sign') ?? '',
      now,
    )
    if (!ok) throw new HttpError(403, 'signature invalid or URL expired')
    const bytes = lcb.storage.read(cloudPath)
    if (!bytes) throw new HttpError(404, 'file not found')
    return sendBytes(res, bytes, contentTypeOf(cloudPath))
  }
  throw new HttpError(404, 'not found')
}

function contentTypeOf(p: string): string {
  const ext = path.extname(p).toLowerCase()
  return (
    {
      '.png': 'image/png',
      '.jpg': 'image/jpeg',
      '.jpeg': 'image/jpeg',
      '.pdf': 'application/pdf',
      '.txt': 'text/plain; charset=utf-8',
      '.json': 'application/json',
    }[ext] ?? 'application/octet-stream'
  )
}
