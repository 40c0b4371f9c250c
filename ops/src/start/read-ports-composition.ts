import { schemaVersionOf, upcast } from '@pti/events';
import type { Cache, Ledger, RecordedEvent, SqlExecutor, TransactionalSqlExecutor } from '@pti/platform';
import {
  allCentres,
  availableStartTimes,
  type BookingDetail,
  bookingById,
  bookingForManageLink,
  bookingsPlacedBy,
  bookingsWithReference,
  type CentreRow,
  type CustomerMatch,
  centreById,
  centreDayAgenda,
  customerBookings,
  encodeCursor,
  firstFreeSlots,
  type LiveGenerations,
  type ProjectionLayout,
  type ProjectionRunner,
  type ProjectorRuntimeStatus,
  reportingDailyFacts,
  searchCentres,
  searchCentresNear,
  searchCustomers,
  type VehicleProfileQuery,
  withTenantRead,
} from '@pti/projections';
import {
  type ActorRef,
  type AuditEntry,
  type BookingRecord,
  type CentreCard,
  type CentreSummary,
  type CursorKey,
  type CustomerCriteria,
  type CustomerHit,
  type PageRequest,
  type PageResult,
  type ProjectionState,
  type ProjectionStatus,
  ReadModelUnavailableError,
  type ReadPorts,
  type StreamEvent,
  type TenantScope,
  type VehicleProfile,
} from '@pti/read-api';
import {
  addDaysToLocalDate,
  DEFAULT_DURATION_MATRIX,
  daysBetweenLocalDates,
  durationRuleOf,
  findListPrice,
} from '@pti/write-side/domain';
import { gridOf, rowsAround } from './centre-grid.js';

/**
 * The read API's ports over the projections' queries (DESIGN.md §3: the read API sees ports, ops
 * wires them). Public ports read public models (centres, availability: Redis first, PostgreSQL for
 * what Redis lacks) or bookings the route then checks against an owner proof; staff ports read under
 * row-level security with the caller's tenant (`withTenantRead`) and filter to the caller's centres.
 * A read model not built yet (its views do not exist) answers 503 `READ_MODEL_UNAVAILABLE`.
 */
export interface ReadPortsDeps {
  /** The read-model database (owner connection; staff queries switch to `pti_reader`). */
  readonly db: TransactionalSqlExecutor;
  readonly cache?: Cache;
  readonly live: LiveGenerations;
  readonly layout: ProjectionLayout;
  /** The vault-decorated ledger: booking history and replay read streams decrypted. */
  readonly ledger: Ledger;
  /** The projectors running in this process, for the status route; else read from the registry. */
  readonly projectionStatus: () => Promise<readonly ProjectionStatus[]>;
  /** How long a centre card stays cached in-process (availability's hot path); default 2 s. */
  readonly centreCacheMs?: number;
}

/** The largest candidate set a search by position pages through in memory. */
const MAX_CANDIDATES = 500;

// -------------------------------------------------------------------------------------------------
// Mapping helpers
// -------------------------------------------------------------------------------------------------

function summaryOf(row: CentreRow): CentreSummary {
  return {
    centreId: row.centre_id,
    name: row.name,
    address: row.address,
    postcode: row.postcode,
    city: row.city,
    position: { lat: Number(row.lat), lon: Number(row.lon) },
    phone: row.phone === '' ? null : row.phone,
  };
}

function cardOf(row: CentreRow): CentreCard {
  return {
    ...summaryOf(row),
    tenantId: row.tenant_id,
    code: row.code,
    email: row.email === '' ? null : row.email,
    website: row.website,
    timeZone: row.time_zone,
    active: row.active,
    openingHours: row.opening_hours,
    prices: row.prices,
  };
}

/** The read API's profile (fuel `null`: any fuel without special equipment) as the read models key it. */
function queryProfile(profile: VehicleProfile): VehicleProfileQuery {
  return { controlType: profile.controlType, category: profile.category, fuel: profile.fuel ?? 'Essence' };
}

