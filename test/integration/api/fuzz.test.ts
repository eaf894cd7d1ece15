/**
 * Bounded fuzzing of the `api` function through the gateway (fixed seed): for every routed
 * action, mutations of a valid payload (from the access matrix's builders) as random callers,
 * plus malformed envelopes. Fails on any INTERNAL, any answer that is not the envelope, and any
 * document written by a call that answered an error. `npm run bench fuzz` runs the long version.
 */
import type { LocalCloudBase } from '../../../local-cloudbase/server'
import { startApi } from '../../helpers/api'
import { MATRIX, useLocalCloudBase } from '../../helpers/access-matrix'
import { runFuzz, type FuzzReport } from '../../helpers/fuzz-run'

const PER_ACTION = Number(process.env.FUZZ_PER_ACTION ?? 150)
let lcb: LocalCloudBase
let report: FuzzReport

beforeAll(async () => {
  lcb = await startApi('2026-12-03T10:00:00+08:00')
  useLocalCloudBase(lcb)
  report = await runFuzz(lcb, MATRIX, { seed: 20261203, perAction: PER_ACTION, envelopes: 400 })
  console.log(
    `[fuzz] ${report.inputs} inputs in ${(report.ms / 1000).toFixed(1)} s; answers: ${JSON.stringify(report.codes)}`,
  )
}, 600_000)
afterAll(() => lcb.stop())

describe('fuzzing the api', () => {
  it('ran every routed action', () => {
    expect(report.inputs).toBeGreaterThanOrEqual(Object.keys(MATRIX).length * PER_ACTION)
  })

  it('never answers INTERNAL or anything but the envelope', () => {
    expect(report.internal.slice(0, 5)).toEqual([])
    expect(report.malformed.slice(0, 5)).toEqual([])
  })

  it('writes nothing when it answers an error', () => {
    expect(report.writesOnError.slice(0, 5)).toEqual([])
  })
})
