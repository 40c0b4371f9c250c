import type { PaymentProvider as PaymentProviderName } from '@pti/events';
import type { Logger, TransactionalSqlExecutor } from '@pti/platform';
import type { Clock } from '../runtime/clock.js';
import { sagaActor } from '../runtime/saga.js';
import { scheduleTimer } from '../runtime/saga-store.js';
import type { PaymentProvider, PaymentSession, RawNotification } from './payment-provider.js';
import { APPLY_OUTCOME, PAYMENT_SAGA } from './payment-saga.js';
import { orderOf, upsertOrder } from './payment-store.js';

/**
 * The payment entry points the HTTP layer calls:
 *
 * - `startPayment`, after the write side recorded `RequestPayment`: records the attempt and asks the
 *   provider for a form token / payment page;
 * - `receiveNotification`, from the IPN and browser-return routes: verifies the notification and,
 *   for a known order seen for the first time, enqueues the job that records the outcome on the
 *   booking, in one transaction, before the provider gets its 200.
 *
 * Forged (bad signature), replayed (same outcome again) and unknown-order notifications change
 * nothing.
 */
export interface StartPaymentInput {
  readonly tenantId: string;
  readonly bookingId: string;
  /** The id of the `RequestPayment` command (sent to the provider as the order id). */
  readonly paymentId: string;
  readonly provider: PaymentProviderName;
  readonly amountCents: number;
  readonly customerEmail: string;
  readonly reference?: string;
  /** Where the browser comes back to. */
  readonly returnUrl: string;
}

export type NotificationResult =
  | { readonly status: 'rejected'; readonly reason: string }
  | { readonly status: 'unknown_order'; readonly orderId: string }
  | {
      readonly status: 'duplicate';
      readonly orderId: string;
      readonly bookingId: string;
      readonly outcome: 'paid' | 'failed';
    }
  | { readonly status: 'pending'; readonly orderId: string }
  | {
      readonly status: 'accepted';
      readonly orderId: string;
      readonly bookingId: string;
      readonly outcome: 'paid' | 'failed';
    };

export interface PaymentService {
  startPayment(input: StartPaymentInput): Promise<PaymentSession>;
  receiveNotification(
    provider: PaymentProviderName,
    notification: RawNotification,
  ): Promise<NotificationResult>;
  /** The booking an order belongs to (the browser-return page shows it). */
  bookingOfOrder(orderId: string): Promise<string | undefined>;
}

export interface PaymentServiceDeps {
  readonly sql: TransactionalSqlExecutor;
  readonly schema: string;
  readonly providers: readonly PaymentProvider[];
  readonly clock: Clock;
  readonly logger: Logger;
  /** Runs of the outcome job before it is dead-lettered (default 8). */
  readonly maxAttempts?: number;
}

export function createPaymentService(deps: PaymentServiceDeps): PaymentService {
  const { sql, schema, clock } = deps;
  const providers = new Map<PaymentProviderName, PaymentProvider>(deps.providers.map((p) => [p.name, p]));
  const logger = deps.logger.child({ component: 'payments' });

  const providerOf = (name: PaymentProviderName): PaymentProvider => {
    const provider = providers.get(name);
    if (provider === undefined) throw new Error(`no payment provider ${name} is configured`);
    return provider;
  };

  return {
    async startPayment(input) {
      const provider = providerOf(input.provider);
      await upsertOrder(sql, schema, { ...input }, clock.now());
      return provider.createPayment({
        paymentId: input.paymentId,
        bookingId: input.bookingId,
        amountCents: input.amountCents,
        currency: 'EUR',
        customerEmail: input.customerEmail,
        returnUrl: input.returnUrl,
        ...(input.reference === undefined ? {} : { reference: input.reference }),
      });
    },

    async receiveNotification(name, notification) {
      const provider = providerOf(name);
      const verified = await provider.verifyNotification(notification);
      if (!verified.valid) {
        logger.warn(
          { provider: name, channel: notification.channel, reason: verified.reason },
          'payment notification rejected',
        );
        return { status: 'rejected', reason: verified.reason };
      }
      const { orderId } = verified;
      if (verified.status === 'pending') return { status: 'pending', orderId };
      const outcome = verified.status;
      const now = clock.now();
      const result = await sql.transaction(async (tx): Promise<NotificationResult> => {
        const order = await orderOf(tx, schema, orderId);
        if (order === undefined || order.provider !== name) return { status: 'unknown_order', orderId };
        const { rows } = await tx.query(
          `insert into ${schema}.payment_notifications (dedupe_key, provider, order_id, channel, status, received_at)
           values ($1, $2, $3, $4, $5, $6) on conflict do nothing returning dedupe_key`,
          [verified.dedupeKey, name, orderId, notification.channel, outcome, now],
        );
        if (rows.length === 0) return { status: 'duplicate', orderId, bookingId: order.booking_id, outcome };
        await scheduleTimer(
          tx,
          schema,
          {
            saga: PAYMENT_SAGA,
            kind: APPLY_OUTCOME,
            key: verified.dedupeKey,
            dueAt: now,
            payload: {
              paymentId: orderId,
              status: outcome,
              failureReason: verified.failureReason,
              transactionId: verified.transactionId,
              amountCents: verified.amountCents,
              origin: {
                tenantId: order.tenant_id,
                actor: sagaActor(PAYMENT_SAGA),
                correlationId: `payment-${orderId}`,
                causationId: null,
              },
            },
            maxAttempts: deps.maxAttempts ?? 8,
          },
          now,
          'keep',
        );
        return { status: 'accepted', orderId, bookingId: order.booking_id, outcome };
      });
      if (result.status === 'unknown_order')
        logger.warn({ provider: name, orderId }, 'payment notification for an unknown order ignored');
      if (result.status === 'duplicate')
        logger.info({ provider: name, orderId }, 'payment notification replayed: ignored');
      return result;
    },

    async bookingOfOrder(orderId) {
      return (await orderOf(sql, schema, orderId))?.booking_id;
    },
  };
}
