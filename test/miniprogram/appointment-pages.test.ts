import type { BookingView, DeskDay } from '../../typings/api'
import { callApi, useTransport } from '../../miniprogram/services/api'
import { setMyStation } from '../../miniprogram/services/stations'
import { loadComponent, openPage, textOf } from './helpers'
import { startBackend, type Backend } from './local-backend'
import { cuttable, expectLoadCycle } from './reload'

const bookId = loadComponent('pages/book/index')
const mineId = loadComponent('pages/appointments/index')
const visitId = loadComponent('pages/visit/index')
const deskId = loadComponent('work/appointments/index')
const scheduleId = loadComponent('work/schedule/index')
let backend: Backend
let net: ReturnType<typeof cuttable>
let openid = 'o-demo-resident-1'
type Inst = Record<string, (...a: unknown[]) => Promise<void> | void>
const tap = (dataset: Record<string, unknown>, detail: unknown = {}) => ({
  currentTarget: { dataset },
  detail,
})
const w = wx as unknown as Record<string, jest.Mock>
const redirects: string[] = []
const navigations: string[] = []

beforeAll(async () => {
  // Tuesday 2026-12-01, 10:00 Shanghai.
  backend = await startBackend('2026-12-01T10:00:00+08:00')
  net = cuttable(backend.transport(() => openid))
  useTransport(net.transport)
  setMyStation('st-qingshan-hongyan')
  w.redirectTo = jest.fn((o: { url: string }) => (redirects.push(o.url), Promise.resolve()))
  w.navigateTo = jest.fn((o: { url: string }) => (navigations.push(o.url), Promise.resolve()))
  w.showModal = jest.fn(() => Promise.resolve({ confirm: true, content: '' }))
  w.requestSubscribeMessage = jest.fn(() =>
    Promise.resolve({ 'TPL-APPOINTMENT': 'accept', 'TPL-VISIT': 'reject' }),
  )
}, 30_000)
afterAll(() => backend.stop())

const open = (query: Record<string, string> = {}) => openPage(bookId, query)
const idFrom = (url: string) => decodeURIComponent(/done=([^&]+)/.exec(url)![1]!)

describe('booking page', () => {
  it('asks for the reminder templates again on the next load when the first ask failed', async () => {
    let asks = 0
    useTransport(async (fn, event) => {
      if ((event as { action: string }).action === 'notify.templates' && ++asks === 1)
        throw new Error('offline')
      return net.transport(fn, event)
    })
    try {
      const page = await open()
      expect((page.instance.data as { noticesReady: boolean }).noticesReady).toBe(false)
      await (page.instance as unknown as Inst).reload!()
      expect(asks).toBe(2)
      expect((page.instance.data as { noticesReady: boolean }).noticesReady).toBe(true)
      await (page.instance as unknown as Inst).reload!()
      expect(asks).toBe(2)
    } finally {
      useTransport(net.transport)
    }
  })

  it('shows open days and slots with places left, and books one', async () => {
    const page = await open()
    const data = page.instance.data as { days: { day: string }[]; schedules: unknown[] }
    expect(data.schedules).toHaveLength(1)
    expect(data.days[0]!.day).toBe('2026-12-01') // today, from 12:00 on (2 hours notice)
    expect(page.querySelectorAll('.kind').length).toBe(0) // one schedule: no chooser
    expect(textOf(page, '.day-label')).toBe('12月1日 周二')
    expect(page.querySelectorAll('.slot').length).toBe(3) // 14:00, 15:00, 16:00
    expect(textOf(page, '.slot-time')).toBe('14:00-15:00')
    expect(textOf(page, '.slot-left')).toBe('剩 3 个')
    const inst = page.instance as unknown as Inst
    await inst.onSubmit!()
    expect(textOf(page, '.error')).toBe('请先选择预约时段')
    inst.onDay!(tap({ index: 1 }))
    const key = 'st-qingshan-hongyan:2026-12-02:09:00'
    inst.onSlot!(tap({ key }))
    expect(textOf(page, '.chosen')).toBe('已选：12月2日 周三 09:00-09:30')
    await inst.onSubmit!()
    expect((page.instance.data as { errors: Record<string, string> }).errors).toMatchObject({
      name: '请填写联系人姓名',
    })
    inst.onInput!(tap({ field: 'name' }, '王秀英'))
    inst.onInput!(tap({ field: 'phone' }, '13912345678'))
    await inst.onSubmit!()
    expect(redirects.at(-1)).toMatch(/^\/pages\/appointments\/index\?done=bk-/)
    expect(w.requestSubscribeMessage).toHaveBeenCalledWith({
      tmplIds: ['TPL-APPOINTMENT', 'TPL-APPOINTMENT-CHANGED'], // from the server's mapping
    })
  })

  it('offers the 领导接待日 as a second choice at a township with its host', async () => {
    const page = await open({ stationId: 'st-qingshan' })
    expect(page.querySelectorAll('.kind').length).toBe(2)
    const inst = page.instance as unknown as Inst
    inst.onSchedule!(tap({ index: 1 }))
    const data = page.instance.data as { days: { day: string }[] }
    expect(data.days.map((d) => d.day)).toEqual(['2026-12-08', '2026-12-15'])
    expect(page.querySelectorAll('.kind-host').length).toBe(1)
  })
})

