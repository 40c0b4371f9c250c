import { deriveKey, type WriteSideSecrets } from '../config/write-side-secrets.js';
import { signManageToken, verifyManageToken } from '../domain/booking/manage-token.js';
import { DomainError } from '../domain/shared/domain-error.js';

/**
 * The token a customer gets with a hold taken before the booking form (`POST /api/v1/holds`): the
 * proof that whoever turns the hold into a booking is whoever took it. Same wire format and rotation
 * as manage tokens, signed with a key derived for this purpose only, so a hold token never verifies
 * as a manage or waitlist token (nor the reverse). It names the reservation id.
 *
 * The token outlives the hold on purpose (`TOKEN_GRACE_MS`): whether the hold still runs is the
 * calendar's word, not the token's, so a late form gets `HOLD_EXPIRED` rather than a token error.
 */
const PURPOSE = 'hold-token';
const TOKEN_GRACE_MS = 24 * 3_600_000;

export function signHoldToken(secrets: WriteSideSecrets, reservationId: string, holdExpiresAt: Date): string {
  const [signing] = secrets.manageTokenSecrets;
  if (signing === undefined) throw new Error('no manage-token secret configured');
  return signManageToken(
    { bookingId: reservationId, expiresAt: new Date(holdExpiresAt.getTime() + TOKEN_GRACE_MS) },
    deriveKey(signing, PURPOSE),
  );
}

/** Refuses with `INVALID_HOLD_TOKEN` (malformed, forged, long expired, another hold's). */
export function requireHoldToken(
  secrets: WriteSideSecrets,
  token: string,
  now: Date,
  reservationId: string,
): void {
  const keys = secrets.manageTokenSecrets.map((secret) => deriveKey(secret, PURPOSE));
  const verification = verifyManageToken(token, keys, now, reservationId);
  if (!verification.ok) {
    throw new DomainError('INVALID_HOLD_TOKEN', `hold token refused: ${verification.reason}`, {
      reason: verification.reason,
    });
  }
}
