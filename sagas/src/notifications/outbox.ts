import { randomUUID } from 'node:crypto';
import type { Migration, SqlExecutor } from '@pti/platform';
import {
  PermanentSagaError,
  payloadString,
  type SagaComponent,
  type TimerContext,
  type TimerHandler,
  type TimerScheduler,
} from '../runtime/saga.js';
import { assertSchema } from '../runtime/sql-names.js';
import { type MessageAttachment, type NotificationChannels, NotificationDeliveryError } from './channels.js';
import type { TemplateName } from './templates.js';

/**
 * The outbox: every message the platform sends, one row each, unique by its idempotency key
 * (`<event id>:<template>:<channel>`), so a message is written once however often its event is
 * redelivered. A message whose channel has a provider is delivered by a `deliver` job and marked
 * `sent`; without a provider (embedded mode) it is `recorded`: the outbox is then where the message
 * is read (staff screens, tests) through {@link listOutbox}.
 *
 * Rows carry personal data (addresses, names in bodies) and the data subject's id, so erasure
 * deletes them ({@link scrubOutbox}).
 */
export const OUTBOX_COMPONENT: SagaComponent = {
  component: 'outbox',
  migrations: (schema: string): readonly Migration[] => [
    {
      version: 1,
      name: 'outbox of notifications',
      sql: `
CREATE TABLE ${schema}.outbox (
  id uuid PRIMARY KEY,
  idempotency_key text NOT NULL UNIQUE,
  template text NOT NULL,
  channel text NOT NULL,
  subject_id text,
  booking_id text,
  recipient text NOT NULL,
  subject text,
  body text NOT NULL,
  attachments jsonb NOT NULL,
  status text NOT NULL,
  provider text,
  provider_message_id text,
  last_error text,
  created_at timestamptz NOT NULL,
  sent_at timestamptz
);
CREATE INDEX outbox_booking ON ${schema}.outbox (booking_id, created_at);
CREATE INDEX outbox_subject ON ${schema}.outbox (subject_id);
CREATE INDEX outbox_created ON ${schema}.outbox (created_at);
`,
    },
  ],
};

export type OutboxChannel = 'email' | 'sms';
/** `recorded`: kept in the outbox only (no provider); `pending`: to be sent; `sent`: the provider took it. */
export type OutboxStatus = 'recorded' | 'pending' | 'sent';

export interface NewMessage {
  readonly idempotencyKey: string;
  readonly template: TemplateName;
  readonly channel: OutboxChannel;
  /** The data subject (customer id): erasure deletes their messages. */
  readonly subjectId: string | null;
  readonly bookingId: string | null;
  /** E-mail address or E.164 phone number. */
  readonly recipient: string;
  /** The recipient's name, for the e-mail header. */
  readonly recipientName?: string | null;
  readonly subject: string | null;
  readonly body: string;
  readonly attachments: readonly MessageAttachment[];
}

export interface OutboxMessage {
  readonly id: string;
  readonly idempotencyKey: string;
  readonly template: string;
  readonly channel: OutboxChannel;
  readonly subjectId: string | null;
  readonly bookingId: string | null;
  readonly recipient: string;
  readonly subject: string | null;
  readonly body: string;
  readonly attachments: readonly MessageAttachment[];
  readonly status: OutboxStatus;
  readonly provider: string | null;
  readonly providerMessageId: string | null;
  readonly createdAt: Date;
  readonly sentAt: Date | null;
}

interface OutboxRow {
  id: string;
  idempotency_key: string;
  template: string;
  channel: OutboxChannel;
  subject_id: string | null;
  booking_id: string | null;
  recipient: string;
  subject: string | null;
  body: string;
  attachments: MessageAttachment[];
  status: OutboxStatus;
  provider: string | null;
  provider_message_id: string | null;
  created_at: Date;
  sent_at: Date | null;
}

const messageOf = (row: OutboxRow): OutboxMessage => ({
  id: row.id,
  idempotencyKey: row.idempotency_key,
  template: row.template,
  channel: row.channel,
  subjectId: row.subject_id,
  bookingId: row.booking_id,
  recipient: row.recipient,
  subject: row.subject,
  body: row.body,
  attachments: row.attachments,
  status: row.status,
  provider: row.provider,
  providerMessageId: row.provider_message_id,
  createdAt: new Date(row.created_at),
  sentAt: row.sent_at === null ? null : new Date(row.sent_at),
});

export const DELIVER_KIND = 'deliver';

/** Plausible recipients only: an erased field reads `[effacé]` and is never written to. */
const deliverable = (channel: OutboxChannel, recipient: string): boolean =>
  channel === 'email' ? /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(recipient) : /^\+[1-9]\d{7,14}$/.test(recipient);

