/**
 * The agent's case page on the server side (issue 16): the resident's photos as temporary URLs
 * for the staff of the case only, the item's materials as the acceptance checklist that fills the
 * 材料接收单, the handler named, and the history with the applicant named for staff.
 */
import type { LocalCloudBase } from '../../../local-cloudbase/server'
import type { CaseView } from '../../../typings/api'
import { uploadDirOf } from '../../../server/lib/files'
import { DEMO_OPENIDS, call, ok, startApi } from '../../helpers/api'
import { A_FORM, requestId } from '../../helpers/builders'

let lcb: LocalCloudBase
const { resident1, villageAgent, villageHead, supervisor, townshipHead } = DEMO_OPENIDS
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 0xff, 0xd9])

beforeAll(async () => {
  lcb = await startApi('2026-12-03T10:00:00+08:00')
}, 60_000)
afterAll(() => lcb.stop())

/** A photo the resident uploaded into their own folder (as wx.cloud.uploadFile would). */
function uploaded(openid: string, name: string): string {
  const cloudPath = `${uploadDirOf(openid)}/req-desk/${name}.jpg`
  lcb.storage.put(cloudPath, JPEG, lcb.clock.now(), openid)
  return lcb.storage.fileId(cloudPath)
}

describe('the agent case page', () => {
  let c: CaseView
  beforeAll(async () => {
    const photos = [uploaded(resident1, 'hukouben01'), uploaded(resident1, 'fireproof1')]
    c = await ok<CaseView>(lcb, 'cases.submit', { ...A_FORM, attachments: photos }, resident1, requestId('d'))
  })

  it('gives the staff of the case the photos as temporary URLs that open, in one storage call', async () => {
    const res = await call<CaseView>(lcb, 'cases.get', { caseId: c.id }, villageAgent)
    expect(res.ok).toBe(true)
    const v = res.ok ? res.data : (null as never)
    expect(v.photos).toHaveLength(2)
    for (const p of v.photos!) {
      expect(p.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/storage\/files\//)
      const got = await fetch(p.url)
      expect(got.status).toBe(200)
      expect(Buffer.from(await got.arrayBuffer())).toEqual(JPEG)
    }
    // The checklist is the item's own list of materials, with their form.
    expect(v.materials!.length).toBeGreaterThan(0)
    expect(v.materials![0]).toEqual({ name: expect.any(String), formLabel: expect.any(String), count: 1 })
    expect(v.handler).toEqual({ name: expect.any(String), mine: true })
    // case, roster, events, agent, item: what the page needs costs five reads.
    expect(res.dbCalls).toBeLessThanOrEqual(5)
  })

  it('names the handler for a colleague of the station, for whom the case is not theirs', async () => {
    const mine = await ok<CaseView>(lcb, 'cases.get', { caseId: c.id }, villageAgent)
    const head = await ok<CaseView>(lcb, 'cases.get', { caseId: c.id }, villageHead)
    expect(head.handler).toEqual({ name: mine.handler!.name, mine: false })
    expect(head.photos).toHaveLength(2)
  })

  it('issues no URLs to the applicant, a supervisor or another station', async () => {
    const own = await ok<CaseView>(lcb, 'cases.get', { caseId: c.id }, resident1)
    expect(own.photos).toBeUndefined()
    expect(own.materials).toBeUndefined()
    const sup = await ok<CaseView>(lcb, 'cases.get', { caseId: c.id }, supervisor)
    expect(sup.photos).toBeUndefined()
    const other = await call(lcb, 'cases.get', { caseId: c.id }, townshipHead)
    expect(other).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
  })

  it('writes the ticked materials on the receipt the resident keeps; the history names the applicant for staff', async () => {
    const staff = await ok<CaseView>(lcb, 'cases.get', { caseId: c.id }, villageAgent)
    const ticked = staff.materials!.slice(0, 2).map((m) => m.name)
    await ok(
      lcb,
      'cases.accept',
      {
        caseId: c.id,
        version: staff.version,
        handling: 'promised',
        receivedMaterials: ticked,
      },
      villageAgent,
    )
    const after = await ok<CaseView>(lcb, 'cases.get', { caseId: c.id }, villageAgent)
    expect(after.receipt!.receivedMaterials).toEqual(ticked)
    expect(after.timeline!.map((e) => e.what)).toEqual(['提交申请', '受理'])
    expect(after.timeline![0]!.who).toBe(A_FORM.applicantName)
    const own = await ok<CaseView>(lcb, 'cases.get', { caseId: c.id }, resident1)
    expect(own.receipt!.receivedMaterials).toEqual(ticked)
    expect(own.timeline![0]!.who).toBe('您')
  })
})
