import { execFileSync } from 'node:child_process';
import { signManageToken } from '@pti/write-side/domain';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakePorts } from '../testing/fake-ports.js';
import { CAMILLE_BOOKING_ID, CENTRES, JULIEN_BOOKING_ID, NOW } from '../testing/fixtures.js';
import { pdfText } from '../testing/pdf-text.js';
import { buildTestApp, json, MANAGE_SECRET } from '../testing/test-app.js';

let app: FastifyInstance;
const ports = fakePorts();

beforeAll(async () => {
  app = await buildTestApp({ ports });
});
afterAll(async () => {
  await app.close();
});

const get = (url: string) => app.inject({ method: 'GET', url });

function expectProblem(
  response: { statusCode: number; headers: Record<string, unknown>; body: string },
  status: number,
  code: string,
) {
  expect(response.statusCode).toBe(status);
  expect(response.headers['content-type']).toContain('application/problem+json');
  expect(json(response)).toMatchObject({ status, code });
}

/** Every e-mail address and E.164 phone number written in a text. */
const emailsIn = (text: string) => text.match(/[^\s"@]+@[^\s"@]+\.[a-z]+/gi) ?? [];
const phonesIn = (text: string) => text.match(/\+\d{8,15}/g) ?? [];
const CENTRE_PHONES = CENTRES.map((centre) => centre.phone);

describe('GET /api/v1/bookings/{reference}', () => {
  it('answers the owner’s booking with e-mail as proof, its contact masked', async () => {
    const response = await get('/api/v1/bookings/K7M4-QX2P?email=Camille.Martin@Example.fr');
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('private, no-store');
    expect(json(response)).toMatchObject({
      bookingId: CAMILLE_BOOKING_ID,
      reference: 'K7M4-QX2P',
      status: 'confirmed',
      start: '2025-03-14T09:30',
      end: '2025-03-14T10:15',
      startsAt: '2025-03-14T08:30:00.000Z',
      vehicle: { plate: 'AB-123-CD', category: 'VP', fuel: 'Diesel' },
      centre: { name: 'Contrôle Technique Lyon Gerland', city: 'Lyon' },
      customer: { name: 'Camille Martin', emailMasked: 'c***@example.fr', phoneMasked: '+336******78' },
    });
  });

  it('accepts the plate as proof, in any spacing or case, and the reference as typed', async () => {
    const response = await get('/api/v1/bookings/k7m4%20qx2p?plate=ab%20123%20cd');
    expect(response.statusCode).toBe(200);
    expect(json(response).bookingId).toBe(CAMILLE_BOOKING_ID);
  });

  it('tells colliding references apart by their owner', async () => {
    const julien = json(await get('/api/v1/bookings/K7M4-QX2P?email=julien.moreau@example.fr'));
    expect(julien.bookingId).toBe(JULIEN_BOOKING_ID);
    const camille = json(await get('/api/v1/bookings/K7M4-QX2P?plate=AB-123-CD'));
    expect(camille.bookingId).toBe(CAMILLE_BOOKING_ID);
  });

  it('answers a wrong proof exactly as an unknown reference', async () => {
    const wrong = await get('/api/v1/bookings/K7M4-QX2P?email=someone@example.fr');
    const unknown = await get('/api/v1/bookings/ZZZZ-ZZZZ?email=camille.martin@example.fr');
    expectProblem(wrong, 404, 'BOOKING_NOT_FOUND');
    expect(unknown.body).toBe(wrong.body);
    // Both proofs must hold when both are given.
    expectProblem(
      await get('/api/v1/bookings/K7M4-QX2P?email=camille.martin@example.fr&plate=EF-456-GH'),
      404,
      'BOOKING_NOT_FOUND',
    );
  });

  it.each([
    ['no proof', '/api/v1/bookings/K7M4-QX2P', '/querystring'],
    ['a malformed reference', '/api/v1/bookings/K7M4-QX2O?email=a@b.fr', '/params/reference'],
    ['a reference too short', '/api/v1/bookings/K7M4?email=a@b.fr', '/params/reference'],
    ['an e-mail too long', `/api/v1/bookings/K7M4-QX2P?email=${'a'.repeat(300)}@b.fr`, '/querystring/email'],
  ])('answers 400 for %s', async (_case, url, path) => {
    const response = await get(url);
    expectProblem(response, 400, 'INVALID_REQUEST');
    expect((json(response).errors as { path: string }[])[0]?.path).toBe(path);
  });

  it('leaks no other customer’s personal data, and the owner’s own only masked', async () => {
    for (const url of [
      '/api/v1/bookings/K7M4-QX2P?email=camille.martin@example.fr',
      '/api/v1/bookings/K7M4-QX2P?plate=EF-456-GH',
      '/api/v1/bookings/K7M4-QX2P?email=nobody@example.fr',
    ]) {
      const body = (await get(url)).body;
      expect(body).not.toContain('julien.moreau@example.fr');
      expect(body).not.toContain('camille.martin@example.fr');
      // The centre's phone is public; no customer's may appear.
      expect(phonesIn(body).filter((phone) => !CENTRE_PHONES.includes(phone))).toEqual([]);
      expect(emailsIn(body).every((email) => email.includes('***'))).toBe(true);
    }
    const julien = (await get('/api/v1/bookings/K7M4-QX2P?plate=EF-456-GH')).body;
    expect(julien).not.toContain('Camille');
    expect(julien).not.toContain('AB-123-CD');
  });
});

