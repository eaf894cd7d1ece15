/**
 * 承办 at the owning station: accept and classify, reject, ask for missing materials once,
 * escalate to the parent station, complete, deliver, and the head's 改派 and 延期; 联合代理 tasks.
 * Each is one transaction (state change plus timeline event) guarded by the case version; who may
 * do which, and when, is server/domain/case-rules.ts (enforced by `authorize`).
 */
import { computeDue, shanghaiDay } from '../domain/calendar'
import { dueAfterAcceptance, isOnTime, residentDue } from '../domain/case-states'
import { HANDLING_TYPE_LABELS } from '../../typings/vocabulary'
import { invalidInput, invalidState, notFound } from '../lib/errors'
import { fields, parse, z } from '../lib/validate'
import { loadCalendar, type Ctx } from '../kit/context'
import { notify } from '../kit/notify'
import { checkText } from '../kit/text-check'
import {
  actorOf,
  assignUpper,
  guard,
  recheck,
  staffFor,
  staffView,
  step,
  type CaseView,
} from '../kit/case-kit'

const base = {
  caseId: fields.id('申请'),
  version: z.number({ error: '缺少版本号，请刷新后重试' }).int().min(1),
}

const acceptInput = z.object({
  ...base,
  handling: z.enum(['immediate', 'promised', 'supplement', 'escalated'], { error: '请选择承办类型' }),
  receivedMaterials: z.array(z.string().trim().min(1).max(40)).max(20).default([]),
  missingMaterials: z.array(z.string().trim().min(1).max(40)).max(20).default([]),
  note: z.string().trim().max(200).default(''),
})
const rejectInput = z.object({ ...base, reason: fields.text('不予受理的理由', 200) })
const completeInput = z.object({ ...base, result: fields.text('办理结果', 500) })
const deliverInput = z.object({ ...base, note: z.string().trim().max(200).default('') })

export async function acceptCase(payload: unknown, ctx: Ctx): Promise<CaseView> {
  const p = parse(acceptInput, payload)
  if (p.handling === 'supplement' && p.missingMaterials.length === 0) {
    throw invalidInput({ missingMaterials: '补办件须一次性列明所缺材料' })
  }
  const { c, agent } = await staffFor(ctx, 'accept', p.caseId, p.version)
  await checkText(ctx, p.note, 'note')
  const [calendar, station] = await Promise.all([
    loadCalendar(ctx.deps),
    ctx.deps.network.station(c.stationId),
  ])
  // 上报件: assigned at the parent station by the same rules, before the transaction.
  const upper = p.handling === 'escalated' ? await assignUpper(ctx, station, c.item.category) : null
  const numbering = { stationCode: station?.code ?? 'WM', day: shanghaiDay(ctx.now) }
  const updated = await ctx.deps.cases.transition(
    c._id,
    p.version,
    (cur, caseNo) => {
      const to = guard(cur.state, 'accept', { handling: p.handling })
      const due = dueAfterAcceptance(ctx.now, p.handling, cur.item.promisedDays, calendar)
      return {
        patch: {
          state: to,
          caseNo,
          handling: p.handling,
          receivedMaterials: p.receivedMaterials,
          acceptedAt: ctx.now,
          dueAt: due?.dueAt ?? null,
          dueDay: due?.dueDay ?? null,
          residentDueAt: due?.dueAt ?? null,
          calendarMissingYears: due?.missingYears ?? [],
          supplement:
            p.handling === 'supplement'
              ? { materials: p.missingMaterials, requestedAt: ctx.now, suppliedAt: null, attachments: [] }
              : null,
          upper,
        },
        event: {
          at: ctx.now,
          actor: actorOf(ctx, agent),
          action: 'accept',
          from: cur.state,
          to,
          note: [
            `受理编号 ${caseNo}`,
            HANDLING_TYPE_LABELS[p.handling],
            p.handling === 'supplement' ? `请补交：${p.missingMaterials.join('、')}` : '',
            upper ? `已上报，由上级站点承办` : '',
            p.note,
          ]
            .filter(Boolean)
            .join('；'),
        },
      }
    },
    numbering,
  )
  if (updated.state === 'awaiting_supplement') await notify(ctx.deps, ctx.now, 'supplementNeeded', updated)
  return staffView(ctx, updated, agent)
}

