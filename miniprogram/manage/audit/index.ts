import { pageLoad } from '../../behaviors/page-load'
import { errorText } from '../../services/api'
import { auditList, type AuditPage } from '../../services/manage'
import { shanghaiDateTime } from '../../utils/vocabulary'

type Row = AuditPage['list'][number] & { when: string; open: boolean; detail: string }

/** 操作记录 (supervisors and admins): who changed which record, when, before and after; paged. */
Component({
  behaviors: [pageLoad],
  data: { list: [] as Row[], total: 0, cursor: null as string | null, loading: true, error: '' },
  methods: {
    async fetchPage() {
      await this.load(null)
      return {}
    },
    async load(cursor: string | null) {
      this.setData({ loading: true, error: '' })
      try {
        const page = await auditList({ pageSize: 20, ...(cursor ? { cursor } : {}) })
        const rows = page.list.map((e) => ({
          ...e,
          when: shanghaiDateTime(e.at),
          open: false,
          detail: `改前：${JSON.stringify(e.before)}\n改后：${JSON.stringify(e.after)}`,
        }))
        this.setData({
          list: cursor ? [...this.data.list, ...rows] : rows,
          total: page.total,
          cursor: page.nextCursor,
        })
      } catch (err) {
        this.setData({ error: errorText(err, '加载失败，请重试') })
      } finally {
        this.setData({ loading: false })
      }
    },
    async onMore() {
      if (this.data.cursor && !this.data.loading) await this.load(this.data.cursor)
    },
    onToggle(e: WechatMiniprogram.CustomEvent) {
      const i = Number(e.currentTarget.dataset.index)
      this.setData({ [`list[${i}].open`]: !this.data.list[i]!.open })
    },
  },
})
