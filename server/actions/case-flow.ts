/**
 * The rest of the case flow: 补办 (supplement), 上报 (escalation to the parent station and its
 * completion there), 改派 (reassign), 撤回 (withdraw) and 延期 (extension approved by the head).
 * Each is one transaction: state change plus timeline event, guarded by the case version.
 */
import { computeDue } from '../domain/calendar'
import { dueAfterAcceptance, dueAfterSupplement, isOnTime, residentDue } from '../domain/case-states'
import { forbidden, invalidInput, invalidState, notFound } from '../lib/errors'
import { fields, parse, z } from '../lib/validate'
import { ownAttachments } from '../lib/files'
import { currentAgent, loadCalendar, requireOpenid, type Ctx } from '../app/context'
import { notify } from '../app/notify'
import { shanghaiDay } from '../domain/calendar'
import {
  actorOf,
  assignUpper,
  checkText,
  guard,
  staffFor,
  staffView,
  step,
  view,
  type CaseView,
} from './cases'

const base = {
  caseId: fields.id('申请'),
  version: z.number({ error: '缺少版本号，请刷新后重试' }).int().min(1),
}
const materials = z.array(z.string().trim().min(1).max(40)).min(1, '请列明所缺材料').max(20)

const requestSupplementInput = z.object({ ...base, materials, note: z.string().trim().max(200).default('') })

/** 补办件: the agent lists every missing material once; the clock stops until they arrive. */
export async function requestSupplement(payload: unknown, ctx: Ctx): Promise<CaseView> {
  const p = parse(requestSupplementInput, payload)
  const { c, agent } = await staffFor(ctx, p.caseId, p.version)
  guard(c.state, 'requestSupplement')
  if (c.supplement) throw invalidState('所缺材料应一次性告知，本件已告知过，请与群众电话沟通')
  const updated = await ctx.deps.cases.transition(c._id, p.version, (cur) => {
    const to = guard(cur.state, 'requestSupplement')
    return {
      patch: {
        state: to,
        supplement: { materials: p.materials, requestedAt: ctx.now, suppliedAt: null, attachments: [] },
        dueAt: null,
        dueDay: null,
        residentDueAt: null,
      },
      event: {
        at: ctx.now,
        actor: actorOf(ctx, agent),
        action: 'requestSupplement',
        from: cur.state,
        to,
        note: `请补交：${p.materials.join('、')}${p.note ? '；' + p.note : ''}`,
      },
    }
  })
  await notify(ctx.deps, ctx.now, 'supplementNeeded', updated)
  return staffView(ctx, updated, agent)
}

/** Attachments must be the caller's own uploads (resident, or the agent at the counter). */
const supplementInput = (openid: string) =>
  z.object({
    caseId: fields.id('申请'),
    attachments: ownAttachments(openid),
    note: z.string().trim().max(200).default(''),
  })

/** The resident (or their agent at the counter) supplies the materials; the full period restarts. */
export async function supplyMaterials(payload: unknown, ctx: Ctx): Promise<CaseView> {
  requireOpenid(ctx)
  const p = parse(supplementInput(ctx.caller.openid), payload)
  const c = await ctx.deps.cases.get(p.caseId)
  if (!c) throw notFound('未找到该申请')
  const me = c.applicant.openid === ctx.caller.openid ? null : await currentAgent(ctx)
  const isApplicant = c.applicant.openid !== null && c.applicant.openid === ctx.caller.openid
  const isStaff = !!me && me.stationId === c.stationId && (me._id === c.assignedAgentId || me.role === 'head')
  if (!isApplicant && !isStaff) throw forbidden('只有申请人或承办代理员可以补交材料')
  guard(c.state, 'supplement')
  await checkText(ctx, p.note, 'note')
  const calendar = await loadCalendar(ctx.deps)
  const updated = await ctx.deps.cases.transition(c._id, c.version, (cur) => {
    const to = guard(cur.state, 'supplement')
    const due = dueAfterSupplement(ctx.now, cur.item.promisedDays, calendar)
    return {
      patch: {
        state: to,
        supplement: cur.supplement
          ? { ...cur.supplement, suppliedAt: ctx.now, attachments: p.attachments }
          : null,
        attachments: [...cur.attachments, ...p.attachments],
        dueAt: due.dueAt,
        dueDay: due.dueDay,
        residentDueAt: due.dueAt,
        calendarMissingYears: due.missingYears,
      },
      event: {
        at: ctx.now,
        actor: actorOf(ctx, me, cur.applicant.name),
        action: 'supplement',
        from: cur.state,
        to,
        note: p.note || '材料已补齐，重新计时',
      },
    }
  })
  return view(updated, await ctx.deps.network.agent(updated.assignedAgentId), [], undefined, isApplicant)
}

