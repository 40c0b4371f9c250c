import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../shared/index.js';
import { requireManageToken, signManageToken, verifyManageToken } from './manage-token.js';

const secret = 'test-secret-0123456789-abcdefghijklmnop';
const rotated = 'next-secret-0123456789-abcdefghijklmnop';
const bookingId = 'c9a8b7c6-d5e4-4f3a-9b2c-1d0e9f8a7b6c';
const expiresAt = new Date('2025-03-15T00:00:00.000Z');
const before = new Date('2025-03-14T23:59:59.999Z');

describe('manage token', () => {
  const token = signManageToken({ bookingId, expiresAt }, secret);

  it('is base64url, URL-safe, and verifies to the booking and expiry', () => {
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(verifyManageToken(token, secret, before)).toEqual({ ok: true, bookingId, expiresAt });
    expect(verifyManageToken(token, secret, before, bookingId).ok).toBe(true);
  });

  it('encodes the booking id, the expiry and the version in the payload', () => {
    const [payload = ''] = token.split('.');
    expect(Buffer.from(payload, 'base64url').toString('utf8')).toBe(`v1.${bookingId}.1741996800`);
  });

  it('expires at its expiry instant', () => {
    expect(verifyManageToken(token, secret, expiresAt)).toEqual({ ok: false, reason: 'expired' });
  });

  it('is refused under another secret, and accepted during a rotation', () => {
    expect(verifyManageToken(token, rotated, before)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyManageToken(token, [rotated, secret], before).ok).toBe(true);
  });

  it('is refused for another booking', () => {
    expect(verifyManageToken(token, secret, before, 'another-booking')).toEqual({
      ok: false,
      reason: 'wrong_booking',
    });
  });

  it('is refused when the payload is changed (another booking or a later expiry), signature kept', () => {
    const [, mac = ''] = token.split('.');
    const forged = (text: string) => `${Buffer.from(text, 'utf8').toString('base64url')}.${mac}`;
    expect(verifyManageToken(forged('v1.another-booking.1741996800'), secret, before).ok).toBe(false);
    expect(verifyManageToken(forged(`v1.${bookingId}.1899999999`), secret, before)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('is refused when any character is changed (property)', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
    fc.assert(
      fc.property(
        fc.nat({ max: token.length - 1 }),
        fc.nat({ max: alphabet.length - 1 }),
        (position, pick) => {
          const replacement = alphabet.charAt(pick);
          fc.pre(replacement !== token.charAt(position));
          const tampered = `${token.slice(0, position)}${replacement}${token.slice(position + 1)}`;
          expect(verifyManageToken(tampered, secret, before).ok).toBe(false);
        },
      ),
    );
  });

  it('says "malformed" for garbage and "unsupported_version" for a signed unknown version', () => {
    for (const garbage of ['', 'abc', 'a.b.c', '!!!.???', `${token}.x`, token.replace('.', '')]) {
      const result = verifyManageToken(garbage, secret, before);
      expect(result.ok).toBe(false);
    }
    expect(verifyManageToken('abc', secret, before)).toEqual({ ok: false, reason: 'malformed' });
    const signed = (text: string) => {
      const payload = Buffer.from(text, 'utf8').toString('base64url');
      const mac = createHmac('sha256', secret).update(`pti-manage-token.${payload}`).digest('base64url');
      return `${payload}.${mac}`;
    };
    expect(verifyManageToken(signed(`v1.${bookingId}.1741996800`), secret, before).ok).toBe(true);
    expect(verifyManageToken(signed(`v2.${bookingId}.1741996800`), secret, before)).toEqual({
      ok: false,
      reason: 'unsupported_version',
    });
    expect(verifyManageToken(signed(`v1.${bookingId}.soon`), secret, before)).toEqual({
      ok: false,
      reason: 'malformed',
    });
    expect(verifyManageToken(signed(`v1.Not_An_Id.1741996800`), secret, before)).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });

  it('refuses a secret shorter than 32 bytes', () => {
    expect(() => signManageToken({ bookingId, expiresAt }, 'short')).toThrow(RangeError);
  });

  it('requireManageToken throws INVALID_MANAGE_TOKEN with the reason', () => {
    expect(requireManageToken(token, secret, before, bookingId)).toBe(bookingId);
    try {
      requireManageToken(token, secret, expiresAt);
      throw new Error('expected a refusal');
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      if (!(error instanceof DomainError)) return;
      expect(error.code).toBe('INVALID_MANAGE_TOKEN');
      expect(error.details).toEqual({ reason: 'expired' });
    }
  });
});