describe('my appointments', () => {
  it('lists the booking with where and when; reschedules and cancels it', async () => {
    const id = idFrom(redirects.at(-1)!)
    const page = await openPage(mineId, { done: id })
    expect(textOf(page, '.done')).toContain('预约成功')
    expect(textOf(page, '.when')).toBe('12月2日 周三 09:00-09:30')
    expect(textOf(page, '.status')).toBe('已预约')
    const inst = page.instance as unknown as Inst
    inst.onReschedule!(tap({ id }))
    expect(navigations.at(-1)).toBe(`/pages/book/index?stationId=st-qingshan-hongyan&reschedule=${id}`)

    const book = await open({ stationId: 'st-qingshan-hongyan', reschedule: id })
    expect(textOf(book, '.tip')).toContain('原预约会自动取消')
    const b = book.instance as unknown as Inst
    b.onDay!(tap({ index: 2 }))
    b.onSlot!(tap({ key: 'st-qingshan-hongyan:2026-12-03:10:00' }))
    await b.onSubmit!()
    const moved = idFrom(redirects.at(-1)!)
    expect(moved).not.toBe(id)

    const after = await openPage(mineId)
    const list = (after.instance.data as { list: BookingView[] }).list
    expect(list.map((x) => [x.whenText, x.statusLabel])).toEqual([
      ['12月3日 周四 10:00-10:30', '已预约'],
      ['12月2日 周三 09:00-09:30', '已改期'],
    ])
    await (after.instance as unknown as Inst).onCancel!(tap({ id: moved }))
    expect(w.showModal).toHaveBeenCalled()
    expect((after.instance.data as { list: BookingView[] }).list[0]!.statusLabel).toBe('已取消')
  })
})

describe('home visit request and the agent day view', () => {
  it('a resident asks for a visit on preferred half days (at most 3)', async () => {
    const page = await openPage(visitId, { itemId: 'it-MZ-003' })
    const data = page.instance.data as { days: { day: string }[] }
    expect(data.days[0]!.day).toBe('2026-12-02') // from tomorrow, by the server's day
    const inst = page.instance as unknown as Inst
    for (const [index, part] of [
      [0, 'am'],
      [0, 'pm'],
      [1, 'am'],
      [2, 'am'],
    ] as const)
      inst.onPart!(tap({ index, part }))
    expect(textOf(page, '.error')).toBe('最多选择 3 个方便的时间')
    inst.onPart!(tap({ index: 0, part: 'pm' })) // deselect
    for (const [f, v] of [
      ['name', '李桂兰'],
      ['phone', '13700001111'],
      ['address', '红岩村五组 3 号'],
    ])
      inst.onInput!(tap({ field: f }, v))
    await inst.onSubmit!()
    expect(redirects.at(-1)).toMatch(/done=bk-/)
  })

  it('the agent sees the request, schedules it, and marks today’s arrivals', async () => {
    openid = 'o-demo-resident-2'
    const b = await openPage(bookId, { stationId: 'st-qingshan-hongyan' })
    const bi = b.instance as unknown as Inst
    bi.onSlot!(tap({ key: 'st-qingshan-hongyan:2026-12-01:14:00' }))
    bi.onInput!(tap({ field: 'name' }, '张大爷'))
    bi.onInput!(tap({ field: 'phone' }, '13800002222'))
    await bi.onSubmit!()

    openid = 'o-demo-agent-village'
    const page = await openPage(deskId)
    const desk = () => (page.instance.data as { desk: DeskDay }).desk
    expect(textOf(page, '.title')).toBe('12月1日 周二（今天）')
    expect(desk().list.map((x) => [x.start, x.name])).toEqual([['14:00', '张大爷']])
    expect(page.querySelectorAll('.arrive').length).toBe(0) // more than an hour ahead
    expect(desk().visitRequests).toHaveLength(1)
    expect(textOf(page, '.window')).toBe('12月2日 周三上午')
    const inst = page.instance as unknown as Inst
    const reqId = desk().visitRequests[0]!.id
    inst.onPlan!(tap({ id: reqId }))
    inst.onWindow!(tap({ id: reqId, index: 1 }))
    inst.onTime!({ detail: { value: '10:30' } })
    await inst.onConfirm!()
    expect(desk().visitRequests).toHaveLength(0)
    await inst.onNext!()
    expect(desk().list).toEqual([])
    await inst.onNext!()
    expect(desk().list.map((x) => [x.start, x.statusLabel])).toEqual([['10:30', '已确认上门']])

    await backend.setClock('2026-12-01T13:55:00+08:00')
    await inst.onToday!()
    expect(page.querySelectorAll('.arrive').length).toBe(1)
    await inst.onMark!(tap({ id: desk().list[0]!.id, outcome: 'arrived' }))
    expect(desk().list[0]!.statusLabel).toBe('已到场')
    expect(desk().counts).toMatchObject({ arrived: 1, waiting: 0 })
  })
})

