import { pageLoad } from '../../behaviors/page-load'
import { errorText } from '../../services/api'
import { pairingQrcode, pairings, type Pairings, myStationId } from '../../services/manage'

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
      // Without a station named, a head sees their own station (admins: theirs, until they pick one).
      this.setData({ stationId: query.stationId ?? (await myStationId()) })
      try {
        this.setData({ data: await pairings(this.data.stationId) })
      } catch (err) {
        this.setData({ error: errorText(err, '加载失败，请重试') })
      }
      return {}
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
