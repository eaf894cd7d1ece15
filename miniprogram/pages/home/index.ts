import type { DutyToday, StationDetail, StationSummary } from '../../../typings/api'
import { callApi, errorText } from '../../services/api'
import { isElderlyMode } from '../../services/settings'
import { fetchStation, myStationId, setMyStation } from '../../services/stations'

/** 首页: my station, tap-to-call hotline, who is on duty today, entries. */
Component({
  data: {
    station: null as StationDetail | null,
    duty: null as DutyToday | null,
    choices: [] as StationSummary[],
    loading: true,
    error: '',
    elderly: false,
    /** 长辈模式: "今天值班：张三、李四" or why nobody is on duty. */
    dutyLine: '',
  },
  methods: {
    onLoad(query: Record<string, string | undefined>) {
      // A station QR code opens the home page with scene "s=<code>".
      const scene = decodeURIComponent(query.scene ?? '')
      const code = /^s=([\w-]+)$/.exec(scene)?.[1]
      this.setData({ elderly: isElderlyMode() })
      return this.reload(code)
    },
    onShow() {
      if (this.data.elderly !== isElderlyMode()) this.setData({ elderly: isElderlyMode() })
    },
    async onPullDownRefresh() {
      await this.reload()
      wx.stopPullDownRefresh()
    },
    async reload(code?: string) {
      this.setData({ loading: true, error: '' })
      try {
        if (code) {
          const s = await callApi('stations.get', { code })
          setMyStation(s.id)
        }
        const id = myStationId()
        if (!id) {
          const page = await callApi('stations.list', { tier: 'village', pageSize: 50 })
          this.setData({ station: null, choices: page.list })
        } else {
          const station = await fetchStation(id)
          const names = station.duty.agents.map((a) => a.name).join('、')
          this.setData({
            station,
            duty: station.duty,
            dutyLine: names
              ? `今天值班：${names}`
              : (station.duty.closedReason ?? '今天无人值班，请拨打服务热线'),
          })
        }
      } catch (err) {
        this.setData({ error: errorText(err, '加载失败，请重试') })
      } finally {
        this.setData({ loading: false })
      }
    },
    onPick(e: WechatMiniprogram.TouchEvent) {
      setMyStation(String(e.currentTarget.dataset.id))
      return this.reload()
    },
    onChangeStation() {
      setMyStation('')
      return this.reload()
    },
    onServices() {
      return wx.switchTab({ url: '/pages/catalog/index' })
    },
    onStation() {
      if (!this.data.station) return undefined
      return wx.navigateTo({ url: `/pages/station/index?id=${encodeURIComponent(this.data.station.id)}` })
    },
    onBook() {
      return wx.navigateTo({ url: '/pages/book/index' })
    },
    onVisit() {
      return wx.navigateTo({ url: '/pages/visit/index' })
    },
    onMyCases() {
      return wx.navigateTo({ url: '/pages/cases/index' })
    },
    onNearby() {
      return wx.navigateTo({ url: '/pages/stations/index' })
    },
    onShareAppMessage() {
      return { title: '有事找代理员，只进一家门', path: '/pages/home/index' }
    },
  },
})
