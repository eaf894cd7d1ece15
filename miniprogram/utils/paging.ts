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
}

/**
 * 加载更多: fetches the page after `nextCursor` and hands it to `apply`, which returns what to
 * set (the list appended, the new total and cursor). One load at a time, never during a reload;
 * a failure shows the page's error line and keeps what is already shown.
 */
export async function loadMore<R>(
  page: PagedPage,
  fetch: (cursor: string) => Promise<R>,
  apply: (r: R) => Record<string, unknown>,
): Promise<void> {
  const cursor = page.data.nextCursor
  if (!cursor || page.data.loadingMore || page.data.loading) return
  page.setData({ loadingMore: true, error: '' })
  try {
    page.setData(apply(await fetch(cursor)))
  } catch (err) {
    page.setData({ error: errorText(err, '加载失败，请重试') })
  } finally {
    page.setData({ loadingMore: false })
  }
}
