import type {
  Actions,
  BookingView,
  DeskBooking,
  DeskDay,
  ScheduleView,
  VisitRequestInput,
} from '../../typings/api'
import { callApi } from './api'

export type { BookingView, DeskBooking, DeskDay, ScheduleView, VisitRequestInput }

const CONTACT_KEY = 'appointments.contact'

/** Open days and slots (窗口预约 and 领导接待日) of a station. */
export const fetchSlots = (stationId: string) => callApi('appointments.slots', { stationId })
export const bookSlot = (p: Actions['appointments.book']['in']) => callApi('appointments.book', p)
export const rescheduleBooking = (bookingId: string, slotKey: string) =>
  callApi('appointments.reschedule', { bookingId, slotKey })
export const cancelBooking = (bookingId: string) => callApi('appointments.cancel', { bookingId })
/** A page of 我的预约 (newest first); pass the previous page's `nextCursor` for the next. */
export const fetchMyBookings = (cursor?: string | null) =>
  callApi('appointments.mine', cursor ? { cursor } : {})
export const requestVisit = (p: VisitRequestInput) => callApi('appointments.requestVisit', p)

/** Agent day view. */
export const fetchDesk = (day?: string) => callApi('work.appointments', day ? { day } : {})
/** More of the day's appointments, or of the home-visit requests, after the last one shown. */
export const fetchDeskMore = (day: string, part: 'list' | 'visits', cursor: string) =>
  callApi(
    'work.appointments',
    part === 'list' ? { day, only: 'list', cursor } : { day, only: 'visits', visitCursor: cursor },
  )
export const markBooking = (bookingId: string, outcome: 'arrived' | 'no_show') =>
  callApi('work.appointments.mark', { bookingId, outcome })
export const bookingContact = (bookingId: string) => callApi('work.appointments.contact', { bookingId })
export const confirmVisit = (p: Actions['work.visits.confirm']['in']) => callApi('work.visits.confirm', p)
/** 安排上门 for a case filed with 上门服务. */
export const scheduleCaseVisit = (p: Actions['work.visits.schedule']['in']) =>
  callApi('work.visits.schedule', p)
export const declineVisit = (bookingId: string, reason: string) =>
  callApi('work.visits.decline', { bookingId, reason })

/** Opening hours editor (heads and admins). */
export const fetchScheduleEditor = (stationId?: string) =>
  callApi('admin.schedules.get', stationId ? { stationId } : {})
export const saveSchedule = (p: Actions['admin.schedules.save']['in']) => callApi('admin.schedules.save', p)

/** The last name and phone used, so an elderly resident types them once (kept on the phone only). */
export function savedContact(): { name: string; phone: string } {
  const c = wx.getStorageSync(CONTACT_KEY) as { name?: string; phone?: string } | ''
  return { name: (c && c.name) || '', phone: (c && c.phone) || '' }
}

export function saveContact(name: string, phone: string): void {
  wx.setStorageSync(CONTACT_KEY, { name, phone })
}
