/// <reference lib="dom" />
import * as fs from 'node:fs'
import * as path from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import type { LocalCloudBase } from '../../local-cloudbase/server'
import { ROOT, callGateway, nodeSdk, startLocalCloudBase } from '../helpers/local-cloudbase'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
let lcb: LocalCloudBase
let browser: Browser
let page: Page

beforeAll(async () => {
  lcb = await startLocalCloudBase({
    functions: [path.join(ROOT, 'test/fixtures/functions/probe')],
    definition: { collections: { probe: {}, stations: {} } },
    consoleHtml: fs.readFileSync(path.join(ROOT, 'local-cloudbase/console.html'), 'utf8'),
  })
  lcb.clock.set(Date.parse('2026-12-01T08:00:00+08:00'))
  const db = nodeSdk(lcb).database()
  await db.collection('stations').add(Array.from({ length: 25 }, (_, i) => ({ name: `服务室${i + 1}` })))
  await callGateway(lcb, 'probe', { op: 'log' }, 'o-console')
  await callGateway(lcb, 'probe', { op: 'openapi', text: '你好' }, 'o-console')
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  })
  page = await browser.newPage()
  await page.goto(lcb.consoleUrl)
})
afterAll(async () => {
  await browser?.close()
  await lcb?.stop()
})

describe('Local CloudBase console in a real browser', () => {
  it('pages through a collection', async () => {
    await page.getByText('stations', { exact: false }).click()
    await page.waitForFunction(() =>
      document.querySelector('#doc-summary')?.textContent?.includes('共 25 条，第 1–20 条'),
    )
    expect(await page.locator('#docs tbody tr').count()).toBe(20)
    await page.click('#next')
    await page.waitForFunction(() =>
      document.querySelector('#doc-summary')?.textContent?.includes('第 21–25 条'),
    )
    expect(await page.locator('#docs tbody tr').count()).toBe(5)
  })

  it('queries with a JSON where and a sort, edits, adds and deletes documents', async () => {
    await page.getByRole('tab', { name: '数据库' }).click()
    await page.getByText('stations', { exact: false }).first().click()
    await page.fill('#where', '{"name": {"$regex": "^服务室1"}}')
    await page.fill('#sort-field', 'name')
    await page.selectOption('#sort-dir', '-1')
    await page.click('#query-form button[type=submit]')
    // 服务室1, 10–19: eleven, highest name first.
    await page.waitForFunction(() =>
      document.querySelector('#doc-summary')?.textContent?.includes('共 11 条'),
    )
    expect(await page.locator('#docs tbody tr').first().textContent()).toContain('服务室19')
    expect(await page.locator('#docs thead').textContent()).toContain('name')

    await page.locator('#docs tbody tr').first().getByRole('button', { name: '编辑' }).click()
    const edited = JSON.parse(await page.inputValue('#doc-editor')) as Record<string, unknown>
    await page.fill('#doc-editor', JSON.stringify({ ...edited, note: '已核对' }))
    await page.click('#save-doc')
    await page.waitForFunction(() => document.querySelector('#docs tbody')?.textContent?.includes('已核对'))

    await page.click('#new-doc')
    await page.fill(
      '#doc-editor',
      '{"_id": "st-new", "name": "服务室1新", "opened": {"$date": "2026-12-01T00:00:00Z"}}',
    )
    await page.click('#save-doc')
    await page.waitForFunction(() =>
      document.querySelector('#doc-summary')?.textContent?.includes('共 12 条'),
    )
    const added = lcb.store.get('stations', 'st-new')!.doc
    expect(added.opened).toBeInstanceOf(Date)

    page.once('dialog', (d) => void d.accept())
    await page.locator('#docs tbody tr', { hasText: 'st-new' }).getByRole('button', { name: '删除' }).click()
    await page.waitForFunction(() =>
      document.querySelector('#doc-summary')?.textContent?.includes('共 11 条'),
    )
    expect(lcb.store.get('stations', 'st-new')).toBeNull()

    await page.fill('#where', '{"name": {"$frob": 1}}')
    await page.click('#query-form button[type=submit]')
    await page.waitForFunction(() => !!document.querySelector('#query-error')?.textContent)
  })

  it('exports the whole database to a file and imports it back', async () => {
    const exported = await page.evaluate(() => fetch('/console/api/export').then((r) => r.text()))
    await nodeSdk(lcb).database().collection('stations').where({ name: '服务室1' }).remove()
    expect(lcb.store.count('stations')).toBe(24)
    await page.setInputFiles('#import-file', {
      name: 'repro.json',
      mimeType: 'application/json',
      buffer: Buffer.from(exported),
    })
    await page.waitForFunction(() =>
      document.querySelector('#import-result')?.textContent?.includes('已导入'),
    )
    expect(lcb.store.count('stations')).toBe(25)
    expect(
      lcb.store.get('stations', [...lcb.store.find('stations', { note: '已核对' })][0]!.doc._id)?.doc.note,
    ).toBe('已核对')
    // A write from another web page is refused.
    const foreign = await fetch(`${lcb.url}/console/api/import`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://evil.example' },
      body: exported,
    })
    expect(foreign.status).toBe(403)
  })

  it('shows open-API calls and invocations with logs and durations', async () => {
    await page.getByRole('tab', { name: '消息与开放接口' }).click()
    await page.waitForSelector('#outbox-rows tr')
    expect(await page.locator('#outbox-rows').textContent()).toContain('subscribeMessage.send')
    await page.getByRole('tab', { name: '函数调用' }).click()
    await page.waitForSelector('#invocation-rows tr')
    const text = await page.locator('#invocation-rows').textContent()
    expect(text).toContain('hello from o-console')
    expect(text).toMatch(/\d+(\.\d+)? ms/)
    // Filters: by outcome and by text in the logs.
    await page.fill('#inv-q', 'no such text anywhere')
    await page.click('#inv-filter button[type=submit]')
    await page.waitForFunction(() => document.querySelectorAll('#invocation-rows tr').length === 0)
    await page.fill('#inv-q', 'hello from')
    await page.click('#inv-filter button[type=submit]')
    await page.waitForFunction(() => document.querySelectorAll('#invocation-rows tr').length === 1)
    await page.fill('#inv-q', '')
  })

  it('moves the clock and runs a timer now', async () => {
    await page.getByRole('tab', { name: '时钟' }).click()
    await page.fill('#clock-set', '2026-12-02T08:59:00+08:00')
    await page.click('#clock-set-btn')
    await page.waitForFunction(() =>
      document.querySelector('#clock-now')?.textContent?.includes('2026-12-02T00:59'),
    )
    expect(lcb.clock.now()).toBeGreaterThanOrEqual(Date.parse('2026-12-02T08:59:00+08:00'))

    await lcb.scheduler.idle()
    const runsBefore = lcb.scheduler.list()[0]!.runs
    await page.getByRole('tab', { name: '定时触发器' }).click()
    const row = page.locator('#timer-rows tr', { hasText: 'morning' })
    expect(await row.textContent()).toContain('2026/12/2 09:00:00')
    await row.getByRole('button', { name: '立即运行' }).click()
    await page.waitForFunction(() => !document.querySelector('#timer-rows button')?.hasAttribute('disabled'))
    await lcb.scheduler.idle()
    expect(lcb.scheduler.list()[0]!.runs).toBe(runsBefore + 1)
    await page.screenshot({ path: path.join(ROOT, '.build/console.png'), fullPage: true })
  })
})
