import ExcelJS from 'exceljs'
import type { LocalCloudBase } from '../../../local-cloudbase/server'
import type { CaseView, KpiReport } from '../../../typings/api'
import { DEMO_OPENIDS, call, ok, startApi } from '../../helpers/api'
import { aCase, runJobs, setClock } from '../../helpers/builders'
import { nodeSdk } from '../../helpers/local-cloudbase'

let lcb: LocalCloudBase
const { resident1, villageAgent, supervisor } = DEMO_OPENIDS
const station = 'st-qingshan-hongyan'

const submit = (itemId = 'it-ZZWW-001', stationId = station) =>
  aCase(lcb, { itemId, stationId, description: '请帮忙办理' }, resident1)
const step = (action: string, c: CaseView, extra: object = {}) =>
  ok<CaseView>(lcb, action, { caseId: c.id, version: c.version, ...extra }, villageAgent)
const delivered = (itemId?: string) =>
  submit(itemId).acceptedBy(villageAgent).completedBy(villageAgent).deliveredBy(villageAgent)
const report = (payload: object = {}) => ok<KpiReport>(lcb, 'supervise.kpis', payload, supervisor)

beforeAll(async () => {
  lcb = await startApi('2026-12-01T10:00:00+08:00')
}, 30_000)
afterAll(() => lcb.stop())

