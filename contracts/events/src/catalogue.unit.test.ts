import { describe, expect, it } from 'vitest';
import {
  assertValidEvent,
  DOMAIN_EVENT_TYPES,
  type DomainEvent,
  EventValidationError,
  eventCatalogue,
  isDomainEventType,
  schemaVersionOf,
  streamNameOf,
  validateEvent,
} from './catalogue.js';
import { eventSamples, sampleIds } from './samples.js';
import { parseStreamName } from './streams.js';

const sample = eventSamples;

function clone<T>(value: T): T {
  return structuredClone(value);
}

describe('event catalogue', () => {
  const catalogueTypes = Object.keys(eventCatalogue);

  it('holds the three aggregates', () => {
    const byAggregate = (aggregate: string) =>
      DOMAIN_EVENT_TYPES.filter((type) => eventCatalogue[type].aggregate === aggregate).length;
    expect(byAggregate('Centre')).toBe(16);
    expect(byAggregate('SlotCalendar')).toBe(11);
    expect(byAggregate('Booking')).toBe(12);
    expect(catalogueTypes).toHaveLength(DOMAIN_EVENT_TYPES.length);
  });

  it.each(catalogueTypes)('%s has a sample that validates against its schema', (type) => {
    expect(Object.hasOwn(eventSamples, type), `no sample for event type ${type}`).toBe(true);
    expect(isDomainEventType(type)).toBe(true);
    if (!isDomainEventType(type)) return;
    const entry = eventCatalogue[type];
    expect(entry.sample, `no sample for event type ${type}`).toBeDefined();
    const result = validateEvent(type, entry.sample);
    expect(result.ok ? [] : result.errors).toEqual([]);
  });

  it('has no sample for a type outside the catalogue', () => {
    for (const type of Object.keys(eventSamples)) expect(catalogueTypes).toContain(type);
  });

  it.each(catalogueTypes)('%s: $id is the type name, version is a positive integer', (type) => {
    if (!isDomainEventType(type)) throw new Error(`not a type: ${type}`);
    const entry = eventCatalogue[type];
    expect(entry.type).toBe(type);
    expect(entry.schema.$id).toBe(type);
    expect(Number.isInteger(entry.schemaVersion) && entry.schemaVersion >= 1).toBe(true);
    expect(schemaVersionOf(type)).toBe(entry.schemaVersion);
  });

  it.each(catalogueTypes)('%s: the sample names a stream of its aggregate category', (type) => {
    if (!isDomainEventType(type)) throw new Error(`not a type: ${type}`);
    const entry = eventCatalogue[type];
    // A catalogue entry pairs a type with its own payload: that is a DomainEvent.
    const event = { type, data: entry.sample } as DomainEvent;
    expect(parseStreamName(streamNameOf(event)).category).toBe(entry.category);
  });

  it('routes events to their streams', () => {
    expect(streamNameOf({ type: 'SlotHeld', data: sample.SlotHeld })).toBe(
      `calendar-${sampleIds.centreId}-2025-03-14`,
    );
    expect(streamNameOf({ type: 'BookingPlaced', data: sample.BookingPlaced })).toBe(
      `booking-${sampleIds.bookingId}`,
    );
    expect(streamNameOf({ type: 'PriceListSet', data: sample.PriceListSet })).toBe(
      `centre-${sampleIds.centreId}`,
    );
  });

  it('knows the current schema versions', () => {
    expect(schemaVersionOf('BookingPlaced')).toBe(2);
    expect(schemaVersionOf('SlotHeld')).toBe(1);
    expect(schemaVersionOf('NoSuchEvent')).toBeUndefined();
  });
});

