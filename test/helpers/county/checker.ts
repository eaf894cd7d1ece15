/**
 * Holds the product to the simulation's own log. Every expectation is derived from what the
 * people did (the log) and the domain's rules (server/domain: remindersDue, isOfficeTime,
 * rating window, 整改 period, KPI definitions) — never from what the product stored; the
 * snapshot is only what is checked. Each check reports how many things it looked at and the
 * first failures in words.
 */
import type { CaseRecord } from '../../../typings/domain'
import type { KpiReport } from '../../../typings/api'
import {
  DEFAULT_OFFICE_HOURS,
  addDays,
  shanghaiDay,
  shanghaiInstant,
  type WorkCalendar,
} from '../../../server/domain/calendar'
import {
  OFFICE_HOURS_ONLY,
  isOfficeTime,
  remindersDue,
  type NotifyEvent,
  type ReminderSettings,
} from '../../../server/domain/notifications'
import {
  dueAfterAcceptance,
  dueAfterSupplement,
  isBadRating,
  isOnTime,
  isSatisfied,
  ratingWindowClosesAt,
  residentDue,
} from '../../../server/domain/case-states'
import type { RatingLevel } from '../../../typings/vocabulary'
import { rectifyDue } from '../../../server/domain/rectification'
import { appointmentRemindersDue } from '../../../server/domain/appointments'
import { isFullyPublished, tiersOfferedAt } from '../../../server/domain/network'
import { periodOf } from '../../../server/domain/kpis'
import { TICK_MS, officialCalendar, type CaseLog, type SimLog } from './driver'

export interface CheckResult {
  name: string
  ok: boolean
  checked: number
  failureCount: number
  failures: string[]
}

export interface Figures {
  cases: number
  apiCalls: number
  jobsRuns: number
  jobsDbCalls: { p50: number; p99: number; max: number; maxAt: string }
  longestRun: { ms: number; at: string }
  messagesByKind: Record<string, Record<string, number>>
  longestDrain: { minutes: number; from: string; messages: number }
  afterNationalDay: { minutes: number; from: string; messages: number } | null
  perAction: Record<string, { calls: number; dbP50: number; dbMax: number; msP50: number }>
  wallSeconds: number
  setupSeconds: number
}

export interface CheckReport {
  checks: CheckResult[]
  figures: Figures
}

const SLACK_MS = 5_000
const SHOWN = 12
const REMINDER_KINDS: NotifyEvent[] = ['dueSoon', 'dueToday', 'overdue', 'superviseHead', 'reportSupervisor']

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

