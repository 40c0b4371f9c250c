import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakePorts } from '../testing/fake-ports.js';
import { GERLAND, PARIS_15, VILLEURBANNE } from '../testing/fixtures.js';
import { buildTestApp, json } from '../testing/test-app.js';

let app: FastifyInstance;
const ports = fakePorts();

beforeAll(async () => {
  app = await buildTestApp({ ports });
});
afterAll(async () => {
  await app.close();
});

const get = (url: string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'GET', url, headers });

function expectProblem(
  response: { statusCode: number; headers: Record<string, unknown>; body: string },
  status: number,
  code: string,
) {
  expect(response.statusCode).toBe(status);
  expect(response.headers['content-type']).toContain('application/problem+json');
  expect(json(response)).toMatchObject({ type: 'about:blank', status, code, title: expect.any(String) });
}

describe('GET /api/v1/centres', () => {
  it('finds the centres around a position, nearest first, each with price and first free slot', async () => {
    const response = await get('/api/v1/centres?lat=45.75&lon=4.85&radiusKm=30');
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('public, max-age=10');
    const body = json(response);
    expect(body.profile).toEqual({ category: 'VP', fuel: null, controlType: 'CTP' });
    const items = body.items as { centre: { centreId: string }; distanceKm: number; priceCents: number }[];
    expect(items.map((item) => item.centre.centreId)).toEqual([GERLAND, VILLEURBANNE]);
    expect(items[0]?.distanceKm).toBeLessThan(items[1]?.distanceKm ?? 0);
    expect(items[0]).toMatchObject({
      priceCents: 7800,
      firstFreeSlot: { date: '2025-03-11', start: '14:00', startsAt: '2025-03-11T13:00:00.000Z' },
    });
    expect(body.nextCursor).toBeNull();
    // Public data only: no tenant, no internal code.
    expect(response.body).not.toContain('tenant');
    expect(response.body).not.toContain('aaaaaaaa');
  });

  it('searches by postcode and by town', async () => {
    const byPostcode = json(await get('/api/v1/centres?postcode=75015'));
    expect((byPostcode.items as { centre: { centreId: string } }[]).map((i) => i.centre.centreId)).toEqual([
      PARIS_15,
    ]);
    const byTown = json(await get('/api/v1/centres?town=%20Villeurbanne%20&radiusKm=5'));
    expect((byTown.items as { centre: { centreId: string } }[])[0]?.centre.centreId).toBe(VILLEURBANNE);
  });

  it('filters by vehicle profile: gas needs an equipped centre, and the price follows the fuel', async () => {
    const body = json(await get('/api/v1/centres?lat=45.75&lon=4.85&radiusKm=30&fuel=Gaz'));
    const items = body.items as { centre: { centreId: string }; priceCents: number }[];
    expect(items.map((item) => item.centre.centreId)).toEqual([GERLAND]);
    expect(items[0]?.priceCents).toBe(9300);
    expect(body.profile).toEqual({ category: 'VP', fuel: 'Gaz', controlType: 'CTP' });
  });

  it('pages with an opaque cursor bound to the query', async () => {
    const first = json(await get('/api/v1/centres?lat=45.75&lon=4.85&radiusKm=30&limit=1'));
    expect((first.items as unknown[]).length).toBe(1);
    const cursor = first.nextCursor as string;
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    const second = json(await get(`/api/v1/centres?lat=45.75&lon=4.85&radiusKm=30&limit=1&cursor=${cursor}`));
    expect((second.items as { centre: { centreId: string } }[])[0]?.centre.centreId).toBe(VILLEURBANNE);
    expect(second.nextCursor).toBeNull();
    // The same cursor with other filters is refused, not silently misapplied.
    expectProblem(
      await get(`/api/v1/centres?lat=45.75&lon=4.85&radiusKm=31&limit=1&cursor=${cursor}`),
      400,
      'INVALID_CURSOR',
    );
    expectProblem(
      await get('/api/v1/centres?lat=45.75&lon=4.85&cursor=bm90LWEtY3Vyc29y'),
      400,
      'INVALID_CURSOR',
    );
  });

  it('caps the page size instead of failing', async () => {
    const response = await get('/api/v1/centres?lat=45.75&lon=4.85&radiusKm=30&limit=100000');
    expect(response.statusCode).toBe(200);
  });

  it.each([
    ['no location', '/api/v1/centres', '/querystring'],
    ['two locations', '/api/v1/centres?postcode=69007&town=Lyon', '/querystring'],
    ['lat without lon', '/api/v1/centres?lat=45.7', '/querystring/lon'],
    ['a latitude out of range', '/api/v1/centres?lat=91&lon=4', '/querystring/lat'],
    ['a malformed postcode', '/api/v1/centres?postcode=6900', '/querystring/postcode'],
    ['an unknown category', '/api/v1/centres?postcode=69007&category=Tank', '/querystring/category'],
    ['a radius too wide', '/api/v1/centres?postcode=69007&radiusKm=5000', '/querystring/radiusKm'],
    ['a limit of zero', '/api/v1/centres?postcode=69007&limit=0', '/querystring/limit'],
    ['text for a number', '/api/v1/centres?lat=north&lon=4', '/querystring/lat'],
    ['a blank town', '/api/v1/centres?town=%20%20', '/querystring/town'],
  ])('answers 400 with the offending path for %s', async (_case, url, path) => {
    const response = await get(url);
    expectProblem(response, 400, 'INVALID_REQUEST');
    expect((json(response).errors as { path: string }[])[0]?.path).toBe(path);
  });
});

