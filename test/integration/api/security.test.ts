/**
 * What review and fuzzing found (issue 11), each through the real `api` (and `jobs`) function
 * on Local CloudBase: owner-scoped attachments, claim codes that cannot be guessed, submit races
 * and replays, transient platform failures, pairings by station, the timer-only `jobs`.
 */
import type { LocalCloudBase } from '../../../local-cloudbase/server'
import { uploadDirOf } from '../../../server/lib/files'
import { DEMO_OPENIDS, call, ok, startApi } from '../../helpers/api'
import { nodeSdk } from '../../helpers/local-cloudbase'

let lcb: LocalCloudBase
const resident = DEMO_OPENIDS.resident1
const agent = DEMO_OPENIDS.villageAgent
const STATION = 'st-qingshan-hongyan'
const form = {
  itemId: 'it-MZ-003',
  stationId: STATION,
  description: '想申请临时救助',
  applicantName: '王秀英',
  applicantPhone: '13912345678',
}
const photo = (openid: string, name = 'abcdefgh12') =>
  `cloud://local.local-1250000000/${uploadDirOf(openid)}/req-1/${name}.jpg`
const db = () => nodeSdk(lcb).database()
const count = async (coll: string, where: object) => (await db().collection(coll).where(where).count()).total

beforeAll(async () => {
  lcb = await startApi('2026-12-03T10:00:00+08:00')
}, 60_000)
afterAll(() => lcb.stop())

async function fault(api: string, errcode: number, remaining = 1) {
  const res = await fetch(`${lcb.gatewayUrl}/openapi/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ api, errcode, remaining }),
  })
  expect(res.status).toBe(200)
}

describe('attachments', () => {
  it('gives each user their own upload folder', async () => {
    const a = await ok<{ uploadDir: string }>(lcb, 'me.profile', {}, resident)
    const b = await ok<{ uploadDir: string }>(lcb, 'me.profile', {}, DEMO_OPENIDS.resident2)
    expect(a.uploadDir).toMatch(/^cases\/[0-9a-f]{20}$/)
    expect(a.uploadDir).not.toBe(b.uploadDir)
    expect(a.uploadDir).not.toContain(resident)
  })

  it("accepts the caller's own photos and refuses another user's file or an oversized id, writing nothing", async () => {
    const mine = await call(
      lcb,
      'cases.submit',
      { ...form, attachments: [photo(resident)] },
      resident,
      'att-1',
    )
    expect(mine.ok).toBe(true)
    const before = await count('cases', {})
    const theirs = await call(
      lcb,
      'cases.submit',
      { ...form, attachments: [photo(DEMO_OPENIDS.resident2)] },
      resident,
      'att-2',
    )
    expect(theirs).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', fields: { 'attachments.0': '附件不是您本人上传的照片，请重新上传' } },
    })
    // Nine 115 KB ids once made a station's inbox exceed the platform's 1 MB result cap.
    const huge = `cloud://local.local-1250000000/${uploadDirOf(resident)}/r/${'a'.repeat(115_000)}.jpg`
    const big = await call(
      lcb,
      'cases.submit',
      { ...form, attachments: Array(9).fill(huge) },
      resident,
      'att-3',
    )
    expect(big).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
    expect(await count('cases', {})).toBe(before)
  })
})

