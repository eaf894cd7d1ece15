import type { ComplaintView } from '../../typings/api'
import { useTransport } from '../../miniprogram/services/api'
import { submitComplaint } from '../../miniprogram/services/complaints'
import { setMyStation } from '../../miniprogram/services/stations'
import { loadComponent, openPage, textOf } from './helpers'
import { startBackend, type Backend } from './local-backend'

const formId = loadComponent('pages/complaint/index')
const deskId = loadComponent('supervise/complaints/index')
let backend: Backend
let openid = 'o-demo-resident-1'
type Inst = Record<string, (...a: unknown[]) => Promise<void> | void>
const input = (field: string, detail: string) => ({ currentTarget: { dataset: { field } }, detail })

beforeAll(async () => {
  backend = await startBackend('2026-12-01T10:00:00+08:00')
  useTransport(backend.transport(() => openid))
  setMyStation('st-qingshan-hongyan')
  ;(wx as unknown as Record<string, unknown>).showToast = jest.fn()
}, 30_000)
afterAll(() => backend.stop())

describe('监督投诉 pages', () => {
  it('a resident complains about their station; a double tap files once', async () => {
    const page = await openPage(formId)
    const inst = page.instance as unknown as Inst
    expect(textOf(page, '.head')).toContain('被投诉的服务站看不到')
    await inst.onSubmit!()
    expect((page.instance.data as { errors: Record<string, string> }).errors).toMatchObject({
      name: '请填写姓名',
      text: '请填写投诉内容',
    })
    inst.onInput!(input('name', '王秀英'))
    inst.onInput!(input('phone', '13912345678'))
    inst.onInput!(input('text', '值班时间服务室没有人'))
    await Promise.all([inst.onSubmit!(), inst.onSubmit!()])
    expect(textOf(page, '.done')).toContain('已提交')
    const list = (page.instance.data as { list: ComplaintView[] }).list
    expect(list.map((c) => [c.stationName, c.statusLabel])).toEqual([['红岩村为民服务室', '待处理']])
  })

  it('a supervisor answers it; the resident then sees the answer', async () => {
    openid = 'o-demo-supervisor'
    const desk = await openPage(deskId)
    const inst = desk.instance as unknown as Inst
    expect(textOf(desk, '.tab')).toBe('待处理（1）')
    expect(textOf(desk, '.who')).toBe('王秀英 139****5678 · 红岩村为民服务室')
    const id = (desk.instance.data as { list: ComplaintView[] }).list[0]!.id
    inst.onReplyInput!({ currentTarget: { dataset: { id } }, detail: '已约谈站长，落实值班制度' })
    await inst.onReply!({ currentTarget: { dataset: { id } } })
    expect(textOf(desk, '.tab')).toBe('待处理（0）')

    openid = 'o-demo-resident-1'
    const page = await openPage(formId)
    expect(textOf(page, '.reply')).toBe('答复：已约谈站长，落实值班制度')
  })

  it('a supervisor scrolls to every complaint: 加载更多 until the total is shown', async () => {
    // 25 more residents complain (one page is 20): 26 open complaints in all.
    for (let i = 0; i < 25; i++) {
      openid = `o-mp-complainer-${i}`
      await submitComplaint(
        { stationId: 'st-qingshan-hongyan', name: '李四', phone: '13912345678', text: `第 ${i} 件` },
        `mp-cp-${i}`,
      )
    }
    openid = 'o-demo-supervisor'
    const desk = await openPage(deskId)
    const inst = desk.instance as unknown as Inst
    const shown = () => (desk.instance.data as { list: ComplaintView[] }).list
    expect(textOf(desk, '.tab')).toBe('待处理（25）')
    await inst.onStatus!({ currentTarget: { dataset: { status: 'replied' } } })
    await inst.onStatus!({ currentTarget: { dataset: { status: 'open' } } })
    expect(shown()).toHaveLength(20)
    expect(textOf(desk, '.more')).toContain('加载更多（已显示 20 / 25）')
    await inst.onReachBottom!()
    expect(shown()).toHaveLength(25)
    expect(new Set(shown().map((c) => c.id)).size).toBe(25)
    expect(desk.querySelector('.more')).toBeFalsy()
    expect(textOf(desk, '.end')).toBe('共 25 件')
  })

  it('tells station staff the complaints are not theirs to read', async () => {
    openid = 'o-demo-head-village'
    const desk = await openPage(deskId)
    expect(textOf(desk, '.error')).toContain('没有权限')
  })
})