describe('六项指标', () => {
  it('counts the cohort of the month honestly: withdrawn left out, default ratings apart, late completions not on time', async () => {
    // 23:30 on the last day of November (15:30 UTC) belongs to November, not December.
    await setClock(lcb, '2026-11-30T23:30:00+08:00')
    await submit('it-ZZWW-001', 'st-qingshan-wenchang')
    await setClock(lcb, '2026-12-01T10:00:00+08:00')
    const good = await delivered()
    await ok(lcb, 'cases.rate', { caseId: good.id, level: 'satisfied' }, resident1)
    const bad = await delivered()
    await ok(lcb, 'cases.rate', { caseId: bad.id, level: 'dissatisfied' }, resident1)
    await delivered() // never rated: 基本满意 by default after the window
    const rejected = await submit()
    await step('cases.reject', rejected, { reason: '不属于代理范围' })
    const withdrawn = await submit()
    await ok(lcb, 'cases.withdraw', { caseId: withdrawn.id, reason: '已自行办理' }, resident1)
    let late = await submit('it-MZ-003')
    late = await step('cases.accept', late, { handling: 'promised' })
    await submit() // still waiting

    await setClock(lcb, '2026-12-10T10:00:00+08:00') // past the 5 working days of 临时救助 and the rating window
    await runJobs(lcb)
    late = await ok<CaseView>(lcb, 'cases.get', { caseId: late.id }, villageAgent)
    await step('cases.complete', late, { result: '已发放' })

    const r = await report({ kind: 'month', key: '2026-12' })
    expect(r.period).toMatchObject({
      kind: 'month',
      key: '2026-12',
      label: '2026年12月',
      prev: '2026-11',
      next: '2027-01',
      complete: false,
    })
    const row = r.stations.find((s) => s.id === station)!
    expect(row.counts).toEqual({
      submitted: 6,
      withdrawn: 1,
      accepted: 4,
      completed: 4,
      onTime: 3,
      rated: 2,
      satisfied: 1,
      defaultRated: 1,
    })
    expect(row.rates.acceptance).toEqual({ numerator: 4, denominator: 6, rate: 4 / 6 })
    expect(row.rates.completion.rate).toBe(1)
    expect(row.rates.onTime.rate).toBe(0.75)
    expect(row.rates.satisfaction).toEqual({ numerator: 1, denominator: 2, rate: 0.5 })
    // The township row holds its villages; the district holds everything.
    const township = r.townships.find((t) => t.id === 'st-qingshan')!
    expect(township.counts.submitted).toBe(6)
    expect(township.stations).toBe(1 + r.stations.filter((s) => s.parentId === 'st-qingshan').length)
    expect(r.district.counts.submitted).toBe(6)
    expect(r.district.stations).toBe(r.stations.length)
    // 组织机构健全率 is the share of stations without gaps, consistently at every level.
    const healthy = r.stations.filter((s) => !s.gaps.length).length
    expect(r.district.rates.organization).toEqual({
      numerator: healthy,
      denominator: r.stations.length,
      rate: healthy / r.stations.length,
    })
    // Only 青山镇 has cases this month: the ranking uses the rates every township has, so the
    // other townships gain nothing from having no cases; equal scores share a rank.
    expect(r.rankedOn).toEqual(['organization', 'publication'])
    expect(r.townships[0]!.rank).toBe(1)
    for (let i = 1; i < r.townships.length; i++) {
      const [a, b] = [r.townships[i - 1]!, r.townships[i]!]
      expect(b.score!).toBeLessThanOrEqual(a.score!)
      expect(b.rank).toBe(b.score === a.score ? a.rank : i + 1)
    }
  }, 60_000)

  it('exports the 季度汇报 as a workbook: district, township ranking, stations with the numbers behind each rate', async () => {
    const exported = await ok<{ url: string; title: string }>(
      lcb,
      'supervise.kpis.export',
      { kind: 'quarter' },
      supervisor,
    )
    expect(exported.title).toBe('2026年第四季度汇报')
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(
      Buffer.from(await (await fetch(encodeURI(exported.url))).arrayBuffer()) as unknown as ArrayBuffer,
    )
    expect(wb.worksheets.map((w) => w.name)).toEqual(['全区', '乡镇排名', '服务站明细'])
    const ranking = wb.getWorksheet('乡镇排名')!
    expect(ranking.getRow(1).getCell(4).value).toBe('组织机构健全率')
    expect(ranking.getRow(2).getCell(1).value).toBe(1)
    const stations = wb.getWorksheet('服务站明细')!
    let hongyan: string[] = []
    stations.eachRow((row) => {
      if (row.getCell(2).value === '红岩村为民服务室')
        hongyan = (row.values as unknown[]).slice(1).map(String)
    })
    expect(hongyan[0]).toBe('青山镇为民服务站')
    expect(hongyan[4]).toBe('66.7%（4/6）') // 申请事项受理率
    expect(hongyan[7]).toBe('50.0%（1/2）') // 群众评价满意率
    expect(hongyan[8]).toBe('1') // default ratings apart
    expect(await call(lcb, 'supervise.kpis.export', {}, villageAgent)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
  })

  it('shows nothing measured as — rather than 100%, and another period separately', async () => {
    const r = await report({ kind: 'month', key: '2026-11' })
    const row = r.stations.find((s) => s.id === station)!
    expect(row.rates.acceptance).toEqual({ numerator: 0, denominator: 0, rate: null })
    expect(r.stations.find((s) => s.id === 'st-qingshan-wenchang')!.counts.submitted).toBe(1)
    expect(r.district.counts.submitted).toBe(1)
    expect(r.period.complete).toBe(true)
    const q = await report({ kind: 'quarter' })
    expect(q.period).toMatchObject({ key: '2026-Q4', label: '2026年第四季度' })
    expect(q.district.counts.submitted).toBe(7) // December's 6 and November's 1
  })

  it('keeps a retired station’s cases in the report, outside the 健全率', async () => {
    const before = await report({ kind: 'month', key: '2026-12' })
    // admin.retire refuses while the station has open cases (admin-district.test.ts): the
    // station here was retired after its last open cases were closed, its cases kept.
    expect(
      await call(lcb, 'admin.retire', { kind: 'station', id: station }, DEMO_OPENIDS.admin),
    ).toMatchObject({
      ok: false,
      error: { code: 'INVALID_STATE' },
    })
    await nodeSdk(lcb).database().collection('stations').doc(station).update({ active: false })
    const after = await report({ kind: 'month', key: '2026-12' })
    expect(after.stations.find((s) => s.id === station)).toMatchObject({
      active: false,
      counts: { submitted: 6 },
    })
    expect(after.district.counts.submitted).toBe(6)
    expect(after.district.stations).toBe(before.district.stations - 1)
    expect(after.townships.find((t) => t.id === 'st-qingshan')!.counts.submitted).toBe(6)
  })

  it('is for supervisors and admins only, and explains a bad period', async () => {
    expect(await call(lcb, 'supervise.kpis', {}, resident1)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    expect(await call(lcb, 'supervise.kpis', {}, villageAgent)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    expect(await call(lcb, 'supervise.kpis', { kind: 'month', key: '2026-13' }, supervisor)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', message: '统计周期格式不正确' },
    })
    expect(await call(lcb, 'supervise.kpis', { kind: 'year', key: '2027' }, supervisor)).toMatchObject({
      ok: false,
      error: { message: '统计周期还没有开始' },
    })
    const r = await call(lcb, 'supervise.kpis', { kind: 'month' }, supervisor)
    expect(r.dbCalls).toBeLessThanOrEqual(8)
  })

  it('refuses years outside 2020..2100 with a clear message, for the report and the export', async () => {
    const message = '统计周期的年份应在 2020 至 2100 年之间'
    for (const [action, payload] of [
      ['supervise.kpis', { kind: 'month', key: '0001-01' }],
      ['supervise.kpis', { kind: 'quarter', key: '0202-Q4' }],
      ['supervise.kpis', { kind: 'year', key: '2019' }],
      ['supervise.kpis.export', { kind: 'half', key: '0001-H1' }],
      ['supervise.kpis.export', { kind: 'year', key: '1999' }],
    ] as const) {
      expect(await call(lcb, action, payload, supervisor)).toMatchObject({
        ok: false,
        error: { code: 'INVALID_INPUT', message, fields: { key: message } },
      })
    }
  })
})
