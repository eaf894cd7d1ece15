import { pageLoad } from '../../behaviors/page-load'
import { errorText } from '../../services/api'
import {
  handOverStation,
  listStations,
  openPdf,
  printStation,
  retire,
  roster,
  saveStation,
  type AdminStation,
} from '../../services/manage'
import { TIER_LABELS, TIERS } from '../../utils/vocabulary'
import { cleared, fieldForm, saveFailure, saveForm } from '../form'

type Tier = AdminStation['tier']

interface Form {
  code: string
  name: string
  tier: Tier
  parentId: string
  hotline: string
  hours: string
  address: string
  latitude: number
  longitude: number
}

interface Choice {
  id: string
  name: string
}

/** The tier a new station hangs under: the rule the server checks too. */
const PARENT_TIER: Record<Tier, Tier | null> = { district: null, township: 'district', village: 'township' }

/**
 * 服务站 (admins): every station with what keeps it from counting as 健全; create one under its
 * parent tier (新建服务站), edit name, hotline, hours, address and the map location
 * (wx.chooseLocation); before retiring a station with open cases, hand them all on to an agent of
 * a neighbouring station or the parent (整站移交), page by page, then retire.
 */
Component({
  behaviors: [pageLoad, fieldForm],
  data: {
    list: [] as AdminStation[],
    editing: null as AdminStation | null,
    creating: false,
    form: null as Form | null,
    tierChoices: TIERS.map((t) => ({ value: t, label: TIER_LABELS[t] })),
    tierIndex: 2,
    parents: [] as Choice[],
    parentIndex: 0,
    fieldErrors: {} as Record<string, string>,
    saving: false,
    /** 整站移交: the stations that may take the cases over, that station's staff, the progress. */
    targets: [] as Choice[],
    targetIndex: -1,
    receivers: [] as Choice[],
    receiverIndex: -1,
    handing: false,
    handoverText: '',
    retireError: '',
    message: '',
    error: '',
  },
  methods: {
    async fetchPage() {
      const { list } = await listStations()
      return { list }
    },
    /** Active stations a station of `tier` may hang under. */
    parentsFor(tier: Tier): Choice[] {
      const want = PARENT_TIER[tier]
      return want
        ? this.data.list.filter((s) => s.active && s.tier === want).map((s) => ({ id: s.id, name: s.name }))
        : []
    },
    onNew() {
      const tier: Tier = 'village'
      const parents = this.parentsFor(tier)
      const parent = this.data.list.find((s) => s.id === parents[0]?.id)
      this.setData({
        creating: true,
        editing: null,
        tierIndex: TIERS.indexOf(tier),
        parents,
        parentIndex: 0,
        form: {
          code: '',
          name: '',
          tier,
          parentId: parents[0]?.id ?? '',
          hotline: '',
          hours: '周一至周五 9:00-12:00，14:00-17:00',
          address: '',
          // Near the parent until the admin picks the place on the map.
          latitude: parent?.location.latitude ?? 0,
          longitude: parent?.location.longitude ?? 0,
        },
        ...cleared(),
      })
    },
    onTier(e: WechatMiniprogram.CustomEvent) {
      const tierIndex = Number(e.detail.value)
      const tier = TIERS[tierIndex]!
      const parents = this.parentsFor(tier)
      this.setData({
        tierIndex,
        parents,
        parentIndex: 0,
        'form.tier': tier,
        'form.parentId': parents[0]?.id ?? '',
        'fieldErrors.tier': '',
        'fieldErrors.parentId': '',
      })
    },
    onParent(e: WechatMiniprogram.CustomEvent) {
      const parentIndex = Number(e.detail.value)
      this.setData({
        parentIndex,
        'form.parentId': this.data.parents[parentIndex]?.id ?? '',
        'fieldErrors.parentId': '',
      })
    },
    onEdit(e: WechatMiniprogram.CustomEvent) {
      const s = this.data.list.find((x) => x.id === e.currentTarget.dataset.id)
      if (!s) return
      // Who may take the cases over: an active station of the same tier, or the parent; the
      // parent and the stations under the same parent (a merger's usual partners) first.
      const rank = (t: AdminStation) => (t.id === s.parentId ? 0 : t.parentId === s.parentId ? 1 : 2)
      const targets = this.data.list
        .filter((t) => t.active && t.id !== s.id && (t.tier === s.tier || t.id === s.parentId))
        .sort((a, b) => rank(a) - rank(b))
        .map((t) => ({ id: t.id, name: t.name }))
      this.setData({
        editing: s,
        creating: false,
        form: {
          code: s.code,
          name: s.name,
          tier: s.tier,
          parentId: s.parentId ?? '',
          hotline: s.hotline,
          hours: s.hours,
          address: s.address,
          ...s.location,
        },
        targets,
        targetIndex: -1,
        receivers: [],
        receiverIndex: -1,
        handoverText: '',
        retireError: '',
        ...cleared(),
      })
    },
    onGo(e: WechatMiniprogram.CustomEvent) {
      const s = this.data.editing
      if (s) void wx.navigateTo({ url: `${String(e.currentTarget.dataset.url)}?stationId=${s.id}` })
    },
    /** 公示栏 (A3) or 明白卡 (A6): a PDF made from the same data, opened to print or forward. */
    async onPrint(e: WechatMiniprogram.CustomEvent) {
      const s = this.data.editing
      if (!s || this.data.saving) return
      this.setData({ saving: true, error: '' })
      try {
        const r = await printStation(s.id, e.currentTarget.dataset.kind as 'board' | 'card')
        await openPdf(r.url)
      } catch (err) {
        this.setData({ error: errorText(err, '生成失败，请重试') })
      } finally {
        this.setData({ saving: false })
      }
    },
    onCancel() {
      this.setData({ editing: null, creating: false, form: null })
    },
    async onPickLocation() {
      const f = this.data.form
      if (!f) return
      try {
        const loc = await wx.chooseLocation({ latitude: f.latitude, longitude: f.longitude })
        this.setData({
          'form.latitude': loc.latitude,
          'form.longitude': loc.longitude,
          'fieldErrors.location': '',
          ...(loc.address && !f.address ? { 'form.address': loc.address } : {}),
        })
      } catch {
        // Cancelled: the location stays as it was.
      }
    },
    async onSave() {
      const s = this.data.editing
      const f = this.data.form
      if ((!s && !this.data.creating) || !f) return
      const common = {
        name: f.name,
        hotline: f.hotline,
        hours: f.hours,
        address: f.address,
        location: { latitude: f.latitude, longitude: f.longitude },
      }
      // `location.latitude`, a CONFLICT on the code: a refusal is shown on the field it belongs to.
      await saveForm(this, async () => {
        if (s) {
          await saveStation({
            ...common,
            _id: s.id,
            code: s.code,
            tier: s.tier,
            parentId: s.parentId,
            headAgentId: s.headAgentId,
            active: s.active,
          })
        } else {
          await saveStation({
            ...common,
            code: f.code.trim().toUpperCase(),
            tier: f.tier,
            parentId: f.tier === 'district' ? null : f.parentId || null,
          })
        }
        this.setData({
          editing: null,
          creating: false,
          form: null,
          message: s ? '已保存' : `已新建「${f.name}」，请到花名册登记人员、排好值班表`,
        })
        await this.reload()
      })
    },
    async onTarget(e: WechatMiniprogram.CustomEvent) {
      const targetIndex = Number(e.detail.value)
      const target = this.data.targets[targetIndex]
      if (!target) return
      this.setData({ targetIndex, receivers: [], receiverIndex: -1, 'fieldErrors.toAgentId': '' })
      try {
        const r = await roster(target.id)
        const receivers = r.list
          .filter((a) => a.active && (a.role === 'agent' || a.role === 'head'))
          .map((a) => ({ id: a.id, name: `${a.name}（${a.roleLabel}）` }))
        this.setData({ receivers, receiverIndex: receivers.length ? 0 : -1 })
      } catch (err) {
        this.setData({ error: errorText(err, '加载失败，请重试') })
      }
    },
    onReceiver(e: WechatMiniprogram.CustomEvent) {
      this.setData({ receiverIndex: Number(e.detail.value), 'fieldErrors.toAgentId': '' })
    },
    /**
     * Hands every open case on, 40 per call, calling again while some remain; stops when a call
     * moves nothing (someone is working on those cases right now: try again in a moment).
     */
    async onHandOver() {
      const s = this.data.editing
      const to = this.data.receivers[this.data.receiverIndex]
      if (!s || this.data.handing) return
      if (!to) {
        this.setData({ 'fieldErrors.toAgentId': '请先选择接收的服务站和接收人' })
        return
      }
      this.setData({ handing: true, retireError: '', handoverText: '正在移交…' })
      let total = 0
      try {
        for (;;) {
          const r = await handOverStation(s.id, to.id)
          total += r.moved
          this.setData({
            handoverText: r.remaining ? `已移交 ${total} 件，还有 ${r.remaining} 件…` : r.message,
          })
          if (!r.remaining) break
          if (!r.moved) {
            this.setData({
              handoverText: `已移交 ${total} 件；还有 ${r.remaining} 件正被处理，请稍后再点一次`,
            })
            break
          }
        }
      } catch (err) {
        // Said beside the hand-over, not above the form.
        const { fieldErrors, error } = saveFailure(err, '移交失败，请重试')
        this.setData({ fieldErrors, handoverText: '', retireError: error })
      } finally {
        this.setData({ handing: false })
      }
    },
    async onRetire() {
      const s = this.data.editing
      if (!s) return
      try {
        await retire({ kind: 'station', id: s.id })
        this.setData({ editing: null, form: null, message: `已停用「${s.name}」` })
        await this.reload()
      } catch (err) {
        // Refused while cases are open: said beside the hand-over that resolves it.
        this.setData({ retireError: errorText(err, '停用失败，请重试') })
      }
    },
  },
})
