import type { CommandPaths, ReadPaths } from '@pti/api-client';

/**
 * The shapes the back office uses. API answers are derived from `@pti/api-client`'s types,
 * generated from the servers' OpenAPI documents (themselves built from the routes' TypeBox
 * schemas), so a contract change shows up here as a type error. The saga routes (dead letters,
 * outbox) are not in those documents yet: their shapes are transcribed from sagas/src.
 */

type JsonOf<R> = R extends { content: { 'application/json': infer Body } } ? Body : never;
/** The JSON body of a read route's 200 answer. */
type ReadOk<P extends keyof ReadPaths> = ReadPaths[P] extends { get: { responses: { 200: infer R } } }
  ? JsonOf<R>
  : never;
type CommandPostOk<P extends keyof CommandPaths, Code extends 200 | 201> = CommandPaths[P] extends {
  post: { responses: { [K in Code]: infer R } };
}
  ? JsonOf<R>
  : never;

export type Role =
  | 'motorist'
  | 'client_pro'
  | 'call_centre'
  | 'operateur'
  | 'controleur'
  | 'responsable_centre'
  | 'admin_reseau'
  | 'auditor'
  | 'analyst'
  | 'system';

export type Principal = LoginResponse['principal'];

export type LoginResponse = CommandPostOk<'/api/v1/auth/login', 200>;

export type VehicleCategory = 'VP' | 'VU' | 'Moto' | 'Cyclo';
export type Fuel = 'Essence' | 'Diesel' | 'Gaz' | 'Hybride' | 'Electrique';
export type ControlType = 'CTP' | 'CVP' | 'CV' | 'CTC' | 'CVC';
export type Channel = 'web' | 'mobile' | 'call_centre' | 'backoffice';
export type PaymentMode = 'online' | 'on_site';
export type InspectionResult = 'A' | 'S' | 'R';
export type Accreditation = 'VL' | 'L' | 'GAZ' | 'PL';
export type BookingStatus =
  | 'placed'
  | 'confirmed'
  | 'checked_in'
  | 'completed'
  | 'cancelled'
  | 'expired'
  | 'no_show';
export type Weekday = 'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday' | 'saturday' | 'sunday';
export const WEEKDAYS: readonly Weekday[] = [
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
];
export const VEHICLE_CATEGORIES: readonly VehicleCategory[] = ['VP', 'VU', 'Moto', 'Cyclo'];
export const FUELS: readonly Fuel[] = ['Essence', 'Diesel', 'Gaz', 'Hybride', 'Electrique'];
export const CONTROL_TYPES: readonly ControlType[] = ['CTP', 'CVP', 'CV', 'CTC', 'CVC'];
export const ACCREDITATIONS: readonly Accreditation[] = ['VL', 'L', 'GAZ', 'PL'];

export interface LocalInterval {
  readonly from: string;
  readonly to: string;
}
export type WeekHours = Record<Weekday, LocalInterval[]>;

export interface GeoPoint {
  readonly lat: number;
  readonly lon: number;
}

export type CentreSummary = CentreSearchHit['centre'];

export interface PriceEntry {
  readonly controlType: ControlType;
  readonly vehicleCategory: VehicleCategory;
  readonly fuel: Fuel | null;
  readonly priceCents: number;
}

/** `GET /api/v1/centres/:centreId` */
/** `GET /api/v1/centres/:centreId` */
export type CentreCard = ReadOk<'/api/v1/centres/{centreId}'>;

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

/** `GET /api/v1/centres` */
/** `GET /api/v1/centres` */
export type CentreSearchHit = ReadOk<'/api/v1/centres'>['items'][number];

/** `GET /api/v1/centres/:centreId/availability` */
/** `GET /api/v1/centres/:centreId/availability` */
export type CentreAvailability = ReadOk<'/api/v1/centres/{centreId}/availability'>;

export type AgendaEntry = DayAgenda['unassigned'][number];

export type AgendaBlock = DayAgenda['centreBlocks'][number];

/** `GET /api/v1/staff/centres/:centreId/agenda/:date` */
/** `GET /api/v1/staff/centres/:centreId/agenda/:date` */
export type DayAgenda = ReadOk<'/api/v1/staff/centres/{centreId}/agenda/{date}'>;

/** `GET /api/v1/staff/customers` */
/** `GET /api/v1/staff/customers` */
export type CustomerHit = ReadOk<'/api/v1/staff/customers'>['items'][number];

/** `GET /api/v1/staff/customers/:customerId/bookings` */
export type CustomerBookingsPage = ReadOk<'/api/v1/staff/customers/{customerId}/bookings'>;
export type CustomerBooking = CustomerBookingsPage['items'][number];

