import { errorText } from '../services/api'
import { isElderlyMode } from '../services/settings'

/** What a page using {@link pageLoad} gives it. */
export interface Loader {
  /** Fetches what the page shows; the patch returned is set on the page. */
  fetchPage(query: Record<string, string | undefined>): Promise<Record<string, unknown>>
  /**
   * What the page does each time it shows, after the Behavior's own part (长辈模式 followed).
   * A page's own `onShow` (or `onLoad`, `onPullDownRefresh`) would replace the Behavior's
   * method of that name, so pages put their part here instead.
   */
  onPageShow?(): unknown
}

type Self = WechatMiniprogram.Component.TrivialInstance &
  Partial<Loader> & { __query?: Record<string, string | undefined>; __run?: number }

/**
 * The load / refresh / error cycle a dozen pages repeated: `loading` while the first fetch runs,
 * a Chinese `error` line and a 重新加载 button when it fails (what was shown stays), pull down to
 * refresh, and the page's `elderly` flag kept in step with 长辈模式 when the page comes back.
 * A page defines `fetchPage(query)`, binds 重新加载 to `reload`, and puts what it does on each
 * show in `onPageShow` (never its own `onShow`, which would replace this one).
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
      this.followElderlyMode()
      return this.onPageShow?.()
    },
    /** 长辈模式 may have been switched on another page (我的, 首页) while this one was hidden. */
    followElderlyMode(this: Self) {
      if ((this.data as { elderly?: boolean }).elderly !== isElderlyMode())
        this.setData({ elderly: isElderlyMode() })
    },
    async onPullDownRefresh(this: Self) {
      await this.reload()
      wx.stopPullDownRefresh()
    },
    async reload(this: Self) {
      if (!this.fetchPage) return
      // Only the latest load speaks: a filter tapped twice, or a pull-down during a slow first
      // load, must not let the older answer land last and show what was no longer asked for.
      const run = (this.__run = (this.__run ?? 0) + 1)
      const latest = () => run === this.__run
      this.setData({ loading: true, error: '' })
      try {
        const patch = await this.fetchPage(this.__query ?? {})
        if (latest()) this.setData(patch)
      } catch (err) {
        if (latest()) this.setData({ error: errorText(err, '加载失败，请重试') })
      } finally {
        if (latest()) this.setData({ loading: false })
      }
    },
  },
})
