/**
 * 监督投诉: residents complain to the supervisors about a station or a case; the station
 * complained about never sees the complaint. Supervisors answer once; the resident is told.
 */
import { createHash } from 'node:crypto'
import type { ComplaintView, CursorPage } from '../../typings/api'
import { COMPLAINTS_PER_DAY, COMPLAINT_STATUS_LABELS } from '../domain/complaints'
import { shanghaiDay } from '../domain/calendar'
import { AppError, conflict, forbidden, invalidInput, notFound } from '../lib/errors'
import { fields, parse, z } from '../lib/validate'
import { maskPhone } from '../lib/mask'
import { requireOpenid, requireRole, type Ctx } from '../kit/context'
import { enqueue, formatInstant } from '../kit/notify'
import type { Complaint } from '../repositories/complaints'
import { checkText } from '../kit/text-check'
import { pageFields } from './page-input'

function view(c: Complaint, stationName: string, forStaff: boolean): ComplaintView {
  return {
    id: c._id,
    stationId: c.stationId,
    stationName,
    caseId: c.caseId,
    caseNo: c.caseNo,
    text: c.text,
    status: c.status,
    statusLabel: COMPLAINT_STATUS_LABELS[c.status],
    reply: c.reply,
    createdAt: new Date(c.createdAt).toISOString(),
    repliedAt: c.repliedAt ? new Date(c.repliedAt).toISOString() : null,
    ...(forStaff ? { name: c.name, maskedPhone: maskPhone(c.phone) } : {}),
  }
}

const submitInput = z.object({
  stationId: fields.id('服务站').optional(),
  caseId: fields.id('申请').optional(),
  name: fields.text('姓名', 20),
  phone: fields.phone,
  text: fields.text('投诉内容', 500),
})

/** 提交投诉 (about a case of one's own, or a station); retried requests file once. */
export async function submitComplaint(payload: unknown, ctx: Ctx): Promise<ComplaintView> {
  const p = parse(submitInput, payload)
  const openid = requireOpenid(ctx)
  if (!p.stationId && !p.caseId) throw invalidInput({ stationId: '请选择投诉的服务站' })
  // Without a request id a retried tap could not be recognised: refuse rather than file twice.
  if (!ctx.requestId) throw invalidInput({ requestId: '缺少请求编号' }, '请求缺少编号，请升级小程序后重试')
  let stationId = p.stationId ?? ''
  let caseNo: string | null = null
  if (p.caseId) {
    const c = await ctx.deps.cases.get(p.caseId)
    if (!c) throw notFound('未找到该申请')
    if (c.applicant.openid !== openid) throw forbidden('只能投诉自己的申请')
    stationId = c.stationId
    caseNo = c.caseNo
  }
  const station = await ctx.deps.network.station(stationId)
  if (!station) throw notFound('未找到该服务站')
  // The same request (a retried tap) files once: the id comes from who asked and the request id.
  const id = `cp-${createHash('sha1').update(`${openid}|${ctx.requestId}`).digest('hex').slice(0, 20)}`
  const prior = await ctx.deps.complaints.get(id)
  if (prior) {
    // A retry after a crash between saving and notifying: the notices go out now (keys dedupe).
    await notifySupervisors(ctx, prior, station.name)
    return view(prior, station.name, false)
  }
  // Content first, so a refused text does not use up one of the day's complaints.
  await checkText(ctx, p.text, 'text')
  const day = shanghaiDay(ctx.now)
  if (!(await ctx.deps.complaints.takeDaily(openid, day, COMPLAINTS_PER_DAY)))
    throw new AppError('RATE_LIMITED', `每天最多提交 ${COMPLAINTS_PER_DAY} 次投诉，请明天再试或拨打监督电话`)
  const complaint: Complaint = {
    _id: id,
    openid,
    name: p.name,
    phone: p.phone,
    stationId,
    caseId: p.caseId ?? null,
    caseNo,
    text: p.text,
    status: 'open',
    reply: null,
    repliedBy: null,
    repliedAt: null,
    createdAt: ctx.now,
  }
  let inserted: boolean
  try {
    inserted = await ctx.deps.complaints.insert(complaint)
  } catch (err) {
    await ctx.deps.complaints.releaseDaily(openid, day)
    throw err
  }
  if (!inserted) {
    // The same request won a race with this one: it counted once, so this one gives its place back.
    await ctx.deps.complaints.releaseDaily(openid, day)
    const saved = await ctx.deps.complaints.get(id)
    if (saved) return view(saved, station.name, false)
  }
  await notifySupervisors(ctx, complaint, station.name)
  return view(complaint, station.name, false)
}

