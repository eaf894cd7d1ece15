import { pageLoad } from '../../behaviors/page-load'
import { errorText } from '../../services/api'
import { pairingQrcode, pairings, stationOf, type Pairings } from '../../services/manage'

/**
 * 结对帮扶 of one station: which agent is paired with which household, and whether the resident
 * confirmed in WeChat; a pairing not yet confirmed shows its one-time QR code to scan.
 */
Component({
  behaviors: [pageLoad],
  data: {
    stationId: '',
    data: null as Pairings | null,
    qr: null as { url: string; expiresAt: string; name: string } | null,
    error: '',
  },
  methods: {
    async fetchPage(query: Record<string, string | undefined>) {
      if (!this.data.stationId) this.setData({ stationId: await stationOf(query) })
      return { data: await pairings(this.data.stationId) }
    },
    async onQr(e: WechatMiniprogram.CustomEvent) {
      const id = String(e.currentTarget.dataset.id)
      const p = this.data.data?.list.find((x) => x.id === id)
      if (!p || p.accepted) return
      try {
        const r = await pairingQrcode(id)
        this.setData({
          qr: { url: r.url, expiresAt: r.expiresAt.slice(11, 16), name: p.residentName },
          error: '',
        })
      } catch (err) {
        this.setData({ error: errorText(err, '生成结对码失败') })
      }
    },
  },
})
