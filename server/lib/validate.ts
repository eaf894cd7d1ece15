import { z } from 'zod'
import { invalidInput } from './errors'
import { parseDay } from '../domain/calendar'

function isRealDay(day: string): boolean {
  try {
    parseDay(day)
    return true
  } catch {
    return false
  }
}

// Chinese default messages for anything a schema does not word itself.
z.config(z.locales.zhCN())

const KINDS: Record<string, string> = {
  string: '文字',
  number: '数字',
  int: '整数',
  boolean: '是或否',
  array: '列表',
  object: '对象',
  date: '日期',
}

/**
 * zod's Chinese locale still names the received type in English ("实际接收 string"): a wrong
 * type reads 「应为数字」 instead. Messages a schema words itself are kept.
 */
function chinese(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.message.startsWith('无效输入'))
    return issue.input === undefined ? '必填' : `应为${KINDS[issue.expected] ?? '正确的格式'}`
  return issue.message
}

/**
 * Validates an action payload. On failure: INVALID_INPUT with one Chinese message per field
 * path (`materials.0.name`), so forms can show the message next to the field.
 */
export function parse<T extends z.ZodType>(schema: T, payload: unknown): z.infer<T> {
  const res = schema.safeParse(payload, { reportInput: true })
  if (res.success) return res.data
  const fields: Record<string, string> = {}
  for (const issue of res.error.issues) {
    const key = issue.path.map(String).join('.') || '_'
    // A field's own message ("缺少版本号") would mislead for 1e400, which parses to Infinity.
    const outOfRange =
      issue.code === 'invalid_type' && issue.expected === 'number' && typeof issue.input === 'number'
    if (!fields[key]) fields[key] = outOfRange ? '数值超出范围' : chinese(issue)
  }
  throw invalidInput(fields)
}

export { z }

/** Common field schemas with resident-readable messages. */
export const fields = {
  id: (label: string) =>
    z
      .string({ error: `请选择${label}` })
      .min(1, `请选择${label}`)
      .max(64, `${label}编号过长`),
  page: z.coerce.number().int().min(1, '页码应从 1 开始').max(1000, '页码过大').default(1),
  pageSize: z.coerce.number().int().min(1, '每页至少 1 条').max(50, '每页最多 50 条').default(20),
  text: (label: string, max: number) =>
    z
      .string({ error: `请填写${label}` })
      .trim()
      .min(1, `请填写${label}`)
      .max(max, `${label}不能超过 ${max} 个字`),
  phone: z
    .string({ error: '请填写电话' })
    .trim()
    .regex(/^(1\d{10}|0\d{2,3}-?\d{7,8})$/, '电话格式不正确（手机 11 位，或区号-号码）'),
  /** Shape only, for actions that check existence themselves and report every date at once. */
  dayPattern: z.string({ error: '请选择日期' }).regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD'),
  day: z
    .string({ error: '请选择日期' })
    .regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD')
    .refine(isRealDay, '日期不存在'),
}
