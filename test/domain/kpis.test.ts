import {
  EMPTY_COUNTS,
  fullyPublished,
  neighbours,
  periodFromKey,
  periodOf,
  rankTownships,
  rowOf,
  stationGaps,
  type CaseCounts,
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

  it('finds the period of a day and its neighbours', () => {
    expect(periodOf('quarter', '2026-11-29').key).toBe('2026-Q4')
    expect(periodOf('half', '2026-06-30').key).toBe('2026-H1')
    expect(neighbours(periodOf('month', '2026-01-15'))).toEqual({ prev: '2025-12', next: '2026-02' })
    expect(neighbours(periodOf('quarter', '2026-12-31'))).toEqual({ prev: '2026-Q3', next: '2027-Q1' })
  })
})

describe('what counts', () => {
  it('names what a station lacks to be 健全', () => {
    const ok = { headAgentId: 'ag-1', agents: 2, hotline: '0851-1', hasRota: true, publishedItems: 3 }
    expect(stationGaps(ok)).toEqual([])
    expect(
      stationGaps({ ...ok, headAgentId: null, agents: 0, hotline: ' ', hasRota: false, publishedItems: 0 }),
    ).toEqual(['无负责人', '无代理员', '无服务热线', '无值班表', '无公开事项'])
  })

  it('counts an item as fully published only with its steps, time limit and fee', () => {
    const item = { published: true, steps: ['受理'], promisedDays: 5, fee: '无偿' }
    expect(fullyPublished(item)).toBe(true)
    expect(fullyPublished({ ...item, published: false })).toBe(false)
    expect(fullyPublished({ ...item, steps: [] })).toBe(false)
    expect(fullyPublished({ ...item, fee: '' })).toBe(false)
    expect(fullyPublished({ ...item, promisedDays: 0 })).toBe(true) // 即办
  })
})

const st = (
  id: string,
  tier: 'village' | 'township',
  parentId: string | null,
  head = true,
): StationInput => ({
  station: { _id: id, name: id, tier, parentId, headAgentId: head ? 'h' : null, hotline: '0851' },
  agents: 1,
  hasRota: true,
})
const items = [
  { tier: 'village' as const, published: true, steps: ['a'], promisedDays: 1, fee: '无偿' },
  { tier: 'township' as const, published: false, steps: ['a'], promisedDays: 1, fee: '无偿' },
  { tier: 'district' as const, published: true, steps: ['a'], promisedDays: 5, fee: '无偿' },
]
const counts = (c: Partial<CaseCounts>): CaseCounts => ({ ...EMPTY_COUNTS, ...c })

describe('rows and ranking', () => {
  it('computes the six rates; nothing to measure is null, not 100%', () => {
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
    ])
    const r = rowOf(
      't1',
      '青山镇',
      'township',
      null,
      [st('t1', 'township', null), st('v1', 'village', 't1', false)],
      items,
      byStation,
    )
    expect(r.rates.organization).toEqual({ numerator: 1, denominator: 2, rate: 0.5 })
    // Each station lists its own tier and above: the township 2 items (1 fully published), the
    // village all 3 (2 fully published).
    expect(r.rates.publication).toEqual({ numerator: 3, denominator: 5, rate: 3 / 5 })
    expect(r.rates.acceptance.rate).toBe(0.75)
    expect(r.rates.completion.rate).toBe(2 / 3)
    expect(r.rates.onTime.rate).toBe(0.5)
    expect(r.rates.satisfaction.rate).toBe(1)
    expect(r.counts.defaultRated).toBe(1)
    const empty = rowOf('v2', 'v2', 'village', 't1', [st('v2', 'village', 't1')], items, new Map())
    expect(empty.rates.acceptance.rate).toBeNull()
    expect(empty.score).toBeCloseTo(((1 + 2 / 3) / 2) * 100) // organization and publication only
  })

  it('ranks by score, then satisfaction, leaving unmeasured rows unranked at the end', () => {
    const row = (id: string, score: number | null, satisfaction: number | null) => ({
      ...rowOf(id, id, 'township', null, [], [], new Map()),
      score,
      rates: {
        ...rowOf(id, id, 'township', null, [], [], new Map()).rates,
        satisfaction: { numerator: 0, denominator: 0, rate: satisfaction },
      },
    })
    const ranked = rankTownships([
      row('a', 80, 0.9),
      row('b', null, null),
      row('c', 90, 0.5),
      row('d', 80, 0.95),
    ])
    expect(ranked.map((r) => [r.id, r.rank])).toEqual([
      ['c', 1],
      ['d', 2],
      ['a', 3],
      ['b', null],
    ])
  })
})
