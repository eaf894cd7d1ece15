/**
 * 词汇表 (the one vocabulary): case states and their groups, handling types, case actions and
 * timeline events, who may act, rating levels, tiers, material forms, their Chinese labels, the
 * time-limit text, and Asia/Shanghai time formatting. Nothing else lists these.
 *
 * It is the bottom of the house: no imports. The server imports it from here; the mini-program
 * imports its copy `miniprogram/utils/vocabulary.ts`, which `npm run build` generates from this
 * file (the mini-program root cannot import outside itself at run time).
 */

// ---- case states (状态) --------------------------------------------------------------------------

export type CaseState =
  | 'submitted'
  | 'accepted'
  | 'awaiting_supplement'
  | 'escalated'
  | 'completed'
  | 'delivered'
  | 'rated'
  | 'withdrawn'
  | 'rejected'

/** Every state, in lifecycle order (use for filters, selects and exhaustive loops). */
export const CASE_STATES: readonly CaseState[] = Object.freeze([
  'submitted',
  'accepted',
  'awaiting_supplement',
  'escalated',
  'completed',
  'delivered',
  'rated',
  'withdrawn',
  'rejected',
] as const)

export const CASE_STATE_LABELS: Readonly<Record<CaseState, string>> = Object.freeze({
  submitted: '待受理',
  accepted: '已受理',
  awaiting_supplement: '待补正',
  escalated: '已上报',
  completed: '已办结',
  delivered: '已反馈',
  rated: '已评价',
  withdrawn: '已撤回',
  rejected: '不予受理',
})

/** What the resident sees for each state, in plain words (progress page, timeline). */
export const CASE_STATE_DESCRIPTIONS: Readonly<Record<CaseState, string>> = Object.freeze({
  submitted: '已提交，等待代理员受理',
  accepted: '代理员已受理，正在为您办理',
  awaiting_supplement: '材料还不齐全，请按通知补交材料，补齐后继续办理',
  escalated: '已由代理员报送上级服务站办理，您不用再跑腿',
  completed: '已办结，等待代理员把结果交给您',
  delivered: '办理结果已送达，请您评价',
  rated: '已评价，感谢您的反馈',
  withdrawn: '申请已撤回',
  rejected: '不予受理，原因见办理记录',
})

/**
 * The resident's words for where their case is. The server's labels (待补正, 已上报, 已反馈) are
 * the office's terms; residents read these instead.
 */
export const RESIDENT_STATE_WORDS: Readonly<Record<CaseState, string>> = Object.freeze({
  submitted: '已提交，等代理员接手',
  accepted: '正在为您办理',
  awaiting_supplement: '需要您补材料',
  escalated: '已转交上级服务站办理',
  completed: '已办好，等代理员把结果送给您',
  delivered: '结果已送到，请您评价',
  rated: '已办完',
  withdrawn: '已撤回',
  rejected: '没有受理',
})

/**
 * The resident's headline for an open case past its promised day (承诺期限), in place of its
 * state's words: 正在为您办理 read as if all were on time. From then on 催办 goes to the agent and
 * 督办 to the station head on their own.
 */
export const OVERDUE_RESIDENT_WORDS = '已超期，正在催办'

/**
 * Not yet 办结: the case is being received or worked on (受理/承办). These count as an agent's
 * open cases and are the ones a deadline can be missed on. `completed` and `delivered` are
 * neither open nor terminal: they still wait for delivery (送达) and rating.
 */
export const OPEN_STATES: readonly CaseState[] = Object.freeze([
  'submitted',
  'accepted',
  'awaiting_supplement',
  'escalated',
] as const)

/** No action applies any more. */
export const TERMINAL_STATES: readonly CaseState[] = Object.freeze([
  'rated',
  'withdrawn',
  'rejected',
] as const)

/** The case has been 办结 (and stays so): counts in 代理事项办结率 while it sits in one of these. */
export const COMPLETED_STATES: readonly CaseState[] = Object.freeze([
  'completed',
  'delivered',
  'rated',
] as const)

/**
 * States in which the deadline clock runs. It stops in `awaiting_supplement` (补办件) and
 * restarts with the full promised period when the materials arrive.
 */
export const CLOCK_RUNNING_STATES: readonly CaseState[] = Object.freeze(['accepted', 'escalated'] as const)

/** On the agent's workbench: open, or 办结 and waiting to be delivered (送达). */
export const WORKBENCH_STATES: readonly CaseState[] = Object.freeze([
  'submitted',
  'accepted',
  'awaiting_supplement',
  'escalated',
  'completed',
] as const)

