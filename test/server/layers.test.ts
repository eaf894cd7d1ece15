/**
 * Arrows point one way (ARCHITECTURE.md): each layer imports only the layers below it, there are
 * no import circles, the mini-program imports nothing outside itself at run time (types from
 * typings/ only), and its vocabulary copy is the build's copy of typings/vocabulary.ts. Local
 * CloudBase stands apart from the product: it imports nothing from server/, and its surfaces
 * hang from `route()` in server.ts only.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'

const ROOT = path.resolve(__dirname, '../..')
const build = require('../../scripts/build.js') as { vocabularyCopy(): string; VOCABULARY_COPY: string }

function filesUnder(dir: string): string[] {
  const out: string[] = []
  for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.posix.join(dir, e.name)
    if (e.isDirectory()) {
      if (e.name !== 'miniprogram_npm' && e.name !== 'node_modules') out.push(...filesUnder(rel))
    } else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(rel)
  }
  return out
}

interface Import {
  target: string
  typeOnly: boolean
}

/** Relative imports of a file, resolved to repository paths (`server/kit/context.ts`). */
function importsOf(file: string): Import[] {
  const src = fs.readFileSync(path.join(ROOT, file), 'utf8')
  const out: Import[] = []
  const re = /^(?:import|export)\s+(type\s+)?[^'"]*?from\s+'(\.[^']+)'|import\('(\.[^']+)'\)/gm
  for (const m of src.matchAll(re)) {
    const spec = m[2] ?? m[3]!
    const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec))
    const target = [`${base}.ts`, `${base}/index.ts`, base].find((f) => fs.existsSync(path.join(ROOT, f)))
    out.push({ target: target ?? base, typeOnly: !!m[1] || !!m[3] })
  }
  return out
}

const LAYERS = [
  'typings',
  'server/domain',
  'server/lib',
  'server/repositories',
  'server/kit',
  'server/actions',
]
const layerOf = (f: string) => LAYERS.findIndex((l) => f.startsWith(l + '/'))
/** The layers each one may import (its own included). */
const MAY_IMPORT: Record<string, string[]> = {
  typings: ['typings'],
  'server/domain': ['typings', 'server/domain'],
  'server/lib': ['typings', 'server/domain', 'server/lib'],
  'server/repositories': ['typings', 'server/lib', 'server/domain', 'server/repositories'],
  'server/kit': ['typings', 'server/lib', 'server/domain', 'server/repositories', 'server/kit'],
  'server/actions': [
    'typings',
    'server/lib',
    'server/domain',
    'server/repositories',
    'server/kit',
    'server/actions',
  ],
}

const serverFiles = [...filesUnder('typings'), ...filesUnder('server')]
const emulatorFiles = filesUnder('local-cloudbase')

describe('layers', () => {
  it('each layer imports only the layers below it', () => {
    const wrong: string[] = []
    for (const f of serverFiles) {
      const i = layerOf(f)
      if (i < 0) continue
      const allowed = MAY_IMPORT[LAYERS[i]!]!
      for (const { target } of importsOf(f))
        if (!allowed.some((l) => target.startsWith(l + '/'))) wrong.push(`${f} → ${target}`)
    }
    expect(wrong).toEqual([])
  })

  it('has no import circles among the server, typings and Local CloudBase', () => {
    const files = [...serverFiles, ...emulatorFiles]
    const graph = new Map(files.map((f) => [f, importsOf(f).map((i) => i.target)]))
    const circles: string[] = []
    const state = new Map<string, 'open' | 'done'>()
    const walk = (f: string, trail: string[]) => {
      if (state.get(f) === 'done') return
      if (state.get(f) === 'open') {
        circles.push([...trail.slice(trail.indexOf(f)), f].join(' → '))
        return
      }
      state.set(f, 'open')
      for (const t of graph.get(f) ?? []) walk(t, [...trail, f])
      state.set(f, 'done')
    }
    for (const f of graph.keys()) walk(f, [])
    expect(circles).toEqual([])
  })

  it('Local CloudBase imports nothing from server/; only its launcher (main.ts) reaches outside it', () => {
    const wrong: string[] = []
    for (const f of emulatorFiles)
      for (const { target } of importsOf(f)) {
        if (target.startsWith('local-cloudbase/')) continue
        // `npm start` deploys and seeds the project through scripts/deploy, as a developer would.
        if (f === 'local-cloudbase/main.ts' && target.startsWith('scripts/')) continue
        wrong.push(`${f} → ${target}`)
      }
    expect(wrong).toEqual([])
  })

  it("Local CloudBase's surfaces are reached only through route() in server.ts, and never import it", () => {
    const wrong: string[] = []
    for (const f of emulatorFiles)
      for (const { target } of importsOf(f)) {
        const intoSurfaces =
          target.startsWith('local-cloudbase/surfaces/') && !f.startsWith('local-cloudbase/surfaces/')
        if (intoSurfaces && f !== 'local-cloudbase/server.ts') wrong.push(`${f} → ${target}`)
        if (f.startsWith('local-cloudbase/surfaces/') && target === 'local-cloudbase/server.ts')
          wrong.push(`${f} → ${target}`)
      }
    expect(wrong).toEqual([])
  })

  it('the mini-program imports nothing outside itself at run time, and only types from typings/', () => {
    const wrong: string[] = []
    for (const f of filesUnder('miniprogram'))
      for (const { target, typeOnly } of importsOf(f)) {
        if (target.startsWith('miniprogram/')) continue
        if (!typeOnly || !target.startsWith('typings/')) wrong.push(`${f} → ${target}`)
      }
    expect(wrong).toEqual([])
  })

  it("the mini-program's vocabulary is the build's copy of typings/vocabulary.ts", () => {
    expect(fs.readFileSync(path.join(ROOT, build.VOCABULARY_COPY), 'utf8')).toBe(build.vocabularyCopy())
  })
})
