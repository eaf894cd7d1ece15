/**
 * 六项指标 (DOMAIN.md), pure: periods, the six rates per station, roll-ups to township and
 * district, and the township ranking. Case rates are by cohort: the cases submitted in the
 * period, counted as they stand at `asOf` (a month that just ended still has cases running,
 * and the report says so rather than guessing).
 */
import type {
  CaseCounts,
  CaseKpiKey,
  Item,
  KpiKey,
  KpiRow,
  KpiTargets,
  KpiTone,
  Period,
  PeriodKind,
  Rate,
  Station,
  Tier,
} from '../../typings/domain'

export type { CaseCounts, CaseKpiKey, KpiKey, KpiRow, KpiTargets, Period, PeriodKind, Rate }
import { addDays } from './calendar'
import { isFullyPublished, tiersOfferedAt } from './network'

const pad = (n: number) => String(n).padStart(2, '0')
const QUARTER_LABELS = ['第一季度', '第二季度', '第三季度', '第四季度']

/** The period of `kind` that contains `day`. */
export function periodOf(kind: PeriodKind, day: string): Period {
  const y = Number(day.slice(0, 4))
  const m = Number(day.slice(5, 7))
  if (kind === 'month') return periodFromKey(`${y}-${pad(m)}`)!
  if (kind === 'quarter') return periodFromKey(`${y}-Q${Math.ceil(m / 3)}`)!
  if (kind === 'half') return periodFromKey(`${y}-H${m <= 6 ? 1 : 2}`)!
  return periodFromKey(String(y))!
}

/**
 * Years a report can be asked for. Outside them dates stop being four-digit years the calendar
 * and the database agree on (year 0001 made the period's instants invalid), and no county data
 * exists there anyway.
 */
export const KPI_YEARS = { first: 2020, last: 2100 } as const

/** Why a period cannot be reported on (a Chinese message), or null. */
export function periodYearProblem(p: Period): string | null {
  // From the key, always four digits (the `from` day of year 1 is written "1-01-01").
  const y = Number(p.key.slice(0, 4))
  return !(y >= KPI_YEARS.first && y <= KPI_YEARS.last)
    ? `统计周期的年份应在 ${KPI_YEARS.first} 至 ${KPI_YEARS.last} 年之间`
    : null
}

/** Parses a period key; null when malformed. */
export function periodFromKey(key: string): Period | null {
  let m = /^(\d{4})-(\d{2})$/.exec(key)
  if (m) {
    const y = Number(m[1])
    const mo = Number(m[2])
    if (mo < 1 || mo > 12) return null
    const next = mo === 12 ? `${y + 1}-01-01` : `${y}-${pad(mo + 1)}-01`
    return { kind: 'month', key, label: `${y}年${mo}月`, from: `${y}-${pad(mo)}-01`, to: next }
  }
  m = /^(\d{4})-Q([1-4])$/.exec(key)
  if (m) {
    const y = Number(m[1])
    const q = Number(m[2])
    const startMonth = (q - 1) * 3 + 1
    const to = q === 4 ? `${y + 1}-01-01` : `${y}-${pad(startMonth + 3)}-01`
    return {
      kind: 'quarter',
      key,
      label: `${y}年${QUARTER_LABELS[q - 1]}`,
      from: `${y}-${pad(startMonth)}-01`,
      to,
    }
  }
  m = /^(\d{4})-H([12])$/.exec(key)
  if (m) {
    const y = Number(m[1])
    const h = Number(m[2])
    return {
      kind: 'half',
      key,
      label: `${y}年${h === 1 ? '上半年' : '下半年'}`,
      from: h === 1 ? `${y}-01-01` : `${y}-07-01`,
      to: h === 1 ? `${y}-07-01` : `${y + 1}-01-01`,
    }
  }
  m = /^(\d{4})$/.exec(key)
  if (m) {
    const y = Number(m[1])
    return { kind: 'year', key, label: `${y}年`, from: `${y}-01-01`, to: `${y + 1}-01-01` }
  }
  return null
}

/** The period before and after (for paging in the report). */
export function neighbours(p: Period): { prev: string; next: string } {
  return { prev: periodOf(p.kind, addDays(p.from, -1)).key, next: periodOf(p.kind, p.to).key }
}

export const EMPTY_COUNTS: CaseCounts = {
  submitted: 0,
  withdrawn: 0,
  accepted: 0,
  completed: 0,
  onTime: 0,
  rated: 0,
  satisfied: 0,
  defaultRated: 0,
  overdueOpen: 0,
}

export function addCounts(a: CaseCounts, b: CaseCounts): CaseCounts {
  const out = { ...a }
  for (const k of Object.keys(out) as (keyof CaseCounts)[]) out[k] += b[k]
  return out
}

