import type cloud from 'wx-server-sdk'
import type { Deps } from '../kit/context'
import { wxPlatform } from './platform'
import type { Database } from '../repositories/db'
import { CaseRepository } from '../repositories/cases'
import { ClaimRepository } from '../repositories/claims'
import { NetworkRepository } from '../repositories/network'
import { OutboxRepository } from '../repositories/outbox'
import { AppointmentRepository } from '../repositories/appointments'
import { ComplaintRepository } from '../repositories/complaints'
import { AccessLogRepository } from '../repositories/access-log'
import { RectificationRepository } from '../repositories/rectifications'
import { RosterRepository } from '../repositories/roster'
import { SettingsRepository } from '../repositories/settings'
import { AuditRepository } from '../repositories/audit'
import { PairingTokenRepository } from '../repositories/pairing-tokens'
import { HandoverRepository } from '../repositories/handover'

/** Wires repositories and platform services to an initialised wx-server-sdk (one per instance). */
export function makeDeps(sdk: typeof cloud): Deps {
  const db = sdk.database() as unknown as Database
  return {
    network: new NetworkRepository(db),
    settings: new SettingsRepository(db),
    roster: new RosterRepository(db),
    cases: new CaseRepository(db),
    claims: new ClaimRepository(db),
    outbox: new OutboxRepository(db),
    appointments: new AppointmentRepository(db),
    complaints: new ComplaintRepository(db),
    accessLog: new AccessLogRepository(db),
    rectifications: new RectificationRepository(db),
    audit: new AuditRepository(db),
    pairingTokens: new PairingTokenRepository(db),
    handover: new HandoverRepository(db),
    platform: wxPlatform(sdk),
  }
}