describe('opening hours editor', () => {
  it('a head drops the afternoons and closes a day; booked residents are cancelled after a confirmation', async () => {
    openid = 'o-demo-resident-1'
    await callApi('appointments.book', {
      slotKey: 'st-qingshan-hongyan:2026-12-02:15:00',
      name: '王秀英',
      phone: '13912345678',
    })
    openid = 'o-demo-head-village'
    const page = await openPage(scheduleId)
    const inst = page.instance as unknown as Inst
    expect(textOf(page, '.station')).toBe('红岩村为民服务室')
    expect(page.querySelectorAll('.period-text').length).toBe(2)
    expect(textOf(page, '.period-text')).toBe('周一至周五 09:00-11:30 · 每 30 分钟 · 每段 5 人')
    inst.onRemovePeriod!(tap({ index: 1 }))
    inst.onAddClosed!({ detail: { value: '2026-12-10' } })
    w.showModal!.mockClear()
    w.showToast = jest.fn()
    await inst.onSaveTap!()
    expect(w.showModal).toHaveBeenCalledWith(
      expect.objectContaining({ content: expect.stringContaining('调整后有 1 个已预约的时段不再开放') }),
    )
    expect(w.showToast).toHaveBeenCalledWith(
      expect.objectContaining({ title: '已保存，已取消 1 个预约并通知群众' }),
    )
    expect(page.querySelectorAll('.period-text').length).toBe(2) // morning period + the closed date
    expect((page.instance.data as { closed: string[] }).closed).toEqual(['2026-12-10'])

    openid = 'o-demo-resident-1'
    const mine = await openPage(mineId)
    expect((mine.instance.data as { list: BookingView[] }).list[0]).toMatchObject({
      whenText: '12月2日 周三 15:00-16:00',
      statusLabel: '已取消',
    })
    expect(textOf(mine, '.hint')).toBe('服务站调整了开放时间，请重新预约')
  })

  it('is refused to an agent who is not the head', async () => {
    openid = 'o-demo-agent-village'
    const page = await openPage(scheduleId)
    expect(textOf(page, '.error')).toContain('没有权限')
  })
})

describe('when the network fails', () => {
  it('the booking page says so with 重新加载, and a refresh keeps the chosen time', async () => {
    openid = 'o-demo-resident-1'
    const page = await expectLoadCycle(
      net,
      () => open({ stationId: 'st-qingshan-hongyan' }),
      (p) => p.querySelectorAll('.slot').length > 0,
    )
    const inst = page.instance as unknown as Inst
    const key = 'st-qingshan-hongyan:2026-12-04:09:00'
    inst.onDay!(
      tap({
        index: (page.instance.data as { days: { day: string }[] }).days.findIndex(
          (d) => d.day === '2026-12-04',
        ),
      }),
    )
    inst.onSlot!(tap({ key }))
    await inst.onPullDownRefresh!()
    expect(textOf(page, '.error')).toBe('')
    expect(textOf(page, '.chosen')).toBe('已选：12月4日 周五 09:00-09:30')
  })

  it('my appointments say so with 重新加载 and keep the list', async () => {
    openid = 'o-demo-resident-1'
    await expectLoadCycle(
      net,
      () => openPage(mineId),
      (p) => p.querySelectorAll('.card').length > 0,
    )
  })

  it('the agent day view says so with 重新加载 and keeps the day', async () => {
    openid = 'o-demo-agent-village'
    await expectLoadCycle(
      net,
      () => openPage(deskId),
      (p) => !!p.querySelector('.title'),
    )
  })

  it('the opening hours editor says so with 重新加载 and keeps the schedule', async () => {
    openid = 'o-demo-head-village'
    await expectLoadCycle(
      net,
      () => openPage(scheduleId),
      (p) => !!p.querySelector('.station'),
      {
        pull: false,
      },
    )
  })
})
