import { pageLoad } from '../../behaviors/page-load'
import { callApi, errorText } from '../../services/api'
import { fetchRectifications, rectifyStep, type RectificationView } from '../../services/rectify'
import { loadMore } from '../../utils/paging'

/**
 * 差评整改 for the station head (supervisors see every station, read only): each 差评 with its
 * due day, the steps so far, and the next step — 核实, 整改或说明, 回访 — to record.
 */
Component({
  behaviors: [pageLoad],
  data: {
    scope: 'open' as 'open' | 'all',
    list: [] as RectificationView[],
    total: 0,
    nextCursor: null as string | null,
    loadingMore: false,
    /** Only the head records steps; asked once, not on every reload. */
    canAct: null as boolean | null,
    notes: {} as Record<string, string>,
    outcomes: {} as Record<string, 'fixed' | 'explained'>,
    busy: '',
    /** A step that was refused, said under that case's button. */
    stepError: { caseId: '', text: '' },
  },
  methods: {
    async fetchPage() {
      const [canAct, r] = await Promise.all([
        this.data.canAct ??
          callApi('me.profile', {}).then(
            (me) => me.agent?.role === 'head',
            () => false,
          ),
        fetchRectifications(this.data.scope),
      ])
      return { canAct, list: r.list, total: r.total, nextCursor: r.nextCursor }
    },
    onReachBottom() {
      return this.loadMore()
    },
    /** 加载更多: the next page, due later. */
    async loadMore() {
      await loadMore(
        this,
        (cursor) => fetchRectifications(this.data.scope, cursor),
        (r) => ({ list: [...this.data.list, ...r.list], total: r.total, nextCursor: r.nextCursor }),
      )
    },
    onScope(e: WechatMiniprogram.CustomEvent) {
      this.setData({ scope: e.currentTarget.dataset.scope as 'open' | 'all' })
      return this.reload()
    },
    onNote(e: WechatMiniprogram.CustomEvent) {
      this.setData({ [`notes.${String(e.currentTarget.dataset.id)}`]: String(e.detail) })
    },
    onOutcome(e: WechatMiniprogram.CustomEvent) {
      const id = String(e.currentTarget.dataset.id)
      this.setData({ [`outcomes.${id}`]: e.currentTarget.dataset.outcome as 'fixed' | 'explained' })
    },
    async onStep(e: WechatMiniprogram.CustomEvent) {
      const caseId = String(e.currentTarget.dataset.id)
      const task = this.data.list.find((r) => r.caseId === caseId)
      if (!task?.nextStep || this.data.busy) return
      this.setData({ busy: caseId, stepError: { caseId: '', text: '' } })
      try {
        await rectifyStep({
          caseId,
          step: task.nextStep,
          note: this.data.notes[caseId] ?? '',
          ...(task.nextStep === 'fix' && this.data.outcomes[caseId]
            ? { outcome: this.data.outcomes[caseId] }
            : {}),
        })
        this.setData({ [`notes.${caseId}`]: '' })
        await this.reload()
      } catch (err) {
        this.setData({ stepError: { caseId, text: errorText(err, '提交失败，请重试') } })
      } finally {
        this.setData({ busy: '' })
      }
    },
  },
})
