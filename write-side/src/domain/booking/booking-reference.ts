import { BOOKING_REFERENCE_PATTERN, type BookingReference } from '@pti/events';

/**
 * The short human reference of a booking (`K7M4-QX2P`): 8 symbols from a 32-symbol alphabet without
 * look-alikes (no I, O, 0, 1), in two groups of four. It is read over the phone and typed from a
 * printout, so it must survive both; it is not a secret and not unique on its own (40 bits: a few
 * collisions over years of 7M bookings), which is why a lookup pairs it with an e-mail or plate.
 *
 * Randomness is injected (`RandomBytes`) so that `decide` stays pure and tests are deterministic.
 */

/** 24 letters (A–Z without I and O) and 8 digits (2–9): 32 symbols, 5 bits each. */
export const BOOKING_REFERENCE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** 8 symbols × 5 bits: exactly 5 random bytes, so bytes ↔ reference is a bijection. */
export const BOOKING_REFERENCE_BYTES = 5;

/** A source of random bytes (`crypto.randomBytes` in production, a seeded one in tests). */
export type RandomBytes = (size: number) => Uint8Array;

const referenceRegExp = new RegExp(BOOKING_REFERENCE_PATTERN);

/** The reference spelt by 5 bytes, most significant bits first. */
export function bookingReferenceFromBytes(bytes: Uint8Array): BookingReference {
  if (bytes.length !== BOOKING_REFERENCE_BYTES) {
    throw new RangeError(`a booking reference takes ${BOOKING_REFERENCE_BYTES} bytes, got ${bytes.length}`);
  }
  let symbols = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      symbols += BOOKING_REFERENCE_ALPHABET.charAt((buffer >> bits) & 31);
    }
    buffer &= (1 << bits) - 1;
  }
  return `${symbols.slice(0, 4)}-${symbols.slice(4)}`;
}

/** A fresh random reference. */
export function generateBookingReference(random: RandomBytes): BookingReference {
  const bytes = random(BOOKING_REFERENCE_BYTES);
  if (bytes.length < BOOKING_REFERENCE_BYTES) {
    throw new RangeError(
      `the random source returned ${bytes.length} bytes, ${BOOKING_REFERENCE_BYTES} needed`,
    );
  }
  return bookingReferenceFromBytes(bytes.subarray(0, BOOKING_REFERENCE_BYTES));
}

export function isBookingReference(value: string): value is BookingReference {
  return referenceRegExp.test(value);
}

/**
 * Reads a reference as a person types it (`k7m4 qx2p`, `K7M4QX2P`, `k7m4-qx2p`): case and
 * separators are ignored. Returns `undefined` when it cannot be a reference.
 */
export function parseBookingReference(input: string): BookingReference | undefined {
  const compact = input.toUpperCase().replace(/[\s._-]+/g, '');
  if (compact.length !== 8) return undefined;
  const candidate = `${compact.slice(0, 4)}-${compact.slice(4)}`;
  return isBookingReference(candidate) ? candidate : undefined;
}
