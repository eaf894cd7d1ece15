/**
 * 公示栏与明白卡 (print): a station's A3 一栏表 for the notice board and its A6 明白卡, as PDF made
 * from the same data as the mini-program (items, materials, time limits, agents on duty, hotline,
 * supervision hotline, the station's QR code), so paper and screen never disagree.
 *
 * Chinese text: 文泉驿微米黑 (WenQuanYi Micro Hei, Apache-2.0 or GPL-3+ with font exception),
 * embedded as a subset of just the glyphs each document uses (pdf-lib), so a PDF is kilobytes.
 * The 5 MB font is not in the deployed bundle: `npm run deploy` uploads it to cloud storage and
 * records its file id and content hash in settings (`printFont`); an instance downloads it on its
 * first print and keeps it while the record names the same file and hash. `CJK_FONT_PATH`, then Debian's
 * fonts-wqy-microhei, serve where nothing was uploaded (development). pdf-lib is loaded on first
 * use — no other action's cold start pays for either.
 */
import * as fs from 'node:fs'
import type { Actions } from '../../typings/api'
import type { Item } from '../../typings/domain'
import { MATERIAL_FORM_LABELS, shanghaiDay, timeLimitText } from '../../typings/vocabulary'
import { tiersOfferedAt, WEEKDAY_LABELS } from '../domain/network'
import { forbidden, notFound, unavailable } from '../lib/errors'
import { fontFromCollection } from '../lib/ttc'
import { fields, parse, z } from '../lib/validate'
import { requireRole, type Ctx } from '../kit/context'
import type { PDFFont, PDFPage, PDFDocument as PDFDoc } from 'pdf-lib'

const MM = 72 / 25.4
const A3 = [297 * MM, 420 * MM] as const
const A6 = [105 * MM, 148 * MM] as const
const SYSTEM_FONTS = ['/usr/share/fonts/truetype/wqy/wqy-microhei.ttc']
/** Two ideographic spaces between the parts of a line, as printed notices set them. */
const GAP = '\u3000\u3000'

/**
 * The font this instance holds and which one it is: a local path, or the uploaded file with its
 * content hash (a re-deploy writes a new font to the same file id, so the id alone would not do).
 */
let font: { key: string; bytes: Promise<Buffer> } | null = null

/**
 * The CJK font as a single .ttf: an existing `CJK_FONT_PATH`, else the uploaded file the settings
 * name (one read per print, so a re-deployed font is picked up), else the system's.
 */
async function cjkFont(ctx: Ctx): Promise<Buffer> {
  const explicit = process.env.CJK_FONT_PATH
  const local = explicit && fs.existsSync(explicit) ? explicit : ''
  const uploaded = local ? null : await ctx.deps.settings.printFont()
  const from = local || uploaded?.fileId || SYSTEM_FONTS.find((p) => fs.existsSync(p)) || ''
  if (!from)
    throw unavailable('打印字体尚未部署，暂时不能打印：请运维人员运行 npm run deploy 上传字体（见部署指南）')
  const key = from === uploaded?.fileId ? `${from}#${uploaded.sha}` : from
  if (font?.key !== key) {
    const bytes = (async () =>
      fontFromCollection(
        from === uploaded?.fileId ? await ctx.deps.platform.download(from) : fs.readFileSync(from),
      ))()
    font = { key, bytes }
    bytes.catch(() => {
      if (font?.bytes === bytes) font = null
    })
  }
  try {
    return await font!.bytes
  } catch (err) {
    console.error('[print] font unavailable', from, err)
    throw unavailable('打印字体读取失败，请稍后再试；如果一直失败，请运维人员重新运行 npm run deploy')
  }
}

async function pdfLib() {
  const [lib, fontkit] = await Promise.all([import('pdf-lib'), import('@pdf-lib/fontkit')])
  const fk = (fontkit as unknown as { default?: unknown }).default ?? fontkit
  return { lib, fontkit: fk as Parameters<PDFDoc['registerFontkit']>[0] }
}

/** Text broken into lines no wider than `width` (Chinese breaks anywhere; no hyphenation). */
function wrap(font: PDFFont, text: string, size: number, width: number): string[] {
  const lines: string[] = []
  for (const para of text.split('\n')) {
    let line = ''
    for (const ch of para) {
      if (font.widthOfTextAtSize(line + ch, size) > width && line) {
        lines.push(line)
        line = ch
      } else line += ch
    }
    lines.push(line)
  }
  return lines
}

/** A writer that moves down the page and starts a new one when it runs out. */
class Sheet {
  page: PDFPage
  y: number
  constructor(
    private readonly doc: PDFDoc,
    private readonly size: readonly [number, number],
    readonly font: PDFFont,
    readonly margin: number,
  ) {
    this.page = doc.addPage([...size])
    this.y = size[1] - margin
  }
  get width(): number {
    return this.size[0] - 2 * this.margin
  }
  ensure(h: number): void {
    if (this.y - h < this.margin) {
      this.page = this.doc.addPage([...this.size])
      this.y = this.size[1] - this.margin
    }
  }
  text(s: string, size: number, opts: { x?: number; width?: number; gap?: number } = {}): void {
    const x = this.margin + (opts.x ?? 0)
    for (const line of wrap(this.font, s, size, opts.width ?? this.width - (opts.x ?? 0))) {
      this.ensure(size * 1.4)
      this.y -= size * 1.25
      this.page.drawText(line, { x, y: this.y, size, font: this.font })
      this.y -= size * 0.15
    }
    this.y -= opts.gap ?? 0
  }
}

const printInput = z.object({
  stationId: fields.id('服务站'),
  kind: z.enum(['board', 'card'], { error: '请选择公示栏（A3）或明白卡（A6）' }),
})

