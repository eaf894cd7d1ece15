import { pageLoad } from '../../behaviors/page-load'
import { fetchMyMessages, type MyMessages } from '../../services/notify'

/** 我的消息: the notifications addressed to me and whether they went out. */
Component({
  behaviors: [pageLoad],
  data: { list: [] as MyMessages['list'] },
  methods: {
    async fetchPage() {
      return { list: (await fetchMyMessages()).list }
    },
    onOpen(e: WechatMiniprogram.TouchEvent) {
      return wx.navigateTo({
        url: `/pages/case/index?id=${encodeURIComponent(String(e.currentTarget.dataset.case))}`,
      })
    },
  },
})
