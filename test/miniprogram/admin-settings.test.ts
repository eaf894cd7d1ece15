import { useTransport } from '../../miniprogram/services/api'
import { fetchSettings } from '../../miniprogram/services/admin'
import { loadComponent, openPage, textOf } from './helpers'
import { cuttable, expectLoadCycle } from './reload'
import { startBackend, type Backend } from './local-backend'

const settingsId = loadComponent('manage/settings/index')
let backend: Backend
let openid = 'o-demo-admin'
type Inst = Record<string, (...a: unknown[]) => Promise<void> | void>
type Field = { key: string; value: number }

let net: ReturnType<typeof cuttable>

beforeAll(async () => {
  backend = await startBackend('2026-12-01T10:00:00+08:00')
  net = cuttable(backend.transport(() => openid))
  useTransport(net.transport)
}, 30_000)
afterAll(() => backend.stop())

describe('期限与预约设置', () => {
  it('shows the current values in working days, days and hours, and saves them', async () => {
    const page = await openPage(settingsId)
    const inst = page.instance as unknown as Inst
    const fields = () => (page.instance.data as { fields: Field[] }).fields
    const at = (key: string) => fields().findIndex((f) => f.key === key)
    expect(Object.fromEntries(fields().map((f) => [f.key, f.value]))).toMatchObject({
      dueSoonDays: 1,
      superviseAfterDays: 3,
      reportAfterDays: 5,
      ratingWindowDays: 7,
      rectifyDays: 5,
      horizonDays: 14,
      minNoticeMinutes: 120,
      cancelCutoffMinutes: 60,
    })
    const change = (key: string, value: number) =>
      inst.onChange!({ currentTarget: { dataset: { index: at(key) } }, detail: value })
    change('reportAfterDays', 3)
    await inst.onSave!({ currentTarget: { dataset: { group: 'reminders' } } })
    expect(textOf(page, '.save-error')).toBe('通报应晚于督办')
    change('reportAfterDays', 6)
    change('rectifyDays', 3)
    await inst.onSave!({ currentTarget: { dataset: { group: 'reminders' } } })
    expect(textOf(page, '.message')).toBe('已保存')
    change('minNoticeMinutes', 60)
    await inst.onSave!({ currentTarget: { dataset: { group: 'booking' } } })
    const saved = await fetchSettings()
    expect(saved.reminders).toMatchObject({ reportAfterDays: 6, rectifyDays: 3 })
    expect(saved.booking.minNoticeMinutes).toBe(60)
  })

  it('sets the 六项指标 targets the KPI page colours against', async () => {
    const page = await openPage(settingsId)
    const inst = page.instance as unknown as Inst
    const fields = () => (page.instance.data as { fields: (Field & { group: string })[] }).fields
    expect(
      Object.fromEntries(
        fields()
          .filter((f) => f.group === 'kpiTargets')
          .map((f) => [f.key, f.value]),
      ),
    ).toEqual({
      organization: 100,
      publication: 100,
      acceptance: 95,
      completion: 95,
      onTime: 95,
      satisfaction: 95,
    })
    expect(textOf(page, '.save-targets')).toBe('保存指标目标')
    const at = fields().findIndex((f) => f.key === 'onTime')
    inst.onChange!({ currentTarget: { dataset: { index: at } }, detail: 90 })
    await inst.onSave!({ currentTarget: { dataset: { group: 'kpiTargets' } } })
    expect(textOf(page, '.message')).toBe('已保存')
    expect((await fetchSettings()).kpiTargets).toMatchObject({ onTime: 90, satisfaction: 95 })
  })

  it('a failed load says why with 重新加载; a failed refresh keeps the values shown', async () => {
    openid = 'o-demo-admin'
    await expectLoadCycle(
      net,
      () => openPage(settingsId),
      (p) => !!p.querySelector('.save-reminders'),
      {
        pull: false,
      },
    )
  })

  it('follows 长辈模式', async () => {
    wx.setStorageSync('ui.elderly', true)
    try {
      const page = await openPage(settingsId)
      expect(page.querySelector('.page.elderly')).toBeTruthy()
    } finally {
      wx.setStorageSync('ui.elderly', false)
    }
  })

  it('is for admins only', async () => {
    openid = 'o-demo-supervisor'
    const page = await openPage(settingsId)
    expect(textOf(page, '.error')).toContain('没有权限')
  })
})
