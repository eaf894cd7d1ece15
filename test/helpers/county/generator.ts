/**
 * A county of the demo seed's shape at any size, pure and seeded: the district centre and its
 * staff from database/demo/district.json (admin, two supervisors), N townships each with its
 * villages and communities, heads, agents and volunteers with specialties, weekly rotas,
 * pairings accepted in WeChat, residents, booking schedules — and the plan of every case a
 * resident will file between two days (who, where, which item, how it will be handled and how
 * long each step takes). Times that depend on the working calendar are turned into instants by
 * the driver; everything random is decided here.
 */
import type { Agent, DutyRota, Item, Pairing, Station, Tier } from '../../../typings/domain'
import type { RatingLevel } from '../../../typings/vocabulary'
import { DEFAULT_REMINDERS, type ReminderSettings } from '../../../server/domain/notifications'
import { addDays, shanghaiInstant, weekday, type WorkCalendar } from '../../../server/domain/calendar'
import { tiersOfferedAt } from '../../../server/domain/network'
import { demoBindings, type DemoDistrict } from '../../../scripts/seed'
import { Rng } from './random'

export interface CountyOptions {
  seed: number
  townships: number
  /** Villages and communities per township, inclusive range. */
  villagesPerTownship: [number, number]
  /** Agents and volunteers per village besides the head, inclusive range. */
  agentsPerVillage: [number, number]
  /** Agents per township station besides the head. */
  agentsPerTownship: number
  residentsPerVillage: number
  /** First day of cases and the day after the last (Asia/Shanghai). */
  from: string
  to: string
  /** About this many cases in the span, with weekday peaks. */
  cases: number
  /** Shares of cases: completed late, 差评, complaints, counter bookings, home visits, late 整改. */
  rates: {
    late: number
    bad: number
    complaint: number
    booking: number
    homeVisit: number
    rectifyLate: number
  }
  /** Thresholds an admin saves before the simulation (admin.reminders.save); DEFAULT_REMINDERS otherwise. */
  reminders: ReminderSettings
}

/** Real-county shares (issue 12: about 5% overdue, 3% 差评). */
const REAL_RATES: CountyOptions['rates'] = {
  late: 0.05,
  bad: 0.03,
  complaint: 0.01,
  booking: 0.04,
  homeVisit: 0.05,
  rectifyLate: 0.15,
}

export const QUARTER: CountyOptions = {
  seed: 20260801,
  townships: 15,
  villagesPerTownship: [14, 19],
  agentsPerVillage: [3, 5],
  agentsPerTownship: 6,
  residentsPerVillage: 120,
  from: '2026-08-01',
  to: '2026-11-01',
  cases: 20_000,
  rates: REAL_RATES,
  reminders: DEFAULT_REMINDERS,
}

export const WEEK: CountyOptions = {
  seed: 20260928,
  townships: 2,
  villagesPerTownship: [3, 3],
  agentsPerVillage: [2, 3],
  agentsPerTownship: 3,
  residentsPerVillage: 30,
  from: '2026-09-28',
  to: '2026-10-12',
  cases: 150,
  // 150 cases over a fortnight that is mostly holiday: higher shares so that every kind of
  // notice happens, and shorter settings so that they fall inside it (督办 at 2 working days
  // overdue lands on the first day after 国庆, 通报 at 3 on the make-up Saturday; due soon 2
  // working days ahead, 整改 in 2, rating window 3 days) — which also proves the job honours
  // the settings.
  rates: { late: 0.3, bad: 0.12, complaint: 0.08, booking: 0.1, homeVisit: 0.3, rectifyLate: 0.5 },
  reminders: {
    dueSoonDays: 2,
    superviseAfterDays: 2,
    reportAfterDays: 3,
    ratingWindowDays: 3,
    rectifyDays: 2,
  },
}

export interface Resident {
  openid: string
  name: string
  phone: string
  villageId: string
}

/** Which grants a user gives, as wx.requestSubscribeMessage would record them. */
export interface GrantPlan {
  openid: string
  templates: string[]
  longTerm: boolean
}

export interface County {
  stations: Station[]
  agents: Agent[]
  rotas: DutyRota[]
  pairings: Pairing[]
  items: Item[]
  residents: Resident[]
  /** Staff grants at first sign-in (long-term: 政务民生 mini-programs may ask for them). */
  staffGrants: GrantPlan[]
  supervisors: Agent[]
}

export type Handling = 'immediate' | 'promised' | 'supplement' | 'escalated'

