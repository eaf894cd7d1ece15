import { createHash } from 'node:crypto'
import { z } from './validate'

/**
 * Uploaded materials live under an owner-scoped path that the client builds from the prefix
 * the server gives it (`me.profile` → `uploadDir`):
 *
 *   cases/<owner key>/<batch>/<random>.<ext>
 *
 * The owner key is a hash of the uploader's openid (the openid itself never appears in a path);
 * the batch is the request id of the form the photos belong to (the case does not exist yet);
 * the random part keeps two uploads of the same millisecond apart. The storage rule lets only
 * the owner read and write their own folder; staff see materials through temporary URLs the
 * function issues after an access check.
 */
export function ownerKey(openid: string): string {
  return createHash('sha256').update(`weimin-upload:${openid}`).digest('hex').slice(0, 20)
}

export function uploadDirOf(openid: string): string {
  return `cases/${ownerKey(openid)}`
}

const FILE_ID_MAX = 256

/** A cloud file id the caller uploaded under their own folder. */
export function ownFileId(openid: string): z.ZodType<string> {
  const key = ownerKey(openid)
  const pattern = new RegExp(
    `^cloud://[\\w.-]{1,120}/cases/${key}/[\\w-]{1,64}/[\\w-]{8,64}\\.(jpg|jpeg|png|webp|heic|gif)$`,
    'i',
  )
  return z
    .string({ error: '附件格式不正确' })
    .max(FILE_ID_MAX, '附件格式不正确')
    .regex(pattern, '附件不是您本人上传的照片，请重新上传')
}

/** Up to `max` distinct own photos. */
export function ownAttachments(openid: string, max = 9) {
  return z
    .array(ownFileId(openid))
    .max(max, `最多上传 ${max} 张照片`)
    .refine((a) => new Set(a).size === a.length, '同一张照片上传了两次')
    .default([])
}
