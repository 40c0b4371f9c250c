import { type BookingEvent, bookingStream, isLocalDateTime } from '@pti/events';
import { executeCalendarCommand } from '../calendar/calendar-execution.js';
import { loadCentreOf, termsOf } from '../centre/centre-loading.js';
import { type CommandMeta, requestIds } from '../commands/command-meta.js';
import { type CommandExecution, executeCommand } from '../commands/execute-command.js';
import type { BookingActor, HeldReservation, RescheduleBooking } from '../domain/booking/booking-commands.js';
import { bookingDecider, decideBooking } from '../domain/booking/booking-decider.js';
import { appointmentDateAndTime } from '../domain/booking/booking-rules.js';
import type { BookingState } from '../domain/booking/booking-state.js';
import { findReservation } from '../domain/calendar/calendar-state.js';
import { centreDayConfiguration } from '../domain/centre/centre-day-configuration.js';
import { durationMinutes } from '../domain/durations/duration-matrix.js';
import { DomainError, isDomainError } from '../domain/shared/domain-error.js';
import { addMinutesToInstant } from '../domain/shared/local-time.js';
import type { WriteSideContext } from '../write-side-context.js';
import { loadBookingOf } from './booking-loading.js';
import { type BookingView, bookingContext, bookingView, heldReservation } from './booking-support.js';
import { settleCalendar } from './settle-calendar.js';

/**
 * Reschedule a confirmed booking to another start, day or centre (of the same network). Up to three
 * streams; the new slot is held before anything else changes, so a failure leaves the booking
 * exactly as it was:
 *
 *   1. the booking decision rehearsed on a stand-in hold (status, the customer's cut-off, the new
 *      centre's price list), appending nothing;
 *   2. `HoldSlot` on the new day's calendar, for this booking;
 *   3. `RescheduleBooking` on the booking, with that hold: the decision. Refused (the booking changed
 *      in between)? the new hold is released at once and the refusal answered;
 *   4. `settleCalendar`: `ConfirmHold` of the new reservation, then release/free of the old one.
 *
 * Crash points:
 * - between 2 and 3: an orphan hold on the new day; the booking still points at its old, confirmed
 *   reservation. The hold timer (`resolveHold`) releases it at `expiresAt` (its booking points
 *   elsewhere). A retry with the same Idempotency-Key re-derives the same reservation id and goes on.
 * - between 3 and 4: the booking has moved; its new reservation is still only held and the old one
 *   still occupies the old time. A retry (the booking already holds this reservation: answered as
 *   done after settling), a subscriber of `BookingRescheduled`, or the hold timer of the new hold (the
 *   booking is confirmed on it: confirm) finishes step 4; the old time is lost capacity meanwhile,
 *   never a double booking.
 *
 * A same-day move holds the new time while the old is still held, so it must not need the very
 * inspector time the booking already occupies (moving by a quarter of an hour with one inspector is
 * refused as SLOT_TAKEN: cancel and book again, or ask staff to reassign).
 */
export interface RescheduleBookingInput {
  readonly bookingId: string;
  /** Another centre of the network; absent: the booking's centre. */
  readonly centreId?: string | null;
  /** Local `YYYY-MM-DDTHH:MM`. */
  readonly start: string;
  readonly inspectorId?: string | null;
  readonly by: BookingActor;
}

export async function rescheduleBooking(
  ctx: WriteSideContext,
  input: RescheduleBookingInput,
  meta: CommandMeta,
): Promise<BookingView & { readonly inspectorId: string | null }> {
  const now = ctx.env.now();
  const tenantId = meta.origin.tenantId;
  const ids = requestIds(meta);
  if (!isLocalDateTime(input.start)) {
    throw new DomainError('INVALID_COMMAND', 'start is not an existing local YYYY-MM-DDTHH:MM', {
      field: 'start',
    });
  }
  const { booking } = await loadBookingOf(ctx, input.bookingId, tenantId);
  const reservationId = ids.id('reschedule-reservation');
  const centreId = input.centreId ?? booking.centreId;
  const { date, time } = appointmentDateAndTime(input.start);
  if (booking.reservationId === reservationId) {
    // This very request already moved the booking (a retry): finish the calendar half.
    await settleCalendar(ctx, booking, meta, now);
    return { ...bookingView(booking), inspectorId: null };
  }
  const [current, target] = await Promise.all([
    loadCentreOf(ctx, booking.centreId, tenantId),
    loadCentreOf(ctx, centreId, tenantId),
  ]);
  const day = centreDayConfiguration(target.state, date);
  const centres = { [booking.centreId]: termsOf(current.state), [centreId]: termsOf(target.state) };
  const context = bookingContext(ctx, now, { centres, timeZone: current.state.timeZone });
  const minutes = durationMinutes(
    ctx.durationMatrix,
    booking.controlType,
    booking.vehicle.category,
    booking.vehicle.fuel,
  );
  const profile = { category: booking.vehicle.category, fuel: booking.vehicle.fuel };
  const command = (hold: HeldReservation): RescheduleBooking => ({
    type: 'RescheduleBooking',
    bookingId: booking.bookingId,
    by: input.by,
    hold,
  });

  // 1. Rehearsal.
  decideBooking(
    command({
      centreId,
      date,
      reservationId,
      bookingId: booking.bookingId,
      start: time,
      durationMinutes: minutes,
      controlType: booking.controlType,
      vehicle: profile,
      expiresAt: addMinutesToInstant(now, day.policy.holdMinutes).toISOString(),
    }),
    booking,
    context,
  );

  // 2. The new hold.
  const held = await executeCalendarCommand(
    ctx,
    {
      type: 'HoldSlot',
      centreId,
      date,
      reservationId,
      bookingId: booking.bookingId,
      start: time,
      durationMinutes: minutes,
      controlType: booking.controlType,
      vehicle: profile,
      inspectorId: input.inspectorId ?? null,
    },
    meta,
    'reschedule-hold',
    { now, day },
  );
  const reservation = findReservation(held.state, reservationId);
  if (!reservation) throw new Error(`hold ${reservationId} missing after HoldSlot`);

  // 3. The decision.
  let moved: CommandExecution<BookingState, BookingEvent>;
  try {
    moved = await executeCommand(ctx.env, {
      stream: bookingStream(booking.bookingId),
      decider: bookingDecider,
      command: command(heldReservation(reservation, centreId, date)),
      context,
      origin: meta.origin,
      eventId: ids.eventIds('reschedule'),
    });
  } catch (error) {
    if (isDomainError(error)) {
      await executeCalendarCommand(
        ctx,
        {
          type: 'ReleaseHold',
          centreId,
          date,
          reservationId,
          bookingId: booking.bookingId,
          reason: 'cancelled',
        },
        meta,
        'reschedule-abandon',
        { now, day },
      );
    }
    throw error;
  }
  if (moved.state.status === 'none') throw new Error('booking vanished');

  // 4. The calendars follow.
  await settleCalendar(ctx, moved.state, meta, now);
  return { ...bookingView(moved.state), inspectorId: reservation.inspectorId };
}
