import { createHash } from 'node:crypto';
import { bookingStream, type PaymentProvider as PaymentProviderName } from '@pti/events';
import {
  type Booking,
  type BookingCommand,
  bookingContext,
  bookingDecider,
  type CalendarCommand,
  type CommandMeta,
  executeCalendarCommand,
  executeCommand,
  isDomainError,
  loadBookingOf,
  loadCentreOf,
  type WriteSideContext,
} from '@pti/write-side';
import type { SagaOrigin } from '../runtime/saga.js';
import type { CommandOutcome, ExpireBookingOutcome, SagaCommands } from './saga-commands.js';

/**
 * The sagas' command port over the write side's command machinery (the production wiring of
 * `SagaCommands`): the same deciders, state cache, tenant checks and conflict retries as the HTTP
 * command routes, through `executeCommand` / `executeCalendarCommand`.
 *
 * Event ids are derived from the command (its name, input and the saga's causation): a saga that
 * re-sends a command after a crash re-appends the very same ids, which the ledger stores once, and
 * a command the decider now refuses because it was applied is recognised as applied (`unchanged`).
 */
export function createWriteSideSagaCommands(ctx: WriteSideContext): SagaCommands {
  return {
    async expireBooking({ bookingId }, origin): Promise<ExpireBookingOutcome> {
      const outcome = await bookingOutcome(ctx, { type: 'ExpireBooking', bookingId }, origin);
      if (outcome.outcome !== 'refused') return { outcome: 'expired' };
      switch (outcome.reason ?? outcome.code) {
        case 'BOOKING_NOT_FOUND':
          return { outcome: 'not_found' };
        case 'ALREADY_CONFIRMED':
          return { outcome: 'confirmed' };
        case 'BOOKING_CANCELLED':
          return { outcome: 'ended', status: 'cancelled' };
        case 'BOOKING_NO_SHOW':
          return { outcome: 'ended', status: 'no_show' };
        case 'HOLD_NOT_EXPIRED': {
          const { booking } = await loadBookingOf(ctx, bookingId, origin.tenantId);
          return { outcome: 'hold_running', holdExpiresAt: booking.holdExpiresAt };
        }
        default:
          // Not a transient failure, and not an answer the port knows: the saga's timer dead-letters it.
          throw new Error(`unexpected ExpireBooking refusal: ${outcome.code} ${outcome.message}`);
      }
    },
    releaseHold: (input, origin) => calendarOutcome(ctx, { type: 'ReleaseHold', ...input }, origin),
    confirmHold: (input, origin) => calendarOutcome(ctx, { type: 'ConfirmHold', ...input }, origin),
    freeReservation: (input, origin) => calendarOutcome(ctx, { type: 'FreeReservation', ...input }, origin),
    recordPaymentSucceeded: (input, origin) =>
      bookingOutcome(ctx, { type: 'RecordPaymentSucceeded', ...input }, origin),
    recordPaymentFailed: (input, origin) =>
      bookingOutcome(ctx, { type: 'RecordPaymentFailed', ...input }, origin),
    recordResult: (input, origin) => bookingOutcome(ctx, { type: 'RecordResult', ...input }, origin),
  };
}

/**
 * `RequestPayment` on a booking (the motorist's "pay" route): returns the amount the decider asked
 * for, or the amount of that payment when it was already requested (a retried request).
 */
export async function requestBookingPayment(
  ctx: WriteSideContext,
  input: { readonly bookingId: string; readonly paymentId: string; readonly provider: PaymentProviderName },
  meta: CommandMeta,
): Promise<{ readonly booking: Booking; readonly amountCents: number }> {
  const execution = await runBookingCommand(
    ctx,
    { type: 'RequestPayment', ...input },
    meta,
    'request-payment',
  );
  const booking = execution.state;
  if (booking.status === 'none') throw new Error('booking vanished');
  const requested = execution.events.find((event) => event.type === 'PaymentRequested');
  if (requested?.type === 'PaymentRequested') return { booking, amountCents: requested.data.amountCents };
  const known = booking.payments.find((payment) => payment.paymentId === input.paymentId);
  if (known === undefined) throw new Error(`payment ${input.paymentId} was neither requested nor recorded`);
  return { booking, amountCents: known.amountCents };
}

/** A command's identity: the same command from the same cause derives the same event ids. */
function metaOf(origin: SagaOrigin, command: object): CommandMeta {
  const digest = createHash('sha256')
    .update(JSON.stringify(command))
    .update('\u0000')
    .update(origin.causationId ?? origin.correlationId)
    .digest('hex');
  return {
    origin: {
      tenantId: origin.tenantId,
      actor: origin.actor,
      correlationId: origin.correlationId,
      causationId: origin.causationId,
    },
    idempotencyKey: `saga:${origin.actor.id}:${digest}`,
  };
}

async function runBookingCommand(
  ctx: WriteSideContext,
  command: Exclude<BookingCommand, { type: 'PlaceBooking' }>,
  meta: CommandMeta,
  step: string,
) {
  const tenantId = meta.origin.tenantId;
  const { booking } = await loadBookingOf(ctx, command.bookingId, tenantId);
  const centre = await loadCentreOf(ctx, booking.centreId, tenantId);
  const ids = meta.idempotencyKey === undefined ? undefined : eventIdsOf(meta.idempotencyKey, step);
  return executeCommand(ctx.env, {
    stream: bookingStream(command.bookingId),
    decider: bookingDecider,
    command,
    context: bookingContext(ctx, ctx.env.now(), { timeZone: centre.state.timeZone }),
    origin: meta.origin,
    ...(ids === undefined ? {} : { eventId: ids }),
  });
}

/** Deterministic uuids (v4 layout) for the events of one keyed command. */
function eventIdsOf(key: string, step: string): (index: number) => string {
  return (index) => {
    const hex = createHash('sha256').update(`${key}\u0000${step}\u0000${index}`).digest('hex');
    const variant = ((Number.parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  };
}

async function bookingOutcome(
  ctx: WriteSideContext,
  command: Exclude<BookingCommand, { type: 'PlaceBooking' }>,
  origin: SagaOrigin,
): Promise<CommandOutcome> {
  return outcomeOf(async () => {
    const execution = await runBookingCommand(ctx, command, metaOf(origin, command), command.type);
    return execution.events.length > 0 && !execution.replayed;
  });
}

async function calendarOutcome(
  ctx: WriteSideContext,
  command: CalendarCommand,
  origin: SagaOrigin,
): Promise<CommandOutcome> {
  return outcomeOf(async () => {
    const execution = await executeCalendarCommand(ctx, command, metaOf(origin, command), command.type);
    return execution.events.length > 0 && !execution.replayed;
  });
}

/** Domain refusals become `refused`; anything else (store down, conflicts exhausted) is thrown. */
async function outcomeOf(run: () => Promise<boolean>): Promise<CommandOutcome> {
  try {
    return (await run()) ? { outcome: 'applied' } : { outcome: 'unchanged' };
  } catch (error) {
    if (!isDomainError(error)) throw error;
    const reason = error.details.reason;
    return {
      outcome: 'refused',
      code: error.code,
      message: error.message,
      ...(typeof reason === 'string' ? { reason } : {}),
    };
  }
}
