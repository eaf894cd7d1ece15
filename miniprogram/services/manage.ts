/** 数据维护 (admins; a head for their own station's part): the admin subpackage's only data seam. */
import type { Actions } from '../../typings/api'
import { callApi } from './api'
import { openDocumentAt } from './files'

export type SheetKind = Actions['admin.export']['in']['kind']
export type AdminStation = Actions['admin.stations.list']['out']['list'][number]
export type AdminItem = Actions['admin.items.list']['out']['list'][number]
export type Roster = Actions['admin.agents.list']['out']
export type Pairings = Actions['admin.pairings.list']['out']
export type AuditPage = Actions['admin.audit.list']['out']
export type CalendarYear = Actions['admin.calendar.get']['out']
export type ImportCheck = Actions['admin.import.check']['out']
export type ImportResult = Actions['admin.import']['out']

export const listStations = () => callApi('admin.stations.list', {})
export const saveStation = (p: Actions['admin.stations.save']['in']) => callApi('admin.stations.save', p)
export const retire = (p: Actions['admin.retire']['in']) => callApi('admin.retire', p)
export const listItems = (p: Actions['admin.items.list']['in']) => callApi('admin.items.list', p)
export const roster = (stationId: string) => callApi('admin.agents.list', { stationId })
export const invite = (agentId: string) => callApi('admin.roster.invite', { agentId })
export const handOver = (fromAgentId: string, toAgentId: string) =>
  callApi('admin.handover', { fromAgentId, toAgentId })
export const pairings = (stationId: string) => callApi('admin.pairings.list', { stationId })
export const savePairing = (p: Actions['admin.pairings.save']['in']) => callApi('admin.pairings.save', p)
export const pairingQrcode = (pairingId: string) => callApi('pairings.qrcode', { pairingId })
export const auditList = (p: Actions['admin.audit.list']['in']) => callApi('admin.audit.list', p)
export const calendarYear = (year: number) => callApi('admin.calendar.get', { year })
export const saveCalendarYear = (p: Actions['admin.calendar.saveYear']['in']) =>
  callApi('admin.calendar.saveYear', p)
export const checkImport = (kind: SheetKind, fileId: string) =>
  callApi('admin.import.check', { kind, fileId })
export const runImport = (kind: SheetKind, fileId: string) => callApi('admin.import', { kind, fileId })
export const exportSheet = (kind: SheetKind) => callApi('admin.export', { kind })
export const importTemplate = (kind: SheetKind) => callApi('admin.import.template', { kind })

/** Downloads an .xlsx from a temporary URL and opens it (WeChat's menu forwards it to a chat). */
export const openSheet = (url: string) => openDocumentAt(url, 'xlsx')

export type RotaView = Actions['admin.rotas.get']['out']
export type Templates = Actions['admin.templates.get']['out']
export const rota = (stationId: string) => callApi('admin.rotas.get', { stationId })
export const saveRota = (p: Actions['admin.rotas.save']['in']) => callApi('admin.rotas.save', p)
export const templates = () => callApi('admin.templates.get', {})
export const saveTemplate = (p: Actions['admin.templates.save']['in']) => callApi('admin.templates.save', p)
export const testTemplate = (event: Actions['admin.templates.test']['in']['event']) =>
  callApi('admin.templates.test', { event })
export const saveItem = (p: Actions['admin.items.save']['in']) => callApi('admin.items.save', p)
export const saveAgent = (p: Actions['admin.agents.save']['in']) => callApi('admin.agents.save', p)

/** The caller's own station on the roster (a head maintains theirs). */
export async function myStationId(): Promise<string> {
  return (await callApi('me.profile', {})).agent?.stationId ?? ''
}

/**
 * The station a per-station page (花名册, 值班表, 结对) maintains: the one its link names, else the
 * caller's own (a head's; an admin's until they open another from 服务站).
 */
export async function stationOf(query: Record<string, string | undefined>): Promise<string> {
  return query.stationId ?? (await myStationId())
}

/** 擅长类别 only (a head for their own people; admins too). */
export const saveSpecialties = (agentId: string, specialties: string[]) =>
  callApi('admin.agents.specialties', { agentId, specialties })

export const printStation = (stationId: string, kind: 'board' | 'card') =>
  callApi('admin.print', { stationId, kind })

/** Downloads a PDF and opens it; WeChat's menu prints or forwards it. */
export const openPdf = (url: string) => openDocumentAt(url, 'pdf')

/** 整站移交: up to 40 open cases of a retiring station per call; call again while `remaining` > 0. */
export const handOverStation = (stationId: string, toAgentId: string) =>
  callApi('admin.handover.station', { stationId, toAgentId })

export type ScheduleEditor = Actions['admin.schedules.get']['out']
export type ScheduleInput = Actions['admin.schedules.save']['in']
export { fetchScheduleEditor as schedules, saveSchedule } from './appointments'
