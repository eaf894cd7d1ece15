import { config } from '../config'
import { ApiCallError, demoOpenid } from './api'

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

export function uploadPhoto(localPath: string, index: number): Promise<string> {
  const ext = /\.(\w+)$/.exec(localPath)?.[1] ?? 'jpg'
  return uploader(localPath, `cases/${Date.now().toString(36)}-${index}.${ext}`)
}
