import { errorText } from '../../services/api'
import {
  cellsOf,
  exportKpis,
  fetchKpis,
  type KpiCell,
  type KpiReport,
  type PeriodKind,
} from '../../services/supervise'
import { shanghaiDateTime } from '../../utils/vocabulary'

const KINDS: { kind: PeriodKind; label: string }[] = [
  { kind: 'month', label: '月度' },
  { kind: 'quarter', label: '季度' },
  { kind: 'half', label: '半年' },
  { kind: 'year', label: '年度' },
]

interface TownshipView {
  id: string
  name: string
  rank: number | null
  score: string
  defaults: number
  cells: KpiCell[]
  villages: { id: string; name: string; gaps: string; retired: boolean; defaults: number; cells: KpiCell[] }[]
}

/**
 * 六项指标 (supervisors): the district's six rates for a period with the numbers behind them,
 * default ratings shown apart, and the townships ranked; tap a township for its villages.
 */
Component({
  data: {
    kinds: KINDS,
    kind: 'month' as PeriodKind,
    report: null as KpiReport | null,
    districtCells: [] as KpiCell[],
    rankedOn: '',
    townships: [] as TownshipView[],
    open: '',
    asOf: '',
    loading: true,
    exporting: false,
    error: '',
  },
  methods: {
    onLoad() {
      return this.load()
    },
    async onPullDownRefresh() {
      await this.load(this.data.report?.period.key)
      wx.stopPullDownRefresh()
    },
    async load(key?: string) {
      this.setData({ loading: true, error: '' })
      try {
        const report = await fetchKpis(this.data.kind, key)
        const labels = report.labels
        this.setData({
          report,
          asOf: shanghaiDateTime(report.asOf),
          districtCells: cellsOf(report.district, labels),
          rankedOn: report.rankedOn.map((k) => labels[k]).join('、'),
          townships: report.townships.map((t) => ({
            id: t.id,
            name: t.name,
            rank: t.rank,
            score: t.score === null ? '—' : t.score.toFixed(1),
            defaults: t.counts.defaultRated,
            cells: cellsOf(t, labels),
            villages: report.stations
              .filter((s) => s.id === t.id || s.parentId === t.id)
              .map((s) => ({
                id: s.id,
                name: s.name,
                gaps: s.gaps.join('、'),
                retired: !s.active,
                defaults: s.counts.defaultRated,
                cells: cellsOf(s, labels),
              })),
          })),
        })
      } catch (err) {
        this.setData({ error: errorText(err, '加载失败，请重试') })
      } finally {
        this.setData({ loading: false })
      }
    },
    reload() {
      return this.load(this.data.report?.period.key)
    },
    async onKind(e: WechatMiniprogram.CustomEvent) {
      const previous = this.data.kind
      this.setData({ kind: e.currentTarget.dataset.kind as PeriodKind })
      await this.load()
      // Keep the tabs and the shown period in step when the switch failed.
      if (this.data.error) this.setData({ kind: previous })
    },
    onPrev() {
      return this.load(this.data.report?.period.prev)
    },
    onNext() {
      return this.load(this.data.report?.period.next)
    },
    /** 季度汇报 / 半年点评 / 年终考核 as a spreadsheet, opened in WeChat to forward or print. */
    async onExport() {
      const report = this.data.report
      if (!report || this.data.exporting) return
      this.setData({ exporting: true, error: '' })
      try {
        const { url } = await exportKpis(report.period.kind, report.period.key)
        // downloadFile returns a task, not a promise: wrap its callbacks.
        const file = await new Promise<WechatMiniprogram.DownloadFileSuccessCallbackResult>(
          (resolve, reject) => wx.downloadFile({ url, success: resolve, fail: reject }),
        )
        // An error page must not be opened as a spreadsheet.
        if (file.statusCode !== 200) throw new Error(`download ${file.statusCode}`)
        await wx.openDocument({ filePath: file.tempFilePath, fileType: 'xlsx', showMenu: true })
      } catch (err) {
        this.setData({ error: errorText(err, '导出失败，请重试') })
      } finally {
        this.setData({ exporting: false })
      }
    },
    onToggle(e: WechatMiniprogram.CustomEvent) {
      const id = String(e.currentTarget.dataset.id)
      this.setData({ open: this.data.open === id ? '' : id })
    },
  },
})
