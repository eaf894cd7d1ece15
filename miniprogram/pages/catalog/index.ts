import type { ItemSummary } from '../../../typings/api'
import type { Tier } from '../../../typings/domain'
import { pageLoad } from '../../behaviors/page-load'
import { fetchCatalog } from '../../services/catalog'
import { myStationId } from '../../services/stations'
import { loadMore } from '../../utils/paging'

const TIERS: { value: Tier | ''; label: string }[] = [
  { value: '', label: '全部' },
  { value: 'village', label: '村（社区）' },
  { value: 'township', label: '乡镇' },
  { value: 'district', label: '区' },
]

/** 办事: the station's 代理事项一览表 with search (Chinese or pinyin initials), tiers and categories. */
Component({
  behaviors: [pageLoad],
  data: {
    tiers: TIERS,
    tier: '' as Tier | '',
    category: '',
    keyword: '',
    categories: [] as string[],
    list: [] as ItemSummary[],
    total: 0,
    /** The next page number while there is one: the catalog pages by number, 20 a page. */
    nextCursor: null as string | null,
    loadingMore: false,
  },
  methods: {
    /** One page of the list under the chosen search, tier and category. */
    query(page: number) {
      const stationId = myStationId()
      return fetchCatalog({
        page,
        ...(stationId ? { stationId } : {}),
        ...(this.data.tier ? { tier: this.data.tier } : {}),
        ...(this.data.category ? { category: this.data.category } : {}),
        ...(this.data.keyword ? { keyword: this.data.keyword } : {}),
      })
    },
    async fetchPage() {
      const res = await this.query(1)
      return {
        list: res.list,
        total: res.total,
        nextCursor: res.hasMore ? '2' : null,
        categories: res.categories,
      }
    },
    onReachBottom() {
      return loadMore(
        this,
        (cursor) => this.query(Number(cursor)),
        (res) => ({
          list: this.data.list.concat(res.list),
          total: res.total,
          nextCursor: res.hasMore ? String(res.page + 1) : null,
        }),
      )
    },
    /** A new search or filter: what was listed no longer answers it, so it goes at once. */
    refilter(patch: Record<string, unknown>) {
      this.setData({ ...patch, list: [], total: 0, nextCursor: null })
      return this.reload()
    },
    onSearch(e: { detail: string }) {
      return this.refilter({ keyword: String(e.detail ?? '').trim() })
    },
    onClear() {
      return this.refilter({ keyword: '' })
    },
    onTier(e: WechatMiniprogram.TouchEvent) {
      return this.refilter({ tier: e.currentTarget.dataset.tier as Tier | '' })
    },
    onCategory(e: WechatMiniprogram.TouchEvent) {
      return this.refilter({ category: String(e.currentTarget.dataset.category ?? '') })
    },
    onOpen(e: WechatMiniprogram.TouchEvent) {
      const id = String(e.currentTarget.dataset.id)
      return wx.navigateTo({ url: `/pages/item/index?id=${encodeURIComponent(id)}` })
    },
  },
})
