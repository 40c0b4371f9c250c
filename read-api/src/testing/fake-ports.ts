import { appointmentTimes } from '../bookings/appointment-times.js';
import type {
  AuditEntry,
  BookingRecord,
  CentreCard,
  CentreDayAgenda,
  CustomerBookingSummary,
  GeoPoint,
  ProjectionStatus,
  ReportingFactRow,
  StreamEvent,
} from '../ports/read-models.js';
import type { CursorKey, PageRequest, PageResult, ReadPorts, TenantScope } from '../ports/read-ports.js';
import { decidedBookingStream } from './booking-stream.js';
import {
  AGENDA,
  BOOKINGS,
  CENTRES,
  CUSTOMERS,
  durationOf,
  FREE_STARTS,
  PROJECTIONS,
  REPORTING,
  TENANT_A,
} from './fixtures.js';

/**
 * In-memory stand-ins for the projections' queries, faithful to the port rules: staff queries
 * see only their tenant (as row-level security would) and, for a centre list, those centres;
 * lists are keyset-paginated. Every call is logged in `calls` so tests can tell what was read.
 */

export interface FakeData {
  readonly centres: readonly CentreCard[];
  readonly bookings: readonly BookingRecord[];
  readonly agenda: CentreDayAgenda;
  readonly reporting: Readonly<Record<string, readonly ReportingFactRow[]>>;
  readonly streams: Readonly<Record<string, readonly StreamEvent[]>>;
  readonly projections: readonly ProjectionStatus[];
  /** Booking ids each fleet manager (token subject) placed. */
  readonly placedBy?: Readonly<Record<string, readonly string[]>>;
}

export type FakePorts = ReadPorts & { readonly calls: string[] };

function compareKeys(a: CursorKey, b: CursorKey): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

/** Keyset pagination over rows sorted by `keyOf`. */
export function keysetPage<T>(
  rows: readonly T[],
  keyOf: (row: T) => CursorKey,
  page: PageRequest,
): PageResult<T> {
  const sorted = [...rows].sort((a, b) => compareKeys(keyOf(a), keyOf(b)));
  const after = page.after;
  const remaining = after === null ? sorted : sorted.filter((row) => compareKeys(keyOf(row), after) > 0);
  const items = remaining.slice(0, page.limit);
  const last = items[items.length - 1];
  return { items, next: remaining.length > page.limit && last !== undefined ? keyOf(last) : null };
}

/** Great-circle distance in km. */
export function distanceKm(a: GeoPoint, b: GeoPoint): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 6371 * 2 * Math.asin(Math.sqrt(h));
}

const inScope = (scope: TenantScope, tenantId: string, centreId: string) =>
  scope.tenantId === tenantId && (scope.centreIds === 'all' || scope.centreIds.includes(centreId));

function auditEntries(stream: string, events: readonly StreamEvent[]): AuditEntry[] {
  return events.map((event) => ({
    eventId: `${stream}-${event.revision}`,
    stream,
    revision: Number(event.revision),
    type: event.type,
    occurredAt: event.occurredAt,
    actor: event.actor,
    correlationId: `corr-${event.revision}`,
    causationId: null,
    data: event.data as Readonly<Record<string, unknown>>,
  }));
}

export function defaultFakeData(): FakeData {
  const booking = decidedBookingStream(TENANT_A);
  return {
    centres: CENTRES,
    bookings: BOOKINGS,
    agenda: AGENDA,
    reporting: REPORTING,
    streams: { [`booking-${BOOKINGS[0]?.bookingId}`]: booking.events },
    projections: PROJECTIONS,
  };
}

function bookingSummary(booking: BookingRecord): CustomerBookingSummary {
  return {
    bookingId: booking.bookingId,
    reference: booking.reference,
    status: booking.status,
    centreId: booking.centre.centreId,
    start: booking.start,
    end: appointmentTimes(booking.start, booking.durationMinutes, booking.centre.timeZone).end,
    controlType: booking.controlType,
    vehiclePlate: booking.vehicle.plate,
    vehicleCategory: booking.vehicle.category,
    priceCents: booking.priceCents,
    channel: booking.channel,
    result: booking.result,
    placedAt: booking.placedAt,
  };
}

