import type { Material } from '../../../typings/domain'
import { ApiCallError, errorText, newRequestId } from '../../services/api'
import { submitCase } from '../../services/cases'
import { fetchItem } from '../../services/catalog'
import { uploadPhoto } from '../../services/files'
import { askForNotices, prepareNotices } from '../../services/notify'
import { isElderlyMode } from '../../services/settings'
import { myStationId } from '../../services/stations'
import { MATERIAL_FORM_LABELS } from '../../utils/vocabulary'

const FORM_LABELS = MATERIAL_FORM_LABELS

/** 申请代理: a short form; one request id per visit so a double tap never files twice. */
Component({
  data: {
    itemId: '',
    itemName: '',
    homeVisit: false,
    materials: [] as (Material & { formLabel: string })[],
    form: { applicantName: '', applicantPhone: '', description: '', visit: 'station' as 'station' | 'home' },
    errors: {} as Record<string, string>,
    photos: [] as { url: string; fileID: string }[],
    uploading: false,
    submitting: false,
    error: '',
    requestId: '',
    elderly: false,
  },
  methods: {
    async onLoad(query: Record<string, string | undefined>) {
      const itemId = decodeURIComponent(query.itemId ?? '')
      this.setData({ itemId, requestId: newRequestId(), elderly: isElderlyMode() })
      void prepareNotices('apply')
      try {
        const item = await fetchItem(itemId, myStationId() || undefined)
        this.setData({
          itemName: item.name,
          homeVisit: item.homeVisit,
          materials: item.materials.map((m) => ({ ...m, formLabel: FORM_LABELS[m.form] })),
        })
      } catch (err) {
        this.setData({ error: errorText(err, '加载失败，请返回重试') })
      }
    },
    onInput(e: WechatMiniprogram.CustomEvent) {
      const field = String(e.currentTarget.dataset.field)
      this.setData({ [`form.${field}`]: e.detail, [`errors.${field}`]: '' })
    },
    onVisit(e: { detail: 'station' | 'home' }) {
      this.setData({ 'form.visit': e.detail })
    },
    async onPhoto(e: WechatMiniprogram.CustomEvent) {
      const files = ([] as { url: string }[]).concat(e.detail.file as { url: string })
      this.setData({ uploading: true, error: '' })
      try {
        for (const f of files) {
          const fileID = await uploadPhoto(f.url, this.data.requestId)
          this.setData({ photos: this.data.photos.concat({ url: f.url, fileID }) })
        }
      } catch (err) {
        this.setData({ error: errorText(err, '照片上传失败，请重试') })
      } finally {
        this.setData({ uploading: false })
      }
    },
    onDeletePhoto(e: WechatMiniprogram.CustomEvent) {
      const index = Number(e.detail.index)
      this.setData({ photos: this.data.photos.filter((_, i) => i !== index) })
    },
    async onSubmit() {
      if (this.data.submitting) return
      const stationId = myStationId()
      if (!stationId) {
        this.setData({ error: '请先在首页选择您所在的服务室' })
        return
      }
      // Guard before any await: a second tap must not file a second time.
      this.setData({ submitting: true, error: '' })
      // Ask for the progress notices on the tap, as the platform requires; refusing is fine.
      await askForNotices('apply')
      try {
        const c = await submitCase(
          {
            itemId: this.data.itemId,
            stationId,
            ...this.data.form,
            attachments: this.data.photos.map((p) => p.fileID),
          },
          this.data.requestId,
        )
        await wx.redirectTo({ url: `/pages/case/index?id=${encodeURIComponent(c.id)}&new=1` })
      } catch (err) {
        const e = err as ApiCallError
        this.setData({ error: e.message ?? '提交失败，请重试', errors: e.fields ?? {} })
      } finally {
        this.setData({ submitting: false })
      }
    },
  },
})
