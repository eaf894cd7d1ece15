import type { CaseView, InboxTab } from '../../../typings/api'
import { pageLoad } from '../../behaviors/page-load'
import { callApi } from '../../services/api'
import { caseContact, fetchInbox } from '../../services/cases'
import { askForNotices, prepareNotices } from '../../services/notify'
import { dayLabel, shanghaiDay } from '../../utils/dates'

const TABS: { key: InboxTab; label: string }[] = [
  { key: 'overdue', label: '已超期' },
  { key: 'dueSoon', label: '即将超期' },
  { key: 'pending', label: '待受理' },
  { key: 'handling', label: '办理中' },
  { key: 'feedback', label: '待反馈' },
  { key: 'upper', label: '上报待办' },
]

const DAY = 86_400_000
const days = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / DAY)

/** One row: what, who, how old, how late, and a call button. */
interface Row {
  id: string
  name: string
  applicant: string
  description: string
  state: string
  age: string
  due: string
  lateDays: number
  home: boolean
}

function row(c: CaseView, today: string): Row {
  const submitted = shanghaiDay(c.createdAt)
  const age = days(submitted, today)
  const late = c.dueDay && ['accepted', 'escalated'].includes(c.state) ? days(c.dueDay, today) : 0
  return {
    id: c.id,
    name: c.item.name,
    applicant: c.applicant.name,
    description: c.description,
    state: c.stateLabel,
    age: age === 0 ? '今天提交' : `${age} 天前提交`,
    due: c.dueDay ? `限 ${dayLabel(c.dueDay)}` : '',
    lateDays: Math.max(0, late),
    home: c.visit === 'home',
  }
}

/**
 * 工作台: opens on the most urgent tab that has cases (the server picks it), rows with age,
 * days overdue in red, the resident's words and a call button; a toolbar that fits 375 px.
 */
Component({
  behaviors: [pageLoad],
  data: {
    tabs: TABS,
    tab: '' as InboxTab | '',
    scope: 'mine' as 'mine' | 'station',
    isHead: false,
    isAdmin: false,
    calendarWarning: '',
    counts: {} as Record<string, number>,
    list: [] as Row[],
    calling: '',
  },
  methods: {
    async fetchPage() {
      if (!this.data.tab) {
        void prepareNotices('workbench')
        const me = await callApi('me.profile', {}).catch(() => null)
        this.setData({ isHead: me?.agent?.role === 'head', isAdmin: me?.agent?.role === 'admin' })
      }
      const res = await fetchInbox(this.data.tab || undefined, 1, this.data.scope)
      return {
        tab: res.tab,
        list: res.list.map((c) => row(c, res.today)),
        counts: res.counts,
        // The calendar is the admins' to fix; agents' screens stay for their cases.
        calendarWarning: this.data.isAdmin ? (res.calendarWarning ?? '') : '',
      }
    },
    /** Back from a case: its row may have moved tab. (The Behavior's onShow calls this.) */
    onPageShow() {
      if (this.data.tab && !this.data.loading) return this.reload()
      return undefined
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
    /** The resident's full number is read (and logged) only on this tap. */
    async onCall(e: WechatMiniprogram.TouchEvent) {
      const id = String(e.currentTarget.dataset.id)
      if (this.data.calling) return
      this.setData({ calling: id })
      try {
        const { phone } = await caseContact(id)
        await wx.makePhoneCall({ phoneNumber: phone }).catch(() => undefined)
      } catch (err) {
        wx.showToast({ title: (err as Error).message || '暂时取不到电话', icon: 'none' })
      } finally {
        this.setData({ calling: '' })
      }
    },
    onOpen(e: WechatMiniprogram.TouchEvent) {
      return wx.navigateTo({
        url: `/work/case/index?id=${encodeURIComponent(String(e.currentTarget.dataset.id))}`,
      })
    },
  },
})
