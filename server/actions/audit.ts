/** 操作记录: supervisors and admins read who changed what in the district's data, newest first. */
import type { Actions } from '../../typings/api'
import { parse, z } from '../lib/validate'
import { requireRole, type Ctx } from '../kit/context'
import { pageFields } from './page-input'

const KINDS = [
  'station',
  'item',
  'agent',
  'rota',
  'pairing',
  'template',
  'reminders',
  'booking',
  'schedule',
  'calendar',
  'import',
  'handover',
] as const

export const AUDIT_KIND_LABELS: Record<(typeof KINDS)[number], string> = {
  station: '服务站',
  item: '代理事项',
  agent: '花名册',
  rota: '值班表',
  pairing: '结对',
  template: '消息模板',
  reminders: '期限设置',
  booking: '预约规则',
  schedule: '开放时段',
  calendar: '工作日历',
  import: '表格导入',
  handover: '移交',
}

const ACTION_LABELS: Record<string, string> = {
  create: '新建',
  update: '修改',
  retire: '停用',
  accept: '群众确认',
  import: '导入',
  handover: '移交',
}

const listInput = z.object({
  kind: z.enum(KINDS, { error: '记录类型不正确' }).optional(),
  recordId: z.string().trim().min(1).max(64, '记录编号过长').optional(),
  ...pageFields,
})

export async function auditList(payload: unknown, ctx: Ctx): Promise<Actions['admin.audit.list']['out']> {
  await requireRole(ctx, ['admin', 'supervisor'])
  const p = parse(listInput, payload)
  const page = await ctx.deps.audit.list(
    { ...(p.kind ? { kind: p.kind } : {}), ...(p.recordId ? { recordId: p.recordId } : {}) },
    p.cursor ?? null,
    p.pageSize ?? 20,
  )
  return {
    total: page.total,
    nextCursor: page.nextCursor,
    list: page.list.map((e) => ({
      id: String(e._id),
      at: new Date(e.at).toISOString(),
      who: e.actor.name,
      role: e.actor.role,
      kind: e.kind,
      kindLabel: AUDIT_KIND_LABELS[e.kind] ?? e.kind,
      action: e.action,
      actionLabel: ACTION_LABELS[e.action] ?? e.action,
      recordId: e.recordId,
      summary: e.summary,
      before: e.before,
      after: e.after,
    })),
  }
}
