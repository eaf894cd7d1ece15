import { errorText } from '../services/api'

/** What a page with a 「加载更多」 list keeps in its data. */
interface PagedData {
  nextCursor: string | null
  loadingMore: boolean
  loading: boolean
}

interface PagedPage {
  data: PagedData
  setData(patch: Record<string, unknown>): void
  /** The page-load Behavior's count of loads begun (a reload makes a page of more stale). */
  __run?: number
}

/**
 * 加载更多: fetches the page after `nextCursor` and hands it to `apply`, which returns what to
 * set (the list appended, the new total and cursor). One load at a time, never during a reload;
 * a page that arrives after a reload began (a filter tapped meanwhile) belongs to the old list and
 * is dropped; a failure shows the page's error line and keeps what is already shown.
 */
export async function loadMore<R>(
  page: PagedPage,
  fetch: (cursor: string) => Promise<R>,
  apply: (r: R) => Record<string, unknown>,
): Promise<void> {
  const cursor = page.data.nextCursor
  if (!cursor || page.data.loadingMore || page.data.loading) return
  const run = page.__run
  const current = () => page.__run === run
  page.setData({ loadingMore: true, error: '' })
  try {
    const r = await fetch(cursor)
    if (current()) page.setData(apply(r))
  } catch (err) {
    if (current()) page.setData({ error: errorText(err, '加载失败，请重试') })
  } finally {
    page.setData({ loadingMore: false })
  }
}
