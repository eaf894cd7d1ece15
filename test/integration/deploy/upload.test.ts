/** npm run upload / preview, offline parts: the settings it needs and the production build it stages. */
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { changelogDesc, productionConfig, stage, uploadSettings } from '../../../scripts/upload'
import { ROOT, tempDir } from '../../helpers/local-cloudbase'

const KEY = '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n'

function keyFile(text = KEY): string {
  const f = path.join(tempDir('key-'), 'private.key')
  fs.writeFileSync(f, text)
  return f
}

describe('npm run upload settings', () => {
  it('refuses without the key, AppID and env id, naming each and where to get it', () => {
    expect(() => uploadSettings(ROOT, {})).toThrow(
      /MP_APPID[\s\S]*ENV_ID[\s\S]*MP_PRIVATE_KEY_PATH（代码上传密钥文件/,
    )
  })

  it('refuses a key path that does not exist and a file that is not a key', () => {
    const env = { MP_APPID: 'wx0123456789abcdef', ENV_ID: 'weimin-1a2b3c' }
    expect(() => uploadSettings(ROOT, { ...env, MP_PRIVATE_KEY_PATH: '/nonexistent/private.key' })).toThrow(
      /MP_PRIVATE_KEY_PATH 指向的文件不存在：\/nonexistent\/private\.key/,
    )
    expect(() => uploadSettings(ROOT, { ...env, MP_PRIVATE_KEY_PATH: keyFile('hello') })).toThrow(
      /代码上传密钥格式不对/,
    )
    expect(() =>
      uploadSettings(ROOT, { ...env, MP_APPID: 'touristappid', MP_PRIVATE_KEY_PATH: keyFile() }),
    ).toThrow(/MP_APPID「touristappid」格式不对/)
  })

  it('takes version from package.json and the description from the CHANGELOG', () => {
    const s = uploadSettings(ROOT, {
      MP_APPID: 'wx0123456789abcdef',
      ENV_ID: 'weimin-1a2b3c',
      MP_PRIVATE_KEY_PATH: keyFile(),
    })
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }
    expect(s.version).toBe(pkg.version)
    expect(s.desc).toBe(changelogDesc(ROOT, pkg.version))
    expect(s.desc.startsWith(`v${pkg.version} `)).toBe(true)
    expect(s.desc.length).toBeLessThanOrEqual(100)
    expect(s.robot).toBe(1)
  })

  it('stages the production build: real AppID, cloud transport, the environment', () => {
    const s = uploadSettings(ROOT, {
      MP_APPID: 'wx0123456789abcdef',
      ENV_ID: 'weimin-1a2b3c',
      MP_PRIVATE_KEY_PATH: keyFile(),
    })
    const out = stage(ROOT, s, tempDir('upload-'))
    const project = JSON.parse(fs.readFileSync(path.join(out, 'project.config.json'), 'utf8'))
    expect(project.appid).toBe('wx0123456789abcdef')
    expect(project.cloudfunctionRoot).toBeUndefined()
    expect(project.setting.urlCheck).toBe(true)
    const cfg = fs.readFileSync(path.join(out, 'miniprogram/config.ts'), 'utf8')
    expect(cfg).toMatch(/transport: 'cloud'/)
    expect(cfg).toMatch(/cloudEnv: 'weimin-1a2b3c'/)
    expect(fs.existsSync(path.join(out, 'miniprogram/app.json'))).toBe(true)
    expect(fs.existsSync(path.join(out, 'typings/api.ts'))).toBe(true)
    // The repository keeps the local settings.
    expect(fs.readFileSync(path.join(ROOT, 'miniprogram/config.ts'), 'utf8')).toMatch(/transport: 'local'/)
  })

  it('fails loudly when config.ts no longer has the settings it rewrites', () => {
    expect(() => productionConfig("export const config = { transport: 'cloud' }", 'e')).toThrow(
      /找不到 transport: 'local'/,
    )
  })
})

describe('the staged production build', () => {
  it('compiles with the official compiler, with the cloud transport and the environment in it', async () => {
    const s = uploadSettings(ROOT, {
      MP_APPID: 'wx0123456789abcdef',
      ENV_ID: 'weimin-1a2b3c',
      MP_PRIVATE_KEY_PATH: keyFile(),
    })
    const out = stage(ROOT, s, tempDir('upload-'))
    const ci = require('miniprogram-ci') as typeof import('miniprogram-ci')
    const project = new ci.Project({
      appid: s.appid,
      type: 'miniProgram',
      projectPath: out,
      privateKey: 'dummy',
      ignores: ['node_modules/**/*'],
      // Offline: the project attributes answered locally (as scripts/compile-miniprogram.js does).
      // @ts-expect-error -- accepted at runtime; the published typings omit it.
      attr: async () => ({
        platform: false,
        appType: 0,
        isSandbox: false,
        released: false,
        setting: { MaxCodeSize: 2, MaxSubpackageSubCodeSize: 2, MaxSubpackageFullCodeSize: 20 },
        gameApp: false,
        canUploadAppTest: true,
      }),
    })
    const files = (await ci.getCompiledResult({
      project,
      version: s.version,
      setting: { es6: true, es7: true, minify: true, autoPrefixWXSS: true },
      onProgressUpdate: () => {},
    })) as Record<string, string | Buffer>
    expect(String(files['config.js'])).toMatch(/transport:"cloud",cloudEnv:"weimin-1a2b3c"/)
    expect(String(files['app.js'])).toMatch(/cloud\.init/)
  }, 120_000)

  afterAll(() => {
    // miniprogram-ci leaves its compiler worker (summerEntryProcess) running in this process,
    // which would keep jest from exiting (scripts/compile-miniprogram.js exits for the same
    // reason). Only our own children are stopped.
    let out = ''
    try {
      out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' })
    } catch {
      return // no children
    }
    for (const line of out.split('\n'))
      if (line.includes('summerEntryProcess')) process.kill(Number(line.trim().split(/\s+/)[0]))
  })
})
