import { useTransport } from '../../miniprogram/services/api'
import { loadComponent, openPage, settle, textOf } from './helpers'
import { startBackend, type Backend } from './local-backend'

// Its own file: simulate cannot register the shared hotline-card for two pages in one file.
const stationId = loadComponent('pages/station/index')
let backend: Backend

beforeAll(async () => {
  backend = await startBackend('2026-12-01T10:00:00+08:00')
  useTransport(backend.transport(() => 'o-demo-resident-1'))
}, 30_000)
afterAll(() => backend.stop())

const text = textOf
const open = openPage

describe('服务站', () => {
  it('shows the chain, agents with masked phones and reception days; navigates with openLocation', async () => {
    const page = await open(stationId, { id: 'st-qingshan' })
    expect(text(page, '.chain')).toContain('清河区为民服务中心')
    const openLocation = jest.fn(() => Promise.resolve({ errMsg: 'openLocation:ok' }))
    ;(wx as unknown as { openLocation: jest.Mock }).openLocation = openLocation
    page.querySelector('.addr')!.dispatchEvent('tap')
    await settle()
    expect(openLocation).toHaveBeenCalledWith(
      expect.objectContaining({ name: '青山镇为民服务站', latitude: expect.any(Number) }),
    )
    expect(page.querySelector('.reception-group')).toBeDefined()
    expect(page.querySelectorAll('.agent').length).toBeGreaterThanOrEqual(2)
    await (page.instance as unknown as { onQrcode(): Promise<void> }).onQrcode()
    expect(page.querySelector('.qr')).toBeDefined()
    const qr = (page.instance.data as { qrUrl: string }).qrUrl
    expect(qr).toMatch(/\/storage\/files\/qrcode\/QS\.png\?t=\d+&sign=/)
    const agents = (page.instance.data as { station: { agents: { maskedPhone: string }[] } }).station.agents
    expect(agents.every((a) => /^\d{3}\*{4}\d{4}$/.test(a.maskedPhone))).toBe(true)
    expect(page.querySelector('.hotline')!.querySelector('.phone')!.dom!.textContent).toMatch(/^0851-/)
  })
})
