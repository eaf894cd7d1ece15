/**
 * Issue 17, server side: admins run the district — every change in the audit log, retiring
 * refused until open cases are handed on, a head limited to their own station, the resident
 * accepting a pairing by its QR code (assignment rule 1), and spreadsheets checked before writing.
 */
import ExcelJS from 'exceljs'
import type { LocalCloudBase } from '../../../local-cloudbase/server'
import type { Actions, AuditView, CaseView, CursorPage } from '../../../typings/api'
import { AGENT_HEADERS } from '../../../server/domain/import-rows'
import { DEMO_OPENIDS, call, ok, startApi } from '../../helpers/api'
import { nodeSdk } from '../../helpers/local-cloudbase'

let lcb: LocalCloudBase
const admin = DEMO_OPENIDS.admin
const STATION = 'st-qingshan-hongyan'
let seq = 0
const rid = () => `ad-${++seq}-${Date.now().toString(36)}`

beforeAll(async () => {
  lcb = await startApi()
}, 30_000)
afterAll(() => lcb.stop())

async function submit(openid: string, description = '想问问低保怎么申请'): Promise<CaseView> {
  return ok<CaseView>(
    lcb,
    'cases.submit',
    {
      itemId: 'it-MZ-003',
      stationId: STATION,
      description,
      applicantName: '赵大山',
      applicantPhone: '13912340000',
    },
    openid,
    rid(),
  )
}

const newAgent = (id: string, name: string, phone: string) => ({
  _id: id,
  name,
  phone,
  stationId: STATION,
  role: 'agent',
  kind: 'party_member',
  specialties: [],
})

describe('audit log', () => {
  it('records who changed which record, with before and after, in the same transaction', async () => {
    const id = 'ag-audit-1'
    await ok(lcb, 'admin.agents.save', newAgent(id, '审计员', '13700000101'), admin)
    await ok(lcb, 'admin.agents.save', { ...newAgent(id, '审计员', '13700000101'), title: '村委委员' }, admin)
    const log = await ok<CursorPage<AuditView>>(
      lcb,
      'admin.audit.list',
      { recordId: id },
      DEMO_OPENIDS.supervisor,
    )
    expect(log.total).toBe(2)
    const [update, create] = log.list
    expect(create).toMatchObject({ kind: 'agent', action: 'create', before: null, after: { name: '审计员' } })
    expect(update).toMatchObject({
      action: 'update',
      actionLabel: '修改',
      who: expect.any(String),
      role: 'admin',
      before: { name: '审计员' },
      after: { title: '村委委员' },
    })
    expect((update!.before as Record<string, unknown>).title).toBeUndefined()
    // A refused change leaves no entry.
    const bad = await call(lcb, 'admin.agents.save', { ...newAgent(id, '审计员', '123'), title: 'x' }, admin)
    expect(bad).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', fields: { phone: expect.any(String) } },
    })
    expect((await ok<CursorPage<AuditView>>(lcb, 'admin.audit.list', { recordId: id }, admin)).total).toBe(2)
  })

  it('pages the whole log with a cursor, newest first, for supervisors only', async () => {
    for (const year of [2028, 2029])
      await ok(lcb, 'admin.calendar.saveYear', { year, holidays: [`${year}-01-01`], workdays: [] }, admin)
    const first = await ok<CursorPage<AuditView>>(
      lcb,
      'admin.audit.list',
      { pageSize: 1 },
      DEMO_OPENIDS.supervisor,
    )
    expect(first.list[0]).toMatchObject({ kind: 'calendar', summary: expect.stringContaining('2029') })
    const second = await ok<CursorPage<AuditView>>(
      lcb,
      'admin.audit.list',
      { pageSize: 1, cursor: first.nextCursor },
      DEMO_OPENIDS.supervisor,
    )
    expect(second.list[0]!.summary).toContain('2028')
    expect(second.total).toBe(first.total)
    expect(await call(lcb, 'admin.audit.list', {}, DEMO_OPENIDS.villageHead)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
  })
})

