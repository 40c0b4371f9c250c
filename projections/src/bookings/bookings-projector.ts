import { createHash } from 'node:crypto';
import type {
  CancellationReason,
  CancelledBy,
  Channel,
  ControlType,
  Fuel,
  InspectionResult,
  PaymentMode,
  PaymentProvider,
  PostalAddress,
  VehicleCategory,
} from '@pti/events';
import { SUBJECT_STREAM_PREFIX } from '@pti/events';
import type { SqlExecutor } from '@pti/platform';
import { type BookingStatus, minutesOfTime, timeOfMinutes } from '@pti/write-side/domain';
import {
  type ApplyContext,
  defineProjector,
  type MaintenanceContext,
  type ProjectionEvent,
  publicTable,
  tenantPolicy,
} from '../runtime/projector.js';
import { rowMemory } from '../runtime/row-memory.js';
import { upsertRows } from '../runtime/sql.js';
import { applyWithErasures, isErasedValue, personalText, revisionNumber } from './shared.js';

/**
 * # bookings read model
 *
 * One row per booking (`bookings`, staff-facing, row-level security by tenant): the booking detail
 * the back office shows — status, appointment, customer contact, vehicle, price, payment, result,
 * the time of each lifecycle step, reschedules, notes and a timeline of its events.
 *
 * Public lookups (a motorist quoting their reference with their e-mail or plate; a manage link
 * naming the booking id) must find the booking before anyone knows its tenant, so
 * `booking_keys` (public, no RLS) maps lookup keys to (tenant, booking): `id:<bookingId>`, and
 * SHA-256 digests of reference + e-mail and reference + plate. It holds no personal value in clear;
 * the digests are still personal data and go with a scrub.
 *
 * Idempotent by construction: every row remembers the last stream revision it folded in
 * (`last_revision`) and an event at or below it changes nothing, so a redelivered batch is a no-op
 * even where a step appends (timeline, notes, payments).
 *
 * Personal fields arrive decrypted; once the customer is erased they read `[effacé]` and are
 * projected as null with `personal_data_erased` set — exactly what `scrub` writes.
 */

export type PaymentStatus = 'none' | 'requested' | 'succeeded' | 'failed';

export interface AppointmentEntry {
  readonly centreId: string;
  readonly reservationId: string;
  /** Local `YYYY-MM-DDTHH:MM`. */
  readonly start: string;
}

export interface RescheduleEntry {
  readonly from: AppointmentEntry;
  readonly to: AppointmentEntry;
  readonly durationMinutes: number;
  readonly priceCents: number;
  /** When it was rescheduled (ISO instant). */
  readonly at: string;
}

export interface PaymentEntry {
  readonly paymentId: string;
  readonly provider: PaymentProvider;
  readonly amountCents: number;
  readonly status: 'requested' | 'succeeded' | 'failed';
  readonly failureReason: string | null;
  readonly at: string;
}

export interface NoteEntry {
  readonly noteId: string;
  /** Personal free text; null once erased. */
  readonly text: string | null;
  readonly at: string;
  readonly authorId: string;
  readonly authorRole: string;
}

export interface TimelineEntry {
  readonly type: string;
  readonly at: string;
  readonly actorId: string;
  readonly actorRole: string;
  readonly revision: number;
}

/** A `bookings` row as stored (snake_case columns). Instants are ISO text when written. */
export interface BookingRow {
  readonly tenant_id: string;
  readonly booking_id: string;
  readonly reference: string;
  readonly status: BookingStatus;
  readonly customer_id: string;
  readonly customer_kind: 'private' | 'company';
  readonly customer_name: string | null;
  readonly customer_contact_name: string | null;
  readonly customer_email: string | null;
  readonly customer_phone: string | null;
  readonly customer_siret: string | null;
  readonly customer_address: PostalAddress | null;
  readonly vehicle_plate: string | null;
  readonly vehicle_category: VehicleCategory;
  readonly vehicle_fuel: Fuel;
  readonly control_type: ControlType;
  readonly centre_id: string;
  readonly reservation_id: string;
  readonly appointment_date: string;
  readonly start_local: string;
  readonly end_local: string;
  readonly duration_minutes: number;
  readonly inspector_id: string | null;
  readonly price_cents: number;
  readonly channel: Channel;
  readonly payment_mode: PaymentMode;
  readonly payment_status: PaymentStatus;
  readonly paid_cents: number;
  readonly result: InspectionResult | null;
  readonly contre_visite_due_by: string | null;
  readonly hold_expires_at: string;
  readonly placed_at: string;
  readonly confirmed_at: string | null;
  readonly checked_in_at: string | null;
  readonly completed_at: string | null;
  readonly cancelled_at: string | null;
  readonly expired_at: string | null;
  readonly no_show_at: string | null;
  readonly cancelled_by: CancelledBy | null;
  readonly cancellation_reason: CancellationReason | null;
  readonly cancellation_comment: string | null;
  readonly refund_eligible: boolean | null;
  readonly reschedules: readonly RescheduleEntry[];
  readonly payments: readonly PaymentEntry[];
  readonly notes: readonly NoteEntry[];
  readonly timeline: readonly TimelineEntry[];
  readonly personal_data_erased: boolean;
  readonly updated_at: string;
  readonly last_revision: number;
}

