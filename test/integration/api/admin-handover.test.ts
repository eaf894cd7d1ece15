/**
 * 整站移交 and retiring a station, the review's findings, through the real `api` on Local
 * CloudBase: a village room's own 上报件 never end up owned and decided by the same station (the
 * parent cannot receive the room while it works on them); only an agent or head receives; the
 * receiver hears once per call, not once per case; and a station is not retired while it still
 * has active child stations, open 整改 or booked appointments.
 */
import type { LocalCloudBase } from '../../../local-cloudbase/server'
import type { Actions, CaseView } from '../../../typings/api'
import { DEMO_OPENIDS, call, ok, startApi, fieldsOf } from '../../helpers/api'
import { nodeSdk } from '../../helpers/local-cloudbase'

let lcb: LocalCloudBase
const { admin, villageHead, townshipHead, resident1, resident2 } = DEMO_OPENIDS
const ROOM = 'st-qingshan-hongyan' // village room under 青山镇 (st-qingshan)
let seq = 0
const db = () => nodeSdk(lcb).database()

/** The field messages of a refused call (empty when it went through). */

beforeAll(async () => {
  lcb = await startApi()
}, 30_000)
afterAll(() => lcb.stop())

function submit(itemId: string, stationId = ROOM, openid: string = resident2): Promise<CaseView> {
  seq += 1
  return ok<CaseView>(
    lcb,
    'cases.submit',
    { itemId, stationId, description: `咨询 ${seq}`, applicantName: '赵大山', applicantPhone: '13912340000' },
    openid,
    `ho-${seq}`,
  )
}

const handOverStation = (stationId: string, toAgentId: string) =>
  call<Actions['admin.handover.station']['out']>(
    lcb,
    'admin.handover.station',
    { stationId, toAgentId },
    admin,
  )

describe('整站移交 of a village room whose 上报件 its parent is working on', () => {
  let escalated: CaseView

  it('refuses the parent station as receiver, with how many and what to do; a same-tier room works', async () => {
    // One 上报件 (最低生活保障 is decided at the township) and one case of the room's own.
    const c = await submit('it-MZ-001')
    escalated = await ok<CaseView>(
      lcb,
      'cases.accept',
      { caseId: c.id, version: c.version, handling: 'escalated' },
      villageHead,
    )
    expect(escalated.state).toBe('escalated')
    await submit('it-MZ-003')

    const toParent = await handOverStation(ROOM, 'ag-qs-2')
    expect(toParent).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
    expect(fieldsOf(toParent).toAgentId).toMatch(/1 件上报件正由青山镇.*同级服务站/)
    // Nothing moved.
    expect(
      (await db().collection('cases').where({ stationId: ROOM, state: 'escalated' }).count()).total,
    ).toBe(1)

    // To a neighbouring room: the owner side moves, the township keeps working the 上报件.
    const assigned = () => db().collection('outbox').where({ event: 'caseAssigned' }).count()
    const before = (await assigned()).total
    const moved = await handOverStation(ROOM, 'ag-qs-sm-2')
    expect(moved).toMatchObject({ ok: true, data: { moved: 2, remaining: 0 } })
    // The receiver hears once for the call, with the count, not once per case.
    expect((await assigned()).total).toBe(before + 1)
    const { data: notes } = await db()
      .collection('outbox')
      .where({ event: 'caseAssigned', _id: db().RegExp({ regexp: '^handover:ag-qs-sm-2:' }) })
      .get()
    expect(notes.map((m) => (m.data as Record<string, { value: string }>).thing1!.value)).toEqual([
      '移交申请 2 件',
    ])
    const seen = await ok<CaseView>(lcb, 'cases.get', { caseId: escalated.id }, townshipHead)
    expect(seen.upperStep).toBe('accept')
    await ok(lcb, 'cases.acceptUpper', { caseId: escalated.id, version: seen.version }, townshipHead)
    expect((await ok<CaseView>(lcb, 'cases.get', { caseId: escalated.id }, townshipHead)).upperStep).toBe(
      'complete',
    )
  })
})

