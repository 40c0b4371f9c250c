import { describe, expect, it } from 'vitest';
import { compactPlate, ownsBooking } from '../bookings/owner-proof.js';
import { maskEmail, maskPhone } from '../bookings/public-booking-view.js';
import { decodeCursor, encodeCursor, pageRequest, queryFingerprint } from '../pagination/cursor.js';
import { csvField } from '../reporting/reporting-csv.js';
import { BOOKINGS } from '../testing/fixtures.js';
import { negotiate } from './content-negotiation.js';

describe('cursors', () => {
  const fingerprint = queryFingerprint({ route: 'x', near: { lat: 1, lon: 2 } });

  it('round-trip their key and stay URL-safe', () => {
    const cursor = encodeCursor(fingerprint, [12.5, 'lyon-gerland']);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, fingerprint)).toEqual({ ok: true, key: [12.5, 'lyon-gerland'] });
  });

  it('fingerprint the filters whatever their order, ignoring undefined ones', () => {
    expect(queryFingerprint({ a: 1, b: 'x', c: undefined })).toBe(queryFingerprint({ b: 'x', a: 1 }));
    expect(queryFingerprint({ a: 1 })).not.toBe(queryFingerprint({ a: 2 }));
  });

  it('refuse anything they did not issue', () => {
    for (const forged of ['', 'e30', Buffer.from('{"v":1,"q":"x","k":[{}]}').toString('base64url'), '!!']) {
      expect(decodeCursor(forged, fingerprint).ok).toBe(false);
    }
    expect(decodeCursor(encodeCursor('other', [1]), fingerprint)).toMatchObject({ ok: false });
  });

  it('cap the page size', () => {
    expect(pageRequest({ limit: 5000 }, fingerprint)).toEqual({
      ok: true,
      page: { after: null, limit: 100 },
    });
    expect(pageRequest({}, fingerprint)).toEqual({ ok: true, page: { after: null, limit: 20 } });
  });
});

describe('negotiate', () => {
  const produced = ['application/json', 'text/csv'] as const;
  it.each([
    [undefined, 'application/json'],
    ['text/csv', 'text/csv'],
    ['text/csv;q=0.5, application/json', 'application/json'],
    ['application/json;q=0.2, text/*', 'text/csv'],
    ['*/*', 'application/json'],
    ['text/html, */*;q=0.8', 'application/json'],
    ['application/xml', null],
    ['text/csv;q=0', null],
  ])('%s → %s', (accept, expected) => {
    expect(negotiate(accept, produced)).toBe(expected);
  });
});

describe('CSV fields', () => {
  it('quote separators and quotes, and defuse formulas', () => {
    expect(csvField(12)).toBe('12');
    expect(csvField(null)).toBe('');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('-3')).toBe("'-3");
    expect(csvField(-3)).toBe('-3');
  });
});

describe('owner proof and masks', () => {
  const camille = BOOKINGS[0]!;
  it('matches e-mail and plate however they were typed, all given proofs at once', () => {
    expect(compactPlate(' ab-123 cd ')).toBe('AB123CD');
    expect(ownsBooking(camille, { email: ' CAMILLE.martin@example.fr ' })).toBe(true);
    expect(ownsBooking(camille, { plate: 'ab123cd' })).toBe(true);
    expect(ownsBooking(camille, { email: 'camille.martin@example.fr', plate: 'XX-999-XX' })).toBe(false);
    expect(ownsBooking(camille, {})).toBe(false);
    const erased = { ...camille, customer: { ...camille.customer, email: null } };
    expect(ownsBooking(erased, { email: 'camille.martin@example.fr' })).toBe(false);
  });

  it('mask contact data', () => {
    expect(maskEmail('camille.martin@example.fr')).toBe('c***@example.fr');
    expect(maskEmail(null)).toBeNull();
    expect(maskPhone('+33612345678')).toBe('+336******78');
    expect(maskPhone('12345')).toBe('*****');
  });
});
