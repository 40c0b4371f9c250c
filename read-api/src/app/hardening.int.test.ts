import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { ReadModelUnavailableError } from '../ports/read-ports.js';
import { fakePorts } from '../testing/fake-ports.js';
import { GERLAND } from '../testing/fixtures.js';
import { bearer, buildTestApp, json } from '../testing/test-app.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

function expectProblem(
  response: { statusCode: number; headers: Record<string, unknown>; body: string },
  status: number,
  code: string,
) {
  expect(response.statusCode).toBe(status);
  expect(response.headers['content-type']).toContain('application/problem+json');
  expect(json(response)).toMatchObject({ type: 'about:blank', status, code, title: expect.any(String) });
}

const availability = `/api/v1/centres/${GERLAND}/availability?from=2025-03-11&to=2025-03-12`;

describe('rate limits', () => {
  const limits = { publicMax: 3, staffMax: 5, lookupMax: 2, timeWindowMs: 60_000 };

  it('answers 429 problem+json with Retry-After past the per-IP limit of public routes', async () => {
    app = await buildTestApp({ rateLimit: limits });
    for (let i = 0; i < 3; i++) {
      const ok = await app.inject({ method: 'GET', url: availability, remoteAddress: '203.0.113.7' });
      expect(ok.statusCode).toBe(200);
      expect(ok.headers['x-ratelimit-limit']).toBe('3');
    }
    const limited = await app.inject({ method: 'GET', url: availability, remoteAddress: '203.0.113.7' });
    expectProblem(limited, 429, 'RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Another client is not affected.
    expect(
      (await app.inject({ method: 'GET', url: availability, remoteAddress: '203.0.113.8' })).statusCode,
    ).toBe(200);
  });

  it('counts staff per principal, with their own allowance', async () => {
    app = await buildTestApp({ rateLimit: limits });
    const agenda = `/api/v1/staff/centres/${GERLAND}/agenda/2025-03-14`;
    const call = (token: string) =>
      app?.inject({ method: 'GET', url: agenda, headers: bearer(token), remoteAddress: '198.51.100.1' });
    for (let i = 0; i < 5; i++) expect((await call('controleur-gerland'))?.statusCode).toBe(200);
    const limited = await call('controleur-gerland');
    expect(limited?.statusCode).toBe(429);
    // Same IP, another principal: its own bucket.
    expect((await call('responsable-gerland'))?.statusCode).toBe(200);
  });

  it('gives booking lookups a tighter bucket of their own', async () => {
    app = await buildTestApp({ rateLimit: limits });
    const lookup = () =>
      app?.inject({
        method: 'GET',
        url: '/api/v1/bookings/K7M4-QX2P?email=guess@example.fr',
        remoteAddress: '192.0.2.9',
      });
    expect((await lookup())?.statusCode).toBe(404);
    expect((await lookup())?.statusCode).toBe(404);
    const limited = await lookup();
    expect(limited?.statusCode).toBe(429);
    expect(json(limited ?? { body: '{}' }).code).toBe('RATE_LIMITED');
  });
});

describe('security headers and CORS', () => {
  it('sets strict security headers on API answers', async () => {
    app = await buildTestApp();
    const response = await app.inject({ method: 'GET', url: availability });
    expect(response.headers['content-security-policy']).toContain("default-src 'none'");
    expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['strict-transport-security']).toContain('max-age=31536000');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['x-powered-by']).toBeUndefined();
  });

  it('serves Swagger UI under its own CSP, which lets its scripts run', async () => {
    app = await buildTestApp();
    const page = await app.inject({ method: 'GET', url: '/docs' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("default-src 'none'");
    // Plain-HTTP embedded mode must still load its assets.
    expect(csp).not.toContain('upgrade-insecure-requests');
    const script = await app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' });
    expect(script.statusCode).toBe(200);
  });

  it('answers CORS preflights for the configured origins only', async () => {
    app = await buildTestApp({ corsOrigins: ['https://rdv.pti-controle.fr'] });
    const preflight = (origin: string) =>
      app?.inject({
        method: 'OPTIONS',
        url: availability,
        headers: {
          origin,
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'authorization',
        },
      });
    const allowed = await preflight('https://rdv.pti-controle.fr');
    expect(allowed?.statusCode).toBe(204);
    expect(allowed?.headers['access-control-allow-origin']).toBe('https://rdv.pti-controle.fr');
    expect(String(allowed?.headers['access-control-allow-headers'])).toContain('Authorization');
    const refused = await preflight('https://evil.example');
    expect(refused?.headers['access-control-allow-origin']).toBeUndefined();
    const simple = await app.inject({
      method: 'GET',
      url: availability,
      headers: { origin: 'https://rdv.pti-controle.fr' },
    });
    expect(simple.headers['access-control-allow-origin']).toBe('https://rdv.pti-controle.fr');
  });
});

describe('problem+json everywhere', () => {
  it('answers 404 for an unknown route and 405 with Allow for a known path with another method', async () => {
    app = await buildTestApp();
    expectProblem(await app.inject({ method: 'GET', url: '/api/v1/nothing-here' }), 404, 'NOT_FOUND');
    expectProblem(await app.inject({ method: 'GET', url: '/elsewhere' }), 404, 'NOT_FOUND');
    const post = await app.inject({ method: 'POST', url: availability, payload: {} });
    expectProblem(post, 405, 'METHOD_NOT_ALLOWED');
    expect(post.headers.allow).toBe('GET, HEAD');
    expectProblem(
      await app.inject({ method: 'DELETE', url: '/api/v1/bookings/K7M4-QX2P/calendar.ics' }),
      405,
      'METHOD_NOT_ALLOWED',
    );
  });

  it('answers HEAD like GET without a body', async () => {
    app = await buildTestApp();
    const head = await app.inject({ method: 'HEAD', url: availability });
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe('');
  });

  it('answers 400 for a malformed URL, and never a 5xx for bad input', async () => {
    app = await buildTestApp();
    expectProblem(
      await app.inject({ method: 'GET', url: '/api/v1/centres/%E0%A4%A' }),
      400,
      'INVALID_REQUEST',
    );
    const inputs = [
      '/api/v1/centres?lat=1e999&lon=4',
      '/api/v1/centres?postcode[]=69007',
      '/api/v1/centres?town=%00%01',
      `/api/v1/centres?town=${'x'.repeat(5000)}`,
      `/api/v1/centres/${'a'.repeat(300)}`,
      '/api/v1/centres/lyon-gerland/availability?from=9999-12-31&to=9999-12-31',
      '/api/v1/centres/lyon-gerland/availability?from=0000-01-01&to=0000-01-02',
      '/api/v1/bookings/%F0%9F%98%80%F0%9F%98%80%F0%9F%98%80%F0%9F%98%80?email=a@b.fr',
      '/api/v1/bookings/by-manage-token?token=a.b',
      '/api/v1/bookings/by-manage-token?token=AAAA.BBBB&token=CCCC.DDDD',
      '/api/v1/first-free-slots?lat=45&lon=4&limit=-1',
      '/api/v1/first-free-slots?lat=45&lon=4&cursor=%22%3E%3Cscript%3E',
      '/api/v1/audit/streams/booking-x/state?at=2025-03-12T12:00:00Z',
    ];
    for (const url of inputs) {
      const response = await app.inject({ method: 'GET', url, headers: bearer('auditor-a') });
      expect(response.statusCode, url).toBeLessThan(500);
      expect(response.statusCode, url).toBeGreaterThanOrEqual(200);
    }
    const bigBody = await app.inject({
      method: 'GET',
      url: availability,
      headers: { 'content-type': 'application/json' },
      payload: 'x'.repeat(100_000),
    });
    expect(bigBody.statusCode).toBeLessThan(500);
  });

  it('limits request bodies', async () => {
    app = await buildTestApp();
    expect(app.initialConfig.bodyLimit).toBe(16 * 1024);
  });

  it('answers 500 without leaking the cause, and 503 with Retry-After when a read model is down', async () => {
    const ports = fakePorts();
    app = await buildTestApp({
      ports: {
        ...ports,
        centreAvailability: async () => {
          throw new Error('connect ECONNREFUSED 10.0.0.5:5432 user=pti password=hunter2');
        },
        searchCentres: async () => {
          throw new ReadModelUnavailableError('redis is down', 7);
        },
      },
    });
    const failed = await app.inject({ method: 'GET', url: availability });
    expectProblem(failed, 500, 'INTERNAL_ERROR');
    expect(failed.body).not.toContain('ECONNREFUSED');
    expect(failed.body).not.toContain('hunter2');
    expect(failed.body).not.toContain('at ');
    const unavailable = await app.inject({ method: 'GET', url: '/api/v1/centres?postcode=69007' });
    expectProblem(unavailable, 503, 'READ_MODEL_UNAVAILABLE');
    expect(unavailable.headers['retry-after']).toBe('7');
    expect(unavailable.body).not.toContain('redis');
  });
});
