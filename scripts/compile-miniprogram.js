// @ts-check
/**
 * The official WeChat compiler as a check. Compiles the mini-program offline with
 * miniprogram-ci's getCompiledResult (dummy private key, local project attributes so no
 * account call is needed), fails with the compiler's own message on any WXML/JSON/script
 * error, and prints the compiled size of the main package and each subpackage against the
 * platform's 2 MB caps.
 */
const fs = require('node:fs')
const path = require('node:path')
const ci = require('miniprogram-ci')

const root = path.resolve(__dirname, '..')
const MB = 1024 * 1024
const PACKAGE_CAP = 2 * MB
const TOTAL_CAP = 20 * MB

async function main() {
  const projectConfig = JSON.parse(fs.readFileSync(path.join(root, 'project.config.json'), 'utf8'))
  const appJson = JSON.parse(fs.readFileSync(path.join(root, 'miniprogram/app.json'), 'utf8'))
  const project = new ci.Project({
    appid: projectConfig.appid === 'touristappid' ? 'wx0000000000000000' : projectConfig.appid,
    type: 'miniProgram',
    projectPath: root,
    privateKey: 'dummy',
    ignores: ['node_modules/**/*', 'cloudfunctions/**/*', 'local-cloudbase/**/*', 'test/**/*', '.build/**/*'],
    // Offline: answer the project-attribute request locally instead of asking WeChat's servers.
    // @ts-expect-error -- attr is accepted at runtime; the published typings omit it.
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
  const t0 = Date.now()
  let files
  try {
    files = await ci.getCompiledResult({
      project,
      version: '0.0.0',
      setting: { es6: true, es7: true, minify: true, autoPrefixWXSS: true },
      onProgressUpdate: () => {},
    })
  } catch (err) {
    console.error('miniprogram-ci compile FAILED:')
    console.error(err && /** @type {any} */ (err).message ? /** @type {any} */ (err).message : err)
    process.exit(1)
  }
  const subRoots = (appJson.subpackages || appJson.subPackages || []).map((/** @type {{root:string}} */ s) =>
    s.root.replace(/\/?$/, '/'),
  )
  /** @type {Record<string, number>} */
  const sizes = { main: 0 }
  for (const r of subRoots) sizes[r] = 0
  let total = 0
  for (const [file, content] of Object.entries(files)) {
    const size = Buffer.byteLength(content)
    total += size
    const rel = file.replace(/^\/+/, '')
    const sub = subRoots.find((/** @type {string} */ r) => rel.startsWith(r))
    const key = sub || 'main'
    sizes[key] = (sizes[key] ?? 0) + size
  }
  let failed = false
  console.log(`miniprogram-ci: compiled ${Object.keys(files).length} files in ${Date.now() - t0} ms`)
  for (const [name, size] of Object.entries(sizes)) {
    const cap = PACKAGE_CAP
    const over = size > cap
    failed ||= over
    console.log(
      `  ${name === 'main' ? 'main package' : `subpackage ${name}`}: ${(size / 1024).toFixed(1)} KB / ${cap / 1024} KB${over ? '  OVER CAP' : ''}`,
    )
  }
  console.log(`  total: ${(total / 1024).toFixed(1)} KB / ${TOTAL_CAP / 1024} KB`)
  // miniprogram-ci leaves its compiler worker process running: exit explicitly.
  process.exit(failed || total > TOTAL_CAP ? 1 : 0)
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
