import { config } from '../config'
import { ApiCallError, callApi, demoOpenid } from './api'

/** Uploads a photo of a material and returns its cloud file ID. */
export type Uploader = (localPath: string, cloudPath: string) => Promise<string>

const cloudUploader: Uploader = async (filePath, cloudPath) => {
  const res = await wx.cloud.uploadFile({ cloudPath, filePath })
  return res.fileID
}

const localUploader: Uploader = (filePath, cloudPath) =>
  new Promise((resolve, reject) => {
    wx.uploadFile({
      url: `${config.gatewayUrl}/storage?path=${encodeURIComponent(cloudPath)}`,
      filePath,
      name: 'file',
      header: { 'X-WX-OPENID': demoOpenid() },
      success: (res) => {
        try {
          resolve((JSON.parse(res.data) as { fileID: string }).fileID)
        } catch {
          reject(new ApiCallError('NETWORK', '照片上传失败，请重试'))
        }
      },
      fail: () => reject(new ApiCallError('NETWORK', '照片上传失败，请检查网络后重试')),
    })
  })

let uploader: Uploader = config.transport === 'cloud' ? cloudUploader : localUploader

export function useUploader(u: Uploader): void {
  uploader = u
}

/** The user's own upload folder, asked of the server once per identity (it hashes the openid). */
let uploadDir: { who: string; dir: Promise<string> } | null = null

function myUploadDir(): Promise<string> {
  const who = config.transport === 'local' ? demoOpenid() : 'me'
  if (!uploadDir || uploadDir.who !== who) {
    const dir = callApi('me.profile', {}).then((me) => me.uploadDir)
    // A failed lookup is not cached: the next photo asks again.
    dir.catch(() => {
      if (uploadDir?.dir === dir) uploadDir = null
    })
    uploadDir = { who, dir }
  }
  return uploadDir.dir
}

/** 16 random characters: two photos of the same moment never share a path. */
function randomName(): string {
  let s = ''
  while (s.length < 16) s += Math.random().toString(36).slice(2)
  return s.slice(0, 16)
}

const EXTENSIONS = ['jpg', 'jpeg', 'png', 'webp', 'heic', 'gif']

/**
 * Uploads a photo into `<my folder>/<batch>/<random>.<ext>`, where the batch is the request id
 * of the form it belongs to (the case does not exist yet). The server accepts as attachments
 * only files under the caller's own folder.
 */
export async function uploadPhoto(localPath: string, batch: string): Promise<string> {
  const found = (/\.(\w+)$/.exec(localPath)?.[1] ?? 'jpg').toLowerCase()
  const ext = EXTENSIONS.includes(found) ? found : 'jpg'
  const safeBatch = batch.replace(/[^\w-]/g, '').slice(0, 64) || 'photos'
  return uploader(localPath, `${await myUploadDir()}/${safeBatch}/${randomName()}.${ext}`)
}

/**
 * Uploads a spreadsheet picked from a chat (`wx.chooseMessageFile`) into the admin's own folder
 * and returns its file ID for `admin.import.check` / `admin.import`.
 */
export async function uploadSheet(localPath: string): Promise<string> {
  return uploader(localPath, `${await myUploadDir()}/sheets/${randomName()}.xlsx`)
}

/**
 * Downloads a file from a temporary URL and opens it in WeChat, whose menu forwards or prints it.
 * (downloadFile returns a task, not a promise: its callbacks are wrapped; an error page is never
 * opened as a document.)
 */
export async function openDocumentAt(url: string, fileType: 'xlsx' | 'pdf'): Promise<void> {
  const file = await new Promise<WechatMiniprogram.DownloadFileSuccessCallbackResult>((resolve, reject) =>
    wx.downloadFile({ url, success: resolve, fail: reject }),
  )
  if (file.statusCode !== 200) throw new Error(`download ${file.statusCode}`)
  await wx.openDocument({ filePath: file.tempFilePath, fileType, showMenu: true })
}