function durationOf(profile: VehicleProfileQuery): number | undefined {
  const rule = durationRuleOf(DEFAULT_DURATION_MATRIX, profile.controlType, profile.category, profile.fuel);
  if (rule === undefined || rule.exemptFuels.includes(profile.fuel)) return undefined;
  return profile.fuel === 'Gaz' ? rule.minutes + rule.gazExtraMinutes : rule.minutes;
}

function priceOf(row: CentreRow, profile: VehicleProfileQuery): number | null {
  return findListPrice(row.prices, profile.controlType, profile.category, profile.fuel) ?? null;
}

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

/** Keyset pagination over a candidate list already held in memory (each row's key built once). */
function keysetPage<T>(rows: readonly T[], keyOf: (row: T) => CursorKey, page: PageRequest): PageResult<T> {
  const after = page.after;
  const keyed: { readonly row: T; readonly key: CursorKey }[] = [];
  for (const row of rows) {
    const key = keyOf(row);
    if (after === null || compareKeys(key, after) > 0) keyed.push({ row, key });
  }
  keyed.sort((a, b) => compareKeys(a.key, b.key));
  const items = keyed.slice(0, page.limit);
  const last = items.at(-1);
  return {
    items: items.map((item) => item.row),
    next: keyed.length > page.limit && last !== undefined ? last.key : null,
  };
}

const inCentres = (scope: TenantScope, centreId: string) =>
  scope.centreIds === 'all' || scope.centreIds.includes(centreId);

/** Missing relations (read model not built yet, or being created): a 503 rather than a 500. */
function unavailable(error: unknown): never {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === '42P01' || code === '3F000' || code === '42P07') {
    throw new ReadModelUnavailableError('read model not built yet');
  }
  if (error instanceof Error && /has no live generation|relation .* does not exist/.test(error.message)) {
    throw new ReadModelUnavailableError('read model not built yet');
  }
  throw error;
}

async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    return unavailable(error);
  }
}

/**
 * A value loaded by `load` and reused for `freshMs`; past that the stored value is still answered
 * while one reload runs in the background, up to `STALE_FACTOR` times `freshMs` (then callers wait
 * for the reload, and see its failure). Age counts from when a load started.
 */
const STALE_FACTOR = 5;

export function staleWhileRevalidate<T>(load: () => Promise<T>, freshMs: number): () => Promise<T> {
  let current: { readonly at: number; readonly value: Promise<T> } | undefined;
  let loading: Promise<T> | undefined;
  const reload = (): Promise<T> => {
    if (loading !== undefined) return loading;
    const at = Date.now();
    const next = load();
    loading = next;
    next.then(
      () => {
        current = { at, value: next };
        loading = undefined;
      },
      () => {
        loading = undefined;
      },
    );
    return next;
  };
  return () => {
    const age = current === undefined ? Number.POSITIVE_INFINITY : Date.now() - current.at;
    if (current !== undefined && age < freshMs) return current.value;
    if (current !== undefined && age < freshMs * STALE_FACTOR) {
      reload().catch(() => undefined);
      return current.value;
    }
    return reload();
  };
}

// -------------------------------------------------------------------------------------------------
// Streams
// -------------------------------------------------------------------------------------------------

function actorOf(event: RecordedEvent): ActorRef {
  return { id: event.metadata.actor.id, role: event.metadata.actor.role as ActorRef['role'] };
}

/** A stored event brought to its current schema version (as `pti replay` does). */
function upcastData(event: RecordedEvent): unknown {
  return schemaVersionOf(event.type) === undefined
    ? event.data
    : upcast(event.type, event.metadata.schemaVersion, event.data);
}

function streamEventOf(event: RecordedEvent): StreamEvent {
  return {
    type: event.type,
    data: upcastData(event),
    occurredAt: event.metadata.occurredAt,
    revision: event.revision,
    tenantId: event.metadata.tenantId,
    actor: actorOf(event),
  };
}

function auditEntryOf(stream: string, event: RecordedEvent): AuditEntry {
  const data = upcastData(event);
  return {
    eventId: event.id,
    stream,
    revision: Number(event.revision),
    type: event.type,
    occurredAt: event.metadata.occurredAt,
    actor: actorOf(event),
    correlationId: event.metadata.correlationId,
    causationId: event.metadata.causationId ?? null,
    data: typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : { value: data },
  };
}

