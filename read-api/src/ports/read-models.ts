import type { Principal } from '@pti/platform';
import type { BookingStatus } from '@pti/write-side/domain';

/**
 * The rows the read API consumes, as the projections' queries return them. These are the read
 * models' shapes, not the HTTP contract: each route maps them to its own response schema, so a
 * column added here never leaks to a client by accident.
 *
 * Conventions (DESIGN.md §5): local dates `YYYY-MM-DD`, local times `HH:MM`, local date-times
 * `YYYY-MM-DDTHH:MM` in the centre's zone (Europe/Paris); instants ISO-8601 UTC strings; money in
 * integer euro cents. Personal fields are `null` once the customer's data was erased
 * (crypto-shredding scrubs the read models).
 */

export type VehicleCategory = 'VP' | 'VU' | 'Moto' | 'Cyclo';
export type Fuel = 'Essence' | 'Diesel' | 'Gaz' | 'Hybride' | 'Electrique';
export type ControlType = 'CTP' | 'CVP' | 'CV' | 'CTC' | 'CVC';
export type Channel = 'web' | 'mobile' | 'call_centre' | 'backoffice';
export type PaymentMode = 'online' | 'on_site';
export type InspectionResult = 'A' | 'S' | 'R';
export type Accreditation = 'VL' | 'L' | 'GAZ' | 'PL';
export type ActorRole = Principal['role'];
export type Weekday = 'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday' | 'saturday' | 'sunday';
export type { BookingStatus };

export const VEHICLE_CATEGORIES: readonly VehicleCategory[] = ['VP', 'VU', 'Moto', 'Cyclo'];
export const FUELS: readonly Fuel[] = ['Essence', 'Diesel', 'Gaz', 'Hybride', 'Electrique'];
export const CONTROL_TYPES: readonly ControlType[] = ['CTP', 'CVP', 'CV', 'CTC', 'CVC'];
export const CHANNELS: readonly Channel[] = ['web', 'mobile', 'call_centre', 'backoffice'];
export const PAYMENT_MODES: readonly PaymentMode[] = ['online', 'on_site'];
export const INSPECTION_RESULTS: readonly InspectionResult[] = ['A', 'S', 'R'];
export const ACCREDITATIONS: readonly Accreditation[] = ['VL', 'L', 'GAZ', 'PL'];
export const BOOKING_STATUSES: readonly BookingStatus[] = [
  'placed',
  'confirmed',
  'checked_in',
  'completed',
  'cancelled',
  'expired',
  'no_show',
];
export const WEEKDAYS: readonly Weekday[] = [
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
];

export interface GeoPoint {
  readonly lat: number;
  readonly lon: number;
}

/** What a price, a duration and an inspector's accreditation depend on. */
export interface VehicleProfile {
  readonly category: VehicleCategory;
  /** `null`: any fuel that needs no special equipment (the price list's default row). */
  readonly fuel: Fuel | null;
  readonly controlType: ControlType;
}

// ---------------------------------------------------------------------------------------------
// Centres (public data)
// ---------------------------------------------------------------------------------------------

export interface LocalInterval {
  readonly from: string;
  readonly to: string;
}

export interface PriceEntry {
  readonly controlType: ControlType;
  readonly vehicleCategory: VehicleCategory;
  /** `null`: the default row for the category. */
  readonly fuel: Fuel | null;
  readonly priceCents: number;
}

/** What every centre listing shows. */
export interface CentreSummary {
  readonly centreId: string;
  readonly name: string;
  readonly address: string;
  readonly postcode: string;
  readonly city: string;
  readonly position: GeoPoint;
  readonly phone: string | null;
}

/** One centre in full: the centres read model's row. `tenantId` is for authorization, never shown. */
export interface CentreCard extends CentreSummary {
  readonly tenantId: string;
  readonly code: string;
  readonly email: string | null;
  readonly website: string | null;
  /** IANA zone of the centre (`Europe/Paris`). */
  readonly timeZone: string;
  readonly active: boolean;
  readonly openingHours: Readonly<Record<Weekday, readonly LocalInterval[]>>;
  readonly prices: readonly PriceEntry[];
}

export interface FreeSlot {
  readonly date: string;
  readonly start: string;
}

