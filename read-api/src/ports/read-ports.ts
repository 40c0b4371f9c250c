import type {
  AuditEntry,
  BookingDetailWithHistory,
  BookingRecord,
  CentreAvailability,
  CentreCard,
  CentreDayAgenda,
  CentreSearchHit,
  CustomerBookingSummary,
  CustomerHit,
  FreeSlotNearby,
  GeoPoint,
  ProjectionStatus,
  ReportingFactRow,
  StreamEvent,
  VehicleProfile,
} from './read-models.js';

/**
 * The query ports of the read API: what the projections (or any other adapter) must provide. The
 * composition root wires the real queries; tests wire in-memory fakes. Every function is async and
 * side-effect free.
 *
 * Rules the adapters follow:
 * * **Public** ports read public data (centres, availability) or, for bookings, return rows the
 *   route then checks against the owner's proof (e-mail or plate); they are not tenant-scoped.
 * * **Staff** ports take the caller's {@link TenantScope}: the adapter runs the query under the
 *   tenant's row-level security (`withTenantRead(db, scope.tenantId, …)`) and, when
 *   `scope.centreIds` is a list, filters to those centres. The route has already checked the role,
 *   and the tenant and centre of the resource it names.
 * * **Lists** are keyset-paginated: the adapter receives the key of the last row served (or `null`
 *   for the first page) and returns the key of its last row when more may follow. Keys are the
 *   adapter's own sort columns; the route turns them into opaque cursors.
 */

/** A keyset position: the sort columns of the last row served (`[distanceKm, centreId]`…). */
export type CursorKey = readonly (string | number)[];

export interface PageRequest {
  readonly after: CursorKey | null;
  /** 1 to the route's cap (100). */
  readonly limit: number;
}

export interface PageResult<T> {
  readonly items: readonly T[];
  /** The key of the last item when another page may follow, else `null`. */
  readonly next: CursorKey | null;
}

/** The tenant and centres a staff query may cover (`centreScopeOf(principal)`). */
export interface TenantScope {
  readonly tenantId: string;
  readonly centreIds: 'all' | readonly string[];
}

// ---------------------------------------------------------------------------------------------
// Queries
// ---------------------------------------------------------------------------------------------

/** Where to search: around a point, a postcode or a town, within `radiusKm`. */
export type CentreSearchLocation =
  | { readonly kind: 'position'; readonly point: GeoPoint; readonly radiusKm: number }
  | { readonly kind: 'postcode'; readonly postcode: string; readonly radiusKm: number }
  | { readonly kind: 'town'; readonly town: string; readonly radiusKm: number };

export interface CentreSearchQuery {
  readonly location: CentreSearchLocation;
  /** Only centres offering this control for this vehicle (price listed, accredited inspector). */
  readonly profile: VehicleProfile;
  /** "Now", for the first free slot (minimum notice, horizon). */
  readonly now: Date;
}

export interface AvailabilityQuery {
  readonly centreId: string;
  /** Inclusive local dates; the route caps the range (31 days). */
  readonly from: string;
  readonly to: string;
  readonly profile: VehicleProfile;
  readonly now: Date;
}

export interface FirstFreeSlotsQuery {
  readonly near: GeoPoint;
  readonly radiusKm: number;
  readonly profile: VehicleProfile;
  /** Earliest local date to consider. */
  readonly from: string;
  readonly now: Date;
}

/**
 * Customer search criteria, combined with AND; at least one is set. Values come normalised:
 * `phone` E.164 when it parses as a phone number (digits otherwise, for a partial match), `plate`
 * upper-case letters and digits without separators (compare with the stored plate's compact form),
 * `email` trimmed lower case, `reference` `XXXX-XXXX` when complete (compact upper case otherwise),
 * `name` trimmed with single spaces (a trigram match).
 */
export interface CustomerCriteria {
  readonly phone?: string;
  readonly plate?: string;
  readonly name?: string;
  readonly email?: string;
  readonly reference?: string;
}

export interface ReportingQuery {
  readonly centreId: string;
  readonly from: string;
  readonly to: string;
}

