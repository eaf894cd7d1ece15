import type { GeoPoint } from '../../../typings/domain'
import type { StationSummary } from '../../../typings/api'
import { callApi, errorText } from '../../services/api'
import { isElderlyMode } from '../../services/settings'

type Row = StationSummary & { distanceText: string }

/** A <map> marker (the default pin when no icon is given). */
interface Marker {
  id: number
  latitude: number
  longitude: number
  title: string
  width: number
  height: number
}

function distanceText(m: number | null): string {
  if (m === null) return ''
  return m < 1000 ? `${m} 米` : `${(m / 1000).toFixed(1)} 公里`
}

/** 附近服务站: map with markers and a list, nearest first once the user shares location. */
Component({
  data: {
    list: [] as Row[],
    markers: [] as Marker[],
    center: { latitude: 26.6, longitude: 106.6 } as GeoPoint,
    located: false,
    error: '',
    elderly: false,
  },
  methods: {
    onLoad() {
      this.setData({ elderly: isElderlyMode() })
      return this.load()
    },
    async load(near?: GeoPoint) {
      try {
        const page = await callApi('stations.list', { pageSize: 50, ...(near ? { near } : {}) })
        const list = page.list.map((s) => ({ ...s, distanceText: distanceText(s.distanceMeters) }))
        this.setData({
          list,
          markers: list.map((s, i) => ({
            id: i,
            latitude: s.location.latitude,
            longitude: s.location.longitude,
            title: s.name,
            width: 24,
            height: 32,
          })),
          center: near ?? list[0]?.location ?? this.data.center,
        })
      } catch (err) {
        this.setData({ error: errorText(err, '加载失败，请重试') })
      }
    },
    async onLocate() {
      try {
        const loc = await wx.getLocation({ type: 'gcj02' })
        this.setData({ located: true })
        await this.load({ latitude: loc.latitude, longitude: loc.longitude })
      } catch {
        this.setData({ error: '未获得位置，已按编号列出全部服务站' })
      }
    },
    onMarker(e: { detail: { markerId: number } }) {
      const s = this.data.list[e.detail.markerId]
      if (s) return wx.navigateTo({ url: `/pages/station/index?id=${encodeURIComponent(s.id)}` })
      return undefined
    },
    onOpen(e: WechatMiniprogram.TouchEvent) {
      return wx.navigateTo({
        url: `/pages/station/index?id=${encodeURIComponent(String(e.currentTarget.dataset.id))}`,
      })
    },
  },
})
