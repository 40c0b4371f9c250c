import type { PaymentFailureReason, PaymentProvider as PaymentProviderName } from '@pti/events';
import { describeRefusal, type SagaCommands } from '../commands/saga-commands.js';
import {
  type EventContext,
  originFromPayload,
  originOf,
  originPayload,
  PermanentSagaError,
  payloadOptionalString,
  payloadString,
  type SagaDefinition,
  type SagaEvent,
  type TimerContext,
  type TimerOutcome,
} from '../runtime/saga.js';
import { type PaymentProvider, PaymentProviderError } from './payment-provider.js';
import {
  orderOf,
  paymentBookingOf,
  paymentMigrations,
  setOrderStatus,
  upsertOrder,
} from './payment-store.js';

/**
 * Payment (DESIGN.md §7). The provider's verified outcome (see `payment-service.ts`) becomes a job
 * that records it on the booking: success confirms (the booking decider confirms while the hold
 * runs); failure, decline, abandon or timeout records the failure, then expires the booking and
 * releases its slot. Money that ends up without a slot is refunded:
 *
 * - a cancellation the decider marked `refundEligible` (within policy, or not the customer's doing);
 * - a booking that expired although a payment succeeded (it came in after the hold ran out);
 * - a payment that succeeded on a booking already confirmed, cancelled or expired.
 *
 * Each refund is a job keyed by the payment id and runs once (the order row records it).
 */
export const PAYMENT_SAGA = 'payment';

export const APPLY_OUTCOME = 'apply-outcome';
const PAYMENT_TIMEOUT = 'payment-timeout';
const RELEASE_AFTER_FAILURE = 'release-after-failure';
const REFUND = 'refund';

/** Booking statuses at which a newly succeeded payment has no slot to pay for. */
const NOTHING_TO_PAY_FOR = new Set(['confirmed', 'expired', 'cancelled']);

const FAILURE_REASONS: readonly PaymentFailureReason[] = [
  'declined',
  'abandoned',
  'timeout',
  'provider_error',
];

export interface PaymentSagaDeps {
  readonly commands: SagaCommands;
  readonly providers: readonly PaymentProvider[];
}

async function setBookingStatus(ctx: EventContext, bookingId: string, status: string): Promise<void> {
  await ctx.tx.query(
    `update ${ctx.schema}.payment_bookings set status = $2, updated_at = $3 where booking_id = $1`,
    [bookingId, status, ctx.now],
  );
}

/** Schedules a refund of every succeeded, not yet refunded payment of the booking. */
async function refundSucceeded(ctx: EventContext, event: SagaEvent, bookingId: string): Promise<void> {
  const { rows } = await ctx.tx.query<{ payment_id: string }>(
    `select payment_id from ${ctx.schema}.payment_orders where booking_id = $1 and status = 'succeeded'`,
    [bookingId],
  );
  for (const row of rows) {
    await ctx.timers.schedule(REFUND, row.payment_id, ctx.now, {
      paymentId: row.payment_id,
      origin: originPayload(originOf(PAYMENT_SAGA, event)),
    });
  }
}