describe('retiring, hand-over and the head’s own station', () => {
  it('refuses to retire an agent with open cases until they are handed on, then retires', async () => {
    const from = 'ag-qs-hy-2' // the demo village agent: resident 1 is paired with them
    const c1 = await submit(DEMO_OPENIDS.resident1)
    expect(c1.agent?.id).toBe(from)
    const r = await call(lcb, 'admin.retire', { kind: 'agent', id: from }, admin)
    expect(r).toMatchObject({
      ok: false,
      error: { code: 'INVALID_STATE', message: expect.stringContaining('移交') },
    })
    // Another station's head may not hand them on; their own head may.
    expect(
      await call(
        lcb,
        'admin.handover',
        { fromAgentId: from, toAgentId: 'ag-qs-hy-3' },
        DEMO_OPENIDS.townshipHead,
      ),
    ).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    expect(
      await call(lcb, 'admin.handover', { fromAgentId: from, toAgentId: 'ag-qs-sm-2' }, admin),
    ).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', fields: { toAgentId: expect.any(String) } },
    })
    const moved = await ok<Actions['admin.handover']['out']>(
      lcb,
      'admin.handover',
      { fromAgentId: from, toAgentId: 'ag-qs-hy-3' },
      DEMO_OPENIDS.villageHead,
    )
    expect(moved.moved).toBeGreaterThanOrEqual(1)
    expect(moved.remaining).toBe(0)
    // The resident's timeline shows the move; the case is the new agent's.
    const after = await ok<CaseView>(lcb, 'cases.get', { caseId: c1.id }, DEMO_OPENIDS.resident1)
    expect(after.agent?.id).toBe('ag-qs-hy-3')
    expect(after.timeline?.at(-1)).toMatchObject({ what: '移交', note: expect.stringContaining('移交给') })
    await ok(lcb, 'admin.retire', { kind: 'agent', id: from }, admin)
    const log = await ok<CursorPage<AuditView>>(lcb, 'admin.audit.list', { recordId: from }, admin)
    expect(log.list.map((e) => e.action)).toEqual(['retire', 'handover'])
    // Back in service for the other tests.
    const roster = await ok<Actions['admin.agents.list']['out']>(
      lcb,
      'admin.agents.list',
      { stationId: STATION },
      admin,
    )
    const {
      id: _i,
      roleLabel: _r,
      kindLabel: _k,
      bound: _b,
      onLeaveToday: _l,
      ...entry
    } = roster.list.find((a) => a.id === from)!
    await ok(lcb, 'admin.agents.save', { ...entry, active: true }, admin)
    expect(await ok(lcb, 'me.profile', {}, DEMO_OPENIDS.villageAgent)).toMatchObject({ agent: { id: from } })
  })

  it('refuses to retire a station with open cases', async () => {
    await submit(DEMO_OPENIDS.resident2, '咨询医保报销')
    expect(await call(lcb, 'admin.retire', { kind: 'station', id: STATION }, admin)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_STATE', message: expect.stringContaining('未办结') },
    })
  })

  it('lets a head keep their own rota and pairings, FORBIDDEN elsewhere', async () => {
    const rota = await ok<Actions['admin.rotas.get']['out']>(
      lcb,
      'admin.rotas.get',
      { stationId: STATION },
      DEMO_OPENIDS.villageHead,
    )
    await ok(lcb, 'admin.rotas.save', { stationId: STATION, weekly: rota.weekly }, DEMO_OPENIDS.villageHead)
    for (const action of ['admin.rotas.get', 'admin.pairings.list', 'admin.agents.list'])
      expect(
        await call(lcb, action, { stationId: 'st-qingshan-shimen' }, DEMO_OPENIDS.villageHead),
      ).toMatchObject({
        ok: false,
        error: { code: 'FORBIDDEN' },
      })
    expect(
      await call(
        lcb,
        'admin.rotas.save',
        { stationId: 'st-qingshan-shimen', weekly: {} },
        DEMO_OPENIDS.villageHead,
      ),
    ).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
  })

  it('refuses a duplicate item code with CONFLICT', async () => {
    const items = await ok<Actions['admin.items.list']['out']>(
      lcb,
      'admin.items.list',
      { pageSize: 2 },
      admin,
    )
    const [a, b] = items.list
    const { id: _i, tierLabel: _t, lacks: _l, _id: _d, ...rest } = b!
    expect(await call(lcb, 'admin.items.save', { ...rest, _id: b!._id, code: a!.code }, admin)).toMatchObject(
      {
        ok: false,
        error: { code: 'CONFLICT' },
      },
    )
  })
})

