/**
 * Whether an invocation of a timer-only function comes from the platform's timer trigger:
 * SOURCE `wx_trigger` (TRIGGER_SRC=timer), no WeChat user, and the trigger's event shape
 * (`{ Type: 'Timer', TriggerName, Time }`). A mini-program caller always carries an OPENID and
 * SOURCE `wx_client`; another function calling it has a chain ending in `scf`.
 */
export function isTimerInvocation(
  event: unknown,
  ctx: { openid?: string; source?: string; triggerSrc?: string },
): boolean {
  if (ctx.openid) return false
  // SOURCE decides when the platform gives it; TRIGGER_SRC only stands in when it does not.
  if (!(ctx.source ? ctx.source === 'wx_trigger' : ctx.triggerSrc === 'timer')) return false
  const e = event as { Type?: unknown; TriggerName?: unknown } | null
  return !!e && typeof e === 'object' && e.Type === 'Timer' && typeof e.TriggerName === 'string'
}
