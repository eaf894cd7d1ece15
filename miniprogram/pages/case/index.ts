import { RATING_OPTIONS, shanghaiShort, type RatingLevel } from '../../utils/vocabulary'
import { rateFix } from '../../services/rectify'
import { errorText } from '../../services/api'
import { countdown, fetchCase, supplyMaterials, withdrawCase, type CaseView } from '../../services/cases'
import { uploadPhoto } from '../../services/files'
import { isElderlyMode } from '../../services/settings'

// Shanghai wall time without depending on the phone's time zone.
const when = (iso: string): string => shanghaiShort(iso)

/** 办理进度: state in plain words, countdown, receipt number, timeline, supplement, rating. */
Component({
  data: {
    id: '',
    isNew: false,
    c: null as
      (CaseView & { timeline: (NonNullable<CaseView['timeline']>[number] & { when: string })[] }) | null,
    countdown: '',
    missing: '',
    receivedText: '',
    photos: [] as { url: string; fileID: string }[],
    canRate: false,
    canWithdraw: false,
    canSupply: false,
    ratingFix: false,
    fixLevels: [...RATING_OPTIONS],
    loading: true,
    error: '',
    elderly: false,
  },
  methods: {
    onLoad(query: Record<string, string | undefined>) {
      this.setData({
        id: decodeURIComponent(query.id ?? ''),
        isNew: query.new === '1',
        elderly: isElderlyMode(),
      })
      return this.reload()
    },
    async onPullDownRefresh() {
      await this.reload()
      wx.stopPullDownRefresh()
    },
    async reload() {
      this.setData({ loading: true, error: '' })
      try {
        const c = await fetchCase(this.data.id)
        const open = ['submitted', 'accepted', 'escalated'].includes(c.state)
        this.setData({
          c: { ...c, timeline: (c.timeline ?? []).map((e) => ({ ...e, when: when(e.at) })) },
          countdown: open ? countdown(c.dueAt, new Date()) : '',
          // Buttons come from the actions the server allows this caller (case rules), nothing else.
          canRate: c.actions.includes('rate'),
          canWithdraw: c.actions.includes('withdraw'),
          canSupply: c.actions.includes('supplement'),
          missing: '',
          receivedText: c.receipt ? c.receipt.receivedMaterials.join('、') || '无' : '',
        })
      } catch (err) {
        this.setData({ error: errorText(err, '加载失败，请重试') })
      } finally {
        this.setData({ loading: false })
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