export interface CentreSearchHit {
  readonly centre: CentreSummary;
  /** From the searched point; `null` when the search had no point (a town without coordinates). */
  readonly distanceKm: number | null;
  /** The price for the searched profile; `null` when the centre has no price for it. */
  readonly priceCents: number | null;
  /** The earliest start bookable now for the profile (notice and horizon applied), if any. */
  readonly firstFreeSlot: FreeSlot | null;
}

export interface CentreAvailabilityDay {
  readonly date: string;
  /** Bookable local start times `HH:MM`, ascending. */
  readonly starts: readonly string[];
}

export interface CentreAvailability {
  readonly centreId: string;
  readonly timeZone: string;
  /** Duration of the control for the profile (duration matrix). */
  readonly durationMinutes: number;
  readonly priceCents: number | null;
  /** Every day of the requested range, in order (an empty `starts` for a closed or full day). */
  readonly days: readonly CentreAvailabilityDay[];
}

export interface FreeSlotNearby {
  readonly centre: CentreSummary;
  readonly distanceKm: number;
  readonly slot: FreeSlot;
  readonly priceCents: number | null;
}

// ---------------------------------------------------------------------------------------------
// Bookings (personal data)
// ---------------------------------------------------------------------------------------------

export interface BookingCustomer {
  readonly kind: 'private' | 'company';
  readonly name: string | null;
  /** Normalised lower case. */
  readonly email: string | null;
  /** E.164. */
  readonly phone: string | null;
  readonly siret: string | null;
  readonly contactName: string | null;
}

export interface BookingVehicle {
  /** Normalised `AA-123-AA` or `123-ABC-75`. */
  readonly plate: string | null;
  readonly category: VehicleCategory;
  readonly fuel: Fuel;
}

/** The centre of the booking's current appointment, denormalised in the bookings read model. */
export interface BookingCentre {
  readonly centreId: string;
  readonly name: string;
  readonly address: string;
  readonly postcode: string;
  readonly city: string;
  readonly phone: string | null;
  readonly email: string | null;
  readonly position: GeoPoint | null;
  readonly timeZone: string;
}

export interface BookingCancellation {
  readonly cancelledBy: 'customer' | 'call_centre' | 'centre' | 'system';
  readonly reason: string;
  readonly refundEligible: boolean;
}

/** One booking as the bookings read model holds it. */
export interface BookingRecord {
  readonly bookingId: string;
  readonly tenantId: string;
  /** `K7M4-QX2P`; not unique on its own (see `bookingsByReference`). */
  readonly reference: string;
  readonly status: BookingStatus;
  readonly customerId: string;
  readonly customer: BookingCustomer;
  readonly vehicle: BookingVehicle;
  readonly controlType: ControlType;
  readonly centre: BookingCentre;
  readonly reservationId: string;
  /** Local start `YYYY-MM-DDTHH:MM` of the current appointment. */
  readonly start: string;
  readonly durationMinutes: number;
  readonly priceCents: number;
  readonly paidCents: number;
  readonly paymentMode: PaymentMode;
  readonly channel: Channel;
  readonly inspectorId: string | null;
  readonly result: InspectionResult | null;
  readonly contreVisiteDueBy: string | null;
  readonly cancellation: BookingCancellation | null;
  /** How many times the appointment moved (BookingRescheduled events). */
  readonly rescheduleCount: number;
  readonly placedAt: string;
  /** Instant of the last event applied to the row. */
  readonly updatedAt: string;
}

export interface ActorRef {
  readonly id: string;
  readonly role: ActorRole;
}

/** One event of a stream as the audit read model keeps it. */
export interface AuditEntry {
  readonly eventId: string;
  readonly stream: string;
  readonly revision: number;
  readonly type: string;
  readonly occurredAt: string;
  readonly actor: ActorRef;
  readonly correlationId: string;
  readonly causationId: string | null;
  /** The event's data, decrypted; personal fields `null` after erasure. */
  readonly data: Readonly<Record<string, unknown>>;
}

export interface BookingDetailWithHistory {
  readonly booking: BookingRecord;
  /** Every event of `booking-<id>`, in revision order. */
  readonly history: readonly AuditEntry[];
}

// ---------------------------------------------------------------------------------------------
// Staff views
// ---------------------------------------------------------------------------------------------

export interface AgendaInspector {
  readonly inspectorId: string;
  readonly name: string;
  readonly accreditations: readonly Accreditation[];
}

