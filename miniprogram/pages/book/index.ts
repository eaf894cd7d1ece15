import { ApiCallError, errorText } from '../../services/api'
import {
  bookSlot,
  fetchSlots,
  rescheduleBooking,
  saveContact,
  savedContact,
  type ScheduleView,
} from '../../services/appointments'
import { askForNotices, prepareNotices } from '../../services/notify'
import { isElderlyMode } from '../../services/settings'
import { myStationId } from '../../services/stations'

type Day = ScheduleView['days'][number]

/**
 * 预约办理: pick 窗口预约 or 领导接待日, an open day, then a time with places left; the same page
 * moves an existing booking (改期) when opened with `reschedule=<bookingId>`.
 */
Component({
  data: {
    stationId: '',
    itemId: '',
    caseId: '',
    rescheduleId: '',
    loading: true,
    error: '',
    schedules: [] as ScheduleView[],
    scheduleIndex: 0,
    days: [] as Day[],
    dayIndex: 0,
    selectedKey: '',
    selectedText: '',
    form: { name: '', phone: '' },
    errors: {} as Record<string, string>,
    submitting: false,
    elderly: false,
  },
  methods: {
    async onLoad(query: Record<string, string | undefined>) {
      this.setData({
        stationId: decodeURIComponent(query.stationId ?? '') || myStationId(),
        itemId: decodeURIComponent(query.itemId ?? ''),
        caseId: decodeURIComponent(query.caseId ?? ''),
        rescheduleId: decodeURIComponent(query.reschedule ?? ''),
        form: savedContact(),
        elderly: isElderlyMode(),
      })
      void prepareNotices('book')
      await this.reload()
    },
    async reload() {
      if (!this.data.stationId) {
        this.setData({ loading: false, error: '请先在首页选择您所在的服务站' })
        return
      }
      this.setData({ loading: true, error: '' })
      try {
        const { schedules } = await fetchSlots(this.data.stationId)
        this.setData({ schedules, error: schedules.length ? '' : '该服务站暂未开放网上预约，请拨打服务热线' })
        this.pickSchedule(Math.min(this.data.scheduleIndex, schedules.length - 1))
      } catch (err) {
        this.setData({ error: errorText(err, '加载失败，请重试') })
      } finally {
        this.setData({ loading: false })
      }
    },
    pickSchedule(index: number) {
      const days = this.data.schedules[index]?.days ?? []
      const dayIndex = Math.max(
        0,
        days.findIndex((d) => d.remaining > 0),
      )
      this.setData({ scheduleIndex: index, days, dayIndex, selectedKey: '', selectedText: '' })
    },
    onSchedule(e: WechatMiniprogram.CustomEvent) {
      this.pickSchedule(Number(e.currentTarget.dataset.index))
    },
    onDay(e: WechatMiniprogram.CustomEvent) {
      this.setData({ dayIndex: Number(e.currentTarget.dataset.index), selectedKey: '', selectedText: '' })
    },
    onSlot(e: WechatMiniprogram.CustomEvent) {
      const key = String(e.currentTarget.dataset.key)
      const day = this.data.days[this.data.dayIndex]
      const slot = day?.slots.find((s) => s.key === key)
      if (!day || !slot || slot.remaining === 0) return
      this.setData({ selectedKey: key, selectedText: `${day.label} ${slot.start}-${slot.end}`, error: '' })
    },
    onInput(e: WechatMiniprogram.CustomEvent) {
      const field = String(e.currentTarget.dataset.field)
      this.setData({ [`form.${field}`]: e.detail, [`errors.${field}`]: '' })
    },
    async onSubmit() {
      if (this.data.submitting) return
      if (!this.data.selectedKey) {
        this.setData({ error: '请先选择预约时段' })
        return
      }
      this.setData({ submitting: true, error: '' })
      // The reminder the day before needs a grant, asked for on this tap as the platform requires;
      // not when the form is visibly incomplete (the server still checks everything).
      if (this.data.rescheduleId || (this.data.form.name && this.data.form.phone)) await askForNotices('book')
      try {
        const b = this.data.rescheduleId
          ? await rescheduleBooking(this.data.rescheduleId, this.data.selectedKey)
          : await bookSlot({
              slotKey: this.data.selectedKey,
              name: this.data.form.name,
              phone: this.data.form.phone,
              ...(this.data.itemId ? { itemId: this.data.itemId } : {}),
              ...(this.data.caseId ? { caseId: this.data.caseId } : {}),
            })
        if (!this.data.rescheduleId) saveContact(this.data.form.name, this.data.form.phone)
        await wx.redirectTo({ url: `/pages/appointments/index?done=${encodeURIComponent(b.id)}` })
      } catch (err) {
        const e = err as ApiCallError
        this.setData({ error: e.message ?? '预约失败，请重试', errors: e.fields ?? {} })
        // A slot filled up meanwhile: show the current places.
        if (e.code === 'CONFLICT') await this.reload()
      } finally {
        this.setData({ submitting: false })
      }
    },
  },
})
