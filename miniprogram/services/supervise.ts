import type { KpiReport } from '../../typings/api'
import type { KpiRow, PeriodKind } from '../../typings/domain'
import { callApi } from './api'

export type { KpiReport, KpiRow, PeriodKind }

export const fetchKpis = (kind: PeriodKind, key?: string) =>
  callApi('supervise.kpis', key ? { kind, key } : { kind })
export const exportKpis = (kind: PeriodKind, key: string) => callApi('supervise.kpis.export', { kind, key })

/** 87.5% with one decimal, or — when there is nothing to measure (never shown as 100%). */
export function percent(rate: number | null): string {
  return rate === null ? '—' : `${(Math.round(rate * 1000) / 10).toFixed(1)}%`
}

export interface KpiCell {
  key: string
  label: string
  value: string
  /** "12/15" behind the rate, so a supervisor can see how much it rests on. */
  detail: string
  /** Fewer cases than {@link SMALL_SAMPLE}: the rate is shown but marked 样本少, not judged. */
  small: boolean
  /** Nothing to measure this period. */
  empty: boolean
}

/** Below this many cases a rate says little (0/1 at 10:00 on the 1st is 0.0%). */
export const SMALL_SAMPLE = 10

/** The six rates of a row, in DOMAIN order, ready for display. */
export function cellsOf(row: KpiRow, labels: KpiReport['labels']): KpiCell[] {
  return (Object.keys(labels) as (keyof KpiReport['labels'])[]).map((k) => ({
    key: k,
    label: labels[k],
    value: row.rates[k].denominator ? percent(row.rates[k].rate) : '暂无',
    detail: row.rates[k].denominator
      ? `${row.rates[k].numerator}/${row.rates[k].denominator}${row.rates[k].denominator < SMALL_SAMPLE ? ' · 样本少' : ''}`
      : '本期无数据',
    small: row.rates[k].denominator > 0 && row.rates[k].denominator < SMALL_SAMPLE,
    empty: row.rates[k].denominator === 0,
  }))
}
