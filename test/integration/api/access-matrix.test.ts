/**
 * The access matrix: every routed action × ten callers × the expected answer (the table is in
 * test/helpers/access-matrix.ts), run through the real `api` function on Local CloudBase.
 * Objects are made through the api itself; a row that changes something gets a fresh object
 * for each caller that may do it. Denied calls run first, on the same object, so a leak would
 * show as a success.
 */
import type { LocalCloudBase } from '../../../local-cloudbase/server'
import { actions } from '../../../server/app/actions'
import { call, startApi } from '../../helpers/api'
import { nodeSdk } from '../../helpers/local-cloudbase'
import { MATRIX, OPENID, ROLES, rid, useLocalCloudBase, type Role } from '../../helpers/access-matrix'

let lcb: LocalCloudBase

// ---- running it ----------------------------------------------------------------------------

const DENIALS = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND'])

function verdict(letter: string, res: { ok: boolean; error?: { code: string } }): string | null {
  const code = res.ok ? 'ok' : res.error!.code
  switch (letter) {
    case 'O':
      return res.ok ? null : `expected ok, got ${code}`
    case 'A':
      return code === 'UNAUTHENTICATED' ? null : `expected UNAUTHENTICATED, got ${code}`
    case 'F':
      return code === 'FORBIDDEN' ? null : `expected FORBIDDEN, got ${code}`
    case 'D':
      return !res.ok && DENIALS.has(code) ? null : `expected a refusal, got ${code}`
    case 'C':
      return code === 'CONFLICT' ? null : `expected CONFLICT, got ${code}`
    case 'S':
      return code === 'INVALID_STATE' ? null : `expected INVALID_STATE, got ${code}`
    default:
      return `unknown expectation ${letter}`
  }
}

beforeAll(async () => {
  // Thursday 10:00: office hours, slots open.
  lcb = await startApi('2026-12-03T10:00:00+08:00')
  useLocalCloudBase(lcb)
  const db = nodeSdk(lcb).database()
  await db.collection('agents').doc('ag-by-lh-2').update({ openid: OPENID.agentElse })
  await db.collection('agents').doc('ag-by-lh-1').update({ openid: OPENID.headElse })
}, 60_000)
afterAll(() => lcb.stop())

describe('access matrix', () => {
  it('has a row, with one expectation per caller, for every routed action', () => {
    const routed = Object.keys(actions).sort()
    expect(Object.keys(MATRIX).sort()).toEqual(routed)
    for (const [action, row] of Object.entries(MATRIX))
      expect({ action, expect: row.expect }).toEqual({
        action,
        expect: expect.stringMatching(/^[OAFDCS]{10}$/),
      })
  })

  it.each(Object.keys(MATRIX))('%s answers each caller as the table says', async (action) => {
    const row = MATRIX[action]!
    const letters = [...row.expect]
    const denied = ROLES.filter((_, i) => letters[i] !== 'O')
    const allowed = ROLES.filter((_, i) => letters[i] === 'O')
    const problems: string[] = []
    const build = (role: Role) => Promise.resolve(row.payload ? row.payload(role) : {})
    const shared = await build(allowed[0] ?? 'admin')
    for (const role of denied) {
      const payload = row.perRole ? await build(role) : shared
      const res = await call(lcb, action, payload, OPENID[role], rid())
      const bad = verdict(letters[ROLES.indexOf(role)]!, res)
      if (bad)
        problems.push(
          `${role}: ${bad}${res.ok ? '' : ` (${res.error.message} ${JSON.stringify(res.error.fields ?? '')})`}`,
        )
    }
    for (const [i, role] of allowed.entries()) {
      const payload = row.shared || i === 0 ? shared : await build(role)
      const res = await call(lcb, action, payload, OPENID[role], rid())
      await row.after?.()
      const bad = verdict('O', res)
      if (bad)
        problems.push(
          `${role}: ${bad}${res.ok ? '' : ` (${res.error.message} ${JSON.stringify(res.error.fields ?? '')})`}`,
        )
    }
    expect(problems).toEqual([])
  })
})
