import { FIELD_LIMITS, NOTIFY_EVENTS, type NotifyEvent } from '../domain/notifications'
import { parse, z } from '../lib/validate'
import { requireRole, type Ctx } from '../app/context'

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
]

const templateInput = z.object({
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
