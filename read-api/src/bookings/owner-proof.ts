import { createHash, timingSafeEqual } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { BookingRecord } from '../ports/read-models.js';

/**
 * A public booking lookup proves ownership with the reference (printed, not secret) plus the
 * e-mail or the plate the booking was made with. Every proof given must match; a mismatch and an
 * unknown reference get the same answer, so neither references nor e-mails can be probed.
 */

export interface OwnerProof {
  readonly email?: string;
  readonly plate?: string;
}

export const OwnerProofQuery = {
  email: Type.Optional(
    Type.String({ minLength: 3, maxLength: 254, description: 'E-mail the booking was made with' }),
  ),
  plate: Type.Optional(
    Type.String({ minLength: 2, maxLength: 20, description: 'Registration plate, any spacing or case' }),
  ),
};

export function normaliseProofEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** `ab 123 cd`, `AB123CD`, `AB-123-CD` → `AB123CD`: the same compact form whatever was typed. */
export function compactPlate(plate: string): string {
  return plate.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

/** Equality in time independent of where the strings differ (digests equalise the lengths). */
function sameSecret(a: string, b: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}

export function hasProof(proof: OwnerProof): boolean {
  return proof.email !== undefined || proof.plate !== undefined;
}

export function ownsBooking(booking: BookingRecord, proof: OwnerProof): boolean {
  if (!hasProof(proof)) return false;
  let matches = true;
  if (proof.email !== undefined) {
    const stored = booking.customer.email;
    matches =
      stored !== null && sameSecret(normaliseProofEmail(stored), normaliseProofEmail(proof.email)) && matches;
  }
  if (proof.plate !== undefined) {
    const stored = booking.vehicle.plate;
    matches = stored !== null && sameSecret(compactPlate(stored), compactPlate(proof.plate)) && matches;
  }
  return matches;
}

/** The one booking of `candidates` the proof owns (references may collide; proofs do not). */
export function ownedBooking(candidates: readonly BookingRecord[], proof: OwnerProof): BookingRecord | null {
  return candidates.find((booking) => ownsBooking(booking, proof)) ?? null;
}
