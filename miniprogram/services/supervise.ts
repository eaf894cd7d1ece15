import type { KpiReport, KpiTrend } from '../../typings/api'
import type { KpiKey, KpiRow, KpiTone, KpiTargets, PeriodKind } from '../../typings/domain'
import { callApi } from './api'

export type { KpiKey, KpiReport, KpiRow, KpiTargets, KpiTone, KpiTrend, PeriodKind }

export const fetchKpis = (kind: PeriodKind, key?: string) =>
  callApi('supervise.kpis', key ? { kind, key } : { kind })
export const fetchKpiTrend = () => callApi('supervise.kpis.trend', {})
/** 指标目标 (admins): the percent each rate is judged against. */
export const saveKpiTargets = (t: Partial<KpiTargets>) => callApi('admin.kpiTargets.save', t)
export const exportKpis = (kind: PeriodKind, key: string) => callApi('supervise.kpis.export', { kind, key })

/** 87.5% with one decimal, or — when there is nothing to measure (never shown as 100%). */
export function percent(rate: number | null): string {
  return rate === null ? '—' : `${(Math.round(rate * 1000) / 10).toFixed(1)}%`
}

export interface KpiCell {
  key: KpiKey
  label: string
  value: string
  /** "12/15" behind the rate, so a supervisor can see how much it rests on. */
  detail: string
  /** The server's judgement against the admins' target: 达标 / 接近 / 未达标 / 样本少 / 无数据. */
  tone: KpiTone
  /** In words beside the colour (colour alone says nothing to some readers): "目标 95%". */
  verdict: string
  /** Few cases: the rate is shown but marked 样本少, not judged. */
  small: boolean
  /** Nothing to measure this period. */
  empty: boolean
}

const VERDICTS: Record<KpiTone, string> = {
  good: '达标',
  near: '接近目标',
  bad: '未达标',
  small: '样本少',
  none: '',
}

/** The six rates of a row, in DOMAIN order, ready for display and judged against `targets`. */
export function cellsOf(row: KpiRow, labels: KpiReport['labels'], targets?: KpiTargets): KpiCell[] {
  return (Object.keys(labels) as KpiKey[]).map((k) => {
    const r = row.rates[k]
    const tone: KpiTone = row.tones?.[k] ?? (r.denominator ? 'good' : 'none')
    return {
      key: k,
      label: labels[k],
      value: r.denominator ? percent(r.rate) : '暂无',
      // The 样本少 mark goes on the detail only where no verdict line says it.
      detail: r.denominator
        ? `${r.numerator}/${r.denominator}${tone === 'small' && !targets ? ' · 样本少' : ''}`
        : '本期无数据',
      tone,
      verdict:
        tone === 'none' || !targets
          ? ''
          : tone === 'small'
            ? '样本少，暂不评判'
            : `${VERDICTS[tone]} · 目标 ${targets[k]}%`,
      small: tone === 'small',
      empty: !r.denominator,
    }
  })
}