export async function rejectCase(payload: unknown, ctx: Ctx): Promise<CaseView> {
  const p = parse(rejectInput, payload)
  const { c, agent } = await staffFor(ctx, 'reject', p.caseId, p.version)
  guard(c.state, 'reject', { reason: p.reason })
  const updated = await ctx.deps.cases.transition(
    c._id,
    p.version,
    step(ctx, actorOf(ctx, agent), 'reject', () => ({ patch: { rejectReason: p.reason }, note: p.reason }), {
      reason: p.reason,
    }),
  )
  return staffView(ctx, updated, agent)
}

export async function completeCase(payload: unknown, ctx: Ctx): Promise<CaseView> {
  const p = parse(completeInput, payload)
  const { c, agent } = await staffFor(ctx, 'complete', p.caseId, p.version)
  await checkText(ctx, p.result, 'result')
  const updated = await ctx.deps.cases.transition(
    c._id,
    p.version,
    step(ctx, actorOf(ctx, agent), 'complete', (cur) => ({
      patch: {
        completedAt: ctx.now,
        result: p.result,
        onTime: cur.dueAt ? isOnTime(ctx.now, new Date(cur.dueAt)) : true,
      },
      note: p.result,
    })),
  )
  await notify(ctx.deps, ctx.now, 'caseCompleted', updated)
  return staffView(ctx, updated, agent)
}

export async function deliverCase(payload: unknown, ctx: Ctx): Promise<CaseView> {
  const p = parse(deliverInput, payload)
  const { c, agent } = await staffFor(ctx, 'deliver', p.caseId, p.version)
  const updated = await ctx.deps.cases.transition(
    c._id,
    p.version,
    step(ctx, actorOf(ctx, agent), 'deliver', () => ({
      patch: { deliveredAt: ctx.now },
      note: p.note || '已将办理结果送达',
    })),
  )
  await notify(ctx.deps, ctx.now, 'caseDelivered', updated)
  return staffView(ctx, updated, agent)
}

const materials = z.array(z.string().trim().min(1).max(40)).min(1, '请列明所缺材料').max(20)

const requestSupplementInput = z.object({ ...base, materials, note: z.string().trim().max(200).default('') })

/** 补办件: the agent lists every missing material once; the clock stops until they arrive. */
export async function requestSupplement(payload: unknown, ctx: Ctx): Promise<CaseView> {
  const p = parse(requestSupplementInput, payload)
  const { c, agent } = await staffFor(ctx, 'requestSupplement', p.caseId, p.version)
  const updated = await ctx.deps.cases.transition(c._id, p.version, (cur) => {
    recheck(cur, 'requestSupplement')
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

const escalateInput = z.object({ ...base, note: z.string().trim().max(200).default('') })

/** 上报: the owning agent forwards the case to the parent station and keeps it toward the resident. */
export async function escalateCase(payload: unknown, ctx: Ctx): Promise<CaseView> {
  const p = parse(escalateInput, payload)
  const { c, agent } = await staffFor(ctx, 'escalate', p.caseId, p.version)
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

const reassignInput = z.object({
  ...base,
  agentId: fields.id('代理员'),
  reason: fields.text('改派理由', 200),
})

/** 改派: only the station head, to an active agent of the same station, with a reason. */
export async function reassignCase(payload: unknown, ctx: Ctx): Promise<CaseView> {
  const p = parse(reassignInput, payload)
  const { c, agent } = await staffFor(ctx, 'reassign', p.caseId, p.version)
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

const extendInput = z.object({
  ...base,
  days: z.number().int().min(1, '至少延期 1 个工作日').max(30, '延期不超过 30 个工作日'),
  reason: fields.text('延期理由', 200),
})

/** 延期: approved by the station head with a reason; the new due date is in working days. */
export async function extendCase(payload: unknown, ctx: Ctx): Promise<CaseView> {
  const p = parse(extendInput, payload)
  const { c, agent } = await staffFor(ctx, 'extend', p.caseId, p.version)
  guard(c.state, 'extend', { reason: p.reason })
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
  const { c, agent } = await staffFor(ctx, 'addTasks', p.caseId, p.version)
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
    recheck(cur, 'addTasks')
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
  const { c, agent } = await staffFor(ctx, 'completeTask', p.caseId, p.version)
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
