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
/** Without a tab the server answers with the most urgent one that has cases. */
export const fetchInbox = (tab: InboxTab | undefined, page = 1, scope: 'mine' | 'station' = 'mine') =>
  callApi('work.inbox', { ...(tab ? { tab } : {}), page, scope })
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

/** Timeline steps in the resident's words (keyed by the server's label for the step). */
const RESIDENT_EVENT_WORDS: Readonly<Record<string, string>> = {
  受理: '代理员接手办理',
  要求补正: '请您补材料',
  补交材料: '补交了材料',
  上报: '转交上级服务站办理',
  上级办结: '上级服务站办好了',
  办结: '办好了',
  反馈结果: '把结果送给您',
  默认评价: '评价期已过，记为基本满意',
  改派: '换了一位代理员',
  延期: '延长了办理期限',
  督办: '上级督促加快办理',
  不予受理: '没有受理',
  撤回: '撤回了申请',
  群众认领: '认领了申请',
}

export function residentEventWords(what: string): string {
  return RESIDENT_EVENT_WORDS[what] ?? what
}

/** Notes without the office's classification terms (承诺件, 上报件 …) and routing details. */
export function residentNote(note: string): string {
  return note
    .replace(/[；;]?\s*(即办件|承诺件|补办件|上报件)/g, '')
    .replace(/^群众提交[；;]\s*分派给\s*(\S+?)(（[^）]*）)?$/, '由 $1 为您办理')
    .replace(/^[；;\s]+|[；;\s]+$/g, '')
}
