import ExcelJS from 'exceljs'
import type { LocalCloudBase } from '../../../local-cloudbase/server'
import type { Actions, ItemSummary, Paged } from '../../../typings/api'
import { ITEM_HEADERS } from '../../../server/domain/import-rows'
import { DEMO_OPENIDS, call, ok, startApi } from '../../helpers/api'
import { nodeSdk } from '../../helpers/local-cloudbase'
import { importBatchId } from '../../../server/actions/sheets'

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
    expect(await ok(lcb, 'admin.import', { kind: 'items', fileId }, admin)).toMatchObject({
      status: 'done',
      imported: 2,
      applied: 2,
    })
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

  it('refuses a file too large, a sheet of another kind, and a workbook without the sheet — writing nothing', async () => {
    const before = await ok<Paged<ItemSummary>>(lcb, 'catalog.list', { pageSize: 1 })
    const refused = async (fileId: string) => {
      const r = await call(lcb, 'admin.import', { kind: 'items', fileId }, admin)
      expect(r.ok).toBe(false)
      return r.ok ? null : (r.error as { code: string; message: string; fields?: Record<string, string> })
    }
    // 6 MB that begins like a zip: refused on its size before it is parsed.
    const big = Buffer.alloc(6 * 1024 * 1024, 1)
    big.writeUInt32LE(0x04034b50, 0)
    const bigId = (await nodeSdk(lcb).uploadFile({ cloudPath: 'imports/big.xlsx', fileContent: big })).fileID
    expect(await refused(bigId)).toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/文件过大/),
      fields: { fileId: '文件过大（6.0 MB），最大 5 MB' },
    })
    // A roster picked as 代理事项: named for what it is.
    const roster = await ok<{ url: string }>(lcb, 'admin.export', { kind: 'agents' }, admin)
    const rosterBytes = Buffer.from(await (await fetch(encodeURI(roster.url))).arrayBuffer())
    const rosterId = (
      await nodeSdk(lcb).uploadFile({ cloudPath: 'imports/roster.xlsx', fileContent: rosterBytes })
    ).fileID
    expect(await refused(rosterId)).toMatchObject({
      message: '所选文件是「花名册」表格，未导入任何数据',
      fields: { fileId: '这是「花名册」表格，请在导入类型中选择「花名册」' },
    })
    // A workbook whose only sheet has other columns.
    const notes = await upload([['说明'], ['这是一张说明表']], 'notes.xlsx')
    expect(await refused(notes)).toMatchObject({
      message: '表格中没有「代理事项」工作表，未导入任何数据',
      fields: { fileId: expect.stringMatching(/^没有找到「代理事项」工作表：第 1 行应为表头（编码、名称/) },
    })
    expect((await ok<Paged<ItemSummary>>(lcb, 'catalog.list', { pageSize: 1 })).total).toBe(before.total)
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
    expect(await ok(lcb, 'admin.import', { kind: 'agents', fileId: exported.fileId }, admin)).toMatchObject({
      status: 'done',
      imported: exported.rows,
    })
    // The admin is still bound after re-importing the roster.
    expect(await ok(lcb, 'me.profile', {}, admin)).toMatchObject({ agent: { role: 'admin' } })
  })
})

type ImportOut = Actions['admin.import']['out']

