import type { Actions, ComplaintView } from '../../typings/api'
import { callApi } from './api'

export type { ComplaintView }

/** One request id per form: a retried tap files the complaint once. */
export const submitComplaint = (p: Actions['complaints.submit']['in'], requestId: string) =>
  callApi('complaints.submit', p, requestId)
/** A page of 我的投诉; pass the previous page's `nextCursor` for the next. */
export const fetchMyComplaints = (cursor?: string | null) =>
  callApi('complaints.mine', cursor ? { cursor } : {})

/** Supervisors: a page of complaints of a status (newest first), its total and how many are open. */
export const fetchComplaints = (status?: 'open' | 'replied', cursor?: string | null) =>
  callApi('complaints.list', { ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) })
export const replyComplaint = (id: string, reply: string) => callApi('complaints.reply', { id, reply })
/** The full phone to call the resident back (logged on the server). */
export const complaintContact = (id: string) => callApi('complaints.contact', { id })
