import { errorText } from '../../services/api'
import { fetchMyMessages, type MyMessages } from '../../services/notify'

/** 我的消息: the notifications addressed to me and whether they went out. */
Component({
  data: { list: [] as MyMessages['list'], loading: true, error: '' },
  methods: {
    onLoad() {
      return this.reload()
    },
    async onPullDownRefresh() {
      await this.reload()
      wx.stopPullDownRefresh()
    },
    async reload() {
      this.setData({ loading: true, error: '' })
      try {
        this.setData({ list: (await fetchMyMessages()).list })
      } catch (err) {
        this.setData({ error: errorText(err, '加载失败，请重试') })
      } finally {
        this.setData({ loading: false })
      }
    },
    onOpen(e: WechatMiniprogram.TouchEvent) {
      return wx.navigateTo({
        url: `/pages/case/index?id=${encodeURIComponent(String(e.currentTarget.dataset.case))}`,
      })
    },
  },
})
