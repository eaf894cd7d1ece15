import { askForNotices, prepareNotices } from '../../services/notify'
import type { Actions } from '../../../typings/api'
import { ApiCallError, callApi, errorText } from '../../services/api'
import { loadMore } from '../../utils/paging'

type Overdue = Actions['supervise.overdue']['out']

/** 超期督办 (supervisors): overdue cases by station, worst first; 督办 with an instruction. */
Component({
  data: {
    today: '',
    total: 0,
    stations: [] as Overdue['stations'],
    cases: [] as Overdue['cases'],
    /** Where the next page of cases starts (the total and stations already cover them all). */
    nextCursor: null as string | null,
    loadingMore: false,
    note: '',
    message: '',
    loading: true,
    error: '',
  },
  methods: {
    onLoad() {
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
        const r = await callApi('supervise.overdue', {})
        this.setData({
          today: r.today,
          total: r.total,
          stations: r.stations,
          cases: r.cases,
          nextCursor: r.nextCursor,
        })
      } catch (err) {
        this.setData({ error: errorText(err, '加载失败，请重试') })
      } finally {
        this.setData({ loading: false })
      }
    },
    onReachBottom() {
      return this.loadMore()
    },
    /** 加载更多: the next, less overdue, cases. */
    async loadMore() {
      await loadMore(
        this,
        (cursor) => callApi('supervise.overdue', { cursor }),
        (r) => ({ cases: [...this.data.cases, ...r.cases], total: r.total, nextCursor: r.nextCursor }),
      )
    },
    onNote(e: { detail: string }) {
      this.setData({ note: e.detail })
    },
    async onUrge(e: WechatMiniprogram.CustomEvent) {
      const caseId = String(e.currentTarget.dataset.id)
      const version = Number(e.currentTarget.dataset.version)
      await askForNotices('supervise')
      try {
        await callApi('supervise.urge', { caseId, version, note: this.data.note })
        this.setData({ message: '已督办，意见已记入办理经过' })
        await this.reload()
      } catch (err) {
        const x = err as ApiCallError
        this.setData({ message: x.fields ? Object.values(x.fields).join('；') : x.message })
      }
    },
  },
})
