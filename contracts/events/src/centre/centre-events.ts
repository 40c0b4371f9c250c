import { type Static, Type } from '@sinclair/typebox';
import { type EventDefinitions, type EventUnion, eventSchema } from '../shared/definition.js';
import { personal, subject } from '../shared/personal.js';
import {
  Accreditation,
  CentreId,
  Cents,
  ControlType,
  Currency,
  Email,
  EntityId,
  Fuel,
  GeoPosition,
  InspectorId,
  Label,
  LocalDate,
  LocalDateTime,
  Phone,
  Postcode,
  VehicleCategory,
  WeeklyHours,
} from '../shared/values.js';

/**
 * Events of the Centre aggregate, stream `centre-<centreId>` (DESIGN.md §5).
 * Every payload repeats `centreId` so that a projection needs nothing but the event.
 */

// ---------------------------------------------------------------------------------------------
// Registration and details
// ---------------------------------------------------------------------------------------------

/** The centre's public contact (a business line and mailbox, not a person's). */
export const CentreContact = Type.Object(
  {
    phone: Phone,
    email: Email,
    website: Type.Optional(Type.String({ pattern: '^https://\\S+$', maxLength: 300 })),
  },
  { additionalProperties: false },
);
export type CentreContact = Static<typeof CentreContact>;

const centreDetails = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  /** Street line of the centre's address (a business address: not personal). */
  address: Type.String({ minLength: 1, maxLength: 200 }),
  postcode: Postcode,
  city: Type.String({ minLength: 1, maxLength: 100 }),
  position: GeoPosition,
  contact: CentreContact,
};

/** AdelSoft centre code: upper-case letters, digits, `_` and `-`. */
export const CentreCode = Type.String({ pattern: '^[A-Z0-9][A-Z0-9_-]{1,49}$' });

export const CentreRegistered = eventSchema('CentreRegistered', 'A centre joined the network.', {
  centreId: CentreId,
  code: CentreCode,
  ...centreDetails,
});
export type CentreRegistered = Static<typeof CentreRegistered>;

export const CentreDetailsUpdated = eventSchema(
  'CentreDetailsUpdated',
  "The centre's public details were replaced (the code never changes).",
  {
    centreId: CentreId,
    ...centreDetails,
  },
);
export type CentreDetailsUpdated = Static<typeof CentreDetailsUpdated>;

// ---------------------------------------------------------------------------------------------
// Opening hours and closures
// ---------------------------------------------------------------------------------------------

export const OpeningHoursSet = eventSchema(
  'OpeningHoursSet',
  'The weekly opening hours were replaced. Each weekday holds ordered, non-overlapping [from, to) intervals; two intervals make a split day; an empty list means closed.',
  {
    centreId: CentreId,
    week: WeeklyHours,
  },
);
export type OpeningHoursSet = Static<typeof OpeningHoursSet>;

export const ClosureAdded = eventSchema(
  'ClosureAdded',
  'The centre is closed on whole days, from `from` to `to` inclusive (public holiday, works...).',
  {
    centreId: CentreId,
    closureId: EntityId,
    from: LocalDate,
    to: LocalDate,
    label: Label,
  },
);
export type ClosureAdded = Static<typeof ClosureAdded>;

export const ClosureRemoved = eventSchema('ClosureRemoved', 'A closure was withdrawn.', {
  centreId: CentreId,
  closureId: EntityId,
});
export type ClosureRemoved = Static<typeof ClosureRemoved>;

// ---------------------------------------------------------------------------------------------
// Prices and policy
// ---------------------------------------------------------------------------------------------

/**
 * One price of the list. `fuel: null` is the price for any fuel that has no entry of its own for
 * the same control type and category (e.g. one CVP price for every fuel).
 */
export const PriceEntry = Type.Object(
  {
    controlType: ControlType,
    vehicleCategory: VehicleCategory,
    fuel: Type.Union([Fuel, Type.Null()]),
    priceCents: Cents,
  },
  { additionalProperties: false },
);
export type PriceEntry = Static<typeof PriceEntry>;

