/**
 * `npm start`: Local CloudBase with the project's functions deployed and the demo data seeded.
 *
 *   node .build/local-cloudbase/main.js [--port 8787] [--data .data] [--reset] [--no-seed] [--clock ISO]
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { LocalCloudBase } from './server'
import type { DatabaseDefinition } from './definition'
import { deployLocal } from '../scripts/deploy'

interface Args {
  port: number
  data: string
  reset: boolean
  seed: boolean
  clock?: string
  verbose: boolean
}

function parseArgs(argv: string[], root: string): Args {
  const args: Args = {
    port: Number(process.env.LCB_PORT ?? 8787),
    data: path.join(root, '.data'),
    reset: false,
    seed: true,
    verbose: false,
  }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const next = (): string => {
      const v = argv[++i]
      if (v === undefined) throw new Error(`${a} needs a value`)
      return v
    }
    if (a === '--port') args.port = Number(next())
    else if (a === '--data') args.data = path.resolve(next())
    else if (a === '--reset') args.reset = true
    else if (a === '--no-seed') args.seed = false
    else if (a === '--clock') args.clock = next()
    else if (a === '--verbose') args.verbose = true
    else if (a === '--help' || a === '-h') {
      console.log(
        'usage: npm start -- [--port 8787] [--data DIR] [--reset] [--no-seed] [--clock ISO-8601] [--verbose]',
      )
      process.exit(0)
    } else throw new Error(`unknown option ${a}`)
  }
  if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535)
    throw new Error('--port must be 0..65535')
  return args
}

export function projectRoot(): string {
  let dir = __dirname
  while (!fs.existsSync(path.join(dir, 'project.config.json'))) {
    const up = path.dirname(dir)
    if (up === dir) throw new Error('project root not found')
    dir = up
  }
  return dir
}

export function loadDefinition(root: string): DatabaseDefinition {
  return JSON.parse(
    fs.readFileSync(path.join(root, 'database/definition.json'), 'utf8'),
  ) as DatabaseDefinition
}

export function functionDirs(root: string): string[] {
  const dir = path.join(root, 'cloudfunctions')
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(dir, d.name, 'index.js')))
    .map((d) => path.join(dir, d.name))
}

export async function run(argv: string[]): Promise<void> {
  const root = projectRoot()
  const args = parseArgs(argv, root)
  if (args.reset) fs.rmSync(args.data, { recursive: true, force: true })
  const firstStart = !fs.existsSync(path.join(args.data, 'cloudbase.sqlite'))
  // Functions, collections, indexes and rules come from the deploy's plan (scripts/deploy), the
  // same plan the cloud deploy carries out: local and cloud cannot drift.
  const lcb = new LocalCloudBase({
    dataDir: args.data,
    port: args.port,
    workerScript: path.join(__dirname, 'worker.js'),
    consoleHtml: fs.readFileSync(path.join(root, 'local-cloudbase/console.html'), 'utf8'),
    verbose: args.verbose,
  })
  if (args.clock) lcb.clock.set(Date.parse(args.clock))
  await lcb.start()
  const deployed = await deployLocal(lcb, root)
  console.log(`Deployed: ${deployed.applied} operations from the plan in ${deployed.ms} ms`)
  const seedScript = path.join(root, '.build/seed.js')
  if (firstStart && args.seed && fs.existsSync(seedScript)) {
    const { seed } = require(seedScript) as { seed: (tcbApiUrl: string) => Promise<string> }
    console.log(await seed(lcb.tcbApiUrl))
  }
  console.log(`TCB API: ${lcb.tcbApiUrl}`)
  console.log(`Gateway: ${lcb.gatewayUrl}`)
  console.log(`Console: ${lcb.consoleUrl}`)
  console.log(`Data: ${path.join(args.data, 'cloudbase.sqlite')} (reset with: npm start -- --reset)`)
  let stopping = false
  const stop = (): void => {
    if (stopping) return
    stopping = true
    console.log('Local CloudBase: stopping…')
    void lcb.stop().then(() => process.exit(0))
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

if (require.main === module) {
  run(process.argv.slice(2)).catch((err: unknown) => {
    console.error(`Local CloudBase failed to start: ${(err as Error).message}`)
    process.exit(1)
  })
}