/** Every supervisor (an unlinked one is recorded as skipped in the outbox). */
async function notifySupervisors(ctx: Ctx, c: Complaint, stationName: string): Promise<void> {
  const [supervisors, templates] = await Promise.all([
    ctx.deps.network.agentsByRole('supervisor'),
    ctx.deps.settings.templates(),
  ])
  for (const s of supervisors) {
    await enqueue(
      ctx.deps,
      ctx.now,
      {
        event: 'complaintFiled',
        key: `${c._id}:complaintFiled:${s._id}`,
        recipient: s.openid ?? null,
        caseId: c.caseId ?? '',
        query: `id=${c._id}`,
        vars: { stationName, text: c.text, now: formatInstant(new Date(c.createdAt)) },
      },
      templates,
    )
  }
}

const mineInput = z.object({ ...pageFields })

/** 我的投诉, newest first, with the supervisors' answers; a page at a time. */
export async function myComplaints(payload: unknown, ctx: Ctx): Promise<CursorPage<ComplaintView>> {
  const openid = requireOpenid(ctx)
  const p = parse(mineInput, payload ?? {})
  const page = await ctx.deps.complaints.mine(openid, p.cursor ?? null, p.pageSize ?? 20)
  const names = await ctx.deps.network.stationNames(page.list.map((c) => c.stationId))
  return { ...page, list: page.list.map((c) => view(c, names.get(c.stationId) ?? '', false)) }
}

const listInput = z.object({ status: z.enum(['open', 'replied']).optional(), ...pageFields })

/**
 * Supervisors only: not even the head of the station complained about may read these. Newest
 * first, a page at a time, with the total of the chosen status and the number still open.
 */
export async function listComplaints(
  payload: unknown,
  ctx: Ctx,
): Promise<CursorPage<ComplaintView> & { open: number }> {
  await requireRole(ctx, ['supervisor'])
  const p = parse(listInput, payload ?? {})
  const [page, open] = await Promise.all([
    ctx.deps.complaints.byStatus(p.status ?? null, p.cursor ?? null, p.pageSize ?? 20),
    ctx.deps.complaints.countOpen(),
  ])
  const names = await ctx.deps.network.stationNames(page.list.map((c) => c.stationId))
  return { ...page, list: page.list.map((c) => view(c, names.get(c.stationId) ?? '', true)), open }
}

const replyInput = z.object({ id: fields.id('投诉'), reply: fields.text('答复', 500) })

/** 答复: once; the resident gets a notice. */
export async function replyComplaint(payload: unknown, ctx: Ctx): Promise<ComplaintView> {
  const me = await requireRole(ctx, ['supervisor'])
  const p = parse(replyInput, payload)
  const c = await ctx.deps.complaints.get(p.id)
  if (!c) throw notFound('未找到该投诉')
  if (!(await ctx.deps.complaints.reply(c._id, p.reply, me._id, ctx.now))) throw conflict('该投诉已答复')
  const stationName = (await ctx.deps.network.station(c.stationId))?.name ?? ''
  await enqueue(ctx.deps, ctx.now, {
    event: 'complaintReplied',
    key: `${c._id}:complaintReplied`,
    recipient: c.openid,
    caseId: c.caseId ?? '',
    query: `id=${c._id}`,
    vars: { stationName, text: p.reply, now: formatInstant(ctx.now) },
  })
  return view(
    { ...c, status: 'replied', reply: p.reply, repliedBy: me._id, repliedAt: ctx.now },
    stationName,
    true,
  )
}

const contactInput = z.object({ id: fields.id('投诉') })

/** The complainant's full phone for a call back; every read is logged. */
export async function complaintContact(payload: unknown, ctx: Ctx): Promise<{ phone: string }> {
  const me = await requireRole(ctx, ['supervisor'])
  const p = parse(contactInput, payload)
  const c = await ctx.deps.complaints.get(p.id)
  if (!c) throw notFound('未找到该投诉')
  await ctx.deps.accessLog.log({
    at: ctx.now,
    agentId: me._id,
    openid: c.openid,
    what: `complaint:${c._id}:phone`,
  })
  return { phone: c.phone }
}
