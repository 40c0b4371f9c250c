import { bookingStream, isEntityId } from '@pti/events';
import type { Ledger } from '@pti/platform';
import { loadAggregate } from '../commands/execute-command.js';
import { bookingDecider } from '../domain/booking/booking-decider.js';
import type { Booking } from '../domain/booking/booking-state.js';
import { DomainError } from '../domain/shared/domain-error.js';
import { createLruMap } from '../shared/lru-map.js';
import type { WriteSideContext } from '../write-side-context.js';

/**
 * The tenant of each booking (from the metadata of its first event): a fact that never changes, kept
 * in a bounded map so a staff request's scope check costs no read for a booking seen recently.
 */
export interface BookingTenantIndex {
  tenantOf(bookingId: string): Promise<string | undefined>;
  remember(bookingId: string, tenantId: string): void;
}

export function createBookingTenantIndex(ledger: Ledger, maxEntries = 100_000): BookingTenantIndex {
  const tenants = createLruMap<string>(maxEntries);
  return {
    async tenantOf(bookingId) {
      const known = tenants.get(bookingId);
      if (known !== undefined) return known;
      if (!isEntityId(bookingId)) return undefined;
      const [first] = await ledger.readStream(bookingStream(bookingId), { limit: 1 });
      if (!first) return undefined;
      tenants.set(bookingId, first.metadata.tenantId);
      return first.metadata.tenantId;
    },
    remember(bookingId, tenantId) {
      tenants.set(bookingId, tenantId);
    },
  };
}

export interface LoadedBooking {
  readonly booking: Booking;
  readonly revision: bigint;
}

/** A booking of the caller's tenant; another tenant's is answered like an unknown one. */
export async function loadBookingOf(
  ctx: WriteSideContext,
  bookingId: string,
  tenantId: string,
): Promise<LoadedBooking> {
  const notFound = () =>
    new DomainError('BOOKING_NOT_FOUND', 'the booking does not exist', {
      bookingId,
      reason: 'BOOKING_NOT_FOUND',
    });
  if (!isEntityId(bookingId) || (await ctx.bookingTenants.tenantOf(bookingId)) !== tenantId) throw notFound();
  const { state, revision } = await loadAggregate(ctx.env, bookingStream(bookingId), bookingDecider);
  if (state.status === 'none') throw notFound();
  return { booking: state, revision };
}

export interface BookingLocation {
  readonly tenantId: string;
  /** The centre of the current appointment. */
  readonly centreId: string;
  readonly customerId: string;
  readonly customerKind: 'private' | 'company';
}

/** Where a booking lives and whose it is, for a route's scope check and actor; undefined if unknown. */
export async function locateBooking(
  ctx: WriteSideContext,
  bookingId: string,
): Promise<BookingLocation | undefined> {
  const tenantId = await ctx.bookingTenants.tenantOf(bookingId);
  if (tenantId === undefined) return undefined;
  const { state } = await loadAggregate(ctx.env, bookingStream(bookingId), bookingDecider);
  if (state.status === 'none') return undefined;
  return {
    tenantId,
    centreId: state.centreId,
    customerId: state.customerId,
    customerKind: state.customer.kind,
  };
}