describe('all-or-nothing imports at county size (issue 12)', () => {
  it('a failure while staging leaves the old catalog in force; calling again completes the import', async () => {
    const rows = [
      [...ITEM_HEADERS],
      ...Array.from({ length: 350 }, (_, i) => itemRow(`MZ-${900 + i}`, `批量事项${i}`)),
    ]
    const fileId = await upload(rows, 'many-items.xlsx')
    const db = nodeSdk(lcb).database()
    const live = async () =>
      (
        await db
          .collection('items')
          .where({ name: db.RegExp({ regexp: '^批量事项' }) })
          .count()
      ).total
    // A document sits where the third chunk of the staged rows goes: staging fails there.
    const batchId = importBatchId('items', fileId)
    await db.collection('import_batches').add({ _id: `${batchId}-c00002`, junk: true })
    const failed = await call<ImportOut>(lcb, 'admin.import', { kind: 'items', fileId }, admin)
    expect(failed.ok).toBe(false)
    expect(await live()).toBe(0)
    expect((await db.collection('import_batches').doc(batchId).get()).data[0]).toMatchObject({
      status: 'staging',
    })
    await db.collection('import_batches').doc(`${batchId}-c00002`).remove()
    const done = await ok<ImportOut>(lcb, 'admin.import', { kind: 'items', fileId }, admin)
    expect(done).toMatchObject({ batchId, status: 'done', imported: 350, applied: 350 })
    expect(await live()).toBe(350)
    // Calling once more changes nothing and says so.
    expect(await ok<ImportOut>(lcb, 'admin.import', { kind: 'items', fileId }, admin)).toMatchObject({
      status: 'done',
    })
  }, 120_000)

  it('re-imports a roster of more than 2,000 agents in bounded steps, keeping every WeChat binding', async () => {
    const N = 2_200
    const db = nodeSdk(lcb).database()
    const stations = ['st-qingshan-hongyan', 'st-qingshan-shimen', 'st-baiyun']
    const docs = Array.from({ length: N }, (_, i) => ({
      _id: `ag-bulk-${String(i).padStart(5, '0')}`,
      name: `志愿者${i}`,
      phone: `139${String(i).padStart(8, '0')}`,
      stationId: stations[i % 3],
      role: 'agent',
      specialties: ['民政'],
      kind: 'volunteer',
      leaves: [],
      active: true,
      openid: `o-bulk-${i}`,
    }))
    for (let i = 0; i < N; i += 100)
      await Promise.all(docs.slice(i, i + 100).map((d) => db.collection('agents').add(d)))
    const bound = async () =>
      (
        await db
          .collection('agents')
          .where({ openid: db.RegExp({ regexp: '^o-' }) })
          .count()
      ).total
    const before = await bound()
    expect(before).toBeGreaterThan(N)

    // The exported roster, every volunteer renamed, imported back.
    const exported = await ok<{ fileId: string; url: string; rows: number }>(
      lcb,
      'admin.export',
      { kind: 'agents' },
      admin,
    )
    expect(exported.rows).toBeGreaterThanOrEqual(N + 72)
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(
      Buffer.from(await (await fetch(encodeURI(exported.url))).arrayBuffer()) as unknown as ArrayBuffer,
    )
    const ws = wb.worksheets[0]!
    ws.eachRow((row, n) => {
      if (n > 1 && String(row.getCell(2).value).startsWith('志愿者'))
        row.getCell(2).value = `${String(row.getCell(2).value)}（新）`
    })
    const res = await nodeSdk(lcb).uploadFile({
      cloudPath: 'imports/roster-renamed.xlsx',
      fileContent: Buffer.from(await wb.xlsx.writeBuffer()),
    })
    const renamed = async () =>
      (
        await db
          .collection('agents')
          .where({ name: db.RegExp({ regexp: '（新）$' }) })
          .count()
      ).total

    // One call applies a bounded part and says so; the rest is untouched, every binding kept.
    const first = await call<ImportOut>(lcb, 'admin.import', { kind: 'agents', fileId: res.fileID }, admin)
    expect(first).toMatchObject({ ok: true, data: { status: 'applying', imported: exported.rows } })
    // At most about 1,000 rows a call (fewer when the machine is slow: the call also watches time).
    const applied = first.ok ? first.data.applied : 0
    expect(applied).toBeLessThanOrEqual(1_000)
    expect(first.dbCalls).toBeLessThan(1_200) // one write per row: there is no bulk upsert
    expect(await renamed()).toBeLessThan(N)
    expect(await bound()).toBe(before)
    // A call killed by the platform in the middle of its work (the function's timeout cut to
    // 0.6 s for it): whatever it wrote is by id, its chunk marker did not move, bindings stay.
    const api = lcb.host.get('api')!
    const timeout = api.timeoutMs
    api.timeoutMs = 600
    try {
      const killed = await fetch(`${lcb.gatewayUrl}/functions/api`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-wx-openid': admin },
        body: JSON.stringify({ action: 'admin.import', payload: { kind: 'agents', fileId: res.fileID } }),
      })
      expect([200, 502]).toContain(killed.status)
    } finally {
      api.timeoutMs = timeout
    }
    expect(await bound()).toBe(before)
    // The caller stops here (a timeout, a closed page): calling again continues where it stopped.
    let out: ImportOut = first.ok ? first.data : (undefined as never)
    for (let i = 0; i < 60 && out.status !== 'done'; i++)
      out = await ok<ImportOut>(lcb, 'admin.import', { kind: 'agents', fileId: res.fileID }, admin)
    expect(out).toMatchObject({ status: 'done', imported: exported.rows, applied: exported.rows })
    expect(await renamed()).toBe(N)
    expect(await bound()).toBe(before)
    expect((await db.collection('agents').doc('ag-bulk-02199').get()).data[0]).toMatchObject({
      name: '志愿者2199（新）',
      openid: 'o-bulk-2199',
    })
    expect(await ok(lcb, 'me.profile', {}, admin)).toMatchObject({ agent: { role: 'admin' } })
  }, 120_000)
})