// -------------------------------------------------------------------------------------------------
// Projection status
// -------------------------------------------------------------------------------------------------

const STATES: Record<ProjectorRuntimeStatus['state'], ProjectionState> = {
  starting: 'starting',
  'catching up': 'catching_up',
  live: 'live',
  rebuilding: 'rebuilding',
  failing: 'failed',
  stopped: 'stopped',
};

/** The running projectors' status as the ops route shows it. */
export async function runnerProjectionStatus(runner: ProjectionRunner): Promise<ProjectionStatus[]> {
  const lines = await runner.status();
  return lines.map((line) => ({
    name: line.name,
    version: line.generation ?? 0,
    state: STATES[line.state],
    checkpoint: line.checkpoint,
    lagEvents: line.lag?.events ?? 0,
    lagSeconds: line.lag?.seconds ?? 0,
    lastAppliedAt: null,
    error: line.lastError,
  }));
}

// -------------------------------------------------------------------------------------------------
// The ports
// -------------------------------------------------------------------------------------------------

export function createReadPorts(deps: ReadPortsDeps): ReadPorts {
  const { db, layout } = deps;
  const viewSchema = layout.viewSchema(undefined);
  const source = { db, schema: viewSchema };
  const reportingSource = { db, schema: layout.viewSchema('reporting') };
  // The searches' first free slots: each centre's first days reused up to 1 s (answers say max-age=10).
  const availability = { db, cache: deps.cache, live: deps.live, layout, firstDaysMemoMs: 1_000 };
  const centres = { db, layout };

  // The searches by position run in memory over every centre row (2,000 centres: a fraction of a
  // millisecond, where reading the candidates' rows cost milliseconds), re-read every few seconds
  // (the search answers are cacheable for 10 s anyway). Stale while revalidating: the searches
  // keep using the previous rows while the next ones load, instead of all waiting on the reload.
  const centreGrid = staleWhileRevalidate(
    async () => gridOf(await allCentres(centres)),
    deps.centreCacheMs ?? 2_000,
  );

  // A centre card (time zone, prices: the availability route's misses, booking views, agendas)
  // comes from the same rows; a centre newer than them is read on its own and kept a moment.
  const centreCacheMs = deps.centreCacheMs ?? 2_000;
  const centreCache = new Map<
    string,
    { readonly at: number; readonly row: Promise<CentreRow | undefined> }
  >();
  const centreRowOnItsOwn = (centreId: string): Promise<CentreRow | undefined> => {
    const hit = centreCache.get(centreId);
    if (hit !== undefined && Date.now() - hit.at < centreCacheMs) return hit.row;
    const row = centreById(centres, centreId).catch((error: unknown) => {
      centreCache.delete(centreId);
      throw error;
    });
    if (centreCache.size > 10_000) centreCache.clear();
    centreCache.set(centreId, { at: Date.now(), row });
    return row;
  };
  const centreRow = async (centreId: string): Promise<CentreRow | undefined> =>
    (await centreGrid()).byId.get(centreId) ?? centreRowOnItsOwn(centreId);

  const bookingRecord = async (detail: BookingDetail): Promise<BookingRecord> => {
    const centre = await centreRow(detail.centreId);
    return {
      bookingId: detail.bookingId,
      tenantId: detail.tenantId,
      reference: detail.reference,
      status: detail.status,
      customerId: detail.customerId,
      customer: {
        kind: detail.customer.kind,
        name: detail.customer.name,
        email: detail.customer.email,
        phone: detail.customer.phone,
        siret: detail.customer.siret,
        contactName: detail.customer.contactName,
      },
      vehicle: { plate: detail.vehicle.plate, category: detail.vehicle.category, fuel: detail.vehicle.fuel },
      controlType: detail.controlType,
      centre: {
        centreId: detail.centreId,
        name: centre?.name ?? '',
        address: centre?.address ?? '',
        postcode: centre?.postcode ?? '',
        city: centre?.city ?? '',
        phone: centre === undefined || centre.phone === '' ? null : centre.phone,
        email: centre === undefined || centre.email === '' ? null : centre.email,
        position: centre === undefined ? null : { lat: Number(centre.lat), lon: Number(centre.lon) },
        timeZone: centre?.time_zone ?? 'Europe/Paris',
      },
      reservationId: detail.reservationId,
      start: detail.start,
      durationMinutes: detail.durationMinutes,
      priceCents: detail.priceCents,
      paidCents: detail.paidCents,
      paymentMode: detail.paymentMode,
      channel: detail.channel,
      inspectorId: detail.inspectorId,
      result: detail.result,
      contreVisiteDueBy: detail.contreVisiteDueBy,
      cancellation:
        detail.cancellation === null
          ? null
          : {
              cancelledBy: detail.cancellation.by,
              reason: detail.cancellation.reason,
              refundEligible: detail.cancellation.refundEligible,
            },
      rescheduleCount: detail.reschedules.length,
      placedAt: detail.placedAt,
      updatedAt: detail.updatedAt,
    };
  };

  /** Centres around a point within a radius (active, offering the profile), nearest first. */
  const centresNear = async (
    point: { lat: number; lon: number },
    radiusKm: number,
    profile: VehicleProfileQuery,
  ) =>
    searchCentresNear(rowsAround(await centreGrid(), point, radiusKm), {
      position: point,
      radiusKm,
      controlType: profile.controlType,
      category: profile.category,
      fuel: profile.fuel,
      limit: MAX_CANDIDATES,
    });

  return {
    // --- public -----------------------------------------------------------------------------------
    searchCentres: (query, page) =>
      guarded(async () => {
        const profile = queryProfile(query.profile);
        const location = query.location;
        let origin: { lat: number; lon: number } | undefined;
        if (location.kind === 'position') origin = location.point;
        else {
          // A postcode or a town names a place: search around its first centre, as a map would.
          const [anchor] = await searchCentres(centres, {
            ...(location.kind === 'postcode' ? { postcode: location.postcode } : { town: location.town }),
            limit: 1,
          });
          if (anchor === undefined) return { items: [], next: null };
          origin = { lat: Number(anchor.centre.lat), lon: Number(anchor.centre.lon) };
        }
        const found = await centresNear(origin, location.radiusKm, profile);
        // Paged by distance first: only the page's centres need their first free slot (a city
        // has hundreds of candidates; each costs a Redis key and its decoding).
        const paged = keysetPage(
          found,
          (hit) => [Math.round((hit.distanceKm ?? 0) * 1000), hit.centre.centre_id],
          page,
        );
        const firsts = await firstFreeSlots(availability, {
          centreIds: paged.items.map((hit) => hit.centre.centre_id),
          profile,
          now: query.now,
        });
        const items = paged.items.map((hit) => {
          const first = firsts.get(hit.centre.centre_id) ?? null;
          return {
            centre: summaryOf(hit.centre),
            distanceKm: hit.distanceKm,
            priceCents: hit.priceCents,
            firstFreeSlot: first === null ? null : { date: first.date, start: first.start.start },
          };
        });
        return { items, next: paged.next };
      }),

    centreById: (centreId) =>
      guarded(async () => {
        const row = await centreById(centres, centreId);
        return row === undefined ? null : cardOf(row);
      }),

    centreAvailability: (query) =>
      guarded(async () => {
        const centre = await centreRow(query.centreId);
        if (centre === undefined) return null;
        const profile = queryProfile(query.profile);
        const durationMinutes = durationOf(profile);
        const found =
          durationMinutes === undefined
            ? []
            : await availableStartTimes(availability, {
                centreId: query.centreId,
                from: query.from,
                to: query.to,
                profile,
                now: query.now,
              });
        // Every day of the range has a row (the common case): the answer as read, in order.
        const span = daysBetweenLocalDates(query.from, query.to);
        let days: readonly { readonly date: string; readonly starts: readonly string[] }[] = found;
        if (found.length !== Math.max(span + 1, 0)) {
          const byDate = new Map(found.map((day) => [day.date, day.starts]));
          days = Array.from({ length: Math.max(span + 1, 0) }, (_, n) => {
            const date = addDaysToLocalDate(query.from, n);
            return { date, starts: byDate.get(date) ?? [] };
          });
        }
        return {
          centreId: centre.centre_id,
          timeZone: centre.time_zone,
          // A control the matrix does not offer for this vehicle: no start, nominal duration shown.
          durationMinutes: durationMinutes ?? 45,
          priceCents: priceOf(centre, profile),
          days,
        };
      }),

    firstFreeSlots: (query, page) =>
      guarded(async () => {
        const profile = queryProfile(query.profile);
        const found = await centresNear(query.near, query.radiusKm, profile);
        const firsts = await firstFreeSlots(availability, {
          centreIds: found.map((hit) => hit.centre.centre_id),
          profile,
          now: query.now,
        });
        const hits = found.flatMap((hit) => {
          const first = firsts.get(hit.centre.centre_id) ?? null;
          if (first === null || first.date < query.from) return [];
          return [
            {
              centre: summaryOf(hit.centre),
              distanceKm: hit.distanceKm ?? 0,
              slot: { date: first.date, start: first.start.start },
              priceCents: hit.priceCents,
            },
          ];
        });
        return keysetPage(
          hits,
          (hit) => [
            `${hit.slot.date}T${hit.slot.start}`,
            Math.round(hit.distanceKm * 1000),
            hit.centre.centreId,
          ],
          page,
        );
      }),

    bookingsByReference: (reference) =>
      guarded(async () => Promise.all((await bookingsWithReference(source, reference)).map(bookingRecord))),

    bookingById: (bookingId) =>
      guarded(async () => {
        const detail = await bookingForManageLink(source, bookingId);
        return detail === undefined ? null : bookingRecord(detail);
      }),

    // --- staff ------------------------------------------------------------------------------------
    centreDayAgenda: (scope, centreId, date) =>
      guarded(async () => {
        if (!inCentres(scope, centreId)) return null;
        const centre = await centreRow(centreId);
        if (centre === undefined || centre.tenant_id !== scope.tenantId) return null;
        const day = await centreDayAgenda(source, scope.tenantId, centreId, date);
        return {
          centreId,
          date,
          inspectors: day.inspectors
            .filter((inspector) => inspector.active)
            .map((inspector) => ({
              inspectorId: inspector.inspectorId,
              name: inspector.name ?? '',
              accreditations: inspector.accreditations,
            })),
          entries: day.entries.flatMap((entry) => {
            const booking = entry.booking;
            const vehicle = entry.vehicle;
            if (entry.kind !== 'reservation' || booking === null || vehicle === null) return [];
            if (entry.controlType === null || vehicle.category === null || vehicle.fuel === null) return [];
            return [
              {
                bookingId: booking.bookingId,
                reference: booking.reference,
                reservationId: entry.entryId,
                start: entry.start,
                end: entry.end,
                durationMinutes: entry.durationMinutes ?? 1,
                inspectorId: entry.inspectorId,
                overbooked: entry.overbooked,
                controlType: entry.controlType,
                vehicle: { plate: booking.vehiclePlate, category: vehicle.category, fuel: vehicle.fuel },
                customerName: booking.customerName,
                customerPhone: booking.customerPhone,
                status: booking.status,
                result: booking.result,
              },
            ];
          }),
          blocks: day.entries
            .filter((entry) => entry.kind === 'block')
            .map((entry) => ({
              blockId: entry.entryId,
              from: entry.start,
              to: entry.end,
              inspectorId: entry.inspectorId,
              label: entry.label ?? '',
            })),
        };
      }),

    searchCustomers: (scope, criteria, page) => guarded(() => customerSearch(source, scope, criteria, page)),

    customerBookings: (scope, customerId, page) =>
      guarded(async () => {
        const [start, bookingId] = page.after ?? [];
        const found = await customerBookings(source, scope.tenantId, {
          customerId,
          centreIds: scope.centreIds,
          after: typeof start === 'string' && typeof bookingId === 'string' ? [start, bookingId] : null,
          limit: page.limit,
        });
        return { items: found.items, next: found.next };
      }),

    fleetBookings: (scope, actorId, page) =>
      guarded(async () => {
        const [start, bookingId] = page.after ?? [];
        const found = await bookingsPlacedBy(source, scope.tenantId, {
          actorId,
          after: typeof start === 'string' && typeof bookingId === 'string' ? [start, bookingId] : null,
          limit: page.limit,
        });
        return { items: found.items, next: found.next };
      }),

    bookingDetailWithHistory: (scope, bookingId) =>
      guarded(async () => {
        const detail = await bookingById(source, scope.tenantId, bookingId);
        if (detail === undefined || !inCentres(scope, detail.centreId)) return null;
        const stream = `booking-${bookingId}`;
        const events = await deps.ledger.readStream(stream);
        return {
          booking: await bookingRecord(detail),
          history: events.map((event) => auditEntryOf(stream, event)),
        };
      }),

    reportingFacts: (scope, query) =>
      guarded(async () => {
        if (!inCentres(scope, query.centreId)) return [];
        const days = await reportingDailyFacts(reportingSource, scope.tenantId, {
          centreIds: [query.centreId],
          from: query.from,
          to: query.to,
        });
        return days
          .filter((day) => day.centreId === query.centreId)
          .map((day) => ({
            date: day.from,
            bookings: day.appointments,
            cancellations: day.cancelled,
            noShows: day.noShows,
            completed: day.completed,
            results: day.results,
            revenueCents: day.revenueCents,
            bookedMinutes: day.bookedMinutes,
            capacityMinutes: day.capacityMinutes,
            // The read model keeps the day's total; the facts carry its average over placements.
            leadTimeMinutesTotal: Math.round((day.leadTime.averageMinutes ?? 0) * day.placed),
            channels: {
              web: day.channels.web,
              mobile: day.channels.mobile,
              call_centre: day.channels.callCentre,
              backoffice: day.channels.backoffice,
            },
          }));
      }),

    auditTrail: (scope, query, page) => guarded(() => streamAuditTrail(deps, viewSchema, scope, query, page)),

    readStream: async (stream) => (await deps.ledger.readStream(stream)).map(streamEventOf),

    // --- ops --------------------------------------------------------------------------------------
    projectionStatus: () => deps.projectionStatus(),
  };
}

