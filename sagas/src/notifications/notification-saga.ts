import type { Migration, SqlExecutor } from '@pti/platform';
import { appointmentStartInstant } from '@pti/write-side/domain';
import {
  type EventContext,
  payloadString,
  type SagaDefinition,
  type SagaEvent,
  type TimerContext,
  type TimerOutcome,
  type TimerScheduler,
} from '../runtime/saga.js';
import type { MessageAttachment, NotificationChannels } from './channels.js';
import { type CalendarEventInput, type IcsGenerator, minimalIcs } from './ics.js';
import { DELIVER_KIND, deliverHandler, enqueueMessage, OUTBOX_COMPONENT } from './outbox.js';
import {
  type BookingFacts,
  type CentreFacts,
  CONTROL_LABELS,
  cancellationMessage,
  centreLocation,
  changeMessage,
  confirmationMessage,
  contreVisiteMessage,
  type RenderedMessage,
  reminderMessage,
} from './templates.js';

/**
 * Notifications (DESIGN.md §7): confirmation (with the calendar file), the J-1 reminder (a durable
 * timer), change, cancellation and the contre-visite reminder after an S or R result. Messages go
 * to the outbox in the event's transaction, keyed by `<event id>:<template>:<channel>` (the
 * reminder by booking and appointment), so each is written, and sent, once.
 *
 * The saga keeps what messages need (the customer's contact, the centre's address) from the
 * events themselves: it never reads another component's read model.
 */
export const NOTIFICATIONS_SAGA = 'notifications';

const REMINDER = 'reminder';

export interface NotificationLinks {
  /** The customer's page to see, move or cancel the booking (a signed manage link). */
  manageBooking(booking: { readonly bookingId: string; readonly reference: string }): string;
  /** Where to book the contre-visite. */
  bookContreVisite(booking: { readonly bookingId: string; readonly centreId: string }): string;
  /** The page confirming a waitlist offer. */
  waitlistOffer(offer: {
    readonly centreId: string;
    readonly date: string;
    readonly entryId: string;
    readonly reservationId: string;
    readonly bookingId: string;
  }): string;
}

/** Links on the public site, without signatures (the composition root passes signed ones). */
export function publicSiteLinks(baseUrl: string): NotificationLinks {
  const base = baseUrl.replace(/\/+$/, '');
  return {
    manageBooking: ({ reference }) => `${base}/mes-rendez-vous/${encodeURIComponent(reference)}`,
    bookContreVisite: ({ centreId }) =>
      `${base}/reserver?${new URLSearchParams({ controle: 'CVP', centre: centreId })}`,
    waitlistOffer: ({ centreId, date, entryId, reservationId }) =>
      `${base}/liste-attente/offre?${new URLSearchParams({ centre: centreId, date, entree: entryId, reservation: reservationId })}`,
  };
}

export interface NotificationSagaDeps {
  readonly channels: NotificationChannels;
  readonly links: NotificationLinks;
  /** Calendar file generator (default: a minimal RFC 5545 VEVENT). */
  readonly ics?: IcsGenerator;
  /** How long before the appointment the reminder goes (default 24 h: "J-1"). */
  readonly reminderLeadMs?: number;
}

function notificationMigrations(schema: string): readonly Migration[] {
  return [
    {
      version: 1,
      name: 'centres and bookings as messages need them',
      sql: `
CREATE TABLE ${schema}.notify_centres (
  centre_id text PRIMARY KEY,
  name text NOT NULL,
  address text NOT NULL,
  postcode text NOT NULL,
  city text NOT NULL,
  phone text,
  updated_at timestamptz NOT NULL
);
CREATE TABLE ${schema}.notify_bookings (
  booking_id text PRIMARY KEY,
  customer_id text NOT NULL,
  reference text NOT NULL,
  customer_name text NOT NULL,
  email text NOT NULL,
  phone text NOT NULL,
  centre_id text NOT NULL,
  start text NOT NULL,
  duration_minutes int NOT NULL,
  control_type text NOT NULL,
  plate text NOT NULL,
  price_cents int NOT NULL,
  payment_mode text NOT NULL,
  status text NOT NULL,
  sequence int NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL
);
CREATE INDEX notify_bookings_customer ON ${schema}.notify_bookings (customer_id);
`,
    },
    {
      version: 2,
      name: 'the tenant of a booking, for staff resending its confirmation',
      // Null for rows written before: the resend reads it from the booking's first event then.
      sql: `ALTER TABLE ${schema}.notify_bookings ADD COLUMN tenant_id text;`,
    },
  ];
}

