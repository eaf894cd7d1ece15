import type { CaseView } from '../../typings/api'
import { callApi, newRequestId, setDemoOpenid, useTransport } from '../../miniprogram/services/api'
import { useUploader } from '../../miniprogram/services/files'
import { setMyStation } from '../../miniprogram/services/stations'
import { loadComponent, openPage, setPhoneClock, settle, textOf } from './helpers'
import { startBackend, type Backend } from './local-backend'

const applyId = loadComponent('pages/apply/index')
const caseId = loadComponent('pages/case/index')
const rateId = loadComponent('pages/rate/index')
const inboxId = loadComponent('work/inbox/index')
const handleId = loadComponent('work/case/index')
const intakeId = loadComponent('work/intake/index')
const messagesId = loadComponent('pages/messages/index')
const casesId = loadComponent('pages/cases/index')
const overdueId = loadComponent('supervise/overdue/index')
let backend: Backend
let openid = 'o-demo-resident-1'
const uploads: string[] = []

beforeAll(async () => {
  backend = await startBackend('2026-11-30T10:00:00+08:00')
  useTransport(backend.transport(() => openid))
  // The camera roll is outside the mini-program: record what would be uploaded.
  useUploader(async (localPath, cloudPath) => {
    uploads.push(localPath)
    return `cloud://local.local-1250000000/${cloudPath}`
  })
  setMyStation('st-qingshan-hongyan')
}, 30_000)
afterAll(() => backend.stop())

const text = textOf
const open = openPage
type Inst = Record<string, (...a: unknown[]) => Promise<void> | void>

let created = ''

describe('resident applies, follows and rates', () => {
  it('shows the materials, refuses an incomplete form in Chinese, then submits once', async () => {
    const redirect = jest.fn((o: { url: string }) => {
      created = decodeURIComponent(/id=([^&]+)/.exec(o.url)![1]!)
      return Promise.resolve()
    })
    ;(wx as unknown as { redirectTo: jest.Mock }).redirectTo = redirect
    const page = await open(applyId, { itemId: 'it-MZ-003' })
    expect(text(page, '.name')).toBe('临时救助申请')
    expect(page.querySelectorAll('.material').length).toBeGreaterThan(0)
    const inst = page.instance as unknown as Inst
    await inst.onSubmit!()
    expect(page.instance.data).toMatchObject({
      errors: {
        applicantName: '请填写姓名',
        applicantPhone: '请填写手机号，方便代理员联系',
        description: '请填写需求说明',
      },
    })
    inst.onInput!({ currentTarget: { dataset: { field: 'applicantName' } }, detail: '王秀英' })
    inst.onInput!({ currentTarget: { dataset: { field: 'applicantPhone' } }, detail: '13912345678' })
    inst.onInput!({
      currentTarget: { dataset: { field: 'description' } },
      detail: '家里遭了火灾，想申请临时救助',
    })
    await inst.onPhoto!({ detail: { file: { url: 'wxfile://tmp/hukou.jpg' } } })
    expect(uploads).toEqual(['wxfile://tmp/hukou.jpg'])
    await Promise.all([inst.onSubmit!(), inst.onSubmit!()])
    expect(redirect).toHaveBeenCalledTimes(1)
    expect(created).toMatch(/^case-/)
  })

  it('shows progress in plain words with the paired agent, and calls them through a logged read', async () => {
    const page = await open(caseId, { id: created, new: '1' })
    expect(text(page, '.notice')).toContain('提交成功')
    expect(text(page, '.state-label')).toBe('已提交，等代理员接手')
    expect(text(page, '.event-what')).toContain('提交申请')
    // Dates read 11月30日（周一）, never 2026-11-30.
    expect(text(page, '.event-when')).toMatch(/^11月30日（周一） \d{2}:\d{2}$/)
    // The one next step at the top: call the agent. The number is fetched only on the tap.
    expect(text(page, '.call-agent')).toContain('打电话给代理员')
    expect(text(page, '.agent')).not.toMatch(/\d{3}\*{4}\d{4}/)
    const call = jest.fn(() => Promise.resolve({}))
    ;(wx as unknown as { makePhoneCall: jest.Mock }).makePhoneCall = call
    await (page.instance as unknown as Inst).onCallAgent!()
    expect(call).toHaveBeenCalledWith({ phoneNumber: expect.stringMatching(/^1\d{10}$/) })
    // A brand-new case offers no complaint yet.
    expect(page.querySelector('.complain')).toBeUndefined()
  })
})

