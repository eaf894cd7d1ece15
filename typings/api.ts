import type {
  AppointmentSchedule,
  BookingKind,
  BookingRules,
  BookingStatus,
  CaseRecord,
  DayPart,
  GeoPoint,
  CaseKpiKey,
  KpiKey,
  KpiTargets,
  Rate,
  KpiRow,
  Material,
  NotifyEvent,
  SubscribeMoment,
  OpeningPeriod,
  Period,
  PeriodKind,
  Pairing,
  ProxyMode,
  ReminderSettings,
  Role,
  ScheduleKind,
  Station,
  Item,
  Agent,
  DutyRota,
  Tier,
} from './domain'
import type { CaseCommand, CaseState, HandlingType, RatingLevel } from './vocabulary'

/**
 * The client–server contract of the one client-facing cloud function `api`.
 * Types only: shared by the mini-program, the cloud functions and the tests.
 */

/** Stable error codes: programs branch on these, users read `message` (Chinese). */
export type ErrorCode =
  | 'INVALID_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'INVALID_STATE'
  | 'RATE_LIMITED'
  | 'UNAVAILABLE'
  | 'CONTENT_RISKY'
  | 'CALENDAR_MISSING'
  | 'UNKNOWN_ACTION'
  | 'INTERNAL'

export interface ApiError {
  code: ErrorCode
  /** Chinese, shown to users as is. */
  message: string
  /** Per-field Chinese messages for form input, keyed by field path (`materials.0.name`). */
  fields?: Record<string, string>
}

export interface ApiRequest<A extends string = string, P = unknown> {
  action: A
  payload?: P
  /** Client-generated id that makes retries of a write idempotent. */
  requestId?: string
}

export type ApiResponse<T> = { ok: true; data: T } | { ok: false; error: ApiError }

/** A page of results; `hasMore` drives infinite scroll. */
export interface Paged<T> {
  list: T[]
  total: number
  page: number
  pageSize: number
  hasMore: boolean
}

/**
 * A page of a list read with a cursor: `total` counts every row of the list (not the page);
 * pass `nextCursor` back as `cursor` for the next page; null on the last page.
 */
export interface CursorPage<T> {
  list: T[]
  total: number
  nextCursor: string | null
}

/** The paging part of a list action's input. */
export interface PageInput {
  cursor?: string
  pageSize?: number
}

/** An agent as the public sees them: name, title, masked phone. */
export interface AgentPublic {
  id: string
  name: string
  title: string
  role: Role
  roleLabel: string
  kindLabel: string
  maskedPhone: string
}

export interface ItemSummary {
  id: string
  code: string
  name: string
  category: string
  tier: Tier
  tierLabel: string
  promisedDays: number
  /** "即办" or "5 个工作日". */
  timeLimitText: string
  proxyMode: ProxyMode
  proxyModeLabel: string
  homeVisit: boolean
  fee: string
}

export interface ItemDetail extends ItemSummary {
  description: string
  materials: Material[]
  steps: string[]
  departments: string[]
  legalDays: number | null
  supervisionHotline: string
  /** Who handles it at the station the resident is looking from. */
  handling: {
    stationId: string
    stationName: string
    hotline: string
    dutyAgents: AgentPublic[]
    forwardedTo: string | null
  } | null
}

export interface StationSummary {
  id: string
  code: string
  name: string
  tier: Tier
  tierLabel: string
  address: string
  hotline: string
  hours: string
  location: GeoPoint
  distanceMeters: number | null
}

export interface DutyToday {
  date: string
  workday: boolean
  stationId: string
  stationName: string
  hotline: string
  agents: AgentPublic[]
  /** Why nobody is on duty (holiday, weekend), in Chinese; null when someone is. */
  closedReason: string | null
  reception: { agent: AgentPublic; hours: string; topic: string } | null
}

export interface StationDetail extends StationSummary {
  parents: { id: string; name: string; tier: Tier }[]
  children: StationSummary[]
  head: AgentPublic | null
  agents: AgentPublic[]
  duty: DutyToday
  receptionDays: { weekdayLabel: string; agent: AgentPublic; hours: string; topic: string }[]
  itemCount: number
}

/** 材料接收单: what the resident keeps after acceptance. */
export interface CaseReceipt {
  caseNo: string
  itemName: string
  stationName: string
  receivedMaterials: string[]
  acceptedAt: string
  dueDay: string | null
  agentName: string
  agentPhone: string
  supervisionHotline: string
}

