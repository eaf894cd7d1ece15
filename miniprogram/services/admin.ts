import type { Actions } from '../../typings/api'
import { callApi } from './api'

export type Settings = Actions['admin.settings.get']['out']

export const fetchSettings = () => callApi('admin.settings.get', {})
export const saveReminders = (p: Actions['admin.reminders.save']['in']) => callApi('admin.reminders.save', p)
export const saveBookingRules = (p: Actions['admin.booking.saveRules']['in']) =>
  callApi('admin.booking.saveRules', p)