describe('submit retries', () => {
  it('answers eight simultaneous submits with one request id with one case', async () => {
    // Warm eight function instances first, so the submits really overlap at the unique index.
    await Promise.all(Array.from({ length: 8 }, () => call(lcb, 'catalog.list', {}, resident)))
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => call<{ id: string }>(lcb, 'cases.submit', form, resident, 'race-1')),
    )
    expect(answers.map((a) => (a.ok ? 'ok' : a.error.code))).toEqual(Array(8).fill('ok'))
    const ids = new Set(answers.map((a) => (a.ok ? a.data.id : '')))
    expect(ids.size).toBe(1)
    expect(await count('cases', { requestId: 'race-1' })).toBe(1)
  }, 60_000)

  it('refuses a request id reused for a different form instead of returning the first case', async () => {
    await ok(lcb, 'cases.submit', form, resident, 'reuse-1')
    const other = await call(
      lcb,
      'cases.submit',
      { ...form, description: '完全不同的事情' },
      resident,
      'reuse-1',
    )
    expect(other).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT', message: '这个请求编号已用于另一份申请，请返回重新填写后提交' },
    })
  })

  it('answers a transient content-check failure with UNAVAILABLE and stores nothing', async () => {
    const before = await count('cases', {})
    await fault('security.msgSecCheck', -1)
    const r = await call(lcb, 'cases.submit', form, resident, 'busy-1')
    expect(r).toMatchObject({
      ok: false,
      error: { code: 'UNAVAILABLE', message: '内容检查暂时不可用，请稍后再提交' },
    })
    expect(await count('cases', {})).toBe(before)
    // The same request goes through once WeChat answers again.
    expect((await call(lcb, 'cases.submit', form, resident, 'busy-1')).ok).toBe(true)
  })
})

describe('claim codes', () => {
  async function walkIn(phone = '13800001111') {
    return ok<{ id: string; claimCode: string }>(
      lcb,
      'cases.submit',
      { ...form, applicantName: '赵大爷', applicantPhone: phone, onBehalf: true },
      agent,
      `walk-${Math.random()}`,
    )
  }

  it('issues 8 unambiguous characters, different for every case', async () => {
    const codes = await Promise.all(Array.from({ length: 10 }, () => walkIn().then((c) => c.claimCode)))
    for (const c of codes) expect(c).toMatch(/^[ABCDEFGHJKMNPQRSTUVWXYZ2-9]{8}$/)
    expect(new Set(codes).size).toBe(10)
  }, 60_000)

  it('voids a code after 5 wrong phone numbers; the agent issues a new one that works', async () => {
    const c = await walkIn('13800002222')
    for (let i = 0; i < 5; i++) {
      const r = await call(
        lcb,
        'cases.claim',
        { claimCode: c.claimCode, phone: `1390000000${i}` },
        `o-guess-${i}`,
      )
      expect(r).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
    }
    // Even the right phone no longer opens it.
    const right = await call(lcb, 'cases.claim', { claimCode: c.claimCode, phone: '13800002222' }, 'o-real')
    expect(right).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND', message: '认领码或手机号不正确，请核对材料接收单' },
    })
    const fresh = await ok<{ claimCode: string }>(lcb, 'cases.reissueClaimCode', { caseId: c.id }, agent)
    expect(fresh.claimCode).not.toBe(c.claimCode)
    expect(
      (await call(lcb, 'cases.claim', { claimCode: fresh.claimCode, phone: '13800002222' }, 'o-real')).ok,
    ).toBe(true)
  })

  it('lets one WeChat user try 10 times a day, however fast', async () => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        call(
          lcb,
          'cases.claim',
          { claimCode: 'ABCDEFGH', phone: `1370000${String(i).padStart(4, '0')}` },
          'o-brute',
        ),
      ),
    )
    const codes = answers.map((a) => (a.ok ? 'ok' : a.error.code))
    expect(codes.filter((c) => c === 'NOT_FOUND')).toHaveLength(10)
    expect(codes.filter((c) => c === 'RATE_LIMITED')).toHaveLength(10)
  })

  it('expires a code after 30 days', async () => {
    const c = await walkIn('13800003333')
    lcb.clock.set(Date.parse('2027-01-03T10:00:00+08:00'))
    try {
      const r = await call(lcb, 'cases.claim', { claimCode: c.claimCode, phone: '13800003333' }, 'o-late')
      expect(r).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
    } finally {
      lcb.clock.set(Date.parse('2026-12-03T10:00:00+08:00'))
      // Jumping the clock fires the jobs timer (catch-up): let those runs finish here.
      await lcb.scheduler.idle()
    }
  })
})

