import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakePorts } from '../testing/fake-ports.js';
import {
  CAMILLE_BOOKING_ID,
  GERLAND,
  JULIEN_BOOKING_ID,
  PARIS_15,
  VILLEURBANNE,
} from '../testing/fixtures.js';
import { bearer, buildTestApp, json } from '../testing/test-app.js';

let app: FastifyInstance;
const ports = fakePorts();

beforeAll(async () => {
  app = await buildTestApp({ ports });
});
afterAll(async () => {
  await app.close();
});

const get = (url: string, token?: string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'GET', url, headers: { ...(token === undefined ? {} : bearer(token)), ...headers } });

function expectProblem(
  response: { statusCode: number; headers: Record<string, unknown>; body: string },
  status: number,
  code: string,
) {
  expect(response.statusCode).toBe(status);
  expect(response.headers['content-type']).toContain('application/problem+json');
  expect(json(response)).toMatchObject({ status, code });
}

describe('GET /api/v1/staff/centres/{centreId}/agenda/{date}', () => {
  const url = `/api/v1/staff/centres/${GERLAND}/agenda/2025-03-14`;

  it('answers the day per inspector, overbooked reservations apart, blocks where they belong', async () => {
    const response = await get(url, 'controleur-gerland');
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('private, no-store');
    const body = json(response) as {
      centre: unknown;
      inspectors: {
        inspectorId: string;
        entries: { bookingId: string; start: string }[];
        blocks: unknown[];
      }[];
      unassigned: { bookingId: string; overbooked: boolean }[];
      centreBlocks: { label: string }[];
    };
    expect(body.centre).toEqual({ centreId: GERLAND, name: 'Contrôle Technique Lyon Gerland' });
    expect(body.inspectors.map((i) => [i.inspectorId, i.entries.map((e) => e.bookingId)])).toEqual([
      ['karim', [CAMILLE_BOOKING_ID]],
      ['sophie', ['b2']],
    ]);
    expect(body.inspectors[1]?.blocks).toEqual([
      { blockId: 'block-training', from: '08:00', to: '09:00', label: 'Formation' },
    ]);
    expect(body.unassigned).toMatchObject([{ bookingId: 'b3', overbooked: true }]);
    expect(body.centreBlocks.map((b) => b.label)).toEqual(['Étalonnage de l’opacimètre']);
  });

  it('narrows to one inspector', async () => {
    const body = json(await get(`${url}?inspectorId=sophie`, 'responsable-gerland'));
    expect((body.inspectors as { inspectorId: string }[]).map((i) => i.inspectorId)).toEqual(['sophie']);
    expect(body.unassigned).toEqual([]);
  });

  it('answers 401 without a token, with an expired one, and with a forged one', async () => {
    expectProblem(await get(url), 401, 'TOKEN_MISSING');
    expectProblem(await get(url, 'expired'), 401, 'TOKEN_EXPIRED');
    const forged = await get(url, 'forged');
    expectProblem(forged, 401, 'TOKEN_INVALID');
    expect(forged.headers['www-authenticate']).toContain('invalid_token');
  });

  it('answers 403 to roles without agenda.read', async () => {
    expectProblem(await get(url, 'conseiller-a'), 403, 'FORBIDDEN');
    expectProblem(await get(url, 'motorist-a'), 403, 'FORBIDDEN');
  });

  it('keeps centre staff to their centre (403) and other tenants out (404, as an unknown centre)', async () => {
    expectProblem(
      await get(`/api/v1/staff/centres/${VILLEURBANNE}/agenda/2025-03-14`, 'controleur-gerland'),
      403,
      'OUT_OF_SCOPE',
    );
    const otherTenant = await get(`/api/v1/staff/centres/${PARIS_15}/agenda/2025-03-14`, 'admin-a');
    const unknown = await get('/api/v1/staff/centres/nowhere/agenda/2025-03-14', 'admin-a');
    expectProblem(otherTenant, 404, 'NOT_FOUND');
    expectProblem(unknown, 404, 'NOT_FOUND');
    expect(json(otherTenant).detail).toBe(json(unknown).detail);
    expect(otherTenant.body).not.toContain('Paris');
  });

  it('lets a network admin read any centre of the tenant', async () => {
    expect((await get(`/api/v1/staff/centres/${VILLEURBANNE}/agenda/2025-03-14`, 'admin-a')).statusCode).toBe(
      200,
    );
  });

  it.each([
    ['an impossible date', `/api/v1/staff/centres/${GERLAND}/agenda/2025-02-29`, '/params/date'],
    ['a malformed date', `/api/v1/staff/centres/${GERLAND}/agenda/14-03-2025`, '/params/date'],
    [
      'a malformed inspector',
      `/api/v1/staff/centres/${GERLAND}/agenda/2025-03-14?inspectorId=Karim!`,
      '/querystring/inspectorId',
    ],
  ])('answers 400 for %s', async (_case, bad, path) => {
    const response = await get(bad, 'controleur-gerland');
    expectProblem(response, 400, 'INVALID_REQUEST');
    expect((json(response).errors as { path: string }[])[0]?.path).toBe(path);
  });
});

