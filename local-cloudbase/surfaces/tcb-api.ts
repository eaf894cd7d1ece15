/**
 * The TCB API: what the official SDKs post to (`POST /admin`, or `/admin/inv/<invocation>` from
 * inside a function, which ties the call to that invocation's caller and tallies). Database
 * actions, functions.invokeFunction (callFunction), storage.* actions and, as multipart,
 * wx.openApi (openapi and subscribe messages). Errors answer 200 with the platform's code.
 */
import type * as http from 'node:http'
import { randomBytes } from 'node:crypto'
import type { Body } from '../db/engine'
import { DbError } from '../db/errors'
import type { Caller } from '../functions/host'
import { answerOpenApi, decodeOpenApiRequest, encodeOpenApiResponse } from '../openapi'
import type { Emulator } from './context'
import { HttpError, header, readJsonObject, readMultipart, sendBytes, sendJson } from './http'

/** The most file ids one storage.batchDeleteFile takes (cloud.deleteFile: "一次最多 50 个"). */
const MAX_DELETE_FILES = 50

export async function tcbApi(
  lcb: Emulator,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  p: string,
): Promise<void> {
  const requestId = randomBytes(8).toString('hex')
  const invocationId = /^\/admin\/inv\/([0-9a-f]+)$/.exec(p)?.[1] ?? null
  const invocation = invocationId ? lcb.host.liveInvocation(invocationId) : undefined
  if ((header(req, 'content-type') ?? '').startsWith('multipart/form-data')) {
    let form: Record<string, Buffer>
    try {
      form = await readMultipart(req)
    } catch (err) {
      return sendJson(res, 200, { ...refusal(err), requestId })
    }
    const action = form.action?.toString() ?? ''
    count(lcb, action, invocation)
    if (action !== 'wx.openApi')
      return sendJson(res, 200, {
        code: 'INVALID_PARAM',
        message: `unsupported action: ${action}`,
        requestId,
      })
    return await openApi(lcb, res, form, invocationId, invocation?.caller.openid ?? null)
  }
  let body: Body
  try {
    body = await readJsonObject(req)
  } catch (err) {
    return sendJson(res, 200, { ...refusal(err), requestId })
  }
  const action = typeof body.action === 'string' ? body.action : ''
  count(lcb, action, invocation)
  if (lcb.verbose) console.error(`[tcb] ${action} ${String(body.collectionName ?? body.function_name ?? '')}`)
  try {
    if (action.startsWith('database.')) {
      // handle() is synchronous: the store's write tally moves only for this action.
      const before = invocation ? new Map(lcb.store.writes) : null
      const out = lcb.db.handle(action, body)
      if (invocation && before) {
        for (const [coll, n] of lcb.store.writes) {
          const d = n - (before.get(coll) ?? 0)
          if (d) invocation.dbWrites[coll] = (invocation.dbWrites[coll] ?? 0) + d
        }
      }
      return sendJson(res, 200, { requestId, ...out })
    }
    if (action === 'functions.invokeFunction')
      return await callFunction(lcb, res, body, requestId, invocation?.caller)
    if (action.startsWith('storage.'))
      return sendJson(res, 200, {
        requestId,
        ...storageAction(lcb, action, body, invocation?.caller.openid ?? null),
      })
    return sendJson(res, 200, {
      code: 'INVALID_PARAM',
      message: `unsupported action: ${action || '(none)'}`,
      requestId,
    })
  } catch (err) {
    if (err instanceof DbError) {
      if (process.env.LCB_LOG_ERRORS)
        console.error('[tcb]', action, body.collectionName ?? '', err.code, err.message)
      return sendJson(res, 200, { code: err.code, message: err.message, requestId })
    }
    console.error('[local-cloudbase] action failed', action, err)
    return sendJson(res, 200, { code: 'SYS_ERR', message: (err as Error).message, requestId })
  }
}

/**
 * A body the shared readers refused, in the platform's shape (200 and a code the SDKs throw):
 * too large is EXCEED_REQUEST_SIZE_LIMIT (https://docs.cloudbase.net/error-code/EXCEED_REQUEST_SIZE_LIMIT),
 * anything malformed INVALID_PARAM.
 */
function refusal(err: unknown): { code: string; message: string } {
  if (!(err instanceof HttpError)) throw err
  if (err.status === 413) return { code: 'EXCEED_REQUEST_SIZE_LIMIT', message: err.message }
  return { code: 'INVALID_PARAM', message: `malformed request body: ${err.message}` }
}

function count(lcb: Emulator, action: string, invocation: { dbCalls: number } | undefined): void {
  lcb.counters[action] = (lcb.counters[action] ?? 0) + 1
  if (invocation && action.startsWith('database.')) invocation.dbCalls += 1
}

