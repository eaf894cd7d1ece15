import type { Pairing } from '../../typings/domain'
import { AppError, conflict, notFound } from '../lib/errors'
import { redact } from './audit'
import { withoutId, type Database } from './db'

/**
 * 结对确认码: what the agent's pairing QR code carries. The code is the document id, 12 random
 * characters (31-letter alphabet, about 59 bits), so it fits the mini-program code's 32-character
 * scene (`pt=<code>`) where a self-contained signed token would not; it is unguessable, expires,
 * and can be used once. Verification is a read by id.
 */
export interface PairingToken {
  _id: string
  pairingId: string
  stationId: string
  agentId: string
  expiresAt: Date
  createdAt: Date
  /** Roster id of who showed the code. */
  createdBy: string
  /** The resident's openid once accepted. */
  usedBy: string | null
}

export class PairingTokenRepository {
  constructor(private readonly db: Database) {}

  async create(t: PairingToken): Promise<void> {
    await this.db
      .collection('pairing_tokens')
      .doc(t._id)
      .set({ data: withoutId(t) })
  }

  async get(code: string): Promise<PairingToken | null> {
    const { data } = await this.db.collection('pairing_tokens').where({ _id: code }).limit(1).get()
    return (data[0] as unknown as PairingToken | undefined) ?? null
  }

  /**
   * The resident accepts: in one transaction the code is marked used, the pairing records the
   * resident's openid, and the change enters the audit log — a code scanned twice at once pairs
   * one resident, and a pairing another resident confirmed is never taken over.
   */
  async accept(code: string, openid: string, residentLabel: string, now: Date): Promise<Pairing> {
    return this.db.runTransaction(async (tx) => {
      const t = (
        await tx
          .collection('pairing_tokens')
          .doc(code)
          .get()
          .catch(() => ({ data: null }))
      ).data as unknown as PairingToken | null
      if (!t) throw notFound('结对码无效，请让代理员重新出示')
      if (new Date(t.expiresAt).getTime() < now.getTime())
        throw new AppError('INVALID_STATE', '结对码已过期，请让代理员重新出示')
      if (t.usedBy && t.usedBy !== openid) throw conflict('结对码已被使用，请让代理员重新出示')
      const ref = tx.collection('pairings').doc(t.pairingId)
      const p = (await ref.get().catch(() => ({ data: null }))).data as unknown as Pairing | null
      if (!p || p.agentId !== t.agentId) throw notFound('这条结对已变更，请让代理员重新出示')
      if (p.residentOpenid && p.residentOpenid !== openid)
        throw conflict('这条结对已由其他群众确认，如有疑问请联系站长')
      const before = { ...p, _id: t.pairingId }
      const after = { ...before, residentOpenid: openid }
      await ref.update({ data: { residentOpenid: openid } })
      await tx
        .collection('pairing_tokens')
        .doc(code)
        .update({ data: { usedBy: openid, usedAt: now } })
      await tx.collection('audit_log').add({
        data: {
          at: now,
          actor: { agentId: '', name: residentLabel, role: 'resident' },
          kind: 'pairing',
          recordId: t.pairingId,
          action: 'accept',
          summary: `群众在微信中确认结对（${p.residentName}）`,
          before: redact(before),
          after: redact(after),
        },
      })
      return after
    })
  }
}
