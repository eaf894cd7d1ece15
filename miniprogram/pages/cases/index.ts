import { ApiCallError, errorText } from '../../services/api'
import { claimCase, fetchMyCases, type CaseView } from '../../services/cases'
import { isElderlyMode } from '../../services/settings'

/** 我的申请. */
Component({
  data: {
    list: [] as CaseView[],
    page: 0,
    hasMore: true,
    loading: false,
    error: '',
    elderly: false,
    claimCode: '',
    claimPhone: '',
    claimError: '',
  },
  methods: {
    onLoad() {
      this.setData({ elderly: isElderlyMode() })
      return this.reload()
    },
    async onPullDownRefresh() {
      await this.reload()
      wx.stopPullDownRefresh()
    },
    onReachBottom() {
      if (this.data.hasMore && !this.data.loading) return this.load(this.data.page + 1)
      return undefined
    },
    reload() {
      this.setData({ list: [], page: 0, hasMore: true })
      return this.load(1)
    },
    async load(page: number) {
      this.setData({ loading: true, error: '' })
      try {
        const res = await fetchMyCases(page)
        this.setData({
          list: page === 1 ? res.list : this.data.list.concat(res.list),
          page,
          hasMore: res.hasMore,
        })
      } catch (err) {
        this.setData({ error: errorText(err, '加载失败，请重试') })
      } finally {
        this.setData({ loading: false })
      }
    },
    onClaimCode(e: { detail: string }) {
      this.setData({ claimCode: e.detail, claimError: '' })
    },
    onClaimPhone(e: { detail: string }) {
      this.setData({ claimPhone: e.detail, claimError: '' })
    },
    async onClaim() {
      try {
        await claimCase(this.data.claimCode, this.data.claimPhone)
        this.setData({ claimCode: '', claimPhone: '' })
        await this.reload()
      } catch (err) {
        const e = err as ApiCallError
        this.setData({ claimError: e.fields ? Object.values(e.fields).join('；') : e.message })
      }
    },
    onOpen(e: WechatMiniprogram.TouchEvent) {
      return wx.navigateTo({
        url: `/pages/case/index?id=${encodeURIComponent(String(e.currentTarget.dataset.id))}`,
      })
    },
  },
})
