import type { StationDetail } from '../../../typings/api'
import { pageLoad } from '../../behaviors/page-load'
import { callApi, errorText } from '../../services/api'
import { fetchStation, setMyStation } from '../../services/stations'

/** 服务站详情: hours, hotline, duty, reception days, agents, navigation. */
Component({
  behaviors: [pageLoad],
  data: {
    id: '',
    station: null as StationDetail | null,
    qrUrl: '',
  },
  methods: {
    async fetchPage(query: Record<string, string | undefined>) {
      const id = this.data.id || decodeURIComponent(query.id ?? '')
      // Known before the fetch: sharing and the buttons work even when loading failed.
      if (!this.data.id) this.setData({ id })
      return { id, station: await fetchStation(id) }
    },
    onNavigate() {
      const s = this.data.station
      if (!s) return undefined
      return wx
        .openLocation({
          latitude: s.location.latitude,
          longitude: s.location.longitude,
          name: s.name,
          address: s.address,
          scale: 16,
        })
        .catch(() => undefined)
    },
    onBook() {
      if (!this.data.station) return undefined
      return wx.navigateTo({ url: `/pages/book/index?stationId=${encodeURIComponent(this.data.station.id)}` })
    },
    onMyStation() {
      if (!this.data.station) return
      setMyStation(this.data.station.id)
      wx.showToast({ title: '已设为我的服务站', icon: 'success' })
    },
    async onQrcode() {
      if (!this.data.station) return
      try {
        const qr = await callApi('stations.qrcode', { stationId: this.data.station.id })
        this.setData({ qrUrl: qr.url })
      } catch (err) {
        wx.showToast({ title: errorText(err, '生成失败，请重试'), icon: 'none' })
      }
    },
    async onSaveQrcode() {
      try {
        const tempFilePath = await new Promise<string>((resolve, reject) => {
          wx.downloadFile({ url: this.data.qrUrl, success: (r) => resolve(r.tempFilePath), fail: reject })
        })
        await wx.saveImageToPhotosAlbum({ filePath: tempFilePath })
        wx.showToast({ title: '已保存到相册', icon: 'success' })
      } catch {
        wx.showToast({ title: '未能保存，请长按二维码保存', icon: 'none' })
      }
    },
    onShareAppMessage() {
      return {
        title: this.data.station?.name ?? '为民服务站',
        path: `/pages/station/index?id=${encodeURIComponent(this.data.id)}`,
      }
    },
  },
})
