import type { ItemSummary } from '../../../typings/api'
import { ApiCallError, callApi, errorText, newRequestId } from '../../services/api'
import { submitCase } from '../../services/cases'
import { isElderlyMode } from '../../services/settings'

/** 代群众申请: walk-in or hotline intake for residents without a smartphone. */
Component({
  data: {
    items: [] as ItemSummary[],
    itemId: '',
    itemName: '',
    stationId: '',
    form: { applicantName: '', applicantPhone: '', description: '' },
    errors: {} as Record<string, string>,
    error: '',
    submitting: false,
    requestId: '',
    done: null as null | { claimCode: string },
    elderly: false,
  },
  methods: {
    async onLoad() {
      this.setData({ requestId: newRequestId(), elderly: isElderlyMode() })
      try {
        const me = await callApi('me.profile', {})
        if (!me.agent) throw new ApiCallError('FORBIDDEN', '请先绑定花名册')
        const page = await callApi('catalog.list', { stationId: me.agent.stationId, pageSize: 50 })
        this.setData({ stationId: me.agent.stationId, items: page.list })
      } catch (err) {
        this.setData({ error: errorText(err, '加载失败，请重试') })
      }
    },
    onItem(e: { detail: { value: string | number } }) {
      const item = this.data.items[Number(e.detail.value)]
      if (item) this.setData({ itemId: item.id, itemName: item.name })
    },
    onInput(e: WechatMiniprogram.CustomEvent) {
      const field = String(e.currentTarget.dataset.field)
      this.setData({ [`form.${field}`]: e.detail, [`errors.${field}`]: '' })
    },
    async onSubmit() {
      if (this.data.submitting) return
      if (!this.data.itemId) {
        this.setData({ error: '请选择代理事项' })
        return
      }
      this.setData({ submitting: true, error: '' })
      try {
        const c = await submitCase(
          { itemId: this.data.itemId, stationId: this.data.stationId, ...this.data.form, onBehalf: true },
          this.data.requestId,
        )
        this.setData({ done: { claimCode: c.claimCode ?? '' } })
      } catch (err) {
        const e = err as ApiCallError
        this.setData({ error: e.message, errors: e.fields ?? {} })
      } finally {
        this.setData({ submitting: false })
      }
    },
    onAgain() {
      this.setData({
        done: null,
        requestId: newRequestId(),
        form: { applicantName: '', applicantPhone: '', description: '' },
        itemId: '',
        itemName: '',
      })
    },
  },
})
