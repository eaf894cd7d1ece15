/**
 * npm run deploy -- [--plan] [--prune] [--templates FILE] [--district DIR|demo] [--font FILE] [--write-rc]
 *
 * Deploys to the cloud environment named by ENV_ID with the Tencent Cloud API keys in the
 * environment or .env. `--plan` prints every operation and changes nothing; without keys it
 * lists what it can know offline (everything, against an empty environment).
 */
import * as path from 'node:path'
import { deploy, DeployError, InputError, type Target } from './index'
import { cloudCredentials, readEnv } from './env'
import { rcDrift, writeRc } from './rc'
import { findPrintFont } from './project'

function root(): string {
  return path.resolve(__dirname, '..')
}

export async function main(argv: string[], repo = root()): Promise<number> {
  const args = { plan: false, prune: false, templates: '', district: '', font: '', writeRc: false }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const next = () => {
      const v = argv[++i]
      if (!v) throw new InputError(`${a} 需要一个值`)
      return v
    }
    if (a === '--plan') args.plan = true
    else if (a === '--prune') args.prune = true
    else if (a === '--templates') args.templates = next()
    else if (a === '--district') args.district = next()
    else if (a === '--font') args.font = next()
    else if (a === '--write-rc') args.writeRc = true
    else if (a === '--help' || a === '-h') {
      console.log(
        'usage: npm run deploy -- [--plan] [--prune] [--templates FILE] [--district DIR|demo] [--font FILE] [--write-rc]',
      )
      return 0
    } else throw new InputError(`未知参数 ${a}（npm run deploy -- --help）`)
  }
  if (args.writeRc) {
    writeRc(repo)
    console.log('cloudbaserc.json 已按各函数 config.json 重新生成')
    return 0
  }
  const drift = rcDrift(repo)
  if (drift.length)
    throw new InputError(
      `cloudbaserc.json 与函数的 config.json 不一致（npm run deploy -- --write-rc）：\n  ${drift.join('\n  ')}`,
    )
  const env = readEnv(repo)
  const creds = cloudCredentials(env)
  let target: Target
  if ('missing' in creds) {
    if (!args.plan)
      throw new InputError(
        `缺少部署所需的设置（写在环境变量或 .env 中，见 .env.example）：\n  ${creds.missing.join('\n  ')}`,
      )
    target = { kind: 'offline' }
  } else target = { kind: 'cloud', cloud: { ...creds, root: repo } }
  const templatesFile = args.templates || env.TEMPLATES_FILE || ''
  const fontFile = findPrintFont(args.font ? path.resolve(args.font) : undefined, env)
  await deploy(target, {
    root: repo,
    planOnly: args.plan,
    prune: args.prune,
    ...(templatesFile ? { templatesFile: path.resolve(repo, templatesFile) } : {}),
    ...(fontFile ? { fontFile } : {}),
    ...(args.district
      ? { districtDir: args.district === 'demo' ? 'demo' : path.resolve(args.district) }
      : {}),
  })
  if (target.kind === 'cloud' && !args.plan)
    console.log('\n部署完成。再运行 npm run deploy -- --plan 应显示无操作；运行 npm run doctor 检查环境。')
  return 0
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      const known = err instanceof InputError || err instanceof DeployError
      console.error(`\n部署未完成：${(err as Error).message}`)
      if (!known) console.error(err)
      console.error('已完成的操作不会重复；修正后再次运行 npm run deploy 即从未完成处继续。')
      process.exit(1)
    },
  )
}
