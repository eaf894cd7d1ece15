import type { Actions, CaseView, InboxTab } from '../../typings/api'
import { callApi, newRequestId } from './api'
import { shanghaiDayNumber } from '../utils/vocabulary'

export type { CaseView }

export type ApplyForm = Actions['cases.submit']['in']

/** One request id per form: a retried tap returns the same case instead of a duplicate. */
export function submitCase(form: ApplyForm, requestId = newRequestId()) {
  return callApi('cases.submit', form, requestId)
}

export const fetchCase = (caseId: string) => callApi('cases.get', { caseId })
export const claimCase = (claimCode: string, phone: string) => callApi('cases.claim', { claimCode, phone })
export const fetchMyCases = (page: number) => callApi('cases.mine', { page })
export const rateCase = (payload: Actions['cases.rate']['in']) => callApi('cases.rate', payload)
export const supplyMaterials = (caseId: string, attachments: string[], note: string) =>
  callApi('cases.supplement', { caseId, attachments, note })
export const withdrawCase = (caseId: string, reason: string) => callApi('cases.withdraw', { caseId, reason })

/** Agent workbench. */
export const fetchInbox = (tab: InboxTab, page = 1, scope: 'mine' | 'station' = 'mine') =>
  callApi('work.inbox', { tab, page, scope })
/** The applicant's full phone, read (and logged on the server) only when the agent calls. */
export const caseContact = (caseId: string) => callApi('cases.contact', { caseId })
export const acceptCase = (p: Actions['cases.accept']['in']) => callApi('cases.accept', p)
export const completeCase = (p: Actions['cases.complete']['in']) => callApi('cases.complete', p)
export const deliverCase = (p: Actions['cases.deliver']['in']) => callApi('cases.deliver', p)
export const rejectCase = (p: Actions['cases.reject']['in']) => callApi('cases.reject', p)
export const completeTask = (p: Actions['cases.completeTask']['in']) => callApi('cases.completeTask', p)
export const acceptUpper = (p: Actions['cases.acceptUpper']['in']) => callApi('cases.acceptUpper', p)
export const completeUpper = (p: Actions['cases.completeUpper']['in']) => callApi('cases.completeUpper', p)
export const escalateCase = (p: Actions['cases.escalate']['in']) => callApi('cases.escalate', p)
export const requestSupplement = (p: Actions['cases.requestSupplement']['in']) =>
  callApi('cases.requestSupplement', p)

/** "还剩 3 天" / "今天到期" / "已超期 2 天" in Shanghai calendar days, for the countdown. */
export function countdown(dueAt: string | null, now: Date): string {
  if (!dueAt) return ''
  const diff = shanghaiDayNumber(dueAt) - shanghaiDayNumber(now)
  if (diff > 0) return `还剩 ${diff} 天`
  if (diff === 0) return Date.parse(dueAt) >= now.getTime() ? '今天到期' : '已超期'
  return `已超期 ${-diff} 天`
}
