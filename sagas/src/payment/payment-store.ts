import type { PaymentProvider as PaymentProviderName } from '@pti/events';
import type { Migration, SqlExecutor } from '@pti/platform';

/**
 * The payment saga's own state:
 *
 * | table                   | holds                                                            |
 * | ----------------------- | ---------------------------------------------------------------- |
 * | `payment_bookings`      | per booking: status, reservation, hold expiry (from its events)   |
 * | `payment_orders`        | per payment attempt (our payment id = the provider's order id)    |
 * | `payment_notifications` | every accepted provider outcome, by dedupe key: a replay is ignored |
 */
export function paymentMigrations(schema: string): readonly Migration[] {
  return [
    {
      version: 1,
      name: 'payment bookings, orders and notifications',
      sql: `
CREATE TABLE ${schema}.payment_bookings (
  booking_id text PRIMARY KEY,
  tenant_id text NOT NULL,
  status text NOT NULL,
  centre_id text NOT NULL,
  date text NOT NULL,
  reservation_id text NOT NULL,
  hold_expires_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE TABLE ${schema}.payment_orders (
  payment_id text PRIMARY KEY,
  booking_id text NOT NULL,
  tenant_id text NOT NULL,
  provider text NOT NULL,
  amount_cents int NOT NULL,
  status text NOT NULL,
  provider_transaction_id text,
  refund_id text,
  refunded_at timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX payment_orders_booking ON ${schema}.payment_orders (booking_id);
CREATE TABLE ${schema}.payment_notifications (
  dedupe_key text PRIMARY KEY,
  provider text NOT NULL,
  order_id text NOT NULL,
  channel text NOT NULL,
  status text NOT NULL,
  received_at timestamptz NOT NULL
);
`,
    },
  ];
}

export type OrderStatus = 'requested' | 'succeeded' | 'failed' | 'refunded';

export interface PaymentOrderRow {
  readonly payment_id: string;
  readonly booking_id: string;
  readonly tenant_id: string;
  readonly provider: PaymentProviderName;
  readonly amount_cents: number;
  readonly status: OrderStatus;
  readonly provider_transaction_id: string | null;
  readonly refund_id: string | null;
}

export interface PaymentBookingRow {
  readonly booking_id: string;
  readonly tenant_id: string;
  readonly status: string;
  readonly centre_id: string;
  readonly date: string;
  readonly reservation_id: string;
  readonly hold_expires_at: Date;
}

export async function orderOf(
  sql: SqlExecutor,
  schema: string,
  paymentId: string,
): Promise<PaymentOrderRow | undefined> {
  const { rows } = await sql.query<PaymentOrderRow>(
    `select payment_id, booking_id, tenant_id, provider, amount_cents, status, provider_transaction_id, refund_id
       from ${schema}.payment_orders where payment_id = $1`,
    [paymentId],
  );
  return rows[0];
}

export async function paymentBookingOf(
  sql: SqlExecutor,
  schema: string,
  bookingId: string,
): Promise<PaymentBookingRow | undefined> {
  const { rows } = await sql.query<PaymentBookingRow>(
    `select booking_id, tenant_id, status, centre_id, date, reservation_id, hold_expires_at
       from ${schema}.payment_bookings where booking_id = $1`,
    [bookingId],
  );
  return rows[0];
}

/** Records a payment attempt; an existing row (the API's or the event's) keeps its status. */
export async function upsertOrder(
  sql: SqlExecutor,
  schema: string,
  order: {
    readonly paymentId: string;
    readonly bookingId: string;
    readonly tenantId: string;
    readonly provider: PaymentProviderName;
    readonly amountCents: number;
  },
  now: Date,
): Promise<void> {
  await sql.query(
    `insert into ${schema}.payment_orders
       (payment_id, booking_id, tenant_id, provider, amount_cents, status, created_at, updated_at)
     values ($1, $2, $3, $4, $5, 'requested', $6, $6)
     on conflict (payment_id) do update
       set provider = excluded.provider, amount_cents = excluded.amount_cents, updated_at = excluded.updated_at`,
    [order.paymentId, order.bookingId, order.tenantId, order.provider, order.amountCents, now],
  );
}

export async function setOrderStatus(
  sql: SqlExecutor,
  schema: string,
  paymentId: string,
  status: OrderStatus,
  now: Date,
  transactionId?: string | null,
): Promise<void> {
  await sql.query(
    `update ${schema}.payment_orders
        set status = $2, updated_at = $3,
            provider_transaction_id = coalesce($4, provider_transaction_id)
      where payment_id = $1`,
    [paymentId, status, now, transactionId ?? null],
  );
}
