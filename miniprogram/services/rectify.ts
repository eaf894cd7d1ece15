import type { Actions, RectificationView } from '../../typings/api'
import { callApi } from './api'

export type { RectificationView }

/** A page of 整改 tasks, due first; pass the previous page's `nextCursor` for the next. */
export const fetchRectifications = (scope: 'open' | 'all' = 'open', cursor?: string | null) =>
  callApi('rectify.list', { scope, ...(cursor ? { cursor } : {}) })
export const rectifyStep = (p: Actions['rectify.step']['in']) => callApi('rectify.step', p)
export const rateFix = (p: Actions['rectify.rateFix']['in']) => callApi('rectify.rateFix', p)
