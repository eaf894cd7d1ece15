/**
 * The access matrix's table and the fixtures it needs, made through the api as users would.
 * Shared by the access-matrix test (every action × ten callers) and the fuzz test (whose
 * templates are the valid payloads built here).
 *
 * Expectations, one letter per caller in ROLES order:
 *   O  the call succeeds (`ok: true`) — a valid payload for that caller
 *   A  UNAUTHENTICATED (no WeChat user)
 *   F  FORBIDDEN
 *   D  refused: UNAUTHENTICATED, FORBIDDEN or NOT_FOUND (hidden)
 *   C  CONFLICT: let in, but the object is already taken (binding a second roster entry)
 *   S  INVALID_STATE: let in, but refused by a time rule the fixed clock cannot meet
 */
import type { LocalCloudBase } from '../../local-cloudbase/server'
import { DEMO_OPENIDS, ok } from './api'
import { nodeSdk } from './local-cloudbase'
import { uploadDirOf } from '../../server/lib/files'

export const ROLES = [
  'none',
  'resident',
  'owner',
  'agent',
  'agentElse',
  'head',
  'headElse',
  'upper',
  'supervisor',
  'admin',
] as const
export type Role = (typeof ROLES)[number]

export const OPENID: Record<Role, string> = {
  none: '',
  resident: DEMO_OPENIDS.resident2,
  owner: DEMO_OPENIDS.resident1,
  agent: DEMO_OPENIDS.villageAgent,
  agentElse: 'o-matrix-agent-lihua',
  head: DEMO_OPENIDS.villageHead,
  headElse: 'o-matrix-head-lihua',
  upper: DEMO_OPENIDS.townshipHead,
  supervisor: DEMO_OPENIDS.supervisor,
  admin: DEMO_OPENIDS.admin,
}

export const STATION = 'st-qingshan-hongyan'
const TOWNSHIP = 'st-qingshan'
export const ITEM = 'it-MZ-003'

let lcb: LocalCloudBase

/** The Local CloudBase the fixtures are made on. */
export function useLocalCloudBase(l: LocalCloudBase): void {
  lcb = l
}
let seq = 0
export const rid = () => `mx-${++seq}-${Date.now().toString(36)}`

export type Payload = Record<string, unknown>
export interface Row {
  /** Ten letters, one per caller in ROLES order. */
  expect: string
  /** Builds the payload; called once for the denied callers and once per allowed caller. */
  payload?: (role: Role) => Promise<Payload> | Payload
  /** For read-only rows: one object serves every caller. */
  shared?: boolean
  /** The payload depends on the caller (e.g. their own upload folder). */
  perRole?: boolean
  /** Undoes what an allowed call changed that other rows rely on. */
  after?: () => Promise<void>
}

// ---- fixtures made through the api, as users would ------------------------------------------

// A type, not an interface: it must fit the payload's index signature.
type CaseRef = {
  caseId: string
  version: number
}

async function submitted(openid = OPENID.owner): Promise<CaseRef> {
  const c = await ok<{ id: string; version: number }>(
    lcb,
    'cases.submit',
    {
      itemId: ITEM,
      stationId: STATION,
      description: '想申请临时救助',
      applicantName: '王秀英',
      applicantPhone: '13912345678',
    },
    openid,
    rid(),
  )
  return { caseId: c.id, version: c.version }
}

export async function accepted(handling = 'promised', extra: Payload = {}): Promise<CaseRef> {
  const c = await submitted()
  const v = await ok<{ version: number }>(lcb, 'cases.accept', { ...c, handling, ...extra }, OPENID.agent)
  return { caseId: c.caseId, version: v.version }
}

async function completed(): Promise<CaseRef> {
  const c = await accepted()
  const v = await ok<{ version: number }>(lcb, 'cases.complete', { ...c, result: '已办结' }, OPENID.agent)
  return { caseId: c.caseId, version: v.version }
}

async function delivered(): Promise<CaseRef> {
  const c = await completed()
  const v = await ok<{ version: number }>(lcb, 'cases.deliver', c, OPENID.agent)
  return { caseId: c.caseId, version: v.version }
}

async function escalated(): Promise<CaseRef> {
  return accepted('escalated')
}

async function upperAccepted(): Promise<CaseRef> {
  const c = await escalated()
  const v = await ok<{ version: number }>(lcb, 'cases.acceptUpper', c, OPENID.upper)
  return { caseId: c.caseId, version: v.version }
}

