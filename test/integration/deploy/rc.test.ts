import * as fs from 'node:fs'
import * as path from 'node:path'
import { rcDrift, generateRc } from '../../../scripts/deploy/rc'
import { ROOT, tempDir } from '../../helpers/local-cloudbase'

/** A copy of the repository's function configs and cloudbaserc.json to tamper with. */
function copyRoot(): string {
  const dir = tempDir('rc-')
  fs.copyFileSync(path.join(ROOT, 'cloudbaserc.json'), path.join(dir, 'cloudbaserc.json'))
  for (const name of fs.readdirSync(path.join(ROOT, 'cloudfunctions'))) {
    const cfg = path.join(ROOT, 'cloudfunctions', name, 'config.json')
    if (!fs.existsSync(cfg)) continue
    fs.mkdirSync(path.join(dir, 'cloudfunctions', name), { recursive: true })
    fs.copyFileSync(cfg, path.join(dir, 'cloudfunctions', name, 'config.json'))
  }
  return dir
}

describe('cloudbaserc.json', () => {
  it('matches every function config.json (regenerate with npm run deploy -- --write-rc)', () => {
    expect(rcDrift(ROOT)).toEqual([])
  })

  it('pins runtime, timeout, memory and triggers on every function', () => {
    const rc = generateRc(ROOT)
    expect(rc.version).toBe('2.0')
    expect(rc.envId).toBe('{{env.ENV_ID}}')
    for (const f of rc.functions) {
      expect(f.runtime).toMatch(/^Nodejs\d+\.\d+$/)
      expect(f.timeout).toBeGreaterThanOrEqual(1)
      expect(f.timeout).toBeLessThanOrEqual(60)
      expect(f.memorySize).toBeGreaterThanOrEqual(128)
    }
    expect(rc.functions.find((f) => f.name === 'jobs')!.triggers).toEqual([
      { name: 'every10min', type: 'timer', config: '0 */10 * * * * *' },
    ])
  })

  it('reports a config.json change that cloudbaserc.json does not carry', () => {
    const dir = copyRoot()
    const cfg = path.join(dir, 'cloudfunctions/jobs/config.json')
    const c = JSON.parse(fs.readFileSync(cfg, 'utf8'))
    fs.writeFileSync(
      cfg,
      JSON.stringify({ ...c, timeout: 30, triggers: [{ ...c.triggers[0], config: '0 */5 * * * * *' }] }),
    )
    const drift = rcDrift(dir)
    expect(drift.join('\n')).toMatch(/jobs\.timeout/)
    expect(drift.join('\n')).toMatch(/jobs\.triggers/)
  })

  it('reports a function missing from cloudbaserc.json', () => {
    const dir = copyRoot()
    fs.mkdirSync(path.join(dir, 'cloudfunctions/extra'))
    fs.writeFileSync(path.join(dir, 'cloudfunctions/extra/config.json'), '{"timeout": 5}')
    expect(rcDrift(dir)).toEqual([expect.stringMatching(/函数 extra/)])
  })
})
