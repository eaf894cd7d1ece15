import type { CaseView, RectificationView } from '../../typings/api'
import { callApi, newRequestId, useTransport } from '../../miniprogram/services/api'
import { loadComponent, openPage, textOf } from './helpers'
import { startBackend, type Backend } from './local-backend'
import { cuttable, expectLoadCycle } from './reload'

const rectifyId = loadComponent('work/rectify/index')
const caseId = loadComponent('pages/case/index')
let backend: Backend
let net: ReturnType<typeof cuttable>
let openid = 'o-demo-resident-1'
type Inst = Record<string, (...a: unknown[]) => Promise<void> | void>
const ev = (dataset: Record<string, string>, detail: unknown = {}) => ({ currentTarget: { dataset }, detail })
let id = ''

beforeAll(async () => {
  backend = await startBackend('2026-12-01T10:00:00+08:00')
  net = cuttable(backend.transport(() => openid))
  useTransport(net.transport)
  ;(wx as unknown as Record<string, unknown>).showToast = jest.fn()
  let c: CaseView = await callApi(
    'cases.submit',
    {
      itemId: 'it-ZZWW-001',
      stationId: 'st-qingshan-hongyan',
      description: '邻里纠纷',
      applicantName: '王秀英',
      applicantPhone: '13912345678',
    },
    newRequestId(),
  )
  openid = 'o-demo-agent-village'
  c = await callApi('cases.accept', { caseId: c.id, version: c.version, handling: 'promised' })
  c = await callApi('cases.complete', { caseId: c.id, version: c.version, result: '已调解' })
  c = await callApi('cases.deliver', { caseId: c.id, version: c.version })
  openid = 'o-demo-resident-1'
  await callApi('cases.rate', { caseId: c.id, level: 'dissatisfied', comment: '调解不公正' })
  id = c.id
}, 60_000)
afterAll(() => backend.stop())

describe('差评整改 pages', () => {
  it('the head records 核实, 整改 and 回访 in order', async () => {
    openid = 'o-demo-head-village'
    const page = await openPage(rectifyId)
    const inst = page.instance as unknown as Inst
    const task = () => (page.instance.data as { list: RectificationView[] }).list[0]!
    expect(textOf(page, '.who')).toBe('王秀英 评价「不满意」：调解不公正')
    expect(textOf(page, '.step-btn')).toBe('记录核实')
    inst.onNote!(ev({ id }, '已与双方核实'))
    await inst.onStep!(ev({ id }))
    expect(task().statusLabel).toBe('待整改')
    inst.onNote!(ev({ id }, '补送调解书并说明依据'))
    await inst.onStep!(ev({ id }))
    expect(textOf(page, '.error')).toBe('请选择已整改或已解释说明')
    inst.onOutcome!(ev({ id, outcome: 'explained' }))
    await inst.onStep!(ev({ id }))
    inst.onNote!(ev({ id }, '电话回访，群众表示理解'))
    await inst.onStep!(ev({ id }))
    expect(task()).toMatchObject({ statusLabel: '待群众评价', nextStep: null })
    expect(page.querySelectorAll('.step')).toHaveLength(3)
  })

  it('says a failed load with 重新加载, and keeps the cases when a refresh fails', async () => {
    // Before the resident rates the fix: the task is still in progress (进行中).
    openid = 'o-demo-head-village'
    await expectLoadCycle(
      net,
      () => openPage(rectifyId),
      (p) => p.querySelectorAll('.card').length > 0,
    )
  })

  it('the resident sees the steps and rates the fix on the case page', async () => {
    openid = 'o-demo-resident-1'
    const page = await openPage(caseId, { id })
    expect(textOf(page, '.rectify .title')).toBe('您的不满意评价 · 待群众评价')
    expect(page.querySelectorAll('.fix-level')).toHaveLength(5)
    await (page.instance as unknown as Inst).onRateFix!(ev({ level: 'satisfied' }))
    expect(textOf(page, '.rectify .title')).toBe('您的不满意评价 · 已办结')
    expect(page.querySelectorAll('.fix-level')).toHaveLength(0)
  })

  it('an agent who is not the head is told so', async () => {
    openid = 'o-demo-agent-village'
    const page = await openPage(rectifyId)
    expect(textOf(page, '.error')).toContain('没有权限')
  })
})
