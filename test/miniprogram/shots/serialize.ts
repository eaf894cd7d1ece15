/**
 * Turns a page rendered by miniprogram-simulate (j-component/exparser in jsdom) into one
 * standalone HTML file that Chromium can draw at phone size. Used by `npm run shots` only.
 *
 * What the phone draws natively (status bar, navigation bar, tab bar, toast, modal) is not in the
 * DOM: it is approximated here from the page's JSON and the wx calls the page made.
 */
import * as fs from 'node:fs'
import { createRequire } from 'node:module'
import * as path from 'node:path'
import type { Page } from '../helpers'
import { MINIPROGRAM_ROOT } from '../helpers'

const ROOT = path.resolve(MINIPROGRAM_ROOT, '..')
const nodeRequire = createRequire(__filename)

interface Rule {
  selectors: string[]
}
// simulate's own postcss 7 (a dependency of the harness, not of the project).
const postcss = nodeRequire(
  nodeRequire.resolve('postcss', { paths: [nodeRequire.resolve('miniprogram-simulate')] }),
) as {
  (plugins: unknown[]): { process(css: string, o: object): { css: string } }
  plugin(name: string, f: () => (root: { walkRules(f: (r: Rule) => void): void }) => void): unknown
}

/** WeChat's built-in elements as j-component names them, with the defaults the phone gives them. */
const BASE_CSS = `
html,body{margin:0;padding:0}
body{width:375px;min-height:100vh;-webkit-font-smoothing:antialiased;
  font-family:-apple-system,'PingFang SC','WenQuanYi Micro Hei',sans-serif;font-size:16px;line-height:1.4}
wx-view,wx-scroll-view,wx-swiper,wx-swiper-item,wx-form,wx-radio-group,wx-checkbox-group,wx-rich-text,wx-navigator,wx-label,wx-block{display:block}
wx-text,wx-label{display:inline}
wx-label{display:inline}
wx-scroll-view{overflow:hidden}
wx-image{display:inline-block;position:relative;width:320px;height:240px;overflow:hidden;background:#eee}
wx-image>img{width:100%;height:100%;display:block}
wx-button{position:relative;display:block;margin-left:auto;margin-right:auto;padding-left:14px;padding-right:14px;
  box-sizing:border-box;font-size:18px;text-align:center;text-decoration:none;line-height:2.55555556;
  border-radius:5px;color:#000;background-color:#f8f8f8;overflow:hidden;border:1px solid rgba(0,0,0,.2)}
wx-button[plain]{background:transparent}
wx-input,wx-textarea{display:block;min-height:1.4em;overflow:hidden;white-space:nowrap;text-overflow:ellipsis}
wx-textarea{white-space:pre-wrap;min-height:3em;height:auto!important}
wx-canvas{display:block;background:repeating-linear-gradient(45deg,#f2f3f5,#f2f3f5 8px,#fff 8px,#fff 16px);
  min-height:120px;position:relative}
wx-canvas::after{content:'图表（canvas，截图中不绘制）';position:absolute;left:0;right:0;top:45%;text-align:center;color:#646566;font-size:12px}
wx-picker{display:block}
wx-switch{display:inline-block}
.shot-nav{position:sticky;top:0;z-index:9000;height:88px;box-sizing:border-box;padding-top:44px;text-align:center;font-size:17px;font-weight:600}
.shot-nav .cap{position:absolute;right:7px;top:48px;width:87px;height:32px;border-radius:16px;border:1px solid rgba(255,255,255,.35);box-sizing:border-box;background:rgba(0,0,0,.15)}
.shot-nav .cap.dark{border-color:rgba(0,0,0,.12);background:rgba(255,255,255,.6)}
.shot-nav .t{line-height:44px}
.shot-nav .back{position:absolute;left:12px;top:44px;line-height:44px;font-size:22px}
.shot-status{position:absolute;text-align:left;left:0;right:0;top:0;height:44px;font-size:14px;font-weight:600;line-height:44px;padding:0 24px}
.shot-status .r{float:right}
.shot-tabbar{position:fixed;left:0;right:0;bottom:0;height:84px;background:#fff;border-top:1px solid #e5e5e5;display:flex;z-index:9000}
.shot-tabbar div{flex:1;text-align:center;padding-top:8px;font-size:12px}
.shot-tabbar i{display:block;margin:0 auto 4px;width:24px;height:24px;border-radius:6px;background:currentColor;opacity:.35}
.shot-tabbar .on i{opacity:1}
.shot-tabpad{height:84px}
.shot-toast{position:fixed;left:50%;top:45%;transform:translate(-50%,-50%);max-width:70%;padding:12px 18px;border-radius:8px;
  background:rgba(17,17,17,.75);color:#fff;font-size:15px;text-align:center;z-index:9999}
.shot-mask{position:fixed;inset:0;background:rgba(0,0,0,.6);z-index:9998}
.shot-modal{position:fixed;left:50%;top:50%;transform:translate(-50%,-50%);width:300px;background:#fff;border-radius:12px;z-index:9999;overflow:hidden;text-align:center}
.shot-modal .mt{font-weight:600;font-size:17px;padding:28px 24px 8px}
.shot-modal .mc{color:#555;font-size:16px;padding:0 24px 24px;white-space:pre-wrap}
.shot-modal .mb{display:flex;border-top:1px solid #eee}
.shot-modal .mb div{flex:1;line-height:56px;font-size:17px;font-weight:600}
.shot-modal .mb div+div{border-left:1px solid #eee}
`

