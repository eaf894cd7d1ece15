import type { BookingRules } from '../domain/appointments'
import type { KpiTargets } from '../domain/kpis'
import { FIELD_LIMITS, NOTIFY_EVENTS, type NotifyEvent, type ReminderSettings } from '../domain/notifications'
import { RATING_WATCH_STATES, RUNNING_WATCH_STATES, watchResetAfter } from '../domain/schedule'
import { parse, z } from '../lib/validate'
import { requireRole, type Ctx } from '../kit/context'
import { forbidden } from '../lib/errors'

const VARIABLES = [
  'itemName',
  'caseNo',
  'applicantName',
  'state',
  'dueDay',
  'result',
  'now',
  'hint',
  'stationName',
  'pending',
  'overdue',
  'rectify',
  'startsAt',
  'what',
  'windows',
  'residentName',
  'agentName',
  'text',
]

/** One event's mapping (also checks the deploy's template file: scripts/deploy). */
export const templateInput = z.object({
  event: z.enum(NOTIFY_EVENTS as [NotifyEvent, ...NotifyEvent[]], { error: '未知的通知事件' }),
  templateId: z.string().trim().min(1, '请填写模板 ID').max(64),
  page: z
    .string()
    .trim()
    .regex(/^[\w/]+$/, '页面路径格式不正确，例如 pages/case/index'),
  fields: z
    .record(
      z.string().regex(/^[a-z_]+\d+$/, '关键词应为 thing1、time2 这样的名称'),
      z.enum(VARIABLES as [string, ...string[]], { error: `可用变量：${VARIABLES.join('、')}` }),
    )
    .refine((f) => Object.keys(f).every((k) => k.replace(/\d+$/, '') in FIELD_LIMITS), {
      message: '含有不支持的关键词类型',
    })
    .refine((f) => Object.keys(f).length > 0 && Object.keys(f).length <= 5, {
      message: '模板字段为 1 至 5 个',
    }),
})

/** 管理员: which subscribe-message template each event uses and how its fields are filled. */
export async function saveTemplate(payload: unknown, ctx: Ctx): Promise<{ event: NotifyEvent }> {
  await requireRole(ctx, ['admin'])
  const p = parse(templateInput, payload)
  await ctx.deps.settings.saveTemplate(p.event, { templateId: p.templateId, page: p.page, fields: p.fields })
  return { event: p.event }
}

const remindersInput = z
  .object({
    dueSoonDays: z.number().int().min(1, '至少提前 1 个工作日').max(5, '最多提前 5 个工作日'),
    superviseAfterDays: z.number().int().min(1).max(30),
    reportAfterDays: z.number().int().min(1).max(60),
    ratingWindowDays: z.number().int().min(1, '评价期限至少 1 天').max(30, '评价期限最多 30 天').optional(),
    rectifyDays: z
      .number()
      .int()
      .min(1, '整改期限至少 1 个工作日')
      .max(30, '整改期限最多 30 个工作日')
      .optional(),
  })
  .refine((r) => r.reportAfterDays > r.superviseAfterDays, {
    message: '通报应晚于督办',
    path: ['reportAfterDays'],
  })

/** 管理员: reminder thresholds in working days (due soon, 督办 to the head, 通报 to the supervisor). */
export async function saveReminders(payload: unknown, ctx: Ctx): Promise<ReminderSettings> {
  await requireRole(ctx, ['admin'])
  const p = parse(remindersInput, payload)
  // The rating window and the 整改 period are optional here: leaving them out keeps the saved ones.
  const current = await ctx.deps.settings.reminders()
  const saved: ReminderSettings = {
    ...p,
    ratingWindowDays: p.ratingWindowDays ?? current.ratingWindowDays,
    rectifyDays: p.rectifyDays ?? current.rectifyDays,
  }
  await ctx.deps.settings.saveReminders(saved)
  // Open cases follow the new thresholds: those whose moment may now come earlier are looked at
  // again by the next timer runs (one bulk update per group; later moments need nothing).
  const reset = watchResetAfter(current, saved)
  if (reset.running) await ctx.deps.cases.rewatch(RUNNING_WATCH_STATES, ctx.now)
  if (reset.delivered) await ctx.deps.cases.rewatch(RATING_WATCH_STATES, ctx.now)
  // Open 整改 tasks follow a new period too (re-planned from when each was opened).
  if (saved.rectifyDays !== current.rectifyDays) await ctx.deps.rectifications.markForReplan(ctx.now)
  return saved
}

/** 管理员: the current rules and thresholds, for the settings page. */
export async function getSettings(
  _payload: unknown,
  ctx: Ctx,
): Promise<{ reminders: ReminderSettings; booking: BookingRules; kpiTargets: KpiTargets }> {
  await requireRole(ctx, ['admin'])
  const [reminders, booking, kpiTargets] = await Promise.all([
    ctx.deps.settings.reminders(),
    ctx.deps.settings.bookingRules(),
    ctx.deps.settings.kpiTargets(),
  ])
  return { reminders, booking, kpiTargets }
}

/**
 * For npm run doctor only: whether this function may call subscribeMessage.send. The cloud-call
 * permission is applied only by a DevTools upload; without it the send fails with errCode
 * -604101. A probe to a made-up user and template answers 40003/40037 when the permission is
 * there. Refused to every mini-program call (SOURCE wx_client) and to any WeChat user: only the
 * operator's management call (no user) reaches it; it writes nothing.
 */
export async function probe(
  _payload: unknown,
  ctx: Ctx,
): Promise<{ subscribeMessage: { errCode: number; errMsg: string } }> {
  if (ctx.caller.openid || (ctx.caller.source ?? '').includes('wx_client')) throw forbidden()
  const subscribeMessage = await ctx.deps.platform.sendSubscribe({
    touser: 'o-doctor-probe-not-a-user',
    templateId: 'doctor-probe-not-a-template',
    page: 'pages/index/index',
    data: {},
  })
  return { subscribeMessage }
}
