import { cellsOf, percent } from '../../miniprogram/services/supervise'
import { useTransport } from '../../miniprogram/services/api'
import { loadComponent, openPage, textOf } from './helpers'
import { startBackend, type Backend } from './local-backend'

const kpisId = loadComponent('supervise/kpis/index')
let backend: Backend
let openid = 'o-demo-supervisor'
type Inst = Record<string, (...a: unknown[]) => Promise<void> | void>

beforeAll(async () => {
  backend = await startBackend('2026-12-01T10:00:00+08:00')
  useTransport(backend.transport(() => openid))
}, 30_000)
afterAll(() => backend.stop())

describe('六项指标 page', () => {
  it('formats rates with one decimal and shows — when nothing is measured', () => {
    expect(percent(0.875)).toBe('87.5%')
    expect(percent(2 / 3)).toBe('66.7%')
    expect(percent(1)).toBe('100.0%')
    expect(percent(null)).toBe('—')
    // A rate on a handful of cases is marked, not judged.
    const row = (n: number, d: number) => ({ rate: d ? n / d : null, numerator: n, denominator: d })
    const rates = { a: row(0, 1), b: row(9, 10), c: row(0, 0) }
    const cells = cellsOf({ rates } as never, { a: 'A', b: 'B', c: 'C' } as never)
    expect(cells.map((c) => [c.value, c.detail, c.small])).toEqual([
      ['0.0%', '0/1 · 样本少', true],
      ['90.0%', '9/10', false],
      ['暂无', '本期无数据', false],
    ])
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

  it('tells a resident it is not for them', async () => {
    openid = 'o-demo-resident-1'
    const page = await openPage(kpisId)
    expect(textOf(page, '.error')).toContain('没有权限')
  })
})
