/**
 * The case rule table against the server: for a case in each state and each kind of caller
 * (applicant, another resident, the assigned agent, another agent and the head of its station,
 * staff of the upper station and of another station, supervisor, admin, nobody), the actions
 * `cases.get` offers are exactly the rule table's (server/domain/case-rules.ts, from the stored
 * case and roster), every offered action succeeds (on a fresh case in that state), and every other
 * one is refused — so the buttons, the table and the enforcement cannot drift apart.
 */
import type { LocalCloudBase } from '../../../local-cloudbase/server'
import type { Agent, CaseRecord } from '../../../typings/domain'
import type { CaseView } from '../../../typings/api'
import { CASE_COMMANDS, type CaseCommand } from '../../../typings/vocabulary'
import { actionsFor, callerOf, factsOf } from '../../../server/domain/case-rules'
import { DEMO_OPENIDS, call, startApi } from '../../helpers/api'
import { TWO_TASKS, aCase, requestId, type CaseBuilder } from '../../helpers/builders'
import { nodeSdk } from '../../helpers/local-cloudbase'

let lcb: LocalCloudBase

const CALLERS = {
  applicant: DEMO_OPENIDS.resident1,
  resident: DEMO_OPENIDS.resident2,
  agent: DEMO_OPENIDS.villageAgent,
  stationAgent: 'o-rules-agent-hy4',
  head: DEMO_OPENIDS.villageHead,
  upperHead: DEMO_OPENIDS.townshipHead,
  upperAgent: 'o-rules-agent-qs2',
  otherHead: 'o-rules-head-lihua',
  supervisor: DEMO_OPENIDS.supervisor,
  admin: DEMO_OPENIDS.admin,
  nobody: '',
} as const
type Caller = keyof typeof CALLERS
const { agent, upperHead } = CALLERS

/** A case in each state (and the variants the rules look at), built through the api. */
const FIXTURES: Record<string, () => CaseBuilder> = {
  submitted: () => aCase(lcb, { visit: 'home' }),
  walkIn: () => aCase(lcb, { visit: 'home', onBehalf: true }, agent),
  accepted: () => aCase(lcb, { visit: 'home' }).acceptedBy(agent),
  awaitingSupplement: () => aCase(lcb, { visit: 'home' }).acceptedBy(agent, 'supplement'),
  joint: () => aCase(lcb, { visit: 'home' }).acceptedBy(agent).withTasksBy(agent),
  escalated: () => aCase(lcb, { visit: 'home' }).acceptedBy(agent).escalatedBy(agent),
  upperAccepted: () =>
    aCase(lcb, { visit: 'home' }).acceptedBy(agent, 'escalated').upperAcceptedBy(upperHead),
  completed: () => aCase(lcb, { visit: 'home' }).acceptedBy(agent).completedBy(agent),
  delivered: () => aCase(lcb, { visit: 'home' }).acceptedBy(agent).completedBy(agent).deliveredBy(agent),
  rated: () =>
    aCase(lcb, { visit: 'home' })
      .acceptedBy(agent)
      .completedBy(agent)
      .deliveredBy(agent)
      .ratedBy(CALLERS.applicant),
  withdrawn: () => aCase(lcb, { visit: 'home' }).withdrawnBy(CALLERS.applicant),
  rejected: () => aCase(lcb, { visit: 'home' }).rejectedBy(agent),
}

/** The api call that takes each action, with a valid payload. */
function attempt(command: CaseCommand, c: CaseView, openid: string) {
  const v = { caseId: c.id, version: c.version }
  const [action, payload]: [string, object] = (
    {
      accept: ['cases.accept', { ...v, handling: 'promised' }],
      reject: ['cases.reject', { ...v, reason: '不属于代理范围' }],
      requestSupplement: ['cases.requestSupplement', { ...v, materials: ['户口本'] }],
      supplement: ['cases.supplement', { caseId: c.id, attachments: [] }],
      escalate: ['cases.escalate', v],
      complete: ['cases.complete', { ...v, result: '已办结' }],
      deliver: ['cases.deliver', v],
      rate: ['cases.rate', { caseId: c.id, level: 'satisfied' }],
      withdraw: ['cases.withdraw', { caseId: c.id }],
      reassign: ['cases.reassign', { ...v, agentId: 'ag-qs-hy-3', reason: '请假' }],
      extend: ['cases.extend', { ...v, days: 2, reason: '需要会签' }],
      addTasks: ['cases.addTasks', { ...v, tasks: TWO_TASKS }],
      completeTask: ['cases.completeTask', { ...v, taskId: 't1', result: '已核实' }],
      acceptUpper: ['cases.acceptUpper', v],
      completeUpper: ['cases.completeUpper', { ...v, result: '上级已办结' }],
      // Friday 10:00, a working day in office hours after the fixed clock.
      scheduleVisit: ['work.visits.schedule', { caseId: c.id, day: '2026-12-04', start: '10:00' }],
      reissueClaimCode: ['cases.reissueClaimCode', { caseId: c.id }],
      contact: ['cases.contact', { caseId: c.id }],
    } satisfies Record<CaseCommand, [string, object]>
  )[command]
  return call(lcb, action, payload, openid, requestId('rule'))
}

