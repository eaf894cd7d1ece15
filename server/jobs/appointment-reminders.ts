import { formatInstant, toOutbox } from '../kit/notify'
import {
  BOOKING_KIND_LABELS,
  appointmentRemindersDue,
  dayBeforeWindow,
  type BookingReminder,
} from '../domain/appointments'
import type { Share } from './budget'
import { type RunContext, stopped } from './run-context'

/**
 * 预约 reminders: the day before (sent 09:00–21:00 for tomorrow's appointments) and 2 hours
 * before. Each kind reads only bookings in its window that have not had it (an index range),
 * page by page; every booking read is marked, so reruns and overlapping runs send nothing twice
 * (the outbox key is the second guard). A booking not reached for lack of budget stays in the
 * window for the next run.
 */
export async function appointmentReminders(rc: RunContext, share: Share): Promise<void> {
  const { deps, now, report } = rc
  const windows: [BookingReminder, Date, Date][] = []
  const eve = dayBeforeWindow(now)
  if (eve) windows.push(['dayBefore', eve.from, eve.to])
  windows.push(['soon', now, new Date(now.getTime() + 2 * 3600_000 + 1)])
  const stations = new Map<string, string>()
  for (const [kind, from, to] of windows) {
    for (let page = 0; page < 20; page++) {
      // Per page: the read, station names, the templates, the reminders and the marks.
      if (!share.fits(5)) return stopped(rc, 'appointments')
      const due = await deps.appointments.dueForReminder(kind, from, to, APPOINTMENT_PAGE)
      if (!due.length) break
      // Booked too late for this reminder: still marked, so it leaves the window query.
      const wanted = due.filter((b) =>
        appointmentRemindersDue(
          {
            startsAt: new Date(b.startsAt!),
            day: b.day!,
            createdAt: new Date(b.createdAt),
            reminded: b.reminded ?? [],
          },
          now,
        ).includes(kind),
      )
      const unnamed = wanted
        .filter((b) => b.kind !== 'visit' && !stations.has(b.stationId))
        .map((b) => b.stationId)
      if (unnamed.length)
        for (const [id, name] of await deps.network.stationNames(unnamed)) stations.set(id, name)
      const t = (await rc.templates()).appointmentReminder
      const messages = t
        ? wanted.map((b) =>
            toOutbox(
              now,
              {
                event: 'appointmentReminder',
                key: `${b._id}:${kind}`,
                recipient: b.openid,
                caseId: b.caseId ?? '',
                query: `id=${b._id}`,
                vars: {
                  stationName: b.kind === 'visit' ? '代理员上门服务' : (stations.get(b.stationId) ?? ''),
                  startsAt: formatInstant(new Date(b.startsAt!)),
                  what: b.itemName ?? BOOKING_KIND_LABELS[b.kind],
                  hint:
                    kind === 'dayBefore' ? '明天有预约，不能前往请提前取消' : '预约 2 小时后开始，请带齐材料',
                },
              },
              t,
              rc.calendar,
            ),
          )
        : []
      try {
        await deps.outbox.enqueueMany(messages)
      } catch (err) {
        // Not queued: the bookings stay in the window for the next run.
        console.error('[jobs] appointment reminders not queued', err)
        return
      }
      report.appointmentReminders += wanted.length
      await deps.appointments.markRemindedMany(
        due.map((b) => b._id),
        kind,
      )
      if (due.length < APPOINTMENT_PAGE) break
    }
  }
}

/** Bookings read per query in a reminder window (one insert and one update a page). */
const APPOINTMENT_PAGE = 100
