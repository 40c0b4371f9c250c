import { bookingStream, type CancellationReason } from '@pti/events';
import { loadCentreOf, termsOf } from '../centre/centre-loading.js';
import { type CommandMeta, requestIds } from '../commands/command-meta.js';
import { executeCommand } from '../commands/execute-command.js';
import type { BookingActor, CancelBooking } from '../domain/booking/booking-commands.js';
import { bookingDecider } from '../domain/booking/booking-decider.js';
import type { WriteSideContext } from '../write-side-context.js';
import { loadBookingOf } from './booking-loading.js';
import { type BookingView, bookingContext, bookingView } from './booking-support.js';
import { settleCalendar } from './settle-calendar.js';

/**
 * Cancel a booking: by the customer (manage link) before the centre's cut-off, by staff at any time
 * with a reason. Two streams, the booking first (it holds the rules: status, cut-off, refund
 * eligibility), then its calendar (`settleCalendar`: release the hold, or free the confirmed
 * reservation, which hands the time to overbooked reservations and the waitlist).
 *
 * Crash points:
 * - before the booking append: nothing was written.
 * - between the two appends: the booking is cancelled, its reservation still occupies the time. A
 *   held one stops counting at `expiresAt` and the hold timer releases it (`resolveHold`: the booking
 *   is cancelled); a confirmed one stays until a retry (cancelling a cancelled booking answers success
 *   and settles the calendar) or a subscriber of `BookingCancelled` runs `settleCalendar`. Until then
 *   the slot is lost capacity, never a double booking.
 */
export interface CancelBookingInput {
  readonly bookingId: string;
  readonly by: BookingActor;
  readonly reason: CancellationReason;
  readonly comment?: string | null;
}

export async function cancelBooking(
  ctx: WriteSideContext,
  input: CancelBookingInput,
  meta: CommandMeta,
): Promise<BookingView & { readonly refundEligible: boolean }> {
  const now = ctx.env.now();
  const tenantId = meta.origin.tenantId;
  const { booking } = await loadBookingOf(ctx, input.bookingId, tenantId);
  if (booking.status === 'cancelled') {
    await settleCalendar(ctx, booking, meta, now);
    return { ...bookingView(booking), refundEligible: booking.cancellation?.refundEligible ?? false };
  }
  const centre = await loadCentreOf(ctx, booking.centreId, tenantId);
  const command: CancelBooking = {
    type: 'CancelBooking',
    bookingId: input.bookingId,
    by: input.by,
    reason: input.reason,
    comment: input.comment ?? null,
  };
  const cancelled = await executeCommand(ctx.env, {
    stream: bookingStream(input.bookingId),
    decider: bookingDecider,
    command,
    context: bookingContext(ctx, now, {
      centres: { [booking.centreId]: termsOf(centre.state) },
      timeZone: centre.state.timeZone,
    }),
    origin: meta.origin,
    eventId: requestIds(meta).eventIds('cancel'),
  });
  if (cancelled.state.status === 'none') throw new Error('booking vanished');
  await settleCalendar(ctx, cancelled.state, meta, now);
  return {
    ...bookingView(cancelled.state),
    refundEligible: cancelled.state.cancellation?.refundEligible ?? false,
  };
}