/** 承办卡: the handling card the agent works from. */
export interface HandlingCard {
  caseNo: string
  handlingLabel: string
  itemName: string
  departments: string[]
  steps: string[]
  dueDay: string | null
  tasks: { id: string; title: string; department: string; dueDay: string; done: boolean }[]
}

/** A case as residents and staff see it (masked where the full value is not needed). */
export interface CaseView {
  id: string
  caseNo: string | null
  version: number
  state: CaseState
  stateLabel: string
  stateDescription: string
  item: CaseRecord['item'] & { timeLimitText: string }
  stationId: string
  applicant: { name: string; maskedPhone: string }
  description: string
  attachments: string[]
  visit: CaseRecord['visit']
  agent: { id: string; name: string; maskedPhone: string } | null
  assignReason: string
  handling: HandlingType | null
  handlingLabel: string | null
  /** For the resident of a 上报件: the later of the two deadlines. */
  dueAt: string | null
  dueDay: string | null
  /** Staff only: the upper station's own deadline of a 上报件. */
  upperDue: { stationId: string; dueAt: string; dueDay: string; completed: boolean } | null
  calendarWarning: string | null
  result: string | null
  onTime: boolean | null
  rating: { level: string; label: string; isDefault: boolean; comment: string } | null
  createdAt: string
  /**
   * What the caller may do now — the only source of a page's buttons. Decided by the case rules
   * (server/domain/case-rules.ts) from state, role and relation, and enforced the same way.
   */
  actions: CaseCommand[]
  /** 联合代理 tasks with their own deadlines. */
  tasks: {
    id: string
    title: string
    department: string
    dueDay: string
    done: boolean
    result: string | null
  }[]
  receipt?: CaseReceipt
  card?: HandlingCard
  /** For the parent station's staff on a 上报件: the next step they can take (from `actions`). */
  upperStep?: 'accept' | 'complete' | null
  /** 差评 only: the 整改 task (核实, 整改, 回访) and the resident's rating of the fix. */
  rectification?: RectificationView | null
  timeline?: { at: string; who: string; what: string; note: string }[]
  /**
   * Staff of the case only (its station, the upper station of a 上报件): the item's 所需材料, the
   * checklist ticked at acceptance that fills the receipt's 已收材料.
   */
  materials?: { name: string; formLabel: string; count: number }[]
  /** Staff of the case only: the resident's photos as temporary URLs ('' when a file is gone). */
  photos?: { fileId: string; url: string }[]
  /**
   * Staff of the case only: who handles it now (the upper station's agent once a 上报件 is
   * there, for that station's staff) and whether that is the caller.
   */
  handler?: { name: string; mine: boolean } | null
}

