/**
 * The admin subpackage (manage/) against the real backend: each page loads, edits, saves, and
 * shows the server's Chinese message on the field that is wrong.
 */
import * as fs from 'node:fs'
import { useTransport } from '../../miniprogram/services/api'
import { useUploader } from '../../miniprogram/services/files'
import { setElderlyMode } from '../../miniprogram/services/settings'
import { loadComponent, openPage, settle, textOf, type Page } from './helpers'
import { startBackend, type Backend } from './local-backend'
import { uploadTo, xlsx } from './sheet-files'

const ids = {
  index: loadComponent('manage/index/index'),
  stations: loadComponent('manage/stations/index'),
  items: loadComponent('manage/items/index'),
  roster: loadComponent('manage/roster/index'),
  rotas: loadComponent('manage/rotas/index'),
  pairings: loadComponent('manage/pairings/index'),
  templates: loadComponent('manage/templates/index'),
  calendar: loadComponent('manage/calendar/index'),
  sheets: loadComponent('manage/sheets/index'),
  audit: loadComponent('manage/audit/index'),
  pair: loadComponent('pages/pair/index'),
}
let backend: Backend
let openid = 'o-demo-admin'
type Inst = Record<string, (...a: unknown[]) => Promise<void> | void>
const inst = (p: Page) => p.instance as unknown as Inst
const data = <T>(p: Page) => p.instance.data as T
const ev = (dataset: Record<string, unknown>, detail?: unknown) => ({ currentTarget: { dataset }, detail })

/** The last pairing code the server issued (the QR image itself is not decoded in a test). */
let lastCode = ''

beforeAll(async () => {
  backend = await startBackend('2026-12-01T10:00:00+08:00')
  const real = backend.transport(() => openid)
  useTransport(async (fn, event) => {
    const out = (await real(fn, event)) as { ok: boolean; data?: { code?: string } }
    if ((event as { action: string }).action === 'pairings.qrcode' && out.ok) lastCode = out.data!.code!
    return out
  })
  useUploader((localPath, cloudPath) => uploadTo(backend.gateway, localPath, cloudPath, openid))
}, 30_000)
afterAll(() => backend.stop())
beforeEach(() => {
  openid = 'o-demo-admin'
})