/** A booking as the notifications keep it (`notify_bookings`). */
export interface NotifyBookingRow {
  booking_id: string;
  tenant_id: string | null;
  customer_id: string;
  reference: string;
  customer_name: string;
  email: string;
  phone: string;
  centre_id: string;
  start: string;
  duration_minutes: number;
  control_type: BookingFacts['controlType'];
  plate: string;
  price_cents: number;
  payment_mode: BookingFacts['paymentMode'];
  status: string;
  sequence: number;
}

interface CentreRow {
  name: string;
  address: string;
  postcode: string;
  city: string;
  phone: string | null;
}

export async function notifyBookingOf(
  sql: SqlExecutor,
  schema: string,
  bookingId: string,
): Promise<NotifyBookingRow | undefined> {
  const { rows } = await sql.query<NotifyBookingRow>(
    `select * from ${schema}.notify_bookings where booking_id = $1`,
    [bookingId],
  );
  return rows[0];
}

export async function notifyCentreOf(
  sql: SqlExecutor,
  schema: string,
  centreId: string,
): Promise<CentreFacts | null> {
  const { rows } = await sql.query<CentreRow>(
    `select name, address, postcode, city, phone from ${schema}.notify_centres where centre_id = $1`,
    [centreId],
  );
  return rows[0] ?? null;
}

export function factsOf(row: NotifyBookingRow, centre: CentreFacts | null): BookingFacts {
  return {
    reference: row.reference,
    customerName: row.customer_name,
    controlType: row.control_type,
    start: row.start,
    durationMinutes: row.duration_minutes,
    priceCents: row.price_cents,
    paymentMode: row.payment_mode,
    plate: row.plate,
    centre,
  };
}

/** The calendar file of a booking's appointment (REQUEST: add or update it; CANCEL: remove it). */
export function bookingCalendarFile(
  row: NotifyBookingRow,
  centre: CentreFacts | null,
  method: 'REQUEST' | 'CANCEL',
  stamp: Date,
  links: NotificationLinks,
  ics: IcsGenerator = minimalIcs,
): MessageAttachment {
  const start = appointmentStartInstant(row.start);
  const event: CalendarEventInput = {
    uid: `${row.booking_id}@pti-calendar`,
    sequence: row.sequence,
    start,
    end: new Date(start.getTime() + row.duration_minutes * 60_000),
    stamp,
    summary: `Contrôle technique – ${centre?.name ?? 'centre PTI'}`,
    location: centreLocation(centre),
    description: `${CONTROL_LABELS[row.control_type]} – véhicule ${row.plate} – référence ${row.reference}`,
    url: links.manageBooking({ bookingId: row.booking_id, reference: row.reference }),
    method,
  };
  return {
    filename: 'rendez-vous.ics',
    contentType: `text/calendar; charset=utf-8; method=${method}`,
    content: ics(event),
  };
}

/**
 * Writes the e-mail and the SMS of a rendered message for a booking, keyed
 * `<key>:<template>:<channel>` (each written once); returns the idempotency keys used.
 */
export async function sendBookingMessage(
  tx: SqlExecutor,
  schema: string,
  delivery: { readonly channels: NotificationChannels; readonly timers: TimerScheduler; readonly now: Date },
  key: string,
  row: NotifyBookingRow,
  message: RenderedMessage,
  attachment: MessageAttachment | null,
): Promise<{ readonly email: string; readonly sms: string }> {
  const keys = { email: `${key}:${message.template}:email`, sms: `${key}:${message.template}:sms` };
  const common = { template: message.template, subjectId: row.customer_id, bookingId: row.booking_id };
  await enqueueMessage(
    tx,
    schema,
    {
      ...common,
      idempotencyKey: keys.email,
      channel: 'email',
      recipient: row.email,
      recipientName: row.customer_name,
      subject: message.email.subject,
      body: message.email.text,
      attachments: attachment === null ? [] : [attachment],
    },
    delivery,
  );
  await enqueueMessage(
    tx,
    schema,
    {
      ...common,
      idempotencyKey: keys.sms,
      channel: 'sms',
      recipient: row.phone,
      subject: null,
      body: message.sms,
      attachments: [],
    },
    delivery,
  );
  return keys;
}

