import {
  DEFAULT_KPI_TARGETS,
  EMPTY_COUNTS,
  rateTone,
  withTones,
  neighbours,
  periodFromKey,
  periodOf,
  periodYearProblem,
  rankTownships,
  rowOf,
  stationGaps,
  type CaseCounts,
  type KpiItem,
  type StationInput,
} from '../../server/domain/kpis'

describe('periods', () => {
  it('parses month, quarter, half and year keys with Chinese labels, and rolls over the year', () => {
    expect(periodFromKey('2026-12')).toEqual({
      kind: 'month',
      key: '2026-12',
      label: '2026年12月',
      from: '2026-12-01',
      to: '2027-01-01',
    })
    expect(periodFromKey('2026-Q2')).toMatchObject({
      label: '2026年第二季度',
      from: '2026-04-01',
      to: '2026-07-01',
    })
    expect(periodFromKey('2026-H2')).toMatchObject({
      label: '2026年下半年',
      from: '2026-07-01',
      to: '2027-01-01',
    })
    expect(periodFromKey('2026')).toMatchObject({ label: '2026年', from: '2026-01-01', to: '2027-01-01' })
    for (const bad of ['2026-13', '2026-00', '2026-Q5', '2026-H3', '26', '2026-1'])
      expect(periodFromKey(bad)).toBeNull()
  })

  it('reports on years 2020 to 2100 only (year 0001 used to break the report)', () => {
    for (const key of ['2020-01', '2026-Q4', '2100-H2', '2100'])
      expect(periodYearProblem(periodFromKey(key)!)).toBeNull()
    for (const key of ['0001-01', '0202-Q4', '2019', '2101-H1'])
      expect(periodYearProblem(periodFromKey(key)!)).toBe('统计周期的年份应在 2020 至 2100 年之间')
  })

  it('finds the period of a day and its neighbours', () => {
    expect(periodOf('quarter', '2026-11-29').key).toBe('2026-Q4')
    expect(periodOf('half', '2026-06-30').key).toBe('2026-H1')
    expect(neighbours(periodOf('month', '2026-01-15'))).toEqual({ prev: '2025-12', next: '2026-02' })
    expect(neighbours(periodOf('quarter', '2026-12-31'))).toEqual({ prev: '2026-Q3', next: '2027-Q1' })
  })
})

describe('what counts', () => {
  it('names what a station lacks to be 健全', () => {
    const ok = { hasHead: true, agents: 2, hotline: '0851-1', hasRota: true, publishedItems: 3 }
    expect(stationGaps(ok)).toEqual([])
    expect(
      stationGaps({ hasHead: false, agents: 0, hotline: ' ', hasRota: false, publishedItems: 0 }),
    ).toEqual(['无负责人', '无代理员', '无服务热线', '无值班表', '无公开事项'])
  })
})

const st = (
  id: string,
  tier: 'village' | 'township',
  parentId: string | null,
  hasHead = true,
): StationInput => ({
  station: { _id: id, name: id, tier, parentId, hotline: '0851' },
  hasHead,
  agents: 1,
  hasRota: true,
})
const full = {
  published: true,
  materials: [{ name: '身份证', form: 'copy' as const, count: 1 }],
  steps: ['受理'],
  promisedDays: 1,
}
const items: KpiItem[] = [
  { _id: 'i-v', tier: 'village', ...full },
  { _id: 'i-t', tier: 'township', ...full, published: false },
  { _id: 'i-d', tier: 'district', ...full },
  { _id: 'i-d2', tier: 'district', ...full, materials: [] }, // no materials listed: not fully published
]
const counts = (c: Partial<CaseCounts>): CaseCounts => ({ ...EMPTY_COUNTS, ...c })
const head = (id: string, tier: 'village' | 'township' = 'township') => ({
  id,
  name: id,
  tier,
  parentId: null,
})

