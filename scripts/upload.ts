/**
 * npm run upload | preview: the mini-program through miniprogram-ci with the 代码上传密钥.
 *
 * The build uploaded is a staged copy (.build/upload/) with the production settings written in:
 * the real AppID in project.config.json and, in miniprogram/config.ts, the cloud transport and
 * the environment id — the repository itself keeps the local ones. Version and description come
 * from package.json and the CHANGELOG. Settings (environment or .env, see .env.example): MP_APPID,
 * MP_PRIVATE_KEY_PATH (or MP_PRIVATE_KEY), ENV_ID, optional MP_ROBOT (1–30).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { readEnv } from './deploy/env'

export class UploadError extends Error {}

export interface UploadSettings {
  appid: string
  envId: string
  privateKey: string
  version: string
  desc: string
  robot: number
}

/** What the upload needs, or an error naming each missing or wrong setting. */
export function uploadSettings(root: string, env: Record<string, string>): UploadSettings {
  const problems: string[] = []
  const appid = env.MP_APPID ?? ''
  if (!appid) problems.push('MP_APPID（小程序 AppID：mp.weixin.qq.com → 开发管理 → 开发设置）')
  else if (!/^wx[0-9a-f]{16}$/.test(appid))
    problems.push(`MP_APPID「${appid}」格式不对：应为 wx 加 16 位十六进制`)
  if (!env.ENV_ID) problems.push('ENV_ID（云开发环境 ID：小程序要连接的环境）')
  let privateKey = env.MP_PRIVATE_KEY ?? ''
  if (!privateKey) {
    const file = env.MP_PRIVATE_KEY_PATH ? path.resolve(root, env.MP_PRIVATE_KEY_PATH) : ''
    if (!file)
      problems.push(
        'MP_PRIVATE_KEY_PATH（代码上传密钥文件：开发管理 → 开发设置 → 小程序代码上传 → 生成密钥，并配置 IP 白名单）',
      )
    else if (!fs.existsSync(file)) problems.push(`MP_PRIVATE_KEY_PATH 指向的文件不存在：${file}`)
    else privateKey = fs.readFileSync(file, 'utf8')
  }
  if (privateKey && !/-----BEGIN (RSA )?PRIVATE KEY-----/.test(privateKey))
    problems.push(
      '代码上传密钥格式不对：应为下载的 private.<appid>.key 文件内容（-----BEGIN RSA PRIVATE KEY-----）',
    )
  const robot = Number(env.MP_ROBOT ?? 1)
  if (!Number.isInteger(robot) || robot < 1 || robot > 30) problems.push('MP_ROBOT 应为 1–30')
  if (problems.length)
    throw new UploadError(
      `无法上传小程序，请设置（环境变量或 .env，见 .env.example）：\n  ${problems.join('\n  ')}`,
    )
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }
  return {
    appid,
    envId: env.ENV_ID!,
    privateKey,
    version: pkg.version,
    desc: changelogDesc(root, pkg.version),
    robot,
  }
}