export function notificationSaga(deps: NotificationSagaDeps): SagaDefinition {
  const ics = deps.ics ?? minimalIcs;
  const reminderLeadMs = deps.reminderLeadMs ?? 24 * 3_600_000;

  const calendarFile = (
    row: NotifyBookingRow,
    centre: CentreFacts | null,
    method: 'REQUEST' | 'CANCEL',
    stamp: Date,
  ) => bookingCalendarFile(row, centre, method, stamp, deps.links, ics);

  const send = (
    tx: SqlExecutor,
    schema: string,
    timers: EventContext['timers'],
    now: Date,
    key: string,
    row: NotifyBookingRow,
    message: RenderedMessage,
    attachment: MessageAttachment | null,
  ) =>
    sendBookingMessage(tx, schema, { channels: deps.channels, timers, now }, key, row, message, attachment);

  async function scheduleReminder(ctx: EventContext, row: NotifyBookingRow): Promise<void> {
    const dueAt = new Date(appointmentStartInstant(row.start).getTime() - reminderLeadMs);
    if (dueAt.getTime() <= ctx.now.getTime()) {
      await ctx.timers.cancel(REMINDER, row.booking_id);
      return;
    }
    await ctx.timers.schedule(REMINDER, row.booking_id, dueAt, {
      bookingId: row.booking_id,
      start: row.start,
    });
  }

  async function onEvent(event: SagaEvent, ctx: EventContext): Promise<void> {
    const { tx, schema, now, timers } = ctx;
    const manage = (row: NotifyBookingRow) =>
      deps.links.manageBooking({ bookingId: row.booking_id, reference: row.reference });
    switch (event.type) {
      case 'CentreRegistered':
      case 'CentreDetailsUpdated': {
        const data = event.data;
        await tx.query(
          `insert into ${schema}.notify_centres (centre_id, name, address, postcode, city, phone, updated_at)
           values ($1, $2, $3, $4, $5, $6, $7)
           on conflict (centre_id) do update set name = excluded.name, address = excluded.address,
             postcode = excluded.postcode, city = excluded.city, phone = excluded.phone, updated_at = excluded.updated_at`,
          [data.centreId, data.name, data.address, data.postcode, data.city, data.contact.phone, now],
        );
        return;
      }
      case 'BookingPlaced': {
        const data = event.data;
        const customer = data.customer;
        const name = customer.kind === 'company' ? (customer.contactName ?? customer.name) : customer.name;
        await tx.query(
          `insert into ${schema}.notify_bookings
             (booking_id, customer_id, reference, customer_name, email, phone, centre_id, start, duration_minutes,
              control_type, plate, price_cents, payment_mode, status, updated_at, tenant_id)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'placed', $14, $15)
           on conflict (booking_id) do nothing`,
          [
            data.bookingId,
            data.customerId,
            data.reference,
            name,
            customer.email,
            customer.phone,
            data.centreId,
            data.start,
            data.durationMinutes,
            data.controlType,
            data.vehicle.plate,
            data.priceCents,
            data.paymentMode,
            now,
            event.metadata.tenantId,
          ],
        );
        return;
      }
      case 'BookingConfirmed': {
        const { rows } = await tx.query<NotifyBookingRow>(
          `update ${schema}.notify_bookings set status = 'confirmed', payment_mode = $2, updated_at = $3
            where booking_id = $1 returning *`,
          [event.data.bookingId, event.data.paymentMode, now],
        );
        const row = rows[0];
        if (row === undefined) return;
        const centre = await notifyCentreOf(tx, schema, row.centre_id);
        const message = confirmationMessage(factsOf(row, centre), { manage: manage(row) });
        await send(
          tx,
          schema,
          timers,
          now,
          event.id,
          row,
          message,
          calendarFile(row, centre, 'REQUEST', now),
        );
        await scheduleReminder(ctx, row);
        return;
      }
      case 'BookingRescheduled': {
        const data = event.data;
        const before = await notifyBookingOf(tx, schema, data.bookingId);
        const { rows } = await tx.query<NotifyBookingRow>(
          `update ${schema}.notify_bookings
              set centre_id = $2, start = $3, duration_minutes = $4, price_cents = $5, sequence = sequence + 1,
                  updated_at = $6
            where booking_id = $1 returning *`,
          [data.bookingId, data.to.centreId, data.to.start, data.durationMinutes, data.priceCents, now],
        );
        const row = rows[0];
        if (row === undefined || before === undefined || row.status !== 'confirmed') return;
        const centre = await notifyCentreOf(tx, schema, row.centre_id);
        const message = changeMessage(factsOf(row, centre), data.from.start, { manage: manage(row) });
        await send(
          tx,
          schema,
          timers,
          now,
          event.id,
          row,
          message,
          calendarFile(row, centre, 'REQUEST', now),
        );
        await scheduleReminder(ctx, row);
        return;
      }
      case 'BookingCancelled': {
        const before = await notifyBookingOf(tx, schema, event.data.bookingId);
        const { rows } = await tx.query<NotifyBookingRow>(
          `update ${schema}.notify_bookings set status = 'cancelled', sequence = sequence + 1, updated_at = $2
            where booking_id = $1 returning *`,
          [event.data.bookingId, now],
        );
        await timers.cancel(REMINDER, event.data.bookingId);
        const row = rows[0];
        // An unconfirmed booking was an abandoned checkout: the customer was never told it existed.
        if (row === undefined || before?.status !== 'confirmed') return;
        const centre = await notifyCentreOf(tx, schema, row.centre_id);
        const refunded = event.data.refundEligible && row.payment_mode === 'online';
        const message = cancellationMessage(factsOf(row, centre), { refunded });
        await send(tx, schema, timers, now, event.id, row, message, calendarFile(row, centre, 'CANCEL', now));
        return;
      }
      case 'BookingExpired':
      case 'BookingNoShow':
      case 'BookingCheckedIn': {
        const status =
          event.type === 'BookingExpired'
            ? 'expired'
            : event.type === 'BookingNoShow'
              ? 'no_show'
              : 'checked_in';
        await tx.query(
          `update ${schema}.notify_bookings set status = $2, updated_at = $3 where booking_id = $1`,
          [event.data.bookingId, status, now],
        );
        await timers.cancel(REMINDER, event.data.bookingId);
        return;
      }
      case 'BookingCompleted': {
        const data = event.data;
        const { rows } = await tx.query<NotifyBookingRow>(
          `update ${schema}.notify_bookings set status = 'completed', updated_at = $2 where booking_id = $1 returning *`,
          [data.bookingId, now],
        );
        await timers.cancel(REMINDER, data.bookingId);
        const row = rows[0];
        if (row === undefined || data.result === 'A' || data.contreVisiteDueBy === null) return;
        const centre = await notifyCentreOf(tx, schema, row.centre_id);
        const message = contreVisiteMessage(factsOf(row, centre), data.result, data.contreVisiteDueBy, {
          book: deps.links.bookContreVisite({ bookingId: row.booking_id, centreId: row.centre_id }),
        });
        await send(tx, schema, timers, now, event.id, row, message, null);
        return;
      }
      default:
        return;
    }
  }

  async function reminder(ctx: TimerContext): Promise<TimerOutcome> {
    const bookingId = payloadString(ctx.timer.payload, 'bookingId');
    await ctx.sql.transaction(async (tx) => {
      const row = await notifyBookingOf(tx, ctx.schema, bookingId);
      // Moved since the timer was set: the reschedule set a new one.
      if (row === undefined || row.status !== 'confirmed' || row.start !== ctx.timer.payload.start) return;
      const centre = await notifyCentreOf(tx, ctx.schema, row.centre_id);
      const message = reminderMessage(factsOf(row, centre), {
        manage: deps.links.manageBooking({ bookingId: row.booking_id, reference: row.reference }),
      });
      // The delivery jobs are written in the same transaction as the messages.
      await send(
        tx,
        ctx.schema,
        ctx.timersOn(tx),
        ctx.now,
        `reminder:${bookingId}:${row.start}`,
        row,
        message,
        null,
      );
    });
    return undefined;
  }

  return {
    name: NOTIFICATIONS_SAGA,
    eventTypes: [
      'CentreRegistered',
      'CentreDetailsUpdated',
      'BookingPlaced',
      'BookingConfirmed',
      'BookingRescheduled',
      'BookingCancelled',
      'BookingExpired',
      'BookingNoShow',
      'BookingCheckedIn',
      'BookingCompleted',
    ],
    migrations: notificationMigrations,
    requires: [OUTBOX_COMPONENT],
    onEvent,
    timers: { [REMINDER]: reminder, [DELIVER_KIND]: deliverHandler(deps.channels) },
  };
}
