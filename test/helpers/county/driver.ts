/**
 * Plays a generated county on Local CloudBase: the network is written in bulk with the node SDK,
 * then every person acts through the real `api` function as themselves (X-WX-OPENID) — residents
 * grant subscribe messages, submit, supply materials, rate, complain, book and ask for home
 * visits; agents accept, split joint work, complete and deliver; upper stations take 上报件;
 * heads work their 整改; supervisors answer complaints — while the clock advances in 10-minute
 * ticks and the `jobs` timer runs once at each. Everything done and every answer is logged: the
 * log is the ground truth the checker holds the product to.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import tcb from '@cloudbase/node-sdk'
import { LocalCloudBase } from '../../../local-cloudbase/server'
import type { DatabaseDefinition } from '../../../local-cloudbase/definition'
import type { OpenApiRecord } from '../../../local-cloudbase/server'
import type { CaseRecord, Item } from '../../../typings/domain'
import type { CaseView, KpiReport } from '../../../typings/api'
import type { JobReport } from '../../../server/jobs'
import { acceptInWeChat } from '../api'
import type { OutboxMessage } from '../../../server/repositories/outbox'
import type { RectificationRecord } from '../../../server/domain/rectification'
import {
  DEFAULT_OFFICE_HOURS,
  addDays,
  shanghaiDay,
  shanghaiInstant,
  type WorkCalendar,
} from '../../../server/domain/calendar'
import { isOfficeTime } from '../../../server/domain/notifications'
import { periodOf } from '../../../server/domain/kpis'
import { slotKey } from '../../../server/domain/appointments'
import { DEMO_OPENIDS, DEMO_TEMPLATES, loadDemo } from '../../../scripts/seed'
import { searchText } from '../../../server/domain/network'
import { WorkCalendar as Calendar } from '../../../server/domain/calendar'
import { officialCalendarSource } from '../../../server/domain/official-calendar'
import { generateCounty, planCases, type CasePlan, type County, type CountyOptions } from './generator'
import { Rng } from './random'

export const TICK_MS = 10 * 60_000
const MINUTE = 60_000

/** The working calendar the product uses (official data, no admin overrides in the simulation). */
export function officialCalendar(): WorkCalendar {
  const o = officialCalendarSource()
  return new Calendar({ holidays: o.holidays, workdays: o.workdays, coveredYears: o.coveredYears }, [])
}

export interface ApiCallLog {
  at: number
  action: string
  n: number | null
  ok: boolean
  code: string | null
  message: string | null
  dbCalls: number
  ms: number
}

export interface JobRunLog {
  at: number
  ok: boolean
  dbCalls: number
  ms: number
  error: string | null
  report: JobReport | null
}

export interface GrantLog {
  at: number
  openid: string
  templates: string[]
  longTerm: boolean
}

/** What happened to one case, as the people in the simulation saw it. */
export interface CaseLog {
  n: number
  id: string | null
  plan: CasePlan
  item: Pick<Item, '_id' | 'name' | 'tier' | 'promisedDays' | 'departments'>
  stationId: string
  residentOpenid: string
  submittedAt: number | null
  assignedAgentId: string | null
  acceptedAt: number | null
  handling: CasePlan['handling'] | null
  /** The due moment the server gave at acceptance (or at supply for 补办件). */
  dueAt: number | null
  dueDay: string | null
  suppliedAt: number | null
  upper: {
    stationId: string
    agentId: string
    acceptedAt: number | null
    dueAt: number | null
    dueDay: string | null
  } | null
  tasksAt: number | null
  completedAt: number | null
  deliveredAt: number | null
  rating: { level: string; at: number } | null
  rectify: { steps: { step: string; at: number }[]; fixRatedAt: number | null } | null
  complaint: { id: string; at: number; repliedAt: number | null } | null
  /** The next thing planned and not done when the simulation ended (null = nothing left). */
  pending: string | null
  /** Why the case could not go on (an error answer). */
  failed: string | null
  /** When the last successful action on it was taken. */
  lastAt: number
}

export interface BookingLog {
  n: number
  id: string | null
  kind: 'slot' | 'visit'
  openid: string
  stationId: string
  createdAt: number
  startsAt: number | null
  day: string | null
  confirmedAt: number | null
}

