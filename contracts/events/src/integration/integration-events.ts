import { type Static, type TObject, type TProperties, Type } from '@sinclair/typebox';
import {
  BookingId,
  CentreId,
  Cents,
  Channel,
  ControlType,
  Currency,
  DurationMinutes,
  EntityId,
  Fuel,
  GeoPosition,
  InspectionResult,
  Instant,
  LocalDate,
  LocalDateTime,
  PaymentMode,
  Postcode,
  VehicleCategory,
} from '../shared/values.js';

/**
 * Public integration events (DESIGN.md §7, Kafka relay): what integrators may subscribe to. They
 * are a published contract, separate from the domain events: versioned on their own (a breaking
 * change is a new `version` on a new topic), and free of personal data by construction: no
 * customer, no plate, no free text, no inspector. Each is derived from one domain event by
 * `toIntegrationEvent` and keyed by its aggregate id (the booking or the centre).
 *
 * Envelope (`IntegrationEnvelope`): `{ id, type, version, aggregateType, aggregateId, tenantId,
 * occurredAt, correlationId, position, data }`; `id` is the domain event's id (consumers dedupe on
 * it: delivery is at least once), `position` the ledger position (`commit/prepare`) it came from.
 */

export type IntegrationAggregate = 'booking' | 'centre';

export interface IntegrationEventDefinition<S extends TObject = TObject> {
  readonly type: string;
  readonly version: number;
  readonly aggregate: IntegrationAggregate;
  readonly schema: S;
}

function integrationSchema<P extends TProperties>(
  type: string,
  version: number,
  description: string,
  properties: P,
): TObject<P> {
  return Type.Object(properties, {
    $id: `${type}.v${version}`,
    title: `${type} v${version}`,
    description,
    additionalProperties: false,
  });
}

// ---------------------------------------------------------------------------------------------
// Booking topic
// ---------------------------------------------------------------------------------------------

export const PublicBookingPlacedV1 = integrationSchema(
  'booking.placed',
  1,
  'A booking was made and holds its slot until `holdExpiresAt`.',
  {
    bookingId: BookingId,
    centreId: CentreId,
    start: LocalDateTime,
    durationMinutes: DurationMinutes,
    controlType: ControlType,
    vehicleCategory: VehicleCategory,
    fuel: Fuel,
    priceCents: Cents,
    currency: Currency,
    channel: Channel,
    paymentMode: PaymentMode,
    holdExpiresAt: Instant,
  },
);

export const PublicBookingConfirmedV1 = integrationSchema('booking.confirmed', 1, 'The booking is firm.', {
  bookingId: BookingId,
  paymentMode: PaymentMode,
});

export const PublicBookingRescheduledV1 = integrationSchema(
  'booking.rescheduled',
  1,
  'The booking moved to another time or centre.',
  {
    bookingId: BookingId,
    from: Type.Object({ centreId: CentreId, start: LocalDateTime }, { additionalProperties: false }),
    to: Type.Object({ centreId: CentreId, start: LocalDateTime }, { additionalProperties: false }),
    durationMinutes: DurationMinutes,
    priceCents: Cents,
  },
);

export const PublicBookingCancelledV1 = integrationSchema(
  'booking.cancelled',
  1,
  'The booking was cancelled before the control.',
  {
    bookingId: BookingId,
    cancelledBy: Type.Union([
      Type.Literal('customer'),
      Type.Literal('call_centre'),
      Type.Literal('centre'),
      Type.Literal('system'),
    ]),
    reason: Type.Union([
      Type.Literal('customer_request'),
      Type.Literal('centre_closure'),
      Type.Literal('inspector_unavailable'),
      Type.Literal('duplicate'),
      Type.Literal('other'),
    ]),
    refundEligible: Type.Boolean(),
  },
);

export const PublicBookingExpiredV1 = integrationSchema(
  'booking.expired',
  1,
  'The hold ran out before the booking was confirmed; its slot is free again.',
  { bookingId: BookingId },
);

export const PublicBookingCheckedInV1 = integrationSchema(
  'booking.checked_in',
  1,
  'The vehicle arrived at the centre.',
  { bookingId: BookingId },
);

export const PublicBookingCompletedV1 = integrationSchema(
  'booking.completed',
  1,
  'The control was done; `result` A (favourable), S (contre-visite) or R (critical).',
  {
    bookingId: BookingId,
    result: InspectionResult,
    contreVisiteDueBy: Type.Union([LocalDate, Type.Null()]),
  },
);

export const PublicBookingNoShowV1 = integrationSchema('booking.no_show', 1, 'The vehicle did not come.', {
  bookingId: BookingId,
});

export const PublicBookingPaymentSucceededV1 = integrationSchema(
  'booking.payment_succeeded',
  1,
  'An online payment of the booking succeeded.',
  {
    bookingId: BookingId,
    paymentId: EntityId,
    amountCents: Type.Integer({ minimum: 1, maximum: 10_000_000 }),
    currency: Currency,
  },
);