async function onEvent(event: SagaEvent, ctx: EventContext): Promise<void> {
  const { tx, schema, now } = ctx;
  const origin = originOf(PAYMENT_SAGA, event);
  switch (event.type) {
    case 'BookingPlaced': {
      const data = event.data;
      await tx.query(
        `insert into ${schema}.payment_bookings
           (booking_id, tenant_id, status, centre_id, date, reservation_id, hold_expires_at, updated_at)
         values ($1, $2, 'placed', $3, $4, $5, $6, $7) on conflict (booking_id) do nothing`,
        [
          data.bookingId,
          event.metadata.tenantId,
          data.centreId,
          data.start.slice(0, 10),
          data.reservationId,
          data.holdExpiresAt,
          now,
        ],
      );
      return;
    }
    case 'BookingConfirmed':
      return setBookingStatus(ctx, event.data.bookingId, 'confirmed');
    case 'BookingExpired':
      await setBookingStatus(ctx, event.data.bookingId, 'expired');
      return refundSucceeded(ctx, event, event.data.bookingId);
    case 'BookingCancelled':
      await setBookingStatus(ctx, event.data.bookingId, 'cancelled');
      if (event.data.refundEligible) await refundSucceeded(ctx, event, event.data.bookingId);
      return;
    case 'PaymentRequested': {
      const data = event.data;
      await upsertOrder(
        tx,
        schema,
        {
          paymentId: data.paymentId,
          bookingId: data.bookingId,
          tenantId: event.metadata.tenantId,
          provider: data.provider,
          amountCents: data.amountCents,
        },
        now,
      );
      const booking = await paymentBookingOf(tx, schema, data.bookingId);
      // A payment still open when the hold ends has timed out: the slot is gone anyway.
      const dueAt = booking?.hold_expires_at ?? new Date(now.getTime() + 15 * 60_000);
      await ctx.timers.schedule(PAYMENT_TIMEOUT, data.paymentId, new Date(dueAt), {
        paymentId: data.paymentId,
        origin: originPayload(origin),
      });
      return;
    }
    case 'PaymentSucceeded': {
      const data = event.data;
      await setOrderStatus(tx, schema, data.paymentId, 'succeeded', now, data.providerTransactionId);
      await ctx.timers.cancel(PAYMENT_TIMEOUT, data.paymentId);
      const booking = await paymentBookingOf(tx, schema, data.bookingId);
      if (booking !== undefined && NOTHING_TO_PAY_FOR.has(booking.status)) {
        await ctx.timers.schedule(REFUND, data.paymentId, now, {
          paymentId: data.paymentId,
          origin: originPayload(origin),
        });
      }
      return;
    }
    case 'PaymentFailed': {
      const data = event.data;
      await setOrderStatus(tx, schema, data.paymentId, 'failed', now, data.providerTransactionId);
      await ctx.timers.cancel(PAYMENT_TIMEOUT, data.paymentId);
      await ctx.timers.schedule(RELEASE_AFTER_FAILURE, data.paymentId, now, {
        bookingId: data.bookingId,
        origin: originPayload(origin),
      });
      return;
    }
    default:
      return;
  }
}

