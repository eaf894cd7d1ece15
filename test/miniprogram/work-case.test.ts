/**
 * The agent's case page (办理) with the real backend: the resident's photos, a checklist of the
 * item's materials that fills the 材料接收单, the history, confirmation before 不予受理 and 上报,
 * feedback beside the button pressed, and the handler named when the case is not the caller's.
 */
import { callApi, newRequestId, setDemoOpenid, useTransport } from '../../miniprogram/services/api'
import type { CaseView } from '../../typings/api'
import { loadComponent, openPage, settle, textOf, type Page } from './helpers'
import { startBackend, type Backend } from './local-backend'

const handleId = loadComponent('work/case/index')
let backend: Backend
let openid = 'o-demo-resident-1'
const RESIDENT = 'o-demo-resident-1'
const AGENT = 'o-demo-agent-village'
const HEAD = 'o-demo-head-village'
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==',
  'base64',
)
type Inst = Record<string, (...a: unknown[]) => Promise<void> | void>
const w = wx as unknown as Record<string, jest.Mock>

beforeAll(async () => {
  backend = await startBackend('2026-11-30T10:00:00+08:00')
  useTransport(backend.transport(() => openid))
}, 30_000)
afterAll(() => backend.stop())

/** A 临时救助 case filed by the resident with one photo really uploaded to storage. */
async function aCaseWithPhoto(description = '家里遭了火灾，想申请临时救助'): Promise<CaseView> {
  openid = RESIDENT
  setDemoOpenid(RESIDENT)
  const { uploadDir } = await callApi('me.profile', {})
  const fileId = await backend.upload(RESIDENT, `${uploadDir}/req-page/abcdefgh12.png`, PNG)
  return callApi(
    'cases.submit',
    {
      itemId: 'it-MZ-003',
      stationId: 'st-qingshan-hongyan',
      description,
      applicantName: '王秀英',
      applicantPhone: '13912345678',
      attachments: [fileId],
    },
    newRequestId(),
  )
}

async function openAs(who: string, id: string): Promise<Page> {
  openid = who
  setDemoOpenid(who)
  return openPage(handleId, { id })
}

const text = textOf
const all = (page: Page, sel: string) => page.querySelectorAll(sel).map((n) => n.dom!.textContent!.trim())

describe('accepting a case at the counter', () => {
  it('shows the photos and the materials to tick; the ticked ones are on the receipt', async () => {
    const c = await aCaseWithPhoto()
    const page = await openAs(AGENT, c.id)
    // The photo opens through a temporary URL the function issued to the case's agent.
    const img = page.querySelector('.photo')!.dom as HTMLElement
    // (simulate keeps an image's src as a property; the tap previews data-url, the same URL.)
    expect(img.getAttribute('data-url')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/storage\/files\//)
    expect(text(page, '.photos-title')).toContain('1 张')
    expect(text(page, '.owner')).toBe('由您承办')
    const materials = all(page, '.material')
    expect(materials.length).toBeGreaterThan(1)
    expect(materials[0]).toMatch(/（(原件|复印件|原件或复印件)/)
    // The history is on the page: the resident's submission, by name.
    expect(text(page, '.event-what')).toBe('王秀英 提交申请')

    // The agent ticks the first two materials (the checkbox rows, as a tap on them would).
    const names = (page.instance.data as { checks: { name: string }[] }).checks.map((m) => m.name)
    const inst = page.instance as unknown as Inst
    inst.onReceived!({ detail: names.slice(0, 2) })
    await settle()
    expect(
      page
        .querySelectorAll('.material')
        .filter((m) => m.dom!.innerHTML.includes('van-checkbox__icon--checked')),
    ).toHaveLength(2)
    await inst.onAccept!()
    // Feedback where the accept card was; the receipt lists what was handed over.
    expect(text(page, '.done-message')).toBe('已受理，材料接收单已生成（已收 2 项材料）')
    expect(text(page, '.receipt')).toContain(`已收材料：${names.slice(0, 2).join('、')}`)
    // Newest first: 受理 on top.
    expect(all(page, '.event-what')[0]).toMatch(/ 受理$/)
  })

  it('asks before 不予受理: cancelling leaves the case as it was, and a missing reason is said under the button', async () => {
    const c = await aCaseWithPhoto('想咨询一下别的事情')
    const page = await openAs(AGENT, c.id)
    const inst = page.instance as unknown as Inst
    w.showModal = jest.fn(() => Promise.resolve({ confirm: false, cancel: true, content: '' }))
    await inst.onReject!()
    expect(w.showModal).not.toHaveBeenCalled()
    expect(text(page, '.refuse .message')).toBe('请先写明不予受理的理由，群众会看到')
    inst.onReason!({ detail: '不属于代理范围' })
    await inst.onReject!()
    expect(w.showModal).toHaveBeenCalledWith(
      expect.objectContaining({ title: '不予受理', confirmText: '不予受理' }),
    )
    expect(page.querySelector('.accept')).toBeDefined()
    expect((await callApi('cases.get', { caseId: c.id })).state).toBe('submitted')
    w.showModal = jest.fn(() => Promise.resolve({ confirm: true, cancel: false, content: '' }))
    await inst.onReject!()
    expect(text(page, '.done-message')).toBe('已作不予受理处理')
    expect(page.querySelector('.accept')).toBeUndefined()
  })

  it('asks before 上报 after acceptance, then says so where the button was', async () => {
    const c = await aCaseWithPhoto('火灾救助，村里办不了')
    const page = await openAs(AGENT, c.id)
    const inst = page.instance as unknown as Inst
    await inst.onAccept!()
    expect(page.querySelector('.escalate')).toBeDefined()
    w.showModal = jest.fn(() => Promise.resolve({ confirm: false, cancel: true, content: '' }))
    await inst.onEscalate!()
    expect(w.showModal).toHaveBeenCalledWith(expect.objectContaining({ title: '上报上级办理' }))
    expect(page.querySelector('.escalate')).toBeDefined()
    w.showModal = jest.fn(() => Promise.resolve({ confirm: true, cancel: false, content: '' }))
    await inst.onEscalate!()
    expect(text(page, '.done-message')).toBe('已上报上级服务站')
    expect(page.querySelector('.escalate')).toBeUndefined()
    expect(text(page, '.state-label')).toBe('已上报')
  })
})

describe('a case that is not yours', () => {
  it('names its agent for the station head, who still sees the photos', async () => {
    const c = await aCaseWithPhoto('烧坏了家具')
    const mine = await openAs(AGENT, c.id)
    const agentName = (mine.instance.data as { c: CaseView }).c.handler!.name
    const page = await openAs(HEAD, c.id)
    expect(text(page, '.owner')).toBe(`承办人：${agentName}（不是您承办的申请）`)
    expect(page.querySelectorAll('.photo')).toHaveLength(1)
  })
})
