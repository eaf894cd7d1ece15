import { cellsOf, percent } from '../../miniprogram/services/supervise'
import { TONE_COLORS, townshipOptions, trendOptions } from '../../miniprogram/supervise/charts/options'
import { callApi, newRequestId, setDemoOpenid, useTransport } from '../../miniprogram/services/api'
import { loadComponent, openPage, settle, textOf } from './helpers'
import { startBackend, type Backend } from './local-backend'

const kpisId = loadComponent('supervise/kpis/index')
const overdueId = loadComponent('supervise/overdue/index')
let backend: Backend
let openid = 'o-demo-supervisor'
type Inst = Record<string, (...a: unknown[]) => Promise<void> | void>

beforeAll(async () => {
  backend = await startBackend('2026-12-01T10:00:00+08:00')
  useTransport(backend.transport(() => openid))
}, 30_000)
afterAll(() => backend.stop())

describe('六项指标 page', () => {
  it('formats rates with one decimal, words each judgement, and shows — when nothing is measured', () => {
    expect(percent(0.875)).toBe('87.5%')
    expect(percent(2 / 3)).toBe('66.7%')
    expect(percent(1)).toBe('100.0%')
    expect(percent(null)).toBe('—')
    // A rate on a handful of cases is marked, not judged.
    const row = (n: number, d: number) => ({ rate: d ? n / d : null, numerator: n, denominator: d })
    const rates = { a: row(0, 1), b: row(9, 10), c: row(0, 0) }
    const tones = { a: 'small', b: 'bad', c: 'none' }
    const targets = { a: 95, b: 95, c: 95 }
    const cells = cellsOf({ rates, tones } as never, { a: 'A', b: 'B', c: 'C' } as never, targets as never)
    expect(cells.map((c) => [c.value, c.detail, c.tone, c.verdict])).toEqual([
      ['0.0%', '0/1', 'small', '样本少，暂不评判'],
      ['90.0%', '9/10', 'bad', '未达标 · 目标 95%'],
      ['暂无', '本期无数据', 'none', ''],
    ])
  })

  it('builds the trend chart: one line per case rate, gaps for months without cases, the targets dashed', () => {
    const r = (n: number, d: number) => ({ numerator: n, denominator: d, rate: d ? n / d : null })
    const months = Array.from({ length: 12 }, (_, i) => ({
      key: `2026-${String(i + 1).padStart(2, '0')}`,
      label: `${i + 1}月`,
      rates:
        i < 10
          ? { acceptance: r(0, 0), completion: r(0, 0), onTime: r(0, 0), satisfaction: r(0, 0) }
          : { acceptance: r(19, 20), completion: r(18, 19), onTime: r(12, 18), satisfaction: r(5, 5) },
    }))
    const o = trendOptions({
      labels: {
        acceptance: '申请事项受理率',
        completion: '代理事项办结率',
        onTime: '承诺期限兑现率',
        satisfaction: '群众评价满意率',
      },
      targets: {
        organization: 100,
        publication: 100,
        acceptance: 95,
        completion: 95,
        onTime: 90,
        satisfaction: 95,
      },
      months,
    })
    expect(o.type).toBe('line')
    expect(o.categories).toEqual(months.map((m) => m.label))
    expect(o.series.map((s) => s.name)).toEqual(['受理率', '办结率', '兑现率', '满意率'])
    expect(o.series[2]!.data).toEqual([...Array(10).fill(null), 66.7, 66.7])
    // Two distinct targets among the case rates: two dashed lines.
    const marks = (o.extra.markLine as { data: { value: number }[] }).data
    expect(marks.map((m) => m.value)).toEqual([95, 90])
    // The axis starts 10 under the lowest value, so the lines are not squashed against 100%.
    expect(o.yAxis.data[0]).toEqual({ min: 50, max: 100, unit: '%' })
    expect(o.summary).toBe(
      '近 12 个月中有 2 个月有办件；受理率最近 95%，办结率最近 94.7%，兑现率最近 66.7%，满意率最近 100%（虚线为目标 95%、90%）',
    )
  })

  it('builds the township chart: a bar per township in the colour of its judgement, grey when not judged', () => {
    const r = (n: number, d: number) => ({ numerator: n, denominator: d, rate: d ? n / d : null })
    const t = (name: string, rate: ReturnType<typeof r>, tone: string) =>
      ({ name, rates: { onTime: rate }, tones: { onTime: tone } }) as never
    const o = townshipOptions(
      {
        labels: { onTime: '承诺期限兑现率' },
        targets: { onTime: 95 },
        townships: [
          t('青山镇为民服务站', r(19, 20), 'good'),
          t('白沙镇为民服务站', r(8, 10), 'bad'),
          t('石门乡为民服务站', r(1, 2), 'small'),
          t('柳河镇为民服务站', r(0, 0), 'none'),
        ],
      } as never,
      'onTime',
    )
    expect(o.type).toBe('column')
    expect(o.categories).toEqual(['青山镇 95%', '白沙镇 80%', '石门乡 50%', '柳河镇 —'])
    expect(o.series[0]!.data).toEqual([
      { value: 95, color: TONE_COLORS.good },
      { value: 80, color: TONE_COLORS.bad },
      { value: 50, color: TONE_COLORS.small },
      { value: null, color: TONE_COLORS.none },
    ])
    expect(o.summary).toBe('承诺期限兑现率：青山镇 95%，白沙镇 80%，石门乡 50%（目标 95%）')
  })

  it('shows the district’s six rates for this month and ranks the townships; pages through periods', async () => {
    const page = await openPage(kpisId)
    const inst = page.instance as unknown as Inst
    expect(textOf(page, '.period')).toBe('2026年12月')
    expect(page.querySelectorAll('.cell')).toHaveLength(6)
    expect(textOf(page, '.label')).toBe('组织机构健全率')
    // No cases yet this month: the case rates say so, never 100%, and are not coloured as a verdict.
    const values = page.querySelectorAll('.value').map((n) => n.dom!.textContent)
    expect(values.slice(2)).toEqual(['暂无', '暂无', '暂无', '暂无'])
    expect(
      page
        .querySelectorAll('.detail')
        .map((n) => n.dom!.textContent)
        .slice(2),
    ).toEqual(Array(4).fill('本期无数据'))
    expect(values[0]).toMatch(/^\d+\.\d%$/)
    expect(page.querySelectorAll('.township')).toHaveLength(4)
    // No township has cases yet: nobody is ranked on the structural rates alone.
    expect(page.querySelectorAll('.rank').map((n) => n.dom!.textContent)).toEqual(['—', '—', '—', '—'])
    expect(textOf(page, '.rank-note')).toContain('暂不排名')
    // The two charts get their options (canvas draws nothing here; the summary line says it in words).
    const data = page.instance.data as {
      trendChart: { categories: string[] }
      townshipChart: { categories: string[] }
    }
    expect(data.trendChart.categories).toHaveLength(12)
    expect(data.townshipChart.categories).toHaveLength(4)
    expect(textOf(page, '.trend')).toBe('近 12 个月没有办件，暂无趋势')
    expect(textOf(page, '.townships-chart')).toContain('承诺期限兑现率：本期各乡镇都没有数据')
    expect(textOf(page, '.note')).toContain('本期尚未结束')
    expect(page.querySelector('.next')!.dom!.innerHTML).toContain('disabled') // the next month has not begun
    expect(page.querySelector('.prev')!.dom!.innerHTML).not.toContain('disabled')

    inst.onToggle!({ currentTarget: { dataset: { id: 'st-qingshan' } } })
    expect(page.querySelectorAll('.village').length).toBeGreaterThan(1)

    await inst.onKind!({ currentTarget: { dataset: { kind: 'quarter' } } })
    expect(textOf(page, '.period')).toBe('2026年第四季度')
    await inst.onPrev!()
    expect(textOf(page, '.period')).toBe('2026年第三季度')

    const w = wx as unknown as Record<string, jest.Mock>
    w.downloadFile = jest.fn((o: { success: (r: object) => void }) =>
      o.success({ tempFilePath: 'wxfile://tmp/report.xlsx', statusCode: 200 }),
    )
    w.openDocument = jest.fn(() => Promise.resolve({}))
    await inst.onExport!()
    expect(w.downloadFile).toHaveBeenCalledWith(
      expect.objectContaining({ url: expect.stringContaining('reports/kpi-2026-Q3-') }),
    )
    expect(w.openDocument).toHaveBeenCalledWith({
      filePath: 'wxfile://tmp/report.xlsx',
      fileType: 'xlsx',
      showMenu: true,
    })
  })

  it('grows the chart text in 长辈模式, and follows when the mode is switched elsewhere', async () => {
    wx.setStorageSync('ui.elderly', true)
    try {
      const page = await openPage(kpisId)
      type Text = { fontSize: number; legend: { fontSize?: number }; xAxis: { fontSize?: number } }
      const charts = () => page.instance.data as { trendChart: Text; townshipChart: Text }
      expect(charts().trendChart).toMatchObject({
        fontSize: 15,
        legend: { fontSize: 16 },
        xAxis: { fontSize: 15 },
      })
      expect(charts().townshipChart).toMatchObject({ fontSize: 15, xAxis: { fontSize: 15 } })
      wx.setStorageSync('ui.elderly', false)
      await (page.instance as unknown as Inst).onShow!()
      await settle()
      expect(charts().trendChart).toMatchObject({ fontSize: 11, legend: { fontSize: 12 } })
      expect(charts().townshipChart.fontSize).toBe(11)
    } finally {
      wx.setStorageSync('ui.elderly', false)
    }
  })

  it('colours a rate against its target and links the open overdue cases beside 兑现率 to 超期督办', async () => {
    openid = 'o-demo-resident-1'
    setDemoOpenid(openid)
    const c = await callApi(
      'cases.submit',
      {
        itemId: 'it-MZ-003',
        stationId: 'st-qingshan-hongyan',
        description: '临时救助',
        applicantName: '王秀英',
        applicantPhone: '13912345678',
      },
      newRequestId(),
    )
    openid = 'o-demo-agent-village'
    await callApi('cases.accept', { caseId: c.id, version: c.version, handling: 'promised' })
    await backend.setClock('2026-12-15T10:00:00+08:00')
    openid = 'o-demo-supervisor'
    const page = await openPage(kpisId)
    const cells = page.querySelectorAll('.cell')
    const onTime = cells[4]!
    expect(onTime.dom!.textContent).toContain('另有 1 件超期未办结 · 去督办 ›')
    // One case accepted of one: shown, marked 样本少 and grey, not called 达标.
    const acceptance = cells[2]!
    expect(acceptance.dom!.className).toContain('tone-small')
    expect(acceptance.dom!.textContent).toContain('样本少，暂不评判')
    expect(cells[0]!.dom!.className).toMatch(/tone-(good|near|bad)/)
    const nav = jest.fn(() => Promise.resolve({}))
    ;(wx as unknown as { navigateTo: jest.Mock }).navigateTo = nav
    page.querySelector('.overdue-link')!.dispatchEvent('tap')
    await settle()
    expect(nav).toHaveBeenCalledWith({ url: '/supervise/overdue/index' })
  })

  it('超期督办 names the agent of each case and takes the opinion beside its own button', async () => {
    openid = 'o-demo-supervisor'
    const page = await openPage(overdueId)
    expect(textOf(page, '.summary')).toBe('截至 2026-12-15，超期未办结 1 件')
    const row = page.querySelector('.case')!
    expect(textOf(page, '.agent')).toMatch(/^承办人：\S+$/)
    expect(textOf(page, '.agent')).not.toContain('未指派')
    const inst = page.instance as unknown as Inst
    const id = (page.instance.data as { cases: { caseId: string; version: number }[] }).cases[0]!.caseId
    const at = {
      currentTarget: {
        dataset: { id, version: (page.instance.data as { cases: { version: number }[] }).cases[0]!.version },
      },
    }
    // Nothing typed: the refusal shows under this case, not at the bottom of the page.
    await inst.onUrge!(at)
    expect(row.dom!.textContent).toContain('请填写督办意见')
    inst.onNote!({ currentTarget: { dataset: { id } }, detail: '请三日内办结并回告' })
    await inst.onUrge!(at)
    expect(textOf(page, '.result')).toBe('已督办，意见已记入办理经过')
    // A second 督办 of the same case works with the version the first returned.
    inst.onNote!({ currentTarget: { dataset: { id } }, detail: '再次督促' })
    const version = (page.instance.data as { cases: { version: number }[] }).cases[0]!.version
    expect(version).toBe(at.currentTarget.dataset.version + 1)
    await inst.onUrge!({ currentTarget: { dataset: { id, version } } })
    expect(textOf(page, '.result')).toBe('已督办，意见已记入办理经过')
  })

  it('tells a resident it is not for them', async () => {
    openid = 'o-demo-resident-1'
    const page = await openPage(kpisId)
    expect(textOf(page, '.error')).toContain('没有权限')
  })
})
