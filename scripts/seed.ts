/**
 * Demo data: the sample district in database/demo/district.json, written through the real
 * node SDK (so it works against Local CloudBase or a cloud environment alike). Idempotent:
 * every record is written by id. Demo identities (openids) are bound to roster entries here
 * only; real users bind with invitation codes.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import tcb from '@cloudbase/node-sdk'
import type { Agent, DutyRota, Item, Pairing, Station } from '../typings/domain'
import { searchText } from '../server/domain/network'

export interface DemoDistrict {
  district: { name: string }
  stations: Station[]
  items: Item[]
  agents: Agent[]
  rotas: DutyRota[]
  pairings: Pairing[]
}

/** Demo identities usable through the gateway (`X-WX-OPENID`) and the mini-program's local mode. */
export const DEMO_OPENIDS = {
  admin: 'o-demo-admin',
  supervisor: 'o-demo-supervisor',
  townshipHead: 'o-demo-head-township',
  villageHead: 'o-demo-head-village',
  villageAgent: 'o-demo-agent-village',
  resident1: 'o-demo-resident-1',
  resident2: 'o-demo-resident-2',
} as const

const due = { thing1: 'itemName', character_string2: 'caseNo', date3: 'dueDay', phrase4: 'state' }

/**
 * Demo subscribe-message templates (the ids an admin copies from the WeChat console) and how
 * each event's variables fill their keywords.
 */
export const DEMO_TEMPLATES = {
  caseAssigned: {
    templateId: 'TPL-CASE-ASSIGNED',
    page: 'work/case/index',
    fields: { thing1: 'itemName', name2: 'applicantName', time3: 'now', thing4: 'hint' },
  },
  supplementNeeded: {
    templateId: 'TPL-SUPPLEMENT',
    page: 'pages/case/index',
    fields: { thing1: 'itemName', phrase2: 'state', time3: 'now' },
  },
  caseCompleted: {
    templateId: 'TPL-COMPLETED',
    page: 'pages/case/index',
    fields: { thing1: 'itemName', phrase2: 'state', thing3: 'result', time4: 'now' },
  },
  // 办理期限变更: the new date and the head's reason (延期).
  caseExtended: {
    templateId: 'TPL-EXTENDED',
    page: 'pages/case/index',
    fields: { thing1: 'itemName', date2: 'dueDay', thing3: 'hint' },
  },
  caseDelivered: {
    templateId: 'TPL-DELIVERED',
    page: 'pages/case/index',
    fields: { thing1: 'itemName', thing2: 'hint', time3: 'now' },
  },
  dueSoon: { templateId: 'TPL-DUE', page: 'work/case/index', fields: due },
  dueToday: { templateId: 'TPL-DUE', page: 'work/case/index', fields: due },
  overdue: { templateId: 'TPL-OVERDUE', page: 'work/case/index', fields: due },
  superviseHead: { templateId: 'TPL-OVERDUE', page: 'work/case/index', fields: due },
  reportSupervisor: { templateId: 'TPL-OVERDUE', page: 'work/case/index', fields: due },
  dailyDigest: {
    templateId: 'TPL-DIGEST',
    page: 'work/inbox/index',
    fields: {
      thing1: 'stationName',
      number2: 'pending',
      number3: 'overdue',
      time4: 'now',
      number5: 'rectify',
    },
  },
  appointmentReminder: {
    templateId: 'TPL-APPOINTMENT',
    page: 'pages/appointments/index',
    fields: { thing1: 'stationName', time2: 'startsAt', thing3: 'what', thing4: 'hint' },
  },
  visitRequested: {
    templateId: 'TPL-VISIT-REQUEST',
    page: 'work/appointments/index',
    fields: { name1: 'residentName', thing2: 'what', thing3: 'windows', time4: 'now' },
  },
  visitConfirmed: {
    templateId: 'TPL-VISIT',
    page: 'pages/appointments/index',
    fields: { thing1: 'what', time2: 'startsAt', name3: 'agentName', thing4: 'hint' },
  },
  visitDeclined: {
    templateId: 'TPL-VISIT',
    page: 'pages/appointments/index',
    fields: { thing1: 'what', time2: 'now', name3: 'agentName', thing4: 'hint' },
  },
  appointmentCancelled: {
    templateId: 'TPL-APPOINTMENT-CHANGED',
    page: 'pages/appointments/index',
    fields: { thing1: 'stationName', time2: 'startsAt', thing3: 'hint' },
  },
  complaintFiled: {
    templateId: 'TPL-COMPLAINT',
    page: 'supervise/complaints/index',
    fields: { thing1: 'stationName', thing2: 'text', time3: 'now' },
  },
  complaintReplied: {
    templateId: 'TPL-COMPLAINT-REPLY',
    page: 'pages/complaint/index',
    fields: { thing1: 'stationName', thing2: 'text', time3: 'now' },
  },
  rectifyVisited: {
    templateId: 'TPL-RECTIFY',
    page: 'pages/case/index',
    fields: { thing1: 'itemName', thing2: 'hint', time3: 'now' },
  },
  rectifyOverdue: {
    templateId: 'TPL-OVERDUE',
    page: 'work/rectify/index',
    fields: { thing1: 'itemName', character_string2: 'caseNo', date3: 'dueDay', phrase4: 'state' },
  },
  calendarMissing: {
    templateId: 'TPL-CALENDAR',
    page: 'pages/mine/index',
    fields: { thing1: 'hint', date2: 'dueDay', time3: 'now' },
  },
  badRating: {
    templateId: 'TPL-BAD-RATING',
    page: 'work/case/index',
    fields: { thing1: 'itemName', character_string2: 'caseNo', time3: 'now' },
  },
}