/** Input and output of every action of the `api` function. */
export interface Actions {
  'catalog.list': {
    in: {
      stationId?: string
      tier?: Tier
      category?: string
      keyword?: string
      page?: number
      pageSize?: number
    }
    out: Paged<ItemSummary> & { categories: string[] }
  }
  'catalog.get': { in: { id: string; stationId?: string }; out: ItemDetail }
  'stations.list': {
    in: { tier?: Tier; parentId?: string; near?: GeoPoint; page?: number; pageSize?: number }
    out: Paged<StationSummary>
  }
  'stations.get': { in: { id?: string; code?: string }; out: StationDetail }
  'duty.today': { in: { stationId: string }; out: DutyToday }
  'me.profile': {
    in: Record<string, never>
    out: {
      openid: string
      /** Where this user's uploads go: `<uploadDir>/<request id>/<random>.<ext>`. */
      uploadDir: string
      agent: { id: string; name: string; role: Role; stationId: string; stationName: string } | null
    }
  }
  'roster.bind': {
    in: { code: string }
    out: { agentId: string; name: string; role: Role; stationId: string }
  }
  'cases.submit': {
    in: {
      itemId: string
      stationId: string
      description: string
      applicantName?: string
      applicantPhone?: string
      visit?: 'station' | 'home'
      attachments?: string[]
      onBehalf?: boolean
    }
    out: CaseView & { claimCode: string | null }
  }
  'stations.qrcode': { in: { stationId: string }; out: { fileId: string; url: string; scene: string } }
  'cases.get': { in: { caseId: string }; out: CaseView }
  'supervise.overdue': {
    in: PageInput
    out: {
      today: string
      /** Every overdue case; `stations` covers them all, `cases` is one page (most overdue first). */
      total: number
      nextCursor: string | null
      stations: { stationId: string; stationName: string; count: number; maxDays: number }[]
      cases: {
        caseId: string
        caseNo: string | null
        version: number
        itemName: string
        stationId: string
        stationName: string
        dueDay: string | null
        workingDaysOverdue: number
        /** Who must act: the assigned agent (the upper station's once a 上报件 is there). */
        agentName: string
      }[]
    }
  }
  'supervise.urge': {
    in: { caseId: string; version: number; note: string; newDueDay?: string }
    out: { caseId: string; version: number; dueDay: string | null }
  }
  'notify.grant': { in: { accepted: string[]; longTerm?: boolean }; out: { recorded: number } }
  /** Template ids to ask for at a moment, in asks of at most three (the mapping is in the database). */
  'notify.templates': {
    in: { moment: SubscribeMoment }
    out: { batches: string[][]; longTerm: boolean }
  }
  'notify.mine': {
    in: Record<string, never>
    out: {
      list: {
        id: string
        event: string
        caseId: string
        text: string
        status: string
        statusLabel: string
        at: string
      }[]
    }
  }
  'cases.contact': { in: { caseId: string }; out: { name: string; phone: string } }
  'cases.claim': { in: { claimCode: string; phone: string }; out: CaseView }
  'cases.reissueClaimCode': { in: { caseId: string }; out: { claimCode: string; expiresAt: string } }
  'cases.mine': { in: { page?: number; pageSize?: number }; out: Paged<CaseView> }
  'cases.rate': {
    in: { caseId: string; level: RatingLevel; tags?: string[]; comment?: string }
    out: CaseView
  }
  'cases.supplement': { in: { caseId: string; attachments?: string[]; note?: string }; out: CaseView }
  'cases.withdraw': { in: { caseId: string; reason?: string }; out: CaseView }
  'cases.accept': {
    in: {
      caseId: string
      version: number
      handling: HandlingType
      receivedMaterials?: string[]
      missingMaterials?: string[]
      note?: string
    }
    out: CaseView
  }
  'cases.reject': { in: { caseId: string; version: number; reason: string }; out: CaseView }
  'cases.complete': { in: { caseId: string; version: number; result: string }; out: CaseView }
  'cases.deliver': { in: { caseId: string; version: number; note?: string }; out: CaseView }
  'cases.requestSupplement': {
    in: { caseId: string; version: number; materials: string[]; note?: string }
    out: CaseView
  }
  'cases.escalate': { in: { caseId: string; version: number; note?: string }; out: CaseView }
  'cases.acceptUpper': { in: { caseId: string; version: number }; out: CaseView }
  'cases.completeUpper': { in: { caseId: string; version: number; result: string }; out: CaseView }
  'cases.addTasks': {
    in: { caseId: string; version: number; tasks: { title: string; department: string; days: number }[] }
    out: CaseView
  }
  'cases.completeTask': {
    in: { caseId: string; version: number; taskId: string; result: string }
    out: CaseView
  }
  'cases.reassign': {
    in: { caseId: string; version: number; agentId: string; reason: string }
    out: CaseView
  }
  'work.inbox': {
    in: { tab?: InboxTab; page?: number; pageSize?: number; scope?: 'mine' | 'station' }
    out: Paged<CaseView> & {
      today: string
      tab: InboxTab
      counts: Record<InboxTab, number>
      calendarWarning: string | null
    }
  }
  'appointments.slots': {
    in: { stationId: string }
    /** `today` is the server's day in Shanghai: pages never trust the phone's clock for it. */
    out: {
      today: string
      /** Working days from tomorrow to the horizon: when a home visit can be asked for. */
      visitDays: { day: string; label: string }[]
      rules: BookingRules
      schedules: ScheduleView[]
    }
  }
  'appointments.book': {
    in: { slotKey: string; name: string; phone: string; itemId?: string; caseId?: string }
    out: BookingView
  }
  'appointments.reschedule': { in: { bookingId: string; slotKey: string }; out: BookingView }
  'appointments.cancel': { in: { bookingId: string }; out: BookingView }
  'appointments.mine': { in: PageInput; out: CursorPage<BookingView> & { notice: string | null } }
  'appointments.requestVisit': { in: VisitRequestInput; out: BookingView }
  'work.appointments': {
    in: { day?: string; cursor?: string; visitCursor?: string; only?: 'list' | 'visits'; pageSize?: number }
    out: DeskDay
  }
  'work.appointments.mark': {
    in: { bookingId: string; outcome: 'arrived' | 'no_show' }
    out: { id: string; status: string; statusLabel: string }
  }
  'work.appointments.contact': { in: { bookingId: string }; out: { phone: string; address: string | null } }
  'work.visits.confirm': {
    in: { bookingId: string; day: string; start: string; minutes?: number }
    out: DeskBooking
  }
  'rectify.list': { in: { scope?: 'open' | 'all' } & PageInput; out: CursorPage<RectificationView> }
  'rectify.step': {
    in: { caseId: string; step: 'verify' | 'fix' | 'visit'; note: string; outcome?: 'fixed' | 'explained' }
    out: RectificationView
  }
  'rectify.rateFix': { in: { caseId: string; level: RatingLevel }; out: RectificationView }
  'complaints.submit': {
    in: { stationId?: string; caseId?: string; name: string; phone: string; text: string }
    out: ComplaintView
  }
  'complaints.mine': { in: PageInput; out: CursorPage<ComplaintView> }
  'complaints.list': {
    in: { status?: 'open' | 'replied' } & PageInput
    out: CursorPage<ComplaintView> & { open: number }
  }
  'complaints.reply': { in: { id: string; reply: string }; out: ComplaintView }
  'complaints.contact': { in: { id: string }; out: { phone: string } }
  'supervise.kpis': { in: { kind?: PeriodKind; key?: string }; out: KpiReport }
  /** The district's case rates month by month, the last twelve full months. */
  'supervise.kpis.trend': { in: Record<string, never>; out: KpiTrend }
  'supervise.kpis.export': {
    in: { kind?: PeriodKind; key?: string }
    out: { fileId: string; url: string; title: string }
  }
  'admin.schedules.get': { in: { stationId?: string }; out: ScheduleEditorView }
  /**
   * 导入 a sheet, all or nothing: call again with the same kind and file while `status` is
   * `applying` (or `waiting` for an earlier import of that kind); `done` when every row is in.
   */
  'admin.import': {
    in: { kind: 'stations' | 'items' | 'agents'; fileId: string }
    out: {
      batchId: string
      status: 'done' | 'applying' | 'waiting'
      /** Rows in the file, and how many are written so far. */
      imported: number
      applied: number
      message: string
    }
  }
  'admin.schedules.save': {
    in: {
      stationId: string
      kind: ScheduleKind
      hostAgentId?: string
      topic?: string
      periods: OpeningPeriod[]
      exceptions?: { date: string; closed?: boolean; periods?: OpeningPeriod[] }[]
      confirmAffected?: boolean
    }
    out: { schedule: AppointmentSchedule; cancelled: number }
  }
  'admin.booking.saveRules': { in: BookingRules; out: BookingRules }
  /** npm run doctor's cloud-call permission check (management calls only; never the mini-program). */
  'system.probe': {
    in: Record<string, never>
    out: { subscribeMessage: { errCode: number; errMsg: string } }
  }
  'admin.settings.get': {
    in: Record<string, never>
    out: { reminders: ReminderSettings; booking: BookingRules; kpiTargets: KpiTargets }
  }
  /** 指标目标: the percent each rate is judged against on 六项指标 (admins). */
  'admin.kpiTargets.save': { in: Partial<KpiTargets>; out: KpiTargets }
  'admin.reminders.save': { in: Partial<ReminderSettings>; out: ReminderSettings }
  'work.visits.schedule': {
    in: { caseId: string; day: string; start: string; minutes?: number }
    out: DeskBooking
  }
  'work.visits.decline': {
    in: { bookingId: string; reason: string }
    out: { id: string; status: 'declined' }
  }
  'cases.extend': {
    in: { caseId: string; version: number; days: number; reason: string }
    out: CaseView
  }
  'calendar.status': { in: Record<string, never>; out: CalendarStatus }
  'admin.calendar.saveYear': {
    in: { year: number; holidays: string[]; workdays: string[] }
    out: CalendarStatus
  }
  'admin.roster.invite': { in: { agentId: string }; out: { code: string; expiresAt: string } }
  'admin.stations.save': {
    in: Omit<Station, '_id' | 'headAgentId' | 'active' | 'qrFileId'> & {
      _id?: string
      headAgentId?: string | null
      active?: boolean
    }
    out: { id: string }
  }
  'admin.items.save': {
    in: Omit<Item, '_id' | 'fee' | 'homeVisit' | 'published' | 'active'> & {
      _id?: string
      fee?: string
      homeVisit?: boolean
      published?: boolean
      active?: boolean
    }
    out: { id: string }
  }
  'admin.agents.save': {
    in: Omit<Agent, '_id' | 'openid' | 'specialties' | 'leaves' | 'active'> & {
      _id?: string
      specialties?: string[]
      leaves?: Agent['leaves']
      active?: boolean
    }
    out: { id: string }
  }
  /** 擅长类别 of one roster entry (assignment rule 3): admins for any station, a head for their own. */
  'admin.agents.specialties': { in: { agentId: string; specialties: string[] }; out: { id: string } }
  /** 值班表 grid and date overrides; 领导接待日 are kept (they follow `admin.schedules.save`). */
  'admin.rotas.save': {
    in: Pick<DutyRota, 'stationId' | 'weekly'> & Partial<Pick<DutyRota, 'overrides'>>
    out: { id: string }
  }
  /** 结对: admins for any station, a head for their own. */
  'admin.pairings.save': {
    in: Omit<Pairing, '_id' | 'residentOpenid'> & { _id?: string }
    out: { id: string }
  }
  'admin.retire': { in: { kind: 'station' | 'item' | 'agent'; id: string }; out: { id: string } }
  'admin.templates.save': {
    in: { event: NotifyEvent; templateId: string; page: string; fields: Record<string, string> }
    out: { event: NotifyEvent }
  }
  /** 导出 the whole list as .xlsx in the columns the import reads. */
  'admin.export': {
    in: { kind: 'stations' | 'items' | 'agents' }
    out: { fileId: string; url: string; rows: number }
  }
  /** 导入预检: every problem by row and column; nothing is written. */
  'admin.import.check': {
    in: { kind: 'stations' | 'items' | 'agents'; fileId: string }
    out: { ok: boolean; rows: number; errors: ImportRowError[]; message: string }
  }
  /** 导入模板: the import's columns with one example row, as an .xlsx to open or forward. */
  'admin.import.template': {
    in: { kind: 'stations' | 'items' | 'agents' }
    out: { fileId: string; url: string; fileName: string }
  }
  /** 操作记录, newest first (supervisors and admins). */
  'admin.audit.list': {
    in: { kind?: AuditKind; recordId?: string } & PageInput
    out: CursorPage<AuditView>
  }
  /** 移交: an agent's open cases to another agent of the same station, up to 40 per call. */
  'admin.handover': {
    in: { fromAgentId: string; toAgentId: string }
    out: { moved: number; remaining: number; message: string }
  }
  /**
   * 整站移交: every open case of a station (before it is retired) to an agent of a station of the
   * same tier or its parent, up to 40 per call; call again while `remaining` is above 0.
   */
  'admin.handover.station': {
    in: { stationId: string; toAgentId: string }
    out: { moved: number; remaining: number; message: string }
  }
  'admin.stations.list': { in: Record<string, never>; out: { list: AdminStation[] } }
  'admin.items.list': {
    in: { keyword?: string; category?: string; onlyLacking?: boolean; page?: number; pageSize?: number }
    /** With what a new item may choose from: the categories and the proxy modes (value, label). */
    out: Paged<AdminItem> & {
      choices: { categories: string[]; proxyModes: { value: Item['proxyMode']; label: string }[] }
    }
  }
  'admin.agents.list': {
    in: { stationId: string }
    out: {
      stationId: string
      stationName: string
      headAgentId: string | null
      list: AdminAgent[]
      /** The catalog's categories, to pick 擅长类别 from. */
      categories: string[]
      /** What the caller may change here: admins everything, a head their people's 擅长类别. */
      editable: 'all' | 'specialties'
    }
  }
  'admin.rotas.get': {
    in: { stationId: string }
    out: Pick<DutyRota, 'stationId' | 'weekly' | 'overrides' | 'receptionDays'> & {
      stationName: string
      agents: { id: string; name: string; title: string; roleLabel: string }[]
    }
  }
  'admin.pairings.list': {
    in: { stationId: string }
    out: {
      stationId: string
      stationName: string
      agents: { id: string; name: string }[]
      list: (Omit<Pairing, 'residentOpenid'> & { id: string; agentName: string; accepted: boolean })[]
    }
  }
  'admin.templates.get': {
    in: Record<string, never>
    out: {
      variables: string[]
      events: {
        event: NotifyEvent
        label: string
        audience: string
        audienceLabel: string
        template: { templateId: string; page: string; fields: Record<string, string> } | null
      }[]
    }
  }
  /** 测试发送 the event's template to the calling admin. */
  'admin.templates.test': {
    in: { event: NotifyEvent }
    out: { sent: boolean; errCode: number; message: string; templateId: string }
  }
  'admin.calendar.get': {
    in: { year: number }
    out: {
      year: number
      covered: boolean
      enteredByAdmin: boolean
      days: { date: string; kind: 'holiday' | 'workday'; source: 'official' | 'admin' }[]
      status: CalendarStatus
    }
  }
  /** 公示栏 (A3 一栏表) or 明白卡 (A6) of a station as PDF (admins; a head for their own station). */
  'admin.print': {
    in: { stationId: string; kind: 'board' | 'card' }
    out: { fileId: string; url: string; pages: number; bytes: number; fileName: string }
  }
  /** 结对码: the paired agent shows it; the resident scans it (scene `pt=<code>`). */
  'pairings.qrcode': {
    in: { pairingId: string }
    out: { code: string; scene: string; expiresAt: string; url: string }
  }
  'pairings.scan': { in: { code: string }; out: PairingInvite & { accepted: boolean } }
  'pairings.accept': { in: { code: string }; out: PairingInvite & { pairingId: string; accepted: true } }
}

