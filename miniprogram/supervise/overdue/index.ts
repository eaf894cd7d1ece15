import { askForNotices, prepareNotices } from '../../services/notify'
import type { Actions } from '../../../typings/api'
import { pageLoad } from '../../behaviors/page-load'
import { ApiCallError, callApi } from '../../services/api'
import { loadMore } from '../../utils/paging'

type Overdue = Actions['supervise.overdue']['out']

/**
 * 超期督办 (supervisors): overdue cases by station, worst first, each with the agent who must act
 * and its own 督办意见 field and button; the answer shows under that case.
 */
Component({
  behaviors: [pageLoad],
  data: {
    today: '',
    total: 0,
    stations: [] as Overdue['stations'],
    cases: [] as Overdue['cases'],
    /** Where the next page of cases starts (the total and stations already cover them all). */
    nextCursor: null as string | null,
    loadingMore: false,
    /** 督办意见 per case, typed beside its button. */
    notes: {} as Record<string, string>,
    /** The answer to the last 督办 of a case, shown under it. */
    results: {} as Record<string, { text: string; ok: boolean }>,
    urging: '',
  },
  lifetimes: {
    attached() {
      void prepareNotices('supervise')
    },
  },
  methods: {
    async fetchPage() {
      const r = await callApi('supervise.overdue', {})
      return {
        today: r.today,
        total: r.total,
        stations: r.stations,
        cases: r.cases,
        nextCursor: r.nextCursor,
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
    onNote(e: WechatMiniprogram.CustomEvent) {
      this.setData({ [`notes.${String(e.currentTarget.dataset.id)}`]: String(e.detail ?? '') })
    },
    async onUrge(e: WechatMiniprogram.CustomEvent) {
      const caseId = String(e.currentTarget.dataset.id)
      const version = Number(e.currentTarget.dataset.version)
      if (this.data.urging) return
      await askForNotices('supervise')
      this.setData({ urging: caseId })
      try {
        const done = await callApi('supervise.urge', { caseId, version, note: this.data.notes[caseId] ?? '' })
        // The case stays listed (still overdue) with its new version; the opinion is on its timeline.
        this.setData({
          cases: this.data.cases.map((c) => (c.caseId === caseId ? { ...c, version: done.version } : c)),
          [`notes.${caseId}`]: '',
          [`results.${caseId}`]: { text: '已督办，意见已记入办理经过', ok: true },
        })
      } catch (err) {
        const x = err as ApiCallError
        this.setData({
          [`results.${caseId}`]: {
            text: x.fields ? Object.values(x.fields).join('；') : x.message,
            ok: false,
          },
        })
      } finally {
        this.setData({ urging: '' })
      }
    },
  },
})
