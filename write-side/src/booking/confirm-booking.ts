import { bookingStream } from '@pti/events';
import { calendarContext, dayOf, loadCalendar } from '../calendar/calendar-execution.js';
import { type CommandMeta, requestIds } from '../commands/command-meta.js';
import { executeCommand } from '../commands/execute-command.js';
import type { ConfirmBooking } from '../domain/booking/booking-commands.js';
import { bookingDecider, decideBooking } from '../domain/booking/booking-decider.js';
import { decideCalendar } from '../domain/calendar/calendar-decider.js';
import type { WriteSideContext } from '../write-side-context.js';
import { loadBookingOf } from './booking-loading.js';
import { type BookingView, bookingContext, bookingView } from './booking-support.js';
import { settleCalendar } from './settle-calendar.js';

/**
 * Confirm a placed booking with on-site payment (online payments confirm through the payment saga).
 * Two streams, the booking first, then its calendar (`settleCalendar`):
 *
 *   1. both decisions rehearsed on the current states with one clock, appending nothing: the
 *      booking's (placed, hold still running) and the calendar's `ConfirmHold` (the hold is still
 *      there and its time still free);
 *   2. `ConfirmBooking` on the booking: the decision;
 *   3. `ConfirmHold` on `calendar-<centreId>-<date>`.
 *
 * Crash points:
 * - before 2: nothing was written; the booking expires with its hold unless confirmed again.
 * - between 2 and 3: the booking is confirmed, its reservation still held until `expiresAt`.
 *   A retry (confirming a confirmed booking answers success and settles the calendar), or the hold
 *   timer at `expiresAt` (`resolveHold`: the booking is confirmed with this reservation, so it
 *   confirms the hold instead of releasing it), finishes step 3. `ConfirmHold` still succeeds after
 *   `expiresAt` as long as the time is free; the booking and not the calendar decided, so a hold
 *   lost that way is reported to staff (`settleCalendar`'s `lost`), never silently dropped.
 */
export async function confirmBooking(
  ctx: WriteSideContext,
  input: { readonly bookingId: string; readonly paymentMode: ConfirmBooking['paymentMode'] },
  meta: CommandMeta,
): Promise<BookingView> {
  const now = ctx.env.now();
  const { booking } = await loadBookingOf(ctx, input.bookingId, meta.origin.tenantId);
  if (booking.status === 'confirmed' && booking.paymentMode === input.paymentMode) {
    // Already decided (a retry): only the calendar may still need its half.
    await settleCalendar(ctx, booking, meta, now);
    return bookingView(booking);
  }
  const command: ConfirmBooking = { type: 'ConfirmBooking', ...input };
  const context = bookingContext(ctx, now);
  decideBooking(command, booking, context);
  const date = booking.start.slice(0, 10);
  const day = await dayOf(ctx, booking.centreId, date, meta.origin.tenantId);
  const calendar = await loadCalendar(ctx, booking.centreId, date);
  decideCalendar(
    {
      type: 'ConfirmHold',
      centreId: booking.centreId,
      date,
      reservationId: booking.reservationId,
      bookingId: booking.bookingId,
    },
    calendar.state,
    calendarContext(ctx, day, now, requestIds(meta).idSequence('confirm-rehearsal')),
  );

  const confirmed = await executeCommand(ctx.env, {
    stream: bookingStream(booking.bookingId),
    decider: bookingDecider,
    command,
    context,
    origin: meta.origin,
    eventId: requestIds(meta).eventIds('confirm'),
  });
  if (confirmed.state.status === 'none') throw new Error('booking vanished');
  await settleCalendar(ctx, confirmed.state, meta, now);
  return bookingView(confirmed.state);
}
