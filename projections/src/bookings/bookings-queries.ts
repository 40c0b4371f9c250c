import { normalisePlate } from '@pti/events';
import type { SqlExecutor } from '@pti/platform';
import { parseBookingReference } from '@pti/write-side/domain';
import {
  type BookingRow,
  idKey,
  type NoteEntry,
  type PaymentEntry,
  type PaymentStatus,
  type RescheduleEntry,
  referenceEmailKey,
  referencePlateKey,
  type TimelineEntry,
} from './bookings-projector.js';
import {
  decodeCursor,
  encodeCursor,
  enterTenant,
  isoInstant,
  type Page,
  type PageOptions,
  pageLimit,
  type ReadSource,
  readAsTenant,
  schemaOf,
} from './shared.js';

/**
 * Queries of the bookings read model, for the read API. Staff queries take the tenant of the
 * caller's token and run under row-level security (`withTenantRead`): another tenant's booking is
 * simply not found. Public lookups find the tenant through `booking_keys` first.
 */

export interface BookingDetail {
  readonly tenantId: string;
  readonly bookingId: string;
  readonly reference: string;
  readonly status: BookingRow['status'];
  readonly customerId: string;
  /** Null fields were erased (GDPR) — `personalDataErased` is then true. */
  readonly customer: {
    readonly kind: 'private' | 'company';
    readonly name: string | null;
    readonly contactName: string | null;
    readonly email: string | null;
    readonly phone: string | null;
    readonly siret: string | null;
    readonly address: BookingRow['customer_address'];
  };
  readonly vehicle: {
    readonly plate: string | null;
    readonly category: BookingRow['vehicle_category'];
    readonly fuel: BookingRow['vehicle_fuel'];
  };
  readonly controlType: BookingRow['control_type'];
  readonly centreId: string;
  readonly reservationId: string;
  /** Local `YYYY-MM-DDTHH:MM` (Europe/Paris). */
  readonly start: string;
  readonly end: string;
  readonly durationMinutes: number;
  readonly inspectorId: string | null;
  readonly priceCents: number;
  readonly channel: BookingRow['channel'];
  readonly paymentMode: BookingRow['payment_mode'];
  readonly paymentStatus: PaymentStatus;
  readonly paidCents: number;
  readonly result: BookingRow['result'];
  readonly contreVisiteDueBy: string | null;
  readonly holdExpiresAt: string;
  /** ISO instants of each lifecycle step, null when not (yet) reached. */
  readonly placedAt: string;
  readonly confirmedAt: string | null;
  readonly checkedInAt: string | null;
  readonly completedAt: string | null;
  readonly cancelledAt: string | null;
  readonly expiredAt: string | null;
  readonly noShowAt: string | null;
  readonly cancellation: {
    readonly by: NonNullable<BookingRow['cancelled_by']>;
    readonly reason: NonNullable<BookingRow['cancellation_reason']>;
    readonly comment: string | null;
    readonly refundEligible: boolean;
  } | null;
  readonly reschedules: readonly RescheduleEntry[];
  readonly payments: readonly PaymentEntry[];
  readonly notes: readonly NoteEntry[];
  /** Every event of the booking, in order, with who caused it. */
  readonly timeline: readonly TimelineEntry[];
  readonly personalDataErased: boolean;
  readonly updatedAt: string;
}

export interface BookingSummary {
  readonly bookingId: string;
  readonly reference: string;
  readonly status: BookingRow['status'];
  readonly centreId: string;
  readonly start: string;
  readonly end: string;
  readonly controlType: BookingRow['control_type'];
  readonly vehiclePlate: string | null;
  readonly vehicleCategory: BookingRow['vehicle_category'];
  readonly priceCents: number;
  readonly channel: BookingRow['channel'];
  readonly result: BookingRow['result'];
  readonly placedAt: string;
}