export interface AgendaEntry {
  readonly bookingId: string;
  readonly reference: string;
  readonly reservationId: string;
  readonly start: string;
  readonly end: string;
  readonly durationMinutes: number;
  /** `null` for an overbooked reservation still waiting for an inspector. */
  readonly inspectorId: string | null;
  readonly overbooked: boolean;
  readonly controlType: ControlType;
  readonly vehicle: BookingVehicle;
  readonly customerName: string | null;
  readonly customerPhone: string | null;
  readonly status: BookingStatus;
  readonly result: InspectionResult | null;
}

export interface AgendaBlock {
  /** The block's id: what the write side's unblock route takes. */
  readonly blockId: string;
  readonly from: string;
  readonly to: string;
  /** `null`: the whole centre. */
  readonly inspectorId: string | null;
  readonly label: string;
}

export interface CentreDayAgenda {
  readonly centreId: string;
  readonly date: string;
  /** Inspectors working that day (schedule and absences applied). */
  readonly inspectors: readonly AgendaInspector[];
  /** Live reservations of the day (held or confirmed), in start order. */
  readonly entries: readonly AgendaEntry[];
  readonly blocks: readonly AgendaBlock[];
}

export interface CustomerLastBooking {
  readonly bookingId: string;
  readonly reference: string;
  readonly centreId: string;
  readonly start: string;
  readonly status: BookingStatus;
}

/** One booking of a customer's history (staff's customer view). */
export interface CustomerBookingSummary {
  readonly bookingId: string;
  readonly reference: string;
  readonly status: BookingStatus;
  readonly centreId: string;
  /** Local `YYYY-MM-DDTHH:MM`. */
  readonly start: string;
  readonly end: string;
  readonly controlType: ControlType;
  readonly vehiclePlate: string | null;
  readonly vehicleCategory: VehicleCategory;
  readonly priceCents: number;
  readonly channel: Channel;
  readonly result: InspectionResult | null;
  readonly placedAt: string;
}

export interface CustomerHit {
  readonly customerId: string;
  readonly kind: 'private' | 'company';
  readonly name: string | null;
  readonly email: string | null;
  readonly phone: string | null;
  readonly siret: string | null;
  readonly plates: readonly string[];
  readonly bookingCount: number;
  readonly lastBooking: CustomerLastBooking | null;
}

/** One day of one centre in the `reporting` schema: raw counts, the route derives the rates. */
export interface ReportingFactRow {
  readonly date: string;
  /** Bookings whose appointment falls on that day (cancelled ones included). */
  readonly bookings: number;
  readonly cancellations: number;
  readonly noShows: number;
  readonly completed: number;
  readonly results: Readonly<Record<InspectionResult, number>>;
  /** Succeeded payments minus refunds of the day's appointments. */
  readonly revenueCents: number;
  /** Minutes of inspector time booked (live reservations) and available that day. */
  readonly bookedMinutes: number;
  readonly capacityMinutes: number;
  /** Sum over the day's bookings of (appointment start − placement), in minutes. */
  readonly leadTimeMinutesTotal: number;
  readonly channels: Readonly<Record<Channel, number>>;
}

// ---------------------------------------------------------------------------------------------
// Audit, replay and operations
// ---------------------------------------------------------------------------------------------

/**
 * A stored event as replay needs it: upcast and decrypted by the adapter that read the ledger
 * (personal fields redacted after erasure; the fold still works). The same shape as the domain's
 * `TimedEvent`, plus the envelope fields the route checks.
 */
export interface StreamEvent {
  readonly type: string;
  readonly data: unknown;
  readonly occurredAt: string;
  readonly revision: bigint;
  readonly tenantId: string;
  readonly actor: ActorRef;
}

export type ProjectionState = 'starting' | 'catching_up' | 'live' | 'rebuilding' | 'stopped' | 'failed';
export const PROJECTION_STATES: readonly ProjectionState[] = [
  'starting',
  'catching_up',
  'live',
  'rebuilding',
  'stopped',
  'failed',
];

export interface ProjectionStatus {
  readonly name: string;
  /** Read-model version (blue/green rebuilds serve one version while building the next). */
  readonly version: number;
  readonly state: ProjectionState;
  /** Opaque checkpoint (ledger position) as text; `null` before the first batch. */
  readonly checkpoint: string | null;
  readonly lagEvents: number;
  readonly lagSeconds: number;
  readonly lastAppliedAt: string | null;
  /** Last failure message, already safe to show to operators. */
  readonly error: string | null;
}
