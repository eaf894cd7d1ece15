import { pageLoad } from '../../behaviors/page-load'
import { ApiCallError, errorText } from '../../services/api'
import { claimCase, fetchMyCases, type CaseView } from '../../services/cases'
import { dayLabel, shanghaiDay } from '../../utils/dates'
import { OVERDUE_RESIDENT_WORDS, RESIDENT_STATE_WORDS } from '../../utils/vocabulary'

const OPEN = ['submitted', 'accepted', 'awaiting_supplement', 'escalated']

/** One row of 我的申请: the case with its dates and an honest state line. */
interface Row {
  id: string
  name: string
  submitted: string
  state: string
  /** "承诺 12月21日（周一）前办好", "已超过承诺期限 3 天", "请您评价" … */
  line: string
  late: boolean
  action: boolean
}

function row(c: CaseView, today: string): Row {
  const open = OPEN.includes(c.state)
  const late = open && !!c.dueDay && c.dueDay < today
  const lateDays = late ? Math.round((Date.parse(today) - Date.parse(c.dueDay!)) / 86_400_000) : 0
  const line = c.actions.includes('rate')
    ? '请您评价这次服务'
    : c.state === 'awaiting_supplement'
      ? '请您补交材料'
      : late
        ? `已超过承诺期限 ${lateDays} 天，还没有办好`
        : open && c.dueDay
          ? `承诺 ${dayLabel(c.dueDay)}前办好`
          : (c.result ?? '')
  return {
    id: c.id,
    name: c.item.name,
    submitted: `${dayLabel(shanghaiDay(c.createdAt))}提交`,
    state: late ? OVERDUE_RESIDENT_WORDS : (RESIDENT_STATE_WORDS[c.state] ?? c.stateLabel),
    line,
    late,
    action: c.actions.includes('rate') || c.state === 'awaiting_supplement',
  }
}

/** 我的申请: newest first with dates and honest states; the claim-code box below the list. */
Component({
  behaviors: [pageLoad],
  data: {
    list: [] as Row[],
    page: 1,
    hasMore: false,
    loadingMore: false,
    showClaim: false,
    claimCode: '',
    claimPhone: '',
    claimError: '',
  },
  methods: {
    async fetchPage() {
      const res = await fetchMyCases(1)
      const today = shanghaiDay(new Date().toISOString())
      return { list: res.list.map((c) => row(c, today)), page: 1, hasMore: res.hasMore }
    },
    async onReachBottom() {
      if (!this.data.hasMore || this.data.loadingMore || this.data.loading) return
      this.setData({ loadingMore: true, error: '' })
      try {
        const res = await fetchMyCases(this.data.page + 1)
        const today = shanghaiDay(new Date().toISOString())
        this.setData({
          list: this.data.list.concat(res.list.map((c) => row(c, today))),
          page: this.data.page + 1,
          hasMore: res.hasMore,
        })
      } catch (err) {
        this.setData({ error: errorText(err, '加载失败，请重试') })
      } finally {
        this.setData({ loadingMore: false })
      }
    },
    onShowClaim() {
      this.setData({ showClaim: true })
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
        this.setData({ claimCode: '', claimPhone: '', showClaim: false })
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