export function loadDemo(root: string): DemoDistrict {
  return JSON.parse(fs.readFileSync(path.join(root, 'database/demo/district.json'), 'utf8')) as DemoDistrict
}

/** Which roster entries the demo identities are bound to. */
export function demoBindings(d: DemoDistrict): Record<string, string> {
  const firstTownship = d.stations.find((s) => s.tier === 'township')!
  const firstVillage = d.stations.find((s) => s.tier === 'village' && s.parentId === firstTownship._id)!
  const pick = (f: (a: Agent) => boolean) => d.agents.find(f)!._id
  return {
    [pick((a) => a.role === 'admin')]: DEMO_OPENIDS.admin,
    [pick((a) => a.role === 'supervisor')]: DEMO_OPENIDS.supervisor,
    [pick((a) => a.role === 'head' && a.stationId === firstTownship._id)]: DEMO_OPENIDS.townshipHead,
    [pick((a) => a.role === 'head' && a.stationId === firstVillage._id)]: DEMO_OPENIDS.villageHead,
    [pick((a) => a.role === 'agent' && a.stationId === firstVillage._id)]: DEMO_OPENIDS.villageAgent,
  }
}

async function putAll(
  db: ReturnType<ReturnType<typeof tcb.init>['database']>,
  coll: string,
  docs: { _id: string }[],
): Promise<void> {
  for (let i = 0; i < docs.length; i += 20) {
    await Promise.all(docs.slice(i, i + 20).map(({ _id, ...data }) => db.collection(coll).doc(_id).set(data)))
  }
}

export async function seed(tcbApiUrl: string, root = path.resolve(__dirname, '..')): Promise<string> {
  const d = loadDemo(root)
  const db = tcb.init({ env: 'local', secretId: 'seed', secretKey: 'seed', serviceUrl: tcbApiUrl }).database()
  const bindings = demoBindings(d)
  await putAll(db, 'stations', d.stations)
  await putAll(
    db,
    'items',
    d.items.map((i) => ({ ...i, search: searchText(i) })),
  )
  await putAll(
    db,
    'agents',
    d.agents.map((a) => (bindings[a._id] ? { ...a, openid: bindings[a._id] } : a)),
  )
  await putAll(db, 'rotas', d.rotas)
  await putAll(db, 'pairings', d.pairings)
  // 预约: township and village stations open weekday mornings and afternoons; stations whose
  // rota has a 领导接待日 publish it as its own bookable schedule (20-minute talks, 2 each).
  await putAll(db, 'schedules', [
    ...d.stations
      .filter((st) => st.tier !== 'district')
      .map((st) => ({
        _id: st._id,
        stationId: st._id,
        kind: 'service',
        periods: [
          { weekdays: [1, 2, 3, 4, 5], start: '09:00', end: '11:30', slotMinutes: 30, capacity: 5 },
          { weekdays: [1, 2, 3, 4, 5], start: '14:00', end: '17:00', slotMinutes: 60, capacity: 3 },
        ],
        exceptions: [],
      })),
    ...d.rotas.flatMap((r) =>
      r.receptionDays.slice(0, 1).map((rd) => ({
        _id: `${r.stationId}-leader`,
        stationId: r.stationId,
        kind: 'leader',
        hostAgentId: rd.agentId,
        topic: rd.topic ?? '群众来访接待',
        periods: r.receptionDays.map((x) => {
          const [from = '9:00', to = '11:30'] = x.hours.split('-').map((t) => t.trim().padStart(5, '0'))
          return { weekdays: [x.weekday], start: from, end: to, slotMinutes: 30, capacity: 2 }
        }),
        exceptions: [],
      })),
    ),
  ])
  await putAll(db, 'settings', [
    { _id: 'district', districtName: d.district.name, supervisionHotline: '0851-12345678' } as {
      _id: string
    },
    { _id: 'calendar', overrides: [], coveredYears: [] } as { _id: string },
    { _id: 'templates', events: DEMO_TEMPLATES } as { _id: string },
  ])
  return `Seeded ${d.district.name}: ${d.stations.length} stations, ${d.items.length} items, ${d.agents.length} agents, ${d.rotas.length} rotas, ${d.pairings.length} pairings`
}
