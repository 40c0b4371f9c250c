import type { SqlExecutor } from '@pti/platform';
import type { BookingRow } from '../bookings/bookings-projector.js';
import { type BookingSummary, summaryOf } from '../bookings/bookings-queries.js';
import { pageLimit, type ReadSource, readAsTenant, schemaOf } from '../bookings/shared.js';

/**
 * A customer's history for staff (the call centre's customer view): every booking of one customer
 * (data subject id), newest appointment first, read from the bookings read model under the tenant's
 * row-level security and narrowed to the caller's centres. Keyset `[start, bookingId]` descending,
 * served by the `bookings_customer (tenant_id, customer_id, start_local desc, booking_id)` index.
 */

/** One booking of a customer's history: the bookings read model's summary. */
export type CustomerBooking = BookingSummary;

export interface CustomerBookingsQuery {
  readonly customerId: string;
  /** `'all'`: every centre of the tenant; a list: only bookings currently at one of them. */
  readonly centreIds: 'all' | readonly string[];
  /** `[start, bookingId]` of the last booking served, or null for the first page. */
  readonly after: readonly [string, string] | null;
  /** 1..100, default 20. */
  readonly limit?: number;
}

export interface CustomerBookingsPage {
  readonly items: readonly CustomerBooking[];
  /** `[start, bookingId]` of the last item when another page may follow. */
  readonly next: readonly [string, string] | null;
}

export const customerBookingOf: (row: BookingRow) => CustomerBooking = summaryOf;

export async function customerBookings(
  source: ReadSource,
  tenantId: string | null,
  query: CustomerBookingsQuery,
): Promise<CustomerBookingsPage> {
  const limit = pageLimit({ limit: query.limit });
  const schema = schemaOf(source);
  // An empty centre list reaches nothing (fail closed), like a centre role without centres.
  if (query.centreIds !== 'all' && query.centreIds.length === 0) return { items: [], next: null };
  return readAsTenant(source, tenantId, async (tx: SqlExecutor) => {
    const params: unknown[] = [query.customerId, limit + 1];
    const where = ['b.customer_id = $1'];
    if (query.centreIds !== 'all') {
      params.push([...query.centreIds]);
      where.push(`b.centre_id = any($${params.length}::text[])`);
    }
    if (query.after !== null) {
      params.push(query.after[0], query.after[1]);
      where.push(`(b.start_local, b.booking_id) < ($${params.length - 1}::text, $${params.length}::text)`);
    }
    // `to_jsonb` gives the same value shapes on PostgreSQL and PGlite (instants as text).
    const { rows } = await tx.query<{ row: BookingRow }>(
      `select to_jsonb(b) as row from ${schema}.bookings b where ${where.join(' and ')}
        order by b.start_local desc, b.booking_id desc limit $2`,
      params,
    );
    const items = rows.slice(0, limit).map(({ row }) => customerBookingOf(row));
    const last = items.at(-1);
    return {
      items,
      next: rows.length > limit && last !== undefined ? [last.start, last.bookingId] : null,
    };
  });
}

export interface BookingsPlacedByQuery {
  /** The actor id of the `BookingPlaced` event: a fleet manager's token subject. */
  readonly actorId: string;
  readonly after: readonly [string, string] | null;
  /** 1..100, default 20. */
  readonly limit?: number;
}

/**
 * A fleet manager's bookings (role `client_pro`): those whose `BookingPlaced` event they caused
 * (its actor, first in the row's timeline), in their tenant, newest appointment first, keyset
 * `[start, bookingId]` descending. Tokens carry no company (SIRET), so the placing actor is what
 * ties a booking to its fleet manager. The timeline is jsonb without an index on its first actor:
 * fine per tenant for a fleet's pages; an expression index belongs to the bookings projector.
 */
export async function bookingsPlacedBy(
  source: ReadSource,
  tenantId: string | null,
  query: BookingsPlacedByQuery,
): Promise<CustomerBookingsPage> {
  const limit = pageLimit({ limit: query.limit });
  const schema = schemaOf(source);
  return readAsTenant(source, tenantId, async (tx: SqlExecutor) => {
    const params: unknown[] = [query.actorId, limit + 1];
    const where = [`b.timeline -> 0 ->> 'type' = 'BookingPlaced'`, `b.timeline -> 0 ->> 'actorId' = $1`];
    if (query.after !== null) {
      params.push(query.after[0], query.after[1]);
      where.push(`(b.start_local, b.booking_id) < ($3::text, $4::text)`);
    }
    const { rows } = await tx.query<{ row: BookingRow }>(
      `select to_jsonb(b) as row from ${schema}.bookings b where ${where.join(' and ')}
        order by b.start_local desc, b.booking_id desc limit $2`,
      params,
    );
    const items = rows.slice(0, limit).map(({ row }) => customerBookingOf(row));
    const last = items.at(-1);
    return {
      items,
      next: rows.length > limit && last !== undefined ? [last.start, last.bookingId] : null,
    };
  });
}
