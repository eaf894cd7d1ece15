/**
 * Named builders for integration tests: cases made through the real `api` as users would, and
 * the clock and the timer of Local CloudBase.
 *
 *   const c = await aCase(lcb).acceptedBy(agent).completedBy(agent).deliveredBy(agent)
 *   await setClock(lcb, '2026-12-08T09:00:00+08:00')
 *   await runJobs(lcb)
 */
import type { LocalCloudBase } from '../../local-cloudbase/server'
import type { Actions, CaseView } from '../../typings/api'
import type { HandlingType, RatingLevel } from '../../typings/vocabulary'
import { DEMO_OPENIDS, call, ok } from './api'

export type SubmitForm = Actions['cases.submit']['in']

/** The form a resident of 红岩村 fills for 临时救助 unless a test says otherwise. */
export const A_FORM: SubmitForm = {
  itemId: 'it-MZ-003',
  stationId: 'st-qingshan-hongyan',
  description: '临时救助',
  applicantName: '王秀英',
  applicantPhone: '13912345678',
}

let seq = 0
/** A fresh client request id (each submit is a new form unless a test retries one on purpose). */
export const requestId = (prefix = 'b') => `${prefix}-${++seq}-${Date.now().toString(36)}`

/** `cases.submit` as the raw envelope (for tests of refusals and database calls). */
export function submitCall(
  lcb: LocalCloudBase,
  form: Partial<SubmitForm> = {},
  openid: string = DEMO_OPENIDS.resident1,
  id = requestId('s'),
) {
  return call<CaseView & { claimCode: string | null }>(
    lcb,
    'cases.submit',
    { ...A_FORM, ...form },
    openid,
    id,
  )
}

type Step = (c: CaseView) => Promise<CaseView>

/**
 * A case built step by step through the api; `await` it to run the steps. Each step acts on the
 * version the previous one returned.
 */
export class CaseBuilder implements PromiseLike<CaseView> {
  private readonly steps: Step[] = []

  constructor(
    private readonly lcb: LocalCloudBase,
    private readonly form: Partial<SubmitForm> = {},
    private readonly submitter: string = DEMO_OPENIDS.resident1,
    private readonly id?: string,
  ) {}

  private then_(action: string, by: string, extra: object = {}, versioned = true): this {
    this.steps.push((c) =>
      ok<CaseView>(
        this.lcb,
        action,
        { caseId: c.id, ...(versioned ? { version: c.version } : {}), ...extra },
        by,
      ),
    )
    return this
  }

  acceptedBy(by: string, handling: HandlingType = 'promised', extra: object = {}): this {
    const missing = handling === 'supplement' ? { missingMaterials: ['户口本'] } : {}
    return this.then_('cases.accept', by, { handling, ...missing, ...extra })
  }
  rejectedBy(by: string, reason = '不属于代理范围'): this {
    return this.then_('cases.reject', by, { reason })
  }
  escalatedBy(by: string): this {
    return this.then_('cases.escalate', by)
  }
  upperAcceptedBy(by: string): this {
    return this.then_('cases.acceptUpper', by)
  }
  withTasksBy(by: string, tasks = TWO_TASKS): this {
    return this.then_('cases.addTasks', by, { tasks })
  }
  completedBy(by: string, result = '已办结'): this {
    return this.then_('cases.complete', by, { result })
  }
  deliveredBy(by: string): this {
    return this.then_('cases.deliver', by)
  }
  ratedBy(by: string, level: RatingLevel = 'satisfied', comment = ''): this {
    return this.then_('cases.rate', by, { level, comment }, false)
  }
  withdrawnBy(by: string): this {
    return this.then_('cases.withdraw', by, {}, false)
  }

  private async run(): Promise<CaseView> {
    let c = await ok<CaseView>(
      this.lcb,
      'cases.submit',
      { ...A_FORM, ...this.form },
      this.submitter,
      this.id ?? requestId('c'),
    )
    for (const s of this.steps) c = await s(c)
    return c
  }

  then<A = CaseView, B = never>(
    onfulfilled?: ((value: CaseView) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): PromiseLike<A | B> {
    return this.run().then(onfulfilled, onrejected)
  }
}

export const TWO_TASKS = [
  { title: '核实家庭收入', department: '民政办', days: 2 },
  { title: '入户调查', department: '村委会', days: 3 },
]

/** A case submitted by `submitter` (resident 1 of 红岩村 by default) with `form` over A_FORM. */
export function aCase(
  lcb: LocalCloudBase,
  form: Partial<SubmitForm> = {},
  submitter?: string,
  id?: string,
): CaseBuilder {
  return new CaseBuilder(lcb, form, submitter, id)
}

/**
 * Sets Local CloudBase's clock (through its gateway, as the console does) and waits for the
 * catch-up timer runs the move fires, so a test never races them.
 */
export async function setClock(lcb: LocalCloudBase, iso: string): Promise<void> {
  const res = await fetch(`${lcb.gatewayUrl}/clock`, { method: 'POST', body: JSON.stringify({ set: iso }) })
  if (res.status !== 200) throw new Error(`clock ${res.status}: ${await res.text()}`)
  await lcb.scheduler.idle()
}

/** One run of the `jobs` timer now, through the gateway; fails the test when it did not run cleanly. */
export async function runJobs(lcb: LocalCloudBase): Promise<void> {
  const res = await fetch(`${lcb.gatewayUrl}/timers/jobs/run`, { method: 'POST' })
  const body = (await res.json()) as { ran: number; ok: boolean }
  if (body.ran !== 1 || !body.ok) throw new Error(`jobs run: ${JSON.stringify(body)}`)
}