export type ActorRef = AuditEvent['actor'];

/** `GET /api/v1/audit/streams/:stream/events` */
export type AuditEvent = ReadOk<'/api/v1/audit/streams/{stream}/events'>['items'][number];

export type StaffBooking = StaffBookingDetail['booking'];

/** `GET /api/v1/staff/bookings/:bookingId` */
/** `GET /api/v1/staff/bookings/:bookingId` */
export type StaffBookingDetail = ReadOk<'/api/v1/staff/bookings/{bookingId}'>;

export type ReportingFigures = CentreReporting['totals'];

/** `GET /api/v1/staff/centres/:centreId/reporting` */
/** `GET /api/v1/staff/centres/:centreId/reporting` */
export type CentreReporting = ReadOk<'/api/v1/staff/centres/{centreId}/reporting'>;

/** `GET /api/v1/audit/streams/:stream/state` */
/** `GET /api/v1/audit/streams/:stream/state` */
export type StreamStateAtInstant = ReadOk<'/api/v1/audit/streams/{stream}/state'>;

/** `GET /api/v1/ops/projections` */
/** `GET /api/v1/ops/projections` */
export type ProjectionStatus = ReadOk<'/api/v1/ops/projections'>;

/** `GET /api/v1/ops/sagas/dead-letters` items (sagas/src/http/staff-saga-routes.ts). */
/** Progress of a rebuild started over HTTP (`RebuildProgress` of ops/src/start/rebuild-routes.ts). */
export interface ProjectionRebuild {
  readonly id: string;
  readonly target: string;
  readonly projectors: readonly string[];
  readonly state: 'running' | 'done' | 'failed';
  readonly current: string | null;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly eventsProcessed: number;
  readonly eventsPerSecond: number;
  readonly etaSeconds: number | null;
  readonly percentage: number | null;
  readonly generations: readonly {
    readonly projector: string;
    readonly previous: number | null;
    readonly generation: number;
    readonly events: number;
  }[];
  readonly error: string | null;
}

export interface DeadLetter {
  readonly id: string;
  readonly saga: string;
  readonly kind: string;
  readonly key: string;
  readonly attempts: number;
  readonly lastError: string;
  readonly firstScheduledAt: string;
  readonly failedAt: string;
}

/** `GET /api/v1/ops/outbox` items (sagas/src/http/staff-saga-routes.ts). */
export interface OutboxMessage {
  readonly id: string;
  readonly template: string;
  readonly channel: 'email' | 'sms';
  readonly bookingId: string | null;
  readonly recipient: string;
  readonly subject: string | null;
  readonly body: string;
  /** `recorded` (kept only, embedded mode), `pending` or `sent`. */
  readonly status: string;
  readonly provider: string | null;
  readonly createdAt: string;
  readonly sentAt: string | null;
}

/** `POST /api/v1/staff/bookings/:bookingId/confirmation/resend` (sagas/src/http/resend-confirmation-routes.ts). */
export interface ResentConfirmation {
  readonly bookingId: string;
  /** The Idempotency-Key was used before: nothing more was sent. */
  readonly replayed: boolean;
  readonly messages: readonly {
    readonly id: string;
    readonly channel: 'email' | 'sms';
    readonly recipient: string;
    readonly status: string;
    readonly attachments: readonly { readonly filename: string; readonly contentType: string }[];
    readonly createdAt: string;
  }[];
}

/** `POST /api/v1/centres/:centreId/bookings` (book on a customer's behalf). */
export type PlaceOnBehalfBody = JsonOf<
  NonNullable<CommandPaths['/api/v1/centres/{centreId}/bookings']['post']['requestBody']>
>;

export type PlacedBooking = CommandPostOk<'/api/v1/centres/{centreId}/bookings', 201>;

/** Answer of the booking lifecycle commands (confirm, cancel, reschedule, check-in, result, no-show). */
export type BookingCommandResult = CommandPostOk<'/api/v1/bookings/{bookingId}/check-in', 200>;

export type CentreCommandResult = CommandPostOk<'/api/v1/centres/{centreId}/closures', 201>;

export type CalendarCommandResult = CommandPostOk<'/api/v1/centres/{centreId}/days/{date}/blocks', 201>;

export type CancellationReason =
  | 'customer_request'
  | 'centre_closure'
  | 'inspector_unavailable'
  | 'duplicate'
  | 'other';

export interface BookingPolicyPatch {
  holdMinutes?: number;
  overbookingPercent?: number;
  minimumNoticeMinutes?: number;
  horizonDays?: number;
  cancellationCutoffHours?: number;
  freeContreVisiteDays?: number;
}
