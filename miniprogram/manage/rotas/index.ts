import { pageLoad } from '../../behaviors/page-load'
import { ApiCallError, errorText } from '../../services/api'
import {
  rota,
  saveRota,
  saveSchedule,
  schedules,
  stationOf,
  type RotaView,
  type ScheduleEditor,
  type ScheduleInput,
} from '../../services/manage'
import { shanghaiDay } from '../../utils/vocabulary'
import { sectionError } from '../form'

const DAYS = ['1', '2', '3', '4', '5', '6', '7']
const DAY_LABELS = ['一', '二', '三', '四', '五', '六', '日']

type Period = ScheduleInput['periods'][number]
type Exception = NonNullable<ScheduleInput['exceptions']>[number]

interface Row {
  id: string
  name: string
  cells: { day: string; on: boolean }[]
}

/** 周三 09:00-11:30 — one line per period, as the list shows it. */
const periodText = (p: Period) =>
  `${p.weekdays.map((d) => `周${DAY_LABELS[d - 1] ?? ''}`).join('、')} ${p.start}-${p.end}`

/** 2026-12-09 休息, or 2026-12-10 14:00-16:00. */
const exceptionText = (e: Exception) =>
  `${e.date} ${e.closed || !e.periods?.length ? '休息' : e.periods.map((p) => `${p.start}-${p.end}`).join('、')}`

/**
 * 值班 / 轮流坐班 on a week grid (admins; a head for their own station): one row per person, one
 * column per weekday; tap a cell to put them on or off duty that day, then save. Below it the
 * station's 领导接待日 (who receives, which weekdays, what hours: bookable, and published on the
 * station page) and its special dates (a date closed, or open at other hours), saved through the
 * schedule editor's action.
 */
