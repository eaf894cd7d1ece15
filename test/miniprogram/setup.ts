import * as fs from 'node:fs'
import * as path from 'node:path'
// Defines the global `wx` that the storage stand-in below extends.
import 'miniprogram-simulate'

// The component library is packed by `npm run build`; fail with a clear hint instead of a
// confusing "invalid componentPath" from simulate.
const vant = path.resolve(__dirname, '../../miniprogram/miniprogram_npm/@vant/weapp/button/index.json')
if (!fs.existsSync(vant)) {
  throw new Error('miniprogram_npm is missing: run `npm run build` first')
}

// The phone's local storage: simulate's is a no-op, pages remember settings in it.
const storage = new Map<string, unknown>()
const w = wx as unknown as Record<string, unknown>
w.setStorageSync = (k: string, v: unknown) => void storage.set(k, v)
w.getStorageSync = (k: string) => (storage.has(k) ? storage.get(k) : '')
w.removeStorageSync = (k: string) => void storage.delete(k)
w.clearStorageSync = () => storage.clear()
