import { errorText } from '../../services/api'
import { listItems, type AdminItem } from '../../services/manage'

/** 一栏表 (admins): every item with what it still lacks to count as fully published, 20 at a time. */
Component({
  data: {
    list: [] as AdminItem[],
    total: 0,
    page: 1,
    hasMore: false,
    keyword: '',
    onlyLacking: false,
    loading: true,
    error: '',
  },
  methods: {
    async onLoad() {
      await this.load(1)
    },
    async load(page: number) {
      this.setData({ loading: true, error: '' })
      try {
        const r = await listItems({
          page,
          pageSize: 20,
          onlyLacking: this.data.onlyLacking,
          ...(this.data.keyword ? { keyword: this.data.keyword } : {}),
        })
        this.setData({
          list: page === 1 ? r.list : [...this.data.list, ...r.list],
          total: r.total,
          page,
          hasMore: r.hasMore,
        })
      } catch (err) {
        this.setData({ error: errorText(err, '加载失败，请重试') })
      } finally {
        this.setData({ loading: false })
      }
    },
    async onSearch(e: WechatMiniprogram.CustomEvent) {
      this.setData({ keyword: String(e.detail ?? '') })
      await this.load(1)
    },
    async onOnlyLacking(e: WechatMiniprogram.CustomEvent) {
      this.setData({ onlyLacking: !!e.detail })
      await this.load(1)
    },
    async onMore() {
      if (this.data.hasMore && !this.data.loading) await this.load(this.data.page + 1)
    },
  },
})
