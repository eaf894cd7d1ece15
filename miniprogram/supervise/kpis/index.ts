import { errorText } from '../../services/api'
import { pageLoad } from '../../behaviors/page-load'
import { openDocumentAt } from '../../services/files'
import {
  cellsOf,
  exportKpis,
  fetchKpis,
  fetchKpiTrend,
  type KpiCell,
  type KpiKey,
  type KpiReport,
  type KpiTrend,
  type PeriodKind,
} from '../../services/supervise'
import { shanghaiDateTime } from '../../utils/vocabulary'
import { ELDERLY_CHART_TEXT, townshipOptions, trendOptions, type ChartOptions } from '../charts/options'

const KINDS: { kind: PeriodKind; label: string }[] = [
  { kind: 'month', label: '月度' },
  { kind: 'quarter', label: '季度' },
  { kind: 'half', label: '半年' },
  { kind: 'year', label: '年度' },
]

/** Short names for the rate chips above the township chart. */
const SHORT: Record<KpiKey, string> = {
  organization: '健全率',
  publication: '公开率',
  acceptance: '受理率',
  completion: '办结率',
  onTime: '兑现率',
  satisfaction: '满意率',
}

interface TownshipView {
  id: string
  name: string
  rank: string
  tied: boolean
  score: string
  defaults: number
  cells: KpiCell[]
  villages: { id: string; name: string; gaps: string; retired: boolean; defaults: number; cells: KpiCell[] }[]
}

/** A row's cells worth a line: those with something measured (no runs of "—(0/0)"). */
const measured = (cells: KpiCell[]) => cells.filter((c) => !c.empty)

/**
 * 六项指标 (supervisors): the district's six rates for a period, each coloured and worded against
 * the target admins set (a rate on a few cases is marked, not judged), the open overdue cases
 * beside 兑现率 with the way to 超期督办, a twelve-month trend and a township chart, and the
 * townships ranked on the case rates they all have; tap a township for its villages.
 */
Component({
  behaviors: [pageLoad],
  data: {
    kinds: KINDS,
    kind: 'month' as PeriodKind,
    /** The period asked for (null: the one containing today). */
    key: null as string | null,
    report: null as KpiReport | null,
    districtCells: [] as KpiCell[],
    overdueOpen: 0,
    rankedOn: '',
    townships: [] as TownshipView[],
    open: '',
    asOf: '',
    exporting: false,
    trend: null as KpiTrend | null,
    trendChart: {} as ChartOptions | Record<string, never>,
    chartKey: 'onTime' as KpiKey,
    chartKeys: (Object.keys(SHORT) as KpiKey[]).map((k) => ({ key: k, label: SHORT[k] })),
    townshipChart: {} as ChartOptions | Record<string, never>,
  },
  observers: {
    // 长辈模式 switched elsewhere and the page shown again: the charts follow without a reload.
    elderly() {
      const { report, trend, chartKey } = this.data
      if (!report || !trend) return
      this.setData({
        trendChart: trendOptions(trend, this.chartText()),
        townshipChart: townshipOptions(report, chartKey, this.chartText()),
      })
    },
  },
  methods: {
    async fetchPage(query: Record<string, string | undefined>) {
      // A link may name the period (?kind=month&key=2026-11); later the page's own choice rules.
      if (!this.data.report && query.key) this.setData({ kind: (query.kind ?? 'month') as PeriodKind })
      const key = this.data.key ?? (this.data.report ? undefined : query.key)
      // The trend does not depend on the period: read once, with the first report.
      const [report, trend] = await Promise.all([
        fetchKpis(this.data.kind, key),
        this.data.trend ? Promise.resolve(this.data.trend) : fetchKpiTrend(),
      ])
      return { ...this.shown(report), trend, trendChart: trendOptions(trend, this.chartText()) }
    },
    /** Chart text grows with the page's in 长辈模式. */
    chartText(): number {
      return this.data.elderly ? ELDERLY_CHART_TEXT : 1
    },
    shown(report: KpiReport) {
      const { labels, targets } = report
      const ranks = report.townships.map((t) => t.rank)
      return {
        report,
        key: report.period.key,
        asOf: shanghaiDateTime(report.asOf),
        districtCells: cellsOf(report.district, labels, targets),
        overdueOpen: report.district.counts.overdueOpen,
        rankedOn: report.rankedOn.map((k) => labels[k]).join('、'),
        townshipChart: townshipOptions(report, this.data.chartKey, this.chartText()),
        townships: report.townships.map((t) => ({
          id: t.id,
          name: t.name,
          rank: t.rank === null ? '—' : String(t.rank),
          // Equal scores share a rank: said, so 1, 1, 3 does not look like a mistake.
          tied: t.rank !== null && ranks.filter((r) => r === t.rank).length > 1,
          score: t.score === null ? '' : t.score.toFixed(1),
          defaults: t.counts.defaultRated,
          cells: measured(cellsOf(t, labels, targets)),
          villages: report.stations
            .filter((s) => s.id === t.id || s.parentId === t.id)
            .map((s) => ({
              id: s.id,
              name: s.name,
              gaps: s.gaps.join('、'),
              retired: !s.active,
              defaults: s.counts.defaultRated,
              cells: measured(cellsOf(s, labels, targets)),
            })),
        })),
      }
    },
    /** Another period (or kind): what was shown stays if it fails, with the error and 重新加载. */
    async show(kind: PeriodKind, key: string | null) {
      const before = { kind: this.data.kind, key: this.data.key }
      this.setData({ kind, key })
      await (this as unknown as { reload(): Promise<void> }).reload()
      if (this.data.error) this.setData(before)
    },
    onKind(e: WechatMiniprogram.CustomEvent) {
      return this.show(e.currentTarget.dataset.kind as PeriodKind, null)
    },
    onPrev() {
      return this.show(this.data.kind, this.data.report?.period.prev ?? null)
    },
    onNext() {
      return this.show(this.data.kind, this.data.report?.period.next ?? null)
    },
    onChartKey(e: WechatMiniprogram.CustomEvent) {
      const chartKey = e.currentTarget.dataset.key as KpiKey
      const report = this.data.report
      this.setData({
        chartKey,
        ...(report ? { townshipChart: townshipOptions(report, chartKey, this.chartText()) } : {}),
      })
    },
    onOverdue() {
      void wx.navigateTo({ url: '/supervise/overdue/index' })
    },
    /** 季度汇报 / 半年点评 / 年终考核 as a spreadsheet, opened in WeChat to forward or print. */
    async onExport() {
      const report = this.data.report
      if (!report || this.data.exporting) return
      this.setData({ exporting: true, error: '' })
      try {
        const { url } = await exportKpis(report.period.kind, report.period.key)
        await openDocumentAt(url, 'xlsx')
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
