import { bookingStream, type InspectionResult } from '@pti/events';
import { loadCentreOf } from '../centre/centre-loading.js';
import { type CommandMeta, requestIds } from '../commands/command-meta.js';
import { executeCommand } from '../commands/execute-command.js';
import type { BookingCommand } from '../domain/booking/booking-commands.js';
import { bookingDecider } from '../domain/booking/booking-decider.js';
import type { Booking } from '../domain/booking/booking-state.js';
import type { WriteSideContext } from '../write-side-context.js';
import { loadBookingOf } from './booking-loading.js';
import { type BookingView, bookingContext, bookingView } from './booking-support.js';
import { settleCalendar } from './settle-calendar.js';

/**
 * At the centre: check-in, the result, a no-show. Check-in and result touch the booking only. A
 * no-show also frees the reservation (`settleCalendar`, reason `no_show`): the booking decides first;
 * if the process dies before the calendar append, the reservation merely keeps a past time occupied
 * until a retry or a subscriber of `BookingNoShow` settles it (its time is over anyway).
 */

async function runBookingCommand(
  ctx: WriteSideContext,
  command: Exclude<BookingCommand, { type: 'PlaceBooking' }>,
  meta: CommandMeta,
  step: string,
): Promise<Booking> {
  const now = ctx.env.now();
  const tenantId = meta.origin.tenantId;
  const { booking } = await loadBookingOf(ctx, command.bookingId, tenantId);
  const centre = await loadCentreOf(ctx, booking.centreId, tenantId);
  const execution = await executeCommand(ctx.env, {
    stream: bookingStream(command.bookingId),
    decider: bookingDecider,
    command,
    context: bookingContext(ctx, now, { timeZone: centre.state.timeZone }),
    origin: meta.origin,
    eventId: requestIds(meta).eventIds(step),
  });
  if (execution.state.status === 'none') throw new Error('booking vanished');
  return execution.state;
}

export async function checkInBooking(
  ctx: WriteSideContext,
  input: { readonly bookingId: string; readonly inspectorId?: string | null },
  meta: CommandMeta,
): Promise<BookingView & { readonly inspectorId: string | null }> {
  const booking = await runBookingCommand(
    ctx,
    { type: 'CheckInBooking', bookingId: input.bookingId, inspectorId: input.inspectorId ?? null },
    meta,
    'check-in',
  );
  return { ...bookingView(booking), inspectorId: booking.inspectorId };
}

export async function recordResult(
  ctx: WriteSideContext,
  input: {
    readonly bookingId: string;
    readonly result: InspectionResult;
    readonly inspectorId?: string | null;
  },
  meta: CommandMeta,
): Promise<BookingView & { readonly result: InspectionResult; readonly contreVisiteDueBy: string | null }> {
  const booking = await runBookingCommand(
    ctx,
    {
      type: 'RecordResult',
      bookingId: input.bookingId,
      result: input.result,
      inspectorId: input.inspectorId ?? null,
    },
    meta,
    'result',
  );
  return { ...bookingView(booking), result: input.result, contreVisiteDueBy: booking.contreVisiteDueBy };
}

export async function recordNoShow(
  ctx: WriteSideContext,
  input: { readonly bookingId: string },
  meta: CommandMeta,
): Promise<BookingView> {
  const booking = await runBookingCommand(
    ctx,
    { type: 'RecordNoShow', bookingId: input.bookingId },
    meta,
    'no-show',
  );
  await settleCalendar(ctx, booking, meta);
  return bookingView(booking);
}
