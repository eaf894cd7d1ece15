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
}

/** The six rates of a row, in DOMAIN order, ready for display. */
export function cellsOf(row: KpiRow, labels: KpiReport['labels']): KpiCell[] {
  return (Object.keys(labels) as (keyof KpiReport['labels'])[]).map((k) => ({
    key: k,
    label: labels[k],
    value: percent(row.rates[k].rate),
    detail: `${row.rates[k].numerator}/${row.rates[k].denominator}`,
  }))
}
