import { AppError } from '../lib/errors'
import type { Ctx } from './context'

/**
 * WeChat content security for free text a user wants stored (descriptions, results, comments):
 * anything but a clear pass is refused with CONTENT_RISKY and the field to change.
 */
export async function checkText(ctx: Ctx, text: string, field: string): Promise<void> {
  if (!text) return
  const verdict = await ctx.deps.platform.textCheck(text, ctx.caller.openid)
  if (verdict !== 'pass') {
    throw new AppError('CONTENT_RISKY', '内容含有不宜发布的信息，请修改后再提交', {
      [field]: '请修改这段文字后再提交',
    })
  }
}