/** What a resident sees before accepting a pairing. */
export interface PairingInvite {
  agentName: string
  agentTitle: string
  stationName: string
  /** The household's name, masked (王*英). */
  residentName: string
}

/** One problem of an imported sheet: spreadsheet row (header = 1), column header, message. */
export interface ImportRowError {
  row: number
  column: string
  message: string
  /** 第 3 行「手机」：…, ready to show. */
  text: string
}

export type AuditKind =
  | 'station'
  | 'item'
  | 'agent'
  | 'rota'
  | 'pairing'
  | 'template'
  | 'reminders'
  | 'booking'
  | 'schedule'
  | 'calendar'
  | 'import'
  | 'handover'

/** One entry of the 操作记录. */
export interface AuditView {
  id: string
  at: string
  who: string
  role: string
  kind: AuditKind
  kindLabel: string
  action: string
  actionLabel: string
  recordId: string
  summary: string
  before: object | null
  after: object | null
}

export interface AdminStation extends Station {
  id: string
  tierLabel: string
  parentName: string
  /** What keeps it from counting as 健全 (无负责人, 无值班表 …); empty when retired. */
  gaps: string[]
}

export interface AdminItem extends Item {
  id: string
  tierLabel: string
  /** What it still lacks to count as fully published (未公开, 缺办理流程 …). */
  lacks: string[]
}

