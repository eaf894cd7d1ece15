import type { Agent } from '../../typings/domain'
import { AppError, conflict } from '../lib/errors'
import type { Database } from './db'

export interface Invitation {
  _id: string
  agentId: string
  expiresAt: Date
  createdAt: Date
  usedBy: string | null
}

/** Invitation codes that bind WeChat users to roster entries. */
export class RosterRepository {
  constructor(private readonly db: Database) {}

  async createInvitation(inv: Invitation): Promise<void> {
    const { _id, ...data } = inv
    await this.db.collection('invitations').doc(_id).set({ data })
  }

  /**
   * Redeems a code in one transaction: the invitation is marked used and the agent bound
   * together, so two people racing for one code cannot both succeed.
   */
  async redeem(code: string, openid: string, now: Date): Promise<Agent> {
    return this.db.runTransaction(async (tx) => {
      const inv = (
        await tx
          .collection('invitations')
          .doc(code)
          .get()
          .catch(() => ({ data: null }))
      ).data as unknown as Invitation | null
      if (!inv) throw new AppError('NOT_FOUND', '邀请码不存在，请向管理员核对')
      if (inv.usedBy) throw conflict('邀请码已被使用')
      if (new Date(inv.expiresAt).getTime() < now.getTime())
        throw new AppError('INVALID_STATE', '邀请码已过期，请向管理员重新申请')
      const agent = (await tx.collection('agents').doc(inv.agentId).get()).data as unknown as Agent
      if (agent.openid) throw conflict('该花名册人员已绑定其他微信')
      await tx
        .collection('invitations')
        .doc(code)
        .update({ data: { usedBy: openid, usedAt: now } })
      await tx.collection('agents').doc(inv.agentId).update({ data: { openid } })
      return { ...agent, openid }
    })
  }
}
