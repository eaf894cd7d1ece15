/** 结对确认 for residents: what the agent's pairing code names, and accepting it. */
import type { Actions } from '../../typings/api'
import { callApi } from './api'

export type PairingInvite = Actions['pairings.scan']['out']
export const scanPairing = (code: string) => callApi('pairings.scan', { code })
export const acceptPairing = (code: string) => callApi('pairings.accept', { code })

/** The code from the mini-program code's scene (`pt=<code>`) or a plain `code` query. */
export function pairingCodeOf(query: Record<string, string | undefined>): string {
  const scene = decodeURIComponent(query.scene ?? '')
  const m = /(?:^|&)pt=([A-Z2-9]{12})/.exec(scene)
  return m?.[1] ?? query.code ?? ''
}
