import { askForNotices, prepareNotices } from '../../services/notify'
import { errorText } from '../../services/api'
import { isElderlyMode } from '../../services/settings'
import {
  complaintContact,
  fetchComplaints,
  replyComplaint,
  type ComplaintView,
} from '../../services/complaints'
import { dialable } from '../../utils/phone'
import { loadMore } from '../../utils/paging'

/** 群众投诉 (supervisors): open complaints first, answered once with a notice to the resident. */
Component({
  data: {
    status: 'open' as 'open' | 'replied',
    list: [] as ComplaintView[],
    open: 0,
    /** Complaints of the chosen status in all, and where the next page starts. */
    total: 0,
    nextCursor: null as string | null,
    loadingMore: false,
    replies: {} as Record<string, string>,
    busy: '',
    loading: true,
    error: '',
    elderly: false,
  },
  methods: {
    onLoad() {
      this.setData({ elderly: isElderlyMode() })
      void prepareNotices('supervise')
      return this.reload()
    },
    async onPullDownRefresh() {
      await this.reload()
      wx.stopPullDownRefresh()
    },
    async reload() {
      this.setData({ loading: true, error: '' })
      try {
        const r = await fetchComplaints(this.data.status)
        this.setData({ list: r.list, open: r.open, total: r.total, nextCursor: r.nextCursor })
      } catch (err) {
        this.setData({ error: errorText(err, '加载失败，请重试') })
      } finally {
        this.setData({ loading: false })
      }
    },
    onReachBottom() {
      return this.loadMore()
    },
    /** 加载更多: the next page after the last complaint shown. */
    async loadMore() {
      await loadMore(
        this,
        (cursor) => fetchComplaints(this.data.status, cursor),
        (r) => ({
          list: [...this.data.list, ...r.list],
          open: r.open,
          total: r.total,
          nextCursor: r.nextCursor,
        }),
      )
    },
    onStatus(e: WechatMiniprogram.CustomEvent) {
      this.setData({ status: e.currentTarget.dataset.status as 'open' | 'replied' })
      return this.reload()
    },
    onReplyInput(e: WechatMiniprogram.CustomEvent) {
      this.setData({ [`replies.${String(e.currentTarget.dataset.id)}`]: String(e.detail) })
    },
    async onCall(e: WechatMiniprogram.CustomEvent) {
      try {
        const { phone } = await complaintContact(String(e.currentTarget.dataset.id))
        await wx.makePhoneCall({ phoneNumber: dialable(phone) }).catch(() => undefined)
      } catch (err) {
        this.setData({ error: errorText(err, '获取电话失败，请重试') })
      }
    },
    async onReply(e: WechatMiniprogram.CustomEvent) {
      const id = String(e.currentTarget.dataset.id)
      if (this.data.busy) return
      this.setData({ busy: id, error: '' })
      await askForNotices('supervise')
      try {
        await replyComplaint(id, this.data.replies[id] ?? '')
        wx.showToast({ title: '已答复，已通知群众', icon: 'none' })
        await this.reload()
      } catch (err) {
        this.setData({ error: errorText(err, '答复失败，请重试') })
      } finally {
        this.setData({ busy: '' })
      }
    },
  },
})