describe('pairings', () => {
  it("keeps heads to their own station and never overwrites another station's pairing", async () => {
    const head = DEMO_OPENIDS.villageHead
    const elsewhere = await call(
      lcb,
      'admin.pairings.save',
      { stationId: 'st-baiyun-lihua', agentId: 'ag-by-lh-2', residentName: '某某' },
      head,
    )
    expect(elsewhere).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    // Another station's pairing named by its id, through the head's own station.
    const hijack = await call(
      lcb,
      'admin.pairings.save',
      { _id: 'pr-qs-sm-1', stationId: STATION, agentId: 'ag-qs-hy-2', residentName: '罗德厚' },
      head,
    )
    expect(hijack).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
    const kept = (await db().collection('pairings').doc('pr-qs-sm-1').get()).data[0] as { stationId: string }
    expect(kept.stationId).toBe('st-qingshan-shimen')
    // Editing one's own pairing keeps the resident's WeChat link.
    await ok(
      lcb,
      'admin.pairings.save',
      {
        _id: 'pr-qs-hy-1',
        stationId: STATION,
        agentId: 'ag-qs-hy-2',
        residentName: '王秀英',
        household: '红岩村3组',
      },
      head,
    )
    const own = (await db().collection('pairings').doc('pr-qs-hy-1').get()).data[0] as {
      residentOpenid: string
    }
    expect(own.residentOpenid).toBe(resident)
  })
})

describe('the jobs function', () => {
  it('refuses a mini-program caller and does no work; the timer still runs it', async () => {
    // No timer run of an earlier test may still be going: only the calls below may touch the outbox.
    await lcb.scheduler.idle()
    await db()
      .collection('outbox')
      .add({
        _id: 'probe-msg',
        event: 'caseAssigned',
        recipientOpenid: agent,
        caseId: '',
        templateId: 'TPL-X',
        page: 'pages/index/index',
        data: {},
        status: 'pending',
        attempts: 0,
        nextAttemptAt: new Date('2026-12-01T00:00:00Z'),
        notBefore: new Date('2026-12-01T00:00:00Z'),
        lastError: null,
        createdAt: new Date('2026-12-01T00:00:00Z'),
        sentAt: null,
      })
    for (const openid of [resident, '']) {
      const res = await fetch(`${lcb.gatewayUrl}/functions/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(openid ? { 'x-wx-openid': openid } : {}) },
        // A caller faking the timer's event shape is still not the timer.
        body: JSON.stringify({ Type: 'Timer', TriggerName: 'every10min', Time: '2026-12-03T02:00:00Z' }),
      })
      expect(await res.json()).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    }
    const untouched = (await db().collection('outbox').doc('probe-msg').get()).data[0] as { status: string }
    expect(untouched.status).toBe('pending')
    expect((await fetch(`${lcb.gatewayUrl}/timers/jobs/run`, { method: 'POST' })).status).toBe(200)
    const after = (await db().collection('outbox').doc('probe-msg').get()).data[0] as { status: string }
    expect(after.status).not.toBe('pending')
  })
})

describe('the envelope', () => {
  it('never echoes a huge action name and words an out-of-range number in Chinese', async () => {
    const res = await fetch(`${lcb.gatewayUrl}/functions/api`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-wx-openid': resident },
      body: JSON.stringify({ action: 'x'.repeat(1_000_000) }),
    })
    const text = await res.text()
    expect(text.length).toBeLessThan(300)
    expect(JSON.parse(text)).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_ACTION', message: '不支持的操作' },
    })
    const big = await fetch(`${lcb.gatewayUrl}/functions/api`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-wx-openid': DEMO_OPENIDS.villageHead },
      // 1e400 is Infinity once parsed: it used to read "期望 数字，实际接收 数字".
      body: '{"action":"cases.extend","payload":{"caseId":"c","version":1e400,"days":2,"reason":"x"}}',
    })
    expect(await big.json()).toMatchObject({ ok: false, error: { fields: { version: '数值超出范围' } } })
  })
})
