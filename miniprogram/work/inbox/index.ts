import type { CaseView, InboxTab } from '../../../typings/api'
import { callApi, errorText } from '../../services/api'
import { fetchInbox } from '../../services/cases'
import { askForNotices, prepareNotices } from '../../services/notify'

const TABS: { key: InboxTab; label: string }[] = [
  { key: 'pending', label: '待受理' },
  { key: 'handling', label: '办理中' },
  { key: 'dueSoon', label: '即将超期' },
  { key: 'overdue', label: '已超期' },
  { key: 'feedback', label: '待反馈' },
  { key: 'upper', label: '上报待办' },
]

/** 工作台: five tabs with counts, due soonest first. */
Component({
  data: {
    tabs: TABS,
    tab: 'pending' as InboxTab,
    scope: 'mine' as 'mine' | 'station',
    isHead: false,
    calendarWarning: '',
    counts: {} as Record<string, number>,
    list: [] as CaseView[],
    loading: false,
    error: '',
  },
  methods: {
    async onLoad() {
      void prepareNotices('workbench')
      const me = await callApi('me.profile', {}).catch(() => null)
      this.setData({ isHead: me?.agent?.role === 'head' })
      return this.reload()
    },
    onShow() {
      if (!this.data.loading) return this.reload()
      return undefined
    },
    async onPullDownRefresh() {
      await this.reload()
      wx.stopPullDownRefresh()
    },
    async reload() {
      this.setData({ loading: true, error: '' })
      try {
        const res = await fetchInbox(this.data.tab, 1, this.data.scope)
        this.setData({ list: res.list, counts: res.counts, calendarWarning: res.calendarWarning ?? '' })
      } catch (err) {
        this.setData({ error: errorText(err, '加载失败，请重试') })
      } finally {
        this.setData({ loading: false })
      }
    },
    onTab(e: WechatMiniprogram.TouchEvent) {
      this.setData({ tab: e.currentTarget.dataset.tab as InboxTab })
      return this.reload()
    },
    onRectify() {
      return wx.navigateTo({ url: '/work/rectify/index' })
    },
    onDesk() {
      return wx.navigateTo({ url: '/work/appointments/index' })
    },
    onScope() {
      this.setData({ scope: this.data.scope === 'station' ? 'mine' : 'station' })
      return this.reload()
    },
    /** New-case, due and overdue reminders need the agent's grant, asked on this tap. */
    async onNotices() {
      const accepted = await askForNotices('workbench')
      wx.showToast({ title: accepted.length ? '已开启提醒' : '未开启提醒', icon: 'none' })
    },
    onIntake() {
      return wx.navigateTo({ url: '/work/intake/index' })
    },
    onOpen(e: WechatMiniprogram.TouchEvent) {
      return wx.navigateTo({
        url: `/work/case/index?id=${encodeURIComponent(String(e.currentTarget.dataset.id))}`,
      })
    },
  },
})