describe('who may receive', () => {
  it('refuses an admin or supervisor as receiver, for a station and for one agent', async () => {
    const entry = (id: string, stationId: string, role: string, phone: string) =>
      ok(
        lcb,
        'admin.agents.save',
        { _id: id, name: '非承办人', phone, stationId, role, kind: 'party_member' },
        admin,
      )
    await entry('ag-qs-sm-sup', 'st-qingshan-shimen', 'supervisor', '13700000201')
    await entry('ag-qs-hy-adm', ROOM, 'admin', '13700000202')
    const toSupervisor = await handOverStation('st-qingshan-longjing', 'ag-qs-sm-sup')
    expect(fieldsOf(toSupervisor).toAgentId).toContain('代理员或站长')
    const toAdmin = await call(
      lcb,
      'admin.handover',
      { fromAgentId: 'ag-qs-hy-3', toAgentId: 'ag-qs-hy-adm' },
      admin,
    )
    expect(fieldsOf(toAdmin).toAgentId).toContain('代理员或站长')
  })
})

describe('retiring a station with nothing left to hand on', () => {
  const retire = (id: string) => call(lcb, 'admin.retire', { kind: 'station', id }, admin)
  const refusal = async (id: string) => {
    const r = await retire(id)
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_STATE' } })
    return r.ok ? '' : r.error.message
  }

  it('refuses a township whose village rooms are still in use', async () => {
    const message = await refusal('st-songlin')
    expect(message).toContain('下面还有 4 个在用的服务站')
    expect(message).toContain('改挂到其他上级服务站或停用')
    expect(message).not.toMatch(/申请|整改|预约/)
  })

  it('refuses a room with a booked appointment, then with an open 整改', async () => {
    // The room's cases went to 石门 above: only what follows is left.
    expect(await handOverStation(ROOM, 'ag-qs-sm-2')).toMatchObject({ ok: true, data: { moved: 0 } })
    const { schedules } = await ok<Actions['appointments.slots']['out']>(lcb, 'appointments.slots', {
      stationId: ROOM,
    })
    const slot = schedules[0]!.days.flatMap((d) => d.slots).find((s) => s.remaining > 0)!
    const booking = await ok<{ id: string }>(
      lcb,
      'appointments.book',
      { slotKey: slot.key, name: '王秀英', phone: '13912345678' },
      resident1,
    )
    let message = await refusal(ROOM)
    expect(message).toContain('还有 1 个未到期的预约')
    expect(message).not.toMatch(/未办结的申请|整改/)
    await ok(lcb, 'appointments.cancel', { bookingId: booking.id }, resident1)

    // A 差评 opens a 整改 for the head.
    let c = await submit('it-ZZWW-001', ROOM, resident1)
    for (const [action, extra] of [
      ['cases.accept', { handling: 'promised' }],
      ['cases.complete', { result: '已调解' }],
      ['cases.deliver', {}],
    ] as const)
      c = await ok<CaseView>(lcb, action, { caseId: c.id, version: c.version, ...extra }, villageHead)
    await ok(lcb, 'cases.rate', { caseId: c.id, level: 'dissatisfied', comment: '不满意' }, resident1)
    message = await refusal(ROOM)
    expect(message).toContain('还有 1 件整改未结束')
    expect(message).not.toMatch(/未办结的申请|预约/)
    // The station edit form's 停用 goes through the same check.
    const station = await ok<Record<string, unknown>>(lcb, 'stations.get', { id: ROOM })
    expect(
      await call(
        lcb,
        'admin.stations.save',
        {
          _id: ROOM,
          code: station.code,
          name: station.name,
          tier: 'village',
          parentId: 'st-qingshan',
          address: station.address,
          location: station.location,
          hotline: station.hotline,
          hours: station.hours,
          active: false,
        },
        admin,
      ),
    ).toMatchObject({ ok: false, error: { code: 'INVALID_STATE', message: expect.stringContaining('整改') } })
  })
})