async function badlyRated(): Promise<CaseRef> {
  const c = await delivered()
  await ok(lcb, 'cases.rate', { caseId: c.caseId, level: 'dissatisfied', comment: '太慢' }, OPENID.owner)
  return c
}

export async function walkIn(): Promise<{ caseId: string; claimCode: string }> {
  const c = await ok<{ id: string; claimCode: string }>(
    lcb,
    'cases.submit',
    {
      itemId: ITEM,
      stationId: STATION,
      description: '电话求助',
      applicantName: '赵大爷',
      applicantPhone: '13800001111',
      onBehalf: true,
    },
    OPENID.agent,
    rid(),
  )
  return { caseId: c.id, claimCode: c.claimCode }
}

export async function complaint(): Promise<string> {
  const c = await ok<{ id: string }>(
    lcb,
    'complaints.submit',
    { stationId: STATION, name: '王秀英', phone: '13912345678', text: '窗口无人值守' },
    OPENID.owner,
    rid(),
  )
  return c.id
}

let slotCursor = 0
async function freeSlot(): Promise<string> {
  const { schedules } = await ok<{
    schedules: { days: { slots: { key: string; remaining: number }[] }[] }[]
  }>(lcb, 'appointments.slots', { stationId: STATION })
  const slots = schedules[0]!.days.flatMap((d) => d.slots).filter((s) => s.remaining > 0)
  return slots[slotCursor++ % slots.length]!.key
}

/** The booking cap allows one active booking per station and kind: the owner's earlier ones go. */
async function clearBookings(openid: string): Promise<void> {
  const mine = await ok<{ list: { id: string; kind: string; status: string }[] }>(
    lcb,
    'appointments.mine',
    { pageSize: 100 },
    openid,
  )
  for (const b of mine.list.filter((x) => x.status === 'booked'))
    await ok(lcb, 'appointments.cancel', { bookingId: b.id }, openid)
}

export async function booking(): Promise<string> {
  await clearBookings(OPENID.owner)
  const b = await ok<{ id: string }>(
    lcb,
    'appointments.book',
    { slotKey: await freeSlot(), name: '王秀英', phone: '13912345678' },
    OPENID.owner,
  )
  return b.id
}

async function visitRequest(): Promise<string> {
  const { visitDays } = await ok<{ visitDays: { day: string }[] }>(lcb, 'appointments.slots', {
    stationId: STATION,
  })
  // One open visit request per resident and station: each fixture is another resident's.
  const b = await ok<{ id: string }>(
    lcb,
    'appointments.requestVisit',
    {
      stationId: STATION,
      name: '王秀英',
      phone: '13912345678',
      address: '红岩村3组',
      reason: 'elderly',
      windows: [{ day: visitDays[0]!.day, part: 'am' }],
    },
    `o-matrix-visitor-${++seq}`,
  )
  return b.id
}

async function invitation(): Promise<string> {
  const r = await ok<{ code: string }>(lcb, 'admin.roster.invite', { agentId: 'ag-qs-hy-4' }, OPENID.admin)
  return r.code
}

async function unbind(): Promise<void> {
  await nodeSdk(lcb).database().collection('agents').doc('ag-qs-hy-4').update({ openid: null })
}

// ---- the table ------------------------------------------------------------------------------

const EVERYONE = 'OOOOOOOOOO'
const SIGNED_IN = 'AOOOOOOOOO'
const ADMIN_ONLY = 'ADDDDDDDDO'
const STAFF_OF_CASE = 'DDDODODDDD'

const station = { stationId: STATION }
const TWO_TASKS = [
  { title: '核实家庭情况', department: '民政办', days: 2 },
  { title: '出具证明', department: '派出所', days: 2 },
]