describe('数据维护 (manage/)', () => {
  it('the hub lists every part an admin maintains', async () => {
    const page = await openPage(ids.index)
    const text = textOf(page, '.page')
    for (const part of [
      '服务站',
      '代理事项一栏表',
      '花名册',
      '值班表',
      '结对帮扶',
      '订阅消息模板',
      '表格导入与导出',
      '工作日历',
      '操作记录',
    ])
      expect(text).toContain(part)
  })

  it('服务站: lists with what each lacks, edits, refuses a bad hotline on the field, saves a map location', async () => {
    const page = await openPage(ids.stations)
    expect(page.querySelectorAll('.station').length).toBe(21)
    inst(page).onEdit!(ev({ id: 'st-qingshan-hongyan' }))
    await settle()
    inst(page).onField!(ev({ key: 'hotline' }, '12'))
    await inst(page).onSave!()
    await settle()
    expect(data<{ fieldErrors: Record<string, string> }>(page).fieldErrors.hotline).toContain(
      '电话格式不正确',
    )
    expect(textOf(page, '.f-hotline')).toContain('电话格式不正确')
    inst(page).onField!(ev({ key: 'hotline' }, '027-88881234'))
    const w = wx as unknown as Record<string, jest.Mock>
    w.chooseLocation = jest.fn(() =>
      Promise.resolve({ latitude: 30.61, longitude: 114.28, address: '红岩村' }),
    )
    await inst(page).onPickLocation!()
    await inst(page).onSave!()
    await settle()
    expect(textOf(page, '.message')).toBe('已保存')
    const saved = data<{ list: { id: string; hotline: string; location: { latitude: number } }[] }>(
      page,
    ).list.find((s) => s.id === 'st-qingshan-hongyan')!
    expect(saved).toMatchObject({ hotline: '027-88881234', location: { latitude: 30.61 } })
    // The 明白卡 as a PDF, opened for printing or forwarding.
    inst(page).onEdit!(ev({ id: 'st-qingshan-hongyan' }))
    w.downloadFile = jest.fn((o: { success: (r: object) => void }) =>
      o.success({ tempFilePath: 'wxfile://tmp/card.pdf', statusCode: 200 }),
    )
    w.openDocument = jest.fn(() => Promise.resolve({}))
    await inst(page).onPrint!(ev({ kind: 'card' }))
    expect(w.downloadFile).toHaveBeenCalledWith(
      expect.objectContaining({ url: expect.stringContaining('print/QS-HY-card') }),
    )
    expect(w.openDocument).toHaveBeenCalledWith({
      filePath: 'wxfile://tmp/card.pdf',
      fileType: 'pdf',
      showMenu: true,
    })
    // Retiring a station with open cases is refused with the reason.
    await backend.transport(() => 'o-demo-resident-2')('api', {
      action: 'cases.submit',
      payload: {
        itemId: 'it-MZ-003',
        stationId: 'st-qingshan-hongyan',
        description: '咨询低保',
        applicantName: '李四',
        applicantPhone: '13912345678',
      },
      requestId: 'manage-pages-1',
    })
    inst(page).onEdit!(ev({ id: 'st-qingshan-hongyan' }))
    await inst(page).onRetire!()
    await settle()
    expect(textOf(page, '.retire-error')).toContain('未办结的申请')
  })

  it('新建服务站: every field checked on the field, tier rules, a code in use, then created under its township', async () => {
    const page = await openPage(ids.stations)
    inst(page).onNew!()
    await settle()
    inst(page).onField!(ev({ key: 'hours' }, ''))
    await inst(page).onSave!()
    await settle()
    const errs = () => data<{ fieldErrors: Record<string, string> }>(page).fieldErrors
    expect(errs()).toMatchObject({
      code: '请填写编码',
      name: '请填写名称',
      hotline: expect.stringContaining('电话'),
      hours: '请填写办公时间',
      address: '请填写地址',
    })
    expect(textOf(page, '.f-code')).toContain('请填写编码')
    expect(textOf(page, '.f-name')).toContain('请填写名称')
    // A field refusal is said on the field, not in a banner with 重新加载.
    expect(page.querySelector('.error')).toBeFalsy()
    // A village room's parent is a township: the picker offers only townships.
    const parents = () => data<{ parents: { id: string; name: string }[] }>(page).parents
    expect(parents().length).toBe(4)
    const tiers = new Map(
      data<{ list: { id: string; tier: string }[] }>(page).list.map((x) => [x.id, x.tier]),
    )
    expect(parents().every((p) => tiers.get(p.id) === 'township')).toBe(true)
    inst(page).onTier!({ detail: { value: 1 } }) // 乡镇服务站 → under the district centre
    expect(parents().map((p) => p.id)).toEqual(['st-district'])
    inst(page).onTier!({ detail: { value: 2 } })
    inst(page).onParent!({ detail: { value: parents().findIndex((p) => p.id === 'st-qingshan') } })
    for (const [key, value] of Object.entries({
      code: 'qs-hy',
      name: '新村为民服务室',
      hotline: '0851-88886666',
      hours: '周一至周五 9:00-17:00',
      address: '青山镇新村村委会',
    }))
      inst(page).onField!(ev({ key }, value))
    await inst(page).onSave!()
    await settle()
    expect(textOf(page, '.f-code')).toContain('已被「红岩村为民服务室」使用')
    inst(page).onField!(ev({ key: 'code' }, 'qs-xc'))
    await inst(page).onSave!()
    await settle()
    expect(textOf(page, '.message')).toContain('已新建「新村为民服务室」')
    const made = data<{ list: { id: string; parentName: string; code: string }[] }>(page).list.find(
      (s) => s.id === 'st-qs-xc',
    )
    expect(made).toMatchObject({ code: 'QS-XC', parentName: '青山镇为民服务站' })
    // A head gets FORBIDDEN from the server: the page says so.
    openid = 'o-demo-head-village'
    const refused = await openPage(ids.stations)
    expect(textOf(refused, '.error')).toContain('没有权限')
  })

  it('整站移交: retiring a station with open cases is refused, its cases handed on, then it retires', async () => {
    const submit = (n: number) =>
      backend.transport(() => 'o-demo-resident-2')('api', {
        action: 'cases.submit',
        payload: {
          itemId: 'it-MZ-003',
          stationId: 'st-songlin-daba',
          description: '咨询低保',
          applicantName: '李四',
          applicantPhone: '13912345678',
        },
        requestId: `manage-pages-daba-${n}`,
      })
    await submit(1)
    await submit(2)
    const page = await openPage(ids.stations)
    inst(page).onEdit!(ev({ id: 'st-songlin-daba' }))
    await settle()
    await inst(page).onRetire!()
    await settle()
    expect(textOf(page, '.retire-error')).toContain('2 件未办结')
    // The parent township first, then the neighbours under it.
    const targets = data<{ targets: { id: string }[] }>(page).targets
    expect(targets[0]!.id).toBe('st-songlin')
    expect(targets.slice(1, 4).map((t) => t.id)).toEqual(
      expect.arrayContaining(['st-songlin-songlin', 'st-songlin-yanjiao', 'st-songlin-shuikou']),
    )
    await inst(page).onHandOver!()
    await settle()
    expect(textOf(page, '.f-to-error')).toContain('请先选择')
    await inst(page).onTarget!({ detail: { value: 0 } })
    await settle()
    expect(data<{ receivers: { id: string }[] }>(page).receivers.length).toBeGreaterThan(0)
    await inst(page).onHandOver!()
    await settle()
    expect(textOf(page, '.progress')).toContain('已移交 2 件')
    await inst(page).onRetire!()
    await settle()
    expect(textOf(page, '.message')).toContain('已停用「')
  })

  it('一栏表: each item says what it lacks; editing shows the field error, then saves', async () => {
    const page = await openPage(ids.items)
    expect(page.querySelectorAll('.item').length).toBe(20)
    const first = data<{ list: { id: string; name: string }[] }>(page).list[0]!
    inst(page).onEdit!(ev({ id: first.id }))
    await settle()
    inst(page).onField!(ev({ key: 'promisedDays' }, '500'))
    await inst(page).onSave!()
    await settle()
    expect(textOf(page, '.f-promisedDays')).toContain('承诺时限过长')
    inst(page).onField!(ev({ key: 'promisedDays' }, '3'))
    inst(page).onField!(ev({ key: 'steps' }, ''))
    await inst(page).onSave!()
    await settle()
    const published = data<{ fieldErrors: Record<string, string> }>(page).fieldErrors.published!
    expect(published).toContain('办理流程')
    // Said on the page, under the 公开 switch.
    expect(textOf(page, '.page')).toContain(published)
    inst(page).onField!(ev({ key: 'steps' }, '代理员收件\n乡镇审核'))
    await inst(page).onSave!()
    await settle()
    expect(textOf(page, '.message')).toBe('已保存')
    await inst(page).onOnlyLacking!({ detail: true })
    expect(data<{ list: { lacks: string[] }[] }>(page).list.every((i) => i.lacks.length > 0)).toBe(true)
  })

  it('新建事项: every field checked on the field, a code in use, then created', async () => {
    const page = await openPage(ids.items)
    inst(page).onNew!()
    await settle()
    await inst(page).onSave!()
    await settle()
    const errs = () => data<{ fieldErrors: Record<string, string> }>(page).fieldErrors
    expect(errs()).toMatchObject({
      code: '请填写编码',
      name: '请填写名称',
      category: '请选择事项分类',
      promisedDays: '请填写承诺时限',
    })
    expect(textOf(page, '.f-code')).toContain('请填写编码')
    expect(textOf(page, '.page')).toContain('请选择事项分类')
    const cats = data<{ choices: { categories: string[] } }>(page).choices.categories
    inst(page).onCategory!({ detail: { value: cats.indexOf('民政') } })
    inst(page).onProxyMode!({ detail: { value: 0 } })
    for (const [key, value] of Object.entries({
      code: 'mz-003',
      name: '高龄津贴申领',
      promisedDays: '5',
      materials: '身份证（复印件）×1\n户口簿（原件）×1：核对后退还',
      steps: '村代理员收件\n镇民政办审核',
      departments: '镇民政办、区民政局',
    }))
      inst(page).onField!(ev({ key }, value))
    await inst(page).onSave!()
    await settle()
    expect(textOf(page, '.f-code')).toContain('编码 MZ-003 已被事项「')
    inst(page).onField!(ev({ key: 'code' }, 'mz-201'))
    await inst(page).onSave!()
    await settle()
    expect(textOf(page, '.message')).toBe('已新建事项「高龄津贴申领」')
    await inst(page).onSearch!({ detail: 'MZ-201' })
    const made = data<{ list: (Record<string, unknown> & { lacks: string[] })[] }>(page).list
    expect(made).toHaveLength(1)
    expect(made[0]).toMatchObject({
      code: 'MZ-201',
      category: '民政',
      tier: 'township',
      proxyMode: 'direct',
      departments: ['镇民政办', '区民政局'],
      materials: [
        { name: '身份证', form: 'copy', count: 1 },
        { name: '户口簿', form: 'original', count: 1, note: '核对后退还' },
      ],
    })
    // Not published yet: the list says so.
    expect(made[0]!.lacks.length).toBeGreaterThan(0)
  })

  it('花名册: invitation code, hand-over with an error on the field, then done', async () => {
    const page = await openPage(ids.roster, { stationId: 'st-qingshan-hongyan' })
    expect(textOf(page, '.page')).toContain('已绑定微信')
    inst(page).onSelect!(ev({ id: 'ag-qs-hy-4' }))
    await settle()
    await inst(page).onInvite!()
    expect(textOf(page, '.message')).toMatch(/邀请码 [A-Z2-9]{8}/)
    // Edit: a leave with a date that does not exist is refused on the field, then saved.
    inst(page).onEditAgent!()
    inst(page).onField!(ev({ key: 'leaves' }, '2026-12-32至2026-12-35 探亲'))
    await inst(page).onSaveAgent!()
    await settle()
    expect(textOf(page, '.f-leaves')).toContain('日期')
    inst(page).onField!(ev({ key: 'leaves' }, '2026-12-01至2026-12-03 探亲'))
    await inst(page).onSaveAgent!()
    await settle()
    expect(textOf(page, '.message')).toBe('已保存')
    expect(textOf(page, '.page')).toContain('今日请假')
    // 移交给: picked from this station's active staff only (someone else's cannot be chosen).
    inst(page).onSelect!(ev({ id: 'ag-qs-hy-4' }))
    inst(page).onSelect!(ev({ id: 'ag-qs-hy-4' }))
    await inst(page).onHandOver!()
    await settle()
    expect(textOf(page, '.f-to-error')).toBe('请选择接收人')
    const colleagues = data<{ colleagues: { id: string }[] }>(page).colleagues.map((c) => c.id)
    expect(colleagues).not.toContain('ag-qs-hy-4')
    expect(colleagues.every((id) => id.startsWith('ag-qs-hy-'))).toBe(true)
    inst(page).onTo!({ detail: { value: colleagues.indexOf('ag-qs-hy-3') } })
    await inst(page).onHandOver!()
    await settle()
    expect(textOf(page, '.message')).toContain('已移交')
  })

  it('花名册 擅长类别: picked from the catalog categories and saved (admin, and a head for their own)', async () => {
    const page = await openPage(ids.roster, { stationId: 'st-qingshan-hongyan' })
    const rowOf = (p: Page, name: string) =>
      p
        .querySelectorAll('.agent')
        .map((r) => r.dom?.textContent ?? '')
        .find((t) => t.includes(name)) ?? ''
    const row = () => rowOf(page, '石勇')
    expect(row()).toContain('擅长：土地管理、政策咨询')
    inst(page).onSelect!(ev({ id: 'ag-qs-hy-3' }))
    inst(page).onEditAgent!()
    await settle()
    const chip = (name: string) => ev({ name })
    const on = () =>
      data<{ chips: { name: string; on: boolean }[] }>(page)
        .chips.filter((c) => c.on)
        .map((c) => c.name)
    expect(page.querySelectorAll('.chip').length).toBeGreaterThan(15)
    expect(on()).toEqual(['土地管理', '政策咨询'])
    inst(page).onSpecialty!(chip('政策咨询'))
    inst(page).onSpecialty!(chip('劳动保障'))
    inst(page).onSpecialty!(chip('民政'))
    // In the catalog's order whatever the order of the taps.
    expect(on()).toEqual(['民政', '土地管理', '劳动保障'])
    await inst(page).onSaveAgent!()
    await settle()
    expect(textOf(page, '.message')).toBe('已保存')
    expect(row()).toContain('擅长：民政、土地管理、劳动保障')

    // A head: only 擅长类别, on their own station (opened without naming it).
    openid = 'o-demo-head-village'
    const mine = await openPage(ids.roster)
    expect(textOf(mine, '.page')).not.toContain('登记新人员')
    inst(mine).onSelect!(ev({ id: 'ag-qs-hy-4' }))
    await settle()
    expect(textOf(mine, '.edit')).toBe('编辑擅长类别')
    expect(mine.querySelector('.retire')).toBeFalsy()
    inst(mine).onEditAgent!()
    await settle()
    expect(mine.querySelector('.f-name')).toBeFalsy()
    // A category the catalog does not have (an old client, say) is refused on the field.
    mine.instance.setData({ 'form.specialties': ['养老'] })
    await inst(mine).onSaveAgent!()
    await settle()
    expect(textOf(mine, '.f-specialties-error')).toBe('「养老」不是事项目录中的分类')
    inst(mine).onSpecialty!(chip('计生'))
    await inst(mine).onSaveAgent!()
    await settle()
    expect(textOf(mine, '.message')).toBe('已保存')
    expect(rowOf(mine, '潘小燕')).toContain('擅长：计生、公益事业、信息提供')
  })

  it('值班表: a week grid toggled and saved; a head of another station is refused', async () => {
    const page = await openPage(ids.rotas, { stationId: 'st-qingshan-hongyan' })
    const rows = () => data<{ rows: { id: string; cells: { on: boolean }[] }[] }>(page).rows
    expect(page.querySelectorAll('.row').length).toBe(rows().length + 1)
    const before = rows()[0]!.cells[5]!.on
    inst(page).onToggle!(ev({ row: 0, col: 5 }))
    await inst(page).onSave!()
    await settle()
    expect(textOf(page, '.message')).toBe('已保存')
    const again = await openPage(ids.rotas, { stationId: 'st-qingshan-hongyan' })
    expect(data<{ rows: { cells: { on: boolean }[] }[] }>(again).rows[0]!.cells[5]!.on).toBe(!before)
    openid = 'o-demo-head-village'
    const other = await openPage(ids.rotas, { stationId: 'st-qingshan-shimen' })
    expect(textOf(other, '.error')).toContain('站长只能')
  })

  it('值班表 in 长辈模式: a line per weekday with a name button per person, toggled and saved the same way', async () => {
    setElderlyMode(true)
    try {
      const page = await openPage(ids.rotas, { stationId: 'st-qingshan-hongyan' })
      const rows = data<{ rows: { name: string; cells: { on: boolean }[] }[] }>(page).rows
      expect(page.querySelector('.grid')).toBeFalsy()
      expect(page.querySelectorAll('.day').length).toBe(7)
      expect(page.querySelectorAll('.person').length).toBe(7 * rows.length)
      const sunday = () => page.querySelectorAll('.day')[6]!.dom?.textContent ?? ''
      // Sunday: nobody on duty at 红岩村; put the first person on.
      expect(sunday()).toMatch(/^周日/)
      expect(sunday()).not.toContain('✓')
      inst(page).onToggle!(ev({ row: 0, col: 6 }))
      await settle()
      expect(sunday()).toContain(`✓ ${rows[0]!.name}`)
      await inst(page).onSave!()
      await settle()
      expect(textOf(page, '.message')).toBe('已保存')
    } finally {
      setElderlyMode(false)
    }
  })

  it('值班表: 领导接待日 and special dates saved, a bad time refused, published on the station page', async () => {
    const page = await openPage(ids.rotas, { stationId: 'st-qingshan-shimen' })
    const d = () =>
      data<{
        sched: { hosts: { id: string }[] }
        leaderPeriods: { text: string }[]
        exceptions: { text: string }[]
      }>(page)
    inst(page).onHost!({ detail: { value: d().sched.hosts.findIndex((h) => h.id === 'ag-qs-sm-1') } })
    inst(page).onLeaderDay!(ev({ day: 2 }))
    inst(page).onLeaderTime!({ currentTarget: { dataset: { key: 'start' } }, detail: { value: '15:00' } })
    inst(page).onLeaderTime!({ currentTarget: { dataset: { key: 'end' } }, detail: { value: '14:00' } })
    inst(page).onAddLeader!()
    await inst(page).onSaveLeader!()
    await settle()
    expect(textOf(page, '.leader-error')).toMatch(/[\u4e00-\u9fa5]/)
    inst(page).onRemoveLeader!(ev({ index: 0 }))
    inst(page).onLeaderTime!({ currentTarget: { dataset: { key: 'end' } }, detail: { value: '17:00' } })
    inst(page).onAddLeader!()
    expect(d().leaderPeriods.map((p) => p.text)).toEqual(['周二 15:00-17:00'])
    await inst(page).onSaveLeader!()
    await settle()
    expect(textOf(page, '.message')).toContain('领导接待日已保存')
    expect(textOf(page, '.leader-period')).toContain('周二 15:00-17:00')
    // A date closed and a date with other hours.
    inst(page).onAddException!()
    expect(textOf(page, '.ex-error')).toBe('请先选择日期')
    inst(page).onExDate!({ detail: { value: '2026-12-09' } })
    inst(page).onAddException!()
    inst(page).onExDate!({ detail: { value: '2026-12-10' } })
    inst(page).onExClosed!(ev({ closed: false }))
    inst(page).onAddException!()
    await inst(page).onSaveExceptions!()
    await settle()
    expect(textOf(page, '.message')).toBe('特殊日期已保存')
    expect(d().exceptions.map((e) => e.text)).toEqual(['2026-12-09 休息', '2026-12-10 14:00-16:00'])
    // The station page publishes the same 接待日; the booking page has no slots on the closed day.
    const call = backend.transport(() => 'o-demo-resident-2')
    const st = (await call('api', { action: 'stations.get', payload: { id: 'st-qingshan-shimen' } })) as {
      data: { receptionDays: { weekdayLabel: string; hours: string }[] }
    }
    expect(st.data.receptionDays).toEqual([
      expect.objectContaining({ weekdayLabel: '周二', hours: '15:00-17:00' }),
    ])
    const slots = (await call('api', {
      action: 'appointments.slots',
      payload: { stationId: 'st-qingshan-shimen' },
    })) as { data: { schedules: { kind: string; days: { day: string; slots: { start: string }[] }[] }[] } }
    const service = slots.data.schedules.find((s) => s.kind === 'service')!
    expect(service.days.some((x) => x.day === '2026-12-09')).toBe(false)
    expect(service.days.find((x) => x.day === '2026-12-10')!.slots[0]!.start).toBe('14:00')
  })

  it('结对帮扶: shows who confirmed, and the QR code for one not yet confirmed', async () => {
    const page = await openPage(ids.pairings, { stationId: 'st-qingshan-hongyan' })
    expect(textOf(page, '.page')).toContain('群众已确认')
    await inst(page).onQr!(ev({ id: 'pr-qs-hy-2' }))
    await settle()
    expect(page.querySelector('.qr-image')).toBeTruthy()
    expect(textOf(page, '.qr-hint')).toContain('请石光荣用微信扫一扫')
    // The resident scans it: the page opens with the code's scene, asks once, and records the pairing.
    const scene = encodeURIComponent(`pt=${lastCode}`)
    openid = 'o-pair-page-resident'
    const pair = await openPage(ids.pair, { scene })
    expect(textOf(pair, '.page')).toContain('石勇')
    expect(textOf(pair, '.page')).toContain('石*荣')
    await inst(pair).onAccept!()
    await settle()
    expect(textOf(pair, '.done')).toContain('已确认结对')
    openid = 'o-demo-admin'
    const after = await openPage(ids.pairings, { stationId: 'st-qingshan-hongyan' })
    expect(
      data<{ data: { list: { id: string; accepted: boolean }[] } }>(after).data.list.find(
        (p) => p.id === 'pr-qs-hy-2',
      )!.accepted,
    ).toBe(true)
  })

  it('订阅消息模板: a bad page path on the field, saved, and a test send to oneself', async () => {
    const page = await openPage(ids.templates)
    inst(page).onEdit!(ev({ event: 'caseAssigned' }))
    inst(page).onField!(ev({ key: 'templateId' }, 'TPL-NEW-1'))
    inst(page).onField!(ev({ key: 'page' }, 'work case'))
    inst(page).onField!(ev({ key: 'fields' }, 'thing1=itemName\ncharacter_string2=caseNo'))
    await inst(page).onSave!()
    await settle()
    expect(textOf(page, '.f-page')).toContain('页面路径格式不正确')
    inst(page).onField!(ev({ key: 'page' }, 'work/case/index'))
    await inst(page).onSave!()
    await settle()
    expect(textOf(page, '.message')).toContain('已保存')
    await inst(page).onTest!(ev({ event: 'caseAssigned', tpl: 'TPL-NEW-1' }))
    await settle()
    // Local CloudBase answers like WeChat: no grant recorded for the admin → 43101, said plainly.
    // The admin never subscribed: nothing reaches WeChat, and the page says why.
    expect(textOf(page, '.tap-error')).toBe('未发送：您还没有订阅这个模板，请先点「订阅」允许通知后再试')
    // A refused send is not a failed load: no 重新加载 beside it.
    expect(page.querySelector('.retry')).toBeUndefined()
  })

  it('工作日历: a wrong date on the field, then the year saved and previewed', async () => {
    const page = await openPage(ids.calendar, { year: '2028' })
    expect(textOf(page, '.year')).toContain('2028')
    inst(page).onField!(ev({ key: 'holidays' }, '2028-02-30 2027-10-01'))
    await inst(page).onSave!()
    await settle()
    expect(textOf(page, '.f-holidays')).toMatch(/日期不存在/)
    inst(page).onField!(ev({ key: 'holidays' }, '2028-01-01 2028-01-26 2028-01-27'))
    inst(page).onField!(ev({ key: 'workdays' }, '2028-01-23'))
    await inst(page).onSave!()
    await settle()
    expect(textOf(page, '.message')).toContain('已保存 2028 年')
    expect(data<{ months: { days: string }[] }>(page).months[0]!.days).toBe('1日休 23日班 26日休 27日休')
  })

  it('表格: an error row is shown before anything is written, the fixed file imports', async () => {
    const page = await openPage(ids.sheets)
    const head = ['编号', '姓名', '手机', '服务站编码', '角色', '擅长类别', '身份', '职务', '请假', '状态']
    const row = (name: string, phone: string) => [
      '',
      name,
      phone,
      'QS-HY',
      '代理员',
      '',
      '党员',
      '',
      '',
      '在用',
    ]
    const w = wx as unknown as Record<string, jest.Mock>
    const pick = (file: string) =>
      (w.chooseMessageFile = jest.fn(() =>
        Promise.resolve({ tempFiles: [{ path: file, name: '花名册.xlsx', size: fs.statSync(file).size }] }),
      ))
    pick(xlsx([head, row('吴一', '13500000001'), row('吴二', '135')]))
    await inst(page).onPick!()
    await settle()
    expect(page.querySelectorAll('.row-error').length).toBe(1)
    expect(textOf(page, '.row-error')).toContain('第 3 行「手机」')
    expect(page.querySelector('.import')).toBeFalsy()
    pick(xlsx([head, row('吴一', '13500000001'), row('吴二', '13500000002')]))
    await inst(page).onPick!()
    await settle()
    expect(textOf(page, '.summary')).toContain('全部无误')
    await inst(page).onImport!()
    await settle()
    expect(textOf(page, '.message')).toBe('已导入 2 条')
    // A file of the wrong type is refused on the phone already.
    w.chooseMessageFile = jest.fn(() =>
      Promise.resolve({ tempFiles: [{ path: '/tmp/a.xls', name: '花名册.xls', size: 10 }] }),
    )
    await inst(page).onPick!()
    expect(textOf(page, '.error')).toContain('.xlsx')
  })

  it('操作记录: what was just changed, newest first, with before and after', async () => {
    const page = await openPage(ids.audit)
    const list = data<{ list: { summary: string }[] }>(page).list
    expect(list[0]!.summary).toContain('导入花名册 2 条')
    inst(page).onToggle!(ev({ index: 0 }))
    await settle()
    expect(textOf(page, '.detail')).toContain('吴一')
    openid = 'o-demo-agent-village'
    const refused = await openPage(ids.audit)
    expect(textOf(refused, '.error')).toContain('没有权限')
  })
})