/**
 * Writes a message in the caller's transaction (once per idempotency key) and, when its channel has
 * a provider, schedules its delivery job on `timers`. Returns false when the key was already used
 * or the recipient is not deliverable.
 */
export async function enqueueMessage(
  tx: SqlExecutor,
  schema: string,
  message: NewMessage,
  delivery: { readonly channels: NotificationChannels; readonly timers: TimerScheduler; readonly now: Date },
): Promise<boolean> {
  if (!deliverable(message.channel, message.recipient)) return false;
  const hasProvider =
    (message.channel === 'email' ? delivery.channels.email : delivery.channels.sms) !== null;
  const id = randomUUID();
  const { rows } = await tx.query<{ id: string }>(
    `insert into ${schema}.outbox
       (id, idempotency_key, template, channel, subject_id, booking_id, recipient, subject, body, attachments,
        status, created_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12)
     on conflict (idempotency_key) do nothing returning id`,
    [
      id,
      message.idempotencyKey,
      message.template,
      message.channel,
      message.subjectId,
      message.bookingId,
      message.recipient,
      message.subject,
      message.body,
      JSON.stringify(message.attachments),
      hasProvider ? 'pending' : 'recorded',
      delivery.now,
    ],
  );
  if (rows.length === 0) return false;
  if (hasProvider) {
    await delivery.timers.schedule(DELIVER_KIND, id, delivery.now, {
      messageId: id,
      recipientName: message.recipientName ?? null,
    });
  }
  return true;
}

export interface OutboxQuery {
  readonly bookingId?: string;
  readonly recipient?: string;
  readonly channel?: OutboxChannel;
  readonly template?: string;
  /** Newest first; at most this many (default 50, at most 500). */
  readonly limit?: number;
}

/** Messages of the outbox, newest first: what the API exposes to staff (and tests read). */
export async function listOutbox(
  sql: SqlExecutor,
  schema: string,
  query: OutboxQuery = {},
): Promise<OutboxMessage[]> {
  const { rows } = await sql.query<OutboxRow>(
    `select * from ${assertSchema(schema)}.outbox
      where ($1::text is null or booking_id = $1)
        and ($2::text is null or recipient = $2)
        and ($3::text is null or channel = $3)
        and ($4::text is null or template = $4)
      order by created_at desc, id
      limit $5`,
    [
      query.bookingId ?? null,
      query.recipient ?? null,
      query.channel ?? null,
      query.template ?? null,
      Math.min(500, Math.max(1, query.limit ?? 50)),
    ],
  );
  return rows.map(messageOf);
}

/** Deletes a data subject's messages (erasure); returns how many. */
export async function scrubOutbox(sql: SqlExecutor, schema: string, subjectId: string): Promise<number> {
  const { rows } = await sql.query(
    `delete from ${assertSchema(schema)}.outbox where subject_id = $1 returning id`,
    [subjectId],
  );
  return rows.length;
}

/** The `deliver` job: sends one outbox message through its channel's provider, once. */
export function deliverHandler(channels: NotificationChannels): TimerHandler {
  return async (ctx: TimerContext) => {
    const id = payloadString(ctx.timer.payload, 'messageId');
    const { rows } = await ctx.sql.query<OutboxRow>(`select * from ${ctx.schema}.outbox where id = $1`, [id]);
    const row = rows[0];
    if (row === undefined || row.status !== 'pending') return undefined;
    const name = ctx.timer.payload.recipientName;
    try {
      let sent: { provider: string; messageId: string };
      if (row.channel === 'email') {
        if (channels.email === null) throw new PermanentSagaError('no e-mail provider configured');
        const result = await channels.email.send(
          {
            to: { email: row.recipient, name: typeof name === 'string' ? name : null },
            subject: row.subject ?? '',
            text: row.body,
            attachments: row.attachments,
          },
          row.idempotency_key,
        );
        sent = { provider: channels.email.provider, messageId: result.messageId };
      } else {
        if (channels.sms === null) throw new PermanentSagaError('no SMS provider configured');
        const result = await channels.sms.send({ to: row.recipient, text: row.body }, row.idempotency_key);
        sent = { provider: channels.sms.provider, messageId: result.messageId };
      }
      await ctx.sql.query(
        `update ${ctx.schema}.outbox
            set status = 'sent', provider = $2, provider_message_id = $3, sent_at = $4, last_error = null
          where id = $1`,
        [id, sent.provider, sent.messageId, ctx.now],
      );
    } catch (error) {
      await ctx.sql.query(`update ${ctx.schema}.outbox set last_error = $2 where id = $1`, [
        id,
        String(error),
      ]);
      if (error instanceof NotificationDeliveryError && !error.retryable)
        throw new PermanentSagaError(error.message);
      throw error;
    }
    return undefined;
  };
}
