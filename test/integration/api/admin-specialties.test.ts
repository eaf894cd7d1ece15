/**
 * 擅长类别 on the roster (assignment rule 3): a head picks a colleague's specialties from the
 * catalog's categories, only known ones, only at their own station, audited; the next case of that
 * category then goes to them when neither a pairing nor the rota applies.
 */
import type { LocalCloudBase } from '../../../local-cloudbase/server'
import type { Actions, AuditView, CursorPage } from '../../../typings/api'
import { DEMO_OPENIDS, call, ok, startApi } from '../../helpers/api'
import { submitCall } from '../../helpers/builders'

let lcb: LocalCloudBase
const STATION = 'st-qingshan-hongyan'
// 劳动保障: nobody at 红岩村 is good at it in the demo roster.
const LABOUR = { itemId: 'it-LDBZ-001', stationId: STATION, description: '想咨询灵活就业社保补贴' }
// 赵大海 is paired at 梨花村, not here: rule 1 does not apply to him at 红岩村.
const resident = DEMO_OPENIDS.resident2
const head = DEMO_OPENIDS.villageHead
type Roster = Actions['admin.agents.list']['out']

beforeAll(async () => {
  // Sunday 2026-12-06: 红岩村's rota has nobody on Sundays, so rule 2 does not apply either.
  lcb = await startApi('2026-12-06T10:00:00+08:00')
}, 30_000)
afterAll(() => lcb.stop())

describe('擅长类别', () => {
  it('the roster offers the catalog categories; a head may change only their people’s specialties', async () => {
    const asHead = await ok<Roster>(lcb, 'admin.agents.list', { stationId: STATION }, head)
    expect(asHead.editable).toBe('specialties')
    expect(asHead.categories).toEqual(expect.arrayContaining(['民政', '劳动保障', '信息提供']))
    expect(asHead.list.find((a) => a.id === 'ag-qs-hy-4')!.specialties).toEqual(['信息提供', '公益事业'])
    const asAdmin = await ok<Roster>(lcb, 'admin.agents.list', { stationId: STATION }, DEMO_OPENIDS.admin)
    expect(asAdmin.editable).toBe('all')

    const pick = (specialties: unknown, openid: string = head, agentId = 'ag-qs-hy-4') =>
      call(lcb, 'admin.agents.specialties', { agentId, specialties }, openid)
    expect(await pick(['信息提供', '养老'])).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', fields: { specialties: '「养老」不是事项目录中的分类' } },
    })
    expect(await pick(['劳动保障'], DEMO_OPENIDS.townshipHead)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN', message: '站长只能维护本站人员的擅长类别' },
    })
    expect(await pick(['劳动保障'], DEMO_OPENIDS.villageAgent)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    // Another station's person, by id: refused too.
    expect(await pick(['劳动保障'], head, 'ag-qs-sm-2')).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    // The full save checks the field the same way, for admins.
    const save = await call(
      lcb,
      'admin.agents.save',
      {
        _id: 'ag-qs-hy-4',
        name: '潘小燕',
        phone: asAdmin.list.find((a) => a.id === 'ag-qs-hy-4')!.phone,
        stationId: STATION,
        role: 'agent',
        kind: 'party_member',
        specialties: ['民政', '看病'],
      },
      DEMO_OPENIDS.admin,
    )
    expect(save).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', fields: { specialties: '「看病」不是事项目录中的分类' } },
    })
  })

  it('an agent given a specialty gets the next case of that category', async () => {
    const before = await submitCall(lcb, LABOUR, resident)
    expect(before).toMatchObject({
      ok: true,
      data: { agent: { id: 'ag-qs-hy-1' }, assignReason: '站长兜底' },
    })

    // Duplicates are kept once.
    await ok(
      lcb,
      'admin.agents.specialties',
      { agentId: 'ag-qs-hy-4', specialties: ['信息提供', '公益事业', '劳动保障', '劳动保障'] },
      head,
    )
    const after = await submitCall(lcb, LABOUR, resident)
    expect(after).toMatchObject({
      ok: true,
      data: { agent: { id: 'ag-qs-hy-4' }, assignReason: '擅长「劳动保障」，在办件最少' },
    })

    const log = await ok<CursorPage<AuditView>>(
      lcb,
      'admin.audit.list',
      { kind: 'agent', recordId: 'ag-qs-hy-4', pageSize: 5 },
      DEMO_OPENIDS.admin,
    )
    expect(log.list[0]).toMatchObject({
      summary: '修改「潘小燕」的擅长类别',
      before: { specialties: ['信息提供', '公益事业'] },
      after: { specialties: ['信息提供', '公益事业', '劳动保障'] },
    })
  })
})
