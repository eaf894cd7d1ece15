// @ts-check
/**
 * `npm run shots`: every page of the mini-program in its key states as PNG at phone size.
 *   1. build (functions, Local CloudBase, miniprogram_npm);
 *   2. render each page with the real backend to HTML (test/miniprogram/shots/render.shots.ts);
 *   3. draw each HTML with Chromium at 375 × 812, device scale 2: the first screen and the full
 *      length, plus shots/index.html to look at them all.
 * SHOTS_ONLY=<regexp> limits step 2 to matching shot names. Output: shots/ (git-ignored).
 */
const fs = require('node:fs')
const path = require('node:path')
const { spawnSync } = require('node:child_process')
const { main: build } = require('./build')

const ROOT = path.resolve(__dirname, '..')
const OUT = path.join(ROOT, 'shots')
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium'

/** @typedef {{ name: string, group: string, page: string, note: string, elderly: boolean, state: string, as: string }} Entry */

async function draw() {
  const { chromium } = require('playwright-core')
  /** @type {Entry[]} */
  const manifest = JSON.parse(fs.readFileSync(path.join(OUT, 'html/manifest.json'), 'utf8'))
  fs.mkdirSync(path.join(OUT, 'png'), { recursive: true })
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--font-render-hinting=none'] })
  try {
    const context = await browser.newContext({ viewport: { width: 375, height: 812 }, deviceScaleFactor: 2 })
    const page = await context.newPage()
    for (const e of manifest) {
      await page.goto(`file://${path.join(OUT, 'html', `${e.name}.html`)}`)
      await page.evaluate('document.fonts.ready')
      await page.screenshot({ path: path.join(OUT, 'png', `${e.name}.png`) })
      await page.screenshot({ path: path.join(OUT, 'png', `${e.name}.full.png`), fullPage: true })
    }
  } finally {
    await browser.close()
  }
  fs.writeFileSync(path.join(OUT, 'index.html'), gallery(manifest))
  console.log(`${manifest.length} pages drawn: ${path.join(OUT, 'index.html')}`)
}

/** @param {string} s */
const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;')

/** @param {Entry[]} manifest */
function gallery(manifest) {
  const groups = [...new Set(manifest.map((e) => e.group))]
  const card = (/** @type {Entry} */ e) =>
    `<figure><a href="png/${e.name}.full.png"><img loading="lazy" src="png/${e.name}.png" alt="${esc(e.name)}"></a>` +
    `<figcaption><b>${esc(e.note)}</b><br>${esc(e.name)} · ${e.elderly ? '长辈模式' : '标准'} · ${esc(e.state)} · ${esc(e.as)}` +
    `<br><a href="html/${e.name}.html">HTML</a></figcaption></figure>`
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>页面截图</title><style>
body{font-family:sans-serif;margin:24px;background:#f2f3f5;color:#222}
.grid{display:flex;flex-wrap:wrap;gap:16px}
figure{margin:0;width:200px;background:#fff;padding:8px;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.1)}
figure img{width:100%;display:block;border:1px solid #ddd}
figcaption{font-size:12px;margin-top:6px;line-height:1.5;word-break:break-all}
.note{max-width:760px;background:#fffbe8;border:1px solid #f0d78c;padding:12px 16px;border-radius:8px;font-size:14px;line-height:1.6}
</style></head><body><h1>为民服务代理 · 页面截图</h1>
<div class="note">每页用真实后端（Local CloudBase、真实 api 云函数、按时钟造出的一个月办件历史）渲染，
375 × 812 @2x，Chromium 绘制。点缩略图看整页长图。<br>
<b>截图画不出的东西：</b>状态栏、导航栏（含胶囊）、底部标签栏、toast 和 modal 是手机原生绘制的，这里是近似画法；
picker、canvas（图表）、地图、视频等原生组件不绘制；字体用文泉驿微米黑代替苹方，字形、字宽与手机略有不同。
</div>
${groups
  .map(
    (g) =>
      `<h2>${esc(g)}</h2><div class="grid">${manifest
        .filter((e) => e.group === g)
        .map(card)
        .join('')}</div>`,
  )
  .join('')}
</body></html>`
}

async function main() {
  if (!process.argv.includes('--draw-only')) {
    await build()
    const jest = spawnSync(
      process.execPath,
      [require.resolve('jest/bin/jest'), '-c', path.join(__dirname, 'shots.jest.config.js')],
      { cwd: ROOT, stdio: 'inherit', env: { ...process.env, TZ: 'Asia/Shanghai' } },
    )
    if (jest.status !== 0) throw new Error('rendering the pages failed')
  }
  await draw()
}

main().catch((/** @type {Error} */ err) => {
  console.error(err.message)
  process.exit(1)
})