export interface Snapshot {
  outbox: OutboxMessage[]
  cases: CaseRecord[]
  rectifications: RectificationRecord[]
  /** Timeline entries of default ratings (one per case, or something happened twice). */
  autoRated: { caseId: string; at: Date }[]
  sends: OpenApiRecord[]
  /** supervise.kpis per month key, read at the end. */
  kpis: Record<string, KpiReport>
  kpisAt: number
}

export interface SimLog {
  options: CountyOptions
  county: County
  start: number
  end: number
  calls: ApiCallLog[]
  jobs: JobRunLog[]
  grants: GrantLog[]
  cases: CaseLog[]
  bookings: BookingLog[]
  snapshot: Snapshot
  wallMs: number
  setupMs: number
}

export interface DriveOptions {
  root: string
  county: CountyOptions
  /** Progress lines (the bench prints them; the test stays quiet). */
  progress?: (line: string) => void
  /** Concurrent callers within one minute of simulated time. */
  concurrency?: number
}

interface Reply<T> {
  ok: boolean
  data: T
  error?: { code: string; message: string }
}

type Job = { at: number; seq: number; run: () => Promise<void> }

/** A queue of timed actions, earliest first (binary insertion; a quarter holds some 10^4). */
class Agenda {
  private readonly items: Job[] = []
  private seq = 0

  add(at: number, run: () => Promise<void>): void {
    const job = { at: Math.ceil(at / MINUTE) * MINUTE, seq: this.seq++, run }
    let lo = 0
    let hi = this.items.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      const m = this.items[mid]!
      if (m.at < job.at || (m.at === job.at && m.seq < job.seq)) lo = mid + 1
      else hi = mid
    }
    this.items.splice(lo, 0, job)
  }

  /** Every job due at the earliest minute before `until`. */
  takeMinute(until: number): Job[] {
    const first = this.items[0]
    if (!first || first.at >= until) return []
    let k = 0
    while (k < this.items.length && this.items[k]!.at === first.at) k++
    return this.items.splice(0, k)
  }

  get size(): number {
    return this.items.length
  }
}

/** Office-hours arithmetic for when people act (the product's office hours, from the domain). */
export class OfficeTime {
  constructor(private readonly calendar: WorkCalendar) {}

  /** `t` itself in office time, else the start of the next office period. */
  nextOpen(t: number): number {
    if (isOfficeTime(new Date(t), this.calendar)) return t
    let day = shanghaiDay(new Date(t))
    for (let i = 0; i < 60; i++) {
      const open = shanghaiInstant(day, DEFAULT_OFFICE_HOURS.start).getTime()
      if (this.calendar.isWorkday(day) && open >= t) return open
      day = addDays(day, 1)
    }
    throw new Error('no office day within 60 days')
  }

  /** `minutes` of office time after `t` (counted from the next office moment). */
  after(t: number, minutes: number): number {
    let cur = this.nextOpen(t)
    let left = minutes * MINUTE
    for (;;) {
      const close = shanghaiInstant(shanghaiDay(new Date(cur)), DEFAULT_OFFICE_HOURS.end).getTime() - MINUTE
      if (cur + left < close) return cur + left
      left -= Math.max(0, close - cur)
      cur = this.nextOpen(close + 2 * MINUTE)
    }
  }

  /** Office minutes between two instants. */
  between(a: number, b: number): number {
    let cur = this.nextOpen(a)
    let total = 0
    while (cur < b) {
      const close = shanghaiInstant(shanghaiDay(new Date(cur)), DEFAULT_OFFICE_HOURS.end).getTime() - MINUTE
      total += Math.max(0, Math.min(close, b) - cur)
      cur = this.nextOpen(close + 2 * MINUTE)
    }
    return total / MINUTE
  }

  /** Opening time of the `n`-th working day after `day`. */
  workdayOpen(day: string, n: number): number {
    return shanghaiInstant(this.calendar.addWorkingDays(day, n).day, DEFAULT_OFFICE_HOURS.start).getTime()
  }
}

/**
 * Everything the product stored in a collection, read from Local CloudBase's store in one pass
 * (the snapshot is the test's view of the database, not a product path: no paging, no 1 MB cap).
 */
function stored<T>(lcb: LocalCloudBase, coll: string, filter: Record<string, unknown> = {}): T[] {
  return [...lcb.store.find(coll, filter)].map((r) => r.doc as unknown as T)
}