/** One case as the simulation will play it. */
export interface CasePlan {
  n: number
  requestId: string
  resident: Resident
  stationId: string
  itemId: string
  submitAt: number
  visit: 'station' | 'home'
  /** Templates the resident accepts (one-time) when submitting. */
  grants: string[]
  handling: Handling
  /** 联合代理: two parallel tasks after acceptance. */
  joint: boolean
  /** Office minutes from submission (or the next office moment) to acceptance. */
  acceptAfter: number
  /** 补办件: hours until the resident supplies the materials. */
  supplyAfterHours: number
  /** 上报件: office minutes until the upper station accepts. */
  upperAcceptAfter: number
  /** Share of the time to the due moment used before completing (on-time cases). */
  workShare: number
  /** 0 = on time; otherwise completed this many working days after the due day. */
  lateDays: number
  deliverAfter: number
  /** null: the resident never rates (default rating after the window). */
  rating: RatingLevel | null
  rateAfterHours: number
  /** 整改 of a 差评: office minutes between steps; late = the 回访 comes after the due day. */
  rectifyGaps: [number, number, number]
  rectifyLate: boolean
  fixRating: RatingLevel | null
  complaint: boolean
  complaintAfterHours: number
  replyAfter: number
  /** Books a counter slot at the station before coming (预约). */
  booking: boolean
  /** Asks for a home visit (上门服务) on behalf of an elderly relative. */
  homeVisit: boolean
}

const SURNAMES = [
  ...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤',
]
const GIVEN = [
  ...'建国华明秀英玉兰志强春梅海燕伟芳军红丽平桂兰德文永刚光荣福贵淑珍秋菊金凤家宝小龙宏伟少华晓东',
]
const PLACES = [
  ...'青山白云金竹松林石门龙井文昌云峰梨花杨柳马场金桥新华桃源坪上大坝岩脚水口河西双龙高坡红岩长顺乐平安和兴隆太平永丰清溪凤凰鹿鸣茶园',
]

function name(rng: Rng): string {
  return rng.pick(SURNAMES) + rng.pick(GIVEN) + (rng.chance(0.6) ? rng.pick(GIVEN) : '')
}

