import { pageLoad } from '../../behaviors/page-load'
import { ApiCallError } from '../../services/api'
import {
  bookSlot,
  fetchSlots,
  rescheduleBooking,
  saveContact,
  savedContact,
  type ScheduleView,
} from '../../services/appointments'
import { askForNotices, prepareNotices } from '../../services/notify'
import { myStationId } from '../../services/stations'

type Day = ScheduleView['days'][number]

/** "12月2日 周三 09:00-09:30". */
const slotText = (day: Day, slot: Day['slots'][number]) => `${day.label} ${slot.start}-${slot.end}`

/**
 * Shows schedule `index`: its days and the time `keep` if it still has places (a refresh), else
 * the first day with places left and no time chosen (another kind, or the time just filled up).
 */
function choose(schedules: ScheduleView[], index: number, keep = '') {
  const days = schedules[index]?.days ?? []
  for (const [dayIndex, day] of days.entries()) {
    const slot = day.slots.find((s) => s.key === keep && s.remaining > 0)
    if (slot)
      return { scheduleIndex: index, days, dayIndex, selectedKey: keep, selectedText: slotText(day, slot) }
  }
  const dayIndex = Math.max(
    0,
    days.findIndex((d) => d.remaining > 0),
  )
  return { scheduleIndex: index, days, dayIndex, selectedKey: '', selectedText: '' }
}

/**
 * 预约办理: pick 窗口预约 or 领导接待日, an open day, then a time with places left; the same page
 * moves an existing booking (改期) when opened with `reschedule=<bookingId>`.
 */
Component({
  behaviors: [pageLoad],
  data: {
    stationId: '',
    itemId: '',
    caseId: '',
    rescheduleId: '',
    schedules: [] as ScheduleView[],
    scheduleIndex: 0,
    days: [] as Day[],
    dayIndex: 0,
    selectedKey: '',
    selectedText: '',
    form: { name: '', phone: '' },
    errors: {} as Record<string, string>,
    /** What stops the booking (no time chosen, the slot just filled up), beside the button. */
    formError: '',
    submitting: false,
    noticesReady: false,
  },
  lifetimes: {
    attached() {
      this.setData({ form: savedContact() })
    },
  },
  methods: {
    async fetchPage(query: Record<string, string | undefined>) {
      // Read again on 重新加载: a resident sent to pick a station first finds it here on return.
      const stationId = decodeURIComponent(query.stationId ?? '') || myStationId()
      this.setData({
        stationId,
        itemId: decodeURIComponent(query.itemId ?? ''),
        caseId: decodeURIComponent(query.caseId ?? ''),
        rescheduleId: decodeURIComponent(query.reschedule ?? ''),
      })
      if (!stationId) throw new ApiCallError('NO_STATION', '请先在首页选择您所在的服务站')
      // The templates to ask for come with the first load, so that they are there for the tap on
      // 确认预约 (it must ask at once: the platform only allows asking inside the tap).
      const [{ schedules }, notices] = await Promise.all([
        fetchSlots(stationId),
        this.data.noticesReady ? true : prepareNotices('book'),
      ])
      // A reload (pulled down, or a slot filled up meanwhile) keeps the kind and the chosen time
      // while it still has places.
      const index = Math.max(0, Math.min(this.data.scheduleIndex, schedules.length - 1))
      return { schedules, noticesReady: notices, ...choose(schedules, index, this.data.selectedKey) }
    },
    onSchedule(e: WechatMiniprogram.CustomEvent) {
      this.setData(choose(this.data.schedules, Number(e.currentTarget.dataset.index)))
    },
    onDay(e: WechatMiniprogram.CustomEvent) {
      this.setData({ dayIndex: Number(e.currentTarget.dataset.index), selectedKey: '', selectedText: '' })
    },
    onSlot(e: WechatMiniprogram.CustomEvent) {
      const key = String(e.currentTarget.dataset.key)
      const day = this.data.days[this.data.dayIndex]
      const slot = day?.slots.find((s) => s.key === key)
      if (!day || !slot || slot.remaining === 0) return
      this.setData({ selectedKey: key, selectedText: slotText(day, slot), formError: '' })
    },
    onInput(e: WechatMiniprogram.CustomEvent) {
      const field = String(e.currentTarget.dataset.field)
      this.setData({ [`form.${field}`]: e.detail, [`errors.${field}`]: '' })
    },
    async onSubmit() {
      if (this.data.submitting) return
      if (!this.data.selectedKey) {
        this.setData({ formError: '请先选择预约时段' })
        return
      }
      this.setData({ submitting: true, formError: '' })
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
        this.setData({ formError: e.message ?? '预约失败，请重试', errors: e.fields ?? {} })
        // A slot filled up meanwhile: show the current places.
        if (e.code === 'CONFLICT') await this.reload()
      } finally {
        this.setData({ submitting: false })
      }
    },
  },
})