const escalateInput = z.object({ ...base, note: z.string().trim().max(200).default('') })

/** 上报: the owning agent forwards the case to the parent station and keeps it toward the resident. */
export async function escalateCase(payload: unknown, ctx: Ctx): Promise<CaseView> {
  const p = parse(escalateInput, payload)
  const { c, agent } = await staffFor(ctx, p.caseId, p.version)
  guard(c.state, 'escalate')
  const upper = await assignUpper(ctx, await ctx.deps.network.station(c.stationId), c.item.category)
  const updated = await ctx.deps.cases.transition(
    c._id,
    p.version,
    step(ctx, actorOf(ctx, agent), 'escalate', () => ({
      patch: { upper },
      note: p.note || '已上报上级服务站办理',
    })),
  )
  return staffView(ctx, updated, agent)
}

const upperAcceptInput = z.object({ ...base })

/** The parent station accepts the escalated case: its own deadline starts now. */
export async function acceptUpper(payload: unknown, ctx: Ctx): Promise<CaseView> {
  const p = parse(upperAcceptInput, payload)
  const { c, agent } = await staffFor(ctx, p.caseId, p.version, 'upper')
  if (c.state !== 'escalated') throw invalidState('只有已上报的申请可以由上级受理')
  if (c.upper!.acceptedAt) throw invalidState('上级已受理过这件申请')
  const calendar = await loadCalendar(ctx.deps)
  const updated = await ctx.deps.cases.transition(c._id, p.version, (cur) => {
    const due = dueAfterAcceptance(ctx.now, 'promised', cur.item.promisedDays, calendar)
    const own = cur.dueAt ? new Date(cur.dueAt) : due.dueAt
    return {
      patch: {
        upper: { ...cur.upper!, acceptedAt: ctx.now, dueAt: due.dueAt },
        residentDueAt: residentDue(own, due.dueAt),
      },
      event: {
        at: ctx.now,
        actor: actorOf(ctx, agent),
        action: 'accept',
        from: cur.state,
        to: cur.state,
        note: '上级服务站已受理',
      },
    }
  })
  return staffView(ctx, updated, agent)
}

const upperCompleteInput = z.object({ ...base, result: fields.text('办理结果', 500) })

/** The parent station finishes; the case returns to the owning agent, who delivers it. */
export async function completeUpper(payload: unknown, ctx: Ctx): Promise<CaseView> {
  const p = parse(upperCompleteInput, payload)
  const { c, agent } = await staffFor(ctx, p.caseId, p.version, 'upper')
  guard(c.state, 'completeUpper')
  await checkText(ctx, p.result, 'result')
  const updated = await ctx.deps.cases.transition(c._id, p.version, (cur) => {
    const to = guard(cur.state, 'completeUpper')
    const dueAt = cur.residentDueAt ?? cur.dueAt
    return {
      patch: {
        state: to,
        completedAt: ctx.now,
        result: p.result,
        onTime: dueAt ? isOnTime(ctx.now, new Date(dueAt)) : true,
        upper: { ...cur.upper!, completedAt: ctx.now, result: p.result },
      },
      event: {
        at: ctx.now,
        actor: actorOf(ctx, agent),
        action: 'completeUpper',
        from: cur.state,
        to,
        note: p.result,
      },
    }
  })
  await notify(ctx.deps, ctx.now, 'caseCompleted', updated)
  return staffView(ctx, updated, agent)
}

