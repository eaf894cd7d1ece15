import { pageLoad } from '../../behaviors/page-load'
import { ApiCallError, errorText } from '../../services/api'
import { listItems, saveItem, type AdminItem } from '../../services/manage'
import { MATERIAL_FORM_LABELS, type MaterialForm } from '../../utils/vocabulary'

type Material = AdminItem['materials'][number]

const FORM_BY_LABEL = Object.fromEntries(
  Object.entries(MATERIAL_FORM_LABELS).map(([k, v]) => [v, k as MaterialForm]),
) as Record<string, MaterialForm>

/** 户口簿（原件）×1：核对后退还 — one line per material, as the import sheet writes them. */
export function materialLine(m: Material): string {
  return `${m.name}（${MATERIAL_FORM_LABELS[m.form]}）×${m.count}${m.note ? `：${m.note}` : ''}`
}

export function parseMaterial(line: string): Material {
  const m = /^(.+?)（(原件|复印件|原件或复印件)）×(\d+)(?:：(.*))?$/.exec(line.trim())
  if (!m) return { name: line.trim(), form: 'either', count: 1 }
  return {
    name: m[1]!,
    form: FORM_BY_LABEL[m[2]!] ?? 'either',
    count: Number(m[3]),
    ...(m[4] ? { note: m[4] } : {}),
  }
}

interface Form {
  name: string
  promisedDays: string
  fee: string
  materials: string
  steps: string
  published: boolean
  homeVisit: boolean
}

/** 一栏表 (admins): every item with what it still lacks to count as fully published, 20 at a time. */
Component({
  behaviors: [pageLoad],
  data: {
    list: [] as AdminItem[],
    total: 0,
    page: 1,
    hasMore: false,
    keyword: '',
    onlyLacking: false,
    editing: null as AdminItem | null,
    form: null as Form | null,
    fieldErrors: {} as Record<string, string>,
    saving: false,
    message: '',
    error: '',
  },
  methods: {
    async fetchPage() {
      await this.load(1)
      return {}
    },
    async load(page: number) {
      this.setData({ loading: true, error: '' })
      try {
        const r = await listItems({
          page,
          pageSize: 20,
          onlyLacking: this.data.onlyLacking,
          ...(this.data.keyword ? { keyword: this.data.keyword } : {}),
        })
        this.setData({
          list: page === 1 ? r.list : [...this.data.list, ...r.list],
          total: r.total,
          page,
          hasMore: r.hasMore,
        })
      } catch (err) {
        this.setData({ error: errorText(err, '加载失败，请重试') })
      } finally {
        this.setData({ loading: false })
      }
    },
    async onSearch(e: WechatMiniprogram.CustomEvent) {
      this.setData({ keyword: String(e.detail ?? '') })
      await this.load(1)
    },
    async onOnlyLacking(e: WechatMiniprogram.CustomEvent) {
      this.setData({ onlyLacking: !!e.detail })
      await this.load(1)
    },
    onEdit(e: WechatMiniprogram.CustomEvent) {
      const it = this.data.list.find((x) => x.id === e.currentTarget.dataset.id)
      if (!it) return
      this.setData({
        editing: it,
        form: {
          name: it.name,
          promisedDays: String(it.promisedDays),
          fee: it.fee,
          materials: it.materials.map(materialLine).join('\n'),
          steps: it.steps.join('\n'),
          published: it.published,
          homeVisit: it.homeVisit,
        },
        fieldErrors: {},
        message: '',
        error: '',
      })
    },
    onCancel() {
      this.setData({ editing: null, form: null })
    },
    onField(e: WechatMiniprogram.CustomEvent) {
      const key = String(e.currentTarget.dataset.key)
      this.setData({ [`form.${key}`]: e.detail, [`fieldErrors.${key}`]: '' })
    },
    async onSave() {
      const it = this.data.editing
      const f = this.data.form
      if (!it || !f || this.data.saving) return
      const lines = (s: string) =>
        s
          .split(/\n+/)
          .map((l) => l.trim())
          .filter(Boolean)
      this.setData({ saving: true, error: '', fieldErrors: {} })
      try {
        const { id: _id, tierLabel: _t, lacks: _l, ...rest } = it
        await saveItem({
          ...rest,
          name: f.name,
          promisedDays: Number(f.promisedDays),
          fee: f.fee,
          materials: lines(f.materials).map(parseMaterial),
          steps: lines(f.steps),
          published: f.published,
          homeVisit: f.homeVisit,
        })
        this.setData({ editing: null, form: null, message: '已保存' })
        await this.load(1)
      } catch (err) {
        // Field paths come back as materials.0.name, steps.1 …: shown on the field they belong to.
        const fields = (err as ApiCallError).fields ?? {}
        const fieldErrors: Record<string, string> = {}
        for (const [k, v] of Object.entries(fields)) {
          const key = k.split('.')[0]!
          fieldErrors[key] = fieldErrors[key] ? `${fieldErrors[key]}；${v}` : v
        }
        this.setData({ fieldErrors, error: errorText(err, '保存失败，请重试') })
      } finally {
        this.setData({ saving: false })
      }
    },
    async onMore() {
      if (this.data.hasMore && !this.data.loading) await this.load(this.data.page + 1)
    },
  },
})
