import { ApiCallError, errorText, newRequestId } from '../../services/api'
import { saveContact, savedContact } from '../../services/appointments'
import { fetchMyComplaints, submitComplaint, type ComplaintView } from '../../services/complaints'
import { askForNotices, prepareNotices } from '../../services/notify'
import { isElderlyMode } from '../../services/settings'
import { myStationId } from '../../services/stations'

/**
 * 监督投诉: a complaint about a case or a station goes to the district supervisors, not to the
 * station itself; the answer shows here and comes as a notice.
 */
Component({
  data: {
    stationId: '',
    caseId: '',
    form: { name: '', phone: '', text: '' },
    errors: {} as Record<string, string>,
    error: '',
    done: false,
    submitting: false,
    requestId: '',
    list: [] as ComplaintView[],
    total: 0,
    nextCursor: null as string | null,
    loadingMore: false,
    elderly: false,
  },
  methods: {
    async onLoad(query: Record<string, string | undefined>) {
      this.setData({
        stationId: decodeURIComponent(query.stationId ?? '') || myStationId(),
        caseId: decodeURIComponent(query.caseId ?? ''),
        form: { ...savedContact(), text: '' },
        requestId: newRequestId(),
        elderly: isElderlyMode(),
      })
      void prepareNotices('complaint')
      await this.loadMine()
    },
    async loadMine() {
      try {
        const r = await fetchMyComplaints()
        this.setData({ list: r.list, total: r.total, nextCursor: r.nextCursor })
      } catch (err) {
        this.setData({ error: errorText(err, '加载失败，请重试') })
      }
    },
    onReachBottom() {
      return this.loadMore()
    },
    /** 加载更多: older complaints after the last one shown. */
    async loadMore() {
      const cursor = this.data.nextCursor
      if (!cursor || this.data.loadingMore) return
      this.setData({ loadingMore: true })
      try {
        const r = await fetchMyComplaints(cursor)
        this.setData({ list: [...this.data.list, ...r.list], total: r.total, nextCursor: r.nextCursor })
      } catch (err) {
        this.setData({ error: errorText(err, '加载失败，请重试') })
      } finally {
        this.setData({ loadingMore: false })
      }
    },
    onInput(e: WechatMiniprogram.CustomEvent) {
      const field = String(e.currentTarget.dataset.field)
      // Edited after a failed try: this is a new complaint, not a retry of the old one.
      const fresh = this.data.error ? { requestId: newRequestId() } : {}
      this.setData({ [`form.${field}`]: e.detail, [`errors.${field}`]: '', ...fresh })
    },
    async onSubmit() {
      if (this.data.submitting) return
      this.setData({ submitting: true, error: '' })
      await askForNotices('complaint')
      try {
        const { name, phone, text } = this.data.form
        await submitComplaint(
          {
            name,
            phone,
            text,
            ...(this.data.caseId ? { caseId: this.data.caseId } : { stationId: this.data.stationId }),
          },
          this.data.requestId,
        )
        saveContact(name, phone)
        // A new form gets a new request id: the next complaint is a new one.
        this.setData({ done: true, 'form.text': '', requestId: newRequestId() })
        await this.loadMine()
      } catch (err) {
        const e = err as ApiCallError
        this.setData({ error: e.message ?? '提交失败，请重试', errors: e.fields ?? {} })
      } finally {
        this.setData({ submitting: false })
      }
    },
  },
})
