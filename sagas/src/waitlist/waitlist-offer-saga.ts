import type { Migration } from '@pti/platform';
import { DEFAULT_TIME_ZONE, instantToLocal } from '@pti/write-side/domain';
import type { NotificationChannels } from '../notifications/channels.js';
import type { NotificationLinks } from '../notifications/notification-saga.js';
import { DELIVER_KIND, deliverHandler, enqueueMessage, OUTBOX_COMPONENT } from '../notifications/outbox.js';
import { type CentreFacts, waitlistOfferMessage } from '../notifications/templates.js';
import type { EventContext, SagaDefinition, SagaEvent } from '../runtime/saga.js';

/**
 * Waitlist (DESIGN.md §5, §7). When time frees on a full day, the calendar decider offers it to
 * the first matching entry: `WaitlistOfferMade` and a `SlotHeld` for a new booking id, in one
 * append. This saga tells the customer (e-mail and SMS, with the link that confirms the offer);
 * the hold-release saga sees the `SlotHeld` like any other hold and, if nobody confirms in time,
 * releases it, after which the decider offers the slot to the next entry.
 */
export const WAITLIST_SAGA = 'waitlist';

export interface WaitlistSagaDeps {
  readonly channels: NotificationChannels;
  readonly links: Pick<NotificationLinks, 'waitlistOffer'>;
}

function waitlistMigrations(schema: string): readonly Migration[] {
  return [
    {
      version: 1,
      name: 'waitlist entries and centres',
      sql: `
CREATE TABLE ${schema}.waitlist_centres (
  centre_id text PRIMARY KEY,
  name text NOT NULL,
  address text NOT NULL,
  postcode text NOT NULL,
  city text NOT NULL,
  phone text,
  updated_at timestamptz NOT NULL
);
CREATE TABLE ${schema}.waitlist_entries (
  entry_id text PRIMARY KEY,
  centre_id text NOT NULL,
  date text NOT NULL,
  customer_id text NOT NULL,
  email text NOT NULL,
  phone text,
  status text NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX waitlist_entries_customer ON ${schema}.waitlist_entries (customer_id);
`,
    },
  ];
}

export function waitlistOfferSaga(deps: WaitlistSagaDeps): SagaDefinition {
  async function onEvent(event: SagaEvent, ctx: EventContext): Promise<void> {
    const { tx, schema, now } = ctx;
    switch (event.type) {
      case 'CentreRegistered':
      case 'CentreDetailsUpdated': {
        const data = event.data;
        await tx.query(
          `insert into ${schema}.waitlist_centres (centre_id, name, address, postcode, city, phone, updated_at)
           values ($1, $2, $3, $4, $5, $6, $7)
           on conflict (centre_id) do update set name = excluded.name, address = excluded.address,
             postcode = excluded.postcode, city = excluded.city, phone = excluded.phone, updated_at = excluded.updated_at`,
          [data.centreId, data.name, data.address, data.postcode, data.city, data.contact.phone, now],
        );
        return;
      }
      case 'WaitlistJoined': {
        const data = event.data;
        await tx.query(
          `insert into ${schema}.waitlist_entries (entry_id, centre_id, date, customer_id, email, phone, status, updated_at)
           values ($1, $2, $3, $4, $5, $6, 'waiting', $7) on conflict (entry_id) do nothing`,
          [
            data.entryId,
            data.centreId,
            data.date,
            data.customerId,
            data.contact.email,
            data.contact.phone,
            now,
          ],
        );
        return;
      }
      case 'WaitlistLeft':
        await tx.query(
          `update ${schema}.waitlist_entries set status = 'left', updated_at = $2 where entry_id = $1`,
          [event.data.entryId, now],
        );
        return;
      case 'WaitlistOfferMade': {
        const data = event.data;
        const { rows } = await tx.query<{ customer_id: string; email: string; phone: string | null }>(
          `update ${schema}.waitlist_entries set status = 'offered', updated_at = $2 where entry_id = $1
           returning customer_id, email, phone`,
          [data.entryId, now],
        );
        const entry = rows[0];
        if (entry === undefined) return;
        const centres = await tx.query<CentreFacts>(
          `select name, address, postcode, city, phone from ${schema}.waitlist_centres where centre_id = $1`,
          [data.centreId],
        );
        const expires = instantToLocal(new Date(data.expiresAt), DEFAULT_TIME_ZONE);
        const message = waitlistOfferMessage({
          centre: centres.rows[0] ?? null,
          date: data.date,
          start: data.start,
          expiresAtLocal: `${expires.date}T${expires.time}`,
          link: deps.links.waitlistOffer({
            centreId: data.centreId,
            date: data.date,
            entryId: data.entryId,
            reservationId: data.reservationId,
            bookingId: data.bookingId,
          }),
        });
        const delivery = { channels: deps.channels, timers: ctx.timers, now };
        const common = {
          template: message.template,
          subjectId: entry.customer_id,
          bookingId: data.bookingId,
        };
        await enqueueMessage(
          tx,
          schema,
          {
            ...common,
            idempotencyKey: `${event.id}:${message.template}:email`,
            channel: 'email',
            recipient: entry.email,
            subject: message.email.subject,
            body: message.email.text,
            attachments: [],
          },
          delivery,
        );
        if (entry.phone !== null) {
          await enqueueMessage(
            tx,
            schema,
            {
              ...common,
              idempotencyKey: `${event.id}:${message.template}:sms`,
              channel: 'sms',
              recipient: entry.phone,
              subject: null,
              body: message.sms,
              attachments: [],
            },
            delivery,
          );
        }
        return;
      }
      default:
        return;
    }
  }

  return {
    name: WAITLIST_SAGA,
    eventTypes: [
      'CentreRegistered',
      'CentreDetailsUpdated',
      'WaitlistJoined',
      'WaitlistOfferMade',
      'WaitlistLeft',
    ],
    migrations: waitlistMigrations,
    requires: [OUTBOX_COMPONENT],
    onEvent,
    timers: { [DELIVER_KIND]: deliverHandler(deps.channels) },
  };
}
