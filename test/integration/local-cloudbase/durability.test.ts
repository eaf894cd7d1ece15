import { spawn } from 'node:child_process'
import * as path from 'node:path'
import tcb from '@cloudbase/node-sdk'
import { Store } from '../../../local-cloudbase/db/store'
import { ROOT, nodeSdk, startLocalCloudBase, tempDir } from '../../helpers/local-cloudbase'

describe('durability', () => {
  it('keeps data across a restart', async () => {
    const dataDir = tempDir()
    const first = await startLocalCloudBase({ dataDir })
    await nodeSdk(first)
      .database()
      .collection('stations')
      .add({ _id: 'st-1', code: 'QS', name: '青山镇为民服务站' })
    await first.stop()
    const second = await startLocalCloudBase({ dataDir })
    const got = await nodeSdk(second).database().collection('stations').doc('st-1').get()
    expect(got.data[0]).toMatchObject({ name: '青山镇为民服务站' })
    // The unique index survived too.
    await expect(nodeSdk(second).database().collection('stations').add({ code: 'QS' })).rejects.toMatchObject(
      {
        code: 'DATABASE_REQUEST_FAILED',
      },
    )
    await second.stop()
  })

  it('every acknowledged write survives kill -9 during writes', async () => {
    const dataDir = tempDir()
    const child = spawn(
      process.execPath,
      [path.join(ROOT, '.build/local-cloudbase/main.js'), '--port', '0', '--data', dataDir, '--no-seed'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    )
    const tcbUrl = await new Promise<string>((resolve, reject) => {
      let out = ''
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString()
        const m = /TCB API: (\S+)/.exec(out)
        if (m) resolve(m[1]!)
      })
      child.once('exit', (code) => reject(new Error(`Local CloudBase exited early (${code})`)))
    })
    const db = tcb
      .init({ env: 'local', secretId: 'x', secretKey: 'y', serviceUrl: tcbUrl, timeout: 3000 })
      .database()
    const acked: string[] = []
    let stop = false
    const writer = async (w: number) => {
      for (let i = 0; !stop; i++) {
        try {
          const id = `w${w}-${i}`
          await db.collection('stations').add({ _id: id, code: id, payload: 'x'.repeat(200) })
          acked.push(id)
        } catch {
          return
        }
      }
    }
    const writers = [0, 1, 2, 3].map(writer)
    await new Promise((r) => setTimeout(r, 700))
    child.kill('SIGKILL')
    stop = true
    await Promise.all(writers)
    await new Promise((r) => child.once('exit', r))
    expect(acked.length).toBeGreaterThan(20)

    const store = new Store(path.join(dataDir, 'cloudbase.sqlite'))
    const missing = acked.filter((id) => !store.get('stations', id))
    store.close()
    expect(missing).toEqual([])
  })
})
