/**
 * A month of a village service room, driven through the real `api` function with Local
 * CloudBase's clock, so that the screenshots show pages as they look in use: a case rated, one
 * escalated to the township, one overdue, one waiting for materials, one badly rated and in
 * 整改, one new, a complaint, a booking, and a long list for the inbox.
 */
import type { CaseView } from '../../../typings/api'
import { callApi, newRequestId } from '../../../miniprogram/services/api'

export const WHO = {
  resident: 'o-demo-resident-1',
  resident2: 'o-demo-resident-2',
  agent: 'o-demo-agent-village',
  head: 'o-demo-head-village',
  townshipHead: 'o-demo-head-township',
  supervisor: 'o-demo-supervisor',
  admin: 'o-demo-admin',
} as const

export const STATION = 'st-qingshan-hongyan'

export interface History {
  /** The case ids the screenshots open, by what they show. */
  rated: string
  escalated: string
  overdue: string
  supplement: string
  rectify: string
  fresh: string
  delivered: string
  longInbox: number
}

interface Driver {
  as(openid: string): void
  at(iso: string): Promise<void>
}

export async function buildHistory({ as, at }: Driver): Promise<History> {
  const submit = async (
    who: string,
    itemId: string,
    description: string,
    name = '王秀英',
    phone = '13912345678',
  ) => {
    as(who)
    return callApi(
      'cases.submit',
      { itemId, stationId: STATION, description, applicantName: name, applicantPhone: phone },
      newRequestId(),
    )
  }
  // The case's own agent acts; a case the roster gave to a colleague is handled by the head.
  const agent = async <T extends CaseView>(f: () => Promise<T>) => {
    as(WHO.agent)
    try {
      return await f()
    } catch (err) {
      if ((err as { code?: string }).code !== 'FORBIDDEN') throw err
      as(WHO.head)
      return f()
    }
  }
  let c: CaseView

  // 临时救助: the whole loop, rated well.
  await at('2026-11-02T09:20:00+08:00')
  c = await submit(WHO.resident, 'it-MZ-003', '家里厨房失火，灶台和一部分家具烧坏了，想申请临时救助')
  await at('2026-11-02T10:05:00+08:00')
  c = await agent(() =>
    callApi('cases.accept', {
      caseId: c.id,
      version: c.version,
      handling: 'promised',
      receivedMaterials: ['户口簿', '居民身份证'],
    }),
  )
  await at('2026-11-05T15:30:00+08:00')
  c = await agent(() =>
    callApi('cases.complete', { caseId: c.id, version: c.version, result: '已发放临时救助金 2000 元' }),
  )
  c = await agent(() =>
    callApi('cases.deliver', { caseId: c.id, version: c.version, note: '救助金已打入一卡通' }),
  )
  await at('2026-11-06T08:40:00+08:00')
  as(WHO.resident)
  c = await callApi('cases.rate', {
    caseId: c.id,
    level: 'very_satisfied',
    comment: '王兰同志跑了好几趟，谢谢',
  })
  const rated = c.id

  // 高龄津贴: accepted and left alone until it runs past its promised days.
  await at('2026-11-03T10:00:00+08:00')
  c = await submit(WHO.resident, 'it-MZ-004', '我母亲今年满 80 岁了，想申请高龄津贴')
  c = await agent(() =>
    callApi('cases.accept', {
      caseId: c.id,
      version: c.version,
      handling: 'promised',
      receivedMaterials: ['户口簿'],
    }),
  )
  const overdue = c.id

  // 低保: decided by the township; the village agent forwards it (上报) and the township takes it.
  await at('2026-11-09T09:00:00+08:00')
  c = await submit(WHO.resident, 'it-MZ-001', '老伴去年去世，我一个人没有收入，想申请低保')
  c = await agent(() => callApi('cases.accept', { caseId: c.id, version: c.version, handling: 'escalated' }))
  if (c.state === 'accepted')
    c = await agent(() => callApi('cases.escalate', { caseId: c.id, version: c.version, note: '需乡镇审核' }))
  await at('2026-11-10T11:00:00+08:00')
  as(WHO.townshipHead)
  c = await callApi('cases.acceptUpper', { caseId: c.id, version: c.version })
  const escalated = c.id

  // 矛盾纠纷调解: delivered, rated badly: the head's 整改 starts.
  await at('2026-11-10T14:00:00+08:00')
  c = await submit(WHO.resident, 'it-ZZWW-001', '邻居家盖房占了我家半米宅基地，协商不成')
  c = await agent(() => callApi('cases.accept', { caseId: c.id, version: c.version, handling: 'promised' }))
  await at('2026-11-20T16:00:00+08:00')
  c = await agent(() =>
    callApi('cases.complete', { caseId: c.id, version: c.version, result: '已组织双方调解，达成口头协议' }),
  )
  c = await agent(() => callApi('cases.deliver', { caseId: c.id, version: c.version }))
  await at('2026-11-21T09:30:00+08:00')
  as(WHO.resident)
  c = await callApi('cases.rate', {
    caseId: c.id,
    level: 'dissatisfied',
    comment: '调解不公正，协议没有写下来',
  })
  const rectify = c.id

  // 残疾人证: materials missing, waiting for the resident.
  await at('2026-11-23T10:00:00+08:00')
  c = await submit(WHO.resident, 'it-CL-001', '儿子小时候受过伤，右腿不方便，想办残疾人证')
  c = await agent(() =>
    callApi('cases.accept', {
      caseId: c.id,
      version: c.version,
      handling: 'supplement',
      receivedMaterials: ['户口簿'],
      missingMaterials: ['二级以上医院的诊断证明', '近期免冠两寸照片 2 张'],
      note: '诊断证明要盖医院公章',
    }),
  )
  const supplement = c.id

  // Resident 2: a result delivered and waiting for the rating, and many cases for the inbox.
  await at('2026-11-16T09:00:00+08:00')
  c = await submit(WHO.resident2, 'it-LDBZ-003', '今年满 60 岁，办理养老金领取', '李德明', '13700002222')
  c = await agent(() => callApi('cases.accept', { caseId: c.id, version: c.version, handling: 'promised' }))
  await at('2026-11-27T15:00:00+08:00')
  c = await agent(() =>
    callApi('cases.complete', { caseId: c.id, version: c.version, result: '已核定待遇，12 月起按月发放' }),
  )
  c = await agent(() => callApi('cases.deliver', { caseId: c.id, version: c.version }))
  const delivered = c.id

  const many: [string, string][] = [
    ['it-XNH-003', '高血压、糖尿病，想办门诊慢特病'],
    ['it-LDBZ-006', '社保卡丢了，要补办'],
    ['it-GT-001', '新房子办不动产登记'],
    ['it-XNH-004', '在外地住院的医药费想报销'],
    ['it-FXZXK-001', '老房子下雨漏得厉害，墙也裂了，申请危房改造'],
    ['it-TDGL-002', '土地流转合同备案'],
    ['it-XNH-005', '合作医疗证找不到了，要补办'],
    ['it-JS-001', '独生子女父母奖励扶助'],
    ['it-CL-002', '重度残疾护理补贴'],
    ['it-XFWQ-001', '买的电动车一个月就坏了，商家不给修'],
    ['it-YLJZ-001', '住院自付部分太多，申请医疗救助'],
    ['it-MZ-005', '父亲去世，申请殡葬补贴'],
  ]
  // Working days 11-24 … 11-30 (11-28/29 are a weekend), two cases a morning.
  const days = ['24', '25', '26', '27', '30']
  for (const [i, [itemId, text]] of many.entries()) {
    await at(
      `2026-11-${days[Math.floor(i / 3) % days.length]}T09:${String(10 + i * 3).padStart(2, '0')}:00+08:00`,
    )
    try {
      c = await submit(WHO.resident2, itemId, text, '李德明', '13700002222')
    } catch (err) {
      console.warn(`history: ${itemId} not taken (${(err as Error).message})`)
      continue
    }
    if (i % 3 === 0)
      await agent(() => callApi('cases.accept', { caseId: c.id, version: c.version, handling: 'promised' }))
  }

  // Today: a new case just in, a complaint about the overdue one, an appointment.
  await at('2026-12-01T09:15:00+08:00')
  c = await submit(WHO.resident, 'it-XNH-002', '下个月去广州儿子家住，要办异地就医备案')
  const fresh = c.id
  as(WHO.resident)
  await callApi(
    'complaints.submit',
    {
      caseId: overdue,
      stationId: STATION,
      name: '王秀英',
      phone: '13912345678',
      text: '高龄津贴申请快一个月了还没有消息，打电话也没人接',
    },
    newRequestId(),
  )
  await at('2026-12-01T10:00:00+08:00')
  return { rated, escalated, overdue, supplement, rectify, fresh, delivered, longInbox: many.length }
}
