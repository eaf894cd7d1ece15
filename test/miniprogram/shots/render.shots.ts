/**
 * `npm run shots`, step 1 of 2: renders every page in its key states against the real backend
 * (Local CloudBase, the real `api` function, a month of history) and writes each as standalone
 * HTML plus a manifest. scripts/shots.js then draws them with Chromium. Not a test: it is run by
 * scripts/shots.jest.config.js only.
 */
import * as fs from 'node:fs'
import * as http from 'node:http'
import * as path from 'node:path'
import simulate from 'miniprogram-simulate'
import {
  ApiCallError,
  callApi,
  setDemoOpenid,
  useTransport,
  type Transport,
} from '../../../miniprogram/services/api'
import { chooseElderlyMode } from '../../../miniprogram/services/settings'
import { setMyStation } from '../../../miniprogram/services/stations'
import { rota, saveCalendarYear, saveRota } from '../../../miniprogram/services/manage'
import { useUploader } from '../../../miniprogram/services/files'
import { uploadTo, xlsx } from '../sheet-files'
import { loadComponent, MINIPROGRAM_ROOT, setPhoneClock, settle, type Page } from '../helpers'
import { startBackend, type Backend } from '../local-backend'
import { buildHistory, STATION, WHO, type History } from './history'
import { pageHtml, useHalfPixelRpx, type Chrome } from './serialize'

useHalfPixelRpx()
const OUT = path.resolve(MINIPROGRAM_ROOT, '../shots/html')

const PAGES = [
  'pages/home/index',
  'pages/catalog/index',
  'pages/mine/index',
  'pages/item/index',
  'pages/station/index',
  'pages/apply/index',
  'pages/case/index',
  'pages/cases/index',
  'pages/rate/index',
  'pages/stations/index',
  'pages/messages/index',
  'pages/book/index',
  'pages/appointments/index',
  'pages/visit/index',
  'pages/complaint/index',
  'work/inbox/index',
  'work/case/index',
  'work/intake/index',
  'work/appointments/index',
  'work/schedule/index',
  'work/rectify/index',
  'supervise/overdue/index',
  'supervise/kpis/index',
  'supervise/complaints/index',
  'manage/settings/index',
  'manage/index/index',
  'manage/stations/index',
  'manage/items/index',
  'manage/roster/index',
  'manage/rotas/index',
  'manage/pairings/index',
  'manage/templates/index',
  'manage/sheets/index',
  'manage/calendar/index',
  'manage/audit/index',
  'pages/pair/index',
] as const
type PagePath = (typeof PAGES)[number]
const ids = new Map<PagePath, string>(PAGES.map((p) => [p, loadComponent(p)]))

const app = JSON.parse(fs.readFileSync(path.join(MINIPROGRAM_ROOT, 'app.json'), 'utf8')) as {
  window: { navigationBarBackgroundColor: string; navigationBarTextStyle: 'white' | 'black' }
  tabBar: { list: { pagePath: string }[] }
}
const TAB_PAGES = new Set(app.tabBar.list.map((t) => t.pagePath))

interface Spec {
  name: string
  page: PagePath
  group: string
  /** What this shot is for, shown in the gallery. */
  note: string
  as: string
  query?: Record<string, string>
  elderly?: boolean
  state?: 'loading' | 'error' | 'data'
  /** The phone has never answered the 长辈模式 question. */
  firstLaunch?: boolean
  /** After the page has loaded: taps, inputs. */
  after?: (page: Page, inst: Record<string, (...a: unknown[]) => unknown>) => Promise<void> | void
}

export interface ManifestEntry {
  name: string
  group: string
  page: string
  note: string
  elderly: boolean
  state: string
  as: string
}

/**
 * Temporary URLs of Local CloudBase's storage (the resident's photos on the agent's page) die with
 * the backend before Chromium draws: the images go into the HTML as data URLs.
 */
