import type { StationDetail } from '../../../typings/api'
import { callApi, errorText } from '../../services/api'
import { isElderlyMode } from '../../services/settings'
import { fetchStation, setMyStation } from '../../services/stations'

/** 服务站详情: hours, hotline, duty, reception days, agents, navigation. */
Component({
  data: {
    id: '',
    station: null as StationDetail | null,
    qrUrl: '',
    loading: true,
    error: '',
    elderly: false,
  },
  methods: {
    onLoad(query: Record<string, string | undefined>) {
      this.setData({ id: decodeURIComponent(query.id ?? ''), elderly: isElderlyMode() })
      return this.reload()
    },
    async reload() {
      this.setData({ loading: true, error: '' })
      try {
        const station = await fetchStation(this.data.id)
        this.setData({ station })
      } catch (err) {
        this.setData({ error: errorText(err, '加载失败，请重试') })
      } finally {
        this.setData({ loading: false })
      }
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