describe('validateEvent rejects invalid payloads', () => {
  function errorsOf(type: string, data: unknown) {
    const result = validateEvent(type, data);
    if (result.ok) throw new Error(`${type} payload was accepted`);
    return result.errors;
  }

  it('rejects a badly formatted plate', () => {
    for (const plate of [
      'AB123CD',
      'ab-123-cd',
      'AI-123-CD',
      'SS-123-AB',
      'AB-000-CD',
      'AB-123-WW',
      'AB-12-CD',
      '123-ABC-96',
    ]) {
      const data = clone(sample.BookingPlaced);
      data.vehicle.plate = plate;
      expect(errorsOf('BookingPlaced', data).map((issue) => issue.path)).toContain('/vehicle/plate');
    }
  });

  it('accepts SIV and FNI plates', () => {
    for (const plate of ['WW-123-AB', 'GH-007-KL', '123-ABC-75', '4521-TZ-2A', '88-X-974']) {
      const data = clone(sample.BookingPlaced);
      data.vehicle.plate = plate;
      expect(validateEvent('BookingPlaced', data).ok, plate).toBe(true);
    }
  });

  it('rejects a negative or fractional price', () => {
    const negative = clone(sample.BookingPlaced);
    negative.priceCents = -100;
    expect(errorsOf('BookingPlaced', negative).map((issue) => issue.path)).toEqual(['/priceCents']);
    const fractional = clone(sample.BookingPlaced);
    fractional.priceCents = 78.5;
    expect(errorsOf('BookingPlaced', fractional).map((issue) => issue.path)).toEqual(['/priceCents']);
    const list = clone(sample.PriceListSet);
    const first = list.entries[0];
    if (!first) throw new Error('sample price list is empty');
    first.priceCents = -1;
    expect(errorsOf('PriceListSet', list).map((issue) => issue.path)).toEqual(['/entries/0/priceCents']);
  });

  it('rejects a bad local date', () => {
    for (const date of [
      '2025-02-29',
      '2025-04-31',
      '2025-13-01',
      '14/03/2025',
      '2025-3-14',
      '2025-03-14T00:00',
    ]) {
      const data = clone(sample.SlotHeld);
      data.date = date;
      expect(errorsOf('SlotHeld', data).map((issue) => issue.path)).toEqual(['/date']);
    }
    const leap = clone(sample.SlotHeld);
    leap.date = '2024-02-29';
    expect(validateEvent('SlotHeld', leap).ok).toBe(true);
  });

  it('rejects a bad local time or start', () => {
    const heldAt = clone(sample.SlotHeld);
    heldAt.start = '24:00';
    expect(errorsOf('SlotHeld', heldAt).map((issue) => issue.path)).toEqual(['/start']);
    const placed = clone(sample.BookingPlaced);
    placed.start = '2025-03-14T09:30:00+01:00';
    expect(errorsOf('BookingPlaced', placed).map((issue) => issue.path)).toEqual(['/start']);
  });

  it('points into the right variant of a union', () => {
    const data = clone(sample.BookingPlaced);
    data.customer.email = 'camille.martin';
    expect(errorsOf('BookingPlaced', data).map((issue) => issue.path)).toEqual(['/customer/email']);
  });

  it('requires a SIRET for a company customer', () => {
    const data = {
      ...clone(sample.BookingPlaced),
      customer: {
        kind: 'company',
        name: 'Transports Rhône Express',
        contactName: null,
        email: 'flotte@rhone-express.fr',
        phone: '+33472000000',
        address: null,
      },
    };
    expect(errorsOf('BookingPlaced', data).some((issue) => issue.path.startsWith('/customer'))).toBe(true);
    expect(
      validateEvent('BookingPlaced', { ...data, customer: { ...data.customer, siret: '73282932000074' } }).ok,
    ).toBe(true);
  });

  it('rejects unknown properties and missing ones', () => {
    expect(errorsOf('BookingNoShow', { ...sample.BookingNoShow, extra: true }).length).toBeGreaterThan(0);
    const { result: _dropped, ...withoutResult } = sample.BookingCompleted;
    expect(errorsOf('BookingCompleted', withoutResult).length).toBeGreaterThan(0);
  });

  it('rejects values outside enumerations and ranges', () => {
    expect(errorsOf('BookingCompleted', { ...sample.BookingCompleted, result: 'B' })).toHaveLength(1);
    expect(errorsOf('BookingPolicySet', { ...sample.BookingPolicySet, overbookingPercent: 150 })).toEqual([
      expect.objectContaining({ path: '/overbookingPercent' }),
    ]);
    expect(
      errorsOf('InspectorAdded', { ...sample.InspectorAdded, accreditations: ['VL', 'VL'] }).length,
    ).toBeGreaterThan(0);
  });

  it('rejects ids that do not fit stream names', () => {
    expect(errorsOf('BookingExpired', { bookingId: 'Booking_42' })).toEqual([
      expect.objectContaining({ path: '/bookingId' }),
    ]);
    expect(errorsOf('CentreReactivated', { centreId: 'lyon-2025-03-14' })).toEqual([
      expect.objectContaining({ path: '/centreId' }),
    ]);
  });

  it('reports an unknown event type', () => {
    expect(errorsOf('BookingTeleported', {})).toEqual([
      { path: '', message: 'unknown event type "BookingTeleported"' },
    ]);
  });

  it('narrows the type of a valid event', () => {
    const result = validateEvent('BookingCompleted', clone(sample.BookingCompleted));
    if (!result.ok) throw new Error('rejected');
    expect(result.event.type).toBe('BookingCompleted');
    expect(result.event.data.result).toBe('S');
  });

  it('assertValidEvent throws with the issues', () => {
    expect(() => assertValidEvent('BookingPlaced', { ...sample.BookingPlaced, priceCents: -1 })).toThrow(
      EventValidationError,
    );
    expect(() => assertValidEvent('BookingPlaced', { ...sample.BookingPlaced, priceCents: -1 })).toThrow(
      /\/priceCents/,
    );
    expect(assertValidEvent('BookingNoShow', sample.BookingNoShow).data.bookingId).toBe(sampleIds.bookingId);
  });
});
