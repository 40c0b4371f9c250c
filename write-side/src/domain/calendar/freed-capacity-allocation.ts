import { availableStarts } from '../availability/available-starts.js';
import { inspectorLoads, pickBalancedInspector } from '../availability/inspector-balancing.js';
import {
  dailyCapacityReached,
  freeInspectors,
  unassignedOverbooked,
} from '../availability/start-evaluation.js';
import { checkedEvent } from '../shared/checked-event.js';
import { addMinutesToInstant } from '../shared/local-time.js';
import type { CalendarContext } from './calendar-commands.js';
import { type CalendarDecision, record } from './calendar-decision.js';

/**
 * After a command frees time (release, free, unblock, reassignment away from an inspector, a
 * waitlist offer given back), the freed time goes, in this order:
 * 1. to overbooked reservations still without an inspector, earliest start first (then in the
 *    order they were held): each gets the free qualified inspector that balances the day
 *    (`OverbookedReservationAssigned`), as long as the daily capacity allows;
 * 2. then to the waitlist, in joining order: each waiting entry with a bookable, non-overbooked
 *    start inside its window is offered the earliest one as a new hold for a new booking id
 *    (`WaitlistOfferMade` + `SlotHeld` with the entry id, expiring after the policy's hold
 *    minutes). An entry already holding an offer is skipped.
 */
export function allocateFreedCapacity(decision: CalendarDecision, context: CalendarContext): void {
  const { day, now } = context;
  const nowMs = now.getTime();

  const waiting = unassignedOverbooked(decision.state, nowMs)
    .map((reservation, index) => ({ reservation, index }))
    .sort((a, b) => a.reservation.interval.from - b.reservation.interval.from || a.index - b.index);
  for (const { reservation } of waiting) {
    if (dailyCapacityReached(day, decision.state, nowMs)) break;
    const free = freeInspectors(day, decision.state, reservation.vehicle, reservation.interval, nowMs);
    const chosen = pickBalancedInspector(free, inspectorLoads(decision.state, nowMs));
    if (chosen === undefined) continue;
    record(
      decision,
      checkedEvent('OverbookedReservationAssigned', {
        centreId: day.centreId,
        date: day.date,
        reservationId: reservation.reservationId,
        bookingId: reservation.bookingId,
        inspectorId: chosen,
      }),
    );
  }

  for (const entry of decision.state.waitlist) {
    if (entry.status !== 'waiting') continue;
    const [offer] = availableStarts(
      day,
      decision.state,
      { ...entry.vehicle, controlType: entry.controlType, durationMinutes: entry.durationMinutes },
      now,
      {
        stepMinutes: context.stepMinutes,
        allowOverbooking: false,
        earliestStart: entry.earliestStart,
        latestStart: entry.latestStart,
      },
    );
    if (!offer) continue;
    const reservationId = context.newId();
    const bookingId = context.newId();
    const expiresAt = addMinutesToInstant(now, day.policy.holdMinutes).toISOString();
    record(
      decision,
      checkedEvent('WaitlistOfferMade', {
        centreId: day.centreId,
        date: day.date,
        entryId: entry.entryId,
        reservationId,
        bookingId,
        start: offer.start,
        expiresAt,
      }),
    );
    record(
      decision,
      checkedEvent('SlotHeld', {
        centreId: day.centreId,
        date: day.date,
        reservationId,
        bookingId,
        start: offer.start,
        end: offer.end,
        durationMinutes: entry.durationMinutes,
        inspectorId: offer.inspectorId,
        overbooked: false,
        controlType: entry.controlType,
        vehicle: entry.vehicle,
        expiresAt,
        waitlistEntryId: entry.entryId,
      }),
    );
  }
}
