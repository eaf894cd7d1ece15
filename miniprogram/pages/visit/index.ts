import { ApiCallError, errorText } from '../../services/api'
import {
  fetchSlots,
  requestVisit,
  saveContact,
  savedContact,
  type VisitRequestInput,
} from '../../services/appointments'
import { askForNotices, prepareNotices } from '../../services/notify'
import { isElderlyMode } from '../../services/settings'
import { myStationId } from '../../services/stations'

type Part = 'am' | 'pm'
interface DayChoice {
  day: string
  label: string
  am: boolean
  pm: boolean
}

/**
 * 上门服务 for residents who cannot come (elderly, disabled, ill): who, where, why, and up to
 * three half days that suit them; an agent confirms one and the resident is told.
 */
Component({
  data: {
    stationId: '',
    itemId: '',
    caseId: '',
    days: [] as DayChoice[],
    chosen: 0,
    form: { name: '', phone: '', address: '', reason: 'elderly' as VisitRequestInput['reason'], note: '' },
    errors: {} as Record<string, string>,
    error: '',
    submitting: false,
    elderly: false,
  },
  methods: {
    async onLoad(query: Record<string, string | undefined>) {
      const stationId = decodeURIComponent(query.stationId ?? '') || myStationId()
      void prepareNotices('visit')
      this.setData({
        stationId,
        itemId: decodeURIComponent(query.itemId ?? ''),
        caseId: decodeURIComponent(query.caseId ?? ''),
        form: { ...this.data.form, ...savedContact() },
        elderly: isElderlyMode(),
      })
      if (!stationId) {
        this.setData({ error: '请先在首页选择您所在的服务站' })
        return
      }
      await this.loadDays()
    },
    /** Working days from tomorrow, from the server (its calendar and its day, not the phone's). */
    async loadDays() {
      this.setData({ error: '' })
      try {
        const { visitDays } = await fetchSlots(this.data.stationId)
        this.setData({
          days: visitDays.slice(0, 7).map((d) => ({ ...d, am: false, pm: false })),
          chosen: 0,
        })
      } catch (err) {
        this.setData({ error: errorText(err, '加载失败，请重试') })
      }
    },
    onInput(e: WechatMiniprogram.CustomEvent) {
      const field = String(e.currentTarget.dataset.field)
      this.setData({ [`form.${field}`]: e.detail, [`errors.${field}`]: '' })
    },
    onReason(e: { detail: VisitRequestInput['reason'] }) {
      this.setData({ 'form.reason': e.detail })
    },
    onPart(e: WechatMiniprogram.CustomEvent) {
      const index = Number(e.currentTarget.dataset.index)
      const part = String(e.currentTarget.dataset.part) as Part
      const day = this.data.days[index]
      if (!day) return
      if (!day[part] && this.data.chosen >= 3) {
        this.setData({ error: '最多选择 3 个方便的时间' })
        return
      }
      this.setData({
        [`days[${index}].${part}`]: !day[part],
        chosen: this.data.chosen + (day[part] ? -1 : 1),
        error: '',
        'errors.windows': '',
      })
    },
    async onSubmit() {
      if (this.data.submitting) return
      const windows = this.data.days.flatMap((d) =>
        (['am', 'pm'] as Part[]).filter((p) => d[p]).map((part) => ({ day: d.day, part })),
      )
      this.setData({ submitting: true, error: '' })
      await askForNotices('visit')
      try {
        const { name, phone, address, reason, note } = this.data.form
        const b = await requestVisit({
          stationId: this.data.stationId,
          name,
          phone,
          address,
          reason,
          note,
          windows,
          ...(this.data.itemId ? { itemId: this.data.itemId } : {}),
          ...(this.data.caseId ? { caseId: this.data.caseId } : {}),
        })
        saveContact(name, phone)
        await wx.redirectTo({ url: `/pages/appointments/index?done=${encodeURIComponent(b.id)}` })
      } catch (err) {
        const e = err as ApiCallError
        this.setData({ error: e.message ?? '提交失败，请重试', errors: e.fields ?? {} })
      } finally {
        this.setData({ submitting: false })
      }
    },
  },
})
