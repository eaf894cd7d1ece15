/**
 * Reading cases: one case with its timeline, receipt and handling card (and the actions its
 * caller may take), the resident's list, the agent's workbench inbox, and the applicant's full
 * phone for the staff working on it (logged).
 */
import type { Agent, CaseRecord, Item } from '../../typings/domain'
import type { CaseReceipt, CaseView, HandlingCard } from '../../typings/api'
import {
  CLOCK_RUNNING_STATES,
  HANDLING_STATES,
  HANDLING_TYPE_LABELS,
  MATERIAL_FORM_LABELS,
  type CaseRelation,
} from '../../typings/vocabulary'
import { shanghaiDay } from '../domain/calendar'
import { calendarStatusOf } from '../domain/calendar-status'
import { dueAfterAcceptance, isBadRating } from '../domain/case-states'
import type { CaseState } from '../../typings/vocabulary'
import { callerOf } from '../domain/case-rules'
import { forbidden, notFound } from '../lib/errors'
import { maskPhone } from '../lib/mask'
import { fields, parse, z } from '../lib/validate'
import { currentAgent, loadCalendar, requireOpenid, type Ctx } from '../kit/context'
import { actionsOf, authorize, taskView, view, viewer } from '../kit/case-kit'
import { rectificationView } from './rectify-view'

const STAFF_ROLES = ['agent', 'head'] as const

const getInput = z.object({ caseId: fields.id('申请') })

export async function getCase(payload: unknown, ctx: Ctx): Promise<CaseView> {
  const p = parse(getInput, payload)
  const c = await ctx.deps.cases.get(p.caseId)
  if (!c) throw notFound('未找到该申请')
  const { agent: me, who } = await viewer(ctx, c)
  const forApplicant = who.relation === 'applicant'
  // Staff working on the case (not supervisors, not the applicant) get the item's materials,
  // the resident's photos and who handles it: what they need at the counter.
  const forStaff = STAFF_RELATIONS.includes(who.relation)
  // Only a resident's 差评 has a 整改 task: no extra read otherwise.
  const hasTask = !!c.rating && !c.rating.isDefault && isBadRating(c.rating.level)
  const upperAgentId = c.upper?.agentId ?? ''
  const atUpper = (who.relation === 'upper' || who.relation === 'upperAssignee') && !!upperAgentId
  const [events, agent, task, item, upperAgent, photoUrls] = await Promise.all([
    ctx.deps.cases.events(c._id),
    // The assignee opening their own case is already in hand.
    me?._id === c.assignedAgentId ? me : ctx.deps.network.agent(c.assignedAgentId),
    hasTask ? ctx.deps.rectifications.ofCase(c._id) : null,
    // The handling card and the acceptance checklist come from the item: staff only.
    forStaff ? ctx.deps.network.item(c.item.id) : null,
    atUpper && upperAgentId !== me?._id ? ctx.deps.network.agent(upperAgentId) : null,
    // Storage lets only the uploader read their folder: staff see the photos through temporary
    // URLs issued here, after `viewer` checked who they are to the case.
    forStaff && c.attachments.length ? ctx.deps.platform.tempUrls(c.attachments) : [],
  ])
  const docs = c.caseNo && c.acceptedAt ? await documents(ctx, c, agent, item) : null
  // The station is read for the documents anyway: the district centre has nobody to escalate to.
  const actions = actionsOf(c, who, docs ? { hasParentStation: docs.hasParentStation } : {})
  const handler = atUpper ? (upperAgentId === me?._id ? me : upperAgent) : agent
  return {
    ...view(c, agent, actions, events, forApplicant),
    ...(docs ? { receipt: docs.receipt } : {}),
    // The handling card is for staff; the resident keeps the receipt.
    ...(docs && !forApplicant ? { card: docs.card } : {}),
    upperStep: actions.includes('acceptUpper')
      ? 'accept'
      : actions.includes('completeUpper')
        ? 'complete'
        : null,
    rectification: task ? rectificationView(task, ctx.now, !forApplicant) : null,
    ...(forStaff
      ? {
          materials: (item?.materials ?? []).map((m) => ({
            name: m.name,
            formLabel: MATERIAL_FORM_LABELS[m.form],
            count: m.count,
          })),
          photos: c.attachments.map((fileId, i) => ({ fileId, url: photoUrls[i] ?? '' })),
          handler: handler ? { name: handler.name, mine: handler._id === me?._id } : null,
        }
      : {}),
  }
}

/** Relations of the staff working on a case (its station, the upper station of a 上报件). */
const STAFF_RELATIONS: readonly CaseRelation[] = ['assignee', 'station', 'upperAssignee', 'upper']

/** 材料接收单 and 承办卡 of an accepted case (`item` is read for staff only: the card is theirs). */
async function documents(
  ctx: Ctx,
  c: CaseRecord,
  agent: Agent | null,
  item: Item | null,
): Promise<{ receipt: CaseReceipt; card: HandlingCard; hasParentStation: boolean }> {
  const [station, district] = await Promise.all([
    ctx.deps.network.station(c.stationId),
    ctx.deps.settings.district(),
  ])
  const caseNo = c.caseNo!
  return {
    hasParentStation: !!station?.parentId,
    receipt: {
      caseNo,
      itemName: c.item.name,
      stationName: station?.name ?? '',
      receivedMaterials: c.receivedMaterials,
      acceptedAt: new Date(c.acceptedAt!).toISOString(),
      dueDay: c.dueDay,
      agentName: agent?.name ?? '',
      agentPhone: agent ? maskPhone(agent.phone) : '',
      supervisionHotline: district.supervisionHotline,
    },
    card: {
      caseNo,
      handlingLabel: c.handling ? HANDLING_TYPE_LABELS[c.handling] : '',
      itemName: c.item.name,
      departments: item?.departments ?? [],
      steps: item?.steps ?? [],
      dueDay: c.dueDay,
      tasks: (c.tasks ?? []).map(taskView),
    },
  }
}

