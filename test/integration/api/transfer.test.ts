import ExcelJS from 'exceljs'
import type { LocalCloudBase } from '../../../local-cloudbase/server'
import type { ItemSummary, Paged } from '../../../typings/api'
import { ITEM_HEADERS } from '../../../server/domain/import-rows'
import { DEMO_OPENIDS, call, ok, startApi } from '../../helpers/api'
import { nodeSdk } from '../../helpers/local-cloudbase'

let lcb: LocalCloudBase
const admin = DEMO_OPENIDS.admin

beforeAll(async () => {
  lcb = await startApi()
}, 30_000)
afterAll(() => lcb.stop())

async function upload(rows: string[][], name: string): Promise<string> {
  const wb = new ExcelJS.Workbook()
  wb.addWorksheet('事项').addRows(rows)
  const bytes = Buffer.from(await wb.xlsx.writeBuffer())
  const res = await nodeSdk(lcb).uploadFile({ cloudPath: `imports/${name}`, fileContent: bytes })
  return res.fileID
}

function itemRow(code: string, name: string, phoneLike = ''): string[] {
  const values: Record<string, string> = {
    编码: code,
    名称: name,
    分类: '民政',
    办理层级: '乡镇',
    所需材料: '户口簿（原件）×1\n身份证（复印件）×1',
    办理流程: '代理员收件\n乡镇审核\n办结反馈',
    '承诺时限（工作日）': '5',
    '法定时限（工作日）': phoneLike,
    收费: '',
    代理方式: '直接代理',
    责任部门: '乡镇社会事务办',
    可上门: '是',
    公开: '是',
    状态: '在用',
    说明: '',
  }
  return ITEM_HEADERS.map((h) => values[h] ?? '')
}

describe('spreadsheet import and export', () => {
  it('imports a valid sheet and the items appear in the public list', async () => {
    const fileId = await upload(
      [[...ITEM_HEADERS], itemRow('MZ-801', '老年人助餐服务申请'), itemRow('MZ-802', '孤寡老人探访登记')],
      'ok.xlsx',
    )
    expect(await ok(lcb, 'admin.import', { kind: 'items', fileId }, admin)).toEqual({ imported: 2 })
    const found = await ok<Paged<ItemSummary>>(lcb, 'catalog.list', { keyword: 'lnrzcfwsq' })
    expect(found.list.map((i) => i.code)).toEqual(['MZ-801'])
  })

  it('imports nothing when one row is wrong and reports it by row and column', async () => {
    const fileId = await upload(
      [
        [...ITEM_HEADERS],
        itemRow('MZ-811', '第一个正确的事项'),
        itemRow('MZ-812', '法定时限写错的事项', '三天'),
        itemRow('MZ-813', '第三个正确的事项'),
      ],
      'bad.xlsx',
    )
    const r = await call(lcb, 'admin.import', { kind: 'items', fileId }, admin)
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.code).toBe('INVALID_INPUT')
    expect(r.error.message).toContain('未导入任何数据')
    expect(Object.values(r.error.fields!).join('\n')).toContain('第 3 行「法定时限（工作日）」')
    const none = await ok<Paged<ItemSummary>>(lcb, 'catalog.list', { keyword: 'dygzqdsx' })
    expect(none.total).toBe(0)
  })

  it('rejects non-admins and files that are not spreadsheets', async () => {
    const fileId = (
      await nodeSdk(lcb).uploadFile({ cloudPath: 'imports/not.xlsx', fileContent: Buffer.from('hello') })
    ).fileID
    expect(
      await call(lcb, 'admin.import', { kind: 'items', fileId }, DEMO_OPENIDS.villageHead),
    ).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    expect(await call(lcb, 'admin.import', { kind: 'items', fileId }, admin)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', fields: { fileId: expect.any(String) } },
    })
  })

  it('exports the roster as .xlsx that imports back unchanged, keeping WeChat bindings', async () => {
    const exported = await ok<{ fileId: string; url: string; rows: number }>(
      lcb,
      'admin.export',
      { kind: 'agents' },
      admin,
    )
    expect(exported.rows).toBeGreaterThanOrEqual(72)
    const bytes = Buffer.from(await (await fetch(encodeURI(exported.url))).arrayBuffer())
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(bytes as unknown as ArrayBuffer)
    expect(wb.worksheets[0]!.getRow(1).getCell(2).value).toBe('姓名')
    expect(JSON.stringify(wb.worksheets[0]!.getSheetValues())).not.toContain('o-demo')
    expect(await ok(lcb, 'admin.import', { kind: 'agents', fileId: exported.fileId }, admin)).toEqual({
      imported: exported.rows,
    })
    // The admin is still bound after re-importing the roster.
    expect(await ok(lcb, 'me.profile', {}, admin)).toMatchObject({ agent: { role: 'admin' } })
  })
})
