/**
 * The kit every action (and the timer jobs) works with: the context of one call (caller, clock,
 * dependencies), the calendar, and who the caller is on the roster. Below the actions; the
 * router and the action table (server/app) sit above them.
 */
import type { Agent, Role } from '../../typings/domain'
import { WorkCalendar } from '../domain/calendar'
import { officialCalendarSource } from '../domain/official-calendar'
import { AppError, forbidden } from '../lib/errors'
import type { NetworkRepository } from '../repositories/network'
import type { SettingsRepository } from '../repositories/settings'
import type { RosterRepository } from '../repositories/roster'
import type { CaseRepository } from '../repositories/cases'
import type { ClaimRepository } from '../repositories/claims'
import type { OutboxRepository } from '../repositories/outbox'
import type { AppointmentRepository } from '../repositories/appointments'
import type { ComplaintRepository } from '../repositories/complaints'
import type { AccessLogRepository } from '../repositories/access-log'
import type { RectificationRepository } from '../repositories/rectifications'
import type { AuditRepository } from '../repositories/audit'
import type { PairingTokenRepository } from '../repositories/pairing-tokens'
import type { HandoverRepository } from '../repositories/handover'

/** Who is calling, as established by the platform (never by the client). */
export interface Caller {
  openid: string
  appid?: string
  unionid?: string
  /** The platform's call source (getWXContext().SOURCE): `wx_client` marks a mini-program call. */
  source?: string
}

/** What every action receives besides its payload. */
export interface ActionContext<D = Deps> {
  caller: Caller
  /** The platform's clock at invocation; pure code receives it instead of reading a clock. */
  now: Date
  requestId?: string
  deps: D
}

/** External platform services (WeChat open APIs, cloud storage) behind one seam. */
export interface Platform {
  qrcode(scene: string, page: string): Promise<Buffer>
  upload(cloudPath: string, bytes: Buffer): Promise<string>
  download(fileId: string): Promise<Buffer>
  tempUrl(fileId: string): Promise<string>
  /**
   * Temporary download URLs for several files in one call (the platform takes up to 50); '' for
   * a file that no longer exists. Issued only after the function's own access check.
   */
  tempUrls(fileIds: string[]): Promise<string[]>
  /** WeChat content security: 'pass', or 'risky' / 'review' for text that must not be stored. */
  textCheck(content: string, openid: string): Promise<'pass' | 'risky' | 'review'>
  /** 订阅消息: errCode 0 when sent. */
  sendSubscribe(msg: {
    touser: string
    templateId: string
    page: string
    data: Record<string, { value: string }>
  }): Promise<{
    errCode: number
    errMsg: string
  }>
}

/** Dependencies handed to every action. */
export interface Deps {
  network: NetworkRepository
  settings: SettingsRepository
  roster: RosterRepository
  cases: CaseRepository
  claims: ClaimRepository
  outbox: OutboxRepository
  appointments: AppointmentRepository
  complaints: ComplaintRepository
  accessLog: AccessLogRepository
  rectifications: RectificationRepository
  /** 操作记录: admin changes with their audit entries, in one transaction each. */
  audit: AuditRepository
  pairingTokens: PairingTokenRepository
  handover: HandoverRepository
  platform: Platform
}

export type Ctx = ActionContext<Deps>

const official = officialCalendarSource()

/** The working calendar: official data plus admin overrides from the database. */
export async function loadCalendar(deps: Deps): Promise<WorkCalendar> {
  const s = await deps.settings.calendar()
  return new WorkCalendar(
    {
      holidays: official.holidays,
      workdays: official.workdays,
      coveredYears: [...official.coveredYears, ...s.coveredYears],
    },
    s.overrides,
  )
}

/** The caller's roster entry, if any: roles come only from the roster, never from the client. */
export async function currentAgent(ctx: Ctx): Promise<Agent | null> {
  return ctx.caller.openid ? ctx.deps.network.agentByOpenid(ctx.caller.openid) : null
}

/** The caller's openid (from the WeChat context, never the client); signed-out callers are refused. */
export function requireOpenid(ctx: Ctx): string {
  if (!ctx.caller.openid) throw new AppError('UNAUTHENTICATED', '请在微信中打开小程序后再试')
  return ctx.caller.openid
}

export async function requireRole(ctx: Ctx, roles: readonly Role[]): Promise<Agent> {
  requireOpenid(ctx)
  const agent = await currentAgent(ctx)
  if (!agent || !roles.includes(agent.role)) throw forbidden()
  return agent
}
