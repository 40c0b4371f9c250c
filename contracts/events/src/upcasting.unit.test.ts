import { describe, expect, it } from 'vitest';
import type { BookingPlacedV1 } from './booking/booking-placed-v1.js';
import { validateEvent } from './catalogue.js';
import { eventSamples, sampleIds } from './samples.js';
import { decodeEvent, UpcastError, UpcasterRegistry, upcast, upcasters } from './upcasting.js';

const v1: BookingPlacedV1 = {
  bookingId: sampleIds.bookingId,
  reference: 'K7M4-QX2P',
  customerId: sampleIds.customerId,
  customer: {
    kind: 'company',
    name: 'Transports Rhône Express',
    siret: '73282932000074',
    email: 'flotte@rhone-express.fr',
    phone: '+33472000000',
  },
  vehicle: { plate: 'FG-456-HJ', category: 'VU', fuel: 'Diesel' },
  controlType: 'CTC',
  centreId: sampleIds.centreId,
  reservationId: sampleIds.reservationId,
  date: '2025-03-14',
  time: '11:15',
  durationMinutes: 20,
  priceEuros: 40.1,
  channel: 'call_center',
  holdExpiresAt: '2025-03-10T08:15:00.000Z',
};

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof UpcastError) return error.code;
    throw error;
  }
  return undefined;
}

describe('BookingPlaced v1 → v2 (illustrative historical version)', () => {
  it('is registered', () => {
    expect(upcasters.has('BookingPlaced', 1)).toBe(true);
  });

  it('upcasts a v1 payload to a valid current payload', () => {
    const current = upcast('BookingPlaced', 1, v1);
    const result = validateEvent('BookingPlaced', current);
    expect(result.ok ? [] : result.errors).toEqual([]);
    expect(current).toMatchObject({
      start: '2025-03-14T11:15',
      priceCents: 4010,
      channel: 'call_centre',
      paymentMode: 'online',
      customer: { kind: 'company', siret: '73282932000074', contactName: null, address: null },
    });
    expect(current).not.toHaveProperty('date');
    expect(current).not.toHaveProperty('priceEuros');
  });

  it('decodes a stored v1 event into the typed current event', () => {
    const result = decodeEvent('BookingPlaced', 1, v1);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.event.data.priceCents).toBe(4010);
  });

  it('leaves a current payload untouched', () => {
    expect(upcast('BookingPlaced', 2, eventSamples.BookingPlaced)).toBe(eventSamples.BookingPlaced);
    expect(upcast('SlotHeld', 1, eventSamples.SlotHeld)).toBe(eventSamples.SlotHeld);
  });

  it('fails clearly when the stored payload is not v1', () => {
    expect(codeOf(() => upcast('BookingPlaced', 1, eventSamples.BookingPlaced))).toBe('upcaster_failed');
    expect(() => upcast('BookingPlaced', 1, { ...v1, priceEuros: -3 })).toThrow(/\/priceEuros/);
  });

  it('refuses a version from the future', () => {
    expect(codeOf(() => upcast('BookingPlaced', 3, v1))).toBe('future_version');
    expect(() => upcast('SlotHeld', 2, eventSamples.SlotHeld)).toThrow(
      'SlotHeld version 2 is newer than the current version 1 known to this code; upgrade @pti/events before reading it',
    );
  });

  it('refuses unknown types and impossible versions', () => {
    expect(codeOf(() => upcast('BookingTeleported', 1, {}))).toBe('unknown_event_type');
    expect(codeOf(() => upcast('BookingPlaced', 0, v1))).toBe('invalid_version');
    expect(codeOf(() => upcast('BookingPlaced', 1.5, v1))).toBe('invalid_version');
  });
});

describe('UpcasterRegistry', () => {
  type Shape = { readonly [key: string]: unknown };
  const versions: Record<string, number> = { Renamed: 4 };
  const currentVersionOf = (type: string) => versions[type];

  function registry(): UpcasterRegistry {
    return new UpcasterRegistry(currentVersionOf)
      .register('Renamed', 1, (data) => ({ ...(data as Shape), v2: true }))
      .register('Renamed', 2, (data) => {
        const { label, ...rest } = data as Shape;
        return { ...rest, title: label };
      })
      .register('Renamed', 3, (data) => ({ ...(data as Shape), v4: true }));
  }

  it('chains upcasters in order up to the current version', () => {
    expect(registry().upcast('Renamed', 1, { label: 'x' })).toEqual({ v2: true, title: 'x', v4: true });
    expect(registry().upcast('Renamed', 3, { title: 'y' })).toEqual({ title: 'y', v4: true });
    expect(registry().upcast('Renamed', 4, { title: 'z' })).toEqual({ title: 'z' });
  });

  it('reports a gap in the chain', () => {
    const partial = new UpcasterRegistry(currentVersionOf).register('Renamed', 1, (data) => data);
    expect(() => partial.upcast('Renamed', 1, {})).toThrow(
      'no upcaster registered for Renamed from version 2 to 3',
    );
  });

  it('refuses bad registrations', () => {
    expect(codeOf(() => registry().register('Renamed', 2, (data) => data))).toBe('duplicate_upcaster');
    expect(codeOf(() => registry().register('Renamed', 4, (data) => data))).toBe('invalid_version');
    expect(codeOf(() => registry().register('Renamed', 0, (data) => data))).toBe('invalid_version');
    expect(codeOf(() => registry().register('Unknown', 1, (data) => data))).toBe('unknown_event_type');
  });
});
