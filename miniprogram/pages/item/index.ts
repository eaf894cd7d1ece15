import type { ItemDetail } from '../../../typings/api'
import { errorText } from '../../services/api'
import { fetchItem } from '../../services/catalog'
import { isElderlyMode } from '../../services/settings'
import { myStationId } from '../../services/stations'

/** 事项详情: materials, procedure, time limit, fee, who handles it, hotlines. */
Component({
  data: {
    id: '',
    item: null as ItemDetail | null,
    steps: [] as { text: string }[],
    formLabels: { original: '原件', copy: '复印件', either: '原件或复印件' },
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
        const stationId = myStationId()
        const item = await fetchItem(this.data.id, stationId || undefined)
        this.setData({ item, steps: item.steps.map((text, i) => ({ text: `${i + 1}. ${text}` })) })
        wx.setNavigationBarTitle({ title: item.name }).catch(() => undefined)
      } catch (err) {
        this.setData({ error: errorText(err, '加载失败，请重试') })
      } finally {
        this.setData({ loading: false })
      }
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
