import { pageLoad } from '../../behaviors/page-load'
import { errorText } from '../../services/api'
import { calendarYear, saveCalendarYear, type CalendarYear } from '../../services/manage'
import { fieldErrorsOf } from '../form'

interface Month {
  label: string
  days: string
  tokens: { text: string; off: boolean }[]
}

/** The year's days off and make-up workdays, month by month, for the preview. */
function preview(c: CalendarYear): Month[] {
  return Array.from({ length: 12 }, (_, m) => {
    const mm = String(m + 1).padStart(2, '0')
    const inMonth = c.days.filter((d) => d.date.slice(5, 7) === mm)
    const text = inMonth
      .map((d) => `${Number(d.date.slice(8))}日${d.kind === 'holiday' ? '休' : '班'}`)
      .join(' ')
    const tokens = inMonth.map((d) => ({
      text: `${Number(d.date.slice(8))}日${d.kind === 'holiday' ? '休' : '班'}`,
      off: d.kind === 'holiday',
    }))
    return { label: `${m + 1}月`, days: text || '—', tokens }
  })
}

/**
 * 工作日历 (admins): next year's State Council schedule entered by hand (days off, make-up
 * workdays), previewed by month; the CALENDAR_MISSING warning while a needed year is missing.
 */
Component({
  behaviors: [pageLoad],
  data: {
    year: 0,
    calendar: null as CalendarYear | null,
    months: [] as Month[],
    holidays: '',
    workdays: '',
    fieldErrors: {} as Record<string, string>,
    message: '',
    error: '',
  },
  methods: {
    async fetchPage(query: Record<string, string | undefined>) {
      await this.load(Number(query.year) || new Date().getFullYear() + 1)
      return {}
    },
    async load(year: number) {
      try {
        const calendar = await calendarYear(year)
        const list = (kind: string) =>
          calendar.days
            .filter((d) => d.kind === kind && d.source === 'admin')
            .map((d) => d.date)
            .join(' ')
        this.setData({
          year,
          calendar,
          months: preview(calendar),
          holidays: list('holiday'),
          workdays: list('workday'),
        })
      } catch (err) {
        this.setData({ error: errorText(err, '加载失败，请重试') })
      }
    },
    async onPrev() {
      await this.load(this.data.year - 1)
    },
    async onNext() {
      await this.load(this.data.year + 1)
    },
    onField(e: WechatMiniprogram.CustomEvent) {
      this.setData({ [String(e.currentTarget.dataset.key)]: String(e.detail), fieldErrors: {} })
    },
    async onSave() {
      const split = (s: string) => s.split(/[\s,，、]+/).filter(Boolean)
      this.setData({ error: '', message: '', fieldErrors: {} })
      try {
        await saveCalendarYear({
          year: this.data.year,
          holidays: split(this.data.holidays),
          workdays: split(this.data.workdays),
        })
        await this.load(this.data.year)
        this.setData({ message: `已保存 ${this.data.year} 年的安排` })
      } catch (err) {
        // holidays.3 → 放假日期; the line above says what the year as a whole lacks.
        this.setData({ fieldErrors: fieldErrorsOf(err), error: errorText(err, '保存失败，请重试') })
      }
    },
  },
})