const rate = (numerator: number, denominator: number): Rate => ({
  numerator,
  denominator,
  rate: denominator ? numerator / denominator : null,
})

export const KPI_LABELS: Record<KpiKey, string> = {
  organization: '组织机构健全率',
  publication: '代理事项公开率',
  acceptance: '申请事项受理率',
  completion: '代理事项办结率',
  onTime: '承诺期限兑现率',
  satisfaction: '群众评价满意率',
}

export const KPI_KEYS = Object.keys(KPI_LABELS) as KpiKey[]

/** The rates measured from cases, in report order. */
export const CASE_KPI_KEYS: readonly CaseKpiKey[] = ['acceptance', 'completion', 'onTime', 'satisfaction']

/**
 * Targets until an admin sets them: the network complete and every item public, and nineteen
 * cases in twenty accepted, finished, on time and rated satisfied.
 */
export const DEFAULT_KPI_TARGETS: Readonly<KpiTargets> = Object.freeze({
  organization: 100,
  publication: 100,
  acceptance: 95,
  completion: 95,
  onTime: 95,
  satisfaction: 95,
})

/** Below this many cases a rate says little (0/1 at 10:00 on the 1st is 0.0%): shown, not judged. */
export const SMALL_SAMPLE = 10

/** How far below its target a rate may be and still read 接近目标 (percentage points). */
export const NEAR_TARGET_POINTS = 5

/**
 * A rate against its target: 达标 at or above it, 接近 within {@link NEAR_TARGET_POINTS}, else
 * 未达标; a rate on fewer than {@link SMALL_SAMPLE} cases is not judged (样本少), nor is one with
 * nothing to measure.
 */
export function rateTone(r: Rate, targetPercent: number, caseBased: boolean): KpiTone {
  if (r.rate === null || !r.denominator) return 'none'
  if (caseBased && r.denominator < SMALL_SAMPLE) return 'small'
  const pct = r.rate * 100
  // Compared at the one decimal shown, so 94.96% displayed as 95.0% is not called short of 95.
  const shown = Math.round(pct * 10) / 10
  if (shown >= targetPercent) return 'good'
  return shown >= targetPercent - NEAR_TARGET_POINTS ? 'near' : 'bad'
}

/** What a station needs to count as 健全, and what it lacks (Chinese). */
export function stationGaps(s: {
  /** A head who is on the active roster. */
  hasHead: boolean
  /** Active agents besides the head. */
  agents: number
  hotline: string
  /** A rota naming at least one active person. */
  hasRota: boolean
  publishedItems: number
}): string[] {
  const gaps: string[] = []
  if (!s.hasHead) gaps.push('无负责人')
  if (s.agents < 1) gaps.push('无代理员')
  if (!s.hotline.trim()) gaps.push('无服务热线')
  if (!s.hasRota) gaps.push('无值班表')
  if (s.publishedItems < 1) gaps.push('无公开事项')
  return gaps
}

export type KpiItem = Pick<Item, '_id' | 'tier' | 'published' | 'materials' | 'steps' | 'promisedDays'>

export interface StationInput {
  station: Pick<Station, '_id' | 'name' | 'tier' | 'parentId' | 'hotline'>
  hasHead: boolean
  agents: number
  hasRota: boolean
}

/**
 * One row of the report. `members` are the active stations of the row (健全率 and 公开率 look
 * at them); `caseStations` are every station whose cases belong to it, retired ones included,
 * so a station closed mid-year keeps its cases in the 年终考核.
 */
export function rowOf(
  head: { id: string; name: string; tier: Tier; parentId: string | null; active?: boolean },
  members: StationInput[],
  caseStations: string[],
  items: KpiItem[],
  counts: Map<string, CaseCounts>,
  /** 监督电话 shown on every item; without it no item is fully published. */
  supervisionHotline = '12345',
): KpiRow {
  let healthy = 0
  // Item id → item, and whether a station offering it has someone responsible (DOMAIN: an item
  // is fully published with materials, procedure, time limit, responsible agent and hotline).
  const offered = new Map<string, { item: KpiItem; responsible: boolean }>()
  const gaps: string[] = []
  for (const m of members) {
    const tiers = tiersOfferedAt(m.station.tier)
    const own = items.filter((i) => tiers.includes(i.tier))
    const responsible = m.hasHead || m.agents > 0
    for (const i of own)
      offered.set(i._id, { item: i, responsible: responsible || !!offered.get(i._id)?.responsible })
    const g = stationGaps({
      hasHead: m.hasHead,
      agents: m.agents,
      hotline: m.station.hotline,
      hasRota: m.hasRota,
      publishedItems: own.filter((i) => i.published).length,
    })
    if (!g.length) healthy += 1
    else if (members.length === 1) gaps.push(...g)
  }
  // Each item once per row: a district item listed by every village is still one item.
  const listed = [...offered.values()]
  const fully = listed.filter(
    (o) => o.responsible && supervisionHotline.trim() && isFullyPublished(o.item),
  ).length
  let total = EMPTY_COUNTS
  for (const id of new Set(caseStations)) total = addCounts(total, counts.get(id) ?? EMPTY_COUNTS)
  return {
    id: head.id,
    name: head.name,
    tier: head.tier,
    parentId: head.parentId,
    active: head.active ?? true,
    stations: members.length,
    gaps,
    rates: {
      organization: rate(healthy, members.length),
      publication: rate(fully, listed.length),
      acceptance: rate(total.accepted, total.submitted),
      completion: rate(total.completed, total.accepted),
      onTime: rate(total.onTime, total.completed),
      satisfaction: rate(total.satisfied, total.rated),
    },
    counts: total,
    score: null,
    rank: null,
  }
}