describe('agent workbench', () => {
  it('lists the new case under 待受理 with a count, accepts it and completes and delivers', async () => {
    openid = 'o-demo-agent-village'
    setDemoOpenid(openid)
    const inbox = await open(inboxId)
    // Nothing overdue or due soon: the workbench opens on 待受理, where the new case is.
    expect(text(inbox, '.tab.active .tab-label')).toBe('待受理')
    expect(Number(text(inbox, '.tab.active .count'))).toBeGreaterThanOrEqual(1)
    expect(text(inbox, '.case .name')).toContain('临时救助申请')
    expect(text(inbox, '.case .who')).toMatch(/^王秀英 · 今天提交$/)
    expect(inbox.querySelectorAll('.case .call').length).toBeGreaterThan(0)
    // The toolbar is one line of short doors; the 2027 calendar banner is for admins.
    expect(inbox.querySelectorAll('.toolbar .tool').map((t) => t.dom!.textContent)).toEqual([
      '代申请',
      '今日预约',
      '开提醒',
    ])
    expect(inbox.querySelector('.calendar-warning')).toBeUndefined()

    const handle = await open(handleId, { id: created })
    const inst = handle.instance as unknown as Inst
    // The full number is fetched only on the tap (and logged on the server).
    const call = jest.fn(() => Promise.resolve({}))
    ;(wx as unknown as { makePhoneCall: jest.Mock }).makePhoneCall = call
    expect(text(handle, '.applicant')).toContain('139****5678')
    await inst.onCallApplicant!()
    expect(call).toHaveBeenCalledWith({ phoneNumber: '13912345678' })
    await inst.onAccept!()
    expect(text(handle, '.message')).toBe('已受理，材料接收单已生成')
    expect(text(handle, '.card')).toMatch(/受理编号：QS-HY-20261130-\d{3}/)
    await inst.onComplete!()
    expect(text(handle, '.message')).toContain('请填写办理结果')
    inst.onResult!({ detail: '已发放临时救助金 2000 元' })
    await inst.onComplete!()
    expect(text(handle, '.message')).toBe('已办结，请尽快送达群众')
    await inst.onDeliver!()
    expect(text(handle, '.message')).toBe('已送达，等待群众评价')
  })
})

describe('walk-in intake', () => {
  it('an agent files for a resident without a smartphone and gets a claim code for the receipt', async () => {
    openid = 'o-demo-agent-village'
    const page = await open(intakeId)
    const inst = page.instance as unknown as Inst
    expect((page.instance.data as { items: unknown[] }).items.length).toBeGreaterThan(10)
    await inst.onSubmit!()
    expect(text(page, '.error')).toBe('请选择代理事项')
    inst.onItem!({ detail: { value: 0 } })
    inst.onInput!({ currentTarget: { dataset: { field: 'applicantName' } }, detail: '赵大爷' })
    inst.onInput!({ currentTarget: { dataset: { field: 'applicantPhone' } }, detail: '13800001111' })
    inst.onInput!({ currentTarget: { dataset: { field: 'description' } }, detail: '电话求助，想咨询政策' })
    await inst.onSubmit!()
    expect(text(page, '.claim-code')).toMatch(/^[ABCDEFGHJKMNPQRSTUVWXYZ2-9]{8}$/)
  })
})

describe('rating', () => {
  it('the applicant rates once with five big choices', async () => {
    openid = 'o-demo-resident-1'
    const detail = await open(caseId, { id: created })
    expect(detail.querySelector('.rate')).toBeDefined()
    ;(wx as unknown as { navigateBack: jest.Mock }).navigateBack = jest.fn(() => Promise.resolve())
    const page = await open(rateId, { id: created })
    expect(page.querySelectorAll('.level').map((l) => l.dom!.textContent)).toEqual([
      '非常满意',
      '满意',
      '基本满意',
      '不满意',
      '非常不满意',
    ])
    page.querySelectorAll('.level')[0]!.dispatchEvent('tap')
    await settle()
    await (page.instance as unknown as Inst).onSubmit!()
    expect(page.instance.data).toMatchObject({ error: '' })
    const after = await open(caseId, { id: created })
    expect(text(after, '.state-label')).toBe('已办完')
    // Newest first: the rating is the top event.
    expect(text(after, '.event-what')).toContain('评价')
    expect(after.querySelector('.rate')).toBeUndefined()
  })
})

describe('我的申请', () => {
  it('lists cases with their dates and states in plain words; the claim-code box waits below, closed', async () => {
    openid = 'o-demo-resident-1'
    const page = await open(casesId)
    const order = [...page.dom!.firstElementChild!.children].map((e) => e.className)
    expect(order.findIndex((c) => c.includes('main--case'))).toBeLessThan(order.indexOf('main--claim'))
    const first = page.dom!.querySelector('.main--case')!
    expect(first.textContent).toContain('临时救助申请')
    expect(text(page, '.when')).toMatch(/^\d+月\d+日（周.）提交$/)
    expect(text(page, '.state-words')).toBe('已办完')
    expect(page.querySelector('.claim-code')).toBeUndefined()
    page.querySelector('.claim-open')!.dispatchEvent('tap')
    await settle()
    expect(page.querySelector('.claim-code')).toBeDefined()
  })
})

