import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultFakeData, fakePorts } from '../testing/fake-ports.js';
import { CAMILLE_BOOKING_ID, JULIEN_BOOKING_ID, LEA_BOOKING_ID } from '../testing/fixtures.js';
import { bearer, buildTestApp, json } from '../testing/test-app.js';

let app: FastifyInstance;
beforeAll(async () => {
  // Subject `pro-a` placed two bookings in tenant A and, as another account, one in tenant B.
  const placedBy = { 'pro-a': [CAMILLE_BOOKING_ID, LEA_BOOKING_ID, JULIEN_BOOKING_ID] };
  app = await buildTestApp({ ports: fakePorts({ ...defaultFakeData(), placedBy }) });
});
afterAll(async () => {
  await app.close();
});

const url = '/api/v1/pro/bookings';
const get = (query: string, token?: string) =>
  app.inject({ method: 'GET', url: `${url}${query}`, headers: token === undefined ? {} : bearer(token) });
const ids = (body: Record<string, unknown>) =>
  (body.items as { bookingId: string }[]).map((b) => b.bookingId);

describe('GET /api/v1/pro/bookings', () => {
  it('lists the bookings the fleet manager placed, newest appointment first, page by page', async () => {
    const response = await get('', 'pro-a');
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toContain('no-store');
    const body = json(response);
    expect(ids(body)).toEqual([LEA_BOOKING_ID, CAMILLE_BOOKING_ID]);
    expect((body.items as unknown[])[0]).toMatchObject({
      reference: 'T9RV-8KDM',
      status: 'cancelled',
      start: '2025-03-31T08:00',
      end: '2025-03-31T09:00',
      vehicle: { plate: '123-ABC-69', category: 'VU' },
    });
    const first = json(await get('?limit=1', 'pro-a'));
    expect(ids(first)).toEqual([LEA_BOOKING_ID]);
    const second = json(
      await get(`?limit=1&cursor=${encodeURIComponent(String(first.nextCursor))}`, 'pro-a'),
    );
    expect(ids(second)).toEqual([CAMILLE_BOOKING_ID]);
    expect(second.nextCursor).toBeNull();
  });

  it('keeps to the caller’s tenant and never serves another caller’s cursor', async () => {
    expect(ids(json(await get('', 'pro-a-tenant-b')))).toEqual([JULIEN_BOOKING_ID]);
    const first = json(await get('?limit=1', 'pro-a'));
    const reused = await get(`?cursor=${encodeURIComponent(String(first.nextCursor))}`, 'pro-a-tenant-b');
    expect(reused.statusCode).toBe(400);
    expect(json(reused)).toMatchObject({ code: 'INVALID_CURSOR' });
  });

  it('refuses bad input, anonymous callers and every role but client_pro', async () => {
    const bad = await get('?limit=0', 'pro-a');
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect((await get('?cursor=garbage', 'pro-a')).statusCode).toBe(400);
    expect((await get('?limit=ten', 'pro-a')).statusCode).toBe(400);
    expect((await get('')).statusCode).toBe(401);
    for (const token of ['motorist-a', 'conseiller-a', 'admin-a']) {
      expect((await get('', token)).statusCode, token).toBe(403);
    }
  });
});