export const MATRIX: Record<string, Row> = {
  'catalog.list': { expect: EVERYONE, payload: () => ({ stationId: STATION }) },
  'catalog.get': { expect: EVERYONE, payload: () => ({ id: ITEM }) },
  'stations.list': { expect: EVERYONE, payload: () => ({}) },
  'stations.get': { expect: EVERYONE, payload: () => ({ id: STATION }) },
  'duty.today': { expect: EVERYONE, payload: () => station },
  'stations.qrcode': { expect: EVERYONE, payload: () => station },
  'appointments.slots': { expect: EVERYONE, payload: () => station },
  // Signed out: no openid, no roster entry, no upload folder — nothing to leak.
  'me.profile': { expect: EVERYONE, payload: () => ({}) },
  'notify.grant': { expect: SIGNED_IN, payload: () => ({ accepted: ['TPL-DUE'] }) },
  'notify.mine': { expect: SIGNED_IN, payload: () => ({}) },
  'cases.mine': { expect: SIGNED_IN, payload: () => ({}) },
  'appointments.mine': { expect: SIGNED_IN, payload: () => ({}) },
  'complaints.mine': { expect: SIGNED_IN, payload: () => ({}) },
  // Any WeChat user holding an invitation binds it; someone already on the roster cannot bind a
  // second entry. The binding is undone after each call so the callers keep their roles.
  'roster.bind': { expect: 'AOOCCCCCCC', payload: async () => ({ code: await invitation() }), after: unbind },
  'cases.submit': {
    expect: SIGNED_IN,
    payload: () => ({
      itemId: ITEM,
      stationId: STATION,
      description: '想申请临时救助',
      applicantName: '王秀英',
      applicantPhone: '13912345678',
    }),
  },
  // The upper station sees a case only once it is escalated to it (see the 上报件 rows).
  'cases.get': { expect: 'DDOODODDOD', shared: true, payload: () => accepted() },
  'cases.contact': { expect: 'DDOODODDOD', shared: true, payload: () => accepted() },
  'cases.accept': {
    expect: STAFF_OF_CASE,
    payload: async () => ({ ...(await submitted()), handling: 'promised' }),
  },
  'cases.reject': {
    expect: STAFF_OF_CASE,
    payload: async () => ({ ...(await submitted()), reason: '不属于代理范围' }),
  },
  'cases.complete': {
    expect: STAFF_OF_CASE,
    payload: async () => ({ ...(await accepted()), result: '已办结' }),
  },
  'cases.deliver': { expect: STAFF_OF_CASE, payload: () => completed() },
  'cases.requestSupplement': {
    expect: STAFF_OF_CASE,
    payload: async () => ({ ...(await accepted()), materials: ['户口本'] }),
  },
  'cases.escalate': { expect: STAFF_OF_CASE, payload: () => accepted() },
  'cases.addTasks': {
    expect: STAFF_OF_CASE,
    payload: async () => ({
      ...(await accepted()),
      tasks: TWO_TASKS,
    }),
  },
  'cases.completeTask': {
    expect: STAFF_OF_CASE,
    payload: async () => {
      const c = await accepted()
      const v = await ok<{ version: number; tasks: { id: string }[] }>(
        lcb,
        'cases.addTasks',
        { ...c, tasks: TWO_TASKS },
        OPENID.agent,
      )
      return { caseId: c.caseId, version: v.version, taskId: v.tasks[0]!.id, result: '已核实' }
    },
  },
  'cases.acceptUpper': { expect: 'DDDDDDDODD', payload: () => escalated() },
  'cases.completeUpper': {
    expect: 'DDDDDDDODD',
    payload: async () => ({ ...(await upperAccepted()), result: '上级已办结' }),
  },
  'cases.reassign': {
    expect: 'DDDDDODDDD',
    payload: async () => ({ ...(await submitted()), agentId: 'ag-qs-hy-3', reason: '请假' }),
  },
  'cases.extend': {
    expect: 'DDDDDODDDD',
    payload: async () => ({ ...(await accepted()), days: 2, reason: '需要上级部门会签' }),
  },
  'cases.withdraw': { expect: 'DDODDDDDDD', payload: () => submitted().then((c) => ({ caseId: c.caseId })) },
  'cases.rate': {
    expect: 'DDODDDDDDD',
    payload: async () => ({ caseId: (await delivered()).caseId, level: 'satisfied' }),
  },
  // The resident, or their agent or head at the counter.
  'cases.supplement': {
    expect: 'DDOODODDDD',
    perRole: true,
    payload: async (role) => {
      const c = await accepted('supplement', { missingMaterials: ['户口本'] })
      const openid = OPENID[role] || 'o-nobody'
      return {
        caseId: c.caseId,
        attachments: [`cloud://local.local-1250000000/${uploadDirOf(openid)}/b1/abcdefgh12.jpg`],
      }
    },
  },
  'cases.claim': {
    // A walk-in case is claimed by whoever holds the code and the phone: any signed-in user.
    expect: SIGNED_IN,
    payload: async () => ({ claimCode: (await walkIn()).claimCode, phone: '13800001111' }),
  },
  'cases.reissueClaimCode': {
    expect: STAFF_OF_CASE,
    payload: async () => ({ caseId: (await walkIn()).caseId }),
  },
  // Every agent and head has a workbench of their own station (the township head included).
  'work.inbox': { expect: 'DDDOOOOODD', payload: () => ({}) },
  'appointments.book': {
    expect: SIGNED_IN,
    payload: async () => ({ slotKey: await freeSlot(), name: '王秀英', phone: '13912345678' }),
  },
  'appointments.cancel': { expect: 'DDODDDDDDD', payload: async () => ({ bookingId: await booking() }) },
  'appointments.reschedule': {
    expect: 'DDODDDDDDD',
    payload: async () => ({ bookingId: await booking(), slotKey: await freeSlot() }),
  },
  'appointments.requestVisit': {
    expect: SIGNED_IN,
    payload: async () => {
      const { visitDays } = await ok<{ visitDays: { day: string }[] }>(lcb, 'appointments.slots', station)
      return {
        stationId: STATION,
        name: '王秀英',
        phone: '13912345678',
        address: '红岩村3组',
        reason: 'elderly',
        windows: [{ day: visitDays[0]!.day, part: 'am' }],
      }
    },
  },
  'work.appointments': { expect: 'DDDOOOOODD', payload: () => ({}) },
  // 到场 can be noted from 1 hour before the start; the earliest bookable slot is 2 hours away.
  'work.appointments.mark': {
    expect: 'DDDSDSDDDD',
    payload: async () => ({ bookingId: await booking(), outcome: 'arrived' }),
  },
  'work.appointments.contact': {
    expect: 'DDDODODDDD',
    shared: true,
    payload: async () => ({ bookingId: await booking() }),
  },
  'work.visits.confirm': {
    expect: 'DDDODODDDD',
    payload: async () => {
      const { visitDays } = await ok<{ visitDays: { day: string }[] }>(lcb, 'appointments.slots', station)
      return { bookingId: await visitRequest(), day: visitDays[0]!.day, start: '09:30' }
    },
  },
  'work.visits.decline': {
    expect: 'DDDODODDDD',
    payload: async () => ({ bookingId: await visitRequest(), reason: '请到站办理' }),
  },
  'work.visits.schedule': {
    expect: 'DDDODODDDD',
    payload: async () => {
      const c = await ok<{ id: string }>(
        lcb,
        'cases.submit',
        {
          itemId: ITEM,
          stationId: STATION,
          description: '行动不便，请上门',
          applicantName: '王秀英',
          applicantPhone: '13912345678',
          visit: 'home',
        },
        OPENID.owner,
        rid(),
      )
      const { visitDays } = await ok<{ visitDays: { day: string }[] }>(lcb, 'appointments.slots', station)
      return { caseId: c.id, day: visitDays[0]!.day, start: '10:00' }
    },
  },
  'admin.schedules.get': { expect: 'DDDDDODDDO', payload: () => ({ stationId: STATION }) },
  'admin.schedules.save': {
    expect: 'DDDDDODDDO',
    payload: () => ({
      stationId: STATION,
      kind: 'service',
      periods: [{ weekdays: [1, 2, 3, 4, 5], start: '09:00', end: '12:00', slotMinutes: 30, capacity: 5 }],
      closedDays: [],
      confirmAffected: true,
    }),
  },
  'admin.booking.saveRules': {
    expect: ADMIN_ONLY,
    payload: () => ({
      horizonDays: 14,
      minNoticeMinutes: 120,
      cancelCutoffMinutes: 60,
      noShowLimit: 3,
      noShowWindowDays: 90,
    }),
  },
  'admin.templates.save': {
    expect: ADMIN_ONLY,
    payload: () => ({
      event: 'caseAssigned',
      templateId: 'TPL-ASSIGNED',
      page: 'work/case/index',
      fields: { thing1: 'itemName' },
    }),
  },
  'admin.reminders.save': {
    expect: ADMIN_ONLY,
    payload: async () =>
      (await ok<{ reminders: Payload }>(lcb, 'admin.settings.get', {}, OPENID.admin)).reminders,
  },
  'admin.settings.get': { expect: ADMIN_ONLY, payload: () => ({}) },
  // Only the operator's management call (no user, not from the mini-program): npm run doctor.
  'system.probe': { expect: 'FFFFFFFFFF', payload: () => ({}) },
  'admin.roster.invite': { expect: ADMIN_ONLY, payload: () => ({ agentId: 'ag-qs-hy-4' }) },
  'admin.stations.save': {
    expect: ADMIN_ONLY,
    payload: async () => {
      const s = await ok<Payload>(lcb, 'stations.get', { id: 'st-qingshan-shimen' })
      return {
        _id: 'st-qingshan-shimen',
        code: s.code,
        name: s.name,
        tier: 'village',
        parentId: TOWNSHIP,
        address: s.address,
        hotline: s.hotline,
        hours: s.hours,
        location: s.location,
      }
    },
  },
  'admin.items.save': { expect: ADMIN_ONLY, payload: () => itemPayload() },
  'admin.agents.save': {
    expect: ADMIN_ONLY,
    payload: () => ({
      _id: `ag-mx-${++seq}`,
      name: '测试员',
      phone: '13700000000',
      role: 'agent',
      kind: 'party_member',
      stationId: STATION,
      specialties: [],
    }),
  },
  // A head keeps their own people's 擅长类别 (FORBIDDEN elsewhere).
  'admin.agents.specialties': {
    expect: 'DDDDDODDDO',
    payload: () => ({ agentId: 'ag-qs-hy-4', specialties: ['信息提供', '公益事业'] }),
  },
  // A head keeps their own station's rota (FORBIDDEN elsewhere).
  'admin.rotas.save': {
    expect: 'DDDDDODDDO',
    payload: () => ({
      stationId: STATION,
      mode: 'duty',
      weekly: { '1': ['ag-qs-hy-2'], '2': ['ag-qs-hy-3'], '3': [], '4': [], '5': [], '6': [], '7': [] },
    }),
  },
  'admin.pairings.save': {
    expect: 'DDDDDODDDO',
    payload: () => ({ stationId: STATION, agentId: 'ag-qs-hy-3', residentName: '石光荣' }),
  },
  'admin.retire': {
    expect: ADMIN_ONLY,
    payload: async () => {
      const id = `ag-rt-${++seq}`
      await ok(
        lcb,
        'admin.agents.save',
        {
          _id: id,
          name: '退休员',
          phone: '13700000001',
          role: 'agent',
          kind: 'volunteer',
          stationId: STATION,
          specialties: [],
        },
        OPENID.admin,
      )
      return { kind: 'agent', id }
    },
  },
  'admin.calendar.saveYear': {
    expect: ADMIN_ONLY,
    payload: () => ({ year: 2028, holidays: ['2028-01-01'], workdays: [] }),
  },
  'admin.import': { expect: ADMIN_ONLY, payload: () => importPayload() },
  'admin.export': { expect: ADMIN_ONLY, payload: () => ({ kind: 'stations' }) },
  'admin.import.check': { expect: ADMIN_ONLY, payload: () => importPayload() },
  'admin.import.template': { expect: ADMIN_ONLY, payload: () => ({ kind: 'items' }) },
  'admin.audit.list': { expect: 'DDDDDDDDOO', payload: () => ({ pageSize: 5 }) },
  // A head hands on the cases of their own station's agents only.
  'admin.handover': {
    expect: 'DDDDDODDDO',
    payload: () => ({ fromAgentId: 'ag-qs-hy-4', toAgentId: 'ag-qs-hy-3' }),
  },
  // 整站移交 (admins only): a quiet village room's open cases (none) to a neighbour's agent.
  'admin.handover.station': {
    expect: ADMIN_ONLY,
    payload: () => ({ stationId: 'st-songlin-daba', toAgentId: 'ag-sl-sk-2' }),
  },
  'admin.stations.list': { expect: ADMIN_ONLY, payload: () => ({}) },
  'admin.items.list': { expect: ADMIN_ONLY, payload: () => ({ pageSize: 5 }) },
  'admin.agents.list': { expect: 'DDDDDODDDO', payload: () => station },
  'admin.rotas.get': { expect: 'DDDDDODDDO', payload: () => station },
  'admin.pairings.list': { expect: 'DDDDDODDDO', payload: () => station },
  'admin.templates.get': { expect: ADMIN_ONLY, payload: () => ({}) },
  'admin.templates.test': {
    expect: ADMIN_ONLY,
    payload: async () => {
      await ok(
        lcb,
        'admin.templates.save',
        {
          event: 'caseAssigned',
          templateId: 'TPL-ASSIGNED',
          page: 'work/case/index',
          fields: { thing1: 'itemName' },
        },
        OPENID.admin,
      )
      return { event: 'caseAssigned' }
    },
  },
  'admin.calendar.get': { expect: ADMIN_ONLY, payload: () => ({ year: 2027 }) },
  'admin.print': { expect: 'DDDDDODDDO', payload: () => ({ stationId: STATION, kind: 'card' }) },
  // The paired agent (the village agent here), their head or an admin shows the code.
  'pairings.qrcode': {
    expect: 'DDDODODDDO',
    payload: async () => ({ pairingId: await newPairing(STATION, 'ag-qs-hy-2') }),
  },
  'pairings.scan': { expect: SIGNED_IN, payload: async () => ({ code: await pairingCode() }) },
  'pairings.accept': { expect: SIGNED_IN, payload: async () => ({ code: await pairingCode() }) },
  'calendar.status': { expect: 'DDDOOOOOOO', payload: () => ({}) },
  'supervise.overdue': { expect: 'DDDDDDDDOO', payload: () => ({}) },
  'supervise.urge': {
    expect: 'DDDDDDDDOD',
    payload: async () => ({ ...(await accepted()), note: '请尽快办理' }),
  },
  'supervise.kpis': { expect: 'DDDDDDDDOO', payload: () => ({ kind: 'month', key: '2026-11' }) },
  'supervise.kpis.export': { expect: 'DDDDDDDDOO', payload: () => ({ kind: 'quarter', key: '2026-Q4' }) },
  // Heads see their own station's 整改 (empty elsewhere), supervisors all; admins none (contents).
  'rectify.list': { expect: 'DDDDDOOOOD', payload: () => ({}) },
  'rectify.step': {
    expect: 'DDDDDODDDD',
    payload: async () => ({ caseId: (await badlyRated()).caseId, step: 'verify', note: '已核实' }),
  },
  'rectify.rateFix': {
    expect: 'DDODDDDDDD',
    payload: async () => {
      const { caseId } = await badlyRated()
      await ok(lcb, 'rectify.step', { caseId, step: 'verify', note: '已核实' }, OPENID.head)
      await ok(lcb, 'rectify.step', { caseId, step: 'fix', note: '已整改', outcome: 'fixed' }, OPENID.head)
      await ok(lcb, 'rectify.step', { caseId, step: 'visit', note: '已回访' }, OPENID.head)
      return { caseId, level: 'satisfied' }
    },
  },
  'complaints.submit': {
    expect: SIGNED_IN,
    payload: () => ({ stationId: STATION, name: '王秀英', phone: '13912345678', text: '窗口无人值守' }),
  },
  'complaints.list': { expect: 'DDDDDDDDOD', payload: () => ({}) },
  'complaints.reply': {
    expect: 'DDDDDDDDOD',
    payload: async () => ({ id: await complaint(), reply: '已责成整改' }),
  },
  'complaints.contact': {
    expect: 'DDDDDDDDOD',
    shared: true,
    payload: async () => ({ id: await complaint() }),
  },
  // Last: the fuzz test draws its fixed-seed inputs in table order; a new row keeps earlier rows' draws.
  'notify.templates': { expect: SIGNED_IN, payload: () => ({ moment: 'apply' }) },
  'supervise.kpis.trend': { expect: 'DDDDDDDDOO', payload: () => ({}) },
  'admin.kpiTargets.save': { expect: ADMIN_ONLY, payload: () => ({ onTime: 95 }) },
}

