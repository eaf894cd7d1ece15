import * as fs from 'node:fs'
import * as path from 'node:path'

// The component library is packed by `npm run build`; fail with a clear hint instead of a
// confusing "invalid componentPath" from simulate.
const vant = path.resolve(__dirname, '../../miniprogram/miniprogram_npm/@vant/weapp/button/index.json')
if (!fs.existsSync(vant)) {
  throw new Error('miniprogram_npm is missing: run `npm run build` first')
}