export function paymentSaga(deps: PaymentSagaDeps): SagaDefinition {
  const { commands } = deps;
  const providers = new Map<PaymentProviderName, PaymentProvider>(deps.providers.map((p) => [p.name, p]));

  async function applyOutcome(ctx: TimerContext): Promise<TimerOutcome> {
    const payload = ctx.timer.payload;
    const origin = originFromPayload(PAYMENT_SAGA, payload);
    const paymentId = payloadString(payload, 'paymentId');
    const order = await orderOf(ctx.sql, ctx.schema, paymentId);
    if (order === undefined) throw new PermanentSagaError(`no payment order ${paymentId}`);
    const status = payloadString(payload, 'status');
    const transactionId = payloadOptionalString(payload, 'transactionId');
    if (status === 'paid') {
      if (transactionId === null)
        throw new PermanentSagaError(`payment ${paymentId} paid without a transaction id`);
      const amount = payload.amountCents;
      const outcome = await commands.recordPaymentSucceeded(
        {
          bookingId: order.booking_id,
          paymentId,
          provider: order.provider,
          amountCents: typeof amount === 'number' ? amount : order.amount_cents,
          providerTransactionId: transactionId,
        },
        origin,
      );
      if (outcome.outcome === 'refused')
        throw new PermanentSagaError(describeRefusal('RecordPaymentSucceeded', outcome));
      return undefined;
    }
    const reason = payloadString(payload, 'failureReason');
    const outcome = await commands.recordPaymentFailed(
      {
        bookingId: order.booking_id,
        paymentId,
        provider: order.provider,
        reason: FAILURE_REASONS.find((known) => known === reason) ?? 'declined',
        providerTransactionId: transactionId,
      },
      origin,
    );
    if (outcome.outcome === 'refused')
      throw new PermanentSagaError(describeRefusal('RecordPaymentFailed', outcome));
    return undefined;
  }

  async function paymentTimeout(ctx: TimerContext): Promise<TimerOutcome> {
    const paymentId = payloadString(ctx.timer.payload, 'paymentId');
    const order = await orderOf(ctx.sql, ctx.schema, paymentId);
    if (order === undefined || order.status !== 'requested') return undefined;
    const outcome = await commands.recordPaymentFailed(
      {
        bookingId: order.booking_id,
        paymentId,
        provider: order.provider,
        reason: 'timeout',
        providerTransactionId: null,
      },
      originFromPayload(PAYMENT_SAGA, ctx.timer.payload),
    );
    if (outcome.outcome === 'refused')
      throw new PermanentSagaError(describeRefusal('RecordPaymentFailed', outcome));
    return undefined;
  }

  async function releaseAfterFailure(ctx: TimerContext): Promise<TimerOutcome> {
    const bookingId = payloadString(ctx.timer.payload, 'bookingId');
    const origin = originFromPayload(PAYMENT_SAGA, ctx.timer.payload);
    const expiry = await commands.expireBooking({ bookingId }, origin);
    // Another payment still pending, or the booking confirmed or ended meanwhile: nothing to release.
    if (expiry.outcome !== 'expired') return undefined;
    const booking = await paymentBookingOf(ctx.sql, ctx.schema, bookingId);
    if (booking === undefined)
      throw new PermanentSagaError(`no booking ${bookingId} known to the payment saga`);
    const released = await commands.releaseHold(
      {
        centreId: booking.centre_id,
        date: booking.date,
        reservationId: booking.reservation_id,
        bookingId,
        reason: 'payment_failed',
      },
      origin,
    );
    if (released.outcome === 'refused' && released.code !== 'RESERVATION_NOT_HELD') {
      throw new PermanentSagaError(describeRefusal('ReleaseHold', released));
    }
    return undefined;
  }

  async function refund(ctx: TimerContext): Promise<TimerOutcome> {
    const paymentId = payloadString(ctx.timer.payload, 'paymentId');
    const order = await orderOf(ctx.sql, ctx.schema, paymentId);
    if (order === undefined) throw new PermanentSagaError(`no payment order ${paymentId}`);
    if (order.status !== 'succeeded') return undefined;
    if (order.provider_transaction_id === null)
      throw new PermanentSagaError(`payment ${paymentId} has no transaction id`);
    const provider = providers.get(order.provider);
    if (provider === undefined)
      throw new PermanentSagaError(`no payment provider ${order.provider} configured`);
    try {
      const { refundId } = await provider.refund({
        paymentId,
        transactionId: order.provider_transaction_id,
        amountCents: order.amount_cents,
      });
      await ctx.sql.query(
        `update ${ctx.schema}.payment_orders
            set status = 'refunded', refund_id = $2, refunded_at = $3, updated_at = $3
          where payment_id = $1`,
        [paymentId, refundId, ctx.now],
      );
      ctx.logger.info({ paymentId, refundId }, 'payment refunded');
    } catch (error) {
      if (error instanceof PaymentProviderError && !error.retryable)
        throw new PermanentSagaError(error.message);
      throw error;
    }
    return undefined;
  }

  return {
    name: PAYMENT_SAGA,
    eventTypes: [
      'BookingPlaced',
      'BookingConfirmed',
      'BookingExpired',
      'BookingCancelled',
      'PaymentRequested',
      'PaymentSucceeded',
      'PaymentFailed',
    ],
    migrations: paymentMigrations,
    onEvent,
    timers: {
      [APPLY_OUTCOME]: applyOutcome,
      [PAYMENT_TIMEOUT]: paymentTimeout,
      [RELEASE_AFTER_FAILURE]: releaseAfterFailure,
      [REFUND]: refund,
    },
  };
}
