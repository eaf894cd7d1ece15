/**
 * The options uCharts draws 六项指标's two charts from, built from the server's figures. Pure (no
 * wx, no canvas): the page tests check them, since canvas draws nothing there.
 */
import type { KpiReport, KpiTrend } from '../../../typings/api'
import type { KpiKey, KpiTone } from '../../../typings/domain'

/** The colours of a judgement (same as the rate cards) and of the four trend lines. */
export const TONE_COLORS: Readonly<Record<KpiTone, string>> = {
  good: '#1b7f3b',
  near: '#b26a00',
  bad: '#c8161d',
  small: '#8c8c8c',
  none: '#c8c9cc',
}
const LINE_COLORS = ['#1f5fbf', '#1b7f3b', '#c8161d', '#7a4fb3']

/** What uCharts needs besides the canvas (context, size and pixel ratio are added when drawn). */
export interface ChartOptions {
  type: 'line' | 'column'
  categories: string[]
  series: {
    name: string
    data: (number | null | { value: number | null; color: string })[]
    color?: string
    /** Values shown above each point/bar (bar chart). */
    textColor?: string
  }[]
  yAxis: { data: { min: number; max: number; unit?: string }[]; gridType: 'dash'; splitNumber: number }
  xAxis: { disableGrid: boolean; fontSize?: number; rotateLabel?: boolean; labelCount?: number }
  legend: { show: boolean; position?: 'top' | 'bottom'; fontSize?: number; lineHeight?: number }
  dataLabel: boolean
  padding: number[]
  fontSize: number
  extra: Record<string, unknown>
  /** For the page and the screenshots: what the chart says, in words (read by screen readers too). */
  summary: string
}

/** Chart text in 长辈模式: axis labels 11 → 15 px, the legend 12 → 16 (the page's text grows alike). */
export const ELDERLY_CHART_TEXT = 1.36

const px = (size: number, text: number) => Math.round(size * text)

/** A rate as a percentage with one decimal, or null when there is nothing to measure. */
export const pct = (r: { rate: number | null; denominator: number }): number | null =>
  r.rate === null || !r.denominator ? null : Math.round(r.rate * 1000) / 10

/** A y-axis floor that keeps lines near the top readable: 10 below the lowest value or target. */
function floorOf(values: number[]): number {
  if (!values.length) return 0
  const low = Math.min(...values)
  return Math.max(0, Math.min(80, Math.floor((low - 10) / 10) * 10))
}

/** Dashed target lines: one per distinct target among the keys shown. */
function targetLines(targets: number[]): { type: 'dash'; data: object[] } {
  return {
    type: 'dash',
    data: [...new Set(targets)].map((t) => ({
      value: t,
      lineColor: '#b26a00',
      // A label on the line hides axis values or is cut at the edge: the summary names the target.
      showLabel: false,
    })),
  }
}

/**
 * 近 12 个月趋势 (full months): one line per case rate; a month with no cases is a gap, never 0%
 * or 100%; the targets as dashed lines.
 */
export function trendOptions(trend: KpiTrend, text = 1): ChartOptions {
  const keys = Object.keys(trend.labels) as (keyof KpiTrend['labels'])[]
  const series = keys.map((k, i) => ({
    name: trend.labels[k].replace(/^(申请事项|代理事项|承诺期限|群众评价)/, ''),
    data: trend.months.map((m) => pct(m.rates[k])),
    color: LINE_COLORS[i % LINE_COLORS.length]!,
  }))
  const values = series.flatMap((s) => s.data.filter((v): v is number => v !== null))
  const targets = keys.map((k) => trend.targets[k])
  const measured = trend.months.filter((m) => keys.some((k) => m.rates[k].denominator > 0)).length
  return {
    type: 'line',
    categories: trend.months.map((m) => m.label),
    series,
    yAxis: {
      data: [{ min: floorOf([...values, ...targets]), max: 100, unit: '%' }],
      gridType: 'dash',
      splitNumber: 4,
    },
    // Every other month named (every third with large text): twelve labels run into each other.
    xAxis: { disableGrid: true, fontSize: px(11, text), labelCount: text > 1 ? 4 : 6 },
    // A legend on two rows (large text) needs air between them.
    legend: { show: true, position: 'top', fontSize: px(12, text), lineHeight: px(18, text) },
    dataLabel: false,
    padding: [12, 16, 8, 4],
    fontSize: px(11, text),
    extra: { line: { type: 'straight', width: 2, activeType: 'hollow' }, markLine: targetLines(targets) },
    summary: measured
      ? `近 12 个月中有 ${measured} 个月有办件；${series
          .map((s) => {
            const last = [...s.data].reverse().find((v) => v !== null)
            return `${s.name}最近 ${last === undefined || last === null ? '—' : `${last}%`}`
          })
          .join('，')}（虚线为目标 ${[...new Set(targets)].join('%、')}%）`
      : '近 12 个月没有办件，暂无趋势',
  }
}

/**
 * 乡镇对比: one bar per township for the chosen rate, coloured by its judgement against the
 * target (grey for a small sample or nothing measured), the target as a dashed line.
 */
export function townshipOptions(report: KpiReport, key: KpiKey, text = 1): ChartOptions {
  const rows = report.townships
  const target = report.targets[key]
  // No data is no bar (null), not a bar of 0.
  const data = rows.map((t) => ({
    value: pct(t.rates[key]),
    color: TONE_COLORS[t.tones?.[key] ?? 'none'],
  }))
  const shown = rows.filter((t) => pct(t.rates[key]) !== null).length
  const label = report.labels[key]
  return {
    type: 'column',
    // Short names with the value fit under a bar (青山镇为民服务站 → 青山镇 95%); a label on top
    // of an empty bar would read "null" or "0".
    categories: rows.map((t) => {
      const v = pct(t.rates[key])
      return `${t.name.replace(/为民服务(中心|站|室)$/, '')} ${v === null ? '—' : `${v}%`}`
    }),
    series: [{ name: label, data, textColor: '#323233' }],
    // Bars start at 0: a bar cut off at 80% would overstate the differences.
    yAxis: {
      data: [{ min: 0, max: 100, unit: '%' }],
      gridType: 'dash',
      splitNumber: 4,
    },
    xAxis: { disableGrid: true, fontSize: px(11, text), rotateLabel: rows.length > (text > 1 ? 3 : 5) },
    legend: { show: false },
    dataLabel: false,
    padding: [16, 16, 8, 4],
    fontSize: px(11, text),
    extra: {
      column: { type: 'group', width: 24, barBorderRadius: [4, 4, 0, 0] },
      markLine: targetLines([target]),
    },
    summary: shown
      ? `${label}：${rows
          .filter((t) => pct(t.rates[key]) !== null)
          .map((t) => `${t.name.replace(/为民服务(中心|站|室)$/, '')} ${pct(t.rates[key])}%`)
          .join('，')}（目标 ${target}%）`
      : `${label}：本期各乡镇都没有数据`,
  }
}