export interface AdminAgent extends Omit<Agent, 'openid'> {
  id: string
  roleLabel: string
  kindLabel: string
  /** Bound to a WeChat user (the openid itself is never sent). */
  bound: boolean
  onLeaveToday: boolean
}

/** 工作日历 coverage: CALENDAR_MISSING when deadlines ahead fall in a year without official data. */
export interface CalendarStatus {
  today: string
  coveredUntil: string | null
  warning: { code: 'CALENDAR_MISSING'; message: string } | null
}

/** 整改 task of a 差评, as the head, a supervisor or the resident sees it. */
export interface RectificationView {
  caseId: string
  caseNo: string | null
  itemName: string
  stationId: string
  status: 'open' | 'verified' | 'fixed' | 'visited' | 'closed'
  statusLabel: string
  ratingLabel: string
  comment: string
  dueDay: string
  overdue: boolean
  /** Staff: the step the task waits for (核实 / 整改 / 回访), null when it is the resident's turn. */
  nextStep: 'verify' | 'fix' | 'visit' | null
  nextStepLabel: string | null
  steps: { label: string; note: string; at: string; byName: string }[]
  fixRatingLabel: string | null
  calendarWarning: string | null
  applicantName?: string
}

/** 监督投诉 as its resident (and, with name and phone, a supervisor) sees it. */
export interface ComplaintView {
  id: string
  stationId: string
  stationName: string
  caseId: string | null
  caseNo: string | null
  text: string
  status: 'open' | 'replied'
  statusLabel: string
  reply: string | null
  createdAt: string
  repliedAt: string | null
  name?: string
  maskedPhone?: string
}