export interface BookingKeyRow {
  readonly key: string;
  readonly tenant_id: string;
  readonly booking_id: string;
}

// ---------------------------------------------------------------------------------------------
// Lookup keys
// ---------------------------------------------------------------------------------------------

function digest(reference: string, value: string): string {
  return createHash('sha256').update(`${reference}\u0000${value}`, 'utf8').digest('hex');
}

/** The key of the booking-id lookup (manage links). */
export const idKey = (bookingId: string): string => `id:${bookingId}`;
/** The key of a reference + e-mail lookup; `email` already normalised (trimmed, lower case). */
export const referenceEmailKey = (reference: string, email: string): string =>
  `ref-email:${digest(reference, email)}`;
/** The key of a reference + plate lookup; `plate` normalised (`AB-123-CD`). */
export const referencePlateKey = (reference: string, plate: string): string =>
  `ref-plate:${digest(reference, plate)}`;

function keysOf(row: BookingRow): BookingKeyRow[] {
  const key = (k: string): BookingKeyRow => ({
    key: k,
    tenant_id: row.tenant_id,
    booking_id: row.booking_id,
  });
  const keys = [key(idKey(row.booking_id))];
  if (row.customer_email !== null)
    keys.push(key(referenceEmailKey(row.reference, row.customer_email.trim().toLowerCase())));
  if (row.vehicle_plate !== null) keys.push(key(referencePlateKey(row.reference, row.vehicle_plate)));
  return keys;
}

// ---------------------------------------------------------------------------------------------
// Folding events into a row
// ---------------------------------------------------------------------------------------------

function endOf(start: string, durationMinutes: number): string {
  const [date = '', time = '00:00'] = start.split('T');
  // Reservations never cross midnight (calendar days end at 24:00); clamp defensively.
  return `${date}T${timeOfMinutes(Math.min(minutesOfTime(time) + durationMinutes, 1439))}`;
}

function appointment(start: string, durationMinutes: number) {
  return {
    appointment_date: start.slice(0, 10),
    start_local: start,
    end_local: endOf(start, durationMinutes),
    duration_minutes: durationMinutes,
  };
}

function paymentStatusOf(payments: readonly PaymentEntry[]): PaymentStatus {
  if (payments.some((payment) => payment.status === 'succeeded')) return 'succeeded';
  return payments.at(-1)?.status ?? 'none';
}

function addressOf(value: unknown): PostalAddress | null {
  // An erased address reads as the erased marker string, not as an object.
  return typeof value === 'object' && value !== null ? (value as PostalAddress) : null;
}

function placedRow(event: Extract<ProjectionEvent, { type: 'BookingPlaced' }>): BookingRow {
  const data = event.data;
  const customer = data.customer;
  const at = event.metadata.occurredAt;
  return {
    tenant_id: event.metadata.tenantId,
    booking_id: data.bookingId,
    reference: data.reference,
    status: 'placed',
    customer_id: data.customerId,
    customer_kind: customer.kind,
    customer_name: personalText(customer.name),
    customer_contact_name: customer.kind === 'company' ? personalText(customer.contactName) : null,
    customer_email: personalText(customer.email),
    customer_phone: personalText(customer.phone),
    customer_siret: customer.kind === 'company' ? personalText(customer.siret) : null,
    customer_address: addressOf(customer.address),
    vehicle_plate: personalText(data.vehicle.plate),
    vehicle_category: data.vehicle.category,
    vehicle_fuel: data.vehicle.fuel,
    control_type: data.controlType,
    centre_id: data.centreId,
    reservation_id: data.reservationId,
    ...appointment(data.start, data.durationMinutes),
    inspector_id: null,
    price_cents: data.priceCents,
    channel: data.channel,
    payment_mode: data.paymentMode,
    payment_status: 'none',
    paid_cents: 0,
    result: null,
    contre_visite_due_by: null,
    hold_expires_at: data.holdExpiresAt,
    placed_at: at,
    confirmed_at: null,
    checked_in_at: null,
    completed_at: null,
    cancelled_at: null,
    expired_at: null,
    no_show_at: null,
    cancelled_by: null,
    cancellation_reason: null,
    cancellation_comment: null,
    refund_eligible: null,
    reschedules: [],
    payments: [],
    notes: [],
    timeline: [],
    personal_data_erased: isErasedValue(customer.name) || isErasedValue(customer.email),
    updated_at: at,
    last_revision: 0,
  };
}

