import type { CaseView } from '../../../typings/api'
import { shanghaiDay, type HandlingType } from '../../utils/vocabulary'
import { ApiCallError, errorText } from '../../services/api'
import { dialable } from '../../utils/phone'
import { scheduleCaseVisit } from '../../services/appointments'
import {
  caseContact,
  acceptCase,
  acceptUpper,
  completeUpper,
  completeCase,
  completeTask,
  deliverCase,
  escalateCase,
  fetchCase,
  rejectCase,
} from '../../services/cases'

/** 办理: accept and classify, reject with a reason, complete, escalate, deliver. */
Component({
  data: {
    id: '',
    c: null as CaseView | null,
    can: {} as Record<string, boolean>,
    departments: '',
    handling: 'promised' as HandlingType,
    missing: '',
    reason: '',
    result: '',
    message: '',
    messageKind: 'ok',
    loading: true,
    error: '',
    /** 安排上门 for cases filed with 上门服务. */
    canVisit: false,
    visitDay: '',
    visitFrom: '',
    visitTime: '09:30',
  },
  methods: {
    onVisitDay(e: WechatMiniprogram.CustomEvent) {
      this.setData({ visitDay: String(e.detail.value) })
    },
    onVisitTime(e: WechatMiniprogram.CustomEvent) {
      this.setData({ visitTime: String(e.detail.value) })
    },
    async onScheduleVisit() {
      if (!this.data.visitDay) {
        this.setData({ message: '请选择上门日期', messageKind: 'bad' })
        return
      }
      try {
        const v = await scheduleCaseVisit({
          caseId: this.data.id,
          day: this.data.visitDay,
          start: this.data.visitTime,
        })
        this.setData({
          message: `已安排 ${this.data.visitDay} ${this.data.visitTime} 上门，${v.notified ? '已通知群众' : '请电话告知群众'}`,
          messageKind: 'ok',
          canVisit: false,
        })
      } catch (err) {
        this.setData({
          message: errorText(err, '安排失败，请重试'),
          messageKind: 'bad',
        })
      }
    },
    async onCallApplicant() {
      try {
        const { phone } = await caseContact(this.data.c!.id)
        await wx.makePhoneCall({ phoneNumber: dialable(phone) }).catch(() => undefined)
      } catch (err) {
        wx.showToast({ title: errorText(err, '获取电话失败'), icon: 'none' })
      }
    },
    onLoad(query: Record<string, string | undefined>) {
      this.setData({ id: decodeURIComponent(query.id ?? '') })
      return this.reload()
    },
    async reload() {
      this.setData({ loading: true })
      try {
        const c = await fetchCase(this.data.id)
        this.setData({
          c,
          can: Object.fromEntries(c.actions.map((a) => [a, true])),
          departments: c.card?.departments.join('、') ?? '',
          // Buttons come from the actions the server allows this caller (case rules), nothing else.
          canVisit: c.actions.includes('scheduleVisit'),
          // Only bounds the date picker; the server checks the time against its own clock.
          visitFrom: shanghaiDay(Date.now()),
        })
      } catch (err) {
        this.setData({ error: errorText(err, '加载失败，请重试') })
      } finally {
        this.setData({ loading: false })
      }
    },
    onHandling(e: { detail: HandlingType }) {
      this.setData({ handling: e.detail })
    },
    onMissing(e: { detail: string }) {
      this.setData({ missing: e.detail })
    },
    onReason(e: { detail: string }) {
      this.setData({ reason: e.detail })
    },
    onResult(e: { detail: string }) {
      this.setData({ result: e.detail })
    },
    async act(run: (c: CaseView) => Promise<CaseView>, done: string) {
      const c = this.data.c
      if (!c) return
      try {
        const next = await run(c)
        this.setData({
          c: next,
          can: Object.fromEntries(next.actions.map((a) => [a, true])),
          message: done,
          messageKind: 'ok',
        })
      } catch (err) {
        const e = err as ApiCallError
        this.setData({
          message: e.fields ? Object.values(e.fields).join('；') : e.message,
          messageKind: 'bad',
        })
        if (e.code === 'CONFLICT') await this.reload()
      }
    },
    onAccept() {
      const missingMaterials = this.data.missing.split(/[、，,\s]+/).filter(Boolean)
      return this.act(
        (c) =>
          acceptCase({ caseId: c.id, version: c.version, handling: this.data.handling, missingMaterials }),
        '已受理，材料接收单已生成',
      )
    },
    onReject() {
      return this.act(
        (c) => rejectCase({ caseId: c.id, version: c.version, reason: this.data.reason }),
        '已作不予受理处理',
      )
    },
    onComplete() {
      return this.act(
        (c) => completeCase({ caseId: c.id, version: c.version, result: this.data.result }),
        '已办结，请尽快送达群众',
      )
    },
    onEscalate() {
      return this.act((c) => escalateCase({ caseId: c.id, version: c.version }), '已上报上级服务站')
    },
    onTaskDone(e: WechatMiniprogram.CustomEvent) {
      const taskId = String(e.currentTarget.dataset.id)
      return this.act(
        (c) =>
          completeTask({ caseId: c.id, version: c.version, taskId, result: this.data.result || '已完成' }),
        '任务已完成',
      )
    },
    onAcceptUpper() {
      return this.act((c) => acceptUpper({ caseId: c.id, version: c.version }), '已受理，上级时限开始计算')
    },
    onCompleteUpper() {
      return this.act(
        (c) => completeUpper({ caseId: c.id, version: c.version, result: this.data.result }),
        '已办结，已交回村（社区）代理员送达',
      )
    },
    onDeliver() {
      return this.act((c) => deliverCase({ caseId: c.id, version: c.version }), '已送达，等待群众评价')
    },
  },
})
