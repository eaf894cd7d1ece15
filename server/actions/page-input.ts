/**
 * The paging part of a list action's input: the cursor the previous page returned and a page
 * size. Lists answer `{ list, total, nextCursor }` (see repositories/paging.ts).
 */
import { z } from '../lib/validate'

export const pageFields = {
  cursor: z.string({ error: '翻页参数不正确' }).max(400, '翻页参数不正确').optional(),
  pageSize: z
    .number({ error: '每页条数应为数字' })
    .int('每页条数应为整数')
    .min(1, '每页至少 1 条')
    .max(100, '每页最多 100 条')
    .optional(),
}
