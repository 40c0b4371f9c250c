import type { DomainEvent } from '../catalogue.js';
import type { EventMetadata } from '../envelope/metadata.js';
import {
  INTEGRATION_TOPICS,
  type IntegrationAggregate,
  type IntegrationEnvelope,
} from './integration-events.js';

/**
 * Domain event → public integration event. Only whitelisted fields are copied (never a spread of
 * the domain payload), so a personal field added to a domain event later cannot leak: it is simply
 * not in the public event until its schema says so. Domain events with no public counterpart
 * (centre configuration, calendar internals, notes, payment requests) map to `null`.
 */
export interface DomainEventRecord {
  readonly id: string;
  readonly event: DomainEvent;
  readonly metadata: EventMetadata;
  /** Ledger position as text `commit/prepare`. */
  readonly position: string;
}

export interface MappedIntegrationEvent {
  readonly topic: string;
  /** The Kafka key: the aggregate id. */
  readonly key: string;
  readonly envelope: IntegrationEnvelope;
}

type Payload = {
  readonly type: string;
  readonly aggregate: IntegrationAggregate;
  readonly id: string;
  readonly data: Record<string, unknown>;
};

function publicPayload(event: DomainEvent): Payload | null {
  const booking = (type: string, bookingId: string, data: Record<string, unknown>): Payload => ({
    type,
    aggregate: 'booking',
    id: bookingId,
    data: { bookingId, ...data },
  });
  const centre = (type: string, centreId: string, data: Record<string, unknown> = {}): Payload => ({
    type,
    aggregate: 'centre',
    id: centreId,
    data: { centreId, ...data },
  });
  switch (event.type) {
    case 'BookingPlaced': {
      const d = event.data;
      return booking('booking.placed', d.bookingId, {
        centreId: d.centreId,
        start: d.start,
        durationMinutes: d.durationMinutes,
        controlType: d.controlType,
        vehicleCategory: d.vehicle.category,
        fuel: d.vehicle.fuel,
        priceCents: d.priceCents,
        currency: 'EUR',
        channel: d.channel,
        paymentMode: d.paymentMode,
        holdExpiresAt: d.holdExpiresAt,
      });
    }
    case 'BookingConfirmed':
      return booking('booking.confirmed', event.data.bookingId, { paymentMode: event.data.paymentMode });
    case 'BookingRescheduled': {
      const d = event.data;
      return booking('booking.rescheduled', d.bookingId, {
        from: { centreId: d.from.centreId, start: d.from.start },
        to: { centreId: d.to.centreId, start: d.to.start },
        durationMinutes: d.durationMinutes,
        priceCents: d.priceCents,
      });
    }
    case 'BookingCancelled': {
      const d = event.data;
      return booking('booking.cancelled', d.bookingId, {
        cancelledBy: d.cancelledBy,
        reason: d.reason,
        refundEligible: d.refundEligible,
      });
    }
    case 'BookingExpired':
      return booking('booking.expired', event.data.bookingId, {});
    case 'BookingCheckedIn':
      return booking('booking.checked_in', event.data.bookingId, {});
    case 'BookingCompleted':
      return booking('booking.completed', event.data.bookingId, {
        result: event.data.result,
        contreVisiteDueBy: event.data.contreVisiteDueBy,
      });
    case 'BookingNoShow':
      return booking('booking.no_show', event.data.bookingId, {});
    case 'PaymentSucceeded': {
      const d = event.data;
      return booking('booking.payment_succeeded', d.bookingId, {
        paymentId: d.paymentId,
        amountCents: d.amountCents,
        currency: d.currency,
      });
    }
    case 'PaymentFailed':
      return booking('booking.payment_failed', event.data.bookingId, {
        paymentId: event.data.paymentId,
        reason: event.data.reason,
      });
    case 'CentreRegistered': {
      const d = event.data;
      return centre('centre.registered', d.centreId, {
        code: d.code,
        name: d.name,
        postcode: d.postcode,
        city: d.city,
        position: { ...d.position },
      });
    }
    case 'CentreDeactivated':
      return centre('centre.deactivated', event.data.centreId);
    case 'CentreReactivated':
      return centre('centre.reactivated', event.data.centreId);
    default:
      return null;
  }
}

/** The domain event types that have a public counterpart (the relay's subscription filter). */
export const PUBLISHED_DOMAIN_EVENT_TYPES = [
  'BookingPlaced',
  'BookingConfirmed',
  'BookingRescheduled',
  'BookingCancelled',
  'BookingExpired',
  'BookingCheckedIn',
  'BookingCompleted',
  'BookingNoShow',
  'PaymentSucceeded',
  'PaymentFailed',
  'CentreRegistered',
  'CentreDeactivated',
  'CentreReactivated',
] as const satisfies readonly DomainEvent['type'][];

export function toIntegrationEvent(record: DomainEventRecord): MappedIntegrationEvent | null {
  const payload = publicPayload(record.event);
  if (payload === null) return null;
  return {
    topic: INTEGRATION_TOPICS[payload.aggregate],
    key: payload.id,
    envelope: {
      id: record.id,
      type: payload.type,
      version: 1,
      aggregateType: payload.aggregate,
      aggregateId: payload.id,
      tenantId: record.metadata.tenantId,
      occurredAt: record.metadata.occurredAt,
      correlationId: record.metadata.correlationId,
      position: record.position,
      data: payload.data,
    },
  };
}