/** Accepted and being worked on (工作台「办理中」): open, past 受理. */
export const HANDLING_STATES: readonly CaseState[] = Object.freeze([
  'accepted',
  'awaiting_supplement',
  'escalated',
] as const)

// ---- handling types (承办类型), chosen at acceptance --------------------------------------------

export type HandlingType = 'immediate' | 'promised' | 'supplement' | 'escalated'

export const HANDLING_TYPES: readonly HandlingType[] = Object.freeze([
  'immediate',
  'promised',
  'supplement',
  'escalated',
] as const)

export const HANDLING_TYPE_LABELS: Readonly<Record<HandlingType, string>> = Object.freeze({
  immediate: '即办件',
  promised: '承诺件',
  supplement: '补办件',
  escalated: '上报件',
})

/** What each classification means, for the acceptance form. */
export const HANDLING_TYPE_HINTS: Readonly<Record<HandlingType, string>> = Object.freeze({
  immediate: '当天办结',
  promised: '按承诺时限办结',
  supplement: '材料不全',
  escalated: '需上级办理',
})

// ---- case actions (the state machine's verbs) and timeline events -------------------------------

export type CaseAction =
  | 'accept'
  | 'reject'
  | 'requestSupplement'
  | 'supplement'
  | 'escalate'
  | 'completeUpper'
  | 'complete'
  | 'deliver'
  | 'rate'
  | 'autoRate'
  | 'withdraw'
  | 'reassign'
  | 'extend'

export const CASE_ACTIONS: readonly CaseAction[] = Object.freeze([
  'accept',
  'reject',
  'requestSupplement',
  'supplement',
  'escalate',
  'completeUpper',
  'complete',
  'deliver',
  'rate',
  'autoRate',
  'withdraw',
  'reassign',
  'extend',
] as const)

/** Verb phrases: button labels, and the tail of "当前状态为「…」，不能{label}". */
export const CASE_ACTION_LABELS: Readonly<Record<CaseAction, string>> = Object.freeze({
  accept: '受理',
  reject: '不予受理',
  requestSupplement: '要求补正',
  supplement: '补交材料',
  escalate: '上报',
  completeUpper: '上级办结',
  complete: '办结',
  deliver: '反馈结果',
  rate: '评价',
  autoRate: '默认评价',
  withdraw: '撤回',
  reassign: '改派',
  extend: '延期',
})

/**
 * 我的消息: what each notice says to the person who gets it, in plain words (the WeChat template
 * carries the details in its few short fields). Keyed by NotifyEvent; a test checks every event.
 */
export const NOTICE_TITLES: Readonly<Record<string, string>> = Object.freeze({
  caseAssigned: '有一件新申请分给您',
  supplementNeeded: '您的申请需要补交材料',
  caseCompleted: '您的申请已经办好',
  caseDelivered: '办理结果已交给您，请评价',
  caseExtended: '您的申请办理期限延长了',
  dueSoon: '有申请快到承诺期限了',
  dueToday: '有申请今天到期',
  overdue: '有申请已超期，请尽快办理',
  superviseHead: '本站有申请超期，请督办',
  reportSupervisor: '有申请超期未办，已通报',
  badRating: '群众给了差评，请安排整改',
  dailyDigest: '本站待办汇总',
  calendarMissing: '节假日安排需要录入',
  appointmentReminder: '预约办理提醒',
  visitRequested: '有群众申请上门服务',
  visitConfirmed: '上门时间已经定好',
  visitDeclined: '上门申请没有安排上',
  appointmentCancelled: '您的预约已取消',
  complaintFiled: '收到一条投诉',
  complaintReplied: '您的投诉已答复',
  rectifyVisited: '差评整改已回访，请评价',
  rectifyOverdue: '差评整改已超期',
})

/** Timeline entries that are not state transitions. */
export const EVENT_LABELS: Readonly<Record<string, string>> = Object.freeze({
  submit: '提交申请',
  claim: '群众认领',
  reissueClaimCode: '重新生成认领码',
  addTasks: '分派联合任务',
  completeTask: '联合任务完成',
  supervise: '督办',
  handover: '移交',
})

/**
 * What a caller may do to a case: the names in `CaseView.actions`. The state machine's verbs
 * (except the timer's autoRate) plus the steps that keep the state: the upper station's
 * acceptance, joint tasks, a home visit, a new 认领码, reading the applicant's phone.
 */
export type CaseCommand =
  | Exclude<CaseAction, 'autoRate'>
  | 'acceptUpper'
  | 'addTasks'
  | 'completeTask'
  | 'scheduleVisit'
  | 'reissueClaimCode'
  | 'contact'

