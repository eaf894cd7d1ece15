import * as path from 'node:path'
import simulate from 'miniprogram-simulate'

export const MINIPROGRAM_ROOT = path.resolve(__dirname, '../../miniprogram')

/** Loads a component or page by its path inside the mini-program ("components/x/index"). */
export function loadComponent(rel: string): string {
  return simulate.load(path.join(MINIPROGRAM_ROOT, rel), { rootPath: MINIPROGRAM_ROOT, less: false })
}

/** Lets setData and promise callbacks settle. */
export async function settle(ms = 0): Promise<void> {
  await new Promise((r) => setTimeout(r, ms))
  await simulate.sleep(0)
}

export type Page = ReturnType<typeof simulate.render>

/** Renders a page, attaches it and runs its onLoad with the query, as navigation would. */
export async function openPage(id: string, query: Record<string, string> = {}): Promise<Page> {
  const page = simulate.render(id)
  page.attach(document.createElement('parent-wrapper'))
  await (page.instance as unknown as { onLoad(q: Record<string, string>): Promise<void> }).onLoad(query)
  return page
}

export const textOf = (page: Page, sel: string): string => page.querySelector(sel)?.dom?.textContent ?? ''
