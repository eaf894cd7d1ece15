import {
  actionsFor,
  callerOf,
  factsOf,
  maySee,
  refusal,
  type CaseFacts,
} from '../../server/domain/case-rules'
import type { CaseRecord } from '../../typings/domain'
import { CALLER_ROLES, CASE_RELATIONS, CASE_STATES } from '../../typings/vocabulary'

const facts = (over: Partial<CaseFacts> = {}): CaseFacts => ({
  state: 'accepted',
  rated: false,
  claimed: true,
  homeVisit: false,
  supplementRequested: false,
  hasDue: true,
  upperAccepted: false,
  tasks: 0,
  openTasks: [],
  hasParentStation: true,
  ...over,
})

const assignee = { role: 'agent', relation: 'assignee' } as const
const head = { role: 'head', relation: 'station' } as const
const colleague = { role: 'agent', relation: 'station' } as const
const applicant = { role: 'resident', relation: 'applicant' } as const
const upperHead = { role: 'head', relation: 'upper' } as const
const supervisor = { role: 'supervisor', relation: 'none' } as const

// Written out by hand (not derived from the table) so that a change to the table shows here.
describe('who may do what to a case', () => {
  it('the assigned agent of an accepted case may escalate, ask for materials once, complete', () => {
    expect(actionsFor(assignee, facts())).toEqual([
      'requestSupplement',
      'escalate',
      'complete',
      'addTasks',
      'contact',
    ])
  })

  it('the head may also reassign and extend; a colleague who is not assigned may only call', () => {
    expect(actionsFor(head, facts())).toEqual(
      expect.arrayContaining(['escalate', 'complete', 'reassign', 'extend', 'contact']),
    )
    expect(actionsFor(colleague, facts())).toEqual(['contact'])
  })

  it('the applicant withdraws until the work is done, supplies once asked, rates once after delivery', () => {
    expect(actionsFor(applicant, facts({ state: 'submitted' }))).toEqual(['withdraw', 'contact'])
    expect(actionsFor(applicant, facts({ state: 'awaiting_supplement', hasDue: false }))).toEqual([
      'supplement',
      'withdraw',
      'contact',
    ])
    expect(actionsFor(applicant, facts({ state: 'delivered' }))).toEqual(['rate', 'contact'])
    // The applicant may always call their agent (the number is read on the tap and logged).
    expect(actionsFor(applicant, facts({ state: 'escalated' }))).toEqual(['contact'])
  })

  it('the upper station accepts a 上报件 first, then finishes it', () => {
    expect(actionsFor(upperHead, facts({ state: 'escalated' }))).toEqual(['acceptUpper', 'contact'])
    expect(actionsFor(upperHead, facts({ state: 'escalated', upperAccepted: true }))).toEqual([
      'completeUpper',
      'contact',
    ])
    expect(refusal('completeUpper', upperHead, facts({ state: 'escalated' }))).toMatchObject({
      code: 'INVALID_STATE',
    })
  })

  it('open joint tasks hold completion back; the district centre cannot escalate', () => {
    expect(refusal('complete', assignee, facts({ tasks: 2, openTasks: ['核实', '入户'] }))).toEqual({
      code: 'INVALID_STATE',
      message: '还有 2 项联合办理任务未完成：核实、入户',
    })
    expect(actionsFor(assignee, facts({ hasParentStation: false }))).not.toContain('escalate')
  })

  it('supervisors see and call, never act; admins and strangers get nothing', () => {
    expect(actionsFor(supervisor, facts())).toEqual(['contact'])
    expect(maySee({ role: 'admin', relation: 'none' })).toBe(false)
    for (const state of CASE_STATES)
      for (const role of CALLER_ROLES) {
        expect(actionsFor({ role, relation: 'none' }, facts({ state }))).toEqual(
          role === 'supervisor' ? ['contact'] : [],
        )
      }
  })

  it('refuses a caller who may never act with FORBIDDEN and a wrong moment with INVALID_STATE', () => {
    expect(refusal('reassign', assignee, facts())).toEqual({ code: 'FORBIDDEN', message: '只有站长可以改派' })
    expect(refusal('accept', assignee, facts())).toEqual({
      code: 'INVALID_STATE',
      message: '当前状态为「已受理」，不能受理',
    })
  })

  it('nothing is offered on a terminal case to anyone', () => {
    for (const state of ['rated', 'withdrawn', 'rejected'] as const)
      for (const relation of CASE_RELATIONS)
        for (const role of CALLER_ROLES)
          expect(actionsFor({ role, relation }, facts({ state })).filter((a) => a !== 'contact')).toEqual([])
  })

  it('tells the relation from the case and the roster entry', () => {
    const c = {
      applicant: { openid: 'o-res', name: '', phone: '', claimCode: null },
      stationId: 'st-v',
      assignedAgentId: 'ag-1',
      upper: { stationId: 'st-t', agentId: 'ag-t1' },
    } as unknown as CaseRecord
    expect(callerOf(c, 'o-res', null)).toEqual({ role: 'resident', relation: 'applicant' })
    expect(callerOf(c, 'o-x', { _id: 'ag-1', role: 'agent', stationId: 'st-v' }).relation).toBe('assignee')
    expect(callerOf(c, 'o-x', { _id: 'ag-2', role: 'head', stationId: 'st-v' }).relation).toBe('station')
    expect(callerOf(c, 'o-x', { _id: 'ag-t1', role: 'agent', stationId: 'st-t' }).relation).toBe(
      'upperAssignee',
    )
    expect(callerOf(c, 'o-x', { _id: 'ag-t2', role: 'head', stationId: 'st-t' }).relation).toBe('upper')
    expect(callerOf(c, 'o-x', { _id: 'ag-9', role: 'head', stationId: 'st-z' }).relation).toBe('none')
    expect(
      factsOf({
        ...c,
        state: 'accepted',
        rating: null,
        visit: 'home',
        supplement: null,
        dueAt: null,
        tasks: [],
      } as unknown as CaseRecord),
    ).toMatchObject({ homeVisit: true, hasDue: false, claimed: true })
  })
})