async function inlineStorageImages(html: string): Promise<string> {
  const urls = [
    ...new Set(
      [...html.matchAll(/src="(http:\/\/127\.0\.0\.1:\d+\/storage\/files\/[^"]+)"/g)].map((m) => m[1]!),
    ),
  ]
  let out = html
  for (const u of urls) {
    const bytes = await new Promise<Buffer>((resolve, reject) =>
      http
        .get(u.replace(/&amp;/g, '&'), (res) => {
          // An expired or refused URL would be inlined as an error page: a broken image in the shot.
          if (res.statusCode !== 200) reject(new Error(`shot image ${u}: HTTP ${res.statusCode}`))
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => resolve(Buffer.concat(chunks)))
        })
        .on('error', reject),
    )
    out = out.split(u).join(`data:image/png;base64,${bytes.toString('base64')}`)
  }
  // Anything still served by the backend (the pairing QR, photos) would be broken once it stops.
  const left = /src="(http:\/\/127\.0\.0\.1[^"]*)"/.exec(out)
  if (left) throw new Error(`shot image not inlined: ${left[1]}`)
  return out
}

let backend: Backend
let openid: string = WHO.resident
let real: Transport
let h: History
const chrome: { toast?: string; modal?: Chrome['modal'] } = {}
const w = wx as unknown as Record<string, unknown>

beforeAll(async () => {
  fs.rmSync(OUT, { recursive: true, force: true })
  fs.mkdirSync(OUT, { recursive: true })
  backend = await startBackend('2026-11-02T08:00:00+08:00')
  real = backend.transport(() => openid)
  useTransport(real)
  const as = (who: string) => {
    openid = who
    setDemoOpenid(who)
  }
  h = await buildHistory({
    as,
    at: async (iso) => void (await backend.setClock(iso)),
    upload: (who, cloudPath, bytes) => backend.upload(who, cloudPath, bytes),
  })
  // 我的预约 and 今日预约 with bookings on them: two residents this afternoon at the village room.
  for (const [who, name, phone, start] of [
    [WHO.resident, '王秀英', '13912345678', '14:00'],
    [WHO.resident2, '李德明', '13700002222', '15:00'],
  ] as const) {
    as(who)
    await callApi('appointments.book', { slotKey: `${STATION}:2026-12-01:${start}`, name, phone })
  }
  setMyStation(STATION)
  // The phone's clock agrees with the backend's (pages count days from it); timers stay real.
  setPhoneClock('2026-12-01T10:00:00+08:00')
  // Native parts the page asks the phone to draw: remembered and drawn over the page.
  w.showToast = (o: { title: string }) => {
    chrome.toast = o.title
    return Promise.resolve({})
  }
  w.showModal = (o: Chrome['modal']) => {
    chrome.modal = o
    return new Promise(() => {}) // left open on screen
  }
  for (const k of [
    'navigateTo',
    'redirectTo',
    'switchTab',
    'navigateBack',
    'makePhoneCall',
    'requestSubscribeMessage',
  ]) {
    w[k] = () => Promise.resolve({})
  }
}, 300_000)
afterAll(() => backend?.stop())

const never: Transport = () => new Promise(() => {})
const offline: Transport = () => Promise.reject(new ApiCallError('NETWORK', '网络不给力，请检查网络后重试'))

