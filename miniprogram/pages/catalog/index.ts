import type { ItemSummary } from '../../../typings/api'
import type { Tier } from '../../../typings/domain'
import { errorText } from '../../services/api'
import { fetchCatalog } from '../../services/catalog'
import { isElderlyMode } from '../../services/settings'
import { myStationId } from '../../services/stations'

const TIERS: { value: Tier | ''; label: string }[] = [
  { value: '', label: '全部' },
  { value: 'village', label: '村（社区）' },
  { value: 'township', label: '乡镇' },
  { value: 'district', label: '区' },
]

/** 办事: the station's 代理事项一览表 with search (Chinese or pinyin initials), tiers and categories. */
Component({
  data: {
    tiers: TIERS,
    tier: '' as Tier | '',
    category: '',
    keyword: '',
    categories: [] as string[],
    list: [] as ItemSummary[],
    page: 0,
    total: 0,
    hasMore: true,
    loading: false,
    error: '',
    elderly: false,
  },
  methods: {
    onLoad() {
      this.setData({ elderly: isElderlyMode() })
      return this.reload()
    },
    onShow() {
      if (this.data.elderly !== isElderlyMode()) this.setData({ elderly: isElderlyMode() })
    },
    async onPullDownRefresh() {
      await this.reload()
      wx.stopPullDownRefresh()
    },
    onReachBottom() {
      if (this.data.hasMore && !this.data.loading) return this.loadPage(this.data.page + 1)
      return undefined
    },
    reload() {
      this.setData({ list: [], page: 0, hasMore: true, error: '' })
      return this.loadPage(1)
    },
    async loadPage(page: number) {
      this.setData({ loading: true, error: '' })
      try {
        const stationId = myStationId()
        const res = await fetchCatalog({
          page,
          ...(stationId ? { stationId } : {}),
          ...(this.data.tier ? { tier: this.data.tier } : {}),
          ...(this.data.category ? { category: this.data.category } : {}),
          ...(this.data.keyword ? { keyword: this.data.keyword } : {}),
        })
        this.setData({
          list: page === 1 ? res.list : this.data.list.concat(res.list),
          page,
          total: res.total,
          hasMore: res.hasMore,
          categories: res.categories,
        })
      } catch (err) {
        this.setData({ error: errorText(err, '加载失败，请重试') })
      } finally {
        this.setData({ loading: false })
      }
    },
    onSearch(e: { detail: string }) {
      this.setData({ keyword: String(e.detail ?? '').trim() })
      return this.reload()
    },
    onClear() {
      this.setData({ keyword: '' })
      return this.reload()
    },
    onTier(e: WechatMiniprogram.TouchEvent) {
      this.setData({ tier: e.currentTarget.dataset.tier as Tier | '' })
      return this.reload()
    },
    onCategory(e: WechatMiniprogram.TouchEvent) {
      this.setData({ category: String(e.currentTarget.dataset.category ?? '') })
      return this.reload()
    },
    onOpen(e: WechatMiniprogram.TouchEvent) {
      const id = String(e.currentTarget.dataset.id)
      return wx.navigateTo({ url: `/pages/item/index?id=${encodeURIComponent(id)}` })
    },
  },
})