function withPayment(
  row: BookingRow,
  paymentId: string,
  change: (payment: PaymentEntry) => PaymentEntry,
  added: PaymentEntry,
): readonly PaymentEntry[] {
  const known = row.payments.some((payment) => payment.paymentId === paymentId);
  return known
    ? row.payments.map((payment) => (payment.paymentId === paymentId ? change(payment) : payment))
    : [...row.payments, added];
}

/**
 * Folds one booking event into its row (undefined: no row yet). Returns the same object when the
 * event changes nothing (already folded, or an event before the placement).
 */
export function foldBookingEvent(
  row: BookingRow | undefined,
  event: ProjectionEvent,
): BookingRow | undefined {
  const revision = revisionNumber(event.revision);
  if (row !== undefined && revision <= row.last_revision) return row;
  const at = event.metadata.occurredAt;
  let base: BookingRow;
  if (event.type === 'BookingPlaced') {
    if (row !== undefined) return row;
    base = placedRow(event);
  } else {
    if (row === undefined) return row;
    base = row;
  }
  const next = ((): BookingRow | undefined => {
    switch (event.type) {
      case 'BookingPlaced':
        return base;
      case 'BookingConfirmed':
        return { ...base, status: 'confirmed', payment_mode: event.data.paymentMode, confirmed_at: at };
      case 'BookingCheckedIn':
        return { ...base, status: 'checked_in', inspector_id: event.data.inspectorId, checked_in_at: at };
      case 'BookingCompleted':
        return {
          ...base,
          status: 'completed',
          inspector_id: event.data.inspectorId,
          result: event.data.result,
          contre_visite_due_by: event.data.contreVisiteDueBy,
          completed_at: at,
        };
      case 'BookingCancelled':
        return {
          ...base,
          status: 'cancelled',
          cancelled_at: at,
          cancelled_by: event.data.cancelledBy,
          cancellation_reason: event.data.reason,
          cancellation_comment: personalText(event.data.comment),
          refund_eligible: event.data.refundEligible,
        };
      case 'BookingExpired':
        return { ...base, status: 'expired', expired_at: at };
      case 'BookingNoShow':
        return { ...base, status: 'no_show', no_show_at: at };
      case 'BookingRescheduled': {
        const { from, to, durationMinutes, priceCents } = event.data;
        return {
          ...base,
          centre_id: to.centreId,
          reservation_id: to.reservationId,
          ...appointment(to.start, durationMinutes),
          price_cents: priceCents,
          reschedules: [...base.reschedules, { from, to, durationMinutes, priceCents, at }],
        };
      }
      case 'BookingNoteAdded': {
        if (base.notes.some((note) => note.noteId === event.data.noteId)) return base;
        const note: NoteEntry = {
          noteId: event.data.noteId,
          text: personalText(event.data.text),
          at,
          authorId: event.metadata.actor.id,
          authorRole: event.metadata.actor.role,
        };
        return { ...base, notes: [...base.notes, note] };
      }
      case 'PaymentRequested': {
        const { paymentId, provider, amountCents } = event.data;
        const payments = withPayment(base, paymentId, (payment) => payment, {
          paymentId,
          provider,
          amountCents,
          status: 'requested',
          failureReason: null,
          at,
        });
        return { ...base, payments, payment_status: paymentStatusOf(payments) };
      }
      case 'PaymentSucceeded': {
        const { paymentId, provider, amountCents } = event.data;
        const already = base.payments.some((p) => p.paymentId === paymentId && p.status === 'succeeded');
        const payments = withPayment(
          base,
          paymentId,
          (payment) => ({ ...payment, status: 'succeeded', at }),
          {
            paymentId,
            provider,
            amountCents,
            status: 'succeeded',
            failureReason: null,
            at,
          },
        );
        return {
          ...base,
          payments,
          payment_status: paymentStatusOf(payments),
          paid_cents: already ? base.paid_cents : base.paid_cents + amountCents,
        };
      }
      case 'PaymentFailed': {
        const { paymentId, provider, reason } = event.data;
        const payments = withPayment(
          base,
          paymentId,
          (payment) =>
            payment.status === 'requested'
              ? { ...payment, status: 'failed', failureReason: reason, at }
              : payment,
          { paymentId, provider, amountCents: 0, status: 'failed', failureReason: reason, at },
        );
        return { ...base, payments, payment_status: paymentStatusOf(payments) };
      }
      default:
        return undefined;
    }
  })();
  if (next === undefined) return row;
  const step: TimelineEntry = {
    type: event.type,
    at,
    actorId: event.metadata.actor.id,
    actorRole: event.metadata.actor.role,
    revision,
  };
  return { ...next, timeline: [...next.timeline, step], updated_at: at, last_revision: revision };
}