function place(rng: Rng, used: Set<string>): string {
  for (;;) {
    const p = rng.pick(PLACES) + rng.pick(PLACES)
    if (!used.has(p)) {
      used.add(p)
      return p
    }
  }
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0')

/** Every template a member of staff can receive, granted long-term at first sign-in. */
export const STAFF_TEMPLATES = [
  'TPL-CASE-ASSIGNED',
  'TPL-DUE',
  'TPL-OVERDUE',
  'TPL-DIGEST',
  'TPL-BAD-RATING',
  'TPL-VISIT-REQUEST',
  'TPL-COMPLAINT',
  'TPL-CALENDAR',
]

/** The network: district from the demo, generated townships and villages. */
export function generateCounty(demo: DemoDistrict, opts: CountyOptions): County {
  const rng = new Rng(opts.seed)
  const categories = [...new Set(demo.items.map((i) => i.category))]
  const district = demo.stations.find((s) => s.tier === 'district')!
  const stations: Station[] = [district]
  // The district's staff keep the demo identities (admin, supervisor) usable through the gateway.
  const bindings = demoBindings(demo)
  const agents: Agent[] = demo.agents
    .filter((a) => a.stationId === district._id)
    .map((a) => (bindings[a._id] ? { ...a, openid: bindings[a._id] } : { ...a }))
  const rotas: DutyRota[] = demo.rotas.filter((r) => r.stationId === district._id)
  const pairings: Pairing[] = []
  const residents: Resident[] = []
  const usedPlaces = new Set<string>()
  let phone = 0
  const nextPhone = () => `13${pad(++phone, 9)}`

  const staff = (stationId: string, idx: number, role: 'head' | 'agent', title: string): Agent => ({
    _id: `ag-${stationId.slice(3)}-${idx}`,
    name: name(rng),
    phone: `18${pad(rng.int(0, 999_999_999), 9)}`,
    stationId,
    role,
    specialties: rng.sample(categories, rng.int(2, 4)),
    kind: role === 'agent' && rng.chance(0.3) ? 'volunteer' : 'party_member',
    title,
    leaves: [],
    active: true,
  })
  const rotaOf = (stationId: string, ids: string[], perDay: number, saturday: boolean): DutyRota => {
    const weekly: Record<string, string[]> = {}
    for (let wd = 1; wd <= (saturday ? 6 : 5); wd++)
      weekly[String(wd)] = Array.from(
        { length: perDay },
        (_, k) => ids[((wd - 1) * perDay + k) % ids.length]!,
      )
    return { _id: stationId, stationId, weekly, overrides: [], receptionDays: [] }
  }
  const station = (id: string, code: string, nm: string, tier: Tier, parentId: string): Station => ({
    _id: id,
    code,
    name: nm,
    tier,
    parentId,
    address: `${nm}便民服务大厅`,
    location: { latitude: 26.5 + rng.next() / 5, longitude: 106.5 + rng.next() / 5 },
    hotline: `0851-8${pad(rng.int(0, 9_999_999), 7)}`,
    hours: '周一至周五 8:30-12:00，14:00-17:30',
    headAgentId: `ag-${id.slice(3)}-1`,
    active: true,
  })

  for (let t = 1; t <= opts.townships; t++) {
    const tId = `st-t${pad(t)}`
    const tName = place(rng, usedPlaces)
    stations.push(station(tId, `T${pad(t)}`, `${tName}镇为民服务站`, 'township', district._id))
    const tStaff = [staff(tId, 1, 'head', '镇党委副书记')]
    for (let k = 2; k <= opts.agentsPerTownship + 1; k++)
      tStaff.push(staff(tId, k, 'agent', '便民服务中心工作人员'))
    agents.push(...tStaff)
    rotas.push(
      rotaOf(
        tId,
        tStaff.slice(1).map((a) => a._id),
        2,
        false,
      ),
    )
    const villages = rng.int(...opts.villagesPerTownship)
    for (let v = 1; v <= villages; v++) {
      const vId = `${tId}-v${pad(v)}`
      const community = rng.chance(0.2)
      const vName = `${place(rng, usedPlaces)}${community ? '社区' : '村'}`
      stations.push(
        station(vId, `T${pad(t)}V${pad(v)}`, `${vName}为民服务${community ? '站' : '室'}`, 'village', tId),
      )
      const vStaff = [staff(vId, 1, 'head', community ? '社区党委书记' : '村党支部书记')]
      const n = rng.int(...opts.agentsPerVillage)
      for (let k = 2; k <= n + 1; k++)
        vStaff.push(staff(vId, k, 'agent', rng.chance(0.5) ? '村委委员' : '网格员'))
      agents.push(...vStaff)
      rotas.push(
        rotaOf(
          vId,
          vStaff.slice(1).map((a) => a._id),
          1,
          rng.chance(0.5),
        ),
      )
      for (let r = 1; r <= opts.residentsPerVillage; r++) {
        const resident: Resident = {
          openid: `o-r-${vId.slice(3)}-${pad(r, 3)}`,
          name: name(rng),
          phone: nextPhone(),
          villageId: vId,
        }
        residents.push(resident)
        // 结对帮扶: a quarter of households, accepted in WeChat (so linked to the openid).
        if (rng.chance(0.25)) {
          const agent = rng.pick(vStaff.slice(1))
          pairings.push({
            _id: `pr-${vId.slice(3)}-${pad(r, 3)}`,
            stationId: vId,
            agentId: agent._id,
            residentName: resident.name,
            household: `${vName}${rng.int(1, 9)}组`,
            residentOpenid: resident.openid,
          })
        }
      }
    }
  }
  // Bind everyone's WeChat (bulk setup of the network; the demo identities keep theirs).
  for (const a of agents) a.openid ??= `o-s-${a._id}`
  const supervisors = agents.filter((a) => a.role === 'supervisor')
  // Most staff grant long-term at first sign-in; a few volunteers never do (their messages are
  // recorded as not granted, which is not a lost message).
  const staffGrants: GrantPlan[] = agents
    .filter((a) => a.role !== 'agent' || a.kind !== 'volunteer' || rng.chance(0.8))
    .map((a) => ({ openid: a.openid!, templates: STAFF_TEMPLATES, longTerm: true }))
  return { stations, agents, rotas, pairings, items: demo.items, residents, staffGrants, supervisors }
}

const RESIDENT_TEMPLATES = ['TPL-SUPPLEMENT', 'TPL-COMPLETED', 'TPL-DELIVERED']

/** Relative case volume of a day: weekday peaks (Monday most), little on rest days. */
function dayWeight(day: string, calendar: WorkCalendar): number {
  if (!calendar.isWorkday(day)) return 0.15
  return [0, 1.4, 1.2, 1.0, 1.0, 0.8, 0.9][weekday(day)] ?? 1
}

/** The cases of the span, in submission order. */
export function planCases(county: County, opts: CountyOptions, calendar: WorkCalendar): CasePlan[] {
  const rng = new Rng(opts.seed ^ 0x5eed)
  const days: string[] = []
  for (let d = opts.from; d < opts.to; d = addDays(d, 1)) days.push(d)
  const weights = days.map((d) => dayWeight(d, calendar))
  const total = weights.reduce((a, b) => a + b, 0)
  const byId = new Map(county.stations.map((s) => [s._id, s]))
  const items = county.items.filter((i) => i.active && i.published)
  const plans: CasePlan[] = []
  let n = 0
  days.forEach((day, i) => {
    const exact = (opts.cases * weights[i]!) / total
    const count = Math.floor(exact) + (rng.chance(exact - Math.floor(exact)) ? 1 : 0)
    const times: number[] = []
    for (let k = 0; k < count; k++) {
      // Most residents come in office hours; some file from home in the evening or morning.
      const minute = rng.chance(0.75) ? rng.int(8 * 60 + 35, 17 * 60 + 20) : rng.int(7 * 60, 21 * 60 + 50)
      times.push(shanghaiInstant(day, '00:00').getTime() + minute * 60_000 + rng.int(0, 59) * 1000)
    }
    times.sort((a, b) => a - b)
    for (const submitAt of times) plans.push(planOne(rng, ++n, submitAt, county, byId, items, opts))
  })
  return plans
}

function planOne(
  rng: Rng,
  n: number,
  submitAt: number,
  county: County,
  byId: Map<string, Station>,
  items: Item[],
  opts: CountyOptions,
): CasePlan {
  const rates = opts.rates
  const resident = rng.pick(county.residents)
  const village = byId.get(resident.villageId)!
  // One door: their own village room, sometimes the township station directly.
  const station = rng.chance(0.1) ? byId.get(village.parentId!)! : village
  const wantTier = rng.weighted<Tier>([
    ['village', 0.35],
    ['township', 0.35],
    ['district', 0.3],
  ])
  const offered = items.filter((i) => tiersOfferedAt(station.tier).includes(i.tier))
  const same = offered.filter((i) => i.tier === wantTier)
  const item = rng.pick(same.length ? same : offered)
  const higher = item.tier !== station.tier
  let handling: Handling
  if (rng.chance(0.1)) handling = 'supplement'
  else if (higher && rng.chance(0.4)) handling = 'escalated'
  else handling = item.promisedDays === 0 ? 'immediate' : 'promised'
  const joint = handling === 'promised' && item.promisedDays >= 3 && rng.chance(0.08)
  const bad = rng.chance(rates.bad)
  const rated = bad || rng.chance(0.78)
  const rating: RatingLevel | null = bad
    ? rng.pick(['dissatisfied', 'very_dissatisfied'] as const)
    : rated
      ? rng.weighted<RatingLevel>([
          ['very_satisfied', 0.55],
          ['satisfied', 0.35],
          ['basic', 0.1],
        ])
      : null
  const grants = rng.chance(0.8)
    ? RESIDENT_TEMPLATES
    : rng.chance(0.75)
      ? rng.sample(RESIDENT_TEMPLATES, rng.int(1, 2))
      : []
  return {
    n,
    requestId: `req-${n}`,
    resident,
    stationId: station._id,
    itemId: item._id,
    submitAt,
    visit: item.homeVisit && rng.chance(0.1) ? 'home' : 'station',
    grants,
    handling,
    joint,
    acceptAfter: rng.int(5, 240),
    supplyAfterHours: rng.int(2, 72),
    upperAcceptAfter: rng.int(10, 180),
    workShare: 0.1 + rng.next() * 0.8,
    // About 5% completed late; some late enough for 督办 (3) and 通报 (5).
    lateDays: rng.chance(rates.late)
      ? rng.weighted([
          [1, 0.4],
          [2, 0.2],
          [3, 0.15],
          [4, 0.05],
          [5, 0.1],
          [6, 0.1],
        ])
      : 0,
    deliverAfter: rng.int(10, 600),
    rating,
    // Within the rating window (residents who rate do it before it closes).
    rateAfterHours: rng.int(1, Math.max(2, opts.reminders.ratingWindowDays * 24 - 20)),
    rectifyGaps: [rng.int(20, 480), rng.int(60, 900), rng.int(60, 900)],
    rectifyLate: rng.chance(rates.rectifyLate),
    fixRating: rng.chance(0.6) ? rng.pick(['satisfied', 'basic', 'dissatisfied'] as const) : null,
    complaint: rng.chance(rates.complaint),
    complaintAfterHours: rng.int(1, 48),
    replyAfter: rng.int(30, 900),
    booking: rng.chance(rates.booking),
    homeVisit: item.homeVisit && rng.chance(rates.homeVisit),
  }
}