export function bookingDetailOf(row: BookingRow): BookingDetail {
  return {
    tenantId: row.tenant_id,
    bookingId: row.booking_id,
    reference: row.reference,
    status: row.status,
    customerId: row.customer_id,
    customer: {
      kind: row.customer_kind,
      name: row.customer_name,
      contactName: row.customer_contact_name,
      email: row.customer_email,
      phone: row.customer_phone,
      siret: row.customer_siret,
      address: row.customer_address,
    },
    vehicle: { plate: row.vehicle_plate, category: row.vehicle_category, fuel: row.vehicle_fuel },
    controlType: row.control_type,
    centreId: row.centre_id,
    reservationId: row.reservation_id,
    start: row.start_local,
    end: row.end_local,
    durationMinutes: row.duration_minutes,
    inspectorId: row.inspector_id,
    priceCents: row.price_cents,
    channel: row.channel,
    paymentMode: row.payment_mode,
    paymentStatus: row.payment_status,
    paidCents: row.paid_cents,
    result: row.result,
    contreVisiteDueBy: row.contre_visite_due_by,
    holdExpiresAt: isoInstant(row.hold_expires_at),
    placedAt: isoInstant(row.placed_at),
    confirmedAt: isoInstant(row.confirmed_at),
    checkedInAt: isoInstant(row.checked_in_at),
    completedAt: isoInstant(row.completed_at),
    cancelledAt: isoInstant(row.cancelled_at),
    expiredAt: isoInstant(row.expired_at),
    noShowAt: isoInstant(row.no_show_at),
    cancellation:
      row.cancelled_by !== null && row.cancellation_reason !== null
        ? {
            by: row.cancelled_by,
            reason: row.cancellation_reason,
            comment: row.cancellation_comment,
            refundEligible: row.refund_eligible === true,
          }
        : null,
    reschedules: row.reschedules.map((entry) => ({ ...entry, at: isoInstant(entry.at) })),
    payments: row.payments.map((entry) => ({ ...entry, at: isoInstant(entry.at) })),
    notes: row.notes.map((entry) => ({ ...entry, at: isoInstant(entry.at) })),
    timeline: row.timeline.map((entry) => ({ ...entry, at: isoInstant(entry.at) })),
    personalDataErased: row.personal_data_erased,
    updatedAt: isoInstant(row.updated_at),
  };
}

/** A booking's summary row (lists, a customer's history). */
export function summaryOf(row: BookingRow): BookingSummary {
  return {
    bookingId: row.booking_id,
    reference: row.reference,
    status: row.status,
    centreId: row.centre_id,
    start: row.start_local,
    end: row.end_local,
    controlType: row.control_type,
    vehiclePlate: row.vehicle_plate,
    vehicleCategory: row.vehicle_category,
    priceCents: row.price_cents,
    channel: row.channel,
    result: row.result,
    placedAt: isoInstant(row.placed_at),
  };
}

// `to_jsonb` gives the same value shapes on PostgreSQL and PGlite (dates and instants as text).
async function selectBookings(
  tx: SqlExecutor,
  schema: string,
  where: string,
  params: readonly unknown[],
  tail = '',
): Promise<BookingRow[]> {
  const { rows } = await tx.query<{ row: BookingRow }>(
    `select to_jsonb(b) as row from ${schema}.bookings b where ${where} ${tail}`,
    params,
  );
  return rows.map(({ row }) => row);
}

/** Staff: a booking by id, or undefined when absent or another tenant's. */
export async function bookingById(
  source: ReadSource,
  tenantId: string | null,
  bookingId: string,
): Promise<BookingDetail | undefined> {
  const schema = schemaOf(source);
  return readAsTenant(source, tenantId, async (tx) => {
    const [row] = await selectBookings(tx, schema, 'b.booking_id = $1', [bookingId]);
    return row === undefined ? undefined : bookingDetailOf(row);
  });
}

/** Staff: a booking by its reference as typed (`k7m4 qx2p` finds `K7M4-QX2P`). */
export async function bookingByReference(
  source: ReadSource,
  tenantId: string | null,
  reference: string,
): Promise<BookingDetail | undefined> {
  const parsed = parseBookingReference(reference);
  if (parsed === undefined) return undefined;
  const schema = schemaOf(source);
  return readAsTenant(source, tenantId, async (tx) => {
    const [row] = await selectBookings(
      tx,
      schema,
      'b.reference = $1',
      [parsed],
      'order by b.placed_at desc limit 1',
    );
    return row === undefined ? undefined : bookingDetailOf(row);
  });
}

