import type { Ledger, TransactionalSqlExecutor } from '@pti/platform';
import { type Clock, systemClock } from '../runtime/clock.js';
import type { TimerScheduler } from '../runtime/saga.js';
import { scheduleTimer } from '../runtime/saga-store.js';
import { assertSchema } from '../runtime/sql-names.js';
import type { NotificationChannels } from './channels.js';
import { type IcsGenerator, minimalIcs } from './ics.js';
import {
  bookingCalendarFile,
  factsOf,
  NOTIFICATIONS_SAGA,
  type NotificationLinks,
  notifyBookingOf,
  notifyCentreOf,
  sendBookingMessage,
} from './notification-saga.js';
import { listOutbox, type OutboxMessage } from './outbox.js';
import { confirmationMessage } from './templates.js';

/**
 * Staff re-sending a booking's confirmation (a customer on the phone lost the e-mail): the same
 * confirmation as the saga's, calendar file included, written to the outbox under
 * `resend:<bookingId>:<Idempotency-Key>:confirmation:<channel>` and delivered by the notification
 * saga's `deliver` jobs. The same key again writes nothing and answers the messages of the first
 * call, so a double click or a retried request sends once.
 */

export interface ConfirmationResendDeps {
  readonly sql: TransactionalSqlExecutor;
  /** The sagas' schema. */
  readonly schema: string;
  readonly channels: NotificationChannels;
  readonly links: NotificationLinks;
  readonly ics?: IcsGenerator;
  readonly clock?: Clock;
  /** Reads a booking's tenant from its stream for rows written before the tenant was kept. */
  readonly ledger?: Pick<Ledger, 'readStream'>;
  /** Attempts of each delivery job (default 8). */
  readonly maxAttempts?: number;
}

/** Where a booking lives, for the route's scope check. */
export interface BookingScope {
  readonly tenantId: string;
  readonly centreId: string;
}

export type ResendOutcome =
  | { readonly status: 'not_found' }
  | { readonly status: 'not_confirmed'; readonly bookingStatus: string }
  /** The customer's contact was erased: nothing can be sent. */
  | { readonly status: 'no_recipient' }
  | {
      readonly status: 'sent' | 'replayed';
      readonly bookingId: string;
      readonly messages: readonly OutboxMessage[];
    };

export interface ConfirmationResender {
  /** The booking's tenant and centre; undefined when the notifications do not know it. */
  scopeOf(bookingId: string): Promise<BookingScope | undefined>;
  resend(bookingId: string, idempotencyKey: string): Promise<ResendOutcome>;
}

export function createConfirmationResender(deps: ConfirmationResendDeps): ConfirmationResender {
  const schema = assertSchema(deps.schema);
  const clock = deps.clock ?? systemClock;
  const ics = deps.ics ?? minimalIcs;
  const maxAttempts = deps.maxAttempts ?? 8;

  async function tenantFromLedger(bookingId: string): Promise<string | undefined> {
    if (deps.ledger === undefined) return undefined;
    const [first] = await deps.ledger.readStream(`booking-${bookingId}`, { limit: 1 });
    return first?.metadata.tenantId;
  }

  async function scopeOf(bookingId: string): Promise<BookingScope | undefined> {
    const row = await notifyBookingOf(deps.sql, schema, bookingId);
    if (row === undefined) return undefined;
    let tenantId = row.tenant_id;
    if (tenantId === null) {
      tenantId = (await tenantFromLedger(bookingId)) ?? null;
      if (tenantId === null) return undefined;
      await deps.sql.query(`update ${schema}.notify_bookings set tenant_id = $2 where booking_id = $1`, [
        bookingId,
        tenantId,
      ]);
    }
    return { tenantId, centreId: row.centre_id };
  }

  const messagesOf = async (bookingId: string, keys: readonly string[]) =>
    (await listOutbox(deps.sql, schema, { bookingId, template: 'confirmation', limit: 500 })).filter((m) =>
      keys.includes(m.idempotencyKey),
    );

  async function resend(bookingId: string, idempotencyKey: string): Promise<ResendOutcome> {
    const key = `resend:${bookingId}:${idempotencyKey}`;
    const keys = [`${key}:confirmation:email`, `${key}:confirmation:sms`];
    const earlier = await messagesOf(bookingId, keys);
    if (earlier.length > 0) return { status: 'replayed', bookingId, messages: earlier };

    const outcome = await deps.sql.transaction(async (tx): Promise<ResendOutcome> => {
      const row = await notifyBookingOf(tx, schema, bookingId);
      if (row === undefined) return { status: 'not_found' };
      if (row.status !== 'confirmed') return { status: 'not_confirmed', bookingStatus: row.status };
      const now = clock.now();
      const centre = await notifyCentreOf(tx, schema, row.centre_id);
      const message = confirmationMessage(factsOf(row, centre), {
        manage: deps.links.manageBooking({ bookingId: row.booking_id, reference: row.reference }),
      });
      // Delivery jobs belong to the notification saga, whose poller runs them.
      const timers: TimerScheduler = {
        schedule: (kind, timerKey, dueAt, payload, options = {}) =>
          scheduleTimer(
            tx,
            schema,
            {
              saga: NOTIFICATIONS_SAGA,
              kind,
              key: timerKey,
              dueAt,
              payload,
              maxAttempts: options.maxAttempts ?? maxAttempts,
            },
            now,
            options.mode ?? 'replace',
          ),
        cancel: async () => false,
      };
      await sendBookingMessage(
        tx,
        schema,
        { channels: deps.channels, timers, now },
        key,
        row,
        message,
        bookingCalendarFile(row, centre, 'REQUEST', now, deps.links, ics),
      );
      return { status: 'sent', bookingId, messages: [] };
    });
    if (outcome.status !== 'sent') return outcome;
    const messages = await messagesOf(bookingId, keys);
    if (messages.length === 0) return { status: 'no_recipient' };
    return { status: 'sent', bookingId, messages };
  }

  return { scopeOf, resend };
}
