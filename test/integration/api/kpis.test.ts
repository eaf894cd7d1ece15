import ExcelJS from 'exceljs'
import type { LocalCloudBase } from '../../../local-cloudbase/server'
import type { CaseView, KpiReport, KpiTrend } from '../../../typings/api'
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
      overdueOpen: 0,
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
    // Only 青山镇 has cases this month: the ranking uses the case rates every township has, so
    // the other townships gain nothing from having no cases, and nobody is ranked on the
    // structural rates alone (that put every township first at one score).
    expect(r.rankedOn).toEqual([])
    expect(r.townships.map((t) => t.rank)).toEqual(r.townships.map(() => null))
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
    // Other townships have no cases this quarter: nobody is ranked, and the sheet says so.
    expect(ranking.getRow(2).getCell(1).value).toBe('—')
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

  it('judges each rate against the targets admins set, and counts the open overdue cases beside 兑现率', async () => {
    await setClock(lcb, '2026-12-10T10:00:00+08:00')
    // A 临时救助 accepted on the 10th (5 working days), never finished: overdue by the 21st.
    // (At the township: 红岩村 was retired by the test before.)
    let open = await submit('it-MZ-003', 'st-qingshan')
    open = await ok<CaseView>(
      lcb,
      'cases.accept',
      { caseId: open.id, version: open.version, handling: 'promised' },
      DEMO_OPENIDS.townshipHead,
    )
    await setClock(lcb, '2026-12-21T10:00:00+08:00')
    let r = await report({ kind: 'month', key: '2026-12' })
    expect(r.district.counts.overdueOpen).toBe(1)
    expect(r.targets).toEqual({
      organization: 100,
      publication: 100,
      acceptance: 95,
      completion: 95,
      onTime: 95,
      satisfaction: 95,
    })
    // Fewer than ten cases: shown, marked, not judged.
    expect(r.district.tones!.onTime).toBe('small')
    expect(['good', 'near', 'bad']).toContain(r.district.tones!.organization)

    // An admin lowers the 健全率 target to 50%, and the structural rate turns 达标.
    const refused = await call(lcb, 'admin.kpiTargets.save', { organization: 120 }, DEMO_OPENIDS.admin)
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', fields: { organization: '组织机构健全率的目标不能超过 100%' } },
    })
    expect(await call(lcb, 'admin.kpiTargets.save', { organization: 50 }, supervisor)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    const saved = await ok(lcb, 'admin.kpiTargets.save', { organization: 50 }, DEMO_OPENIDS.admin)
    expect(saved).toMatchObject({ organization: 50, onTime: 95 })
    r = await report({ kind: 'month', key: '2026-12' })
    expect(r.targets.organization).toBe(50)
    expect(r.district.tones!.organization).toBe(r.district.rates.organization.rate! >= 0.5 ? 'good' : 'bad')
    const settings = await ok<{ kpiTargets: object }>(lcb, 'admin.settings.get', {}, DEMO_OPENIDS.admin)
    expect(settings.kpiTargets).toMatchObject({ organization: 50 })

    // 超期督办 names the responsible agent of each case.
    const overdue = await ok<{ cases: { caseId: string; agentName: string }[] }>(
      lcb,
      'supervise.overdue',
      {},
      supervisor,
    )
    expect(overdue.cases.find((c) => c.caseId === open.id)!.agentName).toBe(open.agent!.name)
  }, 60_000)

  it('draws the case rates of the last twelve full months in one aggregation', async () => {
    await setClock(lcb, '2027-01-04T10:00:00+08:00')
    const res = await call<KpiTrend>(lcb, 'supervise.kpis.trend', {}, supervisor)
    expect(res.ok).toBe(true)
    const t = res.ok ? res.data : (null as never)
    // January has just begun: its first days are on the cards, not a point of the trend.
    expect(t.months.map((m) => m.key)).toEqual([
      '2026-01',
      '2026-02',
      '2026-03',
      '2026-04',
      '2026-05',
      '2026-06',
      '2026-07',
      '2026-08',
      '2026-09',
      '2026-10',
      '2026-11',
      '2026-12',
    ])
    const dec = t.months[11]!
    expect(dec.label).toBe('12月')
    const r = await report({ kind: 'month', key: '2026-12' })
    for (const k of ['acceptance', 'completion', 'onTime', 'satisfaction'] as const)
      expect(dec.rates[k]).toEqual(r.district.rates[k])
    // The case filed at 23:30 on 30 November (15:30 UTC) is November's, in Shanghai time.
    expect(t.months[10]!.rates.acceptance.denominator).toBe(1)
    // A month without cases is empty, never 100%.
    expect(t.months[0]!.rates.acceptance).toEqual({ numerator: 0, denominator: 0, rate: null })
    // The roster read, then settings and one aggregation.
    expect(res.dbCalls).toBeLessThanOrEqual(3)
  })
})
