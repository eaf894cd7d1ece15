/**
 * Domain records shared by the cloud functions, the mini-program and the tests (types only).
 * Vocabulary follows DOMAIN.md: station, item, agent, case, appointment, rating.
 */

import type { MaterialForm, Tier } from './vocabulary'

/** 三级代理网络: 区为民服务中心 / 乡镇为民服务站 / 村（社区）为民服务室 (labels in ./vocabulary). */
export type { Tier }

export interface GeoPoint {
  latitude: number
  longitude: number
}

/** 服务站（中心 / 站 / 室）. */
export interface Station {
  _id: string
  /** Short stable code, unique; used in QR scenes (scene ≤ 32 chars). */
  code: string
  name: string
  tier: Tier
  parentId: string | null
  address: string
  location: GeoPoint
  /** 服务热线. */
  hotline: string
  /** 办公时间, human-readable (e.g. "周一至周五 8:30-12:00，14:00-17:30"). */
  hours: string
  /** Roster id of the 站长 / 负责人. */
  headAgentId: string | null
  active: boolean
  /** Cloud-storage file of the station's QR poster, generated on first request. */
  qrFileId?: string
}

/** 代理方式: 直接代理 / 承诺代理 / 联合代理. */
export type ProxyMode = 'direct' | 'promise' | 'joint'

export interface Material {
  name: string
  /** 原件 / 复印件 / 原件或复印件. */
  form: MaterialForm
  count: number
  note?: string
}

/** 代理事项. */
export interface Item {
  _id: string
  code: string
  name: string
  category: string
  /** 办理层级: the tier that decides the matter. */
  tier: Tier
  materials: Material[]
  /** 办理流程, one step per entry. */
  steps: string[]
  /** 承诺时限 in working days; 0 = 即办. */
  promisedDays: number
  /** 法定时限 in working days, when different from the promise. */
  legalDays?: number
  /** 收费标准; normally "无偿". */
  fee: string
  proxyMode: ProxyMode
  departments: string[]
  homeVisit: boolean
  published: boolean
  active: boolean
  /** Plain-language note for residents (who qualifies, what to expect). */
  description?: string
  /** What residents call it (低保 for 最低生活保障); searched like the name. */
  keywords?: string[]
}

export type Role = 'agent' | 'head' | 'supervisor' | 'admin'

export interface LeavePeriod {
  /** YYYY-MM-DD inclusive, Asia/Shanghai. */
  from: string
  to: string
  reason?: string
}

/** 花名册 entry: an agent (代理员), station head, supervisor or admin. */
export interface Agent {
  _id: string
  name: string
  phone: string
  stationId: string
  role: Role
  /** Catalog categories the agent is good at. */
  specialties: string[]
  /** 党员 or 志愿者. */
  kind: 'party_member' | 'volunteer'
  /** 职务, e.g. 村党支部书记. */
  title?: string
  leaves: LeavePeriod[]
  /** Bound WeChat user, set by redeeming an invitation code. */
  openid?: string
  active: boolean
}

/** 值班 / 轮流坐班 rota of one station. */
export interface DutyRota {
  /** = stationId. */
  _id: string
  stationId: string
  /** ISO weekday 1 (Mon) … 7 (Sun) → roster ids on duty that day. */
  weekly: Record<string, string[]>
  /** Date-specific replacements (调班). */
  overrides: { date: string; agentIds: string[]; note?: string }[]
  /** 领导接待日. */
  receptionDays: { weekday: number; agentId: string; hours: string; topic?: string }[]
}

/** 结对帮扶: an agent paired with a resident or household. */
export interface Pairing {
  _id: string
  stationId: string
  agentId: string
  residentName: string
  household?: string
  /** Set when the resident is known in WeChat. */
  residentOpenid?: string
}

/** Who did something on a case, as recorded in the timeline. */
export interface Actor {
  openid: string
  agentId: string | null
  name: string
  /** 'resident' or a roster role. */
  role: Role | 'resident' | 'system'
}

