import { inspectorObstacle } from '../availability/start-evaluation.js';
import type { CentreDayConfiguration } from '../centre/centre-day-configuration.js';
import { containedInOne, overlaps, periodOnDay } from '../shared/minute-intervals.js';
import { type CalendarState, isLive, type Reservation } from './calendar-state.js';

/**
 * What a change of the centre does to reservations already in a calendar.
 *
 * Absences (and schedule or accreditation changes, removals, closures) are decided by the Centre
 * aggregate, which cannot touch calendar streams. From the moment the change is recorded, the
 * calendar refuses new holds that contradict it (the day configuration includes it); existing
 * holds and confirmed reservations are left as they are, never silently dropped. A process (the
 * staff UI or a saga reacting to `InspectorAbsenceDeclared`) lists them with these helpers and
 * moves each one with `ReassignInspector` (reason `absence`; `toInspectorId: null` lets the
 * balancing rule pick a free qualified inspector), or cancels the booking when nobody is free.
 */

export interface AbsencePeriod {
  readonly inspectorId: string;
  /** Local `YYYY-MM-DDTHH:MM`, inclusive. */
  readonly from: string;
  /** Local `YYYY-MM-DDTHH:MM`, exclusive. */
  readonly to: string;
}

/**
 * The reservations of the absent inspector that overlap the absence on this calendar's day:
 * confirmed ones and holds (only unexpired holds when `now` is given).
 */
export function reservationsAffectedByAbsence(
  state: CalendarState,
  absence: AbsencePeriod,
  now?: Date,
): Reservation[] {
  if (state.date === null) return [];
  const interval = periodOnDay(absence, state.date);
  if (!interval) return [];
  const nowMs = now?.getTime() ?? Number.NEGATIVE_INFINITY;
  return state.reservations.filter(
    (reservation) =>
      reservation.inspectorId === absence.inspectorId &&
      isLive(reservation, nowMs) &&
      overlaps(reservation.interval, interval),
  );
}

export interface ReservationConflict {
  readonly reservation: Reservation;
  /** Why the reservation no longer fits today's configuration. */
  readonly reason:
    | 'centre_closed'
    | 'outside_opening_hours'
    | 'inspector_gone'
    | 'inspector_unavailable'
    | 'not_accredited';
}

/**
 * Live reservations that the current day configuration no longer supports (closure added, hours
 * shortened, inspector removed, absent, rescheduled or with fewer accreditations), with the reason.
 * Overbooked reservations without an inspector are checked against opening hours only.
 */
export function reservationsInConflictWithDay(
  day: CentreDayConfiguration,
  state: CalendarState,
  now: Date,
): ReservationConflict[] {
  const nowMs = now.getTime();
  const conflicts: ReservationConflict[] = [];
  for (const reservation of state.reservations) {
    if (!isLive(reservation, nowMs)) continue;
    if (day.closure || day.opening.length === 0) {
      conflicts.push({ reservation, reason: 'centre_closed' });
      continue;
    }
    if (!containedInOne(day.opening, reservation.interval)) {
      conflicts.push({ reservation, reason: 'outside_opening_hours' });
      continue;
    }
    if (reservation.inspectorId === null) continue;
    const inspector = day.inspectors.find((candidate) => candidate.inspectorId === reservation.inspectorId);
    if (!inspector) {
      conflicts.push({ reservation, reason: 'inspector_gone' });
      continue;
    }
    const obstacle = inspectorObstacle(
      state,
      inspector,
      reservation.vehicle,
      reservation.interval,
      nowMs,
      reservation.reservationId,
    );
    if (obstacle?.code === 'NOT_ACCREDITED') conflicts.push({ reservation, reason: 'not_accredited' });
    else if (obstacle?.code === 'INSPECTOR_UNAVAILABLE')
      conflicts.push({ reservation, reason: 'inspector_unavailable' });
  }
  return conflicts;
}
