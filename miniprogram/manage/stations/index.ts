import { pageLoad } from '../../behaviors/page-load'
import { ApiCallError, errorText } from '../../services/api'
import {
  listStations,
  openPdf,
  printStation,
  retire,
  saveStation,
  type AdminStation,
} from '../../services/manage'

type Form = Pick<AdminStation, 'name' | 'hotline' | 'hours' | 'address'> & {
  latitude: number
  longitude: number
}

/**
 * 服务站 (admins): every station with what keeps it from counting as 健全; edit name, hotline,
 * hours, address and the map location (wx.chooseLocation); retire (refused while cases are open).
 */
Component({
  behaviors: [pageLoad],
  data: {
    list: [] as AdminStation[],
    editing: null as AdminStation | null,
    form: null as Form | null,
    fieldErrors: {} as Record<string, string>,
    saving: false,
    message: '',
    error: '',
  },
  methods: {
    async fetchPage() {
      await this.load()
      return {}
    },
    async load() {
      this.setData({ loading: true, error: '' })
      try {
        const { list } = await listStations()
        this.setData({ list })
      } catch (err) {
        this.setData({ error: errorText(err, '加载失败，请重试') })
      } finally {
        this.setData({ loading: false })
      }
    },
    onEdit(e: WechatMiniprogram.CustomEvent) {
      const s = this.data.list.find((x) => x.id === e.currentTarget.dataset.id)
      if (!s) return
      this.setData({
        editing: s,
        form: { name: s.name, hotline: s.hotline, hours: s.hours, address: s.address, ...s.location },
        fieldErrors: {},
        message: '',
        error: '',
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
      this.setData({ editing: null, form: null })
    },
    onField(e: WechatMiniprogram.CustomEvent) {
      const key = String(e.currentTarget.dataset.key)
      this.setData({ [`form.${key}`]: e.detail, [`fieldErrors.${key}`]: '' })
    },
    async onPickLocation() {
      const f = this.data.form
      if (!f) return
      try {
        const loc = await wx.chooseLocation({ latitude: f.latitude, longitude: f.longitude })
        this.setData({
          'form.latitude': loc.latitude,
          'form.longitude': loc.longitude,
          ...(loc.address && !f.address ? { 'form.address': loc.address } : {}),
        })
      } catch {
        // Cancelled: the location stays as it was.
      }
    },
    async onSave() {
      const s = this.data.editing
      const f = this.data.form
      if (!s || !f || this.data.saving) return
      this.setData({ saving: true, error: '', fieldErrors: {} })
      try {
        await saveStation({
          _id: s.id,
          code: s.code,
          tier: s.tier,
          parentId: s.parentId,
          headAgentId: s.headAgentId,
          active: s.active,
          name: f.name,
          hotline: f.hotline,
          hours: f.hours,
          address: f.address,
          location: { latitude: f.latitude, longitude: f.longitude },
        })
        this.setData({ editing: null, form: null, message: '已保存' })
        await this.load()
      } catch (err) {
        const e = err as ApiCallError
        this.setData({ fieldErrors: e.fields ?? {}, error: errorText(err, '保存失败，请重试') })
      } finally {
        this.setData({ saving: false })
      }
    },
    async onRetire() {
      const s = this.data.editing
      if (!s) return
      try {
        await retire({ kind: 'station', id: s.id })
        this.setData({ editing: null, form: null, message: `已停用「${s.name}」` })
        await this.load()
      } catch (err) {
        this.setData({ error: errorText(err, '停用失败，请重试') })
      }
    },
  },
})