export const PublicBookingPaymentFailedV1 = integrationSchema(
  'booking.payment_failed',
  1,
  'An online payment of the booking did not succeed.',
  {
    bookingId: BookingId,
    paymentId: EntityId,
    reason: Type.Union([
      Type.Literal('declined'),
      Type.Literal('abandoned'),
      Type.Literal('timeout'),
      Type.Literal('provider_error'),
    ]),
  },
);

// ---------------------------------------------------------------------------------------------
// Centre topic
// ---------------------------------------------------------------------------------------------

export const PublicCentreRegisteredV1 = integrationSchema(
  'centre.registered',
  1,
  'A centre joined the network (its public business details).',
  {
    centreId: CentreId,
    code: Type.String({ minLength: 1, maxLength: 50 }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    postcode: Postcode,
    city: Type.String({ minLength: 1, maxLength: 100 }),
    position: GeoPosition,
  },
);

export const PublicCentreDeactivatedV1 = integrationSchema(
  'centre.deactivated',
  1,
  'The centre takes no new bookings.',
  { centreId: CentreId },
);

export const PublicCentreReactivatedV1 = integrationSchema(
  'centre.reactivated',
  1,
  'The centre takes bookings again.',
  { centreId: CentreId },
);

// ---------------------------------------------------------------------------------------------
// Catalogue, topics, envelope
// ---------------------------------------------------------------------------------------------

const definition = <S extends TObject>(
  type: string,
  version: number,
  aggregate: IntegrationAggregate,
  schema: S,
): IntegrationEventDefinition<S> => ({ type, version, aggregate, schema });

/** Every public integration event, keyed by `<type>.v<version>`. */
export const integrationEventDefinitions = {
  'booking.placed.v1': definition('booking.placed', 1, 'booking', PublicBookingPlacedV1),
  'booking.confirmed.v1': definition('booking.confirmed', 1, 'booking', PublicBookingConfirmedV1),
  'booking.rescheduled.v1': definition('booking.rescheduled', 1, 'booking', PublicBookingRescheduledV1),
  'booking.cancelled.v1': definition('booking.cancelled', 1, 'booking', PublicBookingCancelledV1),
  'booking.expired.v1': definition('booking.expired', 1, 'booking', PublicBookingExpiredV1),
  'booking.checked_in.v1': definition('booking.checked_in', 1, 'booking', PublicBookingCheckedInV1),
  'booking.completed.v1': definition('booking.completed', 1, 'booking', PublicBookingCompletedV1),
  'booking.no_show.v1': definition('booking.no_show', 1, 'booking', PublicBookingNoShowV1),
  'booking.payment_succeeded.v1': definition(
    'booking.payment_succeeded',
    1,
    'booking',
    PublicBookingPaymentSucceededV1,
  ),
  'booking.payment_failed.v1': definition(
    'booking.payment_failed',
    1,
    'booking',
    PublicBookingPaymentFailedV1,
  ),
  'centre.registered.v1': definition('centre.registered', 1, 'centre', PublicCentreRegisteredV1),
  'centre.deactivated.v1': definition('centre.deactivated', 1, 'centre', PublicCentreDeactivatedV1),
  'centre.reactivated.v1': definition('centre.reactivated', 1, 'centre', PublicCentreReactivatedV1),
} as const;

export type IntegrationEventKey = keyof typeof integrationEventDefinitions;

/** Kafka topic of each aggregate's public events (version 1 of the contract). */
export const INTEGRATION_TOPICS: Readonly<Record<IntegrationAggregate, string>> = {
  booking: 'pti.booking.v1',
  centre: 'pti.centre.v1',
};

export const IntegrationEnvelope = Type.Object(
  {
    /** The domain event's id: unique, the consumers' deduplication key. */
    id: Type.String({
      pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
    }),
    type: Type.String(),
    version: Type.Integer({ minimum: 1 }),
    aggregateType: Type.Union([Type.Literal('booking'), Type.Literal('centre')]),
    /** The Kafka message key. */
    aggregateId: Type.String(),
    tenantId: Type.String(),
    occurredAt: Instant,
    correlationId: Type.String(),
    /** Ledger position `commit/prepare` (the SSE event id; resume after it). */
    position: Type.String({ pattern: '^\\d+/\\d+$' }),
    data: Type.Record(Type.String(), Type.Unknown()),
  },
  {
    $id: 'IntegrationEnvelope',
    title: 'Integration event envelope',
    additionalProperties: false,
  },
);
export type IntegrationEnvelope = Static<typeof IntegrationEnvelope>;

/** The `integrationEventDefinitions` entry of a type and version. */
export function integrationEventDefinition(
  type: string,
  version: number,
): IntegrationEventDefinition | undefined {
  const entry = (integrationEventDefinitions as Record<string, IntegrationEventDefinition>)[
    `${type}.v${version}`
  ];
  return entry;
}