/** 六项指标 report for one period. */
/** 趋势: the four case rates of each of the last twelve full months (oldest first). */
export interface KpiTrend {
  labels: Record<CaseKpiKey, string>
  targets: KpiTargets
  months: { key: string; label: string; rates: Record<CaseKpiKey, Rate> }[]
}

export interface KpiReport {
  period: Period & { prev: string; next: string; complete: boolean }
  /** When the numbers were taken: cases of the period still running count as they stand. */
  asOf: string
  labels: Record<KpiKey, string>
  /** The rates the township ranking used: the case rates every township has this period. */
  rankedOn: KpiKey[]
  /** 指标目标 the rates are judged against (each row's `tones`). */
  targets: KpiTargets
  district: KpiRow
  /** Ranked by score (mean of the measurable rates). */
  townships: KpiRow[]
  stations: KpiRow[]
}

/** A schedule's open days and slots with places left (预约 page). */
export interface ScheduleView {
  id: string
  kind: ScheduleKind
  title: string
  /** 领导接待日: who receives. */
  host: { name: string; title: string } | null
  days: {
    day: string
    label: string
    remaining: number
    slots: { key: string; start: string; end: string; capacity: number; remaining: number }[]
  }[]
}

/** A booking as its resident sees it (我的预约). */
export interface BookingView {
  id: string
  kind: BookingKind
  kindLabel: string
  status: BookingStatus
  statusLabel: string
  station: { id: string; name: string; address: string; location: GeoPoint | null; hotline: string }
  day: string | null
  start: string | null
  end: string | null
  whenText: string
  itemName: string | null
  caseId: string | null
  /** 上门服务: the preferred half days, the address, and why a request was declined. */
  windowsText: string | null
  address: string | null
  maskedPhone: string
  declineReason: string | null
  /** Why the station cancelled it (its opening hours changed). */
  cancelReason: string | null
  canChange: boolean
  canReschedule: boolean
  /** Why it can no longer be changed online (inside the cutoff), for active bookings. */
  changeHint: string | null
}

