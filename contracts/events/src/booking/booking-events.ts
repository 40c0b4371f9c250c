import { type Static, Type } from '@sinclair/typebox';
import { type EventDefinitions, type EventUnion, eventSchema } from '../shared/definition.js';
import { personal, subject } from '../shared/personal.js';
import {
  BookingId,
  CentreId,
  Cents,
  Channel,
  ControlType,
  Currency,
  CustomerId,
  DurationMinutes,
  Email,
  EntityId,
  Fuel,
  InspectionResult,
  InspectorId,
  Instant,
  LocalDate,
  LocalDateTime,
  PaymentMode,
  Phone,
  Plate,
  PostalAddress,
  ReservationId,
  Siret,
  VehicleCategory,
} from '../shared/values.js';

/**
 * Events of the Booking aggregate, stream `booking-<bookingId>` (DESIGN.md §5).
 * Every payload repeats `bookingId`.
 *
 * Lifecycle: BookingPlaced (holding its slot) → BookingConfirmed → BookingCheckedIn →
 * BookingCompleted; or BookingCancelled, BookingExpired, BookingNoShow; BookingRescheduled moves it.
 */

// ---------------------------------------------------------------------------------------------
// Values of the aggregate
// ---------------------------------------------------------------------------------------------

/**
 * Short human reference quoted on the phone and printed on the confirmation: two groups of four
 * characters from an alphabet without look-alikes (no I, O, 0, 1), e.g. `K7M4-QX2P`.
 */
export const BOOKING_REFERENCE_PATTERN = '^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$';
export const BookingReference = Type.String({ pattern: BOOKING_REFERENCE_PATTERN });
export type BookingReference = Static<typeof BookingReference>;

const personName = Type.String({ minLength: 1, maxLength: 200 });

export const PrivateCustomer = Type.Object(
  {
    kind: Type.Literal('private'),
    name: personal(personName),
    email: personal(Email),
    phone: personal(Phone),
    address: Type.Union([personal(PostalAddress), Type.Null()]),
  },
  { additionalProperties: false },
);
export type PrivateCustomer = Static<typeof PrivateCustomer>;

/**
 * A company customer (client pro). Its name and SIRET are marked personal too: for a sole trader
 * (entreprise individuelle) they identify a natural person.
 */
export const CompanyCustomer = Type.Object(
  {
    kind: Type.Literal('company'),
    name: personal(personName),
    siret: personal(Siret),
    contactName: Type.Union([personal(personName), Type.Null()]),
    email: personal(Email),
    phone: personal(Phone),
    address: Type.Union([personal(PostalAddress), Type.Null()]),
  },
  { additionalProperties: false },
);
export type CompanyCustomer = Static<typeof CompanyCustomer>;

export const Customer = Type.Union([PrivateCustomer, CompanyCustomer]);
export type Customer = Static<typeof Customer>;

export const Vehicle = Type.Object(
  {
    plate: Plate,
    category: VehicleCategory,
    fuel: Fuel,
  },
  { additionalProperties: false },
);
export type Vehicle = Static<typeof Vehicle>;

export const PaymentProvider = Type.Union([
  Type.Literal('payzen'),
  Type.Literal('lemonway'),
  Type.Literal('simulator'),
]);
export type PaymentProvider = Static<typeof PaymentProvider>;

// ---------------------------------------------------------------------------------------------
// Lifecycle
// ---------------------------------------------------------------------------------------------

/**
 * Schema version 2. Version 1 is an illustrative historical shape kept to exercise upcasting
 * (see `booking-placed-v1.ts`).
 */
export const BookingPlaced = eventSchema(
  'BookingPlaced',
  'A booking was made; its slot is held until `holdExpiresAt` unless the booking is confirmed.',
  {
    bookingId: BookingId,
    reference: BookingReference,
    /** Owner of the personal data (the key that encrypts it is the customer's): the data subject. */
    customerId: subject(CustomerId),
    customer: Customer,
    vehicle: Vehicle,
    controlType: ControlType,
    centreId: CentreId,
    /** The hold in the calendar stream of the start's day. */
    reservationId: ReservationId,
    start: LocalDateTime,
    durationMinutes: DurationMinutes,
    /** From the centre's price list; 0 for a free contre-visite. */
    priceCents: Cents,
    channel: Channel,
    paymentMode: PaymentMode,
    holdExpiresAt: Instant,
  },
);
export type BookingPlaced = Static<typeof BookingPlaced>;

export const BookingConfirmed = eventSchema(
  'BookingConfirmed',
  'The booking is firm: paid online, or to be paid on site.',
  {
    bookingId: BookingId,
    paymentMode: PaymentMode,
  },
);
export type BookingConfirmed = Static<typeof BookingConfirmed>;

export const BookingCheckedIn = eventSchema('BookingCheckedIn', 'The vehicle arrived at the centre.', {
  bookingId: BookingId,
  /** The inspector who takes the vehicle, when known at check-in. */
  inspectorId: Type.Union([InspectorId, Type.Null()]),
});
export type BookingCheckedIn = Static<typeof BookingCheckedIn>;

export const BookingCompleted = eventSchema(
  'BookingCompleted',
  'The control was done and its result recorded.',
  {
    bookingId: BookingId,
    inspectorId: InspectorId,
    result: InspectionResult,
    /** Last day for the contre-visite (two months), for results S and R; `null` for A. */
    contreVisiteDueBy: Type.Union([LocalDate, Type.Null()]),
  },
);
export type BookingCompleted = Static<typeof BookingCompleted>;

export const CancelledBy = Type.Union([
  Type.Literal('customer'),
  Type.Literal('call_centre'),
  Type.Literal('centre'),
  Type.Literal('system'),
]);
export type CancelledBy = Static<typeof CancelledBy>;