describe('GET /api/v1/bookings/by-manage-token', () => {
  const token = (bookingId: string, expiresAt = new Date('2025-04-14T00:00:00Z'), secret = MANAGE_SECRET) =>
    signManageToken({ bookingId, expiresAt }, secret);

  it('answers the booking of a valid link', async () => {
    const response = await get(`/api/v1/bookings/by-manage-token?token=${token(CAMILLE_BOOKING_ID)}`);
    expect(response.statusCode).toBe(200);
    expect(json(response)).toMatchObject({
      bookingId: CAMILLE_BOOKING_ID,
      customer: { emailMasked: 'c***@example.fr' },
    });
  });

  it('refuses a forged token before reading anything', async () => {
    const before = ports.calls.length;
    const forged = token(CAMILLE_BOOKING_ID, undefined, 'another-secret-that-is-long-enough-32b');
    expectProblem(await get(`/api/v1/bookings/by-manage-token?token=${forged}`), 404, 'BOOKING_NOT_FOUND');
    expect(ports.calls.slice(before)).toEqual([]);
  });

  it('says when a genuine link has expired', async () => {
    const expired = token(CAMILLE_BOOKING_ID, new Date(NOW.getTime() - 1000));
    expectProblem(await get(`/api/v1/bookings/by-manage-token?token=${expired}`), 410, 'MANAGE_LINK_EXPIRED');
  });

  it('answers 404 for a link to a booking no longer known, 400 for a malformed token', async () => {
    expectProblem(
      await get(`/api/v1/bookings/by-manage-token?token=${token('0f0e0d0c-0b0a-4909-8807-060504030201')}`),
      404,
      'BOOKING_NOT_FOUND',
    );
    expectProblem(
      await get('/api/v1/bookings/by-manage-token?token=not%20a%20token'),
      400,
      'INVALID_REQUEST',
    );
    expectProblem(await get('/api/v1/bookings/by-manage-token'), 400, 'INVALID_REQUEST');
  });
});

