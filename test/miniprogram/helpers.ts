import * as path from 'node:path'
import simulate from 'miniprogram-simulate'

export const MINIPROGRAM_ROOT = path.resolve(__dirname, '../../miniprogram')

/*
 * Two fixes to the page-test harness, made on the very module instances simulate uses (a test
 * file's modules share one jest registry).
 *
 * (1) simulate runs a component's JS once per page that uses it, and expects the second `require`
 *    to run the file again because it deleted it from `require.cache`. Jest's registry ignores
 *    `require.cache`, so the second page got Vant components that never called Component():
 *    they rendered empty. A file already run is now run again in an isolated registry. Vant's
 *    files and our shared components hold no module state; pages are loaded once per file and
 *    keep theirs (the transport, the demo identity).
 * (2) j-component finds a relation's nodes through one map from component path to id, which keeps
 *    only the last id registered for a path. With (1) each page has its own van-radio and
 *    van-radio-group ids, so every page but the last looked up the wrong group: van-radio found
 *    no van-radio-group (no radio checked, a tap never reached the page). Each component now
 *    looks its relations up by the ids simulate gave them when it registered that copy.
 */
const simulateUtils = require('miniprogram-simulate/src/utils') as { runJs(file: string): void }
const exparser = require('miniprogram-exparser') as {
  Element: { getMethodCaller(node: unknown): unknown }
}

const ran = new Set<string>()
simulateUtils.runJs = (file: string) => {
  if (!ran.has(file)) {
    ran.add(file)
    require(file)
    return
  }
  jest.isolateModules(() => {
    require(file)
  })
}

type Caller = {
  getRelationNodes(key: string): unknown[] | null
  _exparserNode: { getRelationNodes(id: string): unknown[] | null }
}
type Options = { relations?: Record<string, { target?: string }>; behaviors?: unknown[] }
const g = globalThis as unknown as {
  Component(o: Options): void
  Behavior(o: { lifetimes: { created(this: Caller): void } }): unknown
}
const simulateComponent = g.Component
g.Component = (options: Options) => {
  const relations = Object.entries(options.relations ?? {})
  if (!relations.length) return simulateComponent(options)
  const ids = new Map<string, string>()
  const byOwnIds = g.Behavior({
    lifetimes: {
      created() {
        const own = this.getRelationNodes.bind(this)
        const node = this._exparserNode
        this.getRelationNodes = (key) => {
          const id = ids.get(key)
          if (!id) return own(key)
          const nodes = node.getRelationNodes(id)
          return nodes ? nodes.map((n) => exparser.Element.getMethodCaller(n)) : null
        }
      },
    },
  })
  options.behaviors = [byOwnIds, ...(options.behaviors ?? [])]
  simulateComponent(options)
  // simulate has replaced each relation's path by the id of this load's copy (value.target).
  for (const [key, value] of relations) if (value.target) ids.set(key, value.target)
}

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

/**
 * Fixes the phone's clock (pages count days from `Date.now()`) while timers stay real, so the
 * backend's replies and the pages' own waits still run. Undo with `jest.useRealTimers()`.
 */
export function setPhoneClock(now: Date | number | string): void {
  jest.useFakeTimers({
    now: new Date(now),
    doNotFake: [
      'setTimeout',
      'clearTimeout',
      'setInterval',
      'clearInterval',
      'setImmediate',
      'clearImmediate',
      'nextTick',
      'queueMicrotask',
      'hrtime',
      'performance',
      'requestAnimationFrame',
      'cancelAnimationFrame',
      'requestIdleCallback',
      'cancelIdleCallback',
    ],
  })
}