export const PriceListSet = eventSchema(
  'PriceListSet',
  'The price list was replaced (prices incl. VAT, in cents). A combination without an entry cannot be booked.',
  {
    centreId: CentreId,
    currency: Currency,
    entries: Type.Array(PriceEntry, { minItems: 1, maxItems: 200 }),
  },
);
export type PriceListSet = Static<typeof PriceListSet>;

/** Defaults of the booking policy (DESIGN.md §5). */
export const DEFAULT_BOOKING_POLICY = {
  holdMinutes: 15,
  overbookingPercent: 10,
  minimumNoticeMinutes: 120,
  horizonDays: 90,
  cancellationCutoffHours: 24,
  freeContreVisiteDays: 0,
} as const;

export const BookingPolicySet = eventSchema('BookingPolicySet', "The centre's booking policy was replaced.", {
  centreId: CentreId,
  /** How long a placed booking holds its slot before it expires unless confirmed. */
  holdMinutes: Type.Integer({ minimum: 1, maximum: 120, default: DEFAULT_BOOKING_POLICY.holdMinutes }),
  /** Share of the day's nominal capacity that may be booked beyond inspector capacity. */
  overbookingPercent: Type.Integer({
    minimum: 0,
    maximum: 100,
    default: DEFAULT_BOOKING_POLICY.overbookingPercent,
  }),
  /** A slot can be booked only this long before it starts, at the latest. */
  minimumNoticeMinutes: Type.Integer({
    minimum: 0,
    maximum: 10_080,
    default: DEFAULT_BOOKING_POLICY.minimumNoticeMinutes,
  }),
  /** How many days ahead slots are bookable. */
  horizonDays: Type.Integer({ minimum: 1, maximum: 365, default: DEFAULT_BOOKING_POLICY.horizonDays }),
  /** A customer may cancel or move free of charge until this many hours before the start. */
  cancellationCutoffHours: Type.Integer({
    minimum: 0,
    maximum: 720,
    default: DEFAULT_BOOKING_POLICY.cancellationCutoffHours,
  }),
  /** A contre-visite at this centre within this many days of the control is free; 0 disables it. */
  freeContreVisiteDays: Type.Integer({
    minimum: 0,
    maximum: 62,
    default: DEFAULT_BOOKING_POLICY.freeContreVisiteDays,
  }),
});
export type BookingPolicySet = Static<typeof BookingPolicySet>;

export const DailyCapacitySet = eventSchema(
  'DailyCapacitySet',
  "Upper bound on the number of controls per day at the centre (the day's nominal capacity is the smaller of this and what the inspectors' schedules allow).",
  {
    centreId: CentreId,
    capacity: Type.Integer({ minimum: 0, maximum: 1000 }),
  },
);
export type DailyCapacitySet = Static<typeof DailyCapacitySet>;

// ---------------------------------------------------------------------------------------------
// Inspectors
// ---------------------------------------------------------------------------------------------

export const Accreditations = Type.Array(Accreditation, { minItems: 1, maxItems: 4, uniqueItems: true });

export const InspectorAdded = eventSchema('InspectorAdded', 'An accredited inspector joined the centre.', {
  centreId: CentreId,
  /** The data subject: `name` is encrypted with this inspector's key. */
  inspectorId: subject(InspectorId),
  /** The inspector's display name (a staff member's name: personal). */
  name: personal(Type.String({ minLength: 1, maxLength: 200 })),
  /** The staff user account, when the inspector signs in. */
  userId: Type.Union([EntityId, Type.Null()]),
  accreditations: Accreditations,
});
export type InspectorAdded = Static<typeof InspectorAdded>;

export const InspectorAccreditationsChanged = eventSchema(
  'InspectorAccreditationsChanged',
  "The inspector's accreditations were replaced by this set.",
  {
    centreId: CentreId,
    inspectorId: InspectorId,
    accreditations: Accreditations,
  },
);
export type InspectorAccreditationsChanged = Static<typeof InspectorAccreditationsChanged>;

