/** Settings from the environment, then .env / .env.local (never committed; see .env.example). */
import * as fs from 'node:fs'
import * as path from 'node:path'

export function readEnv(root: string, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {}
  for (const name of ['.env', '.env.local']) {
    const file = path.join(root, name)
    if (!fs.existsSync(file)) continue
    for (const line of fs.readFileSync(file, 'utf8').split(/\r?\n/)) {
      const m = /^\s*([A-Za-z_][\w]*)\s*=\s*(.*?)\s*$/.exec(line)
      if (!m || line.trimStart().startsWith('#')) continue
      out[m[1]!] = m[2]!.replace(/^(['"])(.*)\1$/, '$2')
    }
  }
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') out[k] = v
  return out
}

/** The cloud credentials, or what is missing (named, with where to find it). */
export function cloudCredentials(
  e: Record<string, string>,
): { envId: string; secretId: string; secretKey: string } | { missing: string[] } {
  const missing: string[] = []
  if (!e.ENV_ID) missing.push('ENV_ID（云开发环境 ID：微信开发者工具 → 云开发 → 设置）')
  if (!e.TENCENTCLOUD_SECRETID) missing.push('TENCENTCLOUD_SECRETID（腾讯云 访问管理 → API 密钥管理）')
  if (!e.TENCENTCLOUD_SECRETKEY) missing.push('TENCENTCLOUD_SECRETKEY')
  if (e.ENV_ID && !/^[a-z][a-z0-9-]{3,40}$/.test(e.ENV_ID))
    missing.push(`ENV_ID「${e.ENV_ID}」格式不对：应形如 weimin-3g7x9k2a1b2c3d4e`)
  if (missing.length) return { missing }
  return { envId: e.ENV_ID!, secretId: e.TENCENTCLOUD_SECRETID!, secretKey: e.TENCENTCLOUD_SECRETKEY! }
}