const APPLICANT = { role: 'resident', relation: 'applicant' } as const

const mineInput = z.object({ page: fields.page, pageSize: fields.pageSize })

export async function myCases(payload: unknown, ctx: Ctx) {
  const p = parse(mineInput, payload)
  requireOpenid(ctx)
  const { list, total } = await ctx.deps.cases.mine(ctx.caller.openid, (p.page - 1) * p.pageSize, p.pageSize)
  return {
    list: list.map((c) => view(c, null, actionsOf(c, APPLICANT), undefined, true)),
    total,
    page: p.page,
    pageSize: p.pageSize,
    hasMore: p.page * p.pageSize < total,
  }
}

const INBOX_TABS = ['pending', 'handling', 'dueSoon', 'overdue', 'feedback', 'upper'] as const
type InboxTabName = (typeof INBOX_TABS)[number]
const MOST_URGENT_FIRST = ['overdue', 'dueSoon', 'pending', 'upper', 'feedback', 'handling'] as const
const inboxInput = z.object({
  /** Left out: the most urgent tab that has cases (what an agent opening the workbench needs). */
  tab: z.enum(INBOX_TABS, { error: '未知的分类' }).optional(),
  page: fields.page,
  pageSize: fields.pageSize,
  scope: z.enum(['mine', 'station']).default('mine'),
})

/** 代理员工作台: 待受理, 办理中, 即将超期 (within 1 working day), 已超期, 待反馈 — with counts. */
export async function workInbox(payload: unknown, ctx: Ctx) {
  const p = parse(inboxInput, payload)
  const agent = await currentAgent(ctx)
  if (!agent || !STAFF_ROLES.includes(agent.role as (typeof STAFF_ROLES)[number]))
    throw forbidden('工作台仅对代理员开放')
  if (p.scope === 'station' && agent.role !== 'head') throw forbidden('只有站长可以查看全站案件')
  const calendar = await loadCalendar(ctx.deps)
  const today = shanghaiDay(ctx.now)
  const soonEnd = dueAfterAcceptance(ctx.now, 'promised', 1, calendar).dueAt
  const scope = { stationId: agent.stationId, ...(p.scope === 'mine' ? { agentId: agent._id } : {}) }
  const running = [...CLOCK_RUNNING_STATES]
  const tabs = {
    pending: { ...scope, states: ['submitted'] as CaseState[] },
    handling: { ...scope, states: [...HANDLING_STATES] },
    dueSoon: { ...scope, states: running, dueAfter: ctx.now, dueBefore: soonEnd },
    overdue: { ...scope, states: running, dueBefore: ctx.now },
    feedback: { ...scope, states: ['completed'] as CaseState[] },
    upper: { ...scope, states: ['escalated'] as CaseState[], upper: true },
  }
  // One aggregation for the six counts, one read for the page: the tab's total is its count.
  const page = (tab: InboxTabName) =>
    ctx.deps.cases.inboxPage({ ...tabs[tab], skip: (p.page - 1) * p.pageSize, limit: p.pageSize })
  let tab: InboxTabName
  let counts: Record<InboxTabName, number>
  let list: CaseRecord[]
  if (p.tab) {
    tab = p.tab
    ;[counts, list] = await Promise.all([ctx.deps.cases.inboxCounts(scope, ctx.now, soonEnd), page(tab)])
  } else {
    // The counts decide which tab to read: the same two calls, one after the other.
    counts = await ctx.deps.cases.inboxCounts(scope, ctx.now, soonEnd)
    tab = MOST_URGENT_FIRST.find((t) => counts[t] > 0) ?? 'pending'
    list = await page(tab)
  }
  const total = counts[tab]
  const { warning } = calendarStatusOf(calendar, ctx.now)
  return {
    today,
    calendarWarning: warning?.message ?? null,
    tab,
    counts,
    list: list.map((c) => ({
      ...view(c, null, actionsOf(c, callerOf(c, ctx.caller.openid, agent))),
      applicant: { name: c.applicant.name, maskedPhone: maskPhone(c.applicant.phone) },
    })),
    total,
    page: p.page,
    pageSize: p.pageSize,
    hasMore: p.page * p.pageSize < total,
  }
}

const contactInput = z.object({ caseId: fields.id('申请') })

/**
 * The applicant's full phone for the staff working on the case (its station, the upper station
 * of a 上报件, supervisors), or the assigned agent's for the applicant; every read is logged.
 */
export async function caseContact(payload: unknown, ctx: Ctx): Promise<{ name: string; phone: string }> {
  const p = parse(contactInput, payload)
  const { c, agent, who } = await authorize(ctx, p.caseId, 'contact')
  if (who.relation === 'applicant') {
    // The applicant calls their agent: the agent's number, read on the tap and logged too.
    const assignee = await ctx.deps.network.agent(c.assignedAgentId)
    if (!assignee?.phone) throw notFound('暂时联系不上代理员，请拨打服务站热线')
    await ctx.deps.accessLog.log({
      at: ctx.now,
      agentId: assignee._id,
      openid: c.applicant.openid,
      what: `case:${c._id}:agent-phone`,
    })
    return { name: assignee.name, phone: assignee.phone }
  }
  await ctx.deps.accessLog.log({
    at: ctx.now,
    agentId: agent?._id ?? '',
    openid: c.applicant.openid,
    what: `case:${c._id}:phone`,
  })
  return { name: c.applicant.name, phone: c.applicant.phone }
}