/** What the rule table says, from the stored case and the caller's roster entry. */
async function tableSays(caseId: string, openid: string): Promise<CaseCommand[]> {
  const db = nodeSdk(lcb).database()
  const { data: c } = (await db.collection('cases').doc(caseId).get()) as unknown as { data: CaseRecord[] }
  const { data: roster } = (await db
    .collection('agents')
    .where({ openid: openid || 'nobody' })
    .get()) as unknown as { data: Agent[] }
  const record = { ...c[0]!, dueAt: c[0]!.dueAt ? new Date(c[0]!.dueAt) : null }
  return actionsFor(callerOf(record, openid, roster[0] ?? null), factsOf(record))
}

const REFUSALS = new Set(['FORBIDDEN', 'INVALID_STATE', 'NOT_FOUND', 'UNAUTHENTICATED'])

beforeAll(async () => {
  // Thursday 10:00: office hours.
  lcb = await startApi('2026-12-03T10:00:00+08:00')
  const db = nodeSdk(lcb).database()
  await db.collection('agents').doc('ag-qs-hy-4').update({ openid: CALLERS.stationAgent })
  await db.collection('agents').doc('ag-qs-2').update({ openid: CALLERS.upperAgent })
  await db.collection('agents').doc('ag-by-lh-1').update({ openid: CALLERS.otherHead })
}, 60_000)
afterAll(() => lcb.stop())

const offeredSomewhere = new Set<CaseCommand>()

describe('case rule table × server', () => {
  it.each(Object.keys(FIXTURES))(
    '%s: each caller is offered and allowed exactly what the table says',
    async (f) => {
      const probe = await FIXTURES[f]!()
      const problems: string[] = []
      const offered = new Map<Caller, CaseCommand[]>()
      for (const [who, openid] of Object.entries(CALLERS) as [Caller, string][]) {
        const got = await call<CaseView>(lcb, 'cases.get', { caseId: probe.id }, openid)
        const actions = got.ok ? got.data.actions : []
        offered.set(who, actions)
        const table = await tableSays(probe.id, openid)
        if (got.ok && JSON.stringify(actions) !== JSON.stringify(table))
          problems.push(`${who}: offered [${actions}] but the table says [${table}]`)
        if (!got.ok && table.length)
          problems.push(`${who}: cannot see the case but the table says [${table}]`)
      }
      // Refusals first, all on the probe (a leak would show as a success and change the probe).
      await Promise.all(
        (Object.entries(CALLERS) as [Caller, string][]).map(async ([who, openid]) => {
          for (const command of CASE_COMMANDS.filter((a) => !offered.get(who)!.includes(a))) {
            const r = await attempt(command, probe, openid)
            if (r.ok || !REFUSALS.has(r.error.code))
              problems.push(`${who} ${command}: not offered, but answered ${r.ok ? 'ok' : r.error.code}`)
          }
        }),
      )
      // Then every offered action succeeds, each on a fresh case in the same state.
      for (const [who, actions] of offered)
        for (const command of actions) {
          offeredSomewhere.add(command)
          const r = await attempt(command, await FIXTURES[f]!(), CALLERS[who])
          if (!r.ok)
            problems.push(`${who} ${command}: offered, but refused ${r.error.code} ${r.error.message}`)
        }
      expect(problems).toEqual([])
    },
  )

  it('offers every action of the table somewhere, and escalation after acceptance to its agent', async () => {
    expect([...offeredSomewhere].sort()).toEqual([...CASE_COMMANDS].sort())
    const c = await FIXTURES.accepted!()
    expect(c.actions).toEqual(expect.arrayContaining(['escalate', 'complete', 'requestSupplement']))
  })
})
