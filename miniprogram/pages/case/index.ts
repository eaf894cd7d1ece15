import {
  OVERDUE_RESIDENT_WORDS,
  RATING_OPTIONS,
  RESIDENT_STATE_WORDS,
  type RatingLevel,
} from '../../utils/vocabulary'
import { pageLoad } from '../../behaviors/page-load'
import { callApi } from '../../services/api'
import {
  fetchCase,
  residentEventWords,
  residentNote,
  supplyMaterials,
  withdrawCase,
  type CaseView,
} from '../../services/cases'
import { uploadPhoto } from '../../services/files'
import { askForNotices, prepareNotices } from '../../services/notify'
import { rateFix } from '../../services/rectify'
import { dayLabel, shanghaiDay, whenLabel } from '../../utils/dates'

const OPEN = ['submitted', 'accepted', 'awaiting_supplement', 'escalated']
const DAY = 86_400_000

interface Event {
  when: string
  who: string
  what: string
  note: string
}

/** The one thing to do next, shown at the top of the page. */
type Next = 'rate' | 'supplement' | 'call' | ''

/** Whole calendar days from `a` to `b` (Shanghai days). */
function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY)
}

/**
 * 办理进度 for the resident: where the case is and the one next step at the top (评价,
 * 补交材料 or 联系代理员), an honest word when it is late, then the history newest first in
 * plain words, and the 材料接收单 as it was issued at acceptance.
 */
Component({
  behaviors: [pageLoad],
  data: {
    id: '',
    isNew: false,
    c: null as CaseView | null,
    stateWords: '',
    dueLine: '',
    lateLine: '',
    next: '' as Next,
    events: [] as Event[],
    receiptDay: '',
    /** 补办件: what the agent listed as missing, once. */
    missing: [] as string[],
    receiptDue: '',
    receivedText: '',
    photos: [] as { url: string; fileID: string }[],
    canRate: false,
    canWithdraw: false,
    canComplain: false,
    calling: false,
    ratingFix: false,
    fixLevels: [...RATING_OPTIONS] as { value: RatingLevel; label: string }[],
  },
  methods: {
    async fetchPage(query: Record<string, string | undefined>) {
      const id = this.data.id || decodeURIComponent(query.id ?? '')
      if (!this.data.id) {
        this.setData({ id, isNew: query.new === '1' })
        void prepareNotices('followCase')
      }
      const c = await fetchCase(id)
      const open = OPEN.includes(c.state)
      const today = shanghaiDay(new Date().toISOString())
      const late = open && c.dueDay ? daysBetween(c.dueDay, today) : 0
      const canRate = c.actions.includes('rate')
      const accepted = (c.timeline ?? []).find((e) => e.what === '受理')
      const asked = [...(c.timeline ?? [])].reverse().find((e) => e.note.includes('请补交：'))
      return {
        c,
        // Late is said in the headline too, not only in the red line under it.
        stateWords: late > 0 ? OVERDUE_RESIDENT_WORDS : (RESIDENT_STATE_WORDS[c.state] ?? c.stateLabel),
        dueLine:
          open && c.dueDay
            ? `承诺 ${dayLabel(c.dueDay)}前办好`
            : c.state === 'awaiting_supplement'
              ? '补齐材料后重新计时'
              : '',
        // Said plainly: late is late, and what the resident can do about it.
        lateLine:
          late > 0
            ? `已超过承诺期限 ${late} 天，还没有办好。可以打电话催问代理员，也可以监督投诉。`
            : late === 0 && open && c.dueDay
              ? '今天是承诺办好的最后一天'
              : '',
        // Buttons come from the actions the server allows this caller (case rules), nothing else.
        next: (canRate
          ? 'rate'
          : c.actions.includes('supplement')
            ? 'supplement'
            : open && c.agent && c.actions.includes('contact')
              ? 'call'
              : '') as Next,
        events: (c.timeline ?? [])
          .map((e) => ({
            when: whenLabel(e.at),
            who: e.who,
            what: residentEventWords(e.what),
            note: residentNote(e.note),
          }))
          .reverse(),
        missing: asked ? (asked.note.split('请补交：')[1] ?? '').split(/[、；;]/).filter(Boolean) : [],
        receiptDay: accepted ? whenLabel(accepted.at).split(' ')[0] : '',
        receiptDue: c.receipt?.dueDay ? dayLabel(c.receipt.dueDay) : '补齐材料后重新计时',
        receivedText: c.receipt ? c.receipt.receivedMaterials.join('、') || '（未登记）' : '',
        canRate,
        canWithdraw: c.actions.includes('withdraw'),
        // Not the moment a case is sent: once it is late, refused or finished.
        canComplain: late > 0 || !open,
      }
    },
    /** The agent's number is read only on this tap, and the read is logged on the server. */
    async onCallAgent() {
      if (this.data.calling) return
      this.setData({ calling: true })
      await askForNotices('followCase')
      try {
        const { phone } = await callApi('cases.contact', { caseId: this.data.id })
        await wx.makePhoneCall({ phoneNumber: phone }).catch(() => undefined)
      } catch (err) {
        wx.showToast({ title: (err as Error).message || '暂时联系不上，请拨打服务站热线', icon: 'none' })
      } finally {
        this.setData({ calling: false })
      }
    },
    async onPhoto(e: WechatMiniprogram.CustomEvent) {
      const f = e.detail.file as { url: string }
      try {
        const fileID = await uploadPhoto(f.url, `supplement-${this.data.id}`)
        this.setData({ photos: this.data.photos.concat({ url: f.url, fileID }) })
      } catch (err) {
        wx.showToast({ title: (err as Error).message || '上传失败', icon: 'none' })
      }
    },
    async onSupply() {
      await askForNotices('followCase')
      try {
        await supplyMaterials(
          this.data.id,
          this.data.photos.map((p) => p.fileID),
          '',
        )
        wx.showToast({ title: '已提交，重新开始计时', icon: 'none' })
        await this.reload()
      } catch (err) {
        wx.showToast({ title: (err as Error).message || '提交失败', icon: 'none' })
      }
    },
    /** The resident's verdict on the 整改 after the head's 回访. */
    async onRateFix(e: WechatMiniprogram.CustomEvent) {
      if (this.data.ratingFix) return
      this.setData({ ratingFix: true })
      try {
        await rateFix({ caseId: this.data.id, level: e.currentTarget.dataset.level as RatingLevel })
        wx.showToast({ title: '感谢您的评价', icon: 'none' })
        await this.reload()
      } catch (err) {
        wx.showToast({ title: (err as Error).message || '评价失败', icon: 'none' })
      } finally {
        this.setData({ ratingFix: false })
      }
    },
    onComplain() {
      return wx.navigateTo({ url: `/pages/complaint/index?caseId=${encodeURIComponent(this.data.id)}` })
    },
    onRate() {
      return wx.navigateTo({ url: `/pages/rate/index?id=${encodeURIComponent(this.data.id)}` })
    },
    async onWithdraw() {
      const res = await wx
        .showModal({ title: '撤回申请', content: '撤回后代理员将停止办理，确定撤回吗？' })
        .catch(() => ({ confirm: false }))
      if (!res.confirm) return
      try {
        await withdrawCase(this.data.id, '申请人撤回')
        await this.reload()
      } catch (err) {
        wx.showToast({ title: (err as Error).message || '撤回失败', icon: 'none' })
      }
    },
  },
})