/** Admins for any station, a head for their own: the station's 公示栏 (A3) or 明白卡 (A6) as PDF. */
export async function printStation(payload: unknown, ctx: Ctx): Promise<Actions['admin.print']['out']> {
  const me = await requireRole(ctx, ['admin', 'head'])
  const p = parse(printInput, payload)
  if (me.role === 'head' && me.stationId !== p.stationId) throw forbidden('站长只能打印本站的公示材料')
  const net = ctx.deps.network
  const station = await net.station(p.stationId)
  if (!station || !station.active) throw notFound('未找到该服务站')
  const [agents, rota, district, font] = await Promise.all([
    net.agentsOfStation(station._id),
    net.rota(station._id),
    ctx.deps.settings.district(),
    cjkFont(ctx),
  ])
  const { lib, fontkit } = await pdfLib()
  const doc = await lib.PDFDocument.create()
  doc.registerFontkit(fontkit)
  doc.setTitle(`${station.name}${p.kind === 'board' ? '代理事项一栏表' : '明白卡'}`)
  const cjk = await doc.embedFont(font, { subset: true })
  const names = new Map(agents.map((a) => [a._id, a.name]))
  const duty = [1, 2, 3, 4, 5, 6, 7]
    .map((d) => ({
      day: WEEKDAY_LABELS[d]!,
      who: (rota?.weekly[String(d)] ?? []).map((id) => names.get(id)).filter(Boolean),
    }))
    .filter((d) => d.who.length)
    .map((d) => `${d.day} ${d.who.join('、')}`)
    .join('；')
  const head = station.headAgentId ? names.get(station.headAgentId) : undefined
  if (p.kind === 'board') {
    const items: Item[] = []
    for (let skip = 0; skip < 1000; skip += 100) {
      const page = await net.items({
        tiers: tiersOfferedAt(station.tier),
        publicOnly: true,
        skip,
        limit: 100,
      })
      items.push(...page.items)
      if (page.items.length < 100) break
    }
    const s = new Sheet(doc, A3, cjk, 18 * MM)
    s.text(`${station.name} 代理事项一栏表`, 30, { gap: 6 })
    s.text(
      `服务热线：${station.hotline}${GAP}监督电话：${district.supervisionHotline}${GAP}办公时间：${station.hours}`,
      13,
    )
    s.text(
      `地址：${station.address}${GAP}负责人：${head ?? '—'}${GAP}代理员：${agents.map((a) => a.name).join('、')}`,
      13,
    )
    s.text(`值班安排：${duty || '—'}`, 13, { gap: 10 })
    const col = [0, 150, 560, 660]
    const row = (cells: string[], size: number) => {
      const widths = [140, 400, 92, s.width - 660]
      const lines = cells.map((c, i) => wrap(cjk, c, size, widths[i]!))
      const h = Math.max(...lines.map((l) => l.length)) * size * 1.4 + 6
      s.ensure(h)
      const top = s.y
      lines.forEach((ls, i) =>
        ls.forEach((line, k) =>
          s.page.drawText(line, {
            x: s.margin + col[i]!,
            y: top - size * 1.25 - k * size * 1.4,
            size,
            font: cjk,
          }),
        ),
      )
      s.y = top - h
      s.page.drawLine({
        start: { x: s.margin, y: s.y + 2 },
        end: { x: s.margin + s.width, y: s.y + 2 },
        thickness: 0.5,
        color: lib.rgb(0.7, 0.7, 0.7),
      })
    }
    row(['事项', '所需材料', '承诺时限', '收费'], 12)
    for (const i of items)
      row(
        [
          `${i.name}（${i.code}）`,
          i.materials.map((m) => `${m.name}（${MATERIAL_FORM_LABELS[m.form]}）×${m.count}`).join('；'),
          timeLimitText(i.promisedDays),
          i.fee || '无偿',
        ],
        11,
      )
    s.text(
      `以上事项均可由代理员全程代办。对服务不满意，请拨打监督电话 ${district.supervisionHotline}。`,
      12,
      { gap: 4 },
    )
    s.text(`制表日期：${shanghaiDay(ctx.now)}（与小程序同一数据生成）`, 10)
  } else {
    const s = new Sheet(doc, A6, cjk, 8 * MM)
    s.text('为民服务代理 明白卡', 16, { gap: 4 })
    s.text(station.name, 13, { gap: 4 })
    s.text(`服务热线：${station.hotline}`, 10)
    s.text(`监督电话：${district.supervisionHotline}`, 10)
    s.text(`办公时间：${station.hours}`, 9)
    s.text(`代理员：${agents.map((a) => a.name).join('、')}`, 9)
    s.text(`值班：${duty || '—'}`, 9, { gap: 4 })
    const scene = `s=${station.code}`
    const png = station.qrFileId
      ? await ctx.deps.platform.download(station.qrFileId)
      : await ctx.deps.platform.qrcode(scene, 'pages/home/index')
    const qr = await doc.embedPng(png)
    const side = 38 * MM
    s.ensure(side + 20)
    s.page.drawImage(qr, { x: s.margin + (s.width - side) / 2, y: s.y - side, width: side, height: side })
    s.y -= side + 4
    s.text('微信扫码：只进一家门，代理员帮您办', 9)
  }
  const bytes = Buffer.from(await doc.save())
  const stamp = ctx.now.toISOString().replace(/[-:]/g, '').slice(0, 15)
  const fileId = await ctx.deps.platform.upload(`print/${station.code}-${p.kind}-${stamp}.pdf`, bytes)
  return {
    fileId,
    url: await ctx.deps.platform.tempUrl(fileId),
    pages: doc.getPageCount(),
    bytes: bytes.length,
    fileName: `${station.name}${p.kind === 'board' ? '公示栏（A3）' : '明白卡（A6）'}.pdf`,
  }
}
