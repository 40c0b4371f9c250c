import { type Static, Type } from '@sinclair/typebox';
import { type EventDefinitions, type EventUnion, eventSchema } from '../shared/definition.js';
import { personal, subject } from '../shared/personal.js';
import {
  BookingId,
  CentreId,
  Channel,
  ControlType,
  CustomerId,
  DurationMinutes,
  Email,
  EntityId,
  InspectorId,
  Instant,
  Label,
  LocalDate,
  LocalTime,
  Phone,
  ReservationId,
  VehicleProfile,
} from '../shared/values.js';

/**
 * Events of the SlotCalendar aggregate: the reservations of one centre on one local day, stream
 * `calendar-<centreId>-<YYYY-MM-DD>` (DESIGN.md §5). Every payload repeats `centreId` and `date`.
 * Times are local wall-clock times of that day; a reservation is the interval [start, end).
 */

const day = {
  centreId: CentreId,
  date: LocalDate,
};

// ---------------------------------------------------------------------------------------------
// Holds and reservations
// ---------------------------------------------------------------------------------------------

export const SlotHeld = eventSchema(
  'SlotHeld',
  'A provisional reservation for a booking; it expires at `expiresAt` unless confirmed. An overbooked reservation has no inspector yet.',
  {
    ...day,
    reservationId: ReservationId,
    bookingId: BookingId,
    start: LocalTime,
    end: LocalTime,
    durationMinutes: DurationMinutes,
    /** `null` exactly when `overbooked` is true. */
    inspectorId: Type.Union([InspectorId, Type.Null()]),
    overbooked: Type.Boolean(),
    controlType: ControlType,
    vehicle: VehicleProfile,
    expiresAt: Instant,
    /** Set when the hold was created from a waitlist offer. */
    waitlistEntryId: Type.Union([EntityId, Type.Null()]),
  },
);
export type SlotHeld = Static<typeof SlotHeld>;

export const HoldConfirmed = eventSchema(
  'HoldConfirmed',
  'The hold became a firm reservation (paid online, or on-site payment accepted).',
  {
    ...day,
    reservationId: ReservationId,
    bookingId: BookingId,
  },
);
export type HoldConfirmed = Static<typeof HoldConfirmed>;

export const HoldReleaseReason = Type.Union([
  Type.Literal('expired'),
  Type.Literal('payment_failed'),
  Type.Literal('cancelled'),
  Type.Literal('rescheduled'),
  Type.Literal('waitlist_offer_declined'),
]);
export type HoldReleaseReason = Static<typeof HoldReleaseReason>;

export const HoldReleased = eventSchema(
  'HoldReleased',
  'A hold ended before confirmation; its time is free.',
  {
    ...day,
    reservationId: ReservationId,
    bookingId: BookingId,
    reason: HoldReleaseReason,
  },
);
export type HoldReleased = Static<typeof HoldReleased>;

export const ReservationFreeReason = Type.Union([
  Type.Literal('cancelled'),
  Type.Literal('rescheduled'),
  Type.Literal('no_show'),
]);
export type ReservationFreeReason = Static<typeof ReservationFreeReason>;

export const ReservationFreed = eventSchema('ReservationFreed', 'A confirmed reservation was given up.', {
  ...day,
  reservationId: ReservationId,
  bookingId: BookingId,
  reason: ReservationFreeReason,
});
export type ReservationFreed = Static<typeof ReservationFreed>;

// ---------------------------------------------------------------------------------------------
// Blocked periods and inspector assignment
// ---------------------------------------------------------------------------------------------

export const PeriodBlocked = eventSchema(
  'PeriodBlocked',
  'Staff blocked [from, to) for the whole centre (`inspectorId: null`) or for one inspector.',
  {
    ...day,
    blockId: EntityId,
    from: LocalTime,
    to: LocalTime,
    inspectorId: Type.Union([InspectorId, Type.Null()]),
    label: Label,
  },
);
export type PeriodBlocked = Static<typeof PeriodBlocked>;

export const PeriodUnblocked = eventSchema('PeriodUnblocked', 'A blocked period was lifted.', {
  ...day,
  blockId: EntityId,
});
export type PeriodUnblocked = Static<typeof PeriodUnblocked>;

export const ReassignmentReason = Type.Union([
  Type.Literal('absence'),
  Type.Literal('accreditation'),
  Type.Literal('manual'),
]);
export type ReassignmentReason = Static<typeof ReassignmentReason>;

