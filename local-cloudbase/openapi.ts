import protobuf from 'protobufjs'
import QRCode from 'qrcode'
import { randomBytes } from 'node:crypto'

/**
 * `cloud.openapi.*` arrives as `action=wx.openApi` with `requestData` = protobuf CommApiData
 * (each parameter a key/value pair: snake_case key, JSON-encoded value) and expects a
 * protobuf CommOpenApiResp whose `respData` is WeChat's JSON answer (or the image bytes).
 * These message definitions mirror the ones bundled in wx-server-sdk (field numbers read from
 * its generated encoders).
 */
const PROTO = `
syntax = "proto3";
message KeyValuePair { string key = 1; bytes value = 2; string contenttype = 3; string filename = 4; }
message OpenApiData { repeated KeyValuePair pairs = 1; }
message SvrkitApiData { string apiName = 1; bytes reqData = 2; }
message TokenApiData { string resourceAppid = 1; string resourceEnv = 2; }
message CommApiData {
  enum ApiType { OPEN_API = 0; INNER_API = 1; SVRKIT_API = 2; TOKEN_API = 3; }
  ApiType apiType = 1; OpenApiData openapiData = 2; SvrkitApiData svrkitData = 4; TokenApiData tokenData = 5; string appid = 6;
}
message HttpHeader { string key = 1; string value = 2; }
message CommOpenApiResp { bytes respData = 1; string contentType = 2; int32 errorCode = 3; uint32 httpCode = 4;
  repeated HttpHeader headers = 5; int32 svrkitErrorCode = 6; }
`
const root = protobuf.parse(PROTO).root
const CommApiData = root.lookupType('CommApiData')
const CommOpenApiResp = root.lookupType('CommOpenApiResp')

export interface OpenApiCall {
  api: string
  params: Record<string, unknown>
}

export function decodeOpenApiRequest(apiName: string, requestData: Buffer): OpenApiCall {
  const msg = CommApiData.toObject(CommApiData.decode(requestData), { bytes: Buffer as never }) as {
    openapiData?: { pairs?: { key: string; value: Buffer; filename?: string }[] }
  }
  const params: Record<string, unknown> = {}
  for (const kv of msg.openapiData?.pairs ?? []) {
    const raw = Buffer.from(kv.value ?? [])
    params[kv.key] = kv.filename
      ? { filename: kv.filename, size: raw.length }
      : JSON.parse(raw.toString('utf8') || 'null')
  }
  return { api: apiName, params }
}

export function encodeOpenApiResponse(body: Buffer, contentType: string): Buffer {
  return Buffer.from(CommOpenApiResp.encode(CommOpenApiResp.create({ respData: body, contentType })).finish())
}

/** An injected failure, for tests of retries and missing grants (errCode 43101 …). */
export interface OpenApiFault {
  api: string
  errcode: number
  errmsg: string
  /** How many calls fail; -1 = until cleared. */
  remaining: number
  touser?: string
}

export type OpenApiAnswer = { json: Record<string, unknown> } | { binary: Buffer; contentType: string }

/** Words that make the local content check answer `risky` (the real check is WeChat's model). */
export const RISKY_WORDS = ['赌博', '代开发票', '毒品', '枪支', '色情', '诈骗']

/**
 * What WeChat knows of a user's subscribe-message grants: `take` uses one up for a send and
 * says whether there was one.
 */
export interface GrantBook {
  take(openid: string, templateId: string): boolean
}