describe('GET /api/v1/staff/customers', () => {
  const names = (response: { body: string }) =>
    (json(response).items as { name: string }[]).map((item) => item.name);

  it('finds customers by phone in any format, plate, name, e-mail or reference', async () => {
    expect(names(await get('/api/v1/staff/customers?phone=06%2012%2034%2056%2078', 'conseiller-a'))).toEqual([
      'Camille Martin',
    ]);
    expect(names(await get('/api/v1/staff/customers?plate=ab123', 'conseiller-a'))).toEqual([
      'Camille Martin',
    ]);
    expect(names(await get('/api/v1/staff/customers?name=camille', 'conseiller-a'))).toEqual([
      'Camille Martin',
      'Camille Martinez',
    ]);
    expect(
      names(await get('/api/v1/staff/customers?email=Camille.Martin@example.fr', 'conseiller-a')),
    ).toEqual(['Camille Martin']);
    expect(names(await get('/api/v1/staff/customers?reference=k7m4qx2p', 'conseiller-a'))).toEqual([
      'Camille Martin',
    ]);
  });

  it('returns personal data to staff, never another tenant’s customers', async () => {
    const response = await get('/api/v1/staff/customers?name=a', 'conseiller-a');
    expectProblem(response, 400, 'INVALID_REQUEST');
    const body = (await get('/api/v1/staff/customers?name=ju', 'conseiller-a')).body;
    expect(json({ body }).items).toEqual([]);
    expect(body).not.toContain('julien');
    const tenantB = json(await get('/api/v1/staff/customers?name=ju', 'admin-b'));
    expect((tenantB.items as { email: string }[])[0]?.email).toBe('julien.moreau@example.fr');
  });

  it('keeps centre staff to the customers of their centres', async () => {
    expect(names(await get('/api/v1/staff/customers?name=camille', 'operateur-villeurbanne'))).toEqual([
      'Camille Martinez',
    ]);
  });

  it('pages with a cursor that only works for the same criteria and caller', async () => {
    const first = json(await get('/api/v1/staff/customers?name=camille&limit=1', 'conseiller-a'));
    expect((first.items as unknown[]).length).toBe(1);
    const cursor = first.nextCursor as string;
    const second = json(
      await get(`/api/v1/staff/customers?name=camille&limit=1&cursor=${cursor}`, 'conseiller-a'),
    );
    expect((second.items as { name: string }[]).map((i) => i.name)).toEqual(['Camille Martinez']);
    // A caller of another reach (one centre) cannot reuse it.
    expectProblem(
      await get(`/api/v1/staff/customers?name=camille&limit=1&cursor=${cursor}`, 'operateur-villeurbanne'),
      400,
      'INVALID_CURSOR',
    );
  });

  it.each([
    ['no criterion', '', '/querystring'],
    ['a phone without digits', '?phone=abcd', '/querystring/phone'],
    ['a one-letter plate', '?plate=--A--', '/querystring/plate'],
    ['an unknown parameter only', '?city=Lyon', '/querystring'],
  ])('answers 400 for %s', async (_case, query, path) => {
    const response = await get(`/api/v1/staff/customers${query}`, 'conseiller-a');
    expectProblem(response, 400, 'INVALID_REQUEST');
    expect((json(response).errors as { path: string }[])[0]?.path).toBe(path);
  });

  it('answers 403 to roles without customer.search', async () => {
    expectProblem(await get('/api/v1/staff/customers?name=camille', 'controleur-gerland'), 403, 'FORBIDDEN');
    expectProblem(await get('/api/v1/staff/customers?name=camille', 'analyst-a'), 403, 'FORBIDDEN');
  });
});

