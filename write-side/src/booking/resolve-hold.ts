import { bookingStream } from '@pti/events';
import { executeCalendarCommand, loadCalendar } from '../calendar/calendar-execution.js';
import { loadCentreOf } from '../centre/centre-loading.js';
import { type CommandMeta, requestIds } from '../commands/command-meta.js';
import { executeCommand, loadAggregate } from '../commands/execute-command.js';
import { bookingDecider } from '../domain/booking/booking-decider.js';
import { findReservation } from '../domain/calendar/calendar-state.js';
import type { WriteSideContext } from '../write-side-context.js';
import { bookingContext } from './booking-support.js';
import { settleCalendar } from './settle-calendar.js';

/**
 * What becomes of a hold at its `expiresAt`: the decision the hold timer (sagas issue) takes, from the
 * calendar's `SlotHeld` alone (centre, date, reservation and booking ids). It is also how every crash
 * of a multi-stream command that leaves a hold behind is cleaned up:
 *
 * | the booking named by the hold                       | outcome                                   |
 * | --------------------------------------------------- | ----------------------------------------- |
 * | is confirmed (or further) on this reservation       | `confirmed`: the hold is confirmed        |
 * | is placed on this reservation, hold run out         | `expired`: booking expired, hold released |
 * | does not exist, points elsewhere, or has ended      | `released` once the hold has run out      |
 * | the hold is no longer held, or has not run out      | `nothing`                                 |
 *
 * Idempotent: a timer firing twice, or after a retry finished the work, decides nothing.
 */
export type HoldResolution = 'confirmed' | 'expired' | 'released' | 'nothing';

export interface HoldRef {
  readonly centreId: string;
  readonly date: string;
  readonly reservationId: string;
  readonly bookingId: string;
}

export async function resolveHold(
  ctx: WriteSideContext,
  hold: HoldRef,
  meta: CommandMeta,
): Promise<HoldResolution> {
  const now = ctx.env.now();
  const { state: calendar } = await loadCalendar(ctx, hold.centreId, hold.date);
  const reservation = findReservation(calendar, hold.reservationId);
  if (reservation?.status !== 'held' || reservation.bookingId !== hold.bookingId) return 'nothing';
  const runOut = reservation.expiresAtMs <= now.getTime();
  const { state: booking } = await loadAggregate(ctx.env, bookingStream(hold.bookingId), bookingDecider);
  const ownsIt = booking.status !== 'none' && booking.reservationId === hold.reservationId;

  if (ownsIt && ['confirmed', 'checked_in', 'completed'].includes(booking.status)) {
    await settleCalendar(ctx, booking, meta, now);
    return 'confirmed';
  }
  if (!runOut) return 'nothing';
  if (ownsIt && booking.status === 'placed') {
    const centre = await loadCentreOf(ctx, booking.centreId, meta.origin.tenantId);
    const expired = await executeCommand(ctx.env, {
      stream: bookingStream(hold.bookingId),
      decider: bookingDecider,
      command: { type: 'ExpireBooking', bookingId: hold.bookingId },
      context: bookingContext(ctx, now, { timeZone: centre.state.timeZone }),
      origin: meta.origin,
      eventId: requestIds(meta).eventIds('expire'),
    });
    if (expired.state.status !== 'none') await settleCalendar(ctx, expired.state, meta, now);
    return 'expired';
  }
  await executeCalendarCommand(
    ctx,
    { type: 'ReleaseHold', ...hold, reason: 'expired' },
    meta,
    'release-expired-hold',
    { now },
  );
  return 'released';
}