async function callFunction(
  lcb: Emulator,
  res: http.ServerResponse,
  body: Body,
  requestId: string,
  parent?: Caller,
): Promise<void> {
  const name = String(body.function_name ?? '')
  if (!lcb.host.get(name)) {
    // The platform's code for a function that does not exist
    // (https://docs.cloudbase.net/error-code/FUNCTION_NOT_FOUND).
    return sendJson(res, 200, {
      code: 'FUNCTION_NOT_FOUND',
      message: `FunctionName parameter could not be found: ${name}`,
      requestId,
    })
  }
  let event: unknown
  try {
    event = JSON.parse(String(body.request_data ?? '{}') || '{}')
  } catch {
    return sendJson(res, 200, { code: 'INVALID_PARAM', message: 'request_data must be JSON', requestId })
  }
  // A function called by a function keeps the end user's identity.
  // SOURCE follows the call chain: a function called from a mini-program call sees
  // "wx_client,scf"; one called from a script sees "scf".
  const out = await lcb.host.invoke(name, event, {
    ...(parent ?? {}),
    source: parent?.source ? `${parent.source},scf` : 'scf',
  })
  if (!out.ok) return sendJson(res, 200, { code: 'FUNCTIONS_EXECUTE_FAIL', message: out.message, requestId })
  return sendJson(res, 200, { requestId, data: { response_data: out.json } })
}

function storageAction(lcb: Emulator, action: string, body: Body, openid: string | null): Body {
  const now = lcb.clock.now()
  const { storage } = lcb
  switch (action) {
    case 'storage.getUploadMetadata': {
      const cloudPath = String(body.path ?? '')
      let token: string
      try {
        token = storage.beginUpload(cloudPath, now, openid)
      } catch {
        throw new DbError('STORAGE_SIGN_PARAM_INVALID', `invalid cloud path: ${cloudPath}`)
      }
      return {
        data: {
          url: `${lcb.baseUrl()}/storage/upload/${token}`,
          token,
          authorization: 'local',
          fileId: storage.fileId(cloudPath),
          cosFileId: token,
        },
      }
    }
    case 'storage.batchGetDownloadUrl': {
      const list = Array.isArray(body.file_list)
        ? (body.file_list as { fileid?: string; max_age?: number }[])
        : []
      return {
        data: {
          download_list: list.map((f) => {
            const fileID = String(f.fileid ?? '')
            const p = storage.pathOf(fileID)
            if (!p || !storage.exists(p)) {
              return {
                fileID,
                tempFileURL: '',
                code: 'STORAGE_FILE_NONEXIST',
                message: 'storage file not exists',
              }
            }
            const maxAge = Number(f.max_age ?? 7200)
            return {
              fileID,
              tempFileURL: `${lcb.baseUrl()}/storage/files/${storage.sign(p, now + maxAge * 1000)}`,
              code: 'SUCCESS',
              maxAge,
            }
          }),
        },
      }
    }
    case 'storage.batchDeleteFile': {
      const list = Array.isArray(body.fileid_list) ? (body.fileid_list as string[]) : []
      if (list.length > MAX_DELETE_FILES)
        throw new DbError('INVALID_PARAM', `fileid_list: at most ${MAX_DELETE_FILES} files per call`)
      return {
        data: {
          delete_list: list.map((fileID) => {
            const p = storage.pathOf(String(fileID))
            return p && storage.remove(p)
              ? { fileID, code: 'SUCCESS' }
              : { fileID, code: 'STORAGE_FILE_NONEXIST', message: 'storage file not exists' }
          }),
        },
      }
    }
    case 'storage.getFileAuthority': {
      // Which of the caller's files it may read, as the default storage rule answers it
      // ("所有用户可读，仅创建者及管理员可写"): reads are allowed for every file that exists;
      // WRITE/READWRITE ask for a write, which only the uploader may do.
      const list = Array.isArray(body.fileList) ? (body.fileList as { path?: string; type?: string }[]) : []
      const caller = String(body.openId ?? '') || openid
      return {
        data: list.map((f) => {
          const fileId = String(f.path ?? '')
          const p = fileId.startsWith('cloud://') ? storage.pathOf(fileId) : fileId
          const exists = !!p && storage.exists(p)
          const owner = p ? storage.owner(p) : null
          const write = exists && !!caller && owner === caller
          return {
            path: fileId,
            cosFileId: p ?? '',
            read: f.type === 'READ' ? exists : f.type === 'WRITE' ? write : exists && write,
          }
        }),
      }
    }
    default:
      throw new DbError('INVALID_PARAM', `unsupported action: ${action}`)
  }
}

/** wx.openApi: answered by openapi.ts (injected faults first), recorded in the outbox. */
async function openApi(
  lcb: Emulator,
  res: http.ServerResponse,
  form: Record<string, Buffer>,
  invocation: string | null,
  openid: string | null,
): Promise<void> {
  const apiName = form.apiName?.toString() ?? ''
  let call
  try {
    call = decodeOpenApiRequest(apiName, form.requestData ?? Buffer.alloc(0))
  } catch (err) {
    return sendJson(res, 200, {
      code: 'INVALID_PARAM',
      message: `invalid requestData: ${(err as Error).message}`,
    })
  }
  const answer = await answerOpenApi(call, lcb.faults, { take: (o, t) => lcb.grants.take(o, t) })
  const response =
    'json' in answer ? answer.json : { contentType: answer.contentType, bytes: answer.binary.length }
  lcb.openApiLog.record(lcb.clock.now(), apiName, call.params, response, invocation, openid)
  const bytes = 'json' in answer ? Buffer.from(JSON.stringify(answer.json)) : answer.binary
  const ctype = 'json' in answer ? 'application/json' : answer.contentType
  sendBytes(res, encodeOpenApiResponse(bytes, ctype), 'application/octet-stream')
}
