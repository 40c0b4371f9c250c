import { describe, expect, it } from 'vitest';
import { generateWriteSideSecrets } from '../config/write-side-secrets.js';
import { verifyManageToken } from '../domain/booking/manage-token.js';
import { requireWaitlistToken, signWaitlistToken } from './waitlist-token.js';

describe('waitlist tokens', () => {
  const secrets = generateWriteSideSecrets();
  const now = new Date('2026-06-01T08:00:00Z');
  const token = signWaitlistToken(secrets, 'entry-1', new Date('2026-06-04T00:00:00Z'));

  it('open their own entry until they expire', () => {
    expect(requireWaitlistToken(secrets, token, now, 'entry-1')).toBe('entry-1');
    expect(() => requireWaitlistToken(secrets, token, now, 'entry-2')).toThrow(
      expect.objectContaining({ code: 'INVALID_MANAGE_TOKEN' }),
    );
    expect(() => requireWaitlistToken(secrets, token, new Date('2026-06-05T00:00:00Z'), 'entry-1')).toThrow(
      expect.objectContaining({ details: { reason: 'expired' } }),
    );
  });

  it('never verify as a booking’s manage token', () => {
    expect(verifyManageToken(token, secrets.manageTokenSecrets, now)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
  });
});
