import { pageLoad } from '../../behaviors/page-load'
import { errorText } from '../../services/api'
import { acceptPairing, pairingCodeOf, scanPairing, type PairingInvite } from '../../services/pairing'

/**
 * 确认结对 (residents): opened by scanning the agent's pairing code; shows who the agent is and
 * asks once. Accepting makes the resident's next request at that station go to this agent.
 */
Component({
  behaviors: [pageLoad],
  data: { code: '', invite: null as PairingInvite | null, accepting: false, done: false },
  methods: {
    async fetchPage(query: Record<string, string | undefined>) {
      const code = pairingCodeOf(query)
      if (!code) return { error: '没有识别到结对码，请重新扫描代理员出示的二维码' }
      const invite = await scanPairing(code)
      return { code, invite, done: invite.accepted }
    },
    async onAccept() {
      if (this.data.accepting || !this.data.code) return
      this.setData({ accepting: true, error: '' })
      try {
        await acceptPairing(this.data.code)
        this.setData({ done: true })
      } catch (err) {
        this.setData({ error: errorText(err, '确认失败，请重试') })
      } finally {
        this.setData({ accepting: false })
      }
    },
  },
})