/** A row with each rate judged against the targets. */
export function withTones(row: KpiRow, targets: KpiTargets): KpiRow {
  const caseBased = new Set<KpiKey>(CASE_KPI_KEYS)
  const tones = Object.fromEntries(
    KPI_KEYS.map((k) => [k, rateTone(row.rates[k], targets[k], caseBased.has(k))]),
  ) as Record<KpiKey, KpiTone>
  return { ...row, tones }
}

/**
 * Ranks townships on the case rates every one of them has (a township with no cases is not
 * rewarded for it: the case rates then drop out for all), equal weights, scores to one
 * decimal; equal scores share a rank (1, 1, 3). No common case rate → nobody is ranked.
 */
export function rankTownships(rows: KpiRow[]): { rows: KpiRow[]; rankedOn: KpiKey[] } {
  // Case rates only: the structural two are the same 100% nearly everywhere, and ranking on them
  // alone put every township first at one score.
  const rankedOn: KpiKey[] = rows.length
    ? CASE_KPI_KEYS.filter((k) => rows.every((r) => r.rates[k].rate !== null))
    : []
  if (!rankedOn.length) return { rows: rows.map((r) => ({ ...r, score: null, rank: null })), rankedOn }
  const scored = rows.map((r) => ({
    ...r,
    score: Math.round((rankedOn.reduce((sum, k) => sum + r.rates[k].rate!, 0) / rankedOn.length) * 1000) / 10,
  }))
  scored.sort((a, b) => b.score - a.score || a.name.localeCompare(b.name, 'zh'))
  return {
    rows: scored.map((r, i) => ({ ...r, rank: scored.findIndex((x) => x.score === r.score) + 1 || i + 1 })),
    rankedOn,
  }
}

/**
 * The report a period makes — 季度汇报, 半年点评, 年终考核 (and monthly figures) — as a suffix of
 * the period label: 2026年第四季度汇报, 2026年下半年点评, 2026年年终考核.
 */
export const REPORT_TITLES: Record<PeriodKind, string> = {
  month: '统计',
  quarter: '汇报',
  half: '点评',
  year: '年终考核',
}

const cell = (r: Rate) =>
  r.rate === null ? '—' : `${(Math.round(r.rate * 1000) / 10).toFixed(1)}%（${r.numerator}/${r.denominator}）`

/**
 * Sheets of the exported report: the district, the township ranking and every station, each
 * rate with the numbers behind it; default ratings in their own column.
 */
export function reportSheets(r: {
  period: Period
  district: KpiRow
  townships: KpiRow[]
  stations: KpiRow[]
}): { title: string; rows: (string | number)[][] }[] {
  const rates = KPI_KEYS.map((k) => KPI_LABELS[k])
  const names = new Map(r.stations.map((s) => [s.id, s.name]))
  return [
    {
      title: '全区',
      rows: [
        ['统计周期', ...rates, '默认评价（未计入满意率）'],
        [r.period.label, ...KPI_KEYS.map((k) => cell(r.district.rates[k])), r.district.counts.defaultRated],
      ],
    },
    {
      title: '乡镇排名',
      rows: [
        ['排名', '乡镇', '综合得分', ...rates, '默认评价'],
        ...r.townships.map((t) => [
          t.rank ?? '—',
          t.name,
          t.score === null ? '—' : Math.round(t.score * 10) / 10,
          ...KPI_KEYS.map((k) => cell(t.rates[k])),
          t.counts.defaultRated,
        ]),
      ],
    },
    {
      title: '服务站明细',
      rows: [
        ['上级', '服务站', ...rates, '默认评价', '待完善'],
        ...r.stations.map((s) => [
          s.parentId ? (names.get(s.parentId) ?? '') : '',
          s.name,
          ...KPI_KEYS.map((k) => cell(s.rates[k])),
          s.counts.defaultRated,
          s.gaps.join('、'),
        ]),
      ],
    },
  ]
}
