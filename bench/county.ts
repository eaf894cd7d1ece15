/**
 * `npm run bench county`: a quarter of a real county (issue 12 "The proof") — about 15
 * townships, 250 villages and communities, 1,200 staff and 20,000 cases from 2026-08-01 to
 * 2026-10-31 (中秋, 国庆 and its make-up Saturday inside) driven through the real `api` and
 * `jobs` functions in 10-minute ticks, then checked against the simulation's own log. Prints
 * the figures and every check; exits non-zero when a check fails. The week-long version of the
 * same simulation is test/integration/county-week.test.ts.
 *
 * Smaller runs for trying things out: COUNTY_TOWNSHIPS, COUNTY_CASES, COUNTY_FROM and COUNTY_TO
 * (first day and the day after the last, e.g. 2026-09-14 and 2026-10-13), COUNTY_SEED.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { checkCounty, formatReport } from '../test/helpers/county/checker'
import { driveCounty } from '../test/helpers/county/driver'
import { QUARTER, type CountyOptions } from '../test/helpers/county/generator'

export async function benchCounty(root: string): Promise<void> {
  console.log('\n== County quarter (simulation through api and jobs) ==')
  const env = process.env
  const county: CountyOptions = {
    ...QUARTER,
    ...(env.COUNTY_TOWNSHIPS ? { townships: Number(env.COUNTY_TOWNSHIPS) } : {}),
    ...(env.COUNTY_CASES ? { cases: Number(env.COUNTY_CASES) } : {}),
    ...(env.COUNTY_FROM ? { from: env.COUNTY_FROM } : {}),
    ...(env.COUNTY_TO ? { to: env.COUNTY_TO } : {}),
    ...(env.COUNTY_SEED ? { seed: Number(env.COUNTY_SEED) } : {}),
  }
  const log = await driveCounty({ root, county, progress: (line) => console.log(line) })
  const report = checkCounty(log)
  const text = formatReport(report)
  console.log(text)
  const out = path.join(root, '.build/county-report.json')
  fs.writeFileSync(out, JSON.stringify({ options: county, ...report }, null, 2))
  console.log(`(full report: ${path.relative(root, out)})`)
  if (report.checks.some((c) => !c.ok)) process.exitCode = 1
}
