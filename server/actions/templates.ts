import type { BookingRules } from '../../typings/domain'
import type { KpiTargets } from '../domain/kpis'
import type { Actions } from '../../typings/api'
import {
  DEFAULT_REMINDERS,
  EVENT_AUDIENCE,
  FIELD_LIMITS,
  NOTIFY_EVENTS,
  fitField,
  type NotifyEvent,
  type ReminderSettings,
  type TemplateConfig,
} from '../domain/notifications'
import { invalidState } from '../lib/errors'
import { auditActor } from './admin'
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
type TemplatesDoc = { _id: string; events: Partial<Record<NotifyEvent, TemplateConfig>> }

export async function saveTemplate(payload: unknown, ctx: Ctx): Promise<{ event: NotifyEvent }> {
  const me = await requireRole(ctx, ['admin'])
  const p = parse(templateInput, payload)
  // Read and written in one transaction with its audit entry: two admins mapping two events at
  // once both keep their mapping.
  await ctx.deps.audit.change<TemplatesDoc>(
    'settings',
    'templates',
    (before) => ({
      _id: 'templates',
      events: {
        ...(before?.events ?? {}),
        [p.event]: { templateId: p.templateId, page: p.page, fields: p.fields },
      },
    }),
    () => ({
      at: ctx.now,
      actor: auditActor(me),
      kind: 'template',
      action: 'update',
      summary: `设置「${NOTIFY_EVENT_LABELS[p.event]}」的订阅消息模板`,
    }),
  )
  return { event: p.event }
}

/** 事件名称 for the templates page. */
export const NOTIFY_EVENT_LABELS: Record<NotifyEvent, string> = {
  caseAssigned: '新申请分派',
  supplementNeeded: '需补交材料',
  caseCompleted: '申请已办结',
  caseDelivered: '结果已送达',
  caseExtended: '申请延期',
  dueSoon: '即将到期',
  dueToday: '今日到期',
  overdue: '超期催办',
  superviseHead: '督办站长',
  reportSupervisor: '超期通报',
  badRating: '差评整改',
  dailyDigest: '站长每日汇总',
  calendarMissing: '节假日数据缺失',
  appointmentReminder: '预约提醒',
  visitRequested: '上门服务申请',
  visitConfirmed: '上门时间确认',
  visitDeclined: '上门申请未安排',
  appointmentCancelled: '预约取消',
  complaintFiled: '收到投诉',
  complaintReplied: '投诉已答复',
  rectifyVisited: '整改已回访',
  rectifyOverdue: '整改超期',
}

const AUDIENCE_LABELS = {
  agent: '代理员',
  resident: '群众',
  head: '站长',
  supervisor: '督查',
  admin: '管理员',
}

/** Example values for a test send: what a real message of that variable would carry. */
const SAMPLE: Record<string, string> = {
  itemName: '最低生活保障申请',
  caseNo: 'QS-HY-20261201-001',
  applicantName: '王秀英',
  state: '已受理',
  dueDay: '2026-12-08',
  result: '已办结，请到服务室领取',
  now: '2026-12-01 10:00',
  hint: '这是一条测试消息',
  stationName: '红岩村为民服务室',
  pending: '3',
  overdue: '1',
  rectify: '0',
  startsAt: '2026-12-02 09:00',
  what: '窗口预约',
  windows: '12月2日上午',
  residentName: '王秀英',
  agentName: '李明',
  text: '测试消息内容',
}

/** 管理员: the template mapping per event, with who receives each event, for the templates page. */
export async function getTemplates(
  _payload: unknown,
  ctx: Ctx,
): Promise<Actions['admin.templates.get']['out']> {
  await requireRole(ctx, ['admin'])
  const templates = await ctx.deps.settings.templates()
  return {
    variables: VARIABLES,
    events: NOTIFY_EVENTS.map((event) => ({
      event,
      label: NOTIFY_EVENT_LABELS[event],
      audience: EVENT_AUDIENCE[event],
      audienceLabel: AUDIENCE_LABELS[EVENT_AUDIENCE[event]],
      template: templates[event] ?? null,
    })),
  }
}

const testInput = z.object({
  event: z.enum(NOTIFY_EVENTS as [NotifyEvent, ...NotifyEvent[]], { error: '未知的通知事件' }),
})

/**
 * 测试发送 to oneself: the event's template filled with example values, sent at once to the
 * calling admin's WeChat (not through the outbox: nothing about a case is queued). A missing grant
 * (43101) and a wrong template id come back as readable results, not errors.
 */
export async function testTemplate(
  payload: unknown,
  ctx: Ctx,
): Promise<Actions['admin.templates.test']['out']> {
  await requireRole(ctx, ['admin'])
  const p = parse(testInput, payload)
  const t = (await ctx.deps.settings.templates())[p.event]
  if (!t) throw invalidState('该事件还没有设置模板，请先保存模板')
  const data = Object.fromEntries(
    Object.entries(t.fields).map(([k, v]) => [k, { value: fitField(k, SAMPLE[v] ?? v) }]),
  )
  const res = await ctx.deps.platform.sendSubscribe({
    touser: ctx.caller.openid,
    templateId: t.templateId,
    page: t.page,
    data,
  })
  const message =
    res.errCode === 0
      ? '已发送，请在微信「服务通知」中查看'
      : res.errCode === 43101
        ? '未发送：您还没有订阅这个模板，请先点「订阅」允许通知后再试'
        : res.errCode === 40037
          ? '未发送：模板 ID 不正确，请核对后重新保存'
          : `未发送：${res.errMsg}（${res.errCode}）`
  return { sent: res.errCode === 0, errCode: res.errCode, message, templateId: t.templateId }
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
  const me = await requireRole(ctx, ['admin'])
  const p = parse(remindersInput, payload)
  // The rating window and the 整改 period are optional here: leaving them out keeps the saved ones.
  type Doc = ReminderSettings & { _id: string }
  const { before, after } = await ctx.deps.audit.change<Doc>(
    'settings',
    'reminders',
    (b) => {
      const cur = { ...DEFAULT_REMINDERS, ...(b ?? {}) }
      return {
        _id: 'reminders',
        ...p,
        ratingWindowDays: p.ratingWindowDays ?? cur.ratingWindowDays,
        rectifyDays: p.rectifyDays ?? cur.rectifyDays,
      }
    },
    () => ({
      at: ctx.now,
      actor: auditActor(me),
      kind: 'reminders',
      action: 'update',
      summary: '修改期限与提醒设置',
    }),
  )
  const { _id: _b, ...currentRaw } = { ...DEFAULT_REMINDERS, _id: '', ...(before ?? {}) }
  const current: ReminderSettings = currentRaw
  const { _id: _a, ...saved } = after
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
