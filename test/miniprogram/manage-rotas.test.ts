/**
 * 值班表 keeps what was not saved: saving 领导接待日 (or 特殊日期) re-reads the page, and the duty
 * grid's unsaved taps must survive it — against the real backend.
 */
import { useTransport } from '../../miniprogram/services/api'
import { loadComponent, openPage, settle, textOf, type Page } from './helpers'
import { startBackend, type Backend } from './local-backend'

const rotasId = loadComponent('manage/rotas/index')
let backend: Backend
type Inst = Record<string, (...a: unknown[]) => Promise<void> | void>
const inst = (p: Page) => p.instance as unknown as Inst
const ev = (dataset: Record<string, unknown>) => ({ currentTarget: { dataset } })
type Data = {
  rows: { cells: { on: boolean }[] }[]
  dirty: boolean
  leaderDirty: boolean
  sched: { hosts: { id: string }[] }
  leaderPeriods: { text: string }[]
}

beforeAll(async () => {
  backend = await startBackend('2026-12-01T10:00:00+08:00')
  useTransport(backend.transport(() => 'o-demo-admin'))
}, 30_000)
afterAll(() => backend.stop())

it('saving 领导接待日 keeps the duty grid’s unsaved taps, which then save too', async () => {
  const page = await openPage(rotasId, { stationId: 'st-qingshan-shimen' })
  const d = () => page.instance.data as Data
  const before = d().rows[0]!.cells[1]!.on
  inst(page).onToggle!(ev({ row: 0, col: 1 }))
  expect(d().dirty).toBe(true)

  inst(page).onHost!({ detail: { value: d().sched.hosts.findIndex((h) => h.id === 'ag-qs-sm-1') } })
  inst(page).onLeaderDay!(ev({ day: 4 }))
  inst(page).onAddLeader!()
  await inst(page).onSaveLeader!()
  await settle()
  expect(textOf(page, '.message')).toContain('领导接待日已保存')
  expect(d().leaderDirty).toBe(false)
  expect(d().leaderPeriods.map((p) => p.text)).toEqual([expect.stringMatching(/^周四 /)])
  // The grid tap is still there, still to be saved.
  expect(d().rows[0]!.cells[1]!.on).toBe(!before)
  expect(d().dirty).toBe(true)

  await inst(page).onSave!()
  await settle()
  expect(textOf(page, '.message')).toBe('已保存')
  const again = await openPage(rotasId, { stationId: 'st-qingshan-shimen' })
  expect((again.instance.data as Data).rows[0]!.cells[1]!.on).toBe(!before)
  expect((again.instance.data as Data).leaderPeriods.map((p) => p.text)).toEqual([
    expect.stringMatching(/^周四 /),
  ])
})
