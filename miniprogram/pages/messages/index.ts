import { pageLoad } from '../../behaviors/page-load'
import { fetchMyMessages } from '../../services/notify'
import { plainDates, whenLabel } from '../../utils/dates'
import { NOTICE_TITLES } from '../../utils/vocabulary'

/**
 * 我的消息: the notices addressed to me, newest first — what happened in plain words, the
 * details the WeChat message carried (dates as the rest of the app writes them), when, and
 * whether it reached WeChat (a notice not subscribed to is still shown here).
 */
Component({
  behaviors: [pageLoad],
  data: {
    list: [] as {
      id: string
      caseId: string
      title: string
      text: string
      when: string
      statusLabel: string
    }[],
  },
  methods: {
    async fetchPage() {
      const { list } = await fetchMyMessages()
      return {
        list: list.map((m) => ({
          id: m.id,
          caseId: m.caseId,
          title: NOTICE_TITLES[m.event] ?? '通知',
          text: plainDates(m.text),
          when: whenLabel(m.at),
          statusLabel: m.statusLabel,
        })),
      }
    },
    onOpen(e: WechatMiniprogram.TouchEvent) {
      const id = String(e.currentTarget.dataset.case ?? '')
      // Notices about a station or the calendar belong to no case.
      if (!id) return
      return wx.navigateTo({ url: `/pages/case/index?id=${encodeURIComponent(id)}` })
    },
  },
})