const reassignInput = z.object({
  ...base,
  agentId: fields.id('代理员'),
  reason: fields.text('改派理由', 200),
})

/** 改派: only the station head, to an active agent of the same station, with a reason. */
export async function reassignCase(payload: unknown, ctx: Ctx): Promise<CaseView> {
  const p = parse(reassignInput, payload)
  const { c, agent } = await staffFor(ctx, p.caseId, p.version)
  if (agent.role !== 'head') throw forbidden('只有站长可以改派')
  guard(c.state, 'reassign', { reason: p.reason })
  const target = await ctx.deps.network.agent(p.agentId)
  if (!target || !target.active || target.stationId !== c.stationId)
    throw invalidInput({ agentId: '请选择本站在岗的代理员' })
  const updated = await ctx.deps.cases.transition(
    c._id,
    p.version,
    step(
      ctx,
      actorOf(ctx, agent),
      'reassign',
      () => ({
        patch: { assignedAgentId: target._id, assignReason: `站长改派：${p.reason}` },
        note: `改派给 ${target.name}：${p.reason}`,
      }),
      { reason: p.reason },
    ),
  )
  return staffView(ctx, updated, agent)
}

const withdrawInput = z.object({ caseId: fields.id('申请'), reason: z.string().trim().max(200).default('') })

/** 撤回: the applicant withdraws before the work is done. */
export async function withdrawCase(payload: unknown, ctx: Ctx): Promise<CaseView> {
  const p = parse(withdrawInput, payload)
  const c = await ctx.deps.cases.get(p.caseId)
  if (!c) throw notFound('未找到该申请')
  if (!c.applicant.openid || c.applicant.openid !== ctx.caller.openid)
    throw forbidden('只有申请人本人可以撤回')
  guard(c.state, 'withdraw')
  const updated = await ctx.deps.cases.transition(
    c._id,
    c.version,
    step(ctx, actorOf(ctx, null, c.applicant.name), 'withdraw', () => ({ note: p.reason || '申请人撤回' })),
  )
  return view(updated, null, [], undefined, true)
}

const extendInput = z.object({
  ...base,
  days: z.number().int().min(1, '至少延期 1 个工作日').max(30, '延期不超过 30 个工作日'),
  reason: fields.text('延期理由', 200),
})

/** 延期: approved by the station head with a reason; the new due date is in working days. */
export async function extendCase(payload: unknown, ctx: Ctx): Promise<CaseView> {
  const p = parse(extendInput, payload)
  const { c, agent } = await staffFor(ctx, p.caseId, p.version)
  if (agent.role !== 'head') throw forbidden('延期须由站长批准')
  guard(c.state, 'extend', { reason: p.reason })
  if (!c.dueAt) throw invalidState('待补正期间不计时，无需延期')
  const calendar = await loadCalendar(ctx.deps)
  const updated = await ctx.deps.cases.transition(c._id, p.version, (cur) => {
    const to = guard(cur.state, 'extend', { reason: p.reason })
    const from = new Date(cur.dueAt!)
    const due = computeDue(from, p.days, calendar)
    return {
      patch: {
        state: to,
        dueAt: due.dueAt,
        dueDay: due.dueDay,
        residentDueAt: residentDue(due.dueAt, cur.upper?.dueAt ? new Date(cur.upper.dueAt) : null),
        extensions: [
          ...(cur.extensions ?? []),
          { at: ctx.now, byAgentId: agent._id, days: p.days, reason: p.reason, newDueAt: due.dueAt },
        ],
      },
      event: {
        at: ctx.now,
        actor: actorOf(ctx, agent),
        action: 'extend',
        from: cur.state,
        to,
        note: `延期 ${p.days} 个工作日至 ${due.dueDay}：${p.reason}`,
      },
    }
  })
  // The resident hears of the new date (the one promised to them) and the reason.
  const promised = updated.residentDueAt ?? updated.dueAt
  await notify(ctx.deps, ctx.now, 'caseExtended', updated, undefined, {
    dueDay: promised ? shanghaiDay(new Date(promised)) : (updated.dueDay ?? undefined),
  })
  return staffView(ctx, updated, agent)
}