// -------------------------------------------------------------------------------------------------
// Customer search: the read model takes one search box; the port's criteria combine with AND
// -------------------------------------------------------------------------------------------------

const compact = (value: string) => value.toUpperCase().replace(/[^A-Z0-9]/g, '');
const folded = (value: string) =>
  value
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase();

function matches(hit: CustomerMatch, criteria: CustomerCriteria): boolean {
  if (criteria.phone !== undefined) {
    const digits = criteria.phone.replace(/\D/g, '');
    if (!(hit.phone ?? '').replace(/\D/g, '').includes(digits)) return false;
  }
  if (criteria.plate !== undefined) {
    const plate = compact(criteria.plate);
    if (!hit.plates.some((p) => compact(p).includes(plate))) return false;
  }
  if (criteria.email !== undefined && (hit.email ?? '') !== criteria.email) return false;
  if (criteria.name !== undefined) {
    const name = folded(criteria.name);
    const names = [hit.name, hit.contactName].filter((n): n is string => n !== null).map(folded);
    if (!names.some((n) => n.includes(name))) {
      // A trigram match the substring test misses (a typo) still counts when the name was the search term.
      if (hit.matchedOn !== 'name') return false;
    }
  }
  if (criteria.reference !== undefined) {
    const reference = compact(criteria.reference);
    if (!hit.bookingReferences.some((r) => compact(r).includes(reference))) return false;
  }
  return true;
}

