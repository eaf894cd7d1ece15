/** Real .xlsx files for page tests and shots: written by exceljs in plain node, uploaded as local mode does. */
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as http from 'node:http'
import * as os from 'node:os'
import * as path from 'node:path'

const ROOT = path.resolve(__dirname, '../..')

/** Uploads a local file to the backend's storage as the mini-program's local mode does. */
export function uploadTo(
  gateway: string,
  localPath: string,
  cloudPath: string,
  openid: string,
): Promise<string> {
  const boundary = `----b${Date.now()}`
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.xlsx"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    ),
    fs.readFileSync(localPath),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ])
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${gateway}/storage?path=${encodeURIComponent(cloudPath)}`,
      {
        method: 'POST',
        headers: {
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': body.length,
          'x-wx-openid': openid,
        },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve((JSON.parse(Buffer.concat(chunks).toString()) as { fileID: string }).fileID),
        )
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

/** Writes an .xlsx with exceljs in a plain node process (jsdom is no place for it). */
export function xlsx(rows: string[][], title = '花名册'): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sheet-')), 'roster.xlsx')
  const script = `
    const ExcelJS = require('exceljs')
    const wb = new ExcelJS.Workbook()
    wb.addWorksheet(${JSON.stringify(title)}).addRows(${JSON.stringify(rows)})
    wb.xlsx.writeFile(${JSON.stringify(file)}).then(() => process.exit(0))`
  const r = spawnSync(process.execPath, ['-e', script], { cwd: ROOT })
  if (r.status !== 0) throw new Error(String(r.stderr))
  return file
}
