/**
 * The security rules the deploy sets, evaluated by Local CloudBase for mini-program-side
 * requests as the platform does: a resident's uploaded materials are readable by their owner
 * only through the client path; the case's staff see them through the function (a temporary
 * URL after the access check); no collection answers a client-side database call. Functions
 * are never subject to rules.
 */
import { EJSON } from 'bson'
import type { LocalCloudBase } from '../../../local-cloudbase/server'
import { deployLocal } from '../../../scripts/deploy'
import { DEMO_OPENIDS, call, demo, ok, startApi } from '../../helpers/api'
import { ROOT } from '../../helpers/local-cloudbase'

const { resident1, resident2, villageAgent } = DEMO_OPENIDS
let lcb: LocalCloudBase

beforeAll(async () => {
  lcb = await startApi('2026-11-30T10:00:00+08:00')
  await deployLocal(lcb, ROOT)
})
afterAll(() => lcb?.stop())

async function upload(
  openid: string,
  cloudPath: string,
  bytes: Buffer,
): Promise<{ status: number; fileID?: string }> {
  const form = new FormData()
  form.append('file', new Blob([new Uint8Array(bytes)]), 'photo.jpg')
  const res = await fetch(`${lcb.gatewayUrl}/storage?path=${encodeURIComponent(cloudPath)}`, {
    method: 'POST',
    headers: { 'x-wx-openid': openid },
    body: form,
  })
  const body = (await res.json()) as { fileID?: string }
  return { status: res.status, ...body }
}

async function download(openid: string, fileID: string): Promise<{ status: number; bytes: Buffer }> {
  const res = await fetch(`${lcb.gatewayUrl}/storage/download?fileID=${encodeURIComponent(fileID)}`, {
    headers: { 'x-wx-openid': openid },
  })
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) }
}

describe('storage rules for uploaded materials', () => {
  const photo = Buffer.from('a photo of 户口簿')
  let fileID: string
  let caseId: string

  beforeAll(async () => {
    const me = await ok<{ uploadDir: string }>(lcb, 'me.profile', {}, resident1)
    const up = await upload(resident1, `${me.uploadDir}/req-rules-1/abcdefgh12345678.jpg`, photo)
    expect(up.status).toBe(200)
    fileID = up.fileID!
    const village = demo.stations.find((s) => s.tier === 'village')!
    const item = demo.items.find((i) => i.tier === 'village' || i.tier === 'township')!
    const sub = await ok<{ id: string }>(
      lcb,
      'cases.submit',
      {
        itemId: item._id,
        stationId: village._id,
        description: '申请低保，附户口簿照片',
        applicantName: '王秀英',
        applicantPhone: '13912345678',
        attachments: [fileID],
      },
      resident1,
      'req-rules-1',
    )
    caseId = sub.id
  })

  it('lets the owner read their upload through the client path', async () => {
    const r = await download(resident1, fileID)
    expect(r.status).toBe(200)
    expect(r.bytes.equals(photo)).toBe(true)
  })

  it('refuses another resident, by download and by temporary URL', async () => {
    expect((await download(resident2, fileID)).status).toBe(403)
    const res = await fetch(`${lcb.gatewayUrl}/storage/url`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-wx-openid': resident2 },
      body: JSON.stringify({ fileList: [fileID] }),
    })
    const body = (await res.json()) as { fileList: { tempFileURL: string; status: number }[] }
    expect(body.fileList[0]).toMatchObject({ tempFileURL: '', status: -502003 })
  })

  it('refuses another resident overwriting the file', async () => {
    const path = fileID.replace(/^cloud:\/\/[^/]+\//, '')
    expect((await upload(resident2, path, Buffer.from('not mine'))).status).toBe(403)
    expect((await download(resident1, fileID)).bytes.equals(photo)).toBe(true)
  })

  it('gives the staff of the case a temporary URL through the function, after the access check', async () => {
    const r = await ok<{ photos?: { fileId: string; url: string }[] }>(
      lcb,
      'cases.get',
      { caseId },
      villageAgent,
    )
    expect(r.photos?.map((f) => f.fileId)).toEqual([fileID])
    const res = await fetch(r.photos![0]!.url)
    expect(res.status).toBe(200)
    expect(Buffer.from(await res.arrayBuffer()).equals(photo)).toBe(true)
    const other = await call(lcb, 'cases.get', { caseId }, resident2)
    expect(other.ok).toBe(false)
  })
})

describe('database rules for client-side calls', () => {
  async function clientDb(openid: string, body: Record<string, unknown>): Promise<number> {
    const res = await fetch(`${lcb.gatewayUrl}/database`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-wx-openid': openid },
      body: JSON.stringify(body),
    })
    return res.status
  }

  it('answers no client read or write on any collection, not even of the caller’s own documents', async () => {
    const own = EJSON.stringify({ 'applicant.openid': resident1 })
    expect(
      await clientDb(resident1, { action: 'database.getDocument', collectionName: 'cases', query: own }),
    ).toBe(403)
    expect(
      await clientDb(resident1, { action: 'database.getDocument', collectionName: 'stations', query: '{}' }),
    ).toBe(403)
    expect(
      await clientDb(resident1, {
        action: 'database.insertDocument',
        collectionName: 'complaints',
        data: [EJSON.stringify({ text: 'x' })],
      }),
    ).toBe(403)
  })

  it('applies a collection rule the platform way: a query must be a subset of it', async () => {
    // A rule of the creator kind (not one the product uses; it shows the evaluation is real).
    lcb.rules.setCollectionRule('grants', {
      read: 'doc._openid == auth.openid',
      write: 'doc._openid == auth.openid',
    })
    const ins = await clientDb(resident1, {
      action: 'database.insertDocument',
      collectionName: 'grants',
      data: [EJSON.stringify({ _id: 'g-rule-1', note: 'mine' })],
    })
    expect(ins).toBe(200)
    const mine = EJSON.stringify({ _openid: resident1 })
    expect(
      await clientDb(resident1, { action: 'database.getDocument', collectionName: 'grants', query: mine }),
    ).toBe(200)
    expect(
      await clientDb(resident2, { action: 'database.getDocument', collectionName: 'grants', query: mine }),
    ).toBe(403)
    // Not pinned to the caller: refused even though the documents would be the caller's.
    expect(
      await clientDb(resident1, { action: 'database.getDocument', collectionName: 'grants', query: '{}' }),
    ).toBe(403)
  })
})