export interface AuditQuery {
  readonly stream: string;
  readonly actorId?: string;
  /** Inclusive bounds on `occurredAt`. */
  readonly from?: Date;
  readonly to?: Date;
  readonly eventTypes?: readonly string[];
}

// ---------------------------------------------------------------------------------------------
// Ports
// ---------------------------------------------------------------------------------------------

export interface PublicReadPorts {
  /** Centres matching the location and profile, nearest first (keyset `[distance, centreId]`). */
  searchCentres(query: CentreSearchQuery, page: PageRequest): Promise<PageResult<CentreSearchHit>>;
  /** One centre (any tenant: centres are public); `null` when unknown. */
  centreById(centreId: string): Promise<CentreCard | null>;
  /** Bookable starts of a centre over a range for a profile; `null` when the centre is unknown. */
  centreAvailability(query: AvailabilityQuery): Promise<CentreAvailability | null>;
  /** The first free slot of each centre near a point, earliest first then nearest. */
  firstFreeSlots(query: FirstFreeSlotsQuery, page: PageRequest): Promise<PageResult<FreeSlotNearby>>;
  /**
   * Every booking carrying this reference (normally one; references are 40-bit and may collide
   * over years). The route keeps the one whose owner matches the proof given.
   */
  bookingsByReference(reference: string): Promise<readonly BookingRecord[]>;
  /** One booking by id, for a verified manage token; `null` when unknown. */
  bookingById(bookingId: string): Promise<BookingRecord | null>;
}

export interface StaffReadPorts {
  /** The day plan of a centre; `null` when the centre is not visible in the scope. */
  centreDayAgenda(scope: TenantScope, centreId: string, date: string): Promise<CentreDayAgenda | null>;
  searchCustomers(
    scope: TenantScope,
    criteria: CustomerCriteria,
    page: PageRequest,
  ): Promise<PageResult<CustomerHit>>;
  /**
   * Every booking of one customer (data subject id) visible in the scope, newest appointment first
   * (keyset `[start, bookingId]` descending). Empty for an unknown customer or another tenant's.
   */
  customerBookings(
    scope: TenantScope,
    customerId: string,
    page: PageRequest,
  ): Promise<PageResult<CustomerBookingSummary>>;
  /**
   * A fleet manager's bookings: those whose `BookingPlaced` event `actorId` (their token's subject)
   * caused, in the scope's tenant, newest appointment first (keyset `[start, bookingId]` descending).
   */
  fleetBookings(
    scope: TenantScope,
    actorId: string,
    page: PageRequest,
  ): Promise<PageResult<CustomerBookingSummary>>;
  /** A booking with its full history; `null` when not visible in the scope. */
  bookingDetailWithHistory(scope: TenantScope, bookingId: string): Promise<BookingDetailWithHistory | null>;
  /** Daily facts of a centre over a period (days without activity may be absent). */
  reportingFacts(scope: TenantScope, query: ReportingQuery): Promise<readonly ReportingFactRow[]>;
  /**
   * A stream's events from the audit read model, filtered, in revision order (keyset
   * `[revision]`); `null` when the stream has no event in the scope's tenant.
   */
  auditTrail(
    scope: TenantScope,
    query: AuditQuery,
    page: PageRequest,
  ): Promise<PageResult<AuditEntry> | null>;
  /**
   * A whole stream from the ledger, upcast and decrypted, for replay at an instant (the one read
   * of the ledger the read API makes, DESIGN.md §2). Empty when the stream does not exist. Not
   * scoped: the route checks the events' tenant.
   */
  readStream(stream: string): Promise<readonly StreamEvent[]>;
}

export interface OpsReadPorts {
  projectionStatus(): Promise<readonly ProjectionStatus[]>;
}

export type ReadPorts = PublicReadPorts & StaffReadPorts & OpsReadPorts;

/**
 * Thrown by an adapter whose store is unreachable (PostgreSQL or Redis down, a read model being
 * rebuilt with nothing to serve yet): answered 503 `READ_MODEL_UNAVAILABLE` with `Retry-After`.
 */
export class ReadModelUnavailableError extends Error {
  override readonly name = 'ReadModelUnavailableError';
  constructor(
    message: string,
    readonly retryAfterSeconds = 5,
  ) {
    super(message);
  }
}
