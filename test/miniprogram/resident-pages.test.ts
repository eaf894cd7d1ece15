import { useTransport, setDemoOpenid } from '../../miniprogram/services/api'
import { isElderlyMode } from '../../miniprogram/services/settings'
import { myStationId, setMyStation } from '../../miniprogram/services/stations'
import { loadComponent, openPage, settle, textOf, type Page } from './helpers'
import { startBackend, type Backend } from './local-backend'

const homeId = loadComponent('pages/home/index')
const itemId = loadComponent('pages/item/index')
const mineId = loadComponent('pages/mine/index')
let backend: Backend
let openid = 'o-demo-resident-1'

beforeAll(async () => {
  backend = await startBackend('2026-12-01T10:00:00+08:00')
  useTransport(backend.transport(() => openid))
}, 30_000)
afterAll(() => backend.stop())

const text = textOf
const open = openPage
const all = (page: Page, sel: string) => page.querySelectorAll(sel).map((n) => n.dom!.textContent)

describe('首页', () => {
  it('asks a new resident to pick their service room, then shows hotline and duty', async () => {
    setMyStation('')
    const page = await open(homeId)
    expect(text(page, '.pick-title')).toBe('请选择您所在的村（社区）服务室')
    const first = page.querySelector('.choice')!
    expect(page.querySelectorAll('.choice')).toHaveLength(16)
    first.dispatchEvent('click')
    for (let i = 0; i < 50 && !text(page, '.station-name'); i++) await settle(20)
    expect(myStationId()).not.toBe('')
    expect(text(page, '.station-name')).toContain('服务室')
    const hotline = page.querySelector('.hotline')!
    expect(hotline.querySelector('.phone')!.dom!.textContent).toMatch(/^0851-/)
    // Tuesday 2026-12-01: someone from the rota is on duty (named; the call goes to the hotline).
    expect(all(page, '.agent-name').length).toBeGreaterThan(0)
  })

  it('opens the station a QR code points to', async () => {
    const page = await open(homeId, { scene: encodeURIComponent('s=QS-HY') })
    expect(myStationId()).toBe('st-qingshan-hongyan')
    expect(text(page, '.station-name')).toContain('红岩')
  })
})

describe('长辈模式 offered, hotline kept offline', () => {
  it('asks once on first launch; the answer sticks, and the home page switches it back and forth', async () => {
    wx.clearStorageSync()
    setMyStation('st-qingshan-hongyan')
    const first = await open(homeId)
    expect(text(first, '.ask-title')).toBe('字看得清吗？')
    first.querySelector('.ask-btn.yes')!.dispatchEvent('tap')
    await settle()
    expect(isElderlyMode()).toBe(true)
    expect(first.querySelector('.ask')).toBeUndefined()
    expect(first.querySelector('.page')!.dom!.className).toContain('elderly')
    const again = await open(homeId)
    expect(again.querySelector('.ask')).toBeUndefined()
    expect(text(again, '.mode-toggle')).toBe('标准字体')
    again.querySelector('.mode-toggle')!.dispatchEvent('tap')
    await settle()
    expect(isElderlyMode()).toBe(false)
    expect(again.querySelector('.page')!.dom!.className).not.toContain('elderly')
  })

  it('keeps the hotline on screen with no network: the station last seen', async () => {
    useTransport(() => Promise.reject(new Error('offline')))
    try {
      const page = await open(homeId)
      expect(text(page, '.error .message')).toBe('网络不给力，请检查网络后重试')
      expect(page.querySelector('.hotline')!.querySelector('.phone')!.dom!.textContent).toBe('0851-86231201')
    } finally {
      useTransport(backend.transport(() => openid))
    }
  })
})

describe('事项详情', () => {
  it('shows materials, steps, time limit, fee and the supervision hotline', async () => {
    setMyStation('st-qingshan-hongyan')
    const page = await open(itemId, { id: 'it-MZ-001' })
    expect(text(page, '.name')).toBe('最低生活保障申请')
    expect(all(page, '.mname').length).toBeGreaterThanOrEqual(3)
    // The steps as numbered lines of their own (not van-steps, whose 18 px line overlapped 长辈模式).
    const steps = all(page, '.step-text')
    expect(steps.length).toBeGreaterThanOrEqual(2)
    expect(steps[0]).not.toMatch(/^1\./)
    expect(all(page, '.step-no')[0]).toBe('1')
    expect(text(page, '.fee')).toBe('无偿')
    expect(text(page, '.limit')).toMatch(/个工作日/)
    expect(text(page, '.supervise')).toBe('监督电话：0851-12345678')
    expect(text(page, '.handling')).toContain('您不用跑')
  })

  it('explains a missing item in plain words', async () => {
    const page = await open(itemId, { id: 'it-NOPE' })
    expect(text(page, '.error .message')).toBe('未找到该代理事项，可能已调整，请返回列表查看')
  })
})

describe('我的', () => {
  it('switches elderly mode and remembers it', async () => {
    const page = await open(mineId)
    expect(isElderlyMode()).toBe(false)
    page.querySelector('.elderly-switch')!.dispatchEvent('change', { detail: true })
    await settle()
    expect(isElderlyMode()).toBe(true)
    expect(page.querySelector('.page')!.dom!.className).toContain('elderly')
    // The home page then shows one duty line and four big doors instead of lists.
    const home = await open(homeId)
    expect(all(home, '.big')).toEqual(['我要办事', '我的申请', '请代理员上门', '预约时间去办'])
    expect(home.querySelectorAll('.entries')).toHaveLength(0)
    expect(text(home, '.duty-line')).toMatch(/^今天值班：/)
  })

  it('keeps the cadre-only binding out of the way: a plain row until tapped', async () => {
    const page = await open(mineId)
    expect(page.querySelector('.bind-btn')).toBeUndefined()
    page.querySelector('.bind-open')!.dispatchEvent('click')
    await settle()
    expect(page.querySelector('.bind-btn')).toBeDefined()
  })

  it('shows a staff member who they are, and refuses a wrong invitation code in Chinese', async () => {
    openid = 'o-demo-head-village'
    setDemoOpenid(openid)
    const staff = await open(mineId)
    for (let i = 0; i < 50 && !text(staff, '.who').includes('·'); i++) await settle(20)
    expect(text(staff, '.who')).toContain('红岩')
    openid = 'o-demo-resident-2'
    const resident = await open(mineId)
    for (let i = 0; i < 50 && text(resident, '.who') !== '群众用户'; i++) await settle(20)
    ;(resident.instance as unknown as { onCode(e: { detail: string }): void }).onCode({ detail: 'ABCDEFGH' })
    await (resident.instance as unknown as { onBind(): Promise<void> }).onBind()
    expect(resident.instance.data).toMatchObject({ codeError: '邀请码不存在，请向管理员核对' })
  })
})
