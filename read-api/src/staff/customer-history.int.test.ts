import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultFakeData, fakePorts } from '../testing/fake-ports.js';
import { BOOKINGS, CAMILLE_BOOKING_ID, CENTRES, VILLEURBANNE } from '../testing/fixtures.js';
import { bearer, buildTestApp, json } from '../testing/test-app.js';

const CAMILLE = '5d6e7f80-91a2-4b3c-8d4e-5f60718293a4';
const JULIEN = 'a2b3c4d5-e6f7-4a8b-9c0d-1e2f3a4b5c6d';
const OLDER_ID = '11111111-2222-4333-8444-555555555555';
const VILLEURBANNE_ID = '66666666-7777-4888-8999-aaaaaaaaaaaa';

const camille = BOOKINGS[0];
const villeurbanne = CENTRES.find((centre) => centre.centreId === VILLEURBANNE);
if (camille === undefined || villeurbanne === undefined) throw new Error('fixtures changed');

// Camille: the default booking (14 March, Gerland), an older one at Gerland, one at Villeurbanne.
const bookings = [
  ...BOOKINGS,
  {
    ...camille,
    bookingId: OLDER_ID,
    reference: 'AB2C-3D4E',
    start: '2024-03-12T10:00',
    status: 'completed' as const,
    result: 'A' as const,
  },
  {
    ...camille,
    bookingId: VILLEURBANNE_ID,
    reference: 'ZZ9Y-8X7W',
    start: '2025-04-02T08:30',
    centre: { ...camille.centre, centreId: VILLEURBANNE, name: villeurbanne.name },
  },
];

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildTestApp({ ports: fakePorts({ ...defaultFakeData(), bookings }) });
});
afterAll(async () => {
  await app.close();
});

const get = (url: string, token?: string) =>
  app.inject({ method: 'GET', url, headers: token === undefined ? {} : bearer(token) });
const url = (customerId: string, query = '') => `/api/v1/staff/customers/${customerId}/bookings${query}`;
const ids = (body: Record<string, unknown>) =>
  (body.items as { bookingId: string }[]).map((b) => b.bookingId);

describe('GET /api/v1/staff/customers/{customerId}/bookings', () => {
  it('lists the customer’s bookings, newest appointment first', async () => {
    const response = await get(url(CAMILLE), 'conseiller-a');
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toContain('no-store');
    const body = json(response);
    expect(ids(body)).toEqual([VILLEURBANNE_ID, CAMILLE_BOOKING_ID, OLDER_ID]);
    expect(body.nextCursor).toBeNull();
    expect((body.items as unknown[])[1]).toEqual({
      bookingId: CAMILLE_BOOKING_ID,
      reference: 'K7M4-QX2P',
      status: 'confirmed',
      centreId: camille.centre.centreId,
      start: '2025-03-14T09:30',
      end: '2025-03-14T10:15',
      controlType: 'CTP',
      vehicle: { plate: 'AB-123-CD', category: 'VP' },
      priceCents: 7800,
      channel: 'web',
      result: null,
      placedAt: '2025-03-10T08:00:00.000Z',
    });
  });

  it('pages with a cursor bound to the customer and the caller', async () => {
    const first = json(await get(url(CAMILLE, '?limit=2'), 'conseiller-a'));
    expect(ids(first)).toEqual([VILLEURBANNE_ID, CAMILLE_BOOKING_ID]);
    const cursor = String(first.nextCursor);
    const second = json(
      await get(url(CAMILLE, `?limit=2&cursor=${encodeURIComponent(cursor)}`), 'conseiller-a'),
    );
    expect(ids(second)).toEqual([OLDER_ID]);
    expect(second.nextCursor).toBeNull();
    // Another customer's, or another caller's reach: the cursor does not apply.
    const reused = await get(url(JULIEN, `?cursor=${encodeURIComponent(cursor)}`), 'conseiller-a');
    expect(reused.statusCode).toBe(400);
    expect(json(reused)).toMatchObject({ code: 'INVALID_CURSOR' });
    expect(
      (await get(url(CAMILLE, `?cursor=${encodeURIComponent(cursor)}`), 'responsable-gerland')).statusCode,
    ).toBe(400);
  });

  it('keeps centre staff to the bookings of their centres', async () => {
    expect(ids(json(await get(url(CAMILLE), 'responsable-gerland')))).toEqual([CAMILLE_BOOKING_ID, OLDER_ID]);
    expect(ids(json(await get(url(CAMILLE), 'operateur-villeurbanne')))).toEqual([VILLEURBANNE_ID]);
  });

  it('answers another tenant’s customer as an unknown one (404)', async () => {
    const other = await get(url(JULIEN), 'conseiller-a');
    expect(other.statusCode).toBe(404);
    expect(other.headers['content-type']).toContain('application/problem+json');
    expect(json(await get(url(CAMILLE), 'admin-b'))).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect(ids(json(await get(url(JULIEN), 'admin-b')))).toEqual([expect.any(String)]);
  });

  it('refuses bad input, missing tokens and roles without booking.read', async () => {
    const bad = await get(url('Not%20An%20Id'), 'conseiller-a');
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect((await get(url(CAMILLE, '?limit=0'), 'conseiller-a')).statusCode).toBe(400);
    expect((await get(url(CAMILLE, '?cursor=garbage'), 'conseiller-a')).statusCode).toBe(400);
    expect((await get(url(CAMILLE))).statusCode).toBe(401);
    expect((await get(url(CAMILLE), 'analyst-a')).statusCode).toBe(403);
    expect((await get(url(CAMILLE), 'motorist-a')).statusCode).toBe(403);
  });
});
