/**
 * 监督投诉, pure: states and their Chinese labels. A complaint goes to the supervisors (区委组织部
 * and 纪检), never to the station it is about: station staff cannot read it.
 */
export type ComplaintStatus = 'open' | 'replied'

export const COMPLAINT_STATUS_LABELS: Record<ComplaintStatus, string> = {
  open: '待处理',
  replied: '已答复',
}

/** A resident may file at most this many complaints a day (flooding protection, not a quota on grievances). */
export const COMPLAINTS_PER_DAY = 5