describe('GET /api/v1/staff/bookings/{bookingId}', () => {
  it('answers the booking in full with its history', async () => {
    const response = await get(`/api/v1/staff/bookings/${CAMILLE_BOOKING_ID}`, 'conseiller-a');
    expect(response.statusCode).toBe(200);
    const body = json(response) as {
      booking: Record<string, unknown>;
      history: { revision: number; type: string; actor: { role: string } }[];
    };
    expect(body.booking).toMatchObject({
      bookingId: CAMILLE_BOOKING_ID,
      customer: { email: 'camille.martin@example.fr', phone: '+33612345678' },
      end: '2025-03-14T10:15',
      channel: 'web',
    });
    expect(body.booking).not.toHaveProperty('tenantId');
    expect(body.history.map((entry) => entry.type)).toEqual([
      'BookingPlaced',
      'PaymentRequested',
      'PaymentSucceeded',
      'BookingConfirmed',
      'BookingCheckedIn',
      'BookingCompleted',
    ]);
    expect(body.history.map((entry) => entry.revision)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('answers another tenant’s booking as an unknown one, and keeps centre staff to their centre', async () => {
    expectProblem(await get(`/api/v1/staff/bookings/${JULIEN_BOOKING_ID}`, 'admin-a'), 404, 'NOT_FOUND');
    expectProblem(
      await get('/api/v1/staff/bookings/0f0e0d0c-0b0a-4909-8807-060504030201', 'admin-a'),
      404,
      'NOT_FOUND',
    );
    expectProblem(
      await get(`/api/v1/staff/bookings/${CAMILLE_BOOKING_ID}`, 'operateur-villeurbanne'),
      404,
      'NOT_FOUND',
    );
    expect((await get(`/api/v1/staff/bookings/${JULIEN_BOOKING_ID}`, 'admin-b')).statusCode).toBe(200);
  });

  it('answers 400 for a malformed id and 403 to roles without booking.read', async () => {
    expectProblem(await get('/api/v1/staff/bookings/NOT-AN-ID', 'admin-a'), 400, 'INVALID_REQUEST');
    expectProblem(await get(`/api/v1/staff/bookings/${CAMILLE_BOOKING_ID}`, 'analyst-a'), 403, 'FORBIDDEN');
  });
});

describe('GET /api/v1/staff/centres/{centreId}/reporting', () => {
  const url = `/api/v1/staff/centres/${GERLAND}/reporting?from=2025-03-03&to=2025-03-05`;

  it('answers every day of the period and the totals, rates from summed counts', async () => {
    const response = await get(url, 'analyst-a');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('application/json');
    const body = json(response) as {
      days: { date: string; bookings: number; fillRate: number | null }[];
      totals: Record<string, unknown>;
    };
    expect(body.days.map((d) => [d.date, d.bookings, d.fillRate])).toEqual([
      ['2025-03-03', 20, 0.8125],
      ['2025-03-04', 0, null],
      ['2025-03-05', 10, 0.8125],
    ]);
    expect(body.totals).toMatchObject({
      bookings: 30,
      cancellations: 2,
      noShows: 3,
      completed: 25,
      revenueCents: 260_000,
      fillRate: 0.8125,
      noShowRate: 0.1071,
      // (2 × 86,400 min) / 30 bookings = 5,760 min.
      averageLeadTimeHours: 96,
      channels: { web: 24, mobile: 8, call_centre: 6, backoffice: 2 },
    });
  });

  it('answers CSV for Accept: text/csv and for format=csv', async () => {
    for (const response of [
      await get(url, 'responsable-gerland', { accept: 'text/csv' }),
      await get(`${url}&format=csv`, 'responsable-gerland', { accept: 'application/json' }),
    ]) {
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(response.headers['content-disposition']).toBe(
        `attachment; filename="reporting-${GERLAND}-2025-03-03-2025-03-05.csv"`,
      );
      const lines = response.body.split('\r\n');
      expect(lines[0]).toMatch(/^date,bookings,cancellations,no_shows,/);
      expect(lines[1]).toMatch(/^2025-03-03,20,2,1,17,12,4,1,130000,780,960,0.8125,/);
      expect(lines[2]).toBe('2025-03-04,0,0,0,0,0,0,0,0,0,0,,,,0,0,0,0');
      expect(lines[4]).toMatch(/^total,30,/);
      expect(lines[5]).toBe('');
    }
  });

  it('answers 406 when neither JSON nor CSV is acceptable', async () => {
    expectProblem(await get(url, 'analyst-a', { accept: 'application/xml' }), 406, 'NOT_ACCEPTABLE');
  });

  it('applies tenant and centre scope', async () => {
    expectProblem(
      await get(`/api/v1/staff/centres/${PARIS_15}/reporting?from=2025-03-03&to=2025-03-05`, 'analyst-a'),
      404,
      'NOT_FOUND',
    );
    expectProblem(
      await get(
        `/api/v1/staff/centres/${VILLEURBANNE}/reporting?from=2025-03-03&to=2025-03-05`,
        'responsable-gerland',
      ),
      403,
      'OUT_OF_SCOPE',
    );
    expectProblem(await get(url, 'conseiller-a'), 403, 'FORBIDDEN');
  });

  it.each([
    ['a period over a year', 'from=2024-01-01&to=2025-03-05', '/querystring/to'],
    ['an unknown format', 'from=2025-03-03&to=2025-03-05&format=xlsx', '/querystring/format'],
    ['no period', '', '/querystring/from'],
  ])('answers 400 for %s', async (_case, query, path) => {
    const response = await get(`/api/v1/staff/centres/${GERLAND}/reporting?${query}`, 'analyst-a');
    expectProblem(response, 400, 'INVALID_REQUEST');
    expect((json(response).errors as { path: string }[])[0]?.path).toBe(path);
  });
});
