/**
 * `npm run bench fuzz [perAction]`: the fuzz test's long run — every routed action with
 * `perAction` (default 1,000) mutated payloads as random callers, plus malformed envelopes —
 * printing the count per answer code and any finding (INTERNAL, broken envelope, write on error).
 */
import { startApi } from '../test/helpers/api'
import { MATRIX, useLocalCloudBase } from '../test/helpers/access-matrix'
import { runFuzz } from '../test/helpers/fuzz-run'

export async function benchFuzz(perAction = 1000): Promise<void> {
  const lcb = await startApi('2026-12-03T10:00:00+08:00')
  try {
    useLocalCloudBase(lcb)
    const r = await runFuzz(lcb, MATRIX, { seed: 7, perAction, envelopes: 5000 })
    console.log(`\n== fuzz: ${Object.keys(MATRIX).length} actions × ${perAction} inputs + 5,000 envelopes`)
    console.log(
      `inputs ${r.inputs} in ${(r.ms / 1000).toFixed(1)} s (${Math.round(r.inputs / (r.ms / 1000))}/s)`,
    )
    for (const [code, n] of Object.entries(r.codes).sort((a, b) => b[1] - a[1]))
      console.log(`  ${code.padEnd(16)} ${n}`)
    console.log(
      `INTERNAL: ${r.internal.length}; broken envelopes: ${r.malformed.length}; writes on error: ${r.writesOnError.length}`,
    )
    for (const f of [...r.internal, ...r.malformed, ...r.writesOnError].slice(0, 20)) console.log(' ', f)
  } finally {
    await lcb.stop()
  }
}
