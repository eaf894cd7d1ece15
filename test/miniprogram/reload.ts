import type { Transport } from '../../miniprogram/services/api'
import { settle, textOf, type Page } from './helpers'

/** A transport whose network can be cut: while `off`, every call fails as a phone offline does. */
export function cuttable(real: Transport): { transport: Transport; off: boolean } {
  const net: { transport: Transport; off: boolean } = {
    off: false,
    transport: ((fn, event) =>
      net.off ? Promise.reject(new Error('offline')) : real(fn, event)) as Transport,
  }
  return net
}

const OFFLINE = '网络不给力，请检查网络后重试'

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await settle(20)
  expect(check()).toBe(true)
}

/**
 * The shared load cycle (behaviors/page-load) as a user meets it on one page: a first load that
 * fails says why with 重新加载, and the tap shows the page; a pull-down refresh that fails says why
 * and keeps what was shown. `shown` tells whether the page's content is on screen. A page that
 * does not offer pull-down (an editor, where it would drop unsaved edits) is refreshed by 重新加载.
 */
export async function expectLoadCycle(
  net: { off: boolean },
  open: () => Promise<Page>,
  shown: (page: Page) => boolean,
  { pull = true } = {},
): Promise<Page> {
  net.off = true
  let page: Page
  try {
    page = await open()
    expect(textOf(page, '.retry')).toBe('重新加载')
    expect(page.dom!.textContent).toContain(OFFLINE)
    expect(shown(page)).toBe(false)
  } finally {
    net.off = false
  }
  page.querySelector('.retry')!.dispatchEvent('click')
  await until(() => shown(page) && !page.querySelector('.retry'))
  expect(page.dom!.textContent).not.toContain(OFFLINE)

  const stop = jest.fn()
  ;(wx as unknown as Record<string, unknown>).stopPullDownRefresh = stop
  const inst = page.instance as unknown as Record<'onPullDownRefresh' | 'reload', () => Promise<void>>
  net.off = true
  try {
    await (pull ? inst.onPullDownRefresh() : inst.reload())
  } finally {
    net.off = false
  }
  if (pull) expect(stop).toHaveBeenCalled()
  expect(textOf(page, '.retry')).toBe('重新加载')
  expect(page.dom!.textContent).toContain(OFFLINE)
  expect(shown(page)).toBe(true)
  return page
}