describe('GET /api/v1/centres/{centreId}', () => {
  it('answers the centre card without its tenant', async () => {
    const response = await get(`/api/v1/centres/${GERLAND}`);
    expect(response.statusCode).toBe(200);
    const body = json(response);
    expect(body).toMatchObject({ centreId: GERLAND, city: 'Lyon', currency: 'EUR', active: true });
    expect((body.openingHours as Record<string, unknown[]>).monday).toHaveLength(2);
    expect(body).not.toHaveProperty('tenantId');
    expect(body).not.toHaveProperty('code');
  });

  it('answers 404 for an unknown centre and 400 for a malformed id', async () => {
    expectProblem(await get('/api/v1/centres/nowhere'), 404, 'NOT_FOUND');
    expectProblem(await get('/api/v1/centres/Not_An_Id'), 400, 'INVALID_REQUEST');
  });
});

describe('GET /api/v1/centres/{centreId}/availability', () => {
  it('answers every day of the range with its free starts, the duration and the price', async () => {
    const response = await get(
      `/api/v1/centres/${GERLAND}/availability?from=2025-03-11&to=2025-03-13&category=VP&fuel=Diesel&controlType=CTP`,
    );
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('public, max-age=5');
    expect(json(response)).toEqual({
      centreId: GERLAND,
      from: '2025-03-11',
      to: '2025-03-13',
      profile: { category: 'VP', fuel: 'Diesel', controlType: 'CTP' },
      timeZone: 'Europe/Paris',
      durationMinutes: 45,
      priceCents: 7800,
      days: [
        { date: '2025-03-11', starts: ['14:00', '14:45'] },
        { date: '2025-03-12', starts: ['08:00', '08:45', '09:30'] },
        { date: '2025-03-13', starts: [] },
      ],
    });
  });

  it('passes the vehicle profile and "now" to the port', async () => {
    const response = await get(
      `/api/v1/centres/${GERLAND}/availability?from=2025-03-11&to=2025-03-11&category=Moto`,
    );
    expect(json(response)).toMatchObject({ durationMinutes: 35, priceCents: 7500 });
  });

  it.each([
    ['to before from', 'from=2025-03-12&to=2025-03-11', '/querystring/to'],
    ['a range over 31 days', 'from=2025-03-01&to=2025-04-15', '/querystring/to'],
    ['a date that does not exist', 'from=2025-02-30&to=2025-03-02', '/querystring/from'],
    ['a missing bound', 'from=2025-03-11', '/querystring/to'],
    ['a malformed date', 'from=11/03/2025&to=2025-03-12', '/querystring/from'],
    ['an unknown fuel', 'from=2025-03-11&to=2025-03-12&fuel=Coal', '/querystring/fuel'],
  ])('answers 400 for %s', async (_case, query, path) => {
    const response = await get(`/api/v1/centres/${GERLAND}/availability?${query}`);
    expectProblem(response, 400, 'INVALID_REQUEST');
    expect((json(response).errors as { path: string }[])[0]?.path).toBe(path);
  });

  it('answers 404 for an unknown centre', async () => {
    expectProblem(
      await get('/api/v1/centres/nowhere/availability?from=2025-03-11&to=2025-03-12'),
      404,
      'NOT_FOUND',
    );
  });

  it('gives an ETag and answers 304 without a body when the client holds that answer', async () => {
    const url = `/api/v1/centres/${VILLEURBANNE}/availability?from=2025-03-11&to=2025-03-12`;
    const first = await get(url);
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const again = await get(url, { 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers.etag).toBe(etag);
    expect(again.headers['cache-control']).toBe('public, max-age=5');
    const other = await get(url, { 'if-none-match': '"something-else"' });
    expect(other.statusCode).toBe(200);
    expect(other.body).toBe(first.body);
  });
});

describe('availability answers kept in process', () => {
  const url = `/api/v1/centres/${GERLAND}/availability?from=2025-03-11&to=2025-03-12&fuel=Diesel`;
  const readsOf = (calls: readonly string[]) => calls.filter((call) => call === 'centreAvailability').length;

  it('reads the read model once per key within the time to live, and again after it', async () => {
    const counted = fakePorts();
    const cached = await buildTestApp({ ports: counted, availabilityCacheMs: 500 });
    try {
      const bodies = await Promise.all(
        [1, 2, 3].map(async () => (await cached.inject({ method: 'GET', url })).body),
      );
      expect(new Set(bodies).size).toBe(1);
      expect(readsOf(counted.calls)).toBe(1);
      // Another profile is another answer.
      await cached.inject({ method: 'GET', url: url.replace('Diesel', 'Essence') });
      expect(readsOf(counted.calls)).toBe(2);
      await new Promise((resolve) => setTimeout(resolve, 550));
      expect((await cached.inject({ method: 'GET', url })).body).toBe(bodies[0]);
      expect(readsOf(counted.calls)).toBe(3);
      // Invalid input is checked before anything is kept, and never served from the cache.
      const bad = await cached.inject({ method: 'GET', url: url.replace('2025-03-12', '2025-02-30') });
      expect(bad.statusCode).toBe(400);
    } finally {
      await cached.close();
    }
  });

  it('reads every time with a zero time to live', async () => {
    const counted = fakePorts();
    const uncached = await buildTestApp({ ports: counted, availabilityCacheMs: 0 });
    try {
      await uncached.inject({ method: 'GET', url });
      await uncached.inject({ method: 'GET', url });
      expect(readsOf(counted.calls)).toBe(2);
    } finally {
      await uncached.close();
    }
  });
});

describe('GET /api/v1/first-free-slots', () => {
  it('lists the first free slot of each centre near the point, earliest first', async () => {
    const response = await get('/api/v1/first-free-slots?lat=45.75&lon=4.85&radiusKm=50');
    expect(response.statusCode).toBe(200);
    const items = json(response).items as {
      centre: { centreId: string };
      slot: { date: string; start: string };
    }[];
    expect(items.map((item) => [item.centre.centreId, item.slot.date, item.slot.start])).toEqual([
      [VILLEURBANNE, '2025-03-10', '16:30'],
      [GERLAND, '2025-03-11', '14:00'],
    ]);
  });

  it('starts from the given date and pages', async () => {
    const body = json(
      await get('/api/v1/first-free-slots?lat=45.75&lon=4.85&radiusKm=50&from=2025-03-11&limit=5'),
    );
    expect((body.items as { centre: { centreId: string } }[]).map((item) => item.centre.centreId)).toEqual([
      GERLAND,
    ]);
  });

  it.each([
    ['no position', '/api/v1/first-free-slots', '/querystring/lat'],
    ['an impossible date', '/api/v1/first-free-slots?lat=45&lon=4&from=2025-04-31', '/querystring/from'],
    ['a longitude out of range', '/api/v1/first-free-slots?lat=45&lon=181', '/querystring/lon'],
  ])('answers 400 for %s', async (_case, url, path) => {
    const response = await get(url);
    expectProblem(response, 400, 'INVALID_REQUEST');
    expect((json(response).errors as { path: string }[])[0]?.path).toBe(path);
  });
});
