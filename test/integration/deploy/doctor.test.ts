/** npm run doctor against a deployed environment (Local CloudBase here; the cloud the same way). */
import * as path from 'node:path'
import type { LocalCloudBase } from '../../../local-cloudbase/server'
import { deploy } from '../../../scripts/deploy'
import { doctor } from '../../../scripts/doctor'
import { SYSTEM_PRINT_FONT } from '../../../scripts/deploy/project'
import { ROOT, nodeSdk, startLocalCloudBase } from '../../helpers/local-cloudbase'

let lcb: LocalCloudBase
const byWhat = async (what: string) =>
  (await doctor({ kind: 'local', lcb }, ROOT, new Date(lcb.clock.now()))).filter((f) => f.what === what)

beforeAll(async () => {
  lcb = await startLocalCloudBase({ definition: undefined })
  lcb.clock.set(Date.parse('2026-03-02T10:00:00+08:00'))
  await deploy(
    { kind: 'local', lcb },
    {
      root: ROOT,
      templatesFile: path.join(ROOT, 'database/demo/templates.json'),
      districtDir: 'demo',
      fontFile: SYSTEM_PRINT_FONT,
      log: () => {},
    },
  )
})
afterAll(() => lcb?.stop())

describe('npm run doctor', () => {
  it('finds a fresh deploy as planned, with the permission, templates and calendar', async () => {
    const findings = await doctor({ kind: 'local', lcb }, ROOT, new Date(lcb.clock.now()))
    expect(findings.filter((f) => f.status === 'fail')).toEqual([])
    expect(findings.map((f) => f.what)).toEqual(
      expect.arrayContaining([
        '云函数、触发器、集合、索引、安全规则',
        '订阅消息模板',
        '管理员',
        '云调用权限',
        '工作日历',
        '打印字体',
      ]),
    )
    // The first admin has a code but has not bound yet.
    expect(findings.find((f) => f.what === '管理员')).toMatchObject({
      status: 'warn',
      detail: expect.stringMatching(/邀请码仍有效/),
    })
  })

  it('says how to upload the print font when the environment has none', async () => {
    const settings = nodeSdk(lcb).database().collection('settings')
    const { data } = await settings.doc('printFont').get()
    await settings.doc('printFont').remove()
    try {
      const [f] = await byWhat('打印字体')
      expect(f).toMatchObject({ status: 'fail', detail: expect.stringMatching(/npm run deploy -- --font/) })
    } finally {
      const { _id, ...record } = data[0] as Record<string, unknown>
      await settings.doc(String(_id)).set(record)
    }
    expect((await byWhat('打印字体'))[0]).toMatchObject({ status: 'ok' })
  })

  it('detects the missing cloud-call permission (errCode -604101) and says exactly what to do', async () => {
    await fetch(`${lcb.gatewayUrl}/openapi/faults`, {
      method: 'POST',
      body: JSON.stringify({
        api: 'subscribeMessage.send',
        errcode: -604101,
        errmsg: 'system error: error code: -604101',
        remaining: 1,
      }),
    })
    const [f] = await byWhat('云调用权限')
    expect(f).toMatchObject({ status: 'fail' })
    expect(f!.detail).toMatch(/-604101/)
    expect(f!.detail).toMatch(
      /微信开发者工具[\s\S]*cloudfunctions\/api[\s\S]*上传并部署：云端安装依赖[\s\S]*cloudfunctions\/jobs/,
    )
  })

  it('reports what differs from the definition', async () => {
    lcb.store.dropIndex('bookings', 'active_unique')
    const findings = await doctor({ kind: 'local', lcb }, ROOT, new Date(lcb.clock.now()))
    expect(findings).toContainEqual(
      expect.objectContaining({
        status: 'fail',
        detail: expect.stringMatching(/创建索引 bookings\.active_unique/),
      }),
    )
  })

  it('flags a calendar that does not cover the next 60 days', async () => {
    lcb.clock.set(Date.parse('2030-12-15T10:00:00+08:00'))
    const [f] = await byWhat('工作日历')
    expect(f).toMatchObject({ status: 'fail', detail: expect.stringMatching(/2031 年的节假日安排尚未录入/) })
  })
})
