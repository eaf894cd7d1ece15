import type { CaseView } from '../../../typings/api'
import { shanghaiDay, type HandlingType } from '../../utils/vocabulary'
import { pageLoad } from '../../behaviors/page-load'
import { ApiCallError, errorText } from '../../services/api'
import { dialable } from '../../utils/phone'
import { dayLabel, whenLabel } from '../../utils/dates'
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

/** Where a message is shown: beside the button that caused it. */
type Spot = 'accept' | 'reject' | 'complete' | 'escalate' | 'upper' | 'deliver' | 'visit' | 'task' | ''

interface Check {
  name: string
  label: string
  checked: boolean
}

/** Asks before a step that cannot be taken back; resolves true on 确定. */
function confirm(title: string, content: string, confirmText: string): Promise<boolean> {
  return wx
    .showModal({ title, content, confirmText, confirmColor: '#c8161d', cancelText: '再想想' })
    .then((r) => !!r.confirm)
    .catch(() => false)
}

/** The view's parts the page shows, derived once per fetch. */
function shown(c: CaseView) {
  return {
    c,
    // Buttons come from the actions the server allows this caller (case rules), nothing else.
    can: Object.fromEntries(c.actions.map((a) => [a, true])),
    departments: c.card?.departments.join('、') ?? '',
    canVisit: c.actions.includes('scheduleVisit'),
    // One date format on every page: 12月21日（周一）.
    dueLabel: dayLabel(c.dueDay),
    upperDueLabel: dayLabel(c.upperDue?.dueDay),
    receiptDueLabel: dayLabel(c.receipt?.dueDay),
    ownerLine: c.handler
      ? c.handler.mine
        ? '由您承办'
        : `承办人：${c.handler.name}（不是您承办的申请）`
      : '',
    photos: c.photos ?? [],
    events: (c.timeline ?? [])
      .map((e) => ({ when: whenLabel(e.at), who: e.who, what: e.what, note: e.note }))
      .reverse(),
  }
}

/**
 * 办理: who and what with the resident's photos, the one step the caller may take now (受理 with a
 * checklist of the item's materials that fills the 材料接收单, 办结, 上报, 送达), confirmation
 * before 不予受理 and 上报, feedback beside the button pressed, and the history newest first.
 */
