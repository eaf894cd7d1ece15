import { pageLoad } from '../../behaviors/page-load'
import { errorText } from '../../services/api'
import {
  handOver,
  invite,
  retire,
  roster,
  saveAgent,
  saveSpecialties,
  stationOf,
  type Roster,
} from '../../services/manage'
import { cleared, fieldForm, saveFailure, saveForm } from '../form'

type Entry = Roster['list'][number]

interface Form {
  id: string
  name: string
  phone: string
  title: string
  volunteer: boolean
  /** One leave a line: 2026-12-01至2026-12-05 事由. */
  leaves: string
  /** 擅长类别, picked from the catalog's categories (assignment rule 3 matches them). */
  specialties: string[]
}

/** The category chips of the editor, each on or off. */
const chipsOf = (categories: string[], picked: string[]) =>
  categories.map((name) => ({ name, on: picked.includes(name) }))

const leaveLine = (l: Entry['leaves'][number]) => `${l.from}至${l.to}${l.reason ? ` ${l.reason}` : ''}`

export function parseLeaves(text: string): Entry['leaves'] {
  return text
    .split(/\n+/)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const m = /^(\S+?)(?:至|~|-{2}|到)(\S+)(?:\s+(.*))?$/.exec(l)
      return m ? { from: m[1]!, to: m[2]!, ...(m[3] ? { reason: m[3] } : {}) } : { from: l, to: l }
    })
}

/**
 * 花名册 of one station (admins; a head for their own): who is bound to WeChat, on leave today,
 * what each is good at (擅长类别, which assignment matches against a case's category); an
 * invitation code to bind; retire, or first hand the open cases on (移交) to a colleague. A head
 * changes only their people's 擅长类别 (the server says what the caller may edit).
 */
Component({
  behaviors: [pageLoad, fieldForm],
  data: {
    stationId: '',
    roster: null as Roster | null,
    selected: '',
    toAgentId: '',
    /** Who may take the selected person's cases: active agents and heads of this station. */
    colleagues: [] as { id: string; name: string }[],
    toIndex: -1,
    fieldErrors: {} as Record<string, string>,
    code: '',
    form: null as Form | null,
    chips: [] as { name: string; on: boolean }[],
    /** 擅长类别 of each row, as the row says them (「民政、计生」). */
    specialtyText: {} as Record<string, string>,
    /** The 请假 box's height in px: room for two leaves, three in 长辈模式's larger type. */
    leavesBox: { minHeight: 48 },
    leavesBoxElderly: { minHeight: 96 },
    saving: false,
    message: '',
    error: '',
  },
  methods: {
    async fetchPage(query: Record<string, string | undefined>) {
      if (!this.data.stationId) this.setData({ stationId: await stationOf(query) })
      const r = await roster(this.data.stationId)
      return {
        roster: r,
        specialtyText: Object.fromEntries(r.list.map((a) => [a.id, a.specialties.join('、')])),
      }
    },
    onSelect(e: WechatMiniprogram.CustomEvent) {
      const id = String(e.currentTarget.dataset.id)
      const colleagues = (this.data.roster?.list ?? [])
        .filter((a) => a.active && a.id !== id && (a.role === 'agent' || a.role === 'head'))
        .map((a) => ({ id: a.id, name: a.name }))
      this.setData({
        selected: this.data.selected === id ? '' : id,
        colleagues,
        toIndex: -1,
        toAgentId: '',
        code: '',
        ...cleared(),
      })
    },
    onEditAgent() {
      const a = this.data.roster?.list.find((x) => x.id === this.data.selected)
      if (!a) return
      this.setData({
        form: {
          id: a.id,
          name: a.name,
          phone: a.phone,
          title: a.title ?? '',
          volunteer: a.kind === 'volunteer',
          leaves: a.leaves.map(leaveLine).join('\n'),
          specialties: [...a.specialties],
        },
        chips: chipsOf(this.data.roster?.categories ?? [], a.specialties),
        ...cleared(),
      })
    },
    onNew() {
      this.setData({
        form: { id: '', name: '', phone: '', title: '', volunteer: false, leaves: '', specialties: [] },
        chips: chipsOf(this.data.roster?.categories ?? [], []),
        selected: '',
        ...cleared(),
      })
    },
    onCancel() {
      this.setData({ form: null })
    },
    /** A category chip tapped: on or off, kept in the order the catalog lists them. */
    onSpecialty(e: WechatMiniprogram.CustomEvent) {
      const chips = this.data.chips.map((c) =>
        c.name === e.currentTarget.dataset.name ? { ...c, on: !c.on } : c,
      )
      this.setData({
        chips,
        'form.specialties': chips.filter((c) => c.on).map((c) => c.name),
        'fieldErrors.specialties': '',
      })
    },
    async onSaveAgent() {
      const f = this.data.form
      if (!f) return
      const before = this.data.roster?.list.find((x) => x.id === f.id)
      // Paths like leaves.0.from are shown on the field they belong to.
      await saveForm(this, async () => {
        if (this.data.roster?.editable === 'specialties') await saveSpecialties(f.id, f.specialties)
        else
          await saveAgent({
            ...(f.id ? { _id: f.id } : {}),
            name: f.name,
            phone: f.phone,
            stationId: this.data.stationId,
            role: before?.role ?? 'agent',
            kind: f.volunteer ? 'volunteer' : 'party_member',
            ...(f.title ? { title: f.title } : {}),
            specialties: f.specialties,
            leaves: parseLeaves(f.leaves),
            active: before?.active ?? true,
          })
        this.setData({ form: null, message: '已保存' })
        await this.reload()
      })
    },
    /** 移交给: a colleague picked from this station's roster (the server checks the same). */
    onTo(e: WechatMiniprogram.CustomEvent) {
      const i = Number(e.detail.value)
      this.setData({ toIndex: i, toAgentId: this.data.colleagues[i]?.id ?? '', fieldErrors: {} })
    },
    async onInvite() {
      try {
        const r = await invite(this.data.selected)
        this.setData({
          code: r.code,
          message: `邀请码 ${r.code}，7 天内有效，请本人在「我的 → 绑定花名册」输入`,
        })
      } catch (err) {
        this.setData({ error: errorText(err, '生成邀请码失败') })
      }
    },
    /** Hands everything on, 40 cases a call, calling again while some remain and some moved. */
    async onHandOver() {
      if (!this.data.toAgentId) {
        this.setData({ fieldErrors: { toAgentId: '请选择接收人' } })
        return
      }
      try {
        let total = 0
        for (;;) {
          const r = await handOver(this.data.selected, this.data.toAgentId)
          total += r.moved
          this.setData({
            message: r.remaining && r.moved ? `已移交 ${total} 件，还有 ${r.remaining} 件…` : r.message,
          })
          if (!r.remaining || !r.moved) break
        }
      } catch (err) {
        this.setData(saveFailure(err, '移交失败'))
      }
    },
    async onRetire() {
      try {
        await retire({ kind: 'agent', id: this.data.selected })
        this.setData({ message: '已停用', selected: '' })
        await this.reload()
      } catch (err) {
        this.setData({ error: errorText(err, '停用失败') })
      }
    },
  },
})
