import type { DutyToday, StationDetail, StationSummary } from '../../../typings/api'
import { config } from '../../config'
import { pageLoad } from '../../behaviors/page-load'
import { callApi } from '../../services/api'
import { chooseElderlyMode, elderlyModeAsked, isElderlyMode } from '../../services/settings'
import {
  cachedStationCard,
  fetchStation,
  myStationId,
  setMyStation,
  type StationCard,
} from '../../services/stations'

/** 首页: my station, tap-to-call hotline (kept when offline), who is on duty today, entries. */
Component({
  behaviors: [pageLoad],
  data: {
    station: null as StationDetail | null,
    duty: null as DutyToday | null,
    choices: [] as StationSummary[],
    /** The hotline to show: the station's, the last one seen when offline, or the district's. */
    hotline: null as StationCard | null,
    /** First launch: ask once whether to use large type. */
    askElderly: false,
    /** 长辈模式: "今天值班：张三、李四" or why nobody is on duty. */
    dutyLine: '',
  },
  methods: {
    async fetchPage(query: Record<string, string | undefined>) {
      this.setData({ askElderly: !elderlyModeAsked(), hotline: this.offlineHotline() })
      // A station QR code opens the home page with scene "s=<code>".
      const code = /^s=([\w-]+)$/.exec(decodeURIComponent(query.scene ?? ''))?.[1]
      if (code) {
        const s = await callApi('stations.get', { code })
        setMyStation(s.id)
        delete query.scene
      }
      const id = myStationId()
      if (!id) {
        const page = await callApi('stations.list', { tier: 'village', pageSize: 50 })
        return { station: null, choices: page.list }
      }
      const station = await fetchStation(id)
      const names = station.duty.agents.map((a) => a.name).join('、')
      return {
        station,
        duty: station.duty,
        hotline: { id: station.id, name: station.name, hotline: station.hotline, hours: station.hours },
        dutyLine: names
          ? `今天值班：${names}`
          : (station.duty.closedReason ?? '今天无人值班，请拨打服务热线'),
      }
    },
    offlineHotline(): StationCard {
      const f = config.fallbackHotline
      return cachedStationCard() ?? { id: '', name: f.name, hotline: f.phone, hours: f.hours }
    },
    onElderlyChoice(e: WechatMiniprogram.TouchEvent) {
      const on = e.currentTarget.dataset.on === true || e.currentTarget.dataset.on === 'true'
      chooseElderlyMode(on)
      this.setData({ elderly: on, askElderly: false })
    },
    onToggleElderly() {
      chooseElderlyMode(!isElderlyMode())
      this.setData({ elderly: isElderlyMode(), askElderly: false })
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