/** 申请代理 (a case). States, labels and transitions live in server/domain/case-states.ts. */
export interface CaseRecord {
  _id: string
  /** 受理编号 printed on the 材料接收单; issued at acceptance. */
  caseNo: string | null
  state: import('./vocabulary').CaseState
  /** Optimistic-concurrency version: every transition increments it. */
  version: number
  item: { id: string; code: string; name: string; category: string; tier: Tier; promisedDays: number }
  stationId: string
  applicant: {
    openid: string | null
    name: string
    phone: string
    /** Set when an agent submitted on behalf of a resident without a smartphone. */
    claimCode: string | null
  }
  description: string
  attachments: string[]
  visit: 'station' | 'home'
  assignedAgentId: string
  assignReason: string
  submittedBy: Actor
  requestId: string
  handling: import('./vocabulary').HandlingType | null
  receivedMaterials: string[]
  acceptedAt: Date | null
  dueAt: Date | null
  dueDay: string | null
  calendarMissingYears: number[]
  completedAt: Date | null
  result: string | null
  onTime: boolean | null
  deliveredAt: Date | null
  rating: {
    level: import('./vocabulary').RatingLevel
    tags: string[]
    comment: string
    isDefault: boolean
    at: Date
  } | null
  rejectReason: string | null
  /** 补办件: the missing materials, listed once. */
  supplement: {
    materials: string[]
    requestedAt: Date
    suppliedAt: Date | null
    attachments: string[]
  } | null
  /** 上报件: the parent station that decides it; its own deadline runs from its acceptance. */
  upper: {
    stationId: string
    agentId: string
    assignReason: string
    acceptedAt: Date | null
    dueAt: Date | null
    completedAt: Date | null
    result: string | null
  } | null
  /** The date shown to the resident: the later of the own and the upper deadline. */
  residentDueAt: Date | null
  extensions: { at: Date; byAgentId: string; days: number; reason: string; newDueAt: Date }[]
  /**
   * 期限提醒日程: the next moment something is due to happen to the case (a reminder, the
   * rating window closing); null or absent when nothing will. Set by the repository on every
   * transition that changes the schedule and moved on by the `jobs` timer.
   */
  watchAt?: Date | null
  /** Reminder keys already done for the current due dates (`overdue:2026-12-08`, `upper:dueSoon:…`). */
  reminded?: string[]
  /** 联合代理: parallel tasks for several departments or agents; the case completes when all are done. */
  tasks: JointTask[]
  createdAt: Date
  updatedAt: Date
}

/** One timeline entry (the audit trail), written atomically with the state change. */
export interface CaseEvent {
  _id: string
  caseId: string
  at: Date
  actor: Actor
  action: string
  from: string | null
  to: string
  note: string
}

/** One task of a 联合代理 case. */
export interface JointTask {
  id: string
  title: string
  department: string
  dueAt: Date
  dueDay: string
  doneAt: Date | null
  result: string | null
}

// ---- appointments (预约): the shapes; the rules are server/domain/appointments.ts ----------------

export interface OpeningPeriod {
  /** ISO weekdays 1–7 this period applies to. */
  weekdays: number[]
  start: string
  end: string
  slotMinutes: number
  capacity: number
}

/** 窗口预约 (the station's opening hours) or 领导接待日 (a leader receives residents). */
export type ScheduleKind = 'service' | 'leader'

export type BookingKind = ScheduleKind | 'visit'

export interface AppointmentSchedule {
  /** Schedule id: the station id for window service, `<stationId>-leader` for reception days. */
  _id: string
  stationId: string
  kind: ScheduleKind
  /** Leader reception: the receiving leader (roster id) and the topic. */
  hostAgentId?: string | null
  topic?: string | null
  periods: OpeningPeriod[]
  /** Date exceptions: closed days, or special hours that replace the weekly ones. */
  exceptions: { date: string; closed?: boolean; periods?: OpeningPeriod[] }[]
}