const addTasksInput = z.object({
  ...base,
  tasks: z
    .array(
      z.object({
        title: fields.text('任务名称', 40),
        department: fields.text('承办部门或人员', 30),
        days: z.number({ error: '请填写时限' }).int().min(0).max(60, '时限不超过 60 个工作日'),
      }),
    )
    .min(2, '联合代理至少两项任务')
    .max(10, '联合任务不超过 10 项'),
})

/** 联合代理: split an accepted case into parallel tasks, each with its own working-day deadline. */
export async function addTasks(payload: unknown, ctx: Ctx): Promise<CaseView> {
  const p = parse(addTasksInput, payload)
  const { c, agent } = await staffFor(ctx, p.caseId, p.version)
  if (c.state !== 'accepted') throw invalidState('只有已受理、正在办理的申请可以分派联合任务')
  if ((c.tasks ?? []).length) throw invalidState('已分派过联合任务')
  const calendar = await loadCalendar(ctx.deps)
  const tasks = p.tasks.map((t, i) => {
    const due = computeDue(ctx.now, t.days, calendar)
    return {
      id: `t${i + 1}`,
      title: t.title,
      department: t.department,
      dueAt: due.dueAt,
      dueDay: due.dueDay,
      doneAt: null,
      result: null,
    }
  })
  const updated = await ctx.deps.cases.transition(c._id, p.version, (cur) => {
    if (cur.state !== 'accepted') throw invalidState('只有已受理、正在办理的申请可以分派联合任务')
    return {
      patch: { tasks },
      event: {
        at: ctx.now,
        actor: actorOf(ctx, agent),
        action: 'addTasks',
        from: cur.state,
        to: cur.state,
        note: tasks.map((t) => `${t.department}：${t.title}（限 ${t.dueDay}）`).join('；'),
      },
    }
  })
  return staffView(ctx, updated, agent)
}

const completeTaskInput = z.object({
  ...base,
  taskId: z.string().max(8),
  result: fields.text('任务结果', 300),
})

/** One joint task is done; when the last one is, the case is 办结 with the tasks' results. */
export async function completeTask(payload: unknown, ctx: Ctx): Promise<CaseView> {
  const p = parse(completeTaskInput, payload)
  const { c, agent } = await staffFor(ctx, p.caseId, p.version)
  const task = (c.tasks ?? []).find((t) => t.id === p.taskId)
  if (!task) throw notFound('未找到该联合任务')
  if (task.doneAt) throw invalidState('该任务已完成')
  const updated = await ctx.deps.cases.transition(c._id, p.version, (cur) => {
    const tasks = cur.tasks.map((t) => (t.id === p.taskId ? { ...t, doneAt: ctx.now, result: p.result } : t))
    const allDone = tasks.every((t) => t.doneAt)
    if (!allDone) {
      return {
        patch: { tasks },
        event: {
          at: ctx.now,
          actor: actorOf(ctx, agent),
          action: 'completeTask',
          from: cur.state,
          to: cur.state,
          note: `${task.title}：${p.result}`,
        },
      }
    }
    const to = guard(cur.state, 'complete')
    const result = tasks.map((t) => `${t.department}：${t.result}`).join('；')
    return {
      patch: {
        tasks,
        state: to,
        completedAt: ctx.now,
        result,
        onTime: cur.dueAt ? isOnTime(ctx.now, new Date(cur.dueAt)) : true,
      },
      event: {
        at: ctx.now,
        actor: actorOf(ctx, agent),
        action: 'complete',
        from: cur.state,
        to,
        note: `联合任务全部完成。${result}`,
      },
    }
  })
  if (updated.state === 'completed') await notify(ctx.deps, ctx.now, 'caseCompleted', updated)
  return staffView(ctx, updated, agent)
}
