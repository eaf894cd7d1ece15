/**
 * The gateway: how the mini-program pages (local mode) and the tests reach the platform over
 * HTTP. `X-WX-OPENID` (with `X-WX-APPID`, `X-WX-UNIONID`) is the caller, as WeChat would vouch
 * for it.
 *   POST /gateway/functions/<name>           callFunction; answers the function's result with
 *                                            x-invocation-id, x-db-calls and x-db-writes
 * Client routes, under the security rules (rules.ts):
 *   POST /gateway/storage?path=P            multipart "file": upload (write rule)
 *   GET  /gateway/storage/download?fileID=F download (read rule)
 *   POST /gateway/storage/url {fileList}    temporary URLs (read rule per file)
 *   POST /gateway/database {action, collectionName, query, data}   client-side database call
 * The rest of /gateway (clock, timers, grants, faults, stats) is the control surface (control.ts).
 */
import type * as http from 'node:http'
import { EJSON } from 'bson'
import { DbError } from '../db/errors'
import type { Caller } from '../functions/host'
import { pinned } from '../rules'
import type { Emulator } from './context'
import {
  HttpError,
  header,
  readJson,
  readJsonObject,
  readMultipart,
  sendBytes,
  sendJson,
  sendJsonText,
  setInvocationHeaders,
} from './http'

/** Handles a gateway request (`p` without the /gateway prefix); false when `p` is not one. */
export async function gateway(
  lcb: Emulator,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  p: string,
  url: URL,
): Promise<boolean> {
  const fn = /^\/functions\/([\w-]+)$/.exec(p)
  if (fn && req.method === 'POST') {
    const name = fn[1]!
    if (!lcb.host.get(name)) throw new HttpError(404, `function not found: ${name}`)
    const event = await readJson(req)
    const caller: Caller = {
      openid: header(req, 'x-wx-openid'),
      appid: header(req, 'x-wx-appid') ?? 'wx-local',
      unionid: header(req, 'x-wx-unionid'),
      source: 'wx_client',
    }
    const out = await lcb.host.invoke(name, event, caller)
    setInvocationHeaders(res, [out.record])
    if (!out.ok)
      return (sendJson(res, 502, { errCode: -1, errMsg: `callFunction:fail ${out.message}` }), true)
    return (sendJsonText(res, 200, out.json), true)
  }
  return await clientRoute(lcb, req, res, p, url)
}

const READ_ACTIONS = new Set(['database.getDocument', 'database.calculateDocument'])
const WRITE_ACTIONS = new Set([
  'database.insertDocument',
  'database.modifyDocument',
  'database.modifyAndReturnDoc',
  'database.removeDocument',
])

/**
 * Handles a client (mini-program side) request under /gateway; false when `p` is not one.
 * Answers 403 `{ errCode: -502003, errMsg: "permission denied" }` where the platform refuses.
 * Bodies are read as on every surface (http.ts): 400 `{ error }` when malformed (not JSON, not a
 * JSON object, not a whole multipart form), 413 `{ error }` over MAX_BODY. The platform refuses
 * these too (wx.cloud's -501007 参数错误, EXCEED_REQUEST_SIZE_LIMIT); a broken body never reads as
 * empty, and an upload is never stored cut short.
 */
async function clientRoute(
  lcb: Emulator,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  p: string,
  url: URL,
): Promise<boolean> {
  const openid = header(req, 'x-wx-openid') ?? ''
  const denied = () => refuse(res, 403, 'permission denied', -502003)
  if (p === '/storage' && req.method === 'POST') {
    const cloudPath = url.searchParams.get('path') ?? ''
    if (!openid) return refuse(res, 401, 'X-WX-OPENID required')
    if (!lcb.storage.pathOf(lcb.storage.fileId(cloudPath)))
      throw new HttpError(400, `invalid cloud path: ${cloudPath}`)
    if (!lcb.rules.storageAllows('write', openid, cloudPath, lcb.storage.exists(cloudPath))) return denied()
    const bytes = (await readMultipart(req)).file
    if (!bytes?.length) throw new HttpError(400, 'multipart field "file" is required')
    lcb.storage.put(cloudPath, bytes, lcb.clock.now(), openid)
    lcb.rules.setOwner(cloudPath, openid)
    sendJson(res, 200, { fileID: lcb.storage.fileId(cloudPath) })
    return true
  }
  if (p === '/storage/download' && req.method === 'GET') {
    const cloudPath = lcb.storage.pathOf(url.searchParams.get('fileID') ?? '')
    if (!cloudPath || !lcb.storage.exists(cloudPath)) return refuse(res, 404, 'file not found')
    if (!lcb.rules.storageAllows('read', openid, cloudPath, true)) return denied()
    return (sendBytes(res, lcb.storage.read(cloudPath)!, 'application/octet-stream'), true)
  }
  if (p === '/storage/url' && req.method === 'POST') {
    const body = await readJsonObject(req)
    const list = Array.isArray(body.fileList) ? body.fileList.map(String) : []
    const now = lcb.clock.now()
    sendJson(res, 200, {
      fileList: list.map((fileID) => {
        const cloudPath = lcb.storage.pathOf(fileID)
        if (!cloudPath || !lcb.storage.exists(cloudPath))
          return { fileID, tempFileURL: '', status: -1, errMsg: 'file not found' }
        if (!lcb.rules.storageAllows('read', openid, cloudPath, true))
          return { fileID, tempFileURL: '', status: -502003, errMsg: 'permission denied' }
        return {
          fileID,
          tempFileURL: `${lcb.baseUrl()}/storage/files/${lcb.storage.sign(cloudPath, now + 7_200_000)}`,
          status: 0,
        }
      }),
    })
    return true
  }
  if (p === '/database' && req.method === 'POST') {
    const body = await readJsonObject(req)
    const action = String(body.action ?? '')
    const coll = String(body.collectionName ?? '')
    if (!READ_ACTIONS.has(action) && !WRITE_ACTIONS.has(action))
      return refuse(res, 400, `not a client database action: ${action}`)
    if (!openid) return refuse(res, 401, 'X-WX-OPENID required')
    let query: Record<string, unknown> = {}
    try {
      if (typeof body.query === 'string')
        query = EJSON.parse(body.query, { relaxed: true }) as Record<string, unknown>
    } catch {
      return refuse(res, 400, 'query must be EJSON')
    }
    let forward = body
    let doc = pinned(query)
    if (action === 'database.insertDocument') {
      // The platform stamps a client-created document with its creator.
      let data: Record<string, unknown>[]
      try {
        data = (Array.isArray(body.data) ? body.data : []).map((s) => ({
          ...(EJSON.parse(String(s), { relaxed: true }) as object),
          _openid: openid,
        }))
      } catch {
        return refuse(res, 400, 'data must be EJSON')
      }
      if (data.length !== 1) return refuse(res, 400, 'insert one document')
      doc = data[0]!
      forward = { ...body, data: data.map((d) => EJSON.stringify(d, { relaxed: true })) }
    }
    if (!lcb.rules.databaseAllows(coll, action, openid, doc, body.data)) return denied()
    try {
      sendJson(res, 200, lcb.db.handle(action, forward))
    } catch (err) {
      if (err instanceof DbError) sendJson(res, 200, { code: err.code, message: err.message })
      else throw err
    }
    return true
  }
  return false
}

/** A refusal in wx.cloud's shape (`{ errCode, errMsg }`), as the client routes answer them. */
function refuse(res: http.ServerResponse, status: number, errMsg: string, errCode = -1): true {
  sendJson(res, status, { errCode, errMsg })
  return true
}