async function bookingByKey(source: ReadSource, key: string): Promise<BookingDetail | undefined> {
  const schema = schemaOf(source);
  return readAsTenant(source, null, async (tx) => {
    const { rows } = await tx.query<{ tenant_id: string; booking_id: string }>(
      `select tenant_id, booking_id from ${schema}.booking_keys where key = $1`,
      [key],
    );
    const found = rows[0];
    if (found === undefined) return undefined;
    await enterTenant(tx, found.tenant_id);
    const [row] = await selectBookings(tx, schema, 'b.booking_id = $1', [found.booking_id]);
    return row === undefined ? undefined : bookingDetailOf(row);
  });
}

export interface BookingLookup {
  /** As typed by the customer; case and separators are ignored. */
  readonly reference: string;
  /** One of the two proves the caller knows the booking. */
  readonly email?: string;
  readonly plate?: string;
}

/**
 * Public: the booking of a reference when the e-mail or the plate given matches it (normalised:
 * e-mail trimmed and lower-cased, plate as `AB-123-CD`). Anything else, including an erased
 * customer, is undefined. The caller decides which fields a motorist may see.
 */
export async function lookupBooking(
  source: ReadSource,
  lookup: BookingLookup,
): Promise<BookingDetail | undefined> {
  const reference = parseBookingReference(lookup.reference);
  if (reference === undefined) return undefined;
  const email = lookup.email?.trim().toLowerCase();
  if (email !== undefined && email !== '') {
    const found = await bookingByKey(source, referenceEmailKey(reference, email));
    if (found !== undefined) return found;
  }
  const plate = lookup.plate === undefined ? undefined : normalisePlate(lookup.plate);
  if (plate !== undefined) return bookingByKey(source, referencePlateKey(reference, plate));
  return undefined;
}

/**
 * Public: the booking a manage link names — call only after the link's token was verified
 * (`verifyManageToken` of the write side's domain), with the booking id it carries.
 */
export function bookingForManageLink(
  source: ReadSource,
  bookingId: string,
): Promise<BookingDetail | undefined> {
  return bookingByKey(source, idKey(bookingId));
}

/**
 * Staff: the bookings of a customer (data subject id), newest appointment first, cursor-paginated.
 */
export async function customerHistory(
  source: ReadSource,
  tenantId: string | null,
  customerId: string,
  options: PageOptions = {},
): Promise<Page<BookingSummary>> {
  const limit = pageLimit(options);
  const schema = schemaOf(source);
  const after = options.cursor ? decodeCursor(options.cursor, ['string', 'string'] as const) : null;
  return readAsTenant(source, tenantId, async (tx) => {
    const rows = await selectBookings(
      tx,
      schema,
      after === null
        ? 'b.customer_id = $1'
        : 'b.customer_id = $1 and (b.start_local, b.booking_id) < ($3::text, $4::text)',
      after === null ? [customerId, limit + 1] : [customerId, limit + 1, after[0], after[1]],
      'order by b.start_local desc, b.booking_id desc limit $2',
    );
    const items = rows.slice(0, limit).map(summaryOf);
    const last = items.at(-1);
    return {
      items,
      nextCursor:
        rows.length > limit && last !== undefined ? encodeCursor([last.start, last.bookingId]) : null,
    };
  });
}

/**
 * Public: every booking carrying a reference (typed any usual way), whatever its tenant — normally
 * one; references may collide over years. Reads as the tables' owner (no tenant is known yet):
 * the caller must keep only the one whose owner proof (e-mail or plate) matches before showing it.
 */
export async function bookingsWithReference(source: ReadSource, reference: string): Promise<BookingDetail[]> {
  const parsed = parseBookingReference(reference);
  if (parsed === undefined) return [];
  const rows = await selectBookings(
    source.db,
    schemaOf(source),
    'b.reference = $1',
    [parsed],
    'order by b.placed_at desc limit 20',
  );
  return rows.map(bookingDetailOf);
}