describe('pairing accepted by the resident in WeChat', () => {
  it('the resident scans the agent’s code, accepts, and their next case goes to the paired agent', async () => {
    const resident = 'o-pairing-resident-new'
    // Before: with no pairing the case goes by the rota (not necessarily ag-qs-hy-4).
    const { id: pairingId } = await ok<{ id: string }>(
      lcb,
      'admin.pairings.save',
      { stationId: STATION, agentId: 'ag-qs-hy-4', residentName: '钱多多', household: '红岩村7组' },
      DEMO_OPENIDS.villageHead,
    )
    const before = await submit(resident, '先问一下')
    expect(before.assignReason).not.toContain('结对')
    // Only the paired agent, their head or an admin shows the code.
    expect(await call(lcb, 'pairings.qrcode', { pairingId }, DEMO_OPENIDS.villageAgent)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    const qr = await ok<Actions['pairings.qrcode']['out']>(
      lcb,
      'pairings.qrcode',
      { pairingId },
      DEMO_OPENIDS.villageHead,
    )
    expect(qr.scene).toBe(`pt=${qr.code}`)
    expect(qr.scene.length).toBeLessThanOrEqual(32)
    const seen = await ok<Actions['pairings.scan']['out']>(lcb, 'pairings.scan', { code: qr.code }, resident)
    expect(seen).toMatchObject({ agentName: expect.any(String), residentName: '钱*多', accepted: false })
    await ok(lcb, 'pairings.accept', { code: qr.code }, resident)
    // Used once: another WeChat user cannot take it over.
    expect(await call(lcb, 'pairings.accept', { code: qr.code }, 'o-someone-else')).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT' },
    })
    const next = await submit(resident, '再来办一件')
    expect(next.agent?.id).toBe('ag-qs-hy-4')
    expect(next.assignReason).toContain('结对')
    const list = await ok<Actions['admin.pairings.list']['out']>(
      lcb,
      'admin.pairings.list',
      { stationId: STATION },
      admin,
    )
    expect(list.list.find((p) => p.id === pairingId)).toMatchObject({ accepted: true })
    expect(JSON.stringify(list)).not.toContain(resident)
  })

  it('an expired code is refused', async () => {
    const { id: pairingId } = await ok<{ id: string }>(
      lcb,
      'admin.pairings.save',
      { stationId: STATION, agentId: 'ag-qs-hy-3', residentName: '孙过期' },
      admin,
    )
    const qr = await ok<{ code: string }>(lcb, 'pairings.qrcode', { pairingId }, admin)
    lcb.clock.advance(11 * 60_000)
    expect(await call(lcb, 'pairings.accept', { code: qr.code }, 'o-late-resident')).toMatchObject({
      ok: false,
      error: { code: 'INVALID_STATE', message: expect.stringContaining('过期') },
    })
  })
})