/**
 * Booking lifecycle. Home visits start as `requested` until an agent confirms a time
 * (`booked`) or declines; a reschedule closes the old booking as `rescheduled`.
 */
export type BookingStatus =
  'requested' | 'booked' | 'cancelled' | 'rescheduled' | 'declined' | 'arrived' | 'no_show'

export interface BookingRules {
  /** How many days ahead residents may book (today counts as day 0). */
  horizonDays: number
  /** Minimum notice before a slot starts. */
  minNoticeMinutes: number
  /** Cancel or reschedule online until this long before the start. */
  cancelCutoffMinutes: number
  /** This many no-shows within the window is noted as repeated. */
  noShowLimit: number
  noShowWindowDays: number
}

/** 上门服务 windows: a half day the resident prefers. */
export type DayPart = 'am' | 'pm'

// ---- 六项指标: the report's shapes; the computation is server/domain/kpis.ts ---------------------

export type PeriodKind = 'month' | 'quarter' | 'half' | 'year'

export interface Period {
  kind: PeriodKind
  /** 2026-12, 2026-Q4, 2026-H2, 2026. */
  key: string
  label: string
  /** First day, and the day after the last (Asia/Shanghai). */
  from: string
  to: string
}

/** Cases of one station in the cohort. */
export interface CaseCounts {
  /** Submitted in the period, withdrawn ones excluded. */
  submitted: number
  withdrawn: number
  accepted: number
  completed: number
  onTime: number
  /** Real ratings (by the resident); default ratings are counted apart. */
  rated: number
  satisfied: number
  defaultRated: number
}

export interface Rate {
  numerator: number
  denominator: number
  /** null when there is nothing to measure (shown as —, never as 100%). */
  rate: number | null
}

export type KpiKey = 'organization' | 'publication' | 'acceptance' | 'completion' | 'onTime' | 'satisfaction'

export interface KpiRow {
  id: string
  name: string
  tier: Tier
  parentId: string | null
  /** False for a retired station listed because it still has cases in the period. */
  active: boolean
  /** Active stations counted in this row (a township row = the township and its villages). */
  stations: number
  gaps: string[]
  rates: Record<KpiKey, Rate>
  counts: CaseCounts
  /** Township ranking only: mean of the rates measurable for every township, 0–100. */
  score: number | null
  rank: number | null
}

/** 提醒与期限设置 (admin settings); defaults in server/domain/notifications.ts. */
export interface ReminderSettings {
  dueSoonDays: number
  superviseAfterDays: number
  reportAfterDays: number
  /** Calendar days a resident has to rate after delivery before 基本满意 is recorded by default. */
  ratingWindowDays: number
  /** Working days a head has for a 差评's 整改 (核实, 整改或说明, 回访). */
  rectifyDays: number
}

/** 订阅消息 events: what a message is about (audiences and templates in server/domain/notifications.ts). */
/**
 * A tap where the mini-program asks for subscribe-message grants (订阅消息); which events each
 * one asks for is server/domain/subscribe.ts.
 */
export type SubscribeMoment =
  'apply' | 'followCase' | 'rate' | 'book' | 'visit' | 'complaint' | 'workbench' | 'supervise' | 'settings'

export type NotifyEvent =
  | 'caseAssigned'
  | 'supplementNeeded'
  | 'caseCompleted'
  | 'caseDelivered'
  | 'caseExtended'
  | 'dueSoon'
  | 'dueToday'
  | 'overdue'
  | 'superviseHead'
  | 'reportSupervisor'
  | 'badRating'
  | 'dailyDigest'
  | 'calendarMissing'
  | 'appointmentReminder'
  | 'visitRequested'
  | 'visitConfirmed'
  | 'visitDeclined'
  | 'appointmentCancelled'
  | 'complaintFiled'
  | 'complaintReplied'
  | 'rectifyVisited'
  | 'rectifyOverdue'