async function shoot(spec: Spec): Promise<ManifestEntry> {
  const id = ids.get(spec.page)!
  // The first-launch question was answered, except in the shot that shows it.
  chooseElderlyMode(spec.elderly === true)
  if (spec.firstLaunch) wx.removeStorageSync('ui.elderly.asked')
  openid = spec.as
  setDemoOpenid(spec.as)
  useTransport(spec.state === 'loading' ? never : spec.state === 'error' ? offline : real)
  delete chrome.toast
  delete chrome.modal
  const json = JSON.parse(fs.readFileSync(path.join(MINIPROGRAM_ROOT, `${spec.page}.json`), 'utf8')) as {
    navigationBarTitleText?: string
    navigationBarBackgroundColor?: string
    navigationBarTextStyle?: 'white' | 'black'
  }
  const page = simulate.render(id)
  page.attach(document.createElement('parent-wrapper'))
  const inst = page.instance as unknown as Record<string, (...a: unknown[]) => unknown>
  const loaded = Promise.resolve(inst.onLoad?.call(inst, spec.query ?? {}))
  await Promise.race([loaded, settle(spec.state === 'loading' ? 50 : 20_000)])
  if (spec.state !== 'loading') await Promise.resolve(inst.onShow?.call(inst))
  await settle(30)
  if (spec.after) {
    await spec.after(page, inst)
    await settle(30)
  }
  const html = pageHtml(page, id, {
    title: json.navigationBarTitleText ?? '',
    back: !TAB_PAGES.has(spec.page),
    ...(TAB_PAGES.has(spec.page) ? { tab: spec.page } : {}),
    navColor: json.navigationBarBackgroundColor ?? app.window.navigationBarBackgroundColor,
    navText: json.navigationBarTextStyle ?? app.window.navigationBarTextStyle,
    ...chrome,
  })
  fs.writeFileSync(path.join(OUT, `${spec.name}.html`), await inlineStorageImages(html))
  page.detach()
  useTransport(real)
  return {
    name: spec.name,
    group: spec.group,
    page: spec.page,
    note: spec.note,
    elderly: spec.elderly === true,
    state: spec.state ?? 'data',
    as: spec.as,
  }
}

/** A refresh (pull down) that fails after the page has loaded: what was shown stays. */
async function refreshOffline(_page: Page, inst: Record<string, (...a: unknown[]) => unknown>) {
  useTransport(offline)
  await inst.onPullDownRefresh!()
}

/** Both modes of one page. */
const both = (spec: Spec): Spec[] => [spec, { ...spec, name: `${spec.name}.elderly`, elderly: true }]

