import type { Actions, RectificationView } from '../../typings/api'
import { callApi } from './api'

export type { RectificationView }

export const fetchRectifications = (scope: 'open' | 'all' = 'open') => callApi('rectify.list', { scope })
export const rectifyStep = (p: Actions['rectify.step']['in']) => callApi('rectify.step', p)
export const rateFix = (p: Actions['rectify.rateFix']['in']) => callApi('rectify.rateFix', p)