// ---------------------------------------------------------------------------------------------
// The projector
// ---------------------------------------------------------------------------------------------

const PERSONAL_COLUMNS_BLANKED = `customer_name = null, customer_contact_name = null, customer_email = null,
  customer_phone = null, customer_siret = null, customer_address = null, vehicle_plate = null,
  cancellation_comment = null,
  notes = coalesce((select jsonb_agg(n || '{"text": null}'::jsonb order by o)
                      from jsonb_array_elements(notes) with ordinality as e(n, o)), '[]'::jsonb),
  personal_data_erased = true`;

async function loadRows(
  tx: SqlExecutor,
  table: string,
  ids: readonly string[],
): Promise<Map<string, BookingRow>> {
  const rows = new Map<string, BookingRow>();
  if (ids.length === 0) return rows;
  // `= any` of the ids: an index scan however small the table looks to the planner (a set-returning
  // function joined in would be estimated at 100 rows, and a young table hash-joined in full).
  const { rows: found } = await tx.query<{ row: BookingRow }>(
    `select to_jsonb(b) as row from ${table} b where b.booking_id = any($1::text[])`,
    [ids],
  );
  for (const { row } of found) rows.set(row.booking_id, row);
  return rows;
}

/** Blanks a customer's personal columns and drops the lookup digests of their bookings. */
async function scrubBookings(
  ctx: Pick<MaintenanceContext, 'tx' | 'table'>,
  subjectId: string,
): Promise<number> {
  const table = ctx.table('bookings');
  const keys = await ctx.tx.query(
    `delete from ${ctx.table('booking_keys')} k using ${table} b
      where b.customer_id = $1 and k.booking_id = b.booking_id and k.key not like 'id:%'`,
    [subjectId],
  );
  const rows = await ctx.tx.query(
    `update ${table} set ${PERSONAL_COLUMNS_BLANKED}
      where customer_id = $1 and (personal_data_erased = false or customer_name is not null
        or customer_email is not null or vehicle_plate is not null or cancellation_comment is not null
        or jsonb_path_exists(notes, '$[*] ? (@.text != null)'))`,
    [subjectId],
  );
  return keys.rowCount + rows.rowCount;
}

/**
 * The distinct booking ids of the events, as `known` (ids whose rows are looked up: in the
 * projector's row memory, else in its table). Every id is looked up, even one whose stream starts
 * in the batch: `apply` must stay idempotent when a whole batch is applied twice.
 */
export function bookingIdsOf(
  events: readonly ProjectionEvent[],
  idOf: (event: ProjectionEvent) => string | undefined,
): { readonly known: string[] } {
  const ids = new Set<string>();
  for (const event of events) {
    const id = idOf(event);
    if (id !== undefined) ids.add(id);
  }
  return { known: [...ids] };
}

