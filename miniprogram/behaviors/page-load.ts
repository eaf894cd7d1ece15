import { errorText } from '../services/api'
import { isElderlyMode } from '../services/settings'

/** What a page using {@link pageLoad} gives it. */
export interface Loader {
  /** Fetches what the page shows; the patch returned is set on the page. */
  fetchPage(query: Record<string, string | undefined>): Promise<Record<string, unknown>>
}

type Self = WechatMiniprogram.Component.TrivialInstance &
  Partial<Loader> & { __query?: Record<string, string | undefined> }

/**
 * The load / refresh / error cycle a dozen pages repeated: `loading` while the first fetch runs,
 * a Chinese `error` line and a 重新加载 button when it fails (what was shown stays), pull down to
 * refresh, and the page's `elderly` flag kept in step with 长辈模式 when the page comes back.
 * A page defines `fetchPage(query)` and binds 重新加载 to `reload`.
 */
export const pageLoad = Behavior({
  data: { loading: true, error: '', elderly: false },
  methods: {
    onLoad(this: Self, query: Record<string, string | undefined>) {
      this.__query = query ?? {}
      this.setData({ elderly: isElderlyMode() })
      return this.reload()
    },
    onShow(this: Self) {
      if ((this.data as { elderly?: boolean }).elderly !== isElderlyMode())
        this.setData({ elderly: isElderlyMode() })
    },
    async onPullDownRefresh(this: Self) {
      await this.reload()
      wx.stopPullDownRefresh()
    },
    async reload(this: Self) {
      if (!this.fetchPage) return
      this.setData({ loading: true, error: '' })
      try {
        this.setData(await this.fetchPage(this.__query ?? {}))
      } catch (err) {
        this.setData({ error: errorText(err, '加载失败，请重试') })
      } finally {
        this.setData({ loading: false })
      }
    },
  },
})
