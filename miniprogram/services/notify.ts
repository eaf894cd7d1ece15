import type { Actions } from '../../typings/api'
import { callApi, reportLocalGrants } from './api'

/**
 * Asks for subscribe-message grants on a user's tap (the platform only allows it there) and
 * records the accepted ones, so the server knows it may send. Refusal is normal, never an error.
 */
export async function askForNotices(tmplIds: string[]): Promise<string[]> {
  try {
    const res = (await wx.requestSubscribeMessage({ tmplIds })) as unknown as Record<string, string>
    const accepted = tmplIds.filter((id) => res[id] === 'accept')
    if (accepted.length) {
      await reportLocalGrants(accepted)
      await callApi('notify.grant', { accepted })
    }
    return accepted
  } catch {
    return []
  }
}

export type MyMessages = Actions['notify.mine']['out']

export const fetchMyMessages = () => callApi('notify.mine', {})
