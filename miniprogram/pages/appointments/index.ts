import { pageLoad } from '../../behaviors/page-load'
import { errorText } from '../../services/api'
import { cancelBooking, fetchMyBookings, type BookingView } from '../../services/appointments'
import { dialable } from '../../utils/phone'
import { loadMore } from '../../utils/paging'

/** 我的预约: when and where, and cancel, reschedule, navigate or call while it is still ahead. */
Component({
  behaviors: [pageLoad],
  data: {
    list: [] as BookingView[],
    total: 0,
    nextCursor: null as string | null,
    loadingMore: false,
    notice: '',
    /** The booking just made (`done=<id>` from the booking page), greeted and outlined. */
    done: '',
    doneText: '',
    busy: '',
    /** A cancel that failed: said beside the list, which stays as it was. */
    actionError: '',
  },
  methods: {
    async fetchPage(query: Record<string, string | undefined>) {
      const { list, notice, total, nextCursor } = await fetchMyBookings()
      const doneId = decodeURIComponent(query.done ?? '')
      const done = list.find((b) => b.id === doneId)
      return {
        list,
        total,
        nextCursor,
        notice: notice ?? '',
        done: doneId,
        doneText: !done
          ? ''
          : done.status === 'requested'
            ? '上门申请已提交，代理员确定时间后会通知您。'
            : '预约成功！我们会在前一天和开始前 2 小时提醒您。',
      }
    },
    onReachBottom() {
      return this.loadMore()
    },
    /** 加载更多: older bookings after the last one shown. */
    async loadMore() {
      await loadMore(
        this,
        (cursor) => fetchMyBookings(cursor),
        (r) => ({ list: [...this.data.list, ...r.list], total: r.total, nextCursor: r.nextCursor }),
      )
    },
    booking(e: WechatMiniprogram.CustomEvent): BookingView | undefined {
      return this.data.list.find((b) => b.id === e.currentTarget.dataset.id)
    },
    async onCancel(e: WechatMiniprogram.CustomEvent) {
      const b = this.booking(e)
      if (!b || this.data.busy) return
      const { confirm } = await wx.showModal({
        title: '取消预约',
        content: `确定取消 ${b.whenText} 的预约吗？`,
        confirmText: '取消预约',
        cancelText: '再想想',
      })
      if (!confirm) return
      this.setData({ busy: b.id, actionError: '' })
      try {
        await cancelBooking(b.id)
        wx.showToast({ title: '已取消', icon: 'success' })
        await this.reload()
      } catch (err) {
        this.setData({ actionError: errorText(err, '取消失败，请重试') })
      } finally {
        this.setData({ busy: '' })
      }
    },
    onReschedule(e: WechatMiniprogram.CustomEvent) {
      const b = this.booking(e)
      if (!b) return
      void wx.navigateTo({
        url: `/pages/book/index?stationId=${encodeURIComponent(b.station.id)}&reschedule=${encodeURIComponent(b.id)}`,
      })
    },
    onNavigate(e: WechatMiniprogram.CustomEvent) {
      const b = this.booking(e)
      if (!b?.station.location) return undefined
      return wx
        .openLocation({
          latitude: b.station.location.latitude,
          longitude: b.station.location.longitude,
          name: b.station.name,
          address: b.station.address,
          scale: 16,
        })
        .catch(() => undefined)
    },
    onCall(e: WechatMiniprogram.CustomEvent) {
      const b = this.booking(e)
      if (!b?.station.hotline) return undefined
      return wx.makePhoneCall({ phoneNumber: dialable(b.station.hotline) }).catch(() => undefined)
    },
    onVisit() {
      void wx.navigateTo({ url: '/pages/visit/index' })
    },
    onBook() {
      void wx.navigateTo({ url: '/pages/book/index' })
    },
  },
})