function specs(): Spec[] {
  const R = WHO.resident
  const resident: Spec[] = [
    ...both({ name: 'home', page: 'pages/home/index', group: '群众', note: '首页：我的服务室', as: R }),
    {
      name: 'home.first',
      page: 'pages/home/index',
      group: '群众',
      note: '第一次打开：问要不要大字',
      as: R,
      firstLaunch: true,
    },
    {
      name: 'home.loading',
      page: 'pages/home/index',
      group: '群众',
      note: '首页加载中',
      as: R,
      state: 'loading',
    },
    {
      name: 'home.offline',
      page: 'pages/home/index',
      group: '群众',
      note: '首页断网：热线仍在',
      as: R,
      state: 'error',
    },
    ...both({
      name: 'catalog',
      page: 'pages/catalog/index',
      group: '群众',
      note: '代理事项（长列表）',
      as: R,
    }),
    ...both({
      name: 'item',
      page: 'pages/item/index',
      group: '群众',
      note: '事项详情：临时救助',
      as: R,
      query: { id: 'it-MZ-003' },
    }),
    ...both({
      name: 'apply',
      page: 'pages/apply/index',
      group: '群众',
      note: '申请代理',
      as: R,
      query: { itemId: 'it-MZ-004' },
    }),
    ...both({
      name: 'case.overdue',
      page: 'pages/case/index',
      group: '群众',
      note: '我的案件：已超期',
      as: R,
      query: { id: h.overdue },
    }),
    ...both({
      name: 'case.supplement',
      page: 'pages/case/index',
      group: '群众',
      note: '我的案件：要补材料',
      as: R,
      query: { id: h.supplement },
    }),
    ...both({
      name: 'case.escalated',
      page: 'pages/case/index',
      group: '群众',
      note: '我的案件：乡镇在办',
      as: R,
      query: { id: h.escalated },
    }),
    ...both({
      name: 'case.rated',
      page: 'pages/case/index',
      group: '群众',
      note: '我的案件：已评价（长时间线）',
      as: R,
      query: { id: h.rated },
    }),
    {
      name: 'case.new',
      page: 'pages/case/index',
      group: '群众',
      note: '刚提交',
      as: R,
      query: { id: h.fresh, new: '1' },
    },
    ...both({
      name: 'case.delivered',
      page: 'pages/case/index',
      group: '群众',
      note: '已送达，待评价',
      as: WHO.resident2,
      query: { id: h.delivered },
    }),
    {
      name: 'case.error',
      page: 'pages/case/index',
      group: '群众',
      note: '案件页断网',
      as: R,
      query: { id: h.rated },
      state: 'error',
    },
    ...both({ name: 'cases', page: 'pages/cases/index', group: '群众', note: '我的申请', as: R }),
    {
      name: 'cases.long',
      page: 'pages/cases/index',
      group: '群众',
      note: '我的申请（长列表）',
      as: WHO.resident2,
    },
    {
      name: 'cases.empty',
      page: 'pages/cases/index',
      group: '群众',
      note: '我的申请（空）',
      as: 'o-shots-newcomer',
    },
    ...both({
      name: 'rate',
      page: 'pages/rate/index',
      group: '群众',
      note: '评价',
      as: WHO.resident2,
      query: { id: h.delivered },
    }),
    ...both({ name: 'mine', page: 'pages/mine/index', group: '群众', note: '我的', as: R }),
    ...both({
      name: 'station',
      page: 'pages/station/index',
      group: '群众',
      note: '服务站',
      as: R,
      query: { id: STATION },
    }),
    ...both({ name: 'stations', page: 'pages/stations/index', group: '群众', note: '附近服务站', as: R }),
    ...both({ name: 'messages', page: 'pages/messages/index', group: '群众', note: '我的消息', as: R }),
    ...both({
      name: 'book',
      page: 'pages/book/index',
      group: '群众',
      note: '预约办理',
      as: R,
      query: { stationId: STATION },
    }),
    ...both({
      name: 'appointments',
      page: 'pages/appointments/index',
      group: '群众',
      note: '我的预约',
      as: R,
    }),
    {
      name: 'appointments.refresh-error',
      page: 'pages/appointments/index',
      group: '群众',
      note: '我的预约：刷新失败，列表还在',
      as: R,
      after: refreshOffline,
    },
    {
      name: 'book.error',
      page: 'pages/book/index',
      group: '群众',
      note: '预约办理断网',
      as: R,
      query: { stationId: STATION },
      state: 'error',
    },
    {
      name: 'catalog.error',
      page: 'pages/catalog/index',
      group: '群众',
      note: '代理事项断网',
      as: R,
      state: 'error',
    },
    ...both({
      name: 'visit',
      page: 'pages/visit/index',
      group: '群众',
      note: '上门服务',
      as: R,
      query: { stationId: STATION },
    }),
    ...both({
      name: 'complaint',
      page: 'pages/complaint/index',
      group: '群众',
      note: '监督投诉',
      as: R,
      query: { caseId: h.overdue },
    }),
  ]
  const A = WHO.agent
  const work: Spec[] = [
    ...both({ name: 'work.inbox', page: 'work/inbox/index', group: '代理员', note: '工作台', as: A }),
    {
      name: 'work.inbox.head',
      page: 'work/inbox/index',
      group: '代理员',
      note: '站长的工作台',
      as: WHO.head,
    },
    {
      name: 'work.inbox.station',
      page: 'work/inbox/index',
      group: '代理员',
      note: '站长看全站「办理中」（长列表）',
      as: WHO.head,
      after: async (_p, inst) => {
        await inst.onScope!()
        await inst.onTab!({ currentTarget: { dataset: { tab: 'handling' } } })
      },
    },
    {
      name: 'work.inbox.loading',
      page: 'work/inbox/index',
      group: '代理员',
      note: '工作台加载中',
      as: A,
      state: 'loading',
    },
    {
      name: 'work.inbox.error',
      page: 'work/inbox/index',
      group: '代理员',
      note: '工作台断网',
      as: A,
      state: 'error',
    },
    {
      name: 'work.case.new',
      page: 'work/case/index',
      group: '代理员',
      note: '待受理的案件',
      as: A,
      query: { id: h.fresh },
    },
    ...both({
      name: 'work.case.photos',
      page: 'work/case/index',
      group: '代理员',
      note: '待受理：照片、材料勾选、办理经过',
      as: A,
      query: { id: h.fresh },
      after: (_page, inst) => {
        const names = (_page.instance.data as { checks: { name: string }[] }).checks.map((m) => m.name)
        inst.onReceived!({ detail: names.slice(0, 1) })
      },
    }),
    {
      name: 'work.case.reject-confirm',
      page: 'work/case/index',
      group: '代理员',
      note: '不予受理前的确认',
      as: A,
      query: { id: h.fresh },
      after: async (_page, inst) => {
        await inst.onReason!({ detail: '不属于代理范围，请到医保窗口办理' })
        void inst.onReject!()
      },
    },
    {
      name: 'work.case.head-not-mine',
      page: 'work/case/index',
      group: '代理员',
      note: '站长看别人承办的案件',
      as: WHO.head,
      query: { id: h.overdue },
    },
    {
      name: 'work.case.overdue',
      page: 'work/case/index',
      group: '代理员',
      note: '超期案件',
      as: A,
      query: { id: h.overdue },
    },
    {
      name: 'work.case.rated',
      page: 'work/case/index',
      group: '代理员',
      note: '已评价（长时间线）',
      as: A,
      query: { id: h.rated },
    },
    {
      name: 'work.case.township',
      page: 'work/case/index',
      group: '代理员',
      note: '乡镇站长看上报件',
      as: WHO.townshipHead,
      query: { id: h.escalated },
    },
    ...both({ name: 'work.intake', page: 'work/intake/index', group: '代理员', note: '代群众申请', as: A }),
    ...both({
      name: 'work.appointments',
      page: 'work/appointments/index',
      group: '代理员',
      note: '今日预约',
      as: A,
    }),
    {
      name: 'work.appointments.refresh-error',
      page: 'work/appointments/index',
      group: '代理员',
      note: '今日预约：刷新失败，这一天还在',
      as: A,
      after: refreshOffline,
    },
    ...both({
      name: 'work.schedule',
      page: 'work/schedule/index',
      group: '代理员',
      note: '开放时段',
      as: WHO.head,
    }),
    {
      name: 'work.schedule.error',
      page: 'work/schedule/index',
      group: '代理员',
      note: '开放时段断网',
      as: WHO.head,
      state: 'error',
    },
    ...both({
      name: 'work.rectify',
      page: 'work/rectify/index',
      group: '代理员',
      note: '差评整改',
      as: WHO.head,
    }),
    {
      name: 'work.rectify.refresh-error',
      page: 'work/rectify/index',
      group: '代理员',
      note: '差评整改：刷新失败，列表还在',
      as: WHO.head,
      after: refreshOffline,
    },
  ]
  const S = WHO.supervisor
  const admin: Spec[] = [
    {
      name: 'admin.kpis',
      page: 'supervise/kpis/index',
      group: '督查',
      note: '六项指标（本月刚开始）',
      as: S,
    },
    ...both({
      name: 'admin.kpis.month',
      page: 'supervise/kpis/index',
      group: '督查',
      note: '六项指标（上月：目标着色、超期、趋势、乡镇图）',
      as: S,
      query: { kind: 'month', key: '2026-11' },
    }),
    ...both({
      name: 'admin.overdue',
      page: 'supervise/overdue/index',
      group: '督查',
      note: '超期督办',
      as: S,
    }),
    ...both({
      name: 'admin.complaints',
      page: 'supervise/complaints/index',
      group: '督查',
      note: '群众投诉',
      as: S,
    }),
    ...both({
      name: 'admin.settings',
      page: 'manage/settings/index',
      group: '管理员',
      note: '设置',
      as: WHO.admin,
    }),
    {
      name: 'admin.kpis.forbidden',
      page: 'supervise/kpis/index',
      group: '督查',
      note: '群众打开指标页',
      as: R,
    },
  ]
  const M = WHO.admin
  const hy = { stationId: STATION }
  const manage: Spec[] = [
    ...both({
      name: 'manage.index',
      page: 'manage/index/index',
      group: '数据维护',
      note: '数据维护入口',
      as: M,
    }),
    ...both({
      name: 'manage.stations',
      page: 'manage/stations/index',
      group: '数据维护',
      note: '服务站与待完善项',
      as: M,
    }),
    ...both({
      name: 'manage.stations.edit',
      page: 'manage/stations/index',
      group: '数据维护',
      note: '编辑服务站（地图选点）',
      as: M,
      after: (_p, inst) => void inst.onEdit!({ currentTarget: { dataset: { id: STATION } } }),
    }),
    ...both({
      name: 'manage.stations.new',
      page: 'manage/stations/index',
      group: '数据维护',
      note: '新建服务站：编码已被使用（字段上提示）',
      as: M,
      after: async (_p, inst) => {
        inst.onNew!()
        for (const [key, value] of Object.entries({
          code: 'QS-HY',
          name: '新村为民服务室',
          hotline: '0851-88886666',
          address: '青山镇新村村委会',
        }))
          inst.onField!({ currentTarget: { dataset: { key } }, detail: value })
        await inst.onSave!()
      },
    }),
    ...both({
      name: 'manage.stations.handover',
      page: 'manage/stations/index',
      group: '数据维护',
      note: '整站移交：选接收服务站与接收人',
      as: M,
      after: async (_p, inst) => {
        inst.onEdit!({ currentTarget: { dataset: { id: STATION } } })
        await inst.onTarget!({ detail: { value: 0 } })
        await inst.onRetire!()
      },
    }),
    ...both({
      name: 'manage.items.new',
      page: 'manage/items/index',
      group: '数据维护',
      note: '新建事项：逐项提示',
      as: M,
      after: async (_p, inst) => {
        inst.onNew!()
        inst.onField!({ currentTarget: { dataset: { key: 'name' } }, detail: '高龄津贴申领' })
        await inst.onSave!()
      },
    }),
    ...both({
      name: 'manage.items',
      page: 'manage/items/index',
      group: '数据维护',
      note: '一栏表：还缺什么',
      as: M,
    }),
    ...both({
      name: 'manage.items.edit',
      page: 'manage/items/index',
      group: '数据维护',
      note: '编辑事项',
      as: M,
      after: (p, inst) =>
        void inst.onEdit!({
          currentTarget: { dataset: { id: (p.instance.data as { list: { id: string }[] }).list[0]!.id } },
        }),
    }),
    ...both({
      name: 'manage.roster',
      page: 'manage/roster/index',
      group: '数据维护',
      note: '花名册',
      as: M,
      query: hy,
    }),
    ...both({
      name: 'manage.roster.handover',
      page: 'manage/roster/index',
      group: '数据维护',
      note: '花名册：选中一人，移交给本站同事',
      as: M,
      query: hy,
      after: async (_p, inst) => {
        inst.onSelect!({ currentTarget: { dataset: { id: 'ag-qs-hy-2' } } })
        await inst.onHandOver!()
      },
    }),
    ...both({
      name: 'manage.roster.edit',
      page: 'manage/roster/index',
      group: '数据维护',
      note: '编辑花名册人员（请假）',
      as: M,
      query: hy,
      after: (_p, inst) => {
        inst.onSelect!({ currentTarget: { dataset: { id: 'ag-qs-hy-3' } } })
        inst.onEditAgent!()
        inst.onField!({
          currentTarget: { dataset: { key: 'leaves' } },
          detail: '2026-12-07至2026-12-11 区委党校培训\n2026-12-24至2026-12-24 事假',
        })
      },
    }),
    ...both({
      name: 'manage.rotas',
      page: 'manage/rotas/index',
      group: '数据维护',
      note: '值班表周视图、领导接待日、特殊日期',
      as: M,
      query: hy,
      after: (_p, inst) => {
        inst.onHost!({ detail: { value: 0 } })
        inst.onAddLeader!()
        inst.onExDate!({ detail: { value: '2026-12-10' } })
        inst.onExClosed!({ currentTarget: { dataset: { closed: false } } })
        inst.onAddException!()
        inst.onExClosed!({ currentTarget: { dataset: { closed: true } } })
        inst.onExDate!({ detail: { value: '2026-12-31' } })
        inst.onAddException!()
      },
    }),
    ...both({
      name: 'manage.pairings',
      page: 'manage/pairings/index',
      group: '数据维护',
      note: '结对帮扶',
      as: M,
      query: hy,
    }),
    ...both({
      name: 'manage.pairings.qr',
      page: 'manage/pairings/index',
      group: '数据维护',
      note: '出示结对码',
      as: M,
      query: hy,
      after: async (_p, inst) => {
        await inst.onQr!({ currentTarget: { dataset: { id: 'pr-qs-hy-3' } } })
      },
    }),
    ...both({
      name: 'manage.templates',
      page: 'manage/templates/index',
      group: '数据维护',
      note: '订阅消息模板',
      as: M,
    }),
    ...both({
      name: 'manage.templates.test',
      page: 'manage/templates/index',
      group: '数据维护',
      note: '设置模板并发给自己测试',
      as: M,
      after: async (_p, inst) => {
        inst.onEdit!({ currentTarget: { dataset: { event: 'caseAssigned' } } })
        await inst.onTest!({ currentTarget: { dataset: { event: 'caseAssigned', tpl: 'x' } } })
      },
    }),
    ...both({
      name: 'manage.sheets',
      page: 'manage/sheets/index',
      group: '数据维护',
      note: '表格导入导出',
      as: M,
    }),
    ...both({
      name: 'manage.sheets.errors',
      page: 'manage/sheets/index',
      group: '数据维护',
      note: '导入预检：逐行逐列列出问题，未写入',
      as: M,
      after: async (_p, inst) => {
        useUploader((localPath, cloudPath) => uploadTo(backend.gateway, localPath, cloudPath, WHO.admin))
        const head = [
          '编号',
          '姓名',
          '手机',
          '服务站编码',
          '角色',
          '擅长类别',
          '身份',
          '职务',
          '请假',
          '状态',
        ]
        const file = xlsx([
          head,
          ['', '吴一', '13500000001', 'QS-HY', '代理员', '', '党员', '', '', '在用'],
          ['', '吴二', '135', 'QS-HY', '代理员', '', '党员', '', '', '在用'],
          ['', '', '13500000003', 'QS-XX', '站员', '', '党员', '', '', '在用'],
        ])
        ;(wx as unknown as Record<string, unknown>).chooseMessageFile = () =>
          Promise.resolve({ tempFiles: [{ path: file, name: '花名册（第二批）.xlsx', size: 9000 }] })
        await inst.onPick!()
      },
    }),
    ...both({
      name: 'manage.calendar',
      page: 'manage/calendar/index',
      group: '数据维护',
      note: '工作日历（2026 年预览）',
      as: M,
      query: { year: '2026' },
    }),
    ...both({
      name: 'manage.calendar.missing',
      page: 'manage/calendar/index',
      group: '数据维护',
      note: '尚无安排的年份（CALENDAR_MISSING）',
      as: M,
      query: { year: '2027' },
    }),
    {
      name: 'manage.audit',
      page: 'manage/audit/index',
      group: '数据维护',
      note: '操作记录（录入日历、调整值班后）',
      as: M,
      after: async (p, inst) => {
        await saveCalendarYear({
          year: 2027,
          holidays: ['2027-01-01', '2027-02-08'],
          workdays: ['2027-02-06'],
        })
        const r = await rota(STATION)
        await saveRota({ stationId: STATION, weekly: { ...r.weekly, '6': [] } })
        await inst.reload!()
        inst.onToggle!({ currentTarget: { dataset: { index: 0 } } })
        void p
      },
    },
    ...both({
      name: 'manage.audit.supervisor',
      page: 'manage/audit/index',
      group: '数据维护',
      note: '督查看操作记录',
      as: S,
    }),
  ]
  return [...resident, ...work, ...admin, ...manage]
}

it('renders every page in its key states', async () => {
  const manifest: ManifestEntry[] = []
  const only = process.env.SHOTS_ONLY ? new RegExp(process.env.SHOTS_ONLY) : null
  for (const spec of specs()) {
    if (only && !only.test(spec.name)) continue
    try {
      manifest.push(await shoot(spec))
    } catch (err) {
      console.error(`shot ${spec.name} failed: ${(err as Error).stack}`)
    }
  }
  fs.writeFileSync(path.join(OUT, 'manifest.json'), JSON.stringify(manifest, null, 1))
  expect(manifest.length).toBeGreaterThan(0)
})