Component({
  behaviors: [pageLoad],
  data: {
    id: '',
    c: null as CaseView | null,
    can: {} as Record<string, boolean>,
    ownerLine: '',
    dueLabel: '',
    upperDueLabel: '',
    receiptDueLabel: '',
    departments: '',
    photos: [] as { fileId: string; url: string }[],
    events: [] as { when: string; who: string; what: string; note: string }[],
    /** The item's materials, ticked as the resident hands them over. */
    checks: [] as Check[],
    received: [] as string[],
    handling: 'promised' as HandlingType,
    missing: '',
    reason: '',
    result: '',
    message: '',
    messageKind: 'ok',
    messageAt: '' as Spot,
    busy: false,
    /** 安排上门 for cases filed with 上门服务. */
    canVisit: false,
    visitDay: '',
    visitFrom: '',
    visitTime: '09:30',
  },
  methods: {
    async fetchPage(query: Record<string, string | undefined>) {
      const id = this.data.id || decodeURIComponent(query.id ?? '')
      const c = await fetchCase(id)
      return {
        id,
        ...shown(c),
        checks: (c.materials ?? []).map((m) => ({
          name: m.name,
          label: `${m.name}（${m.formLabel}${m.count > 1 ? ` ${m.count} 份` : ''}）`,
          checked: this.data.received.includes(m.name),
        })),
        // Only bounds the date picker; the server checks the time against its own clock.
        visitFrom: shanghaiDay(Date.now()),
      }
    },
    say(at: Spot, message: string, kind: 'ok' | 'bad' = 'bad') {
      this.setData({ message, messageKind: kind, messageAt: at })
    },
    onVisitDay(e: WechatMiniprogram.CustomEvent) {
      this.setData({ visitDay: String(e.detail.value) })
    },
    onVisitTime(e: WechatMiniprogram.CustomEvent) {
      this.setData({ visitTime: String(e.detail.value) })
    },
    async onScheduleVisit() {
      if (!this.data.visitDay) return this.say('visit', '请选择上门日期')
      try {
        const v = await scheduleCaseVisit({
          caseId: this.data.id,
          day: this.data.visitDay,
          start: this.data.visitTime,
        })
        this.setData({ canVisit: false })
        this.say(
          'visit',
          `已安排 ${this.data.visitDay} ${this.data.visitTime} 上门，${v.notified ? '已通知群众' : '请电话告知群众'}`,
          'ok',
        )
      } catch (err) {
        this.say('visit', errorText(err, '安排失败，请重试'))
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
    onPreview(e: WechatMiniprogram.CustomEvent) {
      const urls = this.data.photos.map((p) => p.url).filter(Boolean)
      const current = String(e.currentTarget.dataset.url ?? '')
      if (current) void wx.previewImage({ urls, current }).catch(() => undefined)
    },
    /** A tick on the checklist: what the resident handed over goes on the receipt. */
    onReceived(e: { detail: string[] }) {
      const received = e.detail
      this.setData({
        received,
        checks: this.data.checks.map((m) => ({ ...m, checked: received.includes(m.name) })),
      })
    },
    onHandling(e: { detail: HandlingType }) {
      const handling = e.detail
      // 补办件: what was not ticked is what is missing, said once; the agent may edit it.
      const missing =
        handling === 'supplement' && !this.data.missing
          ? this.data.checks
              .filter((m) => !m.checked)
              .map((m) => m.name)
              .join('、')
          : this.data.missing
      this.setData({ handling, missing })
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
    async act(at: Spot, run: (c: CaseView) => Promise<CaseView>, done: string) {
      const c = this.data.c
      if (!c || this.data.busy) return
      this.setData({ busy: true })
      try {
        const next = await run(c)
        // The action answers with the case; the full view (history, receipt, photos) is re-read.
        const full = await fetchCase(next.id).catch(() => next)
        this.setData(shown(full))
        this.say(at, done, 'ok')
      } catch (err) {
        const e = err as ApiCallError
        this.say(at, e.fields ? Object.values(e.fields).join('；') : e.message)
        if (e.code === 'CONFLICT') await (this as unknown as { reload(): Promise<void> }).reload()
      } finally {
        this.setData({ busy: false })
      }
    },
    async onAccept() {
      const { handling, received } = this.data
      if (
        handling === 'escalated' &&
        !(await confirm('上报上级办理', '这件申请将交给上级服务站承办，本站不能再办结。确定上报？', '上报'))
      )
        return
      const missingMaterials = this.data.missing.split(/[、，,；;\s]+/).filter(Boolean)
      return this.act(
        'accept',
        (c) =>
          acceptCase({
            caseId: c.id,
            version: c.version,
            handling,
            receivedMaterials: received,
            ...(handling === 'supplement' ? { missingMaterials } : {}),
          }),
        received.length
          ? `已受理，材料接收单已生成（已收 ${received.length} 项材料）`
          : '已受理，材料接收单已生成',
      )
    },
    async onReject() {
      const reason = this.data.reason.trim()
      if (!reason) return this.say('reject', '请先写明不予受理的理由，群众会看到')
      if (!(await confirm('不予受理', `理由：${reason}\n群众会收到这个结果，确定后不能撤回。`, '不予受理')))
        return
      return this.act(
        'reject',
        (c) => rejectCase({ caseId: c.id, version: c.version, reason }),
        '已作不予受理处理',
      )
    },
    onComplete() {
      return this.act(
        'complete',
        (c) => completeCase({ caseId: c.id, version: c.version, result: this.data.result }),
        '已办结，请尽快送达群众',
      )
    },
    async onEscalate() {
      if (
        !(await confirm(
          '上报上级办理',
          '本站办不了的才上报：上报后由上级服务站承办并计时，办结后交回您送达群众。确定上报？',
          '上报',
        ))
      )
        return
      return this.act(
        'escalate',
        (c) => escalateCase({ caseId: c.id, version: c.version }),
        '已上报上级服务站',
      )
    },
    onTaskDone(e: WechatMiniprogram.CustomEvent) {
      const taskId = String(e.currentTarget.dataset.id)
      return this.act(
        'task',
        (c) =>
          completeTask({ caseId: c.id, version: c.version, taskId, result: this.data.result || '已完成' }),
        '任务已完成',
      )
    },
    onAcceptUpper() {
      return this.act(
        'upper',
        (c) => acceptUpper({ caseId: c.id, version: c.version }),
        '已受理，上级时限开始计算',
      )
    },
    onCompleteUpper() {
      return this.act(
        'upper',
        (c) => completeUpper({ caseId: c.id, version: c.version, result: this.data.result }),
        '已办结，已交回村（社区）代理员送达',
      )
    },
    onDeliver() {
      return this.act(
        'deliver',
        (c) => deliverCase({ caseId: c.id, version: c.version }),
        '已送达，等待群众评价',
      )
    },
  },
})
