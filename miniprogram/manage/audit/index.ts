import { pageLoad } from '../../behaviors/page-load'
import { errorText } from '../../services/api'
import { auditList, type AuditPage } from '../../services/manage'
import { shanghaiDateTime } from '../../utils/vocabulary'

type Row = AuditPage['list'][number] & { when: string; open: boolean; detail: string }

const FIELD_LABELS: Record<string, string> = {
  name: '名称',
  code: '编码',
  hotline: '服务热线',
  hours: '办公时间',
  address: '地址',
  location: '位置',
  headAgentId: '负责人',
  parentId: '上级',
  active: '在用',
  weekly: '每周值班',
  overrides: '调班',
  receptionDays: '领导接待日',
  title: '职务',
  phone: '手机',
  role: '角色',
  kind: '身份',
  leaves: '请假',
  specialties: '擅长类别',
  stationId: '服务站',
  openid: '微信绑定',
  materials: '所需材料',
  steps: '办理流程',
  promisedDays: '承诺时限',
  legalDays: '法定时限',
  published: '公开',
  fee: '收费',
  homeVisit: '可上门',
  agentId: '代理员',
  residentName: '群众',
  household: '户',
  residentOpenid: '群众确认',
  events: '模板',
  coveredYears: '已录入年份',
  category: '分类',
  tier: '层级',
  proxyMode: '代理方式',
  departments: '涉及部门',
  periods: '每周开放时段',
  exceptions: '特殊日期',
  hostAgentId: '接待领导',
  topic: '接待主题',
  caseIds: '移交的申请',
}

const show = (v: unknown): string =>
  v === undefined || v === null ? '（无）' : typeof v === 'string' ? v : JSON.stringify(v)

/** What changed, field by field: "服务热线：0851-1 → 0851-2". */
export function changes(before: object | null, after: object | null): string {
  const b = (before ?? {}) as Record<string, unknown>
  const a = (after ?? {}) as Record<string, unknown>
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter(
    (k) => k !== '_id' && k !== 'search',
  )
  const lines = keys
    .filter((k) => JSON.stringify(b[k]) !== JSON.stringify(a[k]))
    .map((k) => `${FIELD_LABELS[k] ?? k}：${before ? `${show(b[k])} → ` : ''}${show(a[k])}`)
  return lines.join('\n') || '（没有改动）'
}

/** 操作记录 (supervisors and admins): who changed which record, when, before and after; paged. */
Component({
  behaviors: [pageLoad],
  data: { list: [] as Row[], total: 0, cursor: null as string | null, loading: true, error: '' },
  methods: {
    async fetchPage() {
      await this.load(null)
      return {}
    },
    async load(cursor: string | null) {
      this.setData({ loading: true, error: '' })
      try {
        const page = await auditList({ pageSize: 20, ...(cursor ? { cursor } : {}) })
        const rows = page.list.map((e) => ({
          ...e,
          when: shanghaiDateTime(e.at),
          open: false,
          detail: changes(e.before, e.after),
        }))
        this.setData({
          list: cursor ? [...this.data.list, ...rows] : rows,
          total: page.total,
          cursor: page.nextCursor,
        })
      } catch (err) {
        this.setData({ error: errorText(err, '加载失败，请重试') })
      } finally {
        this.setData({ loading: false })
      }
    },
    async onMore() {
      if (this.data.cursor && !this.data.loading) await this.load(this.data.cursor)
    },
    onToggle(e: WechatMiniprogram.CustomEvent) {
      const i = Number(e.currentTarget.dataset.index)
      this.setData({ [`list[${i}].open`]: !this.data.list[i]!.open })
    },
  },
})