/** The most selective criterion is the search term; the others filter its results. */
function searchTerm(criteria: CustomerCriteria): string | undefined {
  return criteria.reference ?? criteria.plate ?? criteria.email ?? criteria.phone ?? criteria.name;
}

async function customerSearch(
  source: { readonly db: TransactionalSqlExecutor; readonly schema: string },
  scope: TenantScope,
  criteria: CustomerCriteria,
  page: PageRequest,
): Promise<PageResult<CustomerHit>> {
  const term = searchTerm(criteria);
  if (term === undefined) return { items: [], next: null };
  const items: CustomerHit[] = [];
  let cursor = page.after === null ? null : encodeCursor(page.after.map((value) => value as string | number));
  let last: CursorKey | null = null;
  // Filtering may drop rows of a read-model page: read on until the page is full (bounded).
  for (let round = 0; round < 10 && items.length < page.limit; round++) {
    const found = await searchCustomers(source, scope.tenantId, term, {
      limit: Math.min(100, page.limit * 2),
      cursor,
    });
    for (const hit of found.items) {
      last = [hit.score, hit.customerId];
      if (!matches(hit, criteria) || !inCentres(scope, hit.lastBooking.centreId)) continue;
      items.push({
        customerId: hit.customerId,
        kind: hit.kind,
        name: hit.name,
        email: hit.email,
        phone: hit.phone,
        siret: hit.siret,
        plates: hit.plates,
        bookingCount: hit.bookingsCount,
        lastBooking: {
          bookingId: hit.lastBooking.bookingId,
          reference: hit.lastBooking.reference,
          centreId: hit.lastBooking.centreId,
          start: hit.lastBooking.start,
          status: hit.lastBooking.status,
        },
      });
      if (items.length === page.limit) break;
    }
    if (items.length === page.limit) {
      // More may follow when this read-model page had rows left or another page exists.
      const lastItem = items.at(-1);
      const more = found.nextCursor !== null || found.items.at(-1)?.customerId !== lastItem?.customerId;
      const key = found.items.find((hit) => hit.customerId === lastItem?.customerId);
      return { items, next: more && key !== undefined ? [key.score, key.customerId] : null };
    }
    if (found.nextCursor === null) return { items, next: null };
    cursor = found.nextCursor;
  }
  // Rounds exhausted with more rows behind: a short page, and the next one starts where reading stopped.
  return { items, next: last };
}