describe('rows and ranking', () => {
  it('computes the six rates; each item once per row; nothing to measure is null, not 100%', () => {
    const byStation = new Map([
      [
        'v1',
        counts({
          submitted: 4,
          accepted: 3,
          completed: 2,
          onTime: 1,
          rated: 2,
          satisfied: 2,
          defaultRated: 1,
        }),
      ],
      ['v-retired', counts({ submitted: 2, accepted: 2 })],
    ])
    const r = rowOf(
      head('t1'),
      [st('t1', 'township', null), st('v1', 'village', 't1', false)],
      ['t1', 'v1', 'v-retired'],
      items,
      byStation,
    )
    expect(r.rates.organization).toEqual({ numerator: 1, denominator: 2, rate: 0.5 })
    expect(r.gaps).toEqual([]) // gaps are listed on station rows
    // The village offers all four items, the township three: four distinct items, two fully published.
    expect(r.rates.publication).toEqual({ numerator: 2, denominator: 4, rate: 0.5 })
    // A retired village's cases still count.
    expect(r.rates.acceptance).toEqual({ numerator: 5, denominator: 6, rate: 5 / 6 })
    expect(r.rates.completion.rate).toBe(2 / 5)
    expect(r.rates.onTime.rate).toBe(0.5)
    expect(r.rates.satisfaction.rate).toBe(1)
    expect(r.counts.defaultRated).toBe(1)
    const v1 = rowOf(head('v1', 'village'), [st('v1', 'village', 't1', false)], ['v1'], items, byStation)
    expect(v1.gaps).toEqual(['无负责人'])
    // Without a supervision hotline, or nobody responsible at the station, nothing is fully published.
    expect(
      rowOf(head('v1', 'village'), [st('v1', 'village', 't1')], ['v1'], items, byStation, ' ').rates
        .publication.numerator,
    ).toBe(0)
    const nobody = { ...st('v3', 'village', 't1', false), agents: 0 }
    expect(rowOf(head('v3', 'village'), [nobody], ['v3'], items, byStation).rates.publication.numerator).toBe(
      0,
    )
    const empty = rowOf(head('v2', 'village'), [st('v2', 'village', 't1')], ['v2'], items, new Map())
    expect(empty.rates.acceptance.rate).toBeNull()
    const retired = rowOf(
      { ...head('v-retired', 'village'), active: false },
      [],
      ['v-retired'],
      items,
      byStation,
    )
    expect([retired.active, retired.rates.organization.rate, retired.counts.submitted]).toEqual([
      false,
      null,
      2,
    ])
  })

  it('ranks on the rates every township has, shares ranks on equal scores, and never rewards having no cases', () => {
    const busy = new Map([
      ['a', counts({ submitted: 10, accepted: 10, completed: 10, onTime: 10, rated: 10, satisfied: 10 })],
      ['b', counts({ submitted: 10, accepted: 5, completed: 5, onTime: 5, rated: 5, satisfied: 5 })],
      ['c', counts({ submitted: 10, accepted: 5, completed: 5, onTime: 5, rated: 5, satisfied: 5 })],
    ])
    const row = (id: string, m: Map<string, CaseCounts>) =>
      rowOf(head(id), [st(id, 'township', null)], [id], items, m)
    const all = rankTownships(['b', 'a', 'c'].map((id) => row(id, busy)))
    // Case rates only: the structural two alone once ranked every township first at one score.
    expect(all.rankedOn).toEqual(['acceptance', 'completion', 'onTime', 'satisfaction'])
    expect(all.rows.map((r) => [r.id, r.rank])).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 2],
    ])
    // An idle township: the case rates drop out for everyone, so idling earns nothing.
    const idle = rankTownships([row('a', busy), row('idle', new Map())])
    expect(idle.rankedOn).toEqual([])
    expect(idle.rows.map((r) => r.rank)).toEqual([null, null])
    expect(rankTownships([]).rankedOn).toEqual([])
  })
})

describe('rates against their targets', () => {
  const r = (numerator: number, denominator: number) => ({
    numerator,
    denominator,
    rate: denominator ? numerator / denominator : null,
  })
  it('says 达标, 接近 or 未达标 at the decimal shown; a few cases are not judged, nothing measured is none', () => {
    expect(rateTone(r(19, 20), 95, true)).toBe('good')
    expect(rateTone(r(9999, 10530), 95, true)).toBe('good') // 94.957% shows as 95.0%
    expect(rateTone(r(18, 20), 95, true)).toBe('near')
    expect(rateTone(r(17, 20), 95, true)).toBe('bad')
    expect(rateTone(r(0, 2), 95, true)).toBe('small') // 0/2 at 10:00 on the 1st
    expect(rateTone(r(0, 0), 95, true)).toBe('none')
    // A structural rate over a few stations is still judged: it is not a sample.
    expect(rateTone(r(1, 2), 100, false)).toBe('bad')
  })
  it('judges every rate of a row against its own target', () => {
    const row = rowOf(
      head('a'),
      [st('a', 'township', null)],
      ['a'],
      items,
      new Map([['a', counts({ submitted: 20, accepted: 19 })]]),
    )
    const toned = withTones(row, { ...DEFAULT_KPI_TARGETS, acceptance: 96 })
    expect(toned.tones!.acceptance).toBe('near')
    expect(toned.tones!.completion).toBe('bad')
    expect(withTones(row, DEFAULT_KPI_TARGETS).tones!.acceptance).toBe('good')
  })
})
