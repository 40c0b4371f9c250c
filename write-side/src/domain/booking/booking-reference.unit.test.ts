import { randomBytes } from 'node:crypto';
import { BOOKING_REFERENCE_PATTERN } from '@pti/events';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BOOKING_REFERENCE_ALPHABET,
  bookingReferenceFromBytes,
  generateBookingReference,
  isBookingReference,
  parseBookingReference,
} from './booking-reference.js';
import { SAMPLE_REFERENCE_BYTES } from './testing/booking-fixtures.js';

const fiveBytes = fc.uint8Array({ minLength: 5, maxLength: 5 });

describe('booking reference', () => {
  it('uses 32 symbols without look-alikes (no I, O, 0, 1), all accepted by the contract pattern', () => {
    expect(BOOKING_REFERENCE_ALPHABET).toHaveLength(32);
    expect(new Set(BOOKING_REFERENCE_ALPHABET).size).toBe(32);
    expect(BOOKING_REFERENCE_ALPHABET).not.toMatch(/[IO01]/);
    const pattern = new RegExp(BOOKING_REFERENCE_PATTERN);
    for (const symbol of BOOKING_REFERENCE_ALPHABET)
      expect(pattern.test(`${symbol.repeat(4)}-AAAA`)).toBe(true);
  });

  it('spells 5 bytes as two groups of four, most significant bits first', () => {
    expect(bookingReferenceFromBytes(Uint8Array.of(0, 0, 0, 0, 0))).toBe('AAAA-AAAA');
    expect(bookingReferenceFromBytes(Uint8Array.of(255, 255, 255, 255, 255))).toBe('9999-9999');
    expect(bookingReferenceFromBytes(SAMPLE_REFERENCE_BYTES)).toBe('K7M4-QX2P');
  });

  it('always has the contract format (property)', () => {
    const pattern = new RegExp(BOOKING_REFERENCE_PATTERN);
    fc.assert(
      fc.property(fiveBytes, (bytes) => {
        expect(bookingReferenceFromBytes(bytes)).toMatch(pattern);
      }),
    );
  });

  it('is injective: different random bytes never give the same reference (property)', () => {
    fc.assert(
      fc.property(fiveBytes, fiveBytes, (a, b) => {
        fc.pre(Buffer.compare(a, b) !== 0);
        expect(bookingReferenceFromBytes(a)).not.toBe(bookingReferenceFromBytes(b));
      }),
    );
  });

  it('draws from the injected source only (same bytes, same reference)', () => {
    const source = (size: number) => Uint8Array.from({ length: size }, (_, i) => i * 37);
    expect(generateBookingReference(source)).toBe(generateBookingReference(source));
    expect(() => generateBookingReference(() => new Uint8Array(4))).toThrow(RangeError);
  });

  it('10,000 references from a cryptographic source are distinct', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 10_000; i += 1) seen.add(generateBookingReference((size) => randomBytes(size)));
    expect(seen.size).toBe(10_000);
  });

  it('reads a reference as typed: any case, with or without separators', () => {
    for (const typed of ['K7M4-QX2P', 'k7m4-qx2p', 'K7M4QX2P', ' k7m4 qx2p ', 'K7M4.QX2P']) {
      expect(parseBookingReference(typed)).toBe('K7M4-QX2P');
    }
    for (const bad of ['K7M4-QX2', 'K7M4-QX2PP', 'K7M4-QX0P', 'K7M4-QX1P', 'I7M4-QX2P', '']) {
      expect(parseBookingReference(bad)).toBeUndefined();
    }
    expect(isBookingReference('K7M4-QX2P')).toBe(true);
    expect(isBookingReference('k7m4-qx2p')).toBe(false);
  });

  it('parses back every generated reference (property)', () => {
    fc.assert(
      fc.property(fiveBytes, (bytes) => {
        const reference = bookingReferenceFromBytes(bytes);
        expect(parseBookingReference(reference.toLowerCase().replace('-', ' '))).toBe(reference);
      }),
    );
  });
});
