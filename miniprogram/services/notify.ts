import type { Actions } from '../../typings/api'
import type { SubscribeMoment } from '../../typings/domain'
import { callApi, reportLocalGrants } from './api'

export type { SubscribeMoment }

/**
 * Subscribe-message grants (订阅消息). The template ids come from the server, which holds the
 * admins' mapping of events to templates: never ids written into the mini-program. The ask must
 * happen inside the user's tap, so a page loads the ids when it opens ({@link prepareNotices})
 * and asks on the tap ({@link askForNotices}), three templates per ask, the next three on the
 * next tap.
 */
const loaded = new Map<SubscribeMoment, Actions['notify.templates']['out']>()
const NEXT_KEY = 'notify.next.'

/** Fetches the ids to ask for at `moment`; a failure only means nothing is asked this time. */
export async function prepareNotices(moment: SubscribeMoment): Promise<boolean> {
  try {
    loaded.set(moment, await callApi('notify.templates', { moment }))
    return true
  } catch {
    // No network: the page works without notices (and may try again on its next load).
    return false
  }
}

/** The ids the next tap at `moment` asks for (for tests and the 订阅 button's label). */
export function nextNoticeBatch(moment: SubscribeMoment): string[] {
  const t = loaded.get(moment)
  if (!t || !t.batches.length) return []
  const i = Number(wx.getStorageSync(`${NEXT_KEY}${moment}`) || 0) % t.batches.length
  return t.batches[i]!
}

/**
 * Asks on the user's tap for the next batch of `moment`'s templates and records the accepted
 * ones, so the server knows it may send. Refusal is normal, never an error.
 */
export async function askForNotices(moment: SubscribeMoment): Promise<string[]> {
  const t = loaded.get(moment)
  const tmplIds = nextNoticeBatch(moment)
  if (!t || !tmplIds.length) return []
  wx.setStorageSync(`${NEXT_KEY}${moment}`, Number(wx.getStorageSync(`${NEXT_KEY}${moment}`) || 0) + 1)
  try {
    const res = (await wx.requestSubscribeMessage({ tmplIds })) as unknown as Record<string, string>
    const accepted = tmplIds.filter((id) => res[id] === 'accept')
    if (accepted.length) {
      // Local mode only: the emulator plays WeChat, which keeps the grant on its side.
      await reportLocalGrants(accepted, t.longTerm)
      await callApi('notify.grant', { accepted, longTerm: t.longTerm })
    }
    return accepted
  } catch {
    return []
  }
}

export type MyMessages = Actions['notify.mine']['out']

export const fetchMyMessages = () => callApi('notify.mine', {})