Component({
  behaviors: [pageLoad],
  data: {
    stationId: '',
    stationName: '',
    dayLabels: DAY_LABELS,
    rows: [] as Row[],
    view: null as RotaView | null,
    dirty: false,
    saving: false,
    message: '',
    error: '',
    /** 领导接待日. */
    sched: null as ScheduleEditor | null,
    hostIndex: -1,
    topic: '',
    leaderPeriods: [] as (Period & { text: string })[],
    leaderDraft: { weekday: 3, start: '09:00', end: '11:30' },
    leaderError: '',
    leaderDirty: false,
    /** 特殊日期 of the window service. */
    exceptions: [] as (Exception & { text: string })[],
    exDraft: { date: '', closed: true, start: '14:00', end: '16:00' },
    exError: '',
    exDirty: false,
    today: '',
  },
  methods: {
    async fetchPage(query: Record<string, string | undefined>) {
      if (!this.data.stationId) this.setData({ stationId: await stationOf(query) })
      this.setData({ today: shanghaiDay(Date.now()) })
      const [view, sched] = await Promise.all([rota(this.data.stationId), schedules(this.data.stationId)])
      const rows = view.agents.map((a) => ({
        id: a.id,
        name: a.name,
        cells: DAYS.map((day) => ({ day, on: (view.weekly[day] ?? []).includes(a.id) })),
      }))
      const leader = sched.leader
      // A section with edits not yet saved keeps them: saving the leader's days re-reads the
      // page, and must not silently drop duty-grid taps (or the other way round).
      const { dirty, leaderDirty, exDirty } = this.data
      return {
        view,
        stationName: view.stationName,
        error: '',
        sched,
        ...(dirty ? {} : { rows, dirty: false }),
        ...(leaderDirty
          ? {}
          : {
              hostIndex: leader?.hostAgentId ? sched.hosts.findIndex((h) => h.id === leader.hostAgentId) : -1,
              topic: leader?.topic ?? '群众来访接待',
              leaderPeriods: (leader?.periods ?? []).map((p) => ({ ...p, text: periodText(p) })),
              leaderError: '',
            }),
        ...(exDirty
          ? {}
          : {
              exceptions: (sched.service?.exceptions ?? [])
                .filter((e) => e.date >= this.data.today)
                .map((e) => ({ ...e, text: exceptionText(e) })),
              exError: '',
            }),
      }
    },
    onGo(e: WechatMiniprogram.CustomEvent) {
      void wx.navigateTo({ url: `${String(e.currentTarget.dataset.url)}?stationId=${this.data.stationId}` })
    },
    onToggle(e: WechatMiniprogram.CustomEvent) {
      const r = Number(e.currentTarget.dataset.row)
      const c = Number(e.currentTarget.dataset.col)
      this.setData({
        [`rows[${r}].cells[${c}].on`]: !this.data.rows[r]!.cells[c]!.on,
        dirty: true,
        message: '',
      })
    },
    async onSave() {
      const view = this.data.view
      if (!view || this.data.saving) return
      const weekly = Object.fromEntries(
        DAYS.map((day, c) => [day, this.data.rows.filter((r) => r.cells[c]!.on).map((r) => r.id)]),
      )
      this.setData({ saving: true, error: '' })
      try {
        await saveRota({
          stationId: view.stationId,
          weekly,
          overrides: view.overrides,
        })
        this.setData({ dirty: false, message: '已保存' })
      } catch (err) {
        this.setData({ error: errorText(err, '保存失败，请重试') })
      } finally {
        this.setData({ saving: false })
      }
    },

    // ---- 领导接待日 ----------------------------------------------------------------------------
    onHost(e: WechatMiniprogram.CustomEvent) {
      this.setData({ hostIndex: Number(e.detail.value), leaderDirty: true, leaderError: '' })
    },
    onTopic(e: WechatMiniprogram.CustomEvent) {
      this.setData({ topic: String(e.detail ?? ''), leaderDirty: true })
    },
    onLeaderDay(e: WechatMiniprogram.CustomEvent) {
      this.setData({ 'leaderDraft.weekday': Number(e.currentTarget.dataset.day) })
    },
    onLeaderTime(e: WechatMiniprogram.CustomEvent) {
      this.setData({ [`leaderDraft.${String(e.currentTarget.dataset.key)}`]: String(e.detail.value) })
    },
    onAddLeader() {
      const d = this.data.leaderDraft
      const like = this.data.leaderPeriods[0]
      const p: Period = {
        weekdays: [d.weekday],
        start: d.start,
        end: d.end,
        // 20-30 minute talks, two residents each, unless the station already chose otherwise.
        slotMinutes: like?.slotMinutes ?? 30,
        capacity: like?.capacity ?? 2,
      }
      this.setData({
        leaderPeriods: [...this.data.leaderPeriods, { ...p, text: periodText(p) }],
        leaderDirty: true,
        leaderError: '',
      })
    },
    onRemoveLeader(e: WechatMiniprogram.CustomEvent) {
      const i = Number(e.currentTarget.dataset.index)
      this.setData({
        leaderPeriods: this.data.leaderPeriods.filter((_, k) => k !== i),
        leaderDirty: true,
        leaderError: '',
      })
    },
    async onSaveLeader() {
      const sched = this.data.sched
      if (!sched || this.data.saving) return
      const host = sched.hosts[this.data.hostIndex]
      await this.saveKind(
        {
          stationId: sched.stationId,
          kind: 'leader',
          ...(host ? { hostAgentId: host.id } : {}),
          topic: this.data.topic,
          periods: this.data.leaderPeriods.map(({ text: _t, ...p }) => p),
          exceptions: sched.leader?.exceptions ?? [],
        },
        'leaderError',
        '领导接待日已保存，服务站页面同步公示',
      )
    },

    // ---- 特殊日期 --------------------------------------------------------------------------------
    onExDate(e: WechatMiniprogram.CustomEvent) {
      this.setData({ 'exDraft.date': String(e.detail.value), exError: '' })
    },
    onExClosed(e: WechatMiniprogram.CustomEvent) {
      this.setData({
        'exDraft.closed':
          e.currentTarget.dataset.closed === true || e.currentTarget.dataset.closed === 'true',
      })
    },
    onExTime(e: WechatMiniprogram.CustomEvent) {
      this.setData({ [`exDraft.${String(e.currentTarget.dataset.key)}`]: String(e.detail.value) })
    },
    onAddException() {
      const d = this.data.exDraft
      if (!d.date) {
        this.setData({ exError: '请先选择日期' })
        return
      }
      const like = this.data.sched?.service?.periods[0]
      const ex: Exception = d.closed
        ? { date: d.date, closed: true }
        : {
            date: d.date,
            periods: [
              {
                weekdays: [],
                start: d.start,
                end: d.end,
                slotMinutes: like?.slotMinutes ?? 30,
                capacity: like?.capacity ?? 3,
              },
            ],
          }
      // One entry per date: a new choice for a date replaces the old one.
      const rest = this.data.exceptions.filter((x) => x.date !== d.date)
      this.setData({
        exceptions: [...rest, { ...ex, text: exceptionText(ex) }].sort((a, b) =>
          a.date.localeCompare(b.date),
        ),
        exDirty: true,
        exError: '',
      })
    },
    onRemoveException(e: WechatMiniprogram.CustomEvent) {
      const date = String(e.currentTarget.dataset.date)
      this.setData({ exceptions: this.data.exceptions.filter((x) => x.date !== date), exDirty: true })
    },
    async onSaveExceptions() {
      const sched = this.data.sched
      if (!sched || this.data.saving) return
      // Past dates are kept as they were; the page shows and edits today onwards.
      const past = (sched.service?.exceptions ?? []).filter((e) => e.date < this.data.today)
      await this.saveKind(
        {
          stationId: sched.stationId,
          kind: 'service',
          periods: sched.service?.periods ?? [],
          exceptions: [...past, ...this.data.exceptions.map(({ text: _t, ...e }) => e)],
        },
        'exError',
        '特殊日期已保存',
      )
    },

    /**
     * Saves one schedule. When the change would drop booked appointments the server answers
     * CONFLICT with how many: the manager confirms, and those residents are told.
     */
    async saveKind(input: ScheduleInput, errorKey: 'leaderError' | 'exError', done: string) {
      this.setData({ saving: true, [errorKey]: '', message: '' })
      try {
        try {
          await saveSchedule(input)
        } catch (err) {
          if (!(err instanceof ApiCallError) || err.code !== 'CONFLICT') throw err
          const { confirm } = await wx.showModal({
            title: '有群众已预约',
            content: err.message,
            confirmText: '确认调整',
          })
          if (!confirm) return
          const r = await saveSchedule({ ...input, confirmAffected: true })
          done = `${done}，已取消 ${r.cancelled} 个预约并通知群众`
        }
        // What was just saved is read back; the other sections keep their unsaved edits.
        this.setData({ [errorKey === 'leaderError' ? 'leaderDirty' : 'exDirty']: false })
        await this.reload()
        this.setData({ message: done })
      } catch (err) {
        this.setData({ [errorKey]: sectionError(err, '保存失败，请重试') })
      } finally {
        this.setData({ saving: false })
      }
    },
  },
})
