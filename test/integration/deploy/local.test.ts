/**
 * One plan, applied into Local CloudBase (as `npm start` does): the demo district through the
 * product's own import, the first admin's invitation, a second plan with nothing to do, and
 * drift reported when the environment no longer matches the definition.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { LocalCloudBase } from '../../../local-cloudbase/server'
import { deploy, loadInputs, observe } from '../../../scripts/deploy'
import { plan } from '../../../scripts/deploy/plan'
import { SYSTEM_PRINT_FONT } from '../../../scripts/deploy/project'
import { ROOT, nodeSdk, startLocalCloudBase, tempDir } from '../../helpers/local-cloudbase'
import { call } from '../../helpers/api'

const TEMPLATES = path.join(ROOT, 'database/demo/templates.json')
const opts = {
  root: ROOT,
  templatesFile: TEMPLATES,
  districtDir: 'demo',
  fontFile: SYSTEM_PRINT_FONT,
  log: () => {},
}

describe('deploy into Local CloudBase', () => {
  let lcb: LocalCloudBase
  let first: Awaited<ReturnType<typeof deploy>>

  beforeAll(async () => {
    // An empty emulator: no functions, collections or indexes until the plan is applied.
    lcb = await startLocalCloudBase({ definition: undefined })
    lcb.clock.set(Date.parse('2026-12-01T10:00:00+08:00'))
    first = await deploy({ kind: 'local', lcb }, opts)
  })
  afterAll(() => lcb?.stop())

  it('applies the whole plan for the demo district', () => {
    const kinds = first.plan.ops.map((o) => o.kind)
    expect(first.applied).toBe(first.plan.ops.length)
    expect(kinds.filter((k) => k === 'collection.create')).toHaveLength(first.desired.collections.length)
    expect(kinds.filter((k) => k === 'rules.set')).toHaveLength(first.desired.collections.length)
    expect(kinds.filter((k) => k === 'data.import')).toHaveLength(4)
    expect(kinds.filter((k) => k === 'font.upload')).toHaveLength(1)
    expect(first.plan.ops).toHaveLength(98) // 91 + audit_log and pairing_tokens (collection, rules; audit_log 2 indexes) + the print font
    console.log(`deploy to Local CloudBase: ${first.plan.ops.length} operations in ${first.ms} ms`)
  })

  it('loads the district through the import, all of it', async () => {
    const db = nodeSdk(lcb).database()
    expect((await db.collection('stations').count()).total).toBe(21)
    expect((await db.collection('items').count()).total).toBe(58)
    expect((await db.collection('agents').count()).total).toBe(72)
    // The last step set every station's head (the first left them empty).
    const { data } = await db.collection('stations').where({ code: 'QH' }).get()
    expect(data[0]?.headAgentId).toBe('ag-qh-1')
  })

  it('prints a one-time code that binds the first admin, who can then act as admin', async () => {
    const inv = first.invitation!
    expect(inv.agentId).toBe('ag-qh-7')
    expect(inv.code).toMatch(/^[A-Z2-9]{8}$/)
    const bound = await call(lcb, 'roster.bind', { code: inv.code }, 'o-first-admin')
    expect(bound.ok).toBe(true)
    const settings = await call(lcb, 'admin.settings.get', {}, 'o-first-admin')
    expect(settings.ok).toBe(true)
  })

  it('uploads the print font once, and printing reads the uploaded file', async () => {
    const db = nodeSdk(lcb).database()
    const { data } = await db.collection('settings').doc('printFont').get()
    const record = data[0] as { fileId: string; sha: string; bytes: number }
    expect(record.bytes).toBe(fs.statSync(SYSTEM_PRINT_FONT).size)
    const stored = await nodeSdk(lcb).downloadFile({ fileID: record.fileId })
    expect(Buffer.compare(stored.fileContent as Buffer, fs.readFileSync(SYSTEM_PRINT_FONT))).toBe(0)
    const station = (await db.collection('stations').where({ code: 'QH' }).get()).data[0] as { _id: string }
    const print = () => call(lcb, 'admin.print', { stationId: station._id, kind: 'card' }, 'o-first-admin')
    const printed = await print()
    expect(printed).toEqual(expect.objectContaining({ ok: true }))
    // Point the record at a file that is not there: printing now fails, so it did read the upload
    // (the system font this machine also has is not used while a font is recorded).
    await db
      .collection('settings')
      .doc('printFont')
      .update({ fileId: `${record.fileId}-gone` })
    const broken = await print()
    expect(broken.ok).toBe(false)
    if (!broken.ok)
      expect(broken.error).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringMatching(/打印字体/) })
    await db.collection('settings').doc('printFont').update({ fileId: record.fileId })
    expect((await print()).ok).toBe(true)
    // A re-deploy writes new content to the same file id with a new hash: a warm instance takes
    // it up (here the "new font" is not a font, so printing fails — it was read again).
    const upload = (bytes: Buffer) =>
      nodeSdk(lcb).uploadFile({ cloudPath: 'fonts/wqy-microhei.ttc', fileContent: bytes })
    expect((await upload(Buffer.from('not a font'))).fileID).toBe(record.fileId)
    await db.collection('settings').doc('printFont').update({ sha: 'redeployed000000' })
    expect((await print()).ok).toBe(false)
    await upload(fs.readFileSync(SYSTEM_PRINT_FONT))
    await db.collection('settings').doc('printFont').update({ sha: record.sha })
    expect((await print()).ok).toBe(true)
  }, 60_000)

  it('a second plan right after has nothing to do', async () => {
    const desired = await loadInputs(opts)
    const again = plan(desired, await observe({ kind: 'local', lcb }, desired, new Date(lcb.clock.now())))
    expect(again.ops).toEqual([])
    expect(again.drift).toEqual([])
  })

  it('runs the deployed functions and their timer', async () => {
    const r = await call(lcb, 'catalog.list', { keyword: 'dbsq' })
    expect(r.ok).toBe(true)
    expect(lcb.scheduler.list().map((t) => `${t.function}/${t.trigger}`)).toEqual(['jobs/every10min'])
  })

  it('reports a changed index as drift and refuses to replace it without --prune', async () => {
    lcb.store.ensureIndex('cases', { name: 'state_due', fields: ['state'] })
    const desired = await loadInputs(opts)
    const observed = await observe({ kind: 'local', lcb }, desired, new Date(lcb.clock.now()))
    const p = plan(desired, observed)
    expect(p.drift).toEqual([expect.objectContaining({ what: '索引 cases.state_due' })])
    expect(p.refused).toHaveLength(1)
    expect(p.ops).toEqual([])
    const pruned = plan(desired, observed, { prune: true })
    expect(pruned.ops.map((o) => o.kind)).toEqual(['index.drop', 'index.create'])
    // With --prune the deploy puts it back, and the next plan is empty again.
    await deploy({ kind: 'local', lcb }, { ...opts, prune: true })
    expect(lcb.store.listIndexes('cases').find((i) => i.name === 'state_due')?.fields).toEqual([
      'state',
      'dueAt',
    ])
  })

  it('stops at a unique index the data violates, naming it, and finishes on the next run', async () => {
    const other = await startLocalCloudBase({ definition: undefined, dataDir: tempDir() })
    try {
      other.store.createCollection('items', 0)
      const db = nodeSdk(other).database()
      await db.collection('items').add({ code: 'X-1', name: 'a' })
      await db.collection('items').add({ code: 'X-1', name: 'b' })
      await expect(deploy({ kind: 'local', lcb: other }, { root: ROOT, log: () => {} })).rejects.toThrow(
        /无法创建唯一索引 items\.code_unique.*重复/,
      )
      await db.collection('items').where({ name: 'b' }).remove()
      const done = await deploy({ kind: 'local', lcb: other }, { root: ROOT, log: () => {} })
      expect(done.plan.ops.some((o) => o.kind === 'collection.create' && o.collection === 'items')).toBe(
        false,
      )
      expect(done.plan.ops).toContainEqual(
        expect.objectContaining({ kind: 'index.create', collection: 'items' }),
      )
    } finally {
      await other.stop()
    }
  })

  it('refuses a bad template file or district sheet before changing anything', async () => {
    const dir = tempDir('bad-')
    const bad = path.join(dir, 'templates.json')
    fs.writeFileSync(bad, JSON.stringify({ caseAssigned: { templateId: '', page: 'x y', fields: {} } }))
    await expect(deploy({ kind: 'local', lcb }, { ...opts, templatesFile: bad })).rejects.toThrow(/输入有误/)
    fs.writeFileSync(bad, '{ not json')
    await expect(deploy({ kind: 'local', lcb }, { ...opts, templatesFile: bad })).rejects.toThrow(
      /订阅消息模板映射文件不是有效的 JSON/,
    )
    await expect(deploy({ kind: 'local', lcb }, { ...opts, districtDir: dir })).rejects.toThrow(
      /缺少 .*服务站\.xlsx/,
    )
  })
})