const ELEMENTS =
  'view|text|image|button|input|textarea|scroll-view|swiper|swiper-item|navigator|icon|picker|label|form|switch|canvas|rich-text|block'
const ELEMENT_RE = new RegExp(`(^|[\\s>+~,(])(${ELEMENTS})(?=$|[\\s.:#\\[>+~,)])`, 'g')

/** 1rpx is 0.5px on a phone 375 px wide. */
export function rpxToPx(css: string): string {
  return css.replace(/(-?\d*\.?\d+)rpx/gi, (_, n: string) => `${+(Number(n) / 2).toFixed(2)}px`)
}

/** Element selectors of WXSS (`view`, `page`) to the names the rendered DOM uses. */
function mapSelectors(css: string): string {
  const plugin = postcss.plugin(
    'wx-elements',
    () => (root) =>
      root.walkRules((rule) => {
        rule.selectors = rule.selectors.map((s) =>
          s.replace(/(^|[\s>+~,])page(?=$|[\s.:#[>+~,])/g, '$1body').replace(ELEMENT_RE, '$1wx-$2'),
        )
      }),
  )
  return postcss([plugin]).process(css, { from: undefined }).css
}

let iconFontCss: string | undefined
/** Vant's icon font from the @vant/icons package (the CDN in Vant's WXSS is out of reach). */
function iconFont(): string {
  if (iconFontCss) return iconFontCss
  const less = fs.readFileSync(nodeRequire.resolve('@vant/icons/src/encode-woff2.less'), 'utf8')
  const data = /url\('(data:font\/woff2[^']+)'\)/.exec(less)?.[1]
  if (!data) throw new Error('@vant/icons: no embedded woff2 font found')
  iconFontCss = `@font-face{font-family:'vant-icon';font-style:normal;font-weight:400;font-display:block;src:url('${data}') format('woff2')}`
  return iconFontCss
}

let appCss: string | undefined
function appWxss(): string {
  if (appCss === undefined) {
    const wxss = require('miniprogram-simulate/src/wxss') as { compile(css: string, o: object): string }
    const raw = fs.readFileSync(path.join(MINIPROGRAM_ROOT, 'app.wxss'), 'utf8')
    // app.wxss applies to pages: their classes carry simulate's page prefix ("main").
    appCss = mapSelectors(rpxToPx(wxss.compile(raw, { prefix: 'main' })))
  }
  return appCss
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
const attr = (s: string) => esc(s).replace(/"/g, '&quot;')
const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)

interface WxNode {
  _vt?: { attrs?: { name: string; value: unknown }[] }
}
function wxAttrs(el: Element): Record<string, unknown> {
  const node = (el as unknown as { __wxElement?: WxNode }).__wxElement
  const out: Record<string, unknown> = {}
  for (const a of node?._vt?.attrs ?? []) out[kebab(a.name)] = a.value
  return out
}

/** Prefixed class names of a built-in element's own class attribute, as simulate wrote them. */
function classAttr(el: Element): string {
  return el.getAttribute('class') ?? ''
}

function serializeNode(node: Node): string {
  if (node.nodeType === 3) return esc(node.textContent ?? '')
  if (node.nodeType !== 1) return ''
  const el = node as Element
  const tag = el.tagName.toLowerCase()
  if (el.hasAttribute('hidden') || tag === 'wx-wxs') return ''
  const keep = [...el.attributes]
    .filter((a) => a.name === 'class' || a.name === 'style' || a.name.startsWith('data-'))
    .map((a) => ` ${a.name}="${attr(a.value)}"`)
    .join('')
  const children = () => [...el.childNodes].map(serializeNode).join('')
  if (tag === 'wx-input' || tag === 'wx-textarea') {
    const a = wxAttrs(el)
    const value = String(a.value ?? '')
    const cls = classAttr(el)
    // placeholder-class names a class of the same component: reuse the input's prefix.
    const prefix = /([\w-]+)--/.exec(cls)?.[1]
    const ph = a['placeholder-class'] ? `${prefix ? `${prefix}--` : ''}${String(a['placeholder-class'])}` : ''
    const inner = value
      ? esc(a.password ? '•'.repeat(value.length) : value)
      : a.placeholder
        ? `<span class="${attr(ph)}" style="color:#808080;${attr(String(a['placeholder-style'] ?? ''))}">${esc(String(a.placeholder))}</span>`
        : ''
    // The rule for the placeholder class sets its colour; the inline grey only stands in for the
    // phone's default when the page gives none (a class rule is overridden by it, so drop it then).
    return `<${tag}${keep}>${ph ? inner.replace('color:#808080;', '') : inner}</${tag}>`
  }
  if (tag === 'wx-image') {
    const src = String(wxAttrs(el).src ?? '')
    const fit =
      { aspectFill: 'cover', aspectFit: 'contain', widthFix: 'cover' }[String(wxAttrs(el).mode)] ?? 'fill'
    const img = /^(https?:|data:)/.test(src) ? `<img src="${attr(src)}" style="object-fit:${fit}">` : ''
    return `<wx-image${keep}>${img}</wx-image>`
  }
  // A chart (supervise/charts/chart) carries its uCharts options: drawn below with the same library.
  if (tag === 'wx-canvas' && el.getAttribute('data-chart')) return `<canvas${keep}></canvas>`
  if (tag === 'wx-button' && wxAttrs(el).plain) return `<wx-button plain${keep}>${children()}</wx-button>`
  return `<${tag}${keep}>${children()}</${tag}>`
}

/** The navigation bar the phone draws above the page. */
export interface Chrome {
  title: string
  /** A page reached by navigateTo shows the back arrow. */
  back: boolean
  /** One of the tab bar's pages ("pages/home/index"), or none. */
  tab?: string
  toast?: string
  modal?: {
    title?: string
    content?: string
    showCancel?: boolean
    confirmText?: string
    cancelText?: string
  }
  navColor: string
  navText: 'white' | 'black'
}

const TABS = [
  ['pages/home/index', '首页'],
  ['pages/catalog/index', '办事'],
  ['pages/mine/index', '我的'],
] as const

function chromeHtml(c: Chrome): { top: string; bottom: string } {
  const fg = c.navText === 'white' ? '#fff' : '#000'
  const top =
    `<div class="shot-nav" style="background:${c.navColor};color:${fg}">` +
    `<div class="shot-status"><span>9:41</span><span class="r">● ▂▄▆ 100%</span></div>` +
    (c.back ? '<span class="back">‹</span>' : '') +
    `<div class="t">${esc(c.title)}</div><div class="cap${c.navText === 'white' ? '' : ' dark'}"></div></div>`
  let bottom = ''
  if (c.tab) {
    bottom +=
      '<div class="shot-tabpad"></div><div class="shot-tabbar">' +
      TABS.map(
        ([p, t]) =>
          `<div class="${p === c.tab ? 'on' : ''}" style="color:${p === c.tab ? '#c8161d' : '#646566'}"><i></i>${t}</div>`,
      ).join('') +
      '</div>'
  }
  if (c.modal) {
    const m = c.modal
    bottom +=
      '<div class="shot-mask"></div><div class="shot-modal">' +
      (m.title ? `<div class="mt">${esc(m.title)}</div>` : '') +
      `<div class="mc">${esc(m.content ?? '')}</div><div class="mb">` +
      (m.showCancel === false ? '' : `<div style="color:#000">${esc(m.cancelText ?? '取消')}</div>`) +
      `<div style="color:#576b95">${esc(m.confirmText ?? '确定')}</div></div></div>`
  } else if (c.toast) {
    bottom += `<div class="shot-toast">${esc(c.toast)}</div>`
  }
  return { top, bottom }
}

/** The page as one HTML document: its styles (page, components, app), its DOM, the phone's chrome. */
export function pageHtml(page: Page, componentId: string, chrome: Chrome): string {
  const style = document.querySelector(`style#${componentId}`)?.innerHTML ?? ''
  const css = iconFont() + BASE_CSS + appWxss() + mapSelectors(rpxToPx(style))
  const { top, bottom } = chromeHtml(chrome)
  const body = serializeNode(page.dom!)
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=375">
<style>${css}</style></head><body>${top}${body}${bottom}${body.includes('data-chart=') ? CHARTS_SCRIPT : ''}</body></html>`
}

/**
 * Draws each chart with uCharts (the copy the mini-program ships, scripts/build.js) on an HTML
 * canvas, the way supervise/charts/chart draws it on the phone's 2d canvas: the screenshots show the
 * real charts, not a placeholder.
 */
const CHARTS_SCRIPT = `<script>var module = { exports: {} };</script>
<script src="file://${path.join(ROOT, 'miniprogram/supervise/charts/u-charts.js')}"></script>
<script>(function () {
  var UCharts = module.exports;
  document.querySelectorAll('canvas[data-chart]').forEach(function (c) {
    var o = JSON.parse(c.getAttribute('data-chart'));
    if (!o.type) return;
    delete o.summary;
    var r = window.devicePixelRatio || 1, w = c.clientWidth, h = c.clientHeight;
    c.width = w * r; c.height = h * r;
    new UCharts(Object.assign(o, { context: c.getContext('2d'), width: w * r, height: h * r,
      pixelRatio: r, animation: false, background: '#FFFFFF' }));
  });
})();</script>`

/** simulate converts 1rpx to 1px (a 750 px wide screen); a phone 375 px wide has 0.5px. */
export function useHalfPixelRpx(): void {
  const half = (s: string) => rpxToPx(s)
  ;(require('miniprogram-simulate/src/utils') as { transformRpx(s: string): string }).transformRpx = (s) => s
  ;(require('j-component/src/tool/utils') as { transformRpx(s: string): string }).transformRpx = half
}

export { ROOT }