describe('messages and supervision', () => {
  it('shows the agent the notices addressed to them and whether they went out', async () => {
    openid = 'o-demo-agent-village'
    const page = await open(messagesId)
    const texts = page.querySelectorAll('.message .text').map((n) => n.dom!.textContent!)
    expect(texts.some((t) => t.includes('临时救助申请'))).toBe(true)
    // What happened in plain words, above the template's details; dates as the app writes them.
    const titles = page.querySelectorAll('.message .title').map((n) => n.dom!.textContent)
    expect(titles).toContain('有一件新申请分给您')
    expect(texts.filter((t) => /\d{4}-\d{2}-\d{2}/.test(t))).toEqual([])
    // No timer has run in this backend yet: the notice waits in the outbox.
    const metas = page.querySelectorAll('.message .meta').map((n) => n.dom!.textContent!)
    expect(metas.some((m) => /^\d+月\d+日（周.） \d{2}:\d{2} · 待发送$/.test(m))).toBe(true)
  })

  it('gives supervisors the overdue list and refuses residents', async () => {
    openid = 'o-demo-supervisor'
    const page = await open(overdueId)
    expect(text(page, '.summary')).toMatch(/^截至 2026-11-30，超期未办结 \d+ 件$/)
    openid = 'o-demo-resident-1'
    const refused = await open(overdueId)
    expect(text(refused, '.error')).toBe('您没有权限进行此操作')
  })
})

describe('an overdue case', () => {
  it('says so in the headline on the case page and in 我的申请, not 正在为您办理', async () => {
    openid = 'o-demo-resident-1'
    let c: CaseView = await callApi(
      'cases.submit',
      {
        itemId: 'it-MZ-003',
        stationId: 'st-qingshan-hongyan',
        description: '想申请临时救助',
        applicantName: '王秀英',
        applicantPhone: '13912345678',
      },
      newRequestId(),
    )
    openid = 'o-demo-agent-village'
    c = await callApi('cases.accept', { caseId: c.id, version: c.version, handling: 'promised' })
    // Three days after the promised day, on the server and on the phone (the page counts from it).
    const later = new Date(Date.parse(`${c.dueDay}T10:00:00+08:00`) + 3 * 86_400_000)
    await backend.setClock(later.toISOString())
    // Only the phone's clock is fixed: timers stay real for the backend's replies.
    setPhoneClock(later)
    try {
      openid = 'o-demo-resident-1'
      const page = await open(caseId, { id: c.id })
      expect(text(page, '.state-label')).toBe('已超期，正在催办')
      expect(text(page, '.late-line')).toMatch(/^已超过承诺期限 3 天，还没有办好/)
      const mine = await open(casesId)
      expect(text(mine, '.name')).toBe('临时救助申请') // newest first: this case
      expect(text(mine, '.state-words')).toBe('已超期，正在催办')
      expect(text(mine, '.line')).toBe('已超过承诺期限 3 天，还没有办好')
    } finally {
      jest.useRealTimers()
    }
  })
})

describe('coming back to the workbench', () => {
  it('follows 长辈模式 switched elsewhere and shows the cases that came in meanwhile', async () => {
    openid = 'o-demo-agent-village'
    const inbox = await open(inboxId, {})
    const inst = inbox.instance as unknown as Inst
    const data = () =>
      inbox.instance.data as { loading: boolean; tab: string; counts: Record<string, number> }
    await inst.onTab!({ currentTarget: { dataset: { tab: 'pending' } } })
    const pending = data().counts.pending ?? 0
    expect(inbox.querySelector('.page')!.dom!.className).not.toContain('elderly')

    // Meanwhile a resident applies, and the agent switches 长辈模式 on in 我的.
    openid = 'o-demo-resident-1'
    await callApi(
      'cases.submit',
      {
        itemId: 'it-MZ-003',
        stationId: 'st-qingshan-hongyan',
        description: '想问问低保怎么申请',
        applicantName: '李大娘',
        applicantPhone: '13700001234',
      },
      newRequestId(),
    )
    openid = 'o-demo-agent-village'
    wx.setStorageSync('ui.elderly', true)
    try {
      await inst.onShow!()
      for (let i = 0; i < 100 && data().loading; i++) await settle(20)
      expect(inbox.querySelector('.page')!.dom!.className).toContain('elderly')
      expect(data().tab).toBe('pending')
      expect(data().counts.pending).toBe(pending + 1)
    } finally {
      wx.setStorageSync('ui.elderly', false)
    }
  })
})
