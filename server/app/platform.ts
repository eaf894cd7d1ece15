import type cloud from 'wx-server-sdk'
import type { Platform } from '../kit/context'
import { unavailable } from '../lib/errors'

/** WeChat open APIs and cloud storage through wx-server-sdk. */
export function wxPlatform(sdk: typeof cloud): Platform {
  return {
    async qrcode(scene, page) {
      const res = (await sdk.openapi.wxacode.getUnlimited({ scene, page, checkPath: false, width: 430 })) as {
        buffer: Buffer
      }
      return res.buffer
    },
    async upload(cloudPath, bytes) {
      const res = await sdk.uploadFile({ cloudPath, fileContent: bytes })
      return res.fileID
    },
    async download(fileId) {
      const res = await sdk.downloadFile({ fileID: fileId })
      return res.fileContent as Buffer
    },
    async textCheck(content, openid) {
      let res: { result?: { suggest?: string } }
      try {
        res = (await sdk.openapi.security.msgSecCheck({
          content,
          version: 2,
          scene: 1,
          openid,
        })) as typeof res
      } catch (err) {
        // Nothing is stored unchecked: a failed check (errcode -1 system busy, a timeout) asks
        // the user to try again instead of answering INTERNAL or letting the text through.
        console.error('[platform] msgSecCheck failed', err)
        throw unavailable('内容检查暂时不可用，请稍后再提交')
      }
      const suggest = res.result?.suggest
      return suggest === 'risky' || suggest === 'review' ? suggest : 'pass'
    },
    async sendSubscribe(msg) {
      try {
        const res = (await sdk.openapi.subscribeMessage.send({ ...msg, miniprogramState: 'formal' })) as {
          errCode: number
          errMsg: string
        }
        return { errCode: res.errCode ?? 0, errMsg: res.errMsg ?? 'ok' }
      } catch (err) {
        const e = err as { errCode?: number; errMsg?: string; message?: string }
        return { errCode: e.errCode ?? -1, errMsg: e.errMsg ?? e.message ?? 'send failed' }
      }
    },
    async tempUrl(fileId) {
      const res = (await sdk.getTempFileURL({ fileList: [fileId] })) as {
        fileList: { tempFileURL: string }[]
      }
      return res.fileList[0]?.tempFileURL ?? ''
    },
    async tempUrls(fileIds) {
      if (!fileIds.length) return []
      const res = (await sdk.getTempFileURL({ fileList: fileIds.slice(0, 50) })) as {
        fileList: { fileID: string; tempFileURL: string }[]
      }
      const byId = new Map(res.fileList.map((f) => [f.fileID, f.tempFileURL ?? '']))
      return fileIds.map((id) => byId.get(id) ?? '')
    },
  }
}
