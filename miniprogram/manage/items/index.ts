import { pageLoad } from '../../behaviors/page-load'
import { errorText } from '../../services/api'
import { listItems, saveItem, type AdminItem } from '../../services/manage'
import { MATERIAL_FORM_LABELS, TIER_LABELS, TIERS, type MaterialForm } from '../../utils/vocabulary'
import { cleared, fieldForm, saveForm } from '../form'

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
  /** Only a new item chooses these four; an existing one keeps its own. */
  code: string
  category: string
  tier: AdminItem['tier']
  proxyMode: AdminItem['proxyMode']
  /** 涉及部门, separated by 、 or commas. */
  departments: string
  name: string
  promisedDays: string
  fee: string
  materials: string
  steps: string
  published: boolean
  homeVisit: boolean
}

type Choices = Awaited<ReturnType<typeof listItems>>['choices']

const lines = (s: string) =>
  s
    .split(/\n+/)
    .map((l) => l.trim())
    .filter(Boolean)

/**
 * 一栏表 (admins): every item with what it still lacks to count as fully published, 20 at a time;
 * edit one, or add a new one (新建事项) with its code, category, deciding tier and proxy mode.
 */
Component({
  behaviors: [pageLoad, fieldForm],
  data: {
    list: [] as AdminItem[],
    total: 0,
    page: 1,
    hasMore: false,
    keyword: '',
    onlyLacking: false,
    editing: null as AdminItem | null,
    creating: false,
    choices: { categories: [], proxyModes: [] } as Choices,
    tierChoices: TIERS.map((t) => ({ value: t, label: TIER_LABELS[t] })),
    categoryIndex: -1,
    tierIndex: 1,
    proxyIndex: 1,
    form: null as Form | null,
    /** Two lines of room for the multi-line fields in 长辈模式 (their placeholders wrap). */
    twoLines: { minHeight: 60 },
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
          choices: r.choices,
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
        creating: false,
        form: {
          code: it.code,
          category: it.category,
          tier: it.tier,
          proxyMode: it.proxyMode,
          departments: it.departments.join('、'),
          name: it.name,
          promisedDays: String(it.promisedDays),
          fee: it.fee,
          materials: it.materials.map(materialLine).join('\n'),
          steps: it.steps.join('\n'),
          published: it.published,
          homeVisit: it.homeVisit,
        },
        ...cleared(),
      })
    },
    onNew() {
      this.setData({
        creating: true,
        editing: null,
        categoryIndex: -1,
        tierIndex: TIERS.indexOf('township'),
        proxyIndex: 1,
        form: {
          code: '',
          category: '',
          tier: 'township',
          proxyMode: this.data.choices.proxyModes[1]?.value ?? 'promise',
          departments: '',
          name: '',
          promisedDays: '',
          fee: '无偿',
          materials: '',
          steps: '',
          published: false,
          homeVisit: false,
        },
        ...cleared(),
      })
    },
    onCategory(e: WechatMiniprogram.CustomEvent) {
      const i = Number(e.detail.value)
      this.setData({
        categoryIndex: i,
        'form.category': this.data.choices.categories[i] ?? '',
        'fieldErrors.category': '',
      })
    },
    onTier(e: WechatMiniprogram.CustomEvent) {
      const i = Number(e.detail.value)
      this.setData({ tierIndex: i, 'form.tier': TIERS[i]!, 'fieldErrors.tier': '' })
    },
    onProxyMode(e: WechatMiniprogram.CustomEvent) {
      const i = Number(e.detail.value)
      this.setData({
        proxyIndex: i,
        'form.proxyMode': this.data.choices.proxyModes[i]!.value,
        'fieldErrors.proxyMode': '',
      })
    },
    onCancel() {
      this.setData({ editing: null, creating: false, form: null })
    },
    async onSave() {
      const it = this.data.editing
      const f = this.data.form
      if ((!it && !this.data.creating) || !f) return
      const edited = {
        name: f.name,
        // An empty time limit is sent as missing: the server says 请填写承诺时限 on the field.
        promisedDays:
          f.promisedDays.trim() === '' ? (undefined as unknown as number) : Number(f.promisedDays),
        fee: f.fee,
        materials: lines(f.materials).map(parseMaterial),
        steps: lines(f.steps),
        published: f.published,
        homeVisit: f.homeVisit,
      }
      // materials.0.name, steps.1 …: a refusal is shown on the field it belongs to.
      await saveForm(this, async () => {
        if (it) {
          const { id: _id, tierLabel: _t, lacks: _l, ...rest } = it
          await saveItem({ ...rest, ...edited })
        } else {
          await saveItem({
            ...edited,
            code: f.code.trim().toUpperCase(),
            category: f.category,
            tier: f.tier,
            proxyMode: f.proxyMode,
            departments: f.departments
              .split(/[、，,\s]+/)
              .map((d) => d.trim())
              .filter(Boolean),
          })
        }
        this.setData({
          editing: null,
          creating: false,
          form: null,
          message: it ? '已保存' : `已新建事项「${f.name}」`,
        })
        await this.load(1)
      })
    },
    async onMore() {
      if (this.data.hasMore && !this.data.loading) await this.load(this.data.page + 1)
    },
  },
})
