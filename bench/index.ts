/** `npm run bench`: prints figures for Local CloudBase and the product's actions. */
import * as path from 'node:path'
import { benchAppointments } from './appointments'
import { benchCases } from './cases'
import { benchCounty } from './county'
import { benchDeadlines } from './deadlines'
import { benchFuzz } from './fuzz'
import { benchKpis } from './kpis'
import { benchLocalCloudBase } from './local-cloudbase'

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '..')
  const only = process.argv[2]
  if (!only || only === 'cases') await benchCases(root)
  if (!only || only === 'appointments') await benchAppointments(root)
  if (!only || only === 'deadlines') await benchDeadlines(root)
  if (!only || only === 'kpis') await benchKpis(root)
  if (!only || only === 'local-cloudbase') await benchLocalCloudBase(root)
  // Long: only when asked for by name.
  if (only === 'fuzz') await benchFuzz(process.argv[3] ? Number(process.argv[3]) : undefined)
  // About an hour on 2 cores: only when named.
  if (only === 'county') await benchCounty(root)
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