/** Answers the open APIs the product uses, as WeChat would. */
export async function answerOpenApi(
  call: OpenApiCall,
  faults: OpenApiFault[],
  grants?: GrantBook,
): Promise<OpenApiAnswer> {
  const p = call.params
  const fault = faults.find(
    (f) => f.api === call.api && f.remaining !== 0 && (!f.touser || f.touser === p.touser),
  )
  if (fault) {
    if (fault.remaining > 0) fault.remaining -= 1
    return { json: { errcode: fault.errcode, errmsg: fault.errmsg } }
  }
  switch (call.api) {
    case 'subscribeMessage.send': {
      if (typeof p.touser !== 'string' || !p.touser)
        return { json: { errcode: 40003, errmsg: 'invalid openid' } }
      if (typeof p.template_id !== 'string' || !p.template_id)
        return { json: { errcode: 40037, errmsg: 'invalid template_id' } }
      const data = p.data as Record<string, { value?: unknown }> | undefined
      if (!data || typeof data !== 'object')
        return { json: { errcode: 47003, errmsg: 'argument invalid! data is empty' } }
      for (const [key, v] of Object.entries(data)) {
        const problem = checkTemplateField(key, String(v?.value ?? ''))
        if (problem)
          return { json: { errcode: 47003, errmsg: `argument invalid! data.${key}.value ${problem}` } }
      }
      // WeChat sends only on a grant: each accepted one-time subscription allows one message of
      // that template, a long-term one any number; otherwise 43101
      // (https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/mp-message-management/subscribe-message/sendMessage.html
      // — "43101 用户拒绝接受消息，如果用户之前曾经订阅过，则表示用户取消了订阅关系").
      if (grants && !grants.take(p.touser, p.template_id))
        return { json: { errcode: 43101, errmsg: 'user refuse to accept the msg' } }
      return { json: { errcode: 0, errmsg: 'ok', msgid: Date.now() } }
    }
    case 'security.msgSecCheck': {
      const content = String(p.content ?? '')
      const hit = RISKY_WORDS.find((w) => content.includes(w))
      return {
        json: {
          errcode: 0,
          errmsg: 'ok',
          result: { suggest: hit ? 'risky' : 'pass', label: hit ? 20006 : 100 },
          detail: [
            {
              strategy: 'content_model',
              errcode: 0,
              suggest: hit ? 'risky' : 'pass',
              label: hit ? 20006 : 100,
              keyword: hit ?? '',
            },
          ],
          trace_id: randomBytes(8).toString('hex'),
        },
      }
    }
    case 'wxacode.getUnlimited': {
      const scene = String(p.scene ?? '')
      if (!scene || scene.length > 32 || !/^[\x21-\x7e]+$/.test(scene)) {
        return {
          json: { errcode: 40169, errmsg: 'invalid length for scene, or the data is not json string' },
        }
      }
      const page = typeof p.page === 'string' ? p.page : ''
      const png = await QRCode.toBuffer(
        `https://local.cloudbase/wxacode?page=${encodeURIComponent(page)}&scene=${encodeURIComponent(scene)}`,
        {
          type: 'png',
          width: Number(p.width ?? 430),
          margin: 2,
        },
      )
      return { binary: png, contentType: 'image/png' }
    }
    case 'phonenumber.getPhoneNumber': {
      // Local codes: "demo:<11-digit number>" stands for the code a real button would return.
      const m = /^demo:(1\d{10})$/.exec(String(p.code ?? ''))
      if (!m) return { json: { errcode: 40029, errmsg: 'invalid code' } }
      return {
        json: {
          errcode: 0,
          errmsg: 'ok',
          phone_info: {
            phoneNumber: m[1],
            purePhoneNumber: m[1],
            countryCode: '86',
            watermark: { timestamp: Math.floor(Date.now() / 1000), appid: 'wx-local' },
          },
        },
      }
    }
    default:
      return {
        json: { errcode: 48001, errmsg: `api unauthorized: ${call.api} is not answered by Local CloudBase` },
      }
  }
}

/**
 * Subscribe-message field limits by keyword type
 * (https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/mp-message-management/subscribe-message/sendMessage.html).
 */
function checkTemplateField(key: string, value: string): string | null {
  const type = key.replace(/\d+$/, '')
  const len = [...value].length
  const limits: Record<string, number> = {
    thing: 20,
    character_string: 32,
    phrase: 5,
    name: 10,
    number: 32,
    letter: 32,
    symbol: 5,
    phone_number: 17,
    car_number: 8,
    amount: 32,
    time: 64,
    date: 64,
  }
  const max = limits[type]
  if (max !== undefined && len > max) return `exceeds ${max} characters for ${type}`
  if (len === 0) return 'is empty'
  return null
}
