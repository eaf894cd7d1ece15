import type { ActionTable } from './router'
import { submitCase, claimCase, reissueClaimCode } from '../actions/case-submit'
import { caseContact, getCase, myCases, workInbox } from '../actions/case-reads'
import {
  acceptCase,
  addTasks,
  completeCase,
  completeTask,
  deliverCase,
  escalateCase,
  extendCase,
  reassignCase,
  rejectCase,
  requestSupplement,
} from '../actions/case-handling'
import { acceptUpper, completeUpper } from '../actions/case-upper'
import { rateCase, supplyMaterials, withdrawCase } from '../actions/case-resident'
import { book, cancelBooking, listSlots, myBookings, requestVisit, reschedule } from '../actions/appointments'
import { deskContact, deskDay, markOutcome } from '../actions/appointment-desk'
import { confirmVisit, declineVisit, scheduleCaseVisit } from '../actions/home-visits'
import { getSchedules, saveBookingRules, saveSchedule } from '../actions/schedule-editor'
import {
  getSettings,
  getTemplates,
  probe,
  saveReminders,
  saveTemplate,
  testTemplate,
} from '../actions/templates'
import { exportKpis, kpis, kpiTrend, overdueList, saveKpiTargets, urge } from '../actions/supervise'
import { listRectifications, rateFix, rectifyStep } from '../actions/rectify'
import {
  complaintContact,
  listComplaints,
  myComplaints,
  replyComplaint,
  submitComplaint,
} from '../actions/complaints'
import { myMessages, recordGrants, subscribeTemplates } from '../actions/notify'
import { calendarStatus, calendarYear, saveCalendarYear } from '../actions/calendar'
import { checkImport, exportSheet, importSheet, importTemplate } from '../actions/sheets'
import { auditList } from '../actions/audit'
import { printStation } from '../actions/print'
import { handOver, handOverStation } from '../actions/handover'
import { pairingAccept, pairingQrcode, pairingScan } from '../actions/pairing-accept'
import { adminItems, adminPairings, adminRoster, adminRota, adminStations } from '../actions/admin-reads'
import type { Deps } from '../kit/context'
import { catalogGet, catalogList, dutyToday, stationsGet, stationsList } from '../actions/public'
import { meProfile, rosterBind, rosterInvite } from '../actions/roster'
import {
  retire,
  saveAgent,
  saveSpecialties,
  saveItem,
  savePairing,
  saveRota,
  saveStation,
  stationQrcode,
} from '../actions/admin'

export type { Deps } from '../kit/context'

/** The action table of the `api` function; each capability registers its actions here. */
export const actions: ActionTable<Deps> = {
  'catalog.list': catalogList,
  'catalog.get': catalogGet,
  'stations.list': stationsList,
  'stations.get': stationsGet,
  'duty.today': dutyToday,
  'me.profile': meProfile,
  'notify.grant': recordGrants,
  'notify.mine': myMessages,
  'notify.templates': subscribeTemplates,
  'roster.bind': rosterBind,
  'stations.qrcode': stationQrcode,
  'cases.submit': submitCase,
  'cases.accept': acceptCase,
  'cases.reject': rejectCase,
  'cases.complete': completeCase,
  'cases.deliver': deliverCase,
  'cases.rate': rateCase,
  'cases.claim': claimCase,
  'cases.reissueClaimCode': reissueClaimCode,
  'cases.requestSupplement': requestSupplement,
  'cases.supplement': supplyMaterials,
  'cases.escalate': escalateCase,
  'cases.addTasks': addTasks,
  'cases.completeTask': completeTask,
  'cases.acceptUpper': acceptUpper,
  'cases.completeUpper': completeUpper,
  'cases.reassign': reassignCase,
  'cases.withdraw': withdrawCase,
  'cases.extend': extendCase,
  'cases.get': getCase,
  'cases.mine': myCases,
  'work.inbox': workInbox,
  'cases.contact': caseContact,
  'admin.roster.invite': rosterInvite,
  'admin.stations.save': saveStation,
  'admin.items.save': saveItem,
  'admin.agents.save': saveAgent,
  'admin.agents.specialties': saveSpecialties,
  'admin.rotas.save': saveRota,
  'admin.pairings.save': savePairing,
  'admin.retire': retire,
  'calendar.status': calendarStatus,
  'appointments.slots': listSlots,
  'appointments.book': book,
  'appointments.cancel': cancelBooking,
  'appointments.mine': myBookings,
  'appointments.reschedule': reschedule,
  'appointments.requestVisit': requestVisit,
  'work.appointments': deskDay,
  'work.appointments.mark': markOutcome,
  'work.appointments.contact': deskContact,
  'work.visits.confirm': confirmVisit,
  'work.visits.schedule': scheduleCaseVisit,
  'work.visits.decline': declineVisit,
  'admin.schedules.get': getSchedules,
  'admin.schedules.save': saveSchedule,
  'admin.booking.saveRules': saveBookingRules,
  'admin.templates.save': saveTemplate,
  'admin.reminders.save': saveReminders,
  'admin.settings.get': getSettings,
  'system.probe': probe,
  'supervise.overdue': overdueList,
  'supervise.urge': urge,
  'supervise.kpis': kpis,
  'supervise.kpis.trend': kpiTrend,
  'admin.kpiTargets.save': saveKpiTargets,
  'rectify.list': listRectifications,
  'rectify.step': rectifyStep,
  'rectify.rateFix': rateFix,
  'complaints.submit': submitComplaint,
  'complaints.mine': myComplaints,
  'complaints.list': listComplaints,
  'complaints.reply': replyComplaint,
  'complaints.contact': complaintContact,
  'supervise.kpis.export': exportKpis,
  'admin.calendar.saveYear': saveCalendarYear,
  'admin.import': importSheet,
  'admin.export': exportSheet,
  'admin.import.check': checkImport,
  'admin.import.template': importTemplate,
  'admin.audit.list': auditList,
  'admin.handover': handOver,
  'admin.handover.station': handOverStation,
  'admin.stations.list': adminStations,
  'admin.items.list': adminItems,
  'admin.agents.list': adminRoster,
  'admin.rotas.get': adminRota,
  'admin.pairings.list': adminPairings,
  'admin.templates.get': getTemplates,
  'admin.templates.test': testTemplate,
  'admin.calendar.get': calendarYear,
  'admin.print': printStation,
  'pairings.qrcode': pairingQrcode,
  'pairings.scan': pairingScan,
  'pairings.accept': pairingAccept,
}
