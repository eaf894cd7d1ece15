import type { ItemDetail } from '../../../typings/api'
import { pageLoad } from '../../behaviors/page-load'
import { fetchItem } from '../../services/catalog'
import { myStationId } from '../../services/stations'

/** 事项详情: materials, procedure, time limit, fee, who handles it, hotlines. */
Component({
  behaviors: [pageLoad],
  data: {
    id: '',
    item: null as ItemDetail | null,
    steps: [] as string[],
    formLabels: { original: '原件', copy: '复印件', either: '原件或复印件' },
  },
  methods: {
    async fetchPage(query: Record<string, string | undefined>) {
      const id = this.data.id || decodeURIComponent(query.id ?? '')
      // Known before the fetch: sharing and the buttons work even when loading failed.
      if (!this.data.id) this.setData({ id })
      const stationId = myStationId()
      const item = await fetchItem(id, stationId || undefined)
      wx.setNavigationBarTitle({ title: item.name }).catch(() => undefined)
      return { id, item, steps: item.steps }
    },
    onApply() {
      return wx.navigateTo({ url: `/pages/apply/index?itemId=${encodeURIComponent(this.data.id)}` })
    },
    onBook() {
      return wx.navigateTo({ url: `/pages/book/index?itemId=${encodeURIComponent(this.data.id)}` })
    },
    onVisit() {
      return wx.navigateTo({ url: `/pages/visit/index?itemId=${encodeURIComponent(this.data.id)}` })
    },
    onShareAppMessage() {
      return {
        title: this.data.item ? `${this.data.item.name}｜为民服务代理` : '为民服务代理',
        path: `/pages/item/index?id=${encodeURIComponent(this.data.id)}`,
      }
    },
  },
})