const iso = (t: number) => new Date(t + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ')
const ms = (d: Date | string | number | null | undefined) => (d == null ? null : new Date(d).getTime())

class Check {
  checked = 0
  readonly failures: string[] = []

  constructor(readonly name: string) {}

  fail(text: string): void {
    this.failures.push(text)
  }

  result(): CheckResult {
    return {
      name: this.name,
      ok: this.failures.length === 0,
      checked: this.checked,
      failureCount: this.failures.length,
      failures: this.failures.slice(0, SHOWN),
    }
  }
}

/** The first tick at or after `t` (ticks every 10 minutes from midnight). */
const tickAtOrAfter = (t: number) => Math.ceil(t / TICK_MS) * TICK_MS
/** The first tick strictly after `t`: an action at a tick instant comes after that tick's run. */
const tickAfter = (t: number) => Math.floor(t / TICK_MS) * TICK_MS + TICK_MS

interface Expected {
  /** The tick whose run should queue it. */
  tick: number
  label: string
}

/**
 * Expected reminders of one deadline: on each working day the case is running, at the first
 * office-time tick at which the job can see it, ask the domain which reminders are due; a kind
 * is expected at the first tick it appears. (Within a working day's office hours the answer of
 * remindersDue does not change: it depends on the day and on now < dueAt, and dueAt is the end
 * of office hours.)
 */
function remindersOf(
  dl: { caseId: string; dueAt: number; dueDay: string; from: number; until: number },
  calendar: WorkCalendar,
  end: number,
  settings: ReminderSettings,
): Map<NotifyEvent, number> {
  const out = new Map<NotifyEvent, number>()
  const first = tickAfter(dl.from)
  const last = Math.min(dl.until, end - 1)
  for (let day = shanghaiDay(new Date(first)); ; day = addDays(day, 1)) {
    const open = shanghaiInstant(day, DEFAULT_OFFICE_HOURS.start).getTime()
    if (open > last) break
    if (!calendar.isWorkday(day)) continue
    const t = Math.max(tickAtOrAfter(open), first)
    if (t > last || !isOfficeTime(new Date(t), calendar) || shanghaiDay(new Date(t)) !== day) continue
    for (const r of remindersDue(
      { id: dl.caseId, dueAt: new Date(dl.dueAt), dueDay: dl.dueDay },
      new Date(t),
      calendar,
      settings,
    ))
      if (!out.has(r.event)) out.set(r.event, t)
    if (out.size === REMINDER_KINDS.length) break
  }
  return out
}

/** Expected and actual messages grouped by (event, case, recipient); compares counts and times. */
class Ledger {
  private readonly expected = new Map<string, Expected[]>()

  expect(event: string, caseId: string, recipient: string, e: Expected): void {
    const k = `${event}|${caseId}|${recipient}`
    const list = this.expected.get(k) ?? []
    list.push(e)
    this.expected.set(k, list)
  }

  /**
   * Compares with the outbox. `window`: how late after the expected tick a message may be
   * queued (one tick); `office`: whether it must be queued in office hours of a working day.
   */
  compare(
    actual: Map<string, number[]>,
    check: (key: string) => Check | null,
    calendar: WorkCalendar,
    office: (event: string) => boolean,
  ): void {
    const keys = new Set([...this.expected.keys(), ...[...actual.keys()]])
    for (const k of keys) {
      const c = check(k)
      if (!c) continue
      const [event] = k.split('|') as [string]
      const exp = [...(this.expected.get(k) ?? [])].sort((a, b) => a.tick - b.tick)
      const got = [...(actual.get(k) ?? [])].sort((a, b) => a - b)
      c.checked += Math.max(exp.length, 1)
      if (got.length < exp.length)
        for (const e of exp.slice(got.length))
          c.fail(`missing: ${e.label} expected by ${iso(e.tick + TICK_MS)}`)
      if (got.length > exp.length)
        c.fail(
          `${got.length - exp.length} extra ${event} for ${k.split('|').slice(1).join(' → ')} at ${got.slice(exp.length).map(iso).join(', ')}`,
        )
      for (let i = 0; i < Math.min(exp.length, got.length); i++) {
        const e = exp[i]!
        const at = got[i]!
        if (at < e.tick - SLACK_MS || at >= e.tick + TICK_MS + SLACK_MS)
          c.fail(`${e.label}: queued ${iso(at)}, expected in the tick of ${iso(e.tick)}`)
        else if (office(event) && !isOfficeTime(new Date(at), calendar))
          c.fail(`${e.label}: queued ${iso(at)}, outside office hours of a working day`)
      }
    }
  }
}

export function checkCounty(log: SimLog): CheckReport {
  const calendar = officialCalendar()
  const { county, snapshot, end } = log
  const agents = new Map(county.agents.map((a) => [a._id, a]))
  const stations = new Map(county.stations.map((s) => [s._id, s]))
  const openid = (agentId: string | null | undefined) => (agentId ? (agents.get(agentId)?.openid ?? '') : '')
  const headOf = (stationId: string) => openid(stations.get(stationId)?.headAgentId)
  const supervisors = county.supervisors.map((s) => s.openid ?? '')
  const dbCases = new Map(snapshot.cases.map((c) => [c._id, c]))
  const lastTick = end - TICK_MS
  const settings = log.options.reminders

  // Messages in the outbox by (event, case, recipient).
  const actual = new Map<string, number[]>()
  for (const m of snapshot.outbox) {
    const k = `${m.event}|${m.caseId}|${m.recipientOpenid ?? ''}`
    const list = actual.get(k) ?? []
    list.push(ms(m.createdAt)!)
    actual.set(k, list)
  }

  // ---- answers -------------------------------------------------------------------------------
  const internal = new Check('no INTERNAL answer (api) and every jobs run completes')
  for (const c of log.calls) {
    internal.checked += 1
    if (c.code === 'INTERNAL') internal.fail(`${c.action} at ${iso(c.at)} (case ${c.n}): ${c.message}`)
  }
  for (const j of log.jobs) {
    internal.checked += 1
    if (!j.ok) internal.fail(`jobs run at ${iso(j.at)} failed: ${j.error}`)
  }
  const answered = new Check('every action of the simulation was accepted (no unexpected error)')
  for (const c of log.calls) {
    answered.checked += 1
    if (c.ok || c.code === 'INTERNAL') continue
    // A full slot is the product keeping capacity; the driver tolerates it.
    if (c.action === 'appointments.book' && (c.code === 'CONFLICT' || c.code === 'INVALID_STATE')) continue
    // A stale version is refreshed and retried, as a person would.
    if (c.code === 'CONFLICT') continue
    answered.fail(`${c.action} at ${iso(c.at)} (case ${c.n}): ${c.code} ${c.message}`)
  }
  const budget = new Check('jobs run within the platform budget (≤ 400 database calls, < 60 s)')
  for (const j of log.jobs) {
    budget.checked += 1
    if (j.dbCalls > 400) budget.fail(`${iso(j.at)}: ${j.dbCalls} database calls`)
    else if (j.ms >= 60_000) budget.fail(`${iso(j.at)}: ${(j.ms / 1000).toFixed(1)} s`)
  }

  // ---- deadlines -------------------------------------------------------------------------------
  const dueCheck = new Check('due dates given at acceptance follow the working calendar')
  const plain = new Check(
    'reminders (due soon, due today, 催办, 督办, 通报) exactly once, in office hours, within one tick',
  )
  const upperCheck = new Check(
    '上报件: both deadlines watched (owner and upper station, each with its own reminders)',
  )
  const ledger = new Ledger()
  const escalated = new Set<string>()
  for (const c of log.cases) {
    if (!c.id || c.acceptedAt === null || !c.handling) continue
    const start = c.handling === 'supplement' ? c.suppliedAt : c.acceptedAt
    if (start === null) continue
    dueCheck.checked += 1
    const due =
      c.handling === 'supplement'
        ? dueAfterSupplement(new Date(start), c.item.promisedDays, calendar)
        : dueAfterAcceptance(new Date(start), c.handling, c.item.promisedDays, calendar)
    if (c.dueDay !== due.dueDay || c.dueAt !== due.dueAt.getTime()) {
      dueCheck.fail(`case ${c.n}: due ${c.dueDay}, the calendar says ${due.dueDay}`)
      continue
    }
    const until = c.completedAt ?? Infinity
    const watch = (
      dueAt: number,
      dueDay: string,
      from: number,
      agentId: string,
      stationId: string,
      side: string,
    ) => {
      const kinds = remindersOf({ caseId: c.id!, dueAt, dueDay, from, until }, calendar, end, settings)
      for (const [kind, tick] of kinds) {
        const label = (who: string) => `${kind} (${side} due ${dueDay}) of case ${c.n} to ${who}`
        if (kind === 'superviseHead')
          ledger.expect(kind, c.id!, headOf(stationId), { tick, label: label('head') })
        else if (kind === 'reportSupervisor')
          for (const s of supervisors)
            ledger.expect(kind, c.id!, s, { tick, label: label(`supervisor ${s}`) })
        else ledger.expect(kind, c.id!, openid(agentId), { tick, label: label('agent') })
      }
    }
    watch(c.dueAt!, c.dueDay!, start, c.assignedAgentId!, c.stationId, 'owner')
    if (c.upper) {
      escalated.add(c.id)
      if (c.upper.acceptedAt !== null && c.upper.dueAt !== null && c.upper.dueDay !== null)
        watch(c.upper.dueAt, c.upper.dueDay, c.upper.acceptedAt, c.upper.agentId, c.upper.stationId, 'upper')
    }
  }
  const reminderSet = new Set<string>(REMINDER_KINDS)
  ledger.compare(
    actual,
    (k) => {
      const [event, caseId] = k.split('|') as [string, string]
      if (!reminderSet.has(event)) return null
      return escalated.has(caseId) ? upperCheck : plain
    },
    calendar,
    () => true,
  )

  // ---- default ratings -----------------------------------------------------------------------
  const autoRated = new Map<string, number[]>()
  for (const e of snapshot.autoRated) autoRated.set(e.caseId, [...(autoRated.get(e.caseId) ?? []), ms(e.at)!])
  const defaults = new Check(
    'default rating (基本满意, marked default) once, within one tick of the window closing',
  )
  for (const c of log.cases) {
    if (!c.id || c.deliveredAt === null) continue
    const closes = ratingWindowClosesAt(new Date(c.deliveredAt), settings.ratingWindowDays).getTime()
    const byResident = c.rating && c.rating.at < closes
    const doc = dbCases.get(c.id)
    const r = doc?.rating
    if (byResident) {
      if (r?.isDefault) {
        defaults.checked += 1
        defaults.fail(`case ${c.n}: rated by the resident, yet marked default`)
      }
      continue
    }
    if (tickAtOrAfter(closes) > lastTick) continue
    defaults.checked += 1
    const times = autoRated.get(c.id) ?? []
    if (times.length > 1) defaults.fail(`case ${c.n}: ${times.length} default ratings in the timeline`)
    if (!r || !r.isDefault) defaults.fail(`case ${c.n}: window closed ${iso(closes)}, no default rating`)
    else if (ms(r.at)! < closes || ms(r.at)! >= closes + TICK_MS + SLACK_MS)
      defaults.fail(`case ${c.n}: default rating at ${iso(ms(r.at)!)}, window closed ${iso(closes)}`)
  }

  // ---- 整改 ------------------------------------------------------------------------------------
  const rectify = new Check('整改 overdue notice to every supervisor once, in office hours, within one tick')
  const rectifyLedger = new Ledger()
  const rectifications = new Map(snapshot.rectifications.map((r) => [r.caseId, r]))
  for (const c of log.cases) {
    if (!c.id || !c.rectify || !c.rating) continue
    const due = rectifyDue(new Date(c.rating.at), calendar, settings.rectifyDays)
    const stored = rectifications.get(c.id)
    if (!stored) {
      rectify.checked += 1
      rectify.fail(`case ${c.n}: 差评 without a 整改 task`)
      continue
    }
    const visit = c.rectify.steps.find((s) => s.step === 'visit')?.at ?? Infinity
    // First office-time tick after the due moment while the task is still with the head.
    let tick: number | null = null
    for (
      let day = shanghaiDay(due.dueAt);
      day <= shanghaiDay(new Date(Math.min(visit, end)));
      day = addDays(day, 1)
    ) {
      if (!calendar.isWorkday(day)) continue
      const t = Math.max(
        tickAtOrAfter(shanghaiInstant(day, DEFAULT_OFFICE_HOURS.start).getTime()),
        tickAfter(due.dueAt.getTime()),
      )
      if (
        t <= Math.min(visit, lastTick) &&
        isOfficeTime(new Date(t), calendar) &&
        shanghaiDay(new Date(t)) === day
      ) {
        tick = t
        break
      }
    }
    if (tick === null) continue
    for (const s of supervisors)
      rectifyLedger.expect('rectifyOverdue', c.id, s, {
        tick,
        label: `整改 overdue (due ${due.dueDay}) of case ${c.n} to ${s}`,
      })
  }
  rectifyLedger.compare(
    actual,
    (k) => (k.startsWith('rectifyOverdue|') ? rectify : null),
    calendar,
    () => true,
  )

  // ---- notices of the case flow --------------------------------------------------------------
  const flow = new Check(
    'case-flow notices (assigned, 补正, 办结, 送达, 差评, 回访, 投诉, 上门) exactly once, at the action',
  )
  const flowLedger = new Ledger()
  for (const c of log.cases) {
    if (!c.id || c.submittedAt === null) continue
    const e = (event: string, recipient: string, t: number | null) => {
      if (t !== null)
        flowLedger.expect(event, c.id!, recipient, { tick: t, label: `${event} of case ${c.n}` })
    }
    e('caseAssigned', openid(c.assignedAgentId), c.submittedAt)
    if (c.handling === 'supplement') e('supplementNeeded', c.residentOpenid, c.acceptedAt)
    e('caseCompleted', c.residentOpenid, c.completedAt)
    e('caseDelivered', c.residentOpenid, c.deliveredAt)
    if (c.rating && isBadRating(c.rating.level as RatingLevel))
      e('badRating', headOf(c.stationId), c.rating.at)
    const visit = c.rectify?.steps.find((s) => s.step === 'visit')
    if (visit) e('rectifyVisited', c.residentOpenid, visit.at)
    if (c.complaint) {
      for (const s of supervisors) e('complaintFiled', s, c.complaint.at)
      e('complaintReplied', c.residentOpenid, c.complaint.repliedAt)
    }
  }
  for (const b of log.bookings) {
    const c = log.cases[b.n - 1]!
    if (b.kind === 'visit') {
      flowLedger.expect('visitRequested', c.id!, headOf(b.stationId), {
        tick: b.createdAt,
        label: `visitRequested of case ${b.n}`,
      })
      if (b.confirmedAt !== null)
        flowLedger.expect('visitConfirmed', c.id!, b.openid, {
          tick: b.confirmedAt,
          label: `visitConfirmed of case ${b.n}`,
        })
    }
  }
  const flowEvents = new Set([
    'caseAssigned',
    'supplementNeeded',
    'caseCompleted',
    'caseDelivered',
    'badRating',
    'rectifyVisited',
    'complaintFiled',
    'complaintReplied',
    'visitRequested',
    'visitConfirmed',
  ])
  flowLedger.compare(
    actual,
    (k) => (flowEvents.has(k.split('|')[0]!) ? flow : null),
    calendar,
    (event) => OFFICE_HOURS_ONLY.has(event as NotifyEvent),
  )

  // ---- appointment reminders -------------------------------------------------------------------
  const appt = new Check('appointment reminders (the day before, 2 hours before) once each, within one tick')
  const apptLedger = new Ledger()
  for (const b of log.bookings) {
    if (b.startsAt === null || b.day === null) continue
    const c = log.cases[b.n - 1]!
    // A home visit is booked when the agent confirms a time (the request had none).
    const created = b.kind === 'visit' ? b.confirmedAt! : b.createdAt
    const reminded: string[] = []
    for (let t = tickAfter(created); t < Math.min(b.startsAt, end); t += TICK_MS) {
      for (const kind of appointmentRemindersDue(
        { startsAt: new Date(b.startsAt), day: b.day, createdAt: new Date(created), reminded },
        new Date(t),
      )) {
        reminded.push(kind)
        apptLedger.expect('appointmentReminder', c.id!, b.openid, {
          tick: t,
          label: `${kind} reminder of booking (case ${b.n})`,
        })
      }
      if (reminded.length === 2) break
    }
  }
  apptLedger.compare(
    actual,
    (k) => (k.startsWith('appointmentReminder|') ? appt : null),
    calendar,
    () => false,
  )

  // ---- daily digests -------------------------------------------------------------------------------
  const digest = new Check('daily digest at most once per head per working day, in office hours')
  const digests = new Map<string, number>()
  for (const m of snapshot.outbox.filter((x) => x.event === 'dailyDigest')) {
    digest.checked += 1
    const k = `${m.recipientOpenid}|${shanghaiDay(new Date(m.createdAt))}`
    digests.set(k, (digests.get(k) ?? 0) + 1)
    if (!isOfficeTime(new Date(m.createdAt), calendar))
      digest.fail(`digest to ${m.recipientOpenid} at ${iso(ms(m.createdAt)!)}`)
  }
  for (const [k, n] of digests) if (n > 1) digest.fail(`${n} digests for ${k}`)

  // ---- the outbox ----------------------------------------------------------------------------------
  const lost = new Check('no lost message: every message finished (sent or recorded as not granted)')
  const firstSendable = (createdAt: number, event: string): number => {
    if (!OFFICE_HOURS_ONLY.has(event as NotifyEvent)) return createdAt
    let t = createdAt
    for (let i = 0; i < 40 * 144 && !isOfficeTime(new Date(t), calendar); i++) t = tickAtOrAfter(t + 1)
    return t
  }
  for (const m of snapshot.outbox) {
    lost.checked += 1
    const created = ms(m.createdAt)!
    if (m.status === 'failed') lost.fail(`${m.event} ${m._id}: failed (${m.lastError})`)
    else if (m.status === 'pending' || m.status === 'sending') {
      // Still waiting at the end is fine only for a message that could not be sent yet.
      const from = firstSendable(created, m.event)
      if (from < end - 6 * TICK_MS)
        lost.fail(`${m.event} ${m._id}: still ${m.status}, sendable since ${iso(from)}`)
    }
  }
  const once = new Check('sent exactly once as far as WeChat and the outbox know')
  const sig = (touser: string, template: string, page: string, data: unknown) =>
    `${touser}|${template}|${page}|${JSON.stringify(data)}`
  const sends = new Map<string, number>()
  for (const s of snapshot.sends) {
    const p = s.params as { touser: string; template_id: string; page: string; data: unknown }
    const r = s.response as { errcode?: number }
    if ((r?.errcode ?? 0) !== 0) continue
    const k = sig(p.touser, p.template_id, p.page, p.data)
    sends.set(k, (sends.get(k) ?? 0) + 1)
  }
  const sentMsgs = new Map<string, number>()
  for (const m of snapshot.outbox.filter((x) => x.status === 'sent')) {
    const k = sig(m.recipientOpenid ?? '', m.templateId, m.page, m.data)
    sentMsgs.set(k, (sentMsgs.get(k) ?? 0) + 1)
  }
  for (const k of new Set([...sends.keys(), ...sentMsgs.keys()])) {
    once.checked += 1
    const a = sends.get(k) ?? 0
    const b = sentMsgs.get(k) ?? 0
    if (a !== b) once.fail(`${k.split('|').slice(0, 3).join(' ')}: WeChat got ${a}, outbox says sent ${b}`)
  }
  const grants = new Check(
    'grants honoured: long-term grants receive everything; a one-time grant is used once',
  )
  const longTerm = new Set<string>()
  const oneTime = new Map<string, number>()
  for (const g of log.grants)
    for (const t of g.templates) {
      const k = `${g.openid}|${t}`
      if (g.longTerm) longTerm.add(k)
      else oneTime.set(k, (oneTime.get(k) ?? 0) + 1)
    }
  const sentPer = new Map<string, number>()
  for (const m of snapshot.outbox) {
    if (!m.recipientOpenid) continue
    const k = `${m.recipientOpenid}|${m.templateId}`
    grants.checked += 1
    if (m.status === 'sent') sentPer.set(k, (sentPer.get(k) ?? 0) + 1)
    if (longTerm.has(k) && m.status === 'skipped_no_grant')
      grants.fail(`${m.event} to ${m.recipientOpenid}: long-term grant, recorded as not granted`)
    if (!longTerm.has(k) && !oneTime.has(k) && m.status === 'sent')
      grants.fail(`${m.event} to ${m.recipientOpenid}: sent without any grant`)
  }
  for (const [k, n] of sentPer) {
    const given = oneTime.get(k)
    if (!longTerm.has(k) && given !== undefined && n > given)
      grants.fail(`${k.replace('|', ' ')}: ${n} sent on ${given} one-time grant${given > 1 ? 's' : ''}`)
  }

  // ---- cases -----------------------------------------------------------------------------------------
  const stuck = new Check('no case stuck: each case is where its log says')
  for (const c of log.cases) {
    if (c.submittedAt === null && !c.failed) continue
    stuck.checked += 1
    if (c.failed) {
      stuck.fail(`case ${c.n}: ${c.failed}`)
      continue
    }
    const doc = dbCases.get(c.id!)
    const want = expectedState(c, lastTick, settings.ratingWindowDays)
    if (!doc) stuck.fail(`case ${c.n}: not stored`)
    else if (doc.state !== want) stuck.fail(`case ${c.n}: ${doc.state}, expected ${want}`)
  }

  // ---- KPIs ----------------------------------------------------------------------------------------------
  const kpis = new Check('六项指标 from supervise.kpis equal the ground truth for every township and month')
  const truth = kpiTruth(log, calendar)
  for (const [key, report] of Object.entries(snapshot.kpis)) compareKpis(key, report, truth, log, kpis)
  const months = new Set<string>()
  for (let d = log.options.from; d < log.options.to; d = addDays(d, 1)) months.add(periodOf('month', d).key)
  for (const m of months)
    if (!snapshot.kpis[m]) {
      kpis.checked += 1
      kpis.fail(`${m}: supervise.kpis gave no report`)
    }

  const checks = [
    internal,
    answered,
    budget,
    dueCheck,
    plain,
    upperCheck,
    defaults,
    rectify,
    flow,
    appt,
    digest,
    lost,
    once,
    grants,
    stuck,
    kpis,
  ].map((c) => c.result())
  return { checks, figures: figuresOf(log, calendar, firstSendable) }
}

function expectedState(c: CaseLog, lastTick: number, windowDays: number): CaseRecord['state'] {
  if (c.rating) return 'rated'
  if (c.deliveredAt !== null)
    return tickAtOrAfter(ratingWindowClosesAt(new Date(c.deliveredAt), windowDays).getTime()) <= lastTick
      ? 'rated'
      : 'delivered'
  if (c.completedAt !== null) return 'completed'
  if (c.handling === 'escalated') return 'escalated'
  if (c.handling === 'supplement' && c.suppliedAt === null) return 'awaiting_supplement'
  if (c.acceptedAt !== null) return 'accepted'
  return 'submitted'
}

interface Counts {
  submitted: number
  accepted: number
  completed: number
  onTime: number
  rated: number
  satisfied: number
  defaultRated: number
}

/** Ground truth per month and station, from the log (cohort = cases submitted in the month). */
function kpiTruth(log: SimLog, calendar: WorkCalendar): Map<string, Map<string, Counts>> {
  void calendar
  const out = new Map<string, Map<string, Counts>>()
  const asOf = log.snapshot.kpisAt
  for (const c of log.cases) {
    if (c.submittedAt === null) continue
    const month = periodOf('month', shanghaiDay(new Date(c.submittedAt))).key
    const byStation = out.get(month) ?? new Map<string, Counts>()
    out.set(month, byStation)
    const k = byStation.get(c.stationId) ?? {
      submitted: 0,
      accepted: 0,
      completed: 0,
      onTime: 0,
      rated: 0,
      satisfied: 0,
      defaultRated: 0,
    }
    byStation.set(c.stationId, k)
    k.submitted += 1
    if (c.acceptedAt !== null) k.accepted += 1
    if (c.completedAt !== null) {
      k.completed += 1
      // 上报件: the resident-facing due is the later of the two; joint work: the case's due.
      const due =
        c.upper?.dueAt != null && c.dueAt !== null
          ? residentDue(new Date(c.dueAt), new Date(c.upper.dueAt)).getTime()
          : c.dueAt
      if (due === null || isOnTime(new Date(c.completedAt), new Date(due))) k.onTime += 1
    }
    if (c.rating) {
      k.rated += 1
      if (isSatisfied(c.rating.level as RatingLevel)) k.satisfied += 1
    } else if (
      c.deliveredAt !== null &&
      tickAtOrAfter(
        ratingWindowClosesAt(new Date(c.deliveredAt), log.options.reminders.ratingWindowDays).getTime(),
      ) <
        asOf - TICK_MS + 1
    )
      k.defaultRated += 1
  }
  return out
}

function compareKpis(
  key: string,
  report: KpiReport,
  truth: Map<string, Map<string, Counts>>,
  log: SimLog,
  check: Check,
): void {
  const byStation = truth.get(key) ?? new Map<string, Counts>()
  const { county } = log
  const hotline = '0851-12345678'
  const rows = [
    { row: report.district, members: county.stations },
    ...report.townships.map((row) => ({
      row,
      members: county.stations.filter((s) => s._id === row.id || s.parentId === row.id),
    })),
  ]
  if (report.townships.length !== county.stations.filter((s) => s.tier === 'township').length) {
    check.checked += 1
    check.fail(`${key}: ${report.townships.length} township rows`)
  }
  for (const { row, members } of rows) {
    const sum: Counts = {
      submitted: 0,
      accepted: 0,
      completed: 0,
      onTime: 0,
      rated: 0,
      satisfied: 0,
      defaultRated: 0,
    }
    for (const s of members) {
      const k = byStation.get(s._id)
      if (k) for (const f of Object.keys(sum) as (keyof Counts)[]) sum[f] += k[f]
    }
    // Every generated station is healthy; items offered by the row count once each.
    const offered = new Map<string, boolean>()
    for (const s of members)
      for (const i of county.items.filter((x) => x.active && tiersOfferedAt(s.tier).includes(x.tier)))
        offered.set(i._id, isFullyPublished(i) && !!hotline)
    const want: Record<string, [number, number]> = {
      organization: [members.length, members.length],
      publication: [[...offered.values()].filter(Boolean).length, offered.size],
      acceptance: [sum.accepted, sum.submitted],
      completion: [sum.completed, sum.accepted],
      onTime: [sum.onTime, sum.completed],
      satisfaction: [sum.satisfied, sum.rated],
    }
    for (const [kpi, [num, den]] of Object.entries(want)) {
      check.checked += 1
      const got = row.rates[kpi as keyof typeof row.rates]
      if (!got || got.numerator !== num || got.denominator !== den)
        check.fail(`${key} ${row.name} ${kpi}: ${got?.numerator}/${got?.denominator}, truth ${num}/${den}`)
    }
    check.checked += 1
    if (row.counts.defaultRated !== sum.defaultRated)
      check.fail(`${key} ${row.name} default ratings: ${row.counts.defaultRated}, truth ${sum.defaultRated}`)
  }
}

function figuresOf(
  log: SimLog,
  calendar: WorkCalendar,
  firstSendable: (createdAt: number, event: string) => number,
): Figures {
  const calls = log.jobs.map((j) => j.dbCalls).sort((a, b) => a - b)
  const maxRun = log.jobs.reduce((m, j) => (j.dbCalls > m.dbCalls ? j : m), log.jobs[0]!)
  const longest = log.jobs.reduce((m, j) => (j.ms > m.ms ? j : m), log.jobs[0]!)
  const byKind: Record<string, Record<string, number>> = {}
  for (const m of log.snapshot.outbox) {
    const k = (byKind[m.event] ??= {})
    k[m.status] = (k[m.status] ?? 0) + 1
  }
  // Backlog drain: messages that became sendable at the same office opening, and how long until
  // the last of them was sent.
  const drains = new Map<number, { last: number; n: number }>()
  for (const m of log.snapshot.outbox) {
    if (m.status !== 'sent' || !m.sentAt) continue
    const from = firstSendable(ms(m.createdAt)!, m.event)
    const d = drains.get(from) ?? { last: from, n: 0 }
    d.last = Math.max(d.last, ms(m.sentAt)!)
    d.n += 1
    drains.set(from, d)
  }
  let worst = { minutes: 0, from: '—', messages: 0 }
  for (const [from, d] of drains)
    if ((d.last - from) / 60_000 > worst.minutes)
      worst = { minutes: (d.last - from) / 60_000, from: iso(from), messages: d.n }
  // The morning after 国庆: the first office opening after 2026-10-07.
  let afterNationalDay: Figures['afterNationalDay'] = null
  const open = shanghaiInstant(
    calendar.addWorkingDays('2026-10-07', 1).day,
    DEFAULT_OFFICE_HOURS.start,
  ).getTime()
  if (open > log.start && open < log.end) {
    let last = open
    let n = 0
    for (const [from, d] of drains)
      if (from >= open && from < open + TICK_MS) {
        last = Math.max(last, d.last)
        n += d.n
      }
    afterNationalDay = { minutes: (last - open) / 60_000, from: iso(open), messages: n }
  }
  const perAction: Figures['perAction'] = {}
  const groups = new Map<string, { db: number[]; ms: number[] }>()
  for (const c of log.calls) {
    const g = groups.get(c.action) ?? { db: [], ms: [] }
    g.db.push(c.dbCalls)
    g.ms.push(c.ms)
    groups.set(c.action, g)
  }
  for (const [a, g] of groups) {
    g.db.sort((x, y) => x - y)
    g.ms.sort((x, y) => x - y)
    perAction[a] = {
      calls: g.db.length,
      dbP50: percentile(g.db, 50),
      dbMax: g.db[g.db.length - 1]!,
      msP50: Math.round(percentile(g.ms, 50)),
    }
  }
  return {
    cases: log.cases.filter((c) => c.submittedAt !== null).length,
    apiCalls: log.calls.length,
    jobsRuns: log.jobs.length,
    jobsDbCalls: {
      p50: percentile(calls, 50),
      p99: percentile(calls, 99),
      max: calls[calls.length - 1] ?? 0,
      maxAt: maxRun ? iso(maxRun.at) : '—',
    },
    longestRun: { ms: Math.round(longest?.ms ?? 0), at: longest ? iso(longest.at) : '—' },
    messagesByKind: byKind,
    longestDrain: worst,
    afterNationalDay,
    perAction,
    wallSeconds: Math.round(log.wallMs / 1000),
    setupSeconds: Math.round(log.setupMs / 1000),
  }
}

/** The report as text: figures first, then each check with its first failures. */
export function formatReport(r: CheckReport): string {
  const f = r.figures
  const lines = [
    `cases ${f.cases}, api calls ${f.apiCalls}, jobs runs ${f.jobsRuns}; wall ${f.wallSeconds} s (setup ${f.setupSeconds} s)`,
    `database calls per jobs run: p50 ${f.jobsDbCalls.p50}, p99 ${f.jobsDbCalls.p99}, max ${f.jobsDbCalls.max} (at ${f.jobsDbCalls.maxAt})`,
    `longest jobs run: ${f.longestRun.ms} ms (at ${f.longestRun.at})`,
    `longest backlog drain: ${f.longestDrain.minutes} min for ${f.longestDrain.messages} messages sendable from ${f.longestDrain.from}`,
    f.afterNationalDay
      ? `morning after 国庆 (${f.afterNationalDay.from}): ${f.afterNationalDay.messages} messages drained in ${f.afterNationalDay.minutes} min`
      : '',
    'messages per kind:',
    ...Object.entries(f.messagesByKind)
      .sort()
      .map(
        ([k, s]) =>
          `  ${k.padEnd(20)} ${Object.entries(s)
            .map(([st, n]) => `${st} ${n}`)
            .join(', ')}`,
      ),
    'database calls per action (p50 / max, ms p50):',
    ...Object.entries(f.perAction)
      .sort()
      .map(
        ([a, s]) =>
          `  ${a.padEnd(26)} ${String(s.calls).padStart(6)} calls  ${s.dbP50} / ${s.dbMax}  ${s.msP50} ms`,
      ),
    'checks:',
    ...r.checks.flatMap((c) => [
      `  ${c.ok ? 'PASS' : 'FAIL'} ${c.name} (${c.checked} checked${c.ok ? '' : `, ${c.failureCount} failures`})`,
      ...c.failures.map((x) => `       - ${x}`),
    ]),
  ]
  return lines.filter((l) => l !== '').join('\n')
}
