import { deriveKey, type WriteSideSecrets } from '../config/write-side-secrets.js';
import { requireManageToken, signManageToken } from '../domain/booking/manage-token.js';

/**
 * The token a customer gets on joining a waitlist, to leave it later without an account. Same wire
 * format and rotation as manage tokens, but signed with a key derived for this purpose only, so a
 * waitlist token never verifies as a booking's manage token (nor the reverse).
 */
const PURPOSE = 'waitlist-token';

export function signWaitlistToken(secrets: WriteSideSecrets, entryId: string, expiresAt: Date): string {
  const [signing] = secrets.manageTokenSecrets;
  if (signing === undefined) throw new Error('no manage-token secret configured');
  return signManageToken({ bookingId: entryId, expiresAt }, deriveKey(signing, PURPOSE));
}

/** The entry id the token was issued for, or `INVALID_MANAGE_TOKEN` (malformed, forged, expired, other entry). */
export function requireWaitlistToken(
  secrets: WriteSideSecrets,
  token: string,
  now: Date,
  entryId: string,
): string {
  const keys = secrets.manageTokenSecrets.map((secret) => deriveKey(secret, PURPOSE));
  return requireManageToken(token, keys, now, entryId);
}
