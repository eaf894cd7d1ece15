import type { CaseState } from '../../typings/vocabulary'
import { OPEN_STATES } from '../../typings/vocabulary'
import type { RectifyStatus } from '../domain/rectification'
import type { Database } from './db'

/** Cases someone still has to act on: open ones, and completed ones still to be delivered (送达). */
export const HELD_STATES: readonly CaseState[] = [...OPEN_STATES, 'completed']

/** 整改 not yet closed: with the head, or visited and waiting for the resident's verdict. */
const OPEN_RECTIFY: readonly RectifyStatus[] = ['open', 'verified', 'fixed', 'visited']

/** A case to hand on, without its contents: the id, its version and which side the agent holds. */
export interface HeldCase {
  caseId: string
  version: number
  /** 'own': the agent is the case's assignee; 'upper': the agent holds a 上报件 at the parent station. */
  side: 'own' | 'upper'
}

/**
 * Open work that keeps a station or an agent from being retired (移交 before 停用). Reads ids and
 * versions only: an admin hands cases on without reading what they are about.
 */
export class HandoverRepository {
  constructor(private readonly db: Database) {}

  /** Open cases an agent holds, as assignee or as the upper station's assignee (indexed). */
  heldBy(agentId: string, limit: number): Promise<{ list: HeldCase[]; total: number }> {
    // An escalated case the agent also owns at their own station is handed on as 'own' first.
    return this.held(
      { assignedAgentId: agentId },
      { 'upper.agentId': agentId },
      'assignedAgentId',
      agentId,
      limit,
    )
  }

  /**
   * A page of the open cases a station holds (its own, then 上报件 waiting at it), ids and
   * versions only, with how many there are. A case handed on leaves both queries, so calling
   * again until the total is 0 walks the whole station without a cursor; a case skipped because
   * someone acted on it meanwhile is simply found again by the next call. A case owned and decided
   * here alike (a 整站移交 to the parent made such cases before it was refused while the parent
   * works on them) is handed on as 'own' first; its upper side is then found by the next call.
   */
  heldAtStation(stationId: string, limit: number): Promise<{ list: HeldCase[]; total: number }> {
    return this.held({ stationId }, { 'upper.stationId': stationId }, 'stationId', stationId, limit)
  }

  /** Own cases (`own`) then 上报件 waiting (`upper`), a page of ids and versions, and the total. */
  private async held(
    own: Record<string, string>,
    upper: Record<string, string>,
    ownerField: 'assignedAgentId' | 'stationId',
    owner: string,
    limit: number,
  ): Promise<{ list: HeldCase[]; total: number }> {
    const _ = this.db.command
    const ownQ = this.db.collection('cases').where({ ...own, state: _.in([...HELD_STATES]) })
    const upperQ = this.db.collection('cases').where({ ...upper, state: 'escalated' })
    const [o, u, ownPage, upperPage] = await Promise.all([
      ownQ.count(),
      upperQ.count(),
      ownQ.field({ version: true }).orderBy('_id', 'asc').limit(limit).get(),
      upperQ
        .field({ version: true, [ownerField]: true })
        .orderBy('_id', 'asc')
        .limit(limit)
        .get(),
    ])
    const list: HeldCase[] = [
      ...ownPage.data.map((d) => ({
        caseId: String(d._id),
        version: Number(d.version),
        side: 'own' as const,
      })),
      ...upperPage.data
        .filter((d) => d[ownerField] !== owner)
        .map((d) => ({ caseId: String(d._id), version: Number(d.version), side: 'upper' as const })),
    ].slice(0, limit)
    return { list, total: o.total + u.total }
  }

  /**
   * How many of a station's own cases are 上报件 being worked on at `upperStationId`. Handing the
   * station on to that very station would make it both owner and decider of them, and nobody
   * could then take the upper steps (callerOf gives its staff the owner's relation).
   */
  async escalatedTo(stationId: string, upperStationId: string): Promise<number> {
    const { total } = await this.db
      .collection('cases')
      .where({ stationId, state: 'escalated', 'upper.stationId': upperStationId })
      .count()
    return total
  }

  /** How many open cases a station holds: its own, and 上报件 waiting at it (two counts). */
  async openAtStation(stationId: string): Promise<number> {
    const _ = this.db.command
    const [own, upper] = await Promise.all([
      this.db
        .collection('cases')
        .where({ stationId, state: _.in([...HELD_STATES]) })
        .count(),
      this.db.collection('cases').where({ 'upper.stationId': stationId, state: 'escalated' }).count(),
    ])
    return own.total + upper.total
  }

  /**
   * What else a station still holds once its cases are handed on: active child stations, 整改
   * not yet closed, and appointments still to happen (booked from `today` on, and home-visit
   * requests waiting for a time). Counts only, each on an index (stations.parent,
   * rectifications.station_status, bookings.station_status).
   */
  async leftAtStation(
    stationId: string,
    today: string,
  ): Promise<{ children: number; rectifications: number; appointments: number }> {
    const _ = this.db.command
    const [children, rectifications, booked, requested] = await Promise.all([
      this.db.collection('stations').where({ parentId: stationId, active: true }).count(),
      this.db
        .collection('rectifications')
        .where({ stationId, status: _.in([...OPEN_RECTIFY]) })
        .count(),
      this.db
        .collection('bookings')
        .where({ stationId, status: 'booked', day: _.gte(today) })
        .count(),
      this.db.collection('bookings').where({ stationId, status: 'requested' }).count(),
    ])
    return {
      children: children.total,
      rectifications: rectifications.total,
      appointments: booked.total + requested.total,
    }
  }
}