// -------------------------------------------------------------------------------------------------
// Audit trail of one stream: filters and keyset from the audit read model (under RLS), the events'
// data from the ledger (the audit model keeps envelopes only; DESIGN.md §2 lets the auditor's
// history read the stream).
// -------------------------------------------------------------------------------------------------

interface AuditLine {
  readonly revision: string;
}

async function streamAuditTrail(
  deps: ReadPortsDeps,
  viewSchema: string,
  scope: TenantScope,
  query: { stream: string; actorId?: string; from?: Date; to?: Date; eventTypes?: readonly string[] },
  page: PageRequest,
): Promise<PageResult<AuditEntry> | null> {
  const view = `${viewSchema}.audit_events`;
  const after = page.after === null ? null : Number(page.after[0]);
  const lines = await withTenantRead(deps.db, scope.tenantId, async (tx: SqlExecutor) => {
    const exists = await tx.query(`select 1 from ${view} where stream = $1 limit 1`, [query.stream]);
    if (exists.rows.length === 0) return null;
    const where = ['stream = $1'];
    const params: unknown[] = [query.stream];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (query.actorId !== undefined) where.push(`actor_id = ${param(query.actorId)}`);
    if (query.from !== undefined)
      where.push(`occurred_at >= ${param(query.from.toISOString())}::timestamptz`);
    if (query.to !== undefined) where.push(`occurred_at <= ${param(query.to.toISOString())}::timestamptz`);
    if (query.eventTypes !== undefined && query.eventTypes.length > 0)
      where.push(`type = any(${param([...query.eventTypes])}::text[])`);
    if (after !== null && Number.isFinite(after)) where.push(`revision > ${param(after)}`);
    const result = await tx.query<AuditLine>(
      `select revision::text as revision from ${view} where ${where.join(' and ')}
        order by revision limit ${page.limit + 1}`,
      params,
    );
    return result.rows;
  });
  if (lines === null) return null;
  const wanted = new Set(lines.slice(0, page.limit).map((line) => line.revision));
  const events = await deps.ledger.readStream(query.stream);
  const items = events
    .filter((event) => wanted.has(event.revision.toString()))
    .map((event) => auditEntryOf(query.stream, event));
  const last = items.at(-1);
  return { items, next: lines.length > page.limit && last !== undefined ? [last.revision] : null };
}