export const CASE_COMMANDS: readonly CaseCommand[] = Object.freeze([
  'accept',
  'reject',
  'requestSupplement',
  'supplement',
  'escalate',
  'complete',
  'deliver',
  'rate',
  'withdraw',
  'reassign',
  'extend',
  'addTasks',
  'completeTask',
  'acceptUpper',
  'completeUpper',
  'scheduleVisit',
  'reissueClaimCode',
  'contact',
] as const)

/**
 * The caller's relation to a case: its applicant, the assigned agent, other staff of its
 * station, the assigned agent or other staff of the parent station holding a 上报件, or nobody.
 */
export type CaseRelation = 'applicant' | 'assignee' | 'station' | 'upperAssignee' | 'upper' | 'none'

export const CASE_RELATIONS: readonly CaseRelation[] = Object.freeze([
  'applicant',
  'assignee',
  'station',
  'upperAssignee',
  'upper',
  'none',
] as const)

/** Roster roles (花名册), and `resident` for a WeChat user who is not on it. */
export type CallerRole = 'resident' | 'agent' | 'head' | 'supervisor' | 'admin'

export const CALLER_ROLES: readonly CallerRole[] = Object.freeze([
  'resident',
  'agent',
  'head',
  'supervisor',
  'admin',
] as const)

// ---- rating (评价) -------------------------------------------------------------------------------

export const RATING_LEVELS = [
  'very_satisfied',
  'satisfied',
  'basic',
  'dissatisfied',
  'very_dissatisfied',
] as const

export type RatingLevel = (typeof RATING_LEVELS)[number]

export const RATING_LABELS: Readonly<Record<RatingLevel, string>> = Object.freeze({
  very_satisfied: '非常满意',
  satisfied: '满意',
  basic: '基本满意',
  dissatisfied: '不满意',
  very_dissatisfied: '非常不满意',
})

/** The five levels with their labels, best first (rating buttons). */
export const RATING_OPTIONS: readonly { value: RatingLevel; label: string }[] = Object.freeze(
  RATING_LEVELS.map((value) => ({ value, label: RATING_LABELS[value] })),
)

// ---- network and catalog --------------------------------------------------------------------------

/** 三级代理网络: 区为民服务中心 / 乡镇为民服务站 / 村（社区）为民服务室. */
export type Tier = 'district' | 'township' | 'village'

export const TIERS: readonly Tier[] = Object.freeze(['district', 'township', 'village'] as const)

export const TIER_LABELS: Readonly<Record<Tier, string>> = Object.freeze({
  district: '区为民服务中心',
  township: '乡镇为民服务站',
  village: '村（社区）为民服务室',
})

/** 原件 / 复印件 / 原件或复印件. */
export type MaterialForm = 'original' | 'copy' | 'either'

export const MATERIAL_FORM_LABELS: Readonly<Record<MaterialForm, string>> = Object.freeze({
  original: '原件',
  copy: '复印件',
  either: '原件或复印件',
})

/** 承诺时限 as residents read it: "即办" or "5 个工作日". */
export function timeLimitText(promisedDays: number): string {
  return promisedDays === 0 ? '即办' : `${promisedDays} 个工作日`
}

// ---- time: Asia/Shanghai (UTC+8, no daylight saving since 1991) --------------------------------

/** Asia/Shanghai is a fixed +08:00: conversions are plain arithmetic, no tz database needed. */
export const SHANGHAI_OFFSET_MS = 8 * 3_600_000

/** The Date whose UTC fields read Shanghai wall time (never show it as an instant). */
function wall(t: Date | number | string): Date {
  const ms = typeof t === 'number' ? t : typeof t === 'string' ? Date.parse(t) : t.getTime()
  return new Date(ms + SHANGHAI_OFFSET_MS)
}

const pad = (n: number) => String(n).padStart(2, '0')

/** `YYYY-MM-DD`: the Shanghai calendar day an instant falls on. */
export function shanghaiDay(t: Date | number | string): string {
  return wall(t).toISOString().slice(0, 10)
}

/** `YYYY-MM-DD HH:mm` in Shanghai (template fields, lists). */
export function shanghaiDateTime(t: Date | number | string): string {
  const s = wall(t).toISOString()
  return `${s.slice(0, 10)} ${s.slice(11, 16)}`
}

/** `M月D日 HH:mm` in Shanghai (timelines), whatever the phone's time zone. */
export function shanghaiShort(t: Date | number | string): string {
  const d = wall(t)
  return `${d.getUTCMonth() + 1}月${d.getUTCDate()}日 ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`
}

/** Days since 1970-01-01 in Shanghai: subtract two to count calendar days between instants. */
export function shanghaiDayNumber(t: Date | number | string): number {
  return Math.floor(wall(t).getTime() / 86_400_000)
}
