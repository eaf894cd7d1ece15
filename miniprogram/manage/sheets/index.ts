import { pageLoad } from '../../behaviors/page-load'
import { errorText } from '../../services/api'
import { uploadSheet } from '../../services/files'
import {
  checkImport,
  exportSheet,
  importTemplate,
  openSheet,
  runImport,
  type ImportCheck,
  type SheetKind,
} from '../../services/manage'

const KINDS: { kind: SheetKind; label: string }[] = [
  { kind: 'stations', label: '服务站' },
  { kind: 'items', label: '代理事项' },
  { kind: 'agents', label: '花名册' },
]

/**
 * 表格 (admins): pick an .xlsx from a WeChat chat, see every problem by row and column before
 * anything is written (预检), then import all or nothing — a large file continues by itself with
 * its progress shown. Export and the template open in WeChat, whose menu forwards them to a chat.
 */
Component({
  behaviors: [pageLoad],
  data: {
    kinds: KINDS,
    kind: 'agents' as SheetKind,
    fileId: '',
    fileName: '',
    check: null as ImportCheck | null,
    progress: -1,
    busy: '',
    message: '',
    error: '',
  },
  methods: {
    onKind(e: WechatMiniprogram.CustomEvent) {
      this.setData({
        kind: String(e.detail) as SheetKind,
        fileId: '',
        fileName: '',
        check: null,
        message: '',
      })
    },
    async onPick() {
      this.setData({ error: '', message: '', check: null, progress: -1 })
      let file: WechatMiniprogram.ChooseFile
      try {
        const res = await wx.chooseMessageFile({ count: 1, type: 'file', extension: ['xlsx'] })
        file = res.tempFiles[0]!
      } catch {
        return // cancelled
      }
      if (!/\.xlsx$/i.test(file.name)) {
        this.setData({ error: '请选择 .xlsx 格式的表格（.xls 请先另存为 .xlsx）' })
        return
      }
      if (file.size > 5 * 1024 * 1024) {
        this.setData({ error: '文件过大，最大 5 MB；请分成几个文件导入' })
        return
      }
      this.setData({ busy: 'check', fileName: file.name })
      try {
        const fileId = await uploadSheet(file.path)
        const check = await checkImport(this.data.kind, fileId)
        this.setData({ fileId, check })
      } catch (err) {
        this.setData({ error: errorText(err, '无法检查这个表格，请重试') })
      } finally {
        this.setData({ busy: '' })
      }
    },
    async onImport() {
      const { fileId, kind, check } = this.data
      if (!fileId || !check?.ok || this.data.busy) return
      this.setData({ busy: 'import', error: '', progress: 0 })
      try {
        // An import larger than one call's budget answers `applying`: call again until done.
        for (let i = 0; i < 50; i++) {
          const r = await runImport(kind, fileId)
          this.setData({
            progress: r.imported ? Math.round((r.applied / r.imported) * 100) : 0,
            message: r.message,
          })
          if (r.status === 'done') break
        }
        this.setData({ check: null, fileId: '' })
      } catch (err) {
        this.setData({ error: errorText(err, '导入失败，请重试'), progress: -1 })
      } finally {
        this.setData({ busy: '' })
      }
    },
    async onExport() {
      await this.open('export', () => exportSheet(this.data.kind))
    },
    async onTemplate() {
      await this.open('template', () => importTemplate(this.data.kind))
    },
    async open(busy: string, make: () => Promise<{ url: string }>) {
      if (this.data.busy) return
      this.setData({ busy, error: '' })
      try {
        await openSheet((await make()).url)
      } catch (err) {
        this.setData({ error: errorText(err, '打开表格失败，请重试') })
      } finally {
        this.setData({ busy: '' })
      }
    },
  },
})
