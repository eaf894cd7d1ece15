/**
 * 公示栏 (A3) and 明白卡 (A6) as PDF: the Chinese text is extracted back with pdfjs-dist (in a
 * plain node process: pdfjs is an ES module) and compared with the station's data.
 */
import { spawnSync } from 'node:child_process'
import * as path from 'node:path'
import type { LocalCloudBase } from '../../../local-cloudbase/server'
import type { Actions } from '../../../typings/api'
import { DEMO_OPENIDS, call, ok, startApi } from '../../helpers/api'

let lcb: LocalCloudBase
const STATION = 'st-qingshan-hongyan'
const ROOT = path.resolve(__dirname, '../../..')

beforeAll(async () => {
  lcb = await startApi()
}, 30_000)
afterAll(() => lcb.stop())

/** Each page's text and size, read back by pdfjs-dist. */
function readPdf(bytes: Buffer): { pages: { text: string; width: number; height: number }[] } {
  const script = `
    import * as pdfjs from ${JSON.stringify(path.join(ROOT, 'node_modules/pdfjs-dist/legacy/build/pdf.mjs'))}
    const chunks = []
    for await (const c of process.stdin) chunks.push(c)
    const doc = await pdfjs.getDocument({ data: new Uint8Array(Buffer.concat(chunks)) }).promise
    const pages = []
    for (let i = 1; i <= doc.numPages; i++) {
      const page = await doc.getPage(i)
      const [, , width, height] = page.view
      const tc = await page.getTextContent()
      pages.push({ text: tc.items.map((t) => t.str).join(''), width, height })
    }
    console.log(JSON.stringify({ pages }))`
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { input: bytes, cwd: ROOT })
  if (r.status !== 0) throw new Error(String(r.stderr))
  return JSON.parse(String(r.stdout)) as ReturnType<typeof readPdf>
}

async function fetchBytes(url: string): Promise<Buffer> {
  return Buffer.from(await (await fetch(encodeURI(url))).arrayBuffer())
}

describe('printable public materials', () => {
  it('renders the A3 一栏表 with the station’s items, hotlines and duty in Chinese', async () => {
    const t0 = Date.now()
    const r = await call<Actions['admin.print']['out']>(
      lcb,
      'admin.print',
      { stationId: STATION, kind: 'board' },
      DEMO_OPENIDS.villageHead,
    )
    if (!r.ok) throw new Error(JSON.stringify(r.error))
    const pdf = readPdf(await fetchBytes(r.data.url))
    expect(pdf.pages.length).toBe(r.data.pages)
    // A3 portrait: 297 × 420 mm.
    expect(Math.round((pdf.pages[0]!.width * 25.4) / 72)).toBe(297)
    expect(Math.round((pdf.pages[0]!.height * 25.4) / 72)).toBe(420)
    const text = pdf.pages.map((p) => p.text).join('\n')
    const station = await ok<{ name: string; hotline: string }>(lcb, 'stations.get', { id: STATION })
    expect(text).toContain(`${station.name} 代理事项一栏表`)
    expect(text).toContain(`服务热线：${station.hotline}`)
    const { supervisionHotline } = await ok<{ supervisionHotline: string }>(lcb, 'catalog.get', {
      id: 'it-MZ-003',
    })
    expect(text).toContain(`监督电话：${supervisionHotline}`)
    expect(text).toContain('王兰')
    const items = await ok<{ list: { name: string }[]; total: number }>(lcb, 'catalog.list', {
      stationId: STATION,
      pageSize: 50,
    })
    for (const i of items.list.slice(0, 10)) expect(text).toContain(i.name)
    // The font is embedded as a subset: a multi-page table stays small.
    expect(r.data.bytes).toBeLessThan(400_000)
    const first = Date.now() - t0
    // The second call finds the font and pdf-lib loaded in the instance.
    const t1 = Date.now()
    await ok(lcb, 'admin.print', { stationId: STATION, kind: 'board' }, DEMO_OPENIDS.villageHead)
    console.log(
      `公示栏: ${r.data.pages} pages, ${r.data.bytes} bytes, ${r.dbCalls} db calls; first call ${first} ms, next ${Date.now() - t1} ms`,
    )
  })

  it('renders the A6 明白卡 with the station’s QR code', async () => {
    const card = await ok<Actions['admin.print']['out']>(
      lcb,
      'admin.print',
      { stationId: STATION, kind: 'card' },
      DEMO_OPENIDS.admin,
    )
    const pdf = readPdf(await fetchBytes(card.url))
    expect(pdf.pages).toHaveLength(1)
    expect(Math.round((pdf.pages[0]!.width * 25.4) / 72)).toBe(105)
    expect(pdf.pages[0]!.text).toContain('为民服务代理 明白卡')
    expect(pdf.pages[0]!.text).toContain('微信扫码')
    console.log(`明白卡: ${card.bytes} bytes`)
  })

  it('keeps a head to their own station', async () => {
    expect(
      await call(
        lcb,
        'admin.print',
        { stationId: 'st-qingshan-shimen', kind: 'card' },
        DEMO_OPENIDS.villageHead,
      ),
    ).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
  })
})