describe('GET /api/v1/bookings/{reference}/calendar.ics', () => {
  it('answers the owner’s calendar file', async () => {
    const response = await get('/api/v1/bookings/K7M4-QX2P/calendar.ics?email=camille.martin@example.fr');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/calendar; charset=utf-8; method=PUBLISH');
    expect(response.headers['content-disposition']).toBe('attachment; filename="rendez-vous-K7M4-QX2P.ics"');
    expect(response.headers['cache-control']).toBe('private, no-store');
    expect(response.body.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
    expect(response.body).toContain(`UID:${CAMILLE_BOOKING_ID}@pti-calendar.fr\r\n`);
    // The UID and the centre's address only: the file carries no customer e-mail (no ATTENDEE).
    const unfolded = response.body.replace(/\r\n /g, '');
    expect(new Set(unfolded.match(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g))).toEqual(
      new Set([`${CAMILLE_BOOKING_ID}@pti-calendar.fr`, 'lyon-gerland@pti-controle.fr']),
    );
  });

  it('answers a cancelled booking as METHOD:CANCEL with a raised SEQUENCE', async () => {
    const response = await get('/api/v1/bookings/T9RV-8KDM/calendar.ics?plate=123%20abc%2069');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('method=CANCEL');
    expect(response.body).toContain('\r\nSEQUENCE:2\r\n');
    expect(response.body).toContain('\r\nSTATUS:CANCELLED\r\n');
  });

  it('checks the owner', async () => {
    expectProblem(
      await get('/api/v1/bookings/K7M4-QX2P/calendar.ics?email=x@y.fr'),
      404,
      'BOOKING_NOT_FOUND',
    );
    expectProblem(await get('/api/v1/bookings/K7M4-QX2P/calendar.ics'), 400, 'INVALID_REQUEST');
  });
});

describe('GET /api/v1/bookings/{reference}/confirmation.pdf', () => {
  it('answers a one-page French PDF with the reference', async () => {
    const response = await get('/api/v1/bookings/K7M4-QX2P/confirmation.pdf?plate=AB123CD');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/pdf');
    expect(response.headers['content-disposition']).toBe('inline; filename="confirmation-K7M4-QX2P.pdf"');
    const pdf = response.rawPayload;
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.toString('latin1').trimEnd().endsWith('%%EOF')).toBe(true);
    const text = pdfText(pdf);
    for (const expected of [
      'Confirmation de rendez-vous',
      'K7M4-QX2P',
      'vendredi 14 mars 2025',
      '9 h 30 – 10 h 15 (45 min)',
      'Contrôle Technique Lyon Gerland',
      '42 avenue Jean Jaurès',
      '69007 Lyon',
      'Contrôle technique périodique (CTP)',
      'AB-123-CD — Voiture particulière, Diesel',
      '78,00\u00a0€ — payé en ligne',
      'carte grise',
      'https://rdv.pti-controle.fr/rendez-vous/gerer?reference=K7M4-QX2P',
    ]) {
      expect(text, expected).toContain(expected);
    }
    expect(text).not.toContain('camille.martin@example.fr');
  });

  it('reads well to a real PDF reader when poppler is installed', (context) => {
    let available = true;
    try {
      execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
    } catch {
      available = false;
    }
    if (!available) {
      context.skip('pdftotext (poppler-utils) is not installed');
      return;
    }
    return get('/api/v1/bookings/K7M4-QX2P/confirmation.pdf?plate=AB123CD').then((response) => {
      const text = execFileSync('pdftotext', ['-', '-'], { input: response.rawPayload }).toString('utf8');
      expect(text).toContain('Confirmation de rendez-vous');
      expect(text).toContain('K7M4-QX2P');
      expect(text).toContain('À apporter');
      const info = execFileSync('pdfinfo', ['-'], { input: response.rawPayload }).toString('utf8');
      expect(info).toMatch(/Pages:\s+1\b/);
    });
  });

  it('checks the owner', async () => {
    expectProblem(
      await get('/api/v1/bookings/K7M4-QX2P/confirmation.pdf?plate=ZZ-999-ZZ'),
      404,
      'BOOKING_NOT_FOUND',
    );
  });
});
