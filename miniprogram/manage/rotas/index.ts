import { pageLoad } from '../../behaviors/page-load'
import { errorText } from '../../services/api'
import { rota, saveRota, type RotaView, myStationId } from '../../services/manage'

const DAYS = ['1', '2', '3', '4', '5', '6', '7']
const DAY_LABELS = ['一', '二', '三', '四', '五', '六', '日']

interface Row {
  id: string
  name: string
  cells: { day: string; on: boolean }[]
}

/**
 * 值班 / 轮流坐班 on a week grid (admins; a head for their own station): one row per person, one
 * column per weekday; tap a cell to put them on or off duty that day, then save.
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
  },
  methods: {
    async fetchPage(query: Record<string, string | undefined>) {
      // Without a station named, a head sees their own station (admins: theirs, until they pick one).
      this.setData({ stationId: query.stationId ?? (await myStationId()) })
      await this.load()
      return {}
    },
    async load() {
      try {
        const view = await rota(this.data.stationId)
        const rows = view.agents.map((a) => ({
          id: a.id,
          name: a.name,
          cells: DAYS.map((day) => ({ day, on: (view.weekly[day] ?? []).includes(a.id) })),
        }))
        this.setData({ view, rows, stationName: view.stationName, dirty: false, error: '' })
      } catch (err) {
        this.setData({ error: errorText(err, '加载失败，请重试') })
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
          receptionDays: view.receptionDays,
        })
        this.setData({ dirty: false, message: '已保存' })
      } catch (err) {
        this.setData({ error: errorText(err, '保存失败，请重试') })
      } finally {
        this.setData({ saving: false })
      }
    },
  },
})
