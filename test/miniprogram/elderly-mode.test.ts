import * as fs from 'node:fs'
import * as path from 'node:path'
import { MINIPROGRAM_ROOT } from './helpers'

/**
 * 长辈模式 on every page, read from the sources: each page's root view carries the `elderly`
 * class, and no page on the shared page-load Behavior defines a lifecycle method of its own that
 * would replace the Behavior's (a page's own onShow once kept the workbench from following a
 * switch of 长辈模式 made on 我的). The behaviour itself is checked page by page in the suites.
 */
const app = JSON.parse(fs.readFileSync(path.join(MINIPROGRAM_ROOT, 'app.json'), 'utf8')) as {
  pages: string[]
  subpackages: { root: string; pages: string[] }[]
}
const pages = [...app.pages, ...app.subpackages.flatMap((s) => s.pages.map((p) => s.root + p))]
const source = (page: string, ext: string) =>
  fs.readFileSync(path.join(MINIPROGRAM_ROOT, `${page}.${ext}`), 'utf8')

describe('长辈模式 on every page', () => {
  it.each(pages)('%s: the root view carries the elderly class', (page) => {
    const root = /^\s*<view\b[^>]*>/.exec(source(page, 'wxml').replace(/<!--[\s\S]*?-->/g, ''))?.[0] ?? ''
    expect(root).toMatch(/class="[^"]*\{\{\s*elderly\s*\?\s*'elderly'/)
  })

  const onBehavior = pages.filter((p) => /behaviors:\s*\[[^\]]*\bpageLoad\b/.test(source(p, 'ts')))
  it('finds the pages on the shared Behavior', () => {
    expect(onBehavior).toEqual(expect.arrayContaining(['work/inbox/index', 'pages/case/index']))
  })
  it.each(onBehavior)('%s: leaves onLoad, onShow and onPullDownRefresh to the Behavior', (page) => {
    const own = [
      ...source(page, 'ts').matchAll(/^\s*(?:async\s+)?(onLoad|onShow|onPullDownRefresh|reload)\s*\(/gm),
    ]
    expect(own.map((m) => m[1])).toEqual([])
  })
})