export const InspectorReassigned = eventSchema(
  'InspectorReassigned',
  'A reservation moved from one inspector to another at the same time.',
  {
    ...day,
    reservationId: ReservationId,
    bookingId: BookingId,
    fromInspectorId: InspectorId,
    toInspectorId: InspectorId,
    reason: ReassignmentReason,
  },
);
export type InspectorReassigned = Static<typeof InspectorReassigned>;

export const OverbookedReservationAssigned = eventSchema(
  'OverbookedReservationAssigned',
  'An overbooked reservation received an inspector who became free.',
  {
    ...day,
    reservationId: ReservationId,
    bookingId: BookingId,
    inspectorId: InspectorId,
  },
);
export type OverbookedReservationAssigned = Static<typeof OverbookedReservationAssigned>;

// ---------------------------------------------------------------------------------------------
// Waitlist
// ---------------------------------------------------------------------------------------------

/** How to reach the customer with an offer. Personal. */
export const WaitlistContact = Type.Object(
  {
    email: personal(Email),
    phone: Type.Union([personal(Phone), Type.Null()]),
  },
  { additionalProperties: false },
);
export type WaitlistContact = Static<typeof WaitlistContact>;

export const WaitlistJoined = eventSchema(
  'WaitlistJoined',
  'A customer waits for a slot on a full day, within a window of start times.',
  {
    ...day,
    entryId: EntityId,
    /** The data subject: `contact` is encrypted with this customer's key. */
    customerId: subject(CustomerId),
    contact: WaitlistContact,
    controlType: ControlType,
    vehicle: VehicleProfile,
    durationMinutes: DurationMinutes,
    /** Acceptable start times: from `earliestStart` to `latestStart` inclusive. */
    earliestStart: LocalTime,
    latestStart: LocalTime,
    channel: Channel,
  },
);
export type WaitlistJoined = Static<typeof WaitlistJoined>;

export const WaitlistOfferMade = eventSchema(
  'WaitlistOfferMade',
  'A freed slot was offered to the entry as a new hold (a `SlotHeld` with the same reservation follows in the same append).',
  {
    ...day,
    entryId: EntityId,
    reservationId: ReservationId,
    bookingId: BookingId,
    start: LocalTime,
    expiresAt: Instant,
  },
);
export type WaitlistOfferMade = Static<typeof WaitlistOfferMade>;

export const WaitlistLeaveReason = Type.Union([
  Type.Literal('offer_accepted'),
  Type.Literal('offer_declined'),
  Type.Literal('offer_expired'),
  Type.Literal('withdrawn'),
  Type.Literal('day_passed'),
]);
export type WaitlistLeaveReason = Static<typeof WaitlistLeaveReason>;

export const WaitlistLeft = eventSchema('WaitlistLeft', 'The entry left the waitlist.', {
  ...day,
  entryId: EntityId,
  reason: WaitlistLeaveReason,
});
export type WaitlistLeft = Static<typeof WaitlistLeft>;

// ---------------------------------------------------------------------------------------------
// Catalogue of the aggregate
// ---------------------------------------------------------------------------------------------

export const slotCalendarEventDefinitions = {
  SlotHeld: { schema: SlotHeld, schemaVersion: 1 },
  HoldConfirmed: { schema: HoldConfirmed, schemaVersion: 1 },
  HoldReleased: { schema: HoldReleased, schemaVersion: 1 },
  ReservationFreed: { schema: ReservationFreed, schemaVersion: 1 },
  PeriodBlocked: { schema: PeriodBlocked, schemaVersion: 1 },
  PeriodUnblocked: { schema: PeriodUnblocked, schemaVersion: 1 },
  InspectorReassigned: { schema: InspectorReassigned, schemaVersion: 1 },
  OverbookedReservationAssigned: { schema: OverbookedReservationAssigned, schemaVersion: 1 },
  WaitlistJoined: { schema: WaitlistJoined, schemaVersion: 1 },
  WaitlistOfferMade: { schema: WaitlistOfferMade, schemaVersion: 1 },
  WaitlistLeft: { schema: WaitlistLeft, schemaVersion: 1 },
} as const satisfies EventDefinitions;

export type SlotCalendarEventType = keyof typeof slotCalendarEventDefinitions;
export type SlotCalendarEvent = EventUnion<typeof slotCalendarEventDefinitions>;
