import { askForNotices, prepareNotices } from '../../services/notify'
import { pageLoad } from '../../behaviors/page-load'
import { fetchSettings, saveBookingRules, saveReminders, type Settings } from '../../services/admin'
import { saveKpiTargets } from '../../services/supervise'
import { sectionError } from '../form'

type Group = 'reminders' | 'booking' | 'kpiTargets'

interface Field {
  group: Group
  key: string
  label: string
  unit: string
  min: number
  max: number
  /** Stepper increment (minutes move in half hours). */
  step?: number
}

const FIELDS: Field[] = [
  { group: 'reminders', key: 'dueSoonDays', label: '到期前提醒', unit: '个工作日', min: 1, max: 5 },
  {
    group: 'reminders',
    key: 'superviseAfterDays',
    label: '超期督办站长',
    unit: '个工作日后',
    min: 1,
    max: 30,
  },
  { group: 'reminders', key: 'reportAfterDays', label: '超期通报督查', unit: '个工作日后', min: 2, max: 60 },
  {
    group: 'reminders',
    key: 'ratingWindowDays',
    label: '评价期限（逾期默认基本满意）',
    unit: '天',
    min: 1,
    max: 30,
  },
  { group: 'reminders', key: 'rectifyDays', label: '差评整改期限', unit: '个工作日', min: 1, max: 30 },
  { group: 'booking', key: 'horizonDays', label: '可提前预约', unit: '天', min: 1, max: 60 },
  { group: 'booking', key: 'minNoticeMinutes', label: '最少提前', unit: '分钟', min: 0, max: 2880, step: 30 },
  {
    group: 'booking',
    key: 'cancelCutoffMinutes',
    label: '开始前多久不能在线取消',
    unit: '分钟',
    min: 0,
    max: 1440,
    step: 30,
  },
  { group: 'booking', key: 'noShowLimit', label: '多次未到的次数', unit: '次', min: 1, max: 20 },
  { group: 'booking', key: 'noShowWindowDays', label: '未到次数的统计期', unit: '天', min: 7, max: 365 },
  // 六项指标 are coloured against these: 达标 at or above, 接近 within 5 points, else 未达标.
  ...(
    [
      ['organization', '组织机构健全率'],
      ['publication', '代理事项公开率'],
      ['acceptance', '申请事项受理率'],
      ['completion', '代理事项办结率'],
      ['onTime', '承诺期限兑现率'],
      ['satisfaction', '群众评价满意率'],
    ] as const
  ).map(([key, label]): Field => ({ group: 'kpiTargets', key, label, unit: '目标（%）', min: 50, max: 100 })),
]

/**
 * 期限与预约设置 (admins): reminder and 督办/通报 thresholds, the rating and 整改 periods, the
 * booking rules, and the 六项指标 targets; the server validates every value again and answers
 * in Chinese.
 */
Component({
  behaviors: [pageLoad],
  data: {
    fields: [] as (Field & { value: number })[],
    settings: null as Settings | null,
    saving: '' as Group | '',
    message: '',
    /** A refused save, apart from a failed load (which offers 重新加载). */
    saveError: '',
  },
  methods: {
    async fetchPage() {
      void prepareNotices('settings')
      return this.shown(await fetchSettings())
    },
    shown(settings: Settings) {
      const value = (f: Field) => (settings[f.group] as unknown as Record<string, number>)[f.key]!
      return { settings, fields: FIELDS.map((f) => ({ ...f, value: value(f) })) }
    },
    onChange(e: WechatMiniprogram.CustomEvent) {
      const i = Number(e.currentTarget.dataset.index)
      this.setData({ [`fields[${i}].value`]: Number(e.detail), message: '', saveError: '' })
    },
    values(group: Group): Record<string, number> {
      return Object.fromEntries(
        this.data.fields.filter((f) => f.group === group).map((f) => [f.key, f.value]),
      )
    },
    async onSave(e: WechatMiniprogram.CustomEvent) {
      const group = e.currentTarget.dataset.group as Group
      if (this.data.saving) return
      await askForNotices('settings')
      this.setData({ saving: group, message: '', saveError: '' })
      try {
        // Each save answers with the group as stored: no second read of the whole page.
        const saved =
          group === 'reminders'
            ? await saveReminders(this.values('reminders') as unknown as Settings['reminders'])
            : group === 'kpiTargets'
              ? await saveKpiTargets(this.values('kpiTargets'))
              : await saveBookingRules(this.values('booking') as unknown as Settings['booking'])
        this.setData({ ...this.shown({ ...this.data.settings!, [group]: saved }), message: '已保存' })
      } catch (err) {
        // Per-field messages say which value is wrong (e.g. 通报应晚于督办).
        this.setData({ saveError: sectionError(err, '保存失败，请重试') })
      } finally {
        this.setData({ saving: '' })
      }
    },
  },
})