describe('spreadsheets through WeChat', () => {
  async function upload(sheets: { title: string; rows: string[][] }[], name: string): Promise<string> {
    const wb = new ExcelJS.Workbook()
    for (const s of sheets) wb.addWorksheet(s.title).addRows(s.rows)
    const bytes = Buffer.from(await wb.xlsx.writeBuffer())
    return (await nodeSdk(lcb).uploadFile({ cloudPath: `imports/${name}`, fileContent: bytes })).fileID
  }
  const agentRow = (name: string, phone: string, status = '在用') => {
    const v: Record<string, string> = {
      姓名: name,
      手机: phone,
      服务站编码: 'QS-HY',
      角色: '代理员',
      身份: '党员',
      状态: status,
    }
    return AGENT_HEADERS.map((h) => v[h] ?? '')
  }

  it('checks a sheet without writing (errors by row and column), then imports the fixed one', async () => {
    const stationCode = (await ok<{ code: string }>(lcb, 'stations.get', { id: STATION })).code
    const row = (name: string, phone: string) =>
      agentRow(name, phone).map((c) => (c === 'QS-HY' ? stationCode : c))
    const bad = await upload(
      [
        { title: '说明', rows: [['这是说明页']] },
        { title: '花名册', rows: [[...AGENT_HEADERS], row('周一', '13600000001'), row('周二', '1360000')] },
      ],
      'roster-bad.xlsx',
    )
    const check = await ok<Actions['admin.import.check']['out']>(
      lcb,
      'admin.import.check',
      { kind: 'agents', fileId: bad },
      admin,
    )
    expect(check).toMatchObject({ ok: false, rows: 2 })
    expect(check.errors).toEqual([expect.objectContaining({ row: 3, column: '手机' })])
    const db = nodeSdk(lcb).database()
    expect((await db.collection('agents').where({ name: '周一' }).count()).total).toBe(0)
    const good = await upload(
      [
        {
          title: '花名册',
          rows: [[...AGENT_HEADERS], row('周一', '13600000001'), row('周二', '13600000002')],
        },
      ],
      'roster-good.xlsx',
    )
    expect(await ok(lcb, 'admin.import.check', { kind: 'agents', fileId: good }, admin)).toMatchObject({
      ok: true,
      rows: 2,
      errors: [],
    })
    expect(await ok(lcb, 'admin.import', { kind: 'agents', fileId: good }, admin)).toMatchObject({
      status: 'done',
      imported: 2,
    })
    const log = await ok<CursorPage<AuditView>>(lcb, 'admin.audit.list', { kind: 'import' }, admin)
    expect(log.list[0]).toMatchObject({ action: 'import', summary: expect.stringContaining('花名册 2 条') })
  })

  it('names the wrong sheet, the wrong file type and writes nothing', async () => {
    const items = await upload([{ title: '事项', rows: [['编码', '名称', '分类']] }], 'wrong.xlsx')
    const r = await call(lcb, 'admin.import.check', { kind: 'agents', fileId: items }, admin)
    expect(r).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', fields: { fileId: expect.stringContaining('第 1 行应为表头') } },
    })
    const csv = (
      await nodeSdk(lcb).uploadFile({ cloudPath: 'imports/a.csv', fileContent: Buffer.from('姓名,手机\n') })
    ).fileID
    expect(await call(lcb, 'admin.import', { kind: 'agents', fileId: csv }, admin)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', message: expect.stringContaining('.xlsx') },
    })
    const big = Buffer.alloc(6 * 1024 * 1024)
    big.writeUInt32LE(0x04034b50, 0)
    const bigId = (await nodeSdk(lcb).uploadFile({ cloudPath: 'imports/big.xlsx', fileContent: big })).fileID
    expect(await call(lcb, 'admin.import.check', { kind: 'agents', fileId: bigId }, admin)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', fields: { fileId: expect.stringContaining('过大') } },
    })
  })

  it('refuses a sheet that would retire an agent with open cases', async () => {
    const exported = await ok<{ fileId: string; url: string }>(lcb, 'admin.export', { kind: 'agents' }, admin)
    const bytes = Buffer.from(await (await fetch(encodeURI(exported.url))).arrayBuffer())
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(bytes as unknown as ArrayBuffer)
    const ws = wb.worksheets[0]!
    const statusCol = AGENT_HEADERS.indexOf('状态') + 1
    let target = 0
    ws.eachRow((row, n) => {
      if (row.getCell(1).value === 'ag-qs-hy-3') target = n
    })
    ws.getRow(target).getCell(statusCol).value = '停用'
    const fileId = (
      await nodeSdk(lcb).uploadFile({
        cloudPath: 'imports/retire.xlsx',
        fileContent: Buffer.from(await wb.xlsx.writeBuffer()),
      })
    ).fileID
    const check = await ok<Actions['admin.import.check']['out']>(
      lcb,
      'admin.import.check',
      { kind: 'agents', fileId },
      admin,
    )
    expect(check.errors).toEqual([
      expect.objectContaining({ row: target, column: '状态', message: expect.stringContaining('移交') }),
    ])
  })

  it('offers a template sheet that checks clean once its example row is kept', async () => {
    const t = await ok<Actions['admin.import.template']['out']>(
      lcb,
      'admin.import.template',
      { kind: 'items' },
      admin,
    )
    expect(t.fileName).toBe('代理事项导入模板.xlsx')
    const bytes = Buffer.from(await (await fetch(encodeURI(t.url))).arrayBuffer())
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(bytes as unknown as ArrayBuffer)
    expect(wb.worksheets.map((w) => w.name)).toEqual(['代理事项', '填写说明'])
    expect(await ok(lcb, 'admin.import.check', { kind: 'items', fileId: t.fileId }, admin)).toMatchObject({
      ok: true,
      rows: 1,
    })
  })
})