export function fakePorts(data: FakeData = defaultFakeData()): FakePorts {
  const calls: string[] = [];
  const centreOf = (centreId: string) => data.centres.find((centre) => centre.centreId === centreId) ?? null;
  const firstFree = (centreId: string) => {
    const days = FREE_STARTS[centreId] ?? {};
    const date = Object.keys(days).sort()[0];
    const start = date === undefined ? undefined : days[date]?.[0];
    return date === undefined || start === undefined ? null : { date, start };
  };
  const priceOf = (
    centre: CentreCard,
    profile: { category: string; fuel: string | null; controlType: string },
  ) =>
    centre.prices.find(
      (entry) =>
        entry.controlType === profile.controlType &&
        entry.vehicleCategory === profile.category &&
        entry.fuel === profile.fuel,
    )?.priceCents ??
    centre.prices.find(
      (entry) =>
        entry.controlType === profile.controlType &&
        entry.vehicleCategory === profile.category &&
        entry.fuel === null,
    )?.priceCents ??
    null;
  const offers = (
    centre: CentreCard,
    profile: { category: string; fuel: string | null; controlType: string },
  ) =>
    priceOf(centre, profile) !== null &&
    (profile.fuel !== 'Gaz' || centre.prices.some((entry) => entry.fuel === 'Gaz'));

  return {
    calls,
    async searchCentres(query, page) {
      calls.push('searchCentres');
      const location = query.location;
      const origin: GeoPoint | null =
        location.kind === 'position'
          ? location.point
          : (data.centres.find((centre) =>
              location.kind === 'postcode'
                ? centre.postcode === location.postcode
                : centre.city.toLowerCase() === location.town.toLowerCase(),
            )?.position ?? null);
      if (origin === null) return { items: [], next: null };
      const hits = data.centres
        .filter((centre) => centre.active && offers(centre, query.profile))
        .map((centre) => ({ centre, distanceKm: distanceKm(origin, centre.position) }))
        .filter((hit) => hit.distanceKm <= location.radiusKm)
        .map(({ centre, distanceKm: distance }) => ({
          centre,
          distanceKm: distance,
          priceCents: priceOf(centre, query.profile),
          firstFreeSlot: firstFree(centre.centreId),
        }));
      return keysetPage(hits, (hit) => [Math.round(hit.distanceKm * 1000), hit.centre.centreId], page);
    },
    async centreById(centreId) {
      calls.push('centreById');
      return centreOf(centreId);
    },
    async centreAvailability(query) {
      calls.push('centreAvailability');
      const centre = centreOf(query.centreId);
      if (centre === null) return null;
      const days = FREE_STARTS[centre.centreId] ?? {};
      const dates: string[] = [];
      for (let day = new Date(`${query.from}T00:00:00Z`); day <= new Date(`${query.to}T00:00:00Z`); ) {
        dates.push(day.toISOString().slice(0, 10));
        day = new Date(day.getTime() + 86_400_000);
      }
      return {
        centreId: centre.centreId,
        timeZone: centre.timeZone,
        durationMinutes: durationOf(query.profile),
        priceCents: priceOf(centre, query.profile),
        days: dates.map((date) => ({
          date,
          starts: offers(centre, query.profile) ? (days[date] ?? []) : [],
        })),
      };
    },
    async firstFreeSlots(query, page) {
      calls.push('firstFreeSlots');
      const hits = data.centres
        .filter((centre) => offers(centre, query.profile))
        .map((centre) => ({
          centre,
          distanceKm: distanceKm(query.near, centre.position),
          slot: firstFree(centre.centreId),
        }))
        .filter((hit) => hit.distanceKm <= query.radiusKm && hit.slot !== null && hit.slot.date >= query.from)
        .map((hit) => ({
          centre: hit.centre,
          distanceKm: hit.distanceKm,
          slot: hit.slot ?? { date: '', start: '' },
          priceCents: priceOf(hit.centre, query.profile),
        }));
      return keysetPage(
        hits,
        (hit) => [
          `${hit.slot.date}T${hit.slot.start}`,
          Math.round(hit.distanceKm * 1000),
          hit.centre.centreId,
        ],
        page,
      );
    },
    async bookingsByReference(reference) {
      calls.push('bookingsByReference');
      return data.bookings.filter((booking) => booking.reference === reference);
    },
    async bookingById(bookingId) {
      calls.push('bookingById');
      return data.bookings.find((booking) => booking.bookingId === bookingId) ?? null;
    },
    async centreDayAgenda(scope, centreId, date) {
      calls.push('centreDayAgenda');
      const centre = centreOf(centreId);
      if (centre === null || !inScope(scope, centre.tenantId, centreId)) return null;
      return data.agenda.centreId === centreId && data.agenda.date === date
        ? data.agenda
        : { centreId, date, inspectors: [], entries: [], blocks: [] };
    },
    async searchCustomers(scope, criteria, page) {
      calls.push('searchCustomers');
      const compact = (plate: string) => plate.replace(/[^A-Z0-9]/g, '');
      const hits = CUSTOMERS.filter(
        (customer) =>
          customer.tenantId === scope.tenantId &&
          (scope.centreIds === 'all' || customer.centreIds.some((id) => scope.centreIds.includes(id))),
      )
        .filter((customer) => criteria.phone === undefined || (customer.phone ?? '').includes(criteria.phone))
        .filter(
          (customer) =>
            criteria.plate === undefined ||
            customer.plates.some((p) => compact(p).includes(criteria.plate ?? '')),
        )
        .filter(
          (customer) =>
            criteria.name === undefined ||
            (customer.name ?? '').toLowerCase().includes(criteria.name.toLowerCase()),
        )
        .filter((customer) => criteria.email === undefined || customer.email === criteria.email)
        .filter(
          (customer) =>
            criteria.reference === undefined || customer.lastBooking?.reference === criteria.reference,
        )
        .map(({ tenantId: _tenant, centreIds: _centres, ...hit }) => hit);
      return keysetPage(hits, (hit) => [hit.name ?? '', hit.customerId], page);
    },
    async customerBookings(scope, customerId, page) {
      calls.push('customerBookings');
      // Newest appointment first: keys compared in reverse.
      const rows = data.bookings
        .filter(
          (booking) =>
            booking.customerId === customerId && inScope(scope, booking.tenantId, booking.centre.centreId),
        )
        .sort((a, b) => compareKeys([b.start, b.bookingId], [a.start, a.bookingId]));
      const after = page.after;
      const remaining =
        after === null ? rows : rows.filter((row) => compareKeys([row.start, row.bookingId], after) < 0);
      const items = remaining.slice(0, page.limit).map(bookingSummary);
      const last = items.at(-1);
      return {
        items,
        next: remaining.length > page.limit && last !== undefined ? [last.start, last.bookingId] : null,
      };
    },
    async fleetBookings(scope, actorId, page) {
      calls.push('fleetBookings');
      const placed = new Set(data.placedBy?.[actorId] ?? []);
      const rows = data.bookings
        .filter((booking) => placed.has(booking.bookingId) && booking.tenantId === scope.tenantId)
        .sort((a, b) => compareKeys([b.start, b.bookingId], [a.start, a.bookingId]));
      const after = page.after;
      const remaining =
        after === null ? rows : rows.filter((row) => compareKeys([row.start, row.bookingId], after) < 0);
      const items = remaining.slice(0, page.limit).map(bookingSummary);
      const last = items.at(-1);
      return {
        items,
        next: remaining.length > page.limit && last !== undefined ? [last.start, last.bookingId] : null,
      };
    },
    async bookingDetailWithHistory(scope, bookingId) {
      calls.push('bookingDetailWithHistory');
      const booking = data.bookings.find((row) => row.bookingId === bookingId);
      if (booking === undefined || !inScope(scope, booking.tenantId, booking.centre.centreId)) return null;
      const stream = `booking-${bookingId}`;
      return { booking, history: auditEntries(stream, data.streams[stream] ?? []) };
    },
    async reportingFacts(scope, query) {
      calls.push('reportingFacts');
      const centre = centreOf(query.centreId);
      if (centre === null || !inScope(scope, centre.tenantId, query.centreId)) return [];
      return (data.reporting[query.centreId] ?? []).filter(
        (row) => row.date >= query.from && row.date <= query.to,
      );
    },
    async auditTrail(scope, query, page) {
      calls.push('auditTrail');
      const events = data.streams[query.stream] ?? [];
      const visible = events.filter((event) => event.tenantId === scope.tenantId);
      if (visible.length === 0) return null;
      const entries = auditEntries(query.stream, visible).filter(
        (entry) =>
          (query.actorId === undefined || entry.actor.id === query.actorId) &&
          (query.from === undefined || new Date(entry.occurredAt) >= query.from) &&
          (query.to === undefined || new Date(entry.occurredAt) <= query.to) &&
          (query.eventTypes === undefined || query.eventTypes.includes(entry.type)),
      );
      return keysetPage(entries, (entry) => [entry.revision], page);
    },
    async readStream(stream) {
      calls.push('readStream');
      return data.streams[stream] ?? [];
    },
    async projectionStatus() {
      calls.push('projectionStatus');
      return data.projections;
    },
  };
}
