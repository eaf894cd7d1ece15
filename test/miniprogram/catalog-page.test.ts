import simulate from 'miniprogram-simulate'
import { useTransport } from '../../miniprogram/services/api'
import { setElderlyMode } from '../../miniprogram/services/settings'
import { loadComponent, settle } from './helpers'
import { startBackend, type Backend } from './local-backend'
import { cuttable, expectLoadCycle } from './reload'

const pageId = loadComponent('pages/catalog/index')
let backend: Backend
let net: ReturnType<typeof cuttable>

beforeAll(async () => {
  backend = await startBackend()
  net = cuttable(backend.transport(() => 'o-demo-resident-1'))
  useTransport(net.transport)
}, 30_000)
afterAll(() => backend.stop())

type Page = ReturnType<typeof simulate.render>

async function openPage(): Promise<Page> {
  const page = simulate.render(pageId)
  page.attach(document.createElement('parent-wrapper'))
  await (page.instance as unknown as { onLoad(): Promise<void> }).onLoad()
  return page
}

const names = (page: Page) => page.querySelectorAll('.item .name').map((n) => n.dom!.textContent)

async function until(page: Page, check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await settle(20)
  expect(check()).toBe(true)
}

describe('办事 page with the demo district', () => {
  it('lists the service catalog, 20 per page, and loads more at the bottom', async () => {
    const page = await openPage()
    expect(names(page)).toHaveLength(20)
    expect(page.querySelector('.item .limit')!.dom!.textContent).toMatch(/即办|\d+ 个工作日/)
    ;(page.instance as unknown as { onReachBottom(): Promise<void> }).onReachBottom()
    await until(page, () => names(page).length === 40)
  })

  it('searches by pinyin initials', async () => {
    const page = await openPage()
    ;(page.instance as unknown as { onSearch(e: { detail: string }): Promise<void> }).onSearch({
      detail: 'zdshbz',
    })
    await until(page, () => names(page).length === 1)
    expect(names(page)).toEqual(['最低生活保障申请'])
    expect(page.querySelector('.end')!.dom!.textContent).toBe('共 1 项')
  })

  it('switches tiers with a tap', async () => {
    const page = await openPage()
    const districtTab = page.querySelectorAll('.tier').find((t) => t.dom!.textContent === '区')!
    districtTab.dispatchEvent('tap')
    await until(page, () =>
      page.querySelectorAll('.item .tier-label').every((t) => t.dom!.textContent === '区为民服务中心办理'),
    )
    expect(districtTab.dom!.className).toContain('active')
  })

  it('shows an empty state when nothing matches', async () => {
    const page = await openPage()
    ;(page.instance as unknown as { onSearch(e: { detail: string }): Promise<void> }).onSearch({
      detail: '不存在的事项',
    })
    await until(page, () => !!page.querySelector('.empty'))
    expect(names(page)).toEqual([])
  })

  it('shows the latest choice when an earlier answer comes back last', async () => {
    const page = await openPage()
    const real = net.transport
    // The answer for 区 is slow; 全部 is tapped again before it arrives.
    useTransport(async (fn, event) => {
      const slow = (event as { payload?: { tier?: string } }).payload?.tier === 'district'
      if (slow) await new Promise((r) => setTimeout(r, 300))
      return real(fn, event)
    })
    try {
      const tier = (label: string) =>
        page.querySelectorAll('.tier').find((t) => t.dom!.textContent === label)!
      tier('区').dispatchEvent('tap')
      await settle(20)
      tier('全部').dispatchEvent('tap')
      await settle(600)
      const tiers = page.querySelectorAll('.item .tier-label').map((t) => t.dom!.textContent)
      expect(tiers.length).toBe(20)
      expect(tiers.some((t) => t !== '区为民服务中心办理')).toBe(true)
    } finally {
      useTransport(real)
    }
  })

  it('drops a 加载更多 page that arrives after a filter was tapped (it belongs to the old list)', async () => {
    const page = await openPage()
    const real = net.transport
    // Page 2 of 全部 is slow; 区 is tapped before it arrives.
    useTransport(async (fn, event) => {
      const p = (event as { payload?: { page?: number; tier?: string } }).payload
      if (p?.page === 2 && !p.tier) await new Promise((r) => setTimeout(r, 300))
      return real(fn, event)
    })
    try {
      void (page.instance as unknown as { onReachBottom(): Promise<void> }).onReachBottom()
      await settle(20)
      page
        .querySelectorAll('.tier')
        .find((t) => t.dom!.textContent === '区')!
        .dispatchEvent('tap')
      await settle(600)
      const tiers = page.querySelectorAll('.item .tier-label').map((t) => t.dom!.textContent)
      expect(tiers.length).toBeGreaterThan(0)
      expect(tiers.filter((t) => t !== '区为民服务中心办理')).toEqual([])
    } finally {
      useTransport(real)
    }
  })

  it('says a failed load with 重新加载, and keeps the list when a refresh fails', async () => {
    await expectLoadCycle(net, openPage, (page) => names(page).length === 20)
  })

  it('uses large type in elderly mode', async () => {
    setElderlyMode(true)
    const page = await openPage()
    expect(page.querySelector('.page')!.dom!.className).toContain('elderly')
    setElderlyMode(false)
  })
})
