import * as fs from 'node:fs'
import * as path from 'node:path'
import type { LocalCloudBase } from '../../../local-cloudbase/server'
import { EVENT_AUDIENCE, NOTIFY_EVENTS, type Audience } from '../../../server/domain/notifications'
import type { SubscribeMoment } from '../../../server/domain/subscribe'
import { DEMO_TEMPLATES } from '../../../scripts/seed'
import { call, DEMO_OPENIDS, ok, startApi } from '../../helpers/api'

/** Who receives each audience's notices in the demo district. */
const RECIPIENT: Record<Audience, string> = {
  resident: DEMO_OPENIDS.resident1,
  agent: DEMO_OPENIDS.villageAgent,
  head: DEMO_OPENIDS.villageHead,
  supervisor: DEMO_OPENIDS.supervisor,
  admin: DEMO_OPENIDS.admin,
}

/** The moments at which some page of the mini-program really asks (read from its source). */
function momentsPagesAskAt(): Set<SubscribeMoment> {
  const root = path.resolve(__dirname, '../../../miniprogram')
  const found = new Set<SubscribeMoment>()
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.name === 'miniprogram_npm' || e.name === 'services') continue
      const p = path.join(dir, e.name)
      if (e.isDirectory()) walk(p)
      else if (p.endsWith('.ts'))
        for (const m of fs.readFileSync(p, 'utf8').matchAll(/askForNotices\('(\w+)'\)/g))
          found.add(m[1] as SubscribeMoment)
    }
  }
  walk(root)
  return found
}

let lcb: LocalCloudBase
beforeAll(async () => {
  lcb = await startApi()
}, 60_000)
afterAll(() => lcb.stop())

describe('subscribe prompts come from the server', () => {
  it('every notice someone can receive is asked for, with its configured template, at a tap of theirs', async () => {
    const moments = momentsPagesAskAt()
    expect(moments.size).toBeGreaterThan(5)
    const asked = new Map<string, Set<string>>()
    for (const moment of moments)
      for (const [audience, openid] of Object.entries(RECIPIENT)) {
        const r = await ok<{ batches: string[][] }>(lcb, 'notify.templates', { moment }, openid)
        for (const batch of r.batches) expect(batch.length).toBeLessThanOrEqual(3)
        const ids = asked.get(audience) ?? new Set()
        r.batches.flat().forEach((id) => ids.add(id))
        asked.set(audience, ids)
      }
    const missing = NOTIFY_EVENTS.filter((event) => {
      const template = (DEMO_TEMPLATES as Record<string, { templateId: string } | undefined>)[event]
      return !template || !asked.get(EVENT_AUDIENCE[event])?.has(template.templateId)
    })
    expect(missing).toEqual([])
  })

  it('asks residents only for residents’ notices, and staff for theirs as long-term grants', async () => {
    const resident = await ok<{ batches: string[][]; longTerm: boolean }>(
      lcb,
      'notify.templates',
      { moment: 'workbench' },
      DEMO_OPENIDS.resident1,
    )
    expect(resident).toEqual({ batches: [], longTerm: true })
    const head = await ok<{ batches: string[][]; longTerm: boolean }>(
      lcb,
      'notify.templates',
      { moment: 'workbench' },
      DEMO_OPENIDS.villageHead,
    )
    expect(head.batches.flat()).toEqual(expect.arrayContaining(['TPL-CASE-ASSIGNED', 'TPL-BAD-RATING']))
    expect(await call(lcb, 'notify.templates', { moment: 'nope' }, DEMO_OPENIDS.resident1)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    })
  })
})