async function itemPayload(): Promise<Payload> {
  const it = await ok<Payload>(lcb, 'catalog.get', { id: 'it-MZ-001' })
  return {
    _id: 'it-MZ-001',
    code: it.code,
    name: it.name,
    category: it.category,
    tier: it.tier,
    promisedDays: it.promisedDays,
    materials: it.materials,
    steps: it.steps,
    fee: it.fee,
    proxyMode: it.proxyMode,
    departments: it.departments,
    homeVisit: it.homeVisit,
    published: true,
  }
}

async function newPairing(stationId: string, agentId: string): Promise<string> {
  const r = await ok<{ id: string }>(
    lcb,
    'admin.pairings.save',
    { stationId, agentId, residentName: `矩阵户${++seq}` },
    OPENID.admin,
  )
  return r.id
}

/** A fresh pairing code at another station than the owner's own pairing (one pairing per station). */
async function pairingCode(): Promise<string> {
  const pairingId = await newPairing('st-qingshan-shimen', 'ag-qs-sm-2')
  return (await ok<{ code: string }>(lcb, 'pairings.qrcode', { pairingId }, OPENID.admin)).code
}

async function importPayload(): Promise<Payload> {
  // The stations sheet exported and imported back unchanged.
  const { fileId } = await ok<{ fileId: string }>(lcb, 'admin.export', { kind: 'stations' }, OPENID.admin)
  return { kind: 'stations', fileId }
}