/** The CHANGELOG section of this version (or Unreleased): its first entry, shortened. */
export function changelogDesc(root: string, version: string): string {
  const text = fs.readFileSync(path.join(root, 'CHANGELOG.md'), 'utf8')
  const sections = text.split(/^## /m).slice(1)
  const section =
    sections.find((s) => s.startsWith(`[${version}]`)) ??
    sections.find((s) => s.startsWith('[Unreleased]')) ??
    ''
  const first = /^- (.+(?:\n {2}.+)*)/m.exec(section)?.[1]?.replace(/\s*\n\s*/g, ' ') ?? ''
  const desc = `v${version} ${first}`.trim()
  return desc.length > 100 ? `${desc.slice(0, 99)}…` : desc
}

/** The production copy of miniprogram/config.ts (cloud transport, the environment id). */
export function productionConfig(source: string, envId: string): string {
  let out = source
  const swap = (re: RegExp, to: string, what: string) => {
    if (!re.test(out))
      throw new UploadError(`miniprogram/config.ts 中找不到 ${what}：上传脚本无法写入正式设置`)
    out = out.replace(re, to)
  }
  swap(/transport:\s*'local'/, "transport: 'cloud'", "transport: 'local'")
  swap(/cloudEnv:\s*'[^']*'/, `cloudEnv: ${JSON.stringify(envId).replace(/"/g, "'")}`, 'cloudEnv')
  return out
}

/** Stages the production build under <root>/.build/upload and returns its project path. */
export function stage(root: string, s: UploadSettings, out = path.join(root, '.build/upload')): string {
  fs.rmSync(out, { recursive: true, force: true })
  fs.mkdirSync(out, { recursive: true })
  fs.cpSync(path.join(root, 'miniprogram'), path.join(out, 'miniprogram'), { recursive: true })
  const cfg = path.join(out, 'miniprogram/config.ts')
  fs.writeFileSync(cfg, productionConfig(fs.readFileSync(cfg, 'utf8'), s.envId))
  const project = JSON.parse(fs.readFileSync(path.join(root, 'project.config.json'), 'utf8')) as Record<
    string,
    unknown
  > & {
    setting: Record<string, unknown>
  }
  // Functions are deployed by npm run deploy, not with the mini-program.
  const { cloudfunctionRoot: _c, ...rest } = project
  fs.writeFileSync(
    path.join(out, 'project.config.json'),
    JSON.stringify(
      { ...rest, appid: s.appid, setting: { ...project.setting, urlCheck: true, minified: true } },
      null,
      2,
    ),
  )
  // The pages import the shared contracts (type-only) from typings/.
  fs.cpSync(path.join(root, 'typings'), path.join(out, 'typings'), { recursive: true })
  fs.copyFileSync(path.join(root, 'tsconfig.json'), path.join(out, 'tsconfig.json'))
  return out
}

export async function main(argv: string[], root = path.resolve(__dirname, '..')): Promise<void> {
  const mode = argv[0] === 'preview' ? 'preview' : 'upload'
  const s = uploadSettings(root, readEnv(root))
  const projectPath = stage(root, s)
  const ci = await import('miniprogram-ci')
  const project = new ci.Project({
    appid: s.appid,
    type: 'miniProgram',
    projectPath,
    privateKey: s.privateKey,
    ignores: ['node_modules/**/*'],
  })
  const setting = { es6: true, es7: true, minify: true, autoPrefixWXSS: true, useProjectConfig: true }
  console.log(
    `${mode === 'upload' ? '上传' : '预览'} ${s.appid} v${s.version}（环境 ${s.envId}，机器人 ${s.robot}）：${s.desc}`,
  )
  if (mode === 'upload') {
    const r = await ci.upload({
      project,
      version: s.version,
      desc: s.desc,
      robot: s.robot,
      setting,
      onProgressUpdate: () => {},
    })
    console.log(
      '上传完成：在 mp.weixin.qq.com → 版本管理 中设为体验版或提交审核。',
      JSON.stringify(r.subPackageInfo ?? []),
    )
  } else {
    const dest = path.join(root, '.build/preview-qrcode.jpg')
    await ci.preview({
      project,
      version: s.version,
      desc: s.desc,
      robot: s.robot,
      setting,
      qrcodeFormat: 'image',
      qrcodeOutputDest: dest,
      onProgressUpdate: () => {},
    })
    console.log(`预览二维码：${dest}`)
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(`\n${err instanceof UploadError ? '' : '上传失败：'}${(err as Error).message}`)
    if (!(err instanceof UploadError) && /\bip\b|whitelist|白名单/i.test((err as Error).message))
      console.error(
        '检查 mp.weixin.qq.com → 开发管理 → 开发设置 → 小程序代码上传 的 IP 白名单（或关闭白名单）',
      )
    process.exit(1)
  })
}