/** One appointment in the agent's day view. */
export interface DeskBooking {
  id: string
  kind: BookingKind
  kindLabel: string
  start: string
  end: string
  name: string
  maskedPhone: string
  itemName: string | null
  caseId: string | null
  address: string | null
  status: BookingStatus
  statusLabel: string
  /** No-shows within the rules' window; `noShowNote` is set when they are repeated. */
  noShows: number
  noShowNote: string | null
  canArrive: boolean
  canNoShow: boolean
  /** 安排上门: whether the resident was told through WeChat (a walk-in must be phoned). */
  notified?: boolean
}

export interface VisitRequestView extends DeskBooking {
  reason: string
  note: string
  windows: { day: string; part: DayPart; label: string; start: string; end: string; lastStart: string }[]
}

export interface DeskDay {
  day: string
  label: string
  isToday: boolean
  prevDay: string
  nextDay: string
  /** One page of the day's appointments in time order; `counts` cover the whole day. */
  list: DeskBooking[]
  nextCursor: string | null
  counts: { total: number; arrived: number; noShow: number; waiting: number }
  /** One page of the home-visit requests awaiting a time, oldest first, and how many there are. */
  visitRequests: VisitRequestView[]
  visitRequestsTotal: number
  visitNextCursor: string | null
  /** Heads maintain their station's opening hours. */
  canEditSchedule: boolean
}

/** A station's schedules as the editor (head or admin) sees them. */
export interface ScheduleEditorView {
  stationId: string
  stationName: string
  service: AppointmentSchedule | null
  leader: AppointmentSchedule | null
  /** Roster of the station: who may host the 领导接待日. */
  hosts: { id: string; name: string; title: string }[]
}

export interface VisitRequestInput {
  stationId: string
  itemId?: string
  caseId?: string
  name: string
  phone: string
  address: string
  reason: 'elderly' | 'disabled' | 'ill' | 'other'
  windows: { day: string; part: DayPart }[]
  note?: string
}

/** 工作台 tabs: 待受理, 办理中, 即将超期, 已超期, 待反馈. */
export type InboxTab = 'pending' | 'handling' | 'dueSoon' | 'overdue' | 'feedback' | 'upper'

export type ActionName = keyof Actions