export const CancellationReason = Type.Union([
  Type.Literal('customer_request'),
  Type.Literal('centre_closure'),
  Type.Literal('inspector_unavailable'),
  Type.Literal('duplicate'),
  Type.Literal('other'),
]);
export type CancellationReason = Static<typeof CancellationReason>;

export const BookingCancelled = eventSchema(
  'BookingCancelled',
  'The booking was cancelled before the control.',
  {
    bookingId: BookingId,
    cancelledBy: CancelledBy,
    reason: CancellationReason,
    /** Optional free text typed by the customer or staff: personal. */
    comment: Type.Union([personal(Type.String({ minLength: 1, maxLength: 1000 })), Type.Null()]),
    /**
     * Something was paid online, and the booking was cancelled before the policy's cut-off or not
     * at the customer's request (centre closure, no inspector, duplicate...): the payment is refunded.
     */
    refundEligible: Type.Boolean(),
  },
);
export type BookingCancelled = Static<typeof BookingCancelled>;

export const BookingExpired = eventSchema(
  'BookingExpired',
  'The hold ran out before the booking was confirmed (or was given up early after a failed payment).',
  {
    bookingId: BookingId,
  },
);
export type BookingExpired = Static<typeof BookingExpired>;

export const BookingNoShow = eventSchema('BookingNoShow', 'The vehicle did not come (no refund).', {
  bookingId: BookingId,
});
export type BookingNoShow = Static<typeof BookingNoShow>;

export const Appointment = Type.Object(
  {
    centreId: CentreId,
    reservationId: ReservationId,
    start: LocalDateTime,
  },
  { additionalProperties: false },
);
export type Appointment = Static<typeof Appointment>;

export const BookingRescheduled = eventSchema(
  'BookingRescheduled',
  'The booking moved to another time, the same or another day, the same or another centre.',
  {
    bookingId: BookingId,
    from: Appointment,
    to: Appointment,
    durationMinutes: DurationMinutes,
    /** The price at the new centre (unchanged when the centre is the same). */
    priceCents: Cents,
  },
);
export type BookingRescheduled = Static<typeof BookingRescheduled>;

export const BookingNoteAdded = eventSchema('BookingNoteAdded', 'Staff added a note to the booking.', {
  bookingId: BookingId,
  noteId: EntityId,
  /** Free text: personal. */
  text: personal(Type.String({ minLength: 1, maxLength: 2000 })),
});
export type BookingNoteAdded = Static<typeof BookingNoteAdded>;

// ---------------------------------------------------------------------------------------------
// Payment
// ---------------------------------------------------------------------------------------------

export const PaymentRequested = eventSchema(
  'PaymentRequested',
  'An online payment was started with the provider.',
  {
    bookingId: BookingId,
    paymentId: EntityId,
    provider: PaymentProvider,
    amountCents: Type.Integer({ minimum: 1, maximum: 10_000_000 }),
    currency: Currency,
  },
);
export type PaymentRequested = Static<typeof PaymentRequested>;

const providerTransactionId = Type.String({ minLength: 1, maxLength: 100 });

export const PaymentSucceeded = eventSchema(
  'PaymentSucceeded',
  'The provider reported the payment as paid.',
  {
    bookingId: BookingId,
    paymentId: EntityId,
    provider: PaymentProvider,
    amountCents: Type.Integer({ minimum: 1, maximum: 10_000_000 }),
    currency: Currency,
    providerTransactionId,
  },
);
export type PaymentSucceeded = Static<typeof PaymentSucceeded>;

export const PaymentFailureReason = Type.Union([
  Type.Literal('declined'),
  Type.Literal('abandoned'),
  Type.Literal('timeout'),
  Type.Literal('provider_error'),
]);
export type PaymentFailureReason = Static<typeof PaymentFailureReason>;

export const PaymentFailed = eventSchema('PaymentFailed', 'The payment did not succeed.', {
  bookingId: BookingId,
  paymentId: EntityId,
  provider: PaymentProvider,
  reason: PaymentFailureReason,
  providerTransactionId: Type.Union([providerTransactionId, Type.Null()]),
});
export type PaymentFailed = Static<typeof PaymentFailed>;

// ---------------------------------------------------------------------------------------------
// Catalogue of the aggregate
// ---------------------------------------------------------------------------------------------

export const bookingEventDefinitions = {
  BookingPlaced: { schema: BookingPlaced, schemaVersion: 2 },
  BookingConfirmed: { schema: BookingConfirmed, schemaVersion: 1 },
  BookingCheckedIn: { schema: BookingCheckedIn, schemaVersion: 1 },
  BookingCompleted: { schema: BookingCompleted, schemaVersion: 1 },
  BookingCancelled: { schema: BookingCancelled, schemaVersion: 1 },
  BookingExpired: { schema: BookingExpired, schemaVersion: 1 },
  BookingNoShow: { schema: BookingNoShow, schemaVersion: 1 },
  BookingRescheduled: { schema: BookingRescheduled, schemaVersion: 1 },
  BookingNoteAdded: { schema: BookingNoteAdded, schemaVersion: 1 },
  PaymentRequested: { schema: PaymentRequested, schemaVersion: 1 },
  PaymentSucceeded: { schema: PaymentSucceeded, schemaVersion: 1 },
  PaymentFailed: { schema: PaymentFailed, schemaVersion: 1 },
} as const satisfies EventDefinitions;

export type BookingEventType = keyof typeof bookingEventDefinitions;
export type BookingEvent = EventUnion<typeof bookingEventDefinitions>;
