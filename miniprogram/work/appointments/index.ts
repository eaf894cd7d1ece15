import { pageLoad } from '../../behaviors/page-load'
import { errorText } from '../../services/api'
import {
  bookingContact,
  confirmVisit,
  declineVisit,
  fetchDesk,
  fetchDeskMore,
  markBooking,
  type DeskDay,
} from '../../services/appointments'
import { dialable } from '../../utils/phone'

/**
 * The agent's day view: the station's appointments of a day in time order with 到场 / 未到,
 * a call button (the full number is fetched and logged only on tap), and home-visit requests
 * to confirm at a time inside one of the resident's half days, or decline with a reason.
 */
Component({
  behaviors: [pageLoad],
  data: {
    desk: null as DeskDay | null,
    /** The day the agent moved to ('' today); null: the page's `day=` query, or today. */
    day: null as string | null,
    /** 'list' or 'visits' while more of that part is loading. */
    loadingMore: '',
    /** What went wrong with a tap (到场, 打电话, 安排上门 …): the day stays as shown. */
    actionError: '',
    busy: '',
    /** Visit being scheduled: chosen window index and time. */
    planning: '',
    windowIndex: 0,
    time: '',
  },
  methods: {
    async fetchPage(query: Record<string, string | undefined>) {
      const day = this.data.day ?? decodeURIComponent(query.day ?? '')
      return { desk: await fetchDesk(day || undefined) }
    },
    /** Another day; if it fails to load, 重新加载 and pulling down try that day again. */
    go(day: string | undefined) {
      this.setData({ day: day ?? '', actionError: '' })
      return this.reload()
    },
    onReachBottom() {
      const desk = this.data.desk
      return this.loadMore(desk?.nextCursor ? 'list' : 'visits')
    },
    onMoreList() {
      return this.loadMore('list')
    },
    onMoreVisits() {
      return this.loadMore('visits')
    },
    /** 加载更多 of the day's appointments or of the visit requests, appended to what is shown. */
    async loadMore(part: 'list' | 'visits') {
      const desk = this.data.desk
      const cursor = part === 'list' ? desk?.nextCursor : desk?.visitNextCursor
      if (!desk || !cursor || this.data.loadingMore || this.data.loading) return
      this.setData({ loadingMore: part, error: '' })
      try {
        const more = await fetchDeskMore(desk.day, part, cursor)
        this.setData({
          desk:
            part === 'list'
              ? {
                  ...desk,
                  list: [...desk.list, ...more.list],
                  nextCursor: more.nextCursor,
                  counts: more.counts,
                }
              : {
                  ...desk,
                  visitRequests: [...desk.visitRequests, ...more.visitRequests],
                  visitRequestsTotal: more.visitRequestsTotal,
                  visitNextCursor: more.visitNextCursor,
                },
        })
      } catch (err) {
        this.setData({ error: errorText(err, '加载失败，请重试') })
      } finally {
        this.setData({ loadingMore: '' })
      }
    },
    onPrev() {
      return this.go(this.data.desk?.prevDay)
    },
    onNext() {
      return this.go(this.data.desk?.nextDay)
    },
    onToday() {
      return this.go('')
    },
    onSchedule() {
      return wx.navigateTo({ url: '/work/schedule/index' })
    },
    async onMark(e: WechatMiniprogram.CustomEvent) {
      const id = String(e.currentTarget.dataset.id)
      const outcome = e.currentTarget.dataset.outcome as 'arrived' | 'no_show'
      if (this.data.busy) return
      this.setData({ busy: id, actionError: '' })
      try {
        await markBooking(id, outcome)
        await this.reload()
      } catch (err) {
        this.setData({ actionError: errorText(err, '登记失败，请重试') })
      } finally {
        this.setData({ busy: '' })
      }
    },
    async onCall(e: WechatMiniprogram.CustomEvent) {
      try {
        const { phone } = await bookingContact(String(e.currentTarget.dataset.id))
        await wx.makePhoneCall({ phoneNumber: dialable(phone) }).catch(() => undefined)
      } catch (err) {
        this.setData({ actionError: errorText(err, '获取电话失败，请重试') })
      }
    },
    async onAddress(e: WechatMiniprogram.CustomEvent) {
      try {
        const { address, phone } = await bookingContact(String(e.currentTarget.dataset.id))
        await wx.showModal({
          title: '上门地址',
          content: `${address ?? ''}\n电话：${phone}`,
          showCancel: false,
        })
      } catch (err) {
        this.setData({ actionError: errorText(err, '获取地址失败，请重试') })
      }
    },
    onPlan(e: WechatMiniprogram.CustomEvent) {
      const id = String(e.currentTarget.dataset.id)
      const req = this.data.desk?.visitRequests.find((r) => r.id === id)
      const first = req?.windows[0]
      this.setData({ planning: id, windowIndex: 0, time: first ? first.start : '', actionError: '' })
    },
    onWindow(e: WechatMiniprogram.CustomEvent) {
      // A window chip belongs to one request: tapping it plans that request.
      const id = String(e.currentTarget.dataset.id)
      const req = this.data.desk?.visitRequests.find((r) => r.id === id)
      const index = Number(e.currentTarget.dataset.index)
      if (!req?.windows[index]) return
      this.setData({ planning: id, windowIndex: index, time: req.windows[index]!.start, actionError: '' })
    },
    onTime(e: WechatMiniprogram.CustomEvent) {
      this.setData({ time: String(e.detail.value) })
    },
    async onConfirm() {
      const req = this.data.desk?.visitRequests.find((r) => r.id === this.data.planning)
      const w = req?.windows[this.data.windowIndex]
      if (!req || !w || this.data.busy) return
      this.setData({ busy: req.id, actionError: '' })
      try {
        await confirmVisit({ bookingId: req.id, day: w.day, start: this.data.time })
        wx.showToast({ title: '已确认，已通知群众', icon: 'none' })
        this.setData({ planning: '' })
        await this.reload()
      } catch (err) {
        this.setData({ actionError: errorText(err, '确认失败，请重试') })
      } finally {
        this.setData({ busy: '' })
      }
    },
    async onDecline(e: WechatMiniprogram.CustomEvent) {
      const id = String(e.currentTarget.dataset.id)
      const res = await wx.showModal({
        title: '不能上门的原因',
        editable: true,
        placeholderText: '例如：已电话解答，无需上门',
        confirmText: '确定',
      })
      if (!res.confirm) return
      this.setData({ busy: id, actionError: '' })
      try {
        await declineVisit(id, String(res.content ?? ''))
        await this.reload()
      } catch (err) {
        this.setData({ actionError: errorText(err, '提交失败，请重试') })
      } finally {
        this.setData({ busy: '' })
      }
    },
  },
})
