import { createHmac, timingSafeEqual } from 'node:crypto';
import { isEntityId } from '@pti/events';
import { DomainError } from '../shared/index.js';

/**
 * The manage token of a booking: the bearer credential of the "manage my booking" link sent to the
 * customer (cancel, reschedule without an account).
 *
 * Wire form: `<payload>.<mac>`, both base64url without padding.
 * - payload = base64url of `v1.<bookingId>.<expiry in Unix seconds>` (booking ids never hold a dot);
 * - mac = HMAC-SHA256(secret, `pti-manage-token.` + payload): the label keeps a MAC made for some
 *   other purpose with the same secret from ever verifying as a manage token.
 * The version lets a later format coexist with links already in mailboxes. The secret is passed in
 * (configuration), never read here; verification accepts several secrets so a rotated secret keeps
 * older links valid until they expire.
 */

export const MANAGE_TOKEN_VERSION = 1;
const VERSION_TAG = `v${MANAGE_TOKEN_VERSION}`;
const MAC_LABEL = 'pti-manage-token.';
const MAC_BYTES = 32;
/** HMAC-SHA256 keys shorter than the hash output weaken it; refuse them outright. */
export const MANAGE_TOKEN_MIN_SECRET_BYTES = 32;

export type ManageTokenSecret = string | Uint8Array;

export interface ManageTokenClaims {
  readonly bookingId: string;
  /** The link stops working at this instant (second precision). */
  readonly expiresAt: Date;
}

export type ManageTokenFailure =
  | 'malformed'
  | 'unsupported_version'
  | 'bad_signature'
  | 'expired'
  | 'wrong_booking';

export type ManageTokenVerification =
  | { readonly ok: true; readonly bookingId: string; readonly expiresAt: Date }
  | { readonly ok: false; readonly reason: ManageTokenFailure };

const base64UrlPattern = /^[A-Za-z0-9_-]+$/;

function secretBytes(secret: ManageTokenSecret): Uint8Array {
  const bytes = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
  if (bytes.length < MANAGE_TOKEN_MIN_SECRET_BYTES) {
    throw new RangeError(`the manage-token secret must hold at least ${MANAGE_TOKEN_MIN_SECRET_BYTES} bytes`);
  }
  return bytes;
}

function macOf(payload: string, secret: ManageTokenSecret): Buffer {
  return createHmac('sha256', secretBytes(secret))
    .update(MAC_LABEL + payload, 'utf8')
    .digest();
}

/** Strict base64url: only the alphabet, and the canonical encoding of what it decodes to. */
function decodeBase64Url(text: string): Buffer | undefined {
  if (!base64UrlPattern.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

/** Signs a manage token for a booking. */
export function signManageToken(claims: ManageTokenClaims, secret: ManageTokenSecret): string {
  if (!isEntityId(claims.bookingId))
    throw new RangeError(`invalid booking id ${JSON.stringify(claims.bookingId)}`);
  const expiryMs = claims.expiresAt.getTime();
  if (Number.isNaN(expiryMs)) throw new RangeError('invalid expiry');
  const expirySeconds = Math.floor(expiryMs / 1000);
  const payload = Buffer.from(`${VERSION_TAG}.${claims.bookingId}.${expirySeconds}`, 'utf8').toString(
    'base64url',
  );
  return `${payload}.${macOf(payload, secret).toString('base64url')}`;
}

/**
 * Verifies a manage token: its signature under one of `secrets` (compared in constant time), its
 * version, its expiry against `now` (valid strictly before the expiry), and, when given, that it
 * is for `expectedBookingId`. The signature is checked before anything in the payload is trusted.
 */
export function verifyManageToken(
  token: string,
  secrets: ManageTokenSecret | readonly ManageTokenSecret[],
  now: Date,
  expectedBookingId?: string,
): ManageTokenVerification {
  const parts = token.split('.');
  if (parts.length !== 2) return { ok: false, reason: 'malformed' };
  const [payload = '', macText = ''] = parts;
  const payloadBytes = decodeBase64Url(payload);
  const mac = decodeBase64Url(macText);
  if (payloadBytes === undefined || mac === undefined) return { ok: false, reason: 'malformed' };
  if (mac.length !== MAC_BYTES) return { ok: false, reason: 'bad_signature' };

  const keys: readonly ManageTokenSecret[] =
    typeof secrets === 'string' || secrets instanceof Uint8Array ? [secrets] : secrets;
  let signed = false;
  // Every key is tried (no early exit) so timing does not tell which one matched.
  for (const key of keys) {
    if (timingSafeEqual(macOf(payload, key), mac)) signed = true;
  }
  if (!signed) return { ok: false, reason: 'bad_signature' };

  const fields = payloadBytes.toString('utf8').split('.');
  if (fields[0] !== VERSION_TAG) return { ok: false, reason: 'unsupported_version' };
  const [, bookingId = '', expiryText = ''] = fields;
  if (fields.length !== 3 || !isEntityId(bookingId) || !/^\d{1,12}$/.test(expiryText)) {
    return { ok: false, reason: 'malformed' };
  }
  const expiresAt = new Date(Number(expiryText) * 1000);
  if (now.getTime() >= expiresAt.getTime()) return { ok: false, reason: 'expired' };
  if (expectedBookingId !== undefined && bookingId !== expectedBookingId)
    return { ok: false, reason: 'wrong_booking' };
  return { ok: true, bookingId, expiresAt };
}

/**
 * Like `verifyManageToken`, for command handlers: returns the booking id or throws `DomainError`
 * `INVALID_MANAGE_TOKEN` with `details.reason` saying why.
 */
export function requireManageToken(
  token: string,
  secrets: ManageTokenSecret | readonly ManageTokenSecret[],
  now: Date,
  expectedBookingId?: string,
): string {
  const verification = verifyManageToken(token, secrets, now, expectedBookingId);
  if (!verification.ok) {
    throw new DomainError('INVALID_MANAGE_TOKEN', `manage token refused: ${verification.reason}`, {
      reason: verification.reason,
    });
  }
  return verification.bookingId;
}