async function applyBookings(events: readonly ProjectionEvent[], ctx: ApplyContext): Promise<void> {
  const table = ctx.table('bookings');
  const memory = rowMemory<BookingRow>(ctx, 'bookings');
  const { known } = bookingIdsOf(events, bookingIdOf);
  const rows = await memory.rows(known, (missing) => loadRows(ctx.tx, table, missing));
  const existing = new Set(rows.keys());
  const changed = new Map<string, BookingRow>();
  for (const event of events) {
    const id = bookingIdOf(event);
    if (id === undefined) continue;
    const current = rows.get(id);
    const next = foldBookingEvent(current, event);
    if (next !== undefined && next !== current) {
      rows.set(id, next);
      changed.set(id, next);
    }
  }
  const written = [...changed.values()];
  await upsertRows(ctx.tx, table, written, { key: ['booking_id'] });
  for (const row of written) memory.remember(row.booking_id, row);
  // Lookup keys derive from fields fixed at placement: written once, when the row is created.
  const created = written.filter((row) => !existing.has(row.booking_id));
  await upsertRows(ctx.tx, ctx.table('booking_keys'), created.flatMap(keysOf), {
    key: ['key'],
    columns: ['key', 'tenant_id', 'booking_id'],
  });
}

export const bookingsProjector = defineProjector({
  name: 'bookings',
  version: 1,
  tables: ['bookings', 'booking_keys'],
  // Read-side and GDPR lookups; apply reads bookings by id.
  deferredIndexes: ['bookings_reference', 'bookings_customer', 'bookings_subject', 'booking_keys_booking'],
  filter: { streamPrefixes: ['booking-', SUBJECT_STREAM_PREFIX] },
  migrations: (schema) => [
    {
      version: 1,
      name: 'bookings and lookup keys',
      sql: `
create table ${schema}.bookings (
  tenant_id text not null,
  booking_id text primary key,
  reference text not null,
  status text not null,
  customer_id text not null,
  customer_kind text not null,
  customer_name text,
  customer_contact_name text,
  customer_email text,
  customer_phone text,
  customer_siret text,
  customer_address jsonb,
  vehicle_plate text,
  vehicle_category text not null,
  vehicle_fuel text not null,
  control_type text not null,
  centre_id text not null,
  reservation_id text not null,
  appointment_date date not null,
  start_local text not null,
  end_local text not null,
  duration_minutes int not null,
  inspector_id text,
  price_cents int not null,
  channel text not null,
  payment_mode text not null,
  payment_status text not null,
  paid_cents int not null,
  result text,
  contre_visite_due_by date,
  hold_expires_at timestamptz not null,
  placed_at timestamptz not null,
  confirmed_at timestamptz,
  checked_in_at timestamptz,
  completed_at timestamptz,
  cancelled_at timestamptz,
  expired_at timestamptz,
  no_show_at timestamptz,
  cancelled_by text,
  cancellation_reason text,
  cancellation_comment text,
  refund_eligible boolean,
  reschedules jsonb not null,
  payments jsonb not null,
  notes jsonb not null,
  timeline jsonb not null,
  personal_data_erased boolean not null,
  updated_at timestamptz not null,
  last_revision bigint not null
);
create index bookings_reference on ${schema}.bookings (tenant_id, reference);
create index bookings_customer on ${schema}.bookings (tenant_id, customer_id, start_local desc, booking_id);
create index bookings_subject on ${schema}.bookings (customer_id);
${tenantPolicy(schema, 'bookings')}
create table ${schema}.booking_keys (
  key text primary key,
  tenant_id text not null,
  booking_id text not null
);
create index booking_keys_booking on ${schema}.booking_keys (booking_id);
${publicTable(schema, 'booking_keys')}`,
    },
  ],
  apply: (batch, ctx) =>
    applyWithErasures(
      batch,
      (events) => applyBookings(events, ctx),
      (subjectId) => {
        rowMemory(ctx, 'bookings').forget();
        return scrubBookings(ctx, subjectId);
      },
    ),
  scrub: (subjectId, ctx) => {
    rowMemory(ctx, 'bookings').forget();
    return scrubBookings(ctx, subjectId);
  },
  async export(subjectId, ctx) {
    const { rows } = await ctx.tx.query<{ row: BookingRow }>(
      `select to_jsonb(b) as row from ${ctx.table('bookings')} b where b.customer_id = $1 order by b.placed_at, b.booking_id`,
      [subjectId],
    );
    return { bookings: rows.map(({ row }) => row) };
  },
});

function bookingIdOf(event: ProjectionEvent): string | undefined {
  const data: Readonly<Record<string, unknown>> = event.data;
  const id = data.bookingId;
  return event.streamName.startsWith('booking-') && typeof id === 'string' ? id : undefined;
}
