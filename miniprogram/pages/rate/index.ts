import { RATING_OPTIONS, type RatingLevel } from '../../utils/vocabulary'
import { errorText } from '../../services/api'
import { rateCase } from '../../services/cases'
import { askForNotices, prepareNotices } from '../../services/notify'
import { isElderlyMode } from '../../services/settings'

const LEVELS = [...RATING_OPTIONS]

/** 评价: five big choices (easy for elderly residents), optional tags and comment; once. */
Component({
  data: {
    id: '',
    levels: LEVELS,
    level: '' as RatingLevel | '',
    tagOptions: ['态度好', '办事快', '上门服务', '说得清楚', '还要跑腿', '太慢了'],
    tagsSelected: {} as Record<string, boolean>,
    comment: '',
    submitting: false,
    error: '',
    elderly: false,
  },
  methods: {
    onLoad(query: Record<string, string | undefined>) {
      this.setData({ id: decodeURIComponent(query.id ?? ''), elderly: isElderlyMode() })
      void prepareNotices('rate')
    },
    onLevel(e: WechatMiniprogram.TouchEvent) {
      this.setData({ level: e.currentTarget.dataset.level as RatingLevel })
    },
    onTag(e: WechatMiniprogram.TouchEvent) {
      const tag = String(e.currentTarget.dataset.tag)
      this.setData({ [`tagsSelected.${tag}`]: !this.data.tagsSelected[tag] })
    },
    onComment(e: { detail: string }) {
      this.setData({ comment: e.detail })
    },
    async onSubmit() {
      if (!this.data.level || this.data.submitting) return
      this.setData({ submitting: true, error: '' })
      // Not satisfied: the head calls back (回访) and the resident is asked to rate the fix.
      if (this.data.level === 'dissatisfied' || this.data.level === 'very_dissatisfied')
        await askForNotices('rate')
      try {
        const tags = Object.keys(this.data.tagsSelected).filter((t) => this.data.tagsSelected[t])
        await rateCase({ caseId: this.data.id, level: this.data.level, tags, comment: this.data.comment })
        wx.showToast({ title: '感谢您的评价', icon: 'success' })
        await wx.navigateBack().catch(() => undefined)
      } catch (err) {
        this.setData({ error: errorText(err, '提交失败，请重试') })
      } finally {
        this.setData({ submitting: false })
      }
    },
  },
})
