/**
 * The developer's machine is safe from the web pages open in their browser. Every request goes
 * through `checkLocalRequest` in `route()` before any surface sees it; the console's writes add
 * `checkConsoleWrite`.
 */
import type * as http from 'node:http'
import { HttpError, header } from './http'

/**
 * Only this machine may connect. A request naming a foreign Host (DNS rebinding: evil.example
 * resolving to 127.0.0.1) or sent from a foreign page (a browser always adds Origin to a
 * cross-site POST) is refused, and the TCB API takes only the SDKs' own content types (a
 * cross-site form can post text/plain without a preflight).
 * Allowed: no Origin (the SDKs, curl, WeChat DevTools' simulator), the console's own pages and
 * other loopback origins, and https://servicewechat.com (mini-program pages in DevTools).
 */
export function checkLocalRequest(req: http.IncomingMessage): void {
  if (!isLoopback(req.socket.remoteAddress)) throw new HttpError(403, 'loopback only')
  const host = String(req.headers.host ?? '')
  if (host && !isLoopbackName(host.replace(/:\d+$/, ''))) throw new HttpError(403, 'foreign host')
  const origin = req.headers.origin
  if (origin !== undefined) {
    let name = ''
    try {
      const u = new URL(origin)
      name = u.protocol === 'https:' && u.hostname === 'servicewechat.com' ? 'localhost' : u.hostname
    } catch {
      // "null" (a sandboxed frame or a file page) and anything unparsable are foreign.
    }
    if (!isLoopbackName(name)) throw new HttpError(403, 'foreign origin')
  }
  const ctype = header(req, 'content-type') ?? ''
  if (
    req.method === 'POST' &&
    (req.url ?? '').startsWith('/admin') &&
    !/^(application\/json|multipart\/form-data)/.test(ctype)
  )
    throw new HttpError(415, 'the TCB API takes application/json or multipart/form-data')
}

/**
 * Writes through the console API change the database: only the console's own page may make
 * them (a JSON body, which a cross-site form cannot send without a CORS preflight we never
 * answer, and no foreign Origin).
 */
export function checkConsoleWrite(req: http.IncomingMessage): void {
  if (!(header(req, 'content-type') ?? '').startsWith('application/json'))
    throw new HttpError(415, 'console writes take application/json')
  const origin = req.headers.origin
  if (origin && origin !== `http://${req.headers.host ?? ''}`) throw new HttpError(403, 'foreign origin')
}

function isLoopbackName(name: string): boolean {
  const n = name.toLowerCase().replace(/^\[|\]$/g, '')
  return n === 'localhost' || n === '::1' || /^127(\.\d{1,3}){3}$/.test(n)
}

function isLoopback(addr: string | undefined): boolean {
  return !!addr && (addr.startsWith('127.') || addr === '::1' || addr.startsWith('::ffff:127.'))
}