/** Runs the whole simulation and returns its log with a snapshot of what the product stored. */
export async function driveCounty(opts: DriveOptions): Promise<SimLog> {
  const wall0 = performance.now()
  process.env.TENCENTCLOUD = 'true'
  process.env.SILENCE = 'true'
  const say = opts.progress ?? (() => undefined)
  const calendar = officialCalendar()
  const office = new OfficeTime(calendar)
  const demo = loadDemo(opts.root)
  const county = generateCounty(demo, opts.county)
  const plans = planCases(county, opts.county, calendar)
  const rng = new Rng(opts.county.seed ^ 0xd1e)
  const start = shanghaiInstant(opts.county.from, '00:00').getTime()
  const end = shanghaiInstant(opts.county.to, '00:00').getTime()

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'county-'))
  const lcb = await new LocalCloudBase({
    dataDir,
    port: 0,
    workerScript: path.join(opts.root, '.build/local-cloudbase/worker.js'),
    functions: [path.join(opts.root, 'cloudfunctions/api'), path.join(opts.root, 'cloudfunctions/jobs')],
    definition: JSON.parse(
      fs.readFileSync(path.join(opts.root, 'database/definition.json'), 'utf8'),
    ) as DatabaseDefinition,
  }).start()
  // The driver runs the timer itself, exactly once per tick, so each run's cost and report are
  // captured (the scheduler would also fire on every clock move).
  lcb.scheduler.stop()
  const db = tcb
    .init({ env: 'local', secretId: 'sim', secretKey: 'sim', serviceUrl: lcb.tcbApiUrl })
    .database()

  const log: SimLog = {
    options: opts.county,
    county,
    start,
    end,
    calls: [],
    jobs: [],
    grants: [],
    cases: [],
    bookings: [],
    snapshot: { outbox: [], cases: [], rectifications: [], autoRated: [], sends: [], kpis: {}, kpisAt: end },
    wallMs: 0,
    setupMs: 0,
  }
  try {
    lcb.clock.set(start - 60 * MINUTE)
    // ---- the network, in bulk -------------------------------------------------------------
    const put = async (coll: string, docs: { _id: string }[]) => {
      for (let i = 0; i < docs.length; i += 500) await db.collection(coll).add(docs.slice(i, i + 500))
    }
    await put('stations', county.stations)
    await put(
      'items',
      county.items.map((i) => ({ ...i, search: searchText(i) })),
    )
    await put('agents', county.agents)
    await put('rotas', county.rotas)
    await put('pairings', county.pairings)
    await put(
      'schedules',
      county.stations
        .filter((s) => s.tier !== 'district')
        .map((s) => ({
          _id: s._id,
          stationId: s._id,
          kind: 'service',
          periods: [
            { weekdays: [1, 2, 3, 4, 5], start: '09:00', end: '11:30', slotMinutes: 30, capacity: 5 },
            { weekdays: [1, 2, 3, 4, 5], start: '14:00', end: '17:00', slotMinutes: 60, capacity: 3 },
          ],
          exceptions: [],
        })),
    )
    await put('settings', [
      { _id: 'district', districtName: demo.district.name, supervisionHotline: '0851-12345678' },
      { _id: 'calendar', overrides: [], coveredYears: [] },
      { _id: 'templates', events: DEMO_TEMPLATES },
    ] as unknown as { _id: string }[])

    // ---- people ---------------------------------------------------------------------------
    const call = async <T>(
      action: string,
      payload: unknown,
      openid: string,
      n: number | null,
      requestId?: string,
    ): Promise<Reply<T> & { at: number }> => {
      // What the user accepted in WeChat's own dialog: WeChat (the emulator) keeps that grant.
      if (action === 'notify.grant') await acceptInWeChat(lcb, openid, payload)
      // The moment the person acted: the server's `now` is this or a few milliseconds later.
      const at = lcb.clock.now()
      const t0 = performance.now()
      const res = await fetch(`${lcb.gatewayUrl}/functions/api`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-wx-openid': openid },
        body: JSON.stringify({ action, payload, ...(requestId ? { requestId } : {}) }),
      })
      const dbCalls = Number(res.headers.get('x-db-calls') ?? 0)
      const body: Reply<T> =
        res.status === 200
          ? ((await res.json()) as Reply<T>)
          : {
              ok: false,
              data: null as T,
              error: { code: 'INTERNAL', message: `gateway ${res.status}: ${await res.text()}` },
            }
      log.calls.push({
        at,
        action,
        n,
        ok: body.ok,
        code: body.error?.code ?? null,
        message: body.error?.message ?? null,
        dbCalls,
        ms: performance.now() - t0,
      })
      return { ...body, at }
    }
    const grant = async (openid: string, templates: string[], longTerm: boolean, n: number | null) => {
      if (!templates.length) return
      const r = await call('notify.grant', { accepted: templates, longTerm }, openid, n)
      if (r.ok) log.grants.push({ at: lcb.clock.now(), openid, templates, longTerm })
    }
    const saved = await call('admin.reminders.save', opts.county.reminders, DEMO_OPENIDS.admin, null)
    if (!saved.ok) throw new Error(`admin.reminders.save: ${saved.error?.code} ${saved.error?.message}`)
    for (let i = 0; i < county.staffGrants.length; i += 8)
      await Promise.all(
        county.staffGrants.slice(i, i + 8).map((g) => grant(g.openid, g.templates, g.longTerm, null)),
      )
    log.setupMs = performance.now() - wall0
    say(
      `county: ${county.stations.length} stations, ${county.agents.length} staff, ${county.residents.length} residents, ${plans.length} cases planned; setup ${(log.setupMs / 1000).toFixed(1)} s`,
    )

    const agents = new Map(county.agents.map((a) => [a._id, a]))
    const stations = new Map(county.stations.map((s) => [s._id, s]))
    const items = new Map(county.items.map((i) => [i._id, i]))
    const openidOf = (agentId: string | null) => (agentId ? (agents.get(agentId)?.openid ?? '') : '')
    const headOf = (stationId: string) => openidOf(stations.get(stationId)?.headAgentId ?? null)
    const supervisor = DEMO_OPENIDS.supervisor
    const agenda = new Agenda()
    const versions = new Map<number, number>()

    /** An action on a case; a stale version (someone else moved the case) is refreshed once, as a person would. */
    const act = async <T extends { version?: number }>(
      c: CaseLog,
      action: string,
      payload: Record<string, unknown>,
      openid: string,
    ): Promise<T | null> => {
      let r = await call<T>(
        action,
        { ...payload, ...(payload.version ? { version: versions.get(c.n) } : {}) },
        openid,
        c.n,
      )
      if (!r.ok && r.error?.code === 'CONFLICT' && payload.version) {
        const fresh = await call<CaseView>('cases.get', { caseId: c.id }, openid, c.n)
        if (fresh.ok) {
          versions.set(c.n, fresh.data.version)
          r = await call<T>(action, { ...payload, version: fresh.data.version }, openid, c.n)
        }
      }
      if (!r.ok) {
        c.failed = `${action}: ${r.error?.code} ${r.error?.message}`
        return null
      }
      if (typeof r.data?.version === 'number') versions.set(c.n, r.data.version)
      c.lastAt = r.at
      return r.data
    }
    const later = (c: CaseLog, what: string, at: number, run: () => Promise<void>) => {
      c.pending = what
      agenda.add(Math.max(at, lcb.clock.now() + MINUTE), async () => {
        c.pending = null
        await run()
      })
    }

    const caseLogs = plans.map((p): CaseLog => {
      const item = items.get(p.itemId)!
      return {
        n: p.n,
        id: null,
        plan: p,
        item: {
          _id: item._id,
          name: item.name,
          tier: item.tier,
          promisedDays: item.promisedDays,
          departments: item.departments,
        },
        stationId: p.stationId,
        residentOpenid: p.resident.openid,
        submittedAt: null,
        assignedAgentId: null,
        acceptedAt: null,
        handling: null,
        dueAt: null,
        dueDay: null,
        suppliedAt: null,
        upper: null,
        tasksAt: null,
        completedAt: null,
        deliveredAt: null,
        rating: null,
        rectify: null,
        complaint: null,
        pending: 'submit',
        failed: null,
        lastAt: 0,
      }
    })
    log.cases = caseLogs

    // ---- a case's life --------------------------------------------------------------------
    const submitWithRequestId = (c: CaseLog) => async () => {
      // The request id travels beside the payload (a retried tap files once).
      const p = c.plan
      await grant(p.resident.openid, p.grants, false, c.n)
      const r = await call<CaseView>(
        'cases.submit',
        {
          itemId: p.itemId,
          stationId: p.stationId,
          description: `申请${c.item.name}`,
          applicantName: p.resident.name,
          applicantPhone: p.resident.phone,
          visit: p.visit,
        },
        p.resident.openid,
        c.n,
        p.requestId,
      )
      if (!r.ok) {
        c.failed = `cases.submit: ${r.error?.code} ${r.error?.message}`
        return
      }
      c.id = r.data.id
      c.submittedAt = r.at
      versions.set(c.n, r.data.version)
      c.assignedAgentId = r.data.agent?.id ?? null
      if (p.booking) later(c, 'book', c.submittedAt + MINUTE, () => book(c))
      if (p.homeVisit) later(c, 'requestVisit', c.submittedAt + 2 * MINUTE, () => requestVisit(c))
      later(c, 'accept', office.after(c.submittedAt, p.acceptAfter), () => accept(c))
    }

    const accept = async (c: CaseLog) => {
      const p = c.plan
      const v = await act<CaseView>(
        c,
        'cases.accept',
        {
          caseId: c.id,
          version: 1,
          handling: p.handling,
          receivedMaterials: ['居民身份证'],
          missingMaterials: p.handling === 'supplement' ? ['户口簿'] : [],
        },
        openidOf(c.assignedAgentId),
      )
      if (!v) return
      c.acceptedAt = c.lastAt
      c.handling = p.handling
      // Complaints come while the case is being handled (too slow, too many trips).
      if (p.complaint)
        later(c, 'complain', c.acceptedAt + p.complaintAfterHours * 3600_000, () => complain(c))
      c.dueAt = v.dueAt ? Date.parse(v.dueAt) : null
      c.dueDay = v.dueDay
      if (p.handling === 'supplement') {
        later(c, 'supplement', c.acceptedAt + p.supplyAfterHours * 3600_000, () => supply(c))
        return
      }
      if (p.handling === 'escalated') {
        const doc = (await db.collection('cases').doc(c.id!).get()) as { data: CaseRecord[] }
        const up = doc.data[0]?.upper
        if (!up) {
          c.failed = 'escalated case has no upper station'
          return
        }
        c.upper = {
          stationId: up.stationId,
          agentId: up.agentId,
          acceptedAt: null,
          dueAt: null,
          dueDay: null,
        }
        later(c, 'acceptUpper', office.after(c.acceptedAt, p.upperAcceptAfter), () => acceptUpper(c))
        return
      }
      work(c, c.acceptedAt)
    }
    const supply = async (c: CaseLog) => {
      const v = await act<CaseView>(
        c,
        'cases.supplement',
        { caseId: c.id, note: '补交了户口簿' },
        c.residentOpenid,
      )
      if (!v) return
      c.suppliedAt = c.lastAt
      c.dueAt = v.dueAt ? Date.parse(v.dueAt) : null
      c.dueDay = v.dueDay
      versions.set(c.n, v.version)
      work(c, c.suppliedAt)
    }
    /** Plans the completion: a share of the time to the due moment, or some working days late. */
    const finishAt = (c: CaseLog, from: number, dueAt: number, dueDay: string): number => {
      const p = c.plan
      if (p.lateDays > 0) return office.after(office.workdayOpen(dueDay, p.lateDays), rng.int(5, 400))
      const span = office.between(from, dueAt - 5 * MINUTE)
      return office.after(from, Math.max(1, Math.floor(span * p.workShare)))
    }
    const work = (c: CaseLog, from: number) => {
      if (!c.dueAt || !c.dueDay) {
        c.failed = 'running case without a due date'
        return
      }
      const doneAt = Math.max(finishAt(c, from, c.dueAt, c.dueDay), from + 2 * MINUTE)
      if (c.plan.joint) {
        later(c, 'addTasks', office.after(from, 15), async () => {
          const dept = c.item.departments[0] ?? '乡镇社会事务办'
          const v = await act<CaseView>(
            c,
            'cases.addTasks',
            {
              caseId: c.id,
              version: 1,
              tasks: [
                { title: '材料初审', department: '乡镇社会事务办', days: 1 },
                { title: '部门审批', department: dept.slice(0, 30), days: Math.max(1, c.item.promisedDays) },
              ],
            },
            openidOf(c.assignedAgentId),
          )
          if (!v) return
          c.tasksAt = c.lastAt
          const first = Math.min(office.after(c.tasksAt, 30), doneAt - 2 * MINUTE)
          later(c, 'completeTask t1', first, async () => {
            const v1 = await act<CaseView>(
              c,
              'cases.completeTask',
              { caseId: c.id, version: 1, taskId: 't1', result: '初审通过' },
              openidOf(c.assignedAgentId),
            )
            if (!v1) return
            later(c, 'completeTask t2', doneAt, async () => {
              const v2 = await act<CaseView>(
                c,
                'cases.completeTask',
                { caseId: c.id, version: 1, taskId: 't2', result: '审批通过' },
                openidOf(c.assignedAgentId),
              )
              if (v2) completed(c)
            })
          })
        })
        return
      }
      later(c, 'complete', doneAt, async () => {
        const v = await act<CaseView>(
          c,
          'cases.complete',
          { caseId: c.id, version: 1, result: '已按规定办结' },
          openidOf(c.assignedAgentId),
        )
        if (v) completed(c)
      })
    }
    const acceptUpper = async (c: CaseLog) => {
      const up = c.upper!
      const v = await act<CaseView>(
        c,
        'cases.acceptUpper',
        { caseId: c.id, version: 1 },
        openidOf(up.agentId),
      )
      if (!v) return
      up.acceptedAt = c.lastAt
      const doc = (await db.collection('cases').doc(c.id!).get()) as { data: CaseRecord[] }
      const upDue = doc.data[0]?.upper?.dueAt
      up.dueAt = upDue ? new Date(upDue).getTime() : null
      up.dueDay = up.dueAt ? shanghaiDay(new Date(up.dueAt)) : null
      if (!up.dueAt || !c.dueAt || !c.dueDay || !up.dueDay) {
        c.failed = 'upper acceptance without due dates'
        return
      }
      // On time for both deadlines, or late against the later one.
      const doneAt =
        c.plan.lateDays > 0
          ? finishAt(c, up.acceptedAt, up.dueAt, up.dueDay)
          : finishAt(c, up.acceptedAt, Math.min(c.dueAt, up.dueAt), c.dueAt < up.dueAt ? c.dueDay : up.dueDay)
      later(c, 'completeUpper', Math.max(doneAt, up.acceptedAt + 2 * MINUTE), async () => {
        const v2 = await act<CaseView>(
          c,
          'cases.completeUpper',
          { caseId: c.id, version: 1, result: '上级已办结' },
          openidOf(up.agentId),
        )
        if (v2) completed(c)
      })
    }
    const completed = (c: CaseLog) => {
      c.completedAt = c.lastAt
      const p = c.plan
      later(c, 'deliver', office.after(c.completedAt, p.deliverAfter), async () => {
        const v = await act<CaseView>(
          c,
          'cases.deliver',
          { caseId: c.id, version: 1, note: '已电话告知并送达' },
          openidOf(c.assignedAgentId),
        )
        if (!v) return
        c.deliveredAt = c.lastAt
        if (p.rating) later(c, 'rate', c.deliveredAt + p.rateAfterHours * 3600_000, () => rate(c))
      })
    }
    const rate = async (c: CaseLog) => {
      const p = c.plan
      const bad = p.rating === 'dissatisfied' || p.rating === 'very_dissatisfied'
      // A resident who rates badly is asked to follow the 整改 (one-time grant).
      if (bad) await grant(c.residentOpenid, ['TPL-RECTIFY'], false, c.n)
      const v = await act<CaseView>(
        c,
        'cases.rate',
        { caseId: c.id, level: p.rating, comment: bad ? '办得太慢，来回跑了几趟' : '' },
        c.residentOpenid,
      )
      if (!v) return
      c.rating = { level: p.rating!, at: c.lastAt }
      if (!bad) return
      c.rectify = { steps: [], fixRatedAt: null }
      const head = headOf(c.stationId)
      const steps: ['verify' | 'fix' | 'visit', number][] = [
        ['verify', p.rectifyGaps[0]],
        ['fix', p.rectifyGaps[1]],
        ['visit', p.rectifyGaps[2]],
      ]
      const next = (k: number, from: number) => {
        const [step, gap] = steps[k]!
        let at = office.after(from, gap)
        if (step === 'visit' && p.rectifyLate) {
          const due = calendar.addWorkingDays(
            shanghaiDay(new Date(c.rating!.at)),
            opts.county.reminders.rectifyDays,
          ).day
          at = Math.max(at, office.after(office.workdayOpen(due, rng.int(1, 2)), rng.int(10, 300)))
        }
        later(c, `rectify ${step}`, at, async () => {
          const r = await call(
            'rectify.step',
            {
              caseId: c.id,
              step,
              note: step === 'verify' ? '已核实情况' : step === 'fix' ? '已整改到位' : '已上门回访',
              ...(step === 'fix' ? { outcome: 'fixed' } : {}),
            },
            head,
            c.n,
          )
          if (!r.ok) {
            c.failed = `rectify.step ${step}: ${r.error?.code} ${r.error?.message}`
            return
          }
          const now = r.at
          c.rectify!.steps.push({ step, at: now })
          if (k < 2) next(k + 1, now)
          else if (p.fixRating)
            later(c, 'rateFix', now + rng.int(1, 30) * 3600_000, async () => {
              const r2 = await call(
                'rectify.rateFix',
                { caseId: c.id, level: p.fixRating },
                c.residentOpenid,
                c.n,
              )
              if (!r2.ok) c.failed = `rectify.rateFix: ${r2.error?.code} ${r2.error?.message}`
              else c.rectify!.fixRatedAt = r2.at
            })
        })
      }
      next(0, c.rating.at)
    }
    const complain = async (c: CaseLog) => {
      await grant(c.residentOpenid, ['TPL-COMPLAINT-REPLY'], false, c.n)
      const r = await call<{ id: string }>(
        'complaints.submit',
        {
          caseId: c.id,
          name: c.plan.resident.name,
          phone: c.plan.resident.phone,
          text: '办事过程中工作人员态度不好，希望改进',
        },
        c.residentOpenid,
        c.n,
        `cp-${c.n}`,
      )
      if (!r.ok) {
        c.failed = `complaints.submit: ${r.error?.code} ${r.error?.message}`
        return
      }
      c.complaint = { id: r.data.id, at: r.at, repliedAt: null }
      later(c, 'reply complaint', office.after(c.complaint.at, c.plan.replyAfter), async () => {
        const r2 = await call(
          'complaints.reply',
          { id: c.complaint!.id, reply: '已核实并督促整改，感谢监督' },
          supervisor,
          c.n,
        )
        if (!r2.ok) c.failed = `complaints.reply: ${r2.error?.code} ${r2.error?.message}`
        else c.complaint!.repliedAt = r2.at
      })
    }
    const book = async (c: CaseLog) => {
      // A counter slot one to three working days ahead, morning or afternoon.
      const day = calendar.addWorkingDays(shanghaiDay(new Date(lcb.clock.now())), rng.int(1, 3)).day
      const start = rng.pick(['09:00', '09:30', '10:00', '10:30', '11:00', '14:00', '15:00', '16:00'])
      await grant(c.residentOpenid, ['TPL-APPOINTMENT'], false, c.n)
      const r = await call<{ id: string }>(
        'appointments.book',
        {
          slotKey: slotKey(c.stationId, day, start),
          caseId: c.id,
          name: c.plan.resident.name,
          phone: c.plan.resident.phone,
        },
        c.residentOpenid,
        c.n,
      )
      if (!r.ok) {
        // A full slot is the product working (capacity), not a failure: the resident comes anyway.
        if (r.error?.code !== 'CONFLICT' && r.error?.code !== 'INVALID_STATE')
          c.failed = `appointments.book: ${r.error?.code} ${r.error?.message}`
        return
      }
      log.bookings.push({
        n: c.n,
        id: r.data.id,
        kind: 'slot',
        openid: c.residentOpenid,
        stationId: c.stationId,
        createdAt: r.at,
        startsAt: shanghaiInstant(day, start).getTime(),
        day,
        confirmedAt: null,
      })
    }
    const requestVisit = async (c: CaseLog) => {
      const visitStation = c.stationId
      const days = [1, 2].map((k) => calendar.addWorkingDays(shanghaiDay(new Date(lcb.clock.now())), k).day)
      await grant(c.residentOpenid, ['TPL-VISIT'], false, c.n)
      const r = await call<{ id: string }>(
        'appointments.requestVisit',
        {
          stationId: visitStation,
          caseId: c.id,
          name: c.plan.resident.name,
          phone: c.plan.resident.phone,
          address: '村里老屋',
          reason: 'elderly',
          windows: days.map((day) => ({ day, part: 'am' })),
          note: '老人行动不便',
        },
        c.residentOpenid,
        c.n,
      )
      if (!r.ok) {
        c.failed = `appointments.requestVisit: ${r.error?.code} ${r.error?.message}`
        return
      }
      const b: BookingLog = {
        n: c.n,
        id: r.data.id,
        kind: 'visit',
        openid: c.residentOpenid,
        stationId: visitStation,
        createdAt: r.at,
        startsAt: null,
        day: null,
        confirmedAt: null,
      }
      log.bookings.push(b)
      later(c, 'confirmVisit', office.after(b.createdAt, rng.int(20, 200)), async () => {
        const now = lcb.clock.now()
        const day = days.find((d) => shanghaiInstant(d, '10:00').getTime() > now + 60 * MINUTE)
        if (!day) return
        const r2 = await call(
          'work.visits.confirm',
          { bookingId: b.id, day, start: '10:00', minutes: 60 },
          headOf(visitStation),
          c.n,
        )
        if (!r2.ok) {
          c.failed = `work.visits.confirm: ${r2.error?.code} ${r2.error?.message}`
          return
        }
        b.confirmedAt = r2.at
        b.startsAt = shanghaiInstant(day, '10:00').getTime()
        b.day = day
      })
    }

    for (const c of caseLogs) agenda.add(c.plan.submitAt, submitWithRequestId(c))

    // ---- the clock ------------------------------------------------------------------------
    const overlaps = new Rng(opts.county.seed ^ 0x0a1)
    const runJobs = async (t: number) => {
      const t0 = performance.now()
      const res = await lcb.invoke(
        'jobs',
        {
          Type: 'Timer',
          TriggerName: 'every10min',
          Time: new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          Message: '',
        },
        // As the platform's timer trigger: jobs refuses every other caller.
        { source: 'wx_trigger' },
      )
      const body =
        res.ok && res.json
          ? (JSON.parse(res.json) as JobReport & { ok?: false; error?: { message: string } })
          : null
      const refused = body?.ok === false
      log.jobs.push({
        at: t,
        ok: res.ok && !refused,
        dbCalls: res.record.dbCalls,
        ms: performance.now() - t0,
        error: !res.ok ? res.message : refused ? `refused: ${body.error?.message}` : null,
        report: body && !refused ? body : null,
      })
    }
    const concurrency = opts.concurrency ?? 8
    let lastDay = ''
    for (let t = start; t < end; t += TICK_MS) {
      lcb.clock.set(t)
      // Now and then two runs of the same tick overlap (a platform retry): nothing may happen twice.
      const runs = overlaps.chance(0.02) ? 2 : 1
      await Promise.all(Array.from({ length: runs }, () => runJobs(t)))
      for (;;) {
        const group = agenda.takeMinute(t + TICK_MS)
        if (!group.length) break
        lcb.clock.set(Math.max(group[0]!.at, lcb.clock.now()))
        for (let i = 0; i < group.length; i += concurrency)
          await Promise.all(group.slice(i, i + concurrency).map((j) => j.run()))
      }
      const day = shanghaiDay(new Date(t))
      if (day !== lastDay) {
        lastDay = day
        const today = log.jobs.filter((j) => j.at >= t - 86_400_000)
        say(
          `${day}: ${log.calls.length} api calls, ${agenda.size} actions waiting; last day's jobs runs: max ${Math.max(0, ...today.map((j) => j.dbCalls))} database calls, ${Math.round(today.reduce((a, j) => a + j.ms, 0) / 1000)} s; ${((performance.now() - wall0) / 1000).toFixed(0)} s`,
        )
      }
    }

    // ---- what the product stored -------------------------------------------------------------
    lcb.clock.set(end)
    const months = new Set<string>()
    for (let d = opts.county.from; d < opts.county.to; d = addDays(d, 1)) months.add(periodOf('month', d).key)
    for (const key of months) {
      const r = await call<KpiReport>('supervise.kpis', { kind: 'month', key }, supervisor, null)
      if (r.ok) log.snapshot.kpis[key] = r.data
    }
    log.snapshot.kpisAt = lcb.clock.now()
    log.snapshot.outbox = stored<OutboxMessage>(lcb, 'outbox')
    log.snapshot.cases = stored<CaseRecord>(lcb, 'cases')
    log.snapshot.rectifications = stored<RectificationRecord>(lcb, 'rectifications')
    log.snapshot.autoRated = stored<{ caseId: string; at: Date }>(lcb, 'case_events', { action: 'autoRate' })
    log.snapshot.sends = lcb.openApiCalls('subscribeMessage.send', 10_000_000)
  } finally {
    await lcb.stop()
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
  log.wallMs = performance.now() - wall0
  return log
}
