import type { Actions, ComplaintView } from '../../typings/api'
import { callApi } from './api'

export type { ComplaintView }

/** One request id per form: a retried tap files the complaint once. */
export const submitComplaint = (p: Actions['complaints.submit']['in'], requestId: string) =>
  callApi('complaints.submit', p, requestId)
export const fetchMyComplaints = () => callApi('complaints.mine', {})

/** Supervisors. */
export const fetchComplaints = (status?: 'open' | 'replied') =>
  callApi('complaints.list', status ? { status } : {})
export const replyComplaint = (id: string, reply: string) => callApi('complaints.reply', { id, reply })
/** The full phone to call the resident back (logged on the server). */
export const complaintContact = (id: string) => callApi('complaints.contact', { id })