export const InspectorScheduleSet = eventSchema(
  'InspectorScheduleSet',
  "The inspector's weekly working hours were replaced (same shape as opening hours).",
  {
    centreId: CentreId,
    inspectorId: InspectorId,
    week: WeeklyHours,
  },
);
export type InspectorScheduleSet = Static<typeof InspectorScheduleSet>;

/**
 * Why an inspector is away. Deliberately coarse: no health reason is ever recorded.
 */
export const AbsenceKind = Type.Union([
  Type.Literal('leave'),
  Type.Literal('training'),
  Type.Literal('other'),
]);
export type AbsenceKind = Static<typeof AbsenceKind>;

export const InspectorAbsenceDeclared = eventSchema(
  'InspectorAbsenceDeclared',
  'The inspector is away over [from, to) in local time.',
  {
    centreId: CentreId,
    inspectorId: InspectorId,
    absenceId: EntityId,
    from: LocalDateTime,
    to: LocalDateTime,
    kind: AbsenceKind,
  },
);
export type InspectorAbsenceDeclared = Static<typeof InspectorAbsenceDeclared>;

export const InspectorAbsenceCancelled = eventSchema(
  'InspectorAbsenceCancelled',
  'A declared absence was withdrawn.',
  {
    centreId: CentreId,
    inspectorId: InspectorId,
    absenceId: EntityId,
  },
);
export type InspectorAbsenceCancelled = Static<typeof InspectorAbsenceCancelled>;

export const InspectorRemoved = eventSchema('InspectorRemoved', 'The inspector left the centre.', {
  centreId: CentreId,
  inspectorId: InspectorId,
});
export type InspectorRemoved = Static<typeof InspectorRemoved>;

// ---------------------------------------------------------------------------------------------
// Activation
// ---------------------------------------------------------------------------------------------

export const CentreDeactivated = eventSchema(
  'CentreDeactivated',
  'The centre takes no new bookings; existing ones are untouched.',
  {
    centreId: CentreId,
    reason: Label,
  },
);
export type CentreDeactivated = Static<typeof CentreDeactivated>;

export const CentreReactivated = eventSchema('CentreReactivated', 'The centre takes bookings again.', {
  centreId: CentreId,
});
export type CentreReactivated = Static<typeof CentreReactivated>;

// ---------------------------------------------------------------------------------------------
// Catalogue of the aggregate
// ---------------------------------------------------------------------------------------------

export const centreEventDefinitions = {
  CentreRegistered: { schema: CentreRegistered, schemaVersion: 1 },
  CentreDetailsUpdated: { schema: CentreDetailsUpdated, schemaVersion: 1 },
  OpeningHoursSet: { schema: OpeningHoursSet, schemaVersion: 1 },
  ClosureAdded: { schema: ClosureAdded, schemaVersion: 1 },
  ClosureRemoved: { schema: ClosureRemoved, schemaVersion: 1 },
  PriceListSet: { schema: PriceListSet, schemaVersion: 1 },
  BookingPolicySet: { schema: BookingPolicySet, schemaVersion: 1 },
  DailyCapacitySet: { schema: DailyCapacitySet, schemaVersion: 1 },
  InspectorAdded: { schema: InspectorAdded, schemaVersion: 1 },
  InspectorAccreditationsChanged: { schema: InspectorAccreditationsChanged, schemaVersion: 1 },
  InspectorScheduleSet: { schema: InspectorScheduleSet, schemaVersion: 1 },
  InspectorAbsenceDeclared: { schema: InspectorAbsenceDeclared, schemaVersion: 1 },
  InspectorAbsenceCancelled: { schema: InspectorAbsenceCancelled, schemaVersion: 1 },
  InspectorRemoved: { schema: InspectorRemoved, schemaVersion: 1 },
  CentreDeactivated: { schema: CentreDeactivated, schemaVersion: 1 },
  CentreReactivated: { schema: CentreReactivated, schemaVersion: 1 },
} as const satisfies EventDefinitions;

export type CentreEventType = keyof typeof centreEventDefinitions;
export type CentreEvent = EventUnion<typeof centreEventDefinitions>;
