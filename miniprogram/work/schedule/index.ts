import type { ScheduleEditorView } from '../../../typings/api'
import type { OpeningPeriod } from '../../../typings/domain'
import { pageLoad } from '../../behaviors/page-load'
import { ApiCallError } from '../../services/api'
import { fetchScheduleEditor, saveSchedule } from '../../services/appointments'
import { shanghaiDay } from '../../utils/vocabulary'

type Kind = 'service' | 'leader'
const WEEKDAYS = ['一', '二', '三', '四', '五', '六', '日']
const SLOT_LENGTHS = [15, 20, 30, 45, 60, 90, 120]

/** "周一至周五 09:00-11:30 · 每 30 分钟 · 每段 5 人". */
function describe(p: OpeningPeriod): string {
  const days = [...p.weekdays].sort((a, b) => a - b)
  const run = days.every((d, i) => i === 0 || d === days[i - 1]! + 1)
  const dayText =
    run && days.length > 2
      ? `周${WEEKDAYS[days[0]! - 1]}至周${WEEKDAYS[days.at(-1)! - 1]}`
      : days.map((d) => `周${WEEKDAYS[d - 1]}`).join('、')
  return `${dayText} ${p.start}-${p.end} · 每 ${p.slotMinutes} 分钟 · 每段 ${p.capacity} 人`
}

/** What the editor shows of one kind of schedule, as saved. */
function editorState(view: ScheduleEditorView | null, kind: Kind) {
  const s = view ? view[kind] : null
  return {
    kind,
    periods: (s?.periods ?? []).map((p) => ({ ...p, text: describe(p) })),
    closed: (s?.exceptions ?? []).filter((e) => e.closed).map((e) => e.date),
    hostIndex: Math.max(0, view?.hosts.findIndex((h) => h.id === s?.hostAgentId) ?? 0),
    topic: s?.topic ?? '群众来访接待',
    formError: '',
  }
}

/**
 * 开放时段设置 for a station head: weekly periods (days, hours, slot length, places) and closed
 * dates, for 窗口预约 and 领导接待日. If the change drops booked appointments the server says how
 * many; the head confirms and the residents are told.
 */
Component({
  behaviors: [pageLoad],
  data: {
    view: null as ScheduleEditorView | null,
    kind: 'service' as Kind,
    periods: [] as (OpeningPeriod & { text: string })[],
    closed: [] as string[],
    hostIndex: 0,
    topic: '',
    weekdayChips: WEEKDAYS.map((label, i) => ({ day: i + 1, label, on: i < 5 })),
    draft: { start: '09:00', end: '11:30', slotIndex: 2, capacity: 5 },
    slotLengths: SLOT_LENGTHS.map((m) => `${m} 分钟`),
    saving: false,
    /** What stops an edit or a save, beside the 保存 button. */
    formError: '',
    today: '',
  },
  methods: {
    async fetchPage() {
      const view = await fetchScheduleEditor()
      return { view, today: shanghaiDay(Date.now()), ...editorState(view, this.data.kind) }
    },
    onKind(e: WechatMiniprogram.CustomEvent) {
      this.setData(editorState(this.data.view, e.currentTarget.dataset.kind as Kind))
    },
    onWeekday(e: WechatMiniprogram.CustomEvent) {
      const i = Number(e.currentTarget.dataset.index)
      this.setData({ [`weekdayChips[${i}].on`]: !this.data.weekdayChips[i]!.on })
    },
    onStart(e: WechatMiniprogram.CustomEvent) {
      this.setData({ 'draft.start': String(e.detail.value) })
    },
    onEnd(e: WechatMiniprogram.CustomEvent) {
      this.setData({ 'draft.end': String(e.detail.value) })
    },
    onSlotLength(e: WechatMiniprogram.CustomEvent) {
      this.setData({ 'draft.slotIndex': Number(e.detail.value) })
    },
    onCapacity(e: WechatMiniprogram.CustomEvent) {
      this.setData({ 'draft.capacity': Number(e.detail) })
    },
    onAddPeriod() {
      const weekdays = this.data.weekdayChips.filter((c) => c.on).map((c) => c.day)
      if (!weekdays.length) {
        this.setData({ formError: '请至少选择一天' })
        return
      }
      const { start, end, slotIndex, capacity } = this.data.draft
      const p: OpeningPeriod = { weekdays, start, end, slotMinutes: SLOT_LENGTHS[slotIndex]!, capacity }
      this.setData({ periods: this.data.periods.concat({ ...p, text: describe(p) }), formError: '' })
    },
    onRemovePeriod(e: WechatMiniprogram.CustomEvent) {
      const i = Number(e.currentTarget.dataset.index)
      this.setData({ periods: this.data.periods.filter((_, j) => j !== i) })
    },
    onAddClosed(e: WechatMiniprogram.CustomEvent) {
      const day = String(e.detail.value)
      if (this.data.closed.includes(day)) return
      this.setData({ closed: this.data.closed.concat(day).sort() })
    },
    onRemoveClosed(e: WechatMiniprogram.CustomEvent) {
      const day = String(e.currentTarget.dataset.day)
      this.setData({ closed: this.data.closed.filter((d) => d !== day) })
    },
    onHost(e: WechatMiniprogram.CustomEvent) {
      this.setData({ hostIndex: Number(e.detail.value) })
    },
    onTopic(e: WechatMiniprogram.CustomEvent) {
      this.setData({ topic: String(e.detail) })
    },
    async onSave(confirmAffected = false) {
      const view = this.data.view
      if (!view || this.data.saving) return
      const current = view[this.data.kind]
      // Special-hours exceptions made elsewhere are kept; closed dates come from this page.
      const kept = (current?.exceptions ?? []).filter((e) => !e.closed && !this.data.closed.includes(e.date))
      this.setData({ saving: true, formError: '' })
      try {
        const res = await saveSchedule({
          stationId: view.stationId,
          kind: this.data.kind,
          periods: this.data.periods.map(({ text: _text, ...p }) => p),
          exceptions: [...kept, ...this.data.closed.map((date) => ({ date, closed: true }))],
          ...(this.data.kind === 'leader'
            ? { hostAgentId: view.hosts[this.data.hostIndex]?.id, topic: this.data.topic }
            : {}),
          confirmAffected,
        })
        wx.showToast({
          title: res.cancelled ? `已保存，已取消 ${res.cancelled} 个预约并通知群众` : '已保存',
          icon: 'none',
        })
        await this.reload()
      } catch (err) {
        const e = err as ApiCallError
        if (e.code === 'CONFLICT' && !confirmAffected) {
          this.setData({ saving: false })
          const { confirm } = await wx.showModal({
            title: '会影响已有预约',
            content: e.message,
            confirmText: '确认调整',
          })
          if (confirm) await this.onSave(true)
          return
        }
        this.setData({ formError: e.message ?? '保存失败，请重试' })
      } finally {
        this.setData({ saving: false })
      }
    },
    onSaveTap() {
      return this.onSave(false)
    },
  },
})
