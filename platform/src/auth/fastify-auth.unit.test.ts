import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEmbeddedIssuer,
  DEMO_CENTRE_ID,
  DEMO_TENANT_ID,
  type EmbeddedIssuer,
} from './embedded-issuer.js';
import { IdentityProviderError } from './errors.js';
import {
  authProblem,
  fastifyAuth,
  registerEmbeddedLogin,
  requireAuthenticated,
  requirePermission,
  requireRole,
  sendProblem,
} from './fastify-auth.js';
import type { JwtVerifier } from './jwt-verifier.js';
import { assertCan } from './principal.js';

const OTHER_TENANT = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';
const OTHER_CENTRE = '22222222-2222-4222-8222-222222222202';

/** Resources by id, each in a tenant and centre, as a read model would answer. */
const BOOKINGS: Record<string, { tenantId: string; centreId: string }> = {
  'own-centre': { tenantId: DEMO_TENANT_ID, centreId: DEMO_CENTRE_ID },
  'other-centre': { tenantId: DEMO_TENANT_ID, centreId: OTHER_CENTRE },
  'other-tenant': { tenantId: OTHER_TENANT, centreId: 'x' },
};

let issuer: EmbeddedIssuer;
let app: FastifyInstance;
const tokens: Record<string, string> = {};

async function buildApp(verifier: JwtVerifier): Promise<FastifyInstance> {
  const server = Fastify();
  await server.register(fastifyAuth, { verifier });
  server.get('/public', async (request) => ({ caller: request.principal?.role ?? null }));
  server.get('/whoami', { preHandler: requireAuthenticated() }, async (request) => ({
    role: request.principal?.role,
  }));
  server.get('/admin', { preHandler: requireRole('admin_reseau') }, async () => ({ ok: true }));
  server.post(
    '/centres/:centreId/blocks',
    {
      preHandler: requirePermission('calendar.block_period', {
        scope: (request) => ({
          tenantId: DEMO_TENANT_ID,
          centreId: (request.params as { centreId: string }).centreId,
        }),
      }),
    },
    async () => ({ blocked: true }),
  );
  server.get(
    '/bookings/:id',
    {
      preHandler: requirePermission('booking.read', {
        notFoundOutOfTenant: true,
        scope: async (request) => BOOKINGS[(request.params as { id: string }).id],
      }),
    },
    async () => ({ booking: true }),
  );
  // A handler that loads first and asserts itself.
  server.post('/bookings/:id/erase', async (request, reply) => {
    const booking = BOOKINGS[(request.params as { id: string }).id];
    const principal = request.principal;
    try {
      if (principal === null) throw new Error('unreachable in this test');
      assertCan(principal, 'personal_data.erase', booking);
    } catch (error) {
      const problem = authProblem(error, { notFoundOutOfTenant: true });
      if (problem === null) throw error;
      return sendProblem(reply, problem);
    }
    return { erased: true };
  });
  registerEmbeddedLogin(server, issuer, { failureDelayMs: 50 });
  await server.ready();
  return server;
}

beforeAll(async () => {
  issuer = await createEmbeddedIssuer({ config: { env: 'test', auth: { oidcIssuer: null } } });
  app = await buildApp(issuer.verifier);
  for (const username of ['admin', 'responsable', 'controleur', 'analyste', 'auditeur']) {
    tokens[username] = (await issuer.login(username, 'demo')).accessToken;
  }
});

afterAll(async () => {
  await app.close();
});

const bearer = (username: string) => ({ authorization: `Bearer ${tokens[username]}` });

function expectProblem(
  response: { statusCode: number; headers: Record<string, unknown>; json: () => unknown },
  status: number,
  code: string,
) {
  expect(response.statusCode).toBe(status);
  expect(response.headers['content-type']).toContain('application/problem+json');
  expect(response.json()).toMatchObject({ type: 'about:blank', status, code, title: expect.any(String) });
}

describe('fastifyAuth guards', () => {
  it('answers 401 TOKEN_MISSING without a token, with WWW-Authenticate', async () => {
    const response = await app.inject({ method: 'GET', url: '/admin' });
    expectProblem(response, 401, 'TOKEN_MISSING');
    expect(response.headers['www-authenticate']).toBe('Bearer realm="pti"');
  });

  it('answers 401 TOKEN_INVALID for a bad token or a non-Bearer header', async () => {
    const tampered = `${tokens.admin?.slice(0, -4)}AAAA`;
    const bad = await app.inject({
      method: 'GET',
      url: '/admin',
      headers: { authorization: `Bearer ${tampered}` },
    });
    expectProblem(bad, 401, 'TOKEN_INVALID');
    expect(bad.headers['www-authenticate']).toContain('error="invalid_token"');
    const basic = await app.inject({
      method: 'GET',
      url: '/whoami',
      headers: { authorization: 'Basic YTpi' },
    });
    expectProblem(basic, 401, 'TOKEN_INVALID');
  });

  it('answers 401 TOKEN_EXPIRED for an expired token', async () => {
    const past = await createEmbeddedIssuer({
      config: { env: 'test', auth: { oidcIssuer: null } },
      now: () => new Date(Date.now() - 2 * 3600_000),
    });
    const pastApp = await buildApp(past.verifier);
    const { accessToken } = await past.login('admin', 'demo');
    const response = await pastApp.inject({
      method: 'GET',
      url: '/admin',
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expectProblem(response, 401, 'TOKEN_EXPIRED');
    await pastApp.close();
  });

  it('answers 403 FORBIDDEN for the wrong role and 200 for the right one', async () => {
    expectProblem(
      await app.inject({ method: 'GET', url: '/admin', headers: bearer('analyste') }),
      403,
      'FORBIDDEN',
    );
    const ok = await app.inject({ method: 'GET', url: '/admin', headers: bearer('admin') });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ ok: true });
  });

  it('checks the permission within the route’s centre', async () => {
    const own = await app.inject({
      method: 'POST',
      url: `/centres/${DEMO_CENTRE_ID}/blocks`,
      headers: bearer('responsable'),
    });
    expect(own.statusCode).toBe(200);
    expectProblem(
      await app.inject({
        method: 'POST',
        url: `/centres/${OTHER_CENTRE}/blocks`,
        headers: bearer('responsable'),
      }),
      403,
      'OUT_OF_SCOPE',
    );
    expectProblem(
      await app.inject({
        method: 'POST',
        url: `/centres/${DEMO_CENTRE_ID}/blocks`,
        headers: bearer('controleur'),
      }),
      403,
      'FORBIDDEN',
    );
    const admin = await app.inject({
      method: 'POST',
      url: `/centres/${OTHER_CENTRE}/blocks`,
      headers: bearer('admin'),
    });
    expect(admin.statusCode).toBe(200);
  });

  it('answers 404 instead of 403 for another tenant’s resource where the route asks so', async () => {
    expect(
      (await app.inject({ method: 'GET', url: '/bookings/own-centre', headers: bearer('controleur') }))
        .statusCode,
    ).toBe(200);
    expectProblem(
      await app.inject({ method: 'GET', url: '/bookings/other-centre', headers: bearer('controleur') }),
      403,
      'OUT_OF_SCOPE',
    );
    expectProblem(
      await app.inject({ method: 'GET', url: '/bookings/other-tenant', headers: bearer('auditeur') }),
      404,
      'NOT_FOUND',
    );
    // A role without the permission learns nothing about the resource either way.
    expectProblem(
      await app.inject({ method: 'GET', url: '/bookings/other-tenant', headers: bearer('analyste') }),
      403,
      'FORBIDDEN',
    );
  });

  it('turns assertCan refusals inside handlers into problems', async () => {
    expect(
      (await app.inject({ method: 'POST', url: '/bookings/own-centre/erase', headers: bearer('admin') }))
        .statusCode,
    ).toBe(200);
    expectProblem(
      await app.inject({ method: 'POST', url: '/bookings/other-tenant/erase', headers: bearer('admin') }),
      404,
      'NOT_FOUND',
    );
    expectProblem(
      await app.inject({ method: 'POST', url: '/bookings/own-centre/erase', headers: bearer('responsable') }),
      403,
      'FORBIDDEN',
    );
  });

  it('serves public routes to anonymous callers and to callers with a stale token', async () => {
    expect((await app.inject({ method: 'GET', url: '/public' })).json()).toEqual({ caller: null });
    expect((await app.inject({ method: 'GET', url: '/public', headers: bearer('admin') })).json()).toEqual({
      caller: 'admin_reseau',
    });
    const stale = await app.inject({
      method: 'GET',
      url: '/public',
      headers: { authorization: 'Bearer nope' },
    });
    expect(stale.statusCode).toBe(200);
    expect(stale.json()).toEqual({ caller: null });
  });

  it('answers 503 IDP_UNAVAILABLE when the identity provider is down', async () => {
    const down: JwtVerifier = {
      issuer: 'http://keycloak.test/realms/pti',
      verify: async () => {
        throw new IdentityProviderError('connect ECONNREFUSED 10.0.0.1:8080');
      },
    };
    const downApp = await buildApp(down);
    const response = await downApp.inject({
      method: 'GET',
      url: '/whoami',
      headers: { authorization: 'Bearer abc' },
    });
    expectProblem(response, 503, 'IDP_UNAVAILABLE');
    expect(response.body).not.toContain('10.0.0.1');
    await downApp.close();
  });
});

describe('embedded login routes', () => {
  it('logs in and returns a token that opens protected routes', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'responsable', password: 'demo' },
    });
    expect(response.statusCode).toBe(200);
    const body = response.json() as {
      accessToken: string;
      tokenType: string;
      expiresIn: number;
      principal: unknown;
    };
    expect(body).toMatchObject({
      tokenType: 'Bearer',
      expiresIn: 3600,
      principal: {
        role: 'responsable_centre',
        tenantId: DEMO_TENANT_ID,
        centreIds: [DEMO_CENTRE_ID],
        displayName: 'Nathalie Lefebvre',
        email: 'responsable@demo.pti-calendar.fr',
      },
    });
    const me = await app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { authorization: `Bearer ${body.accessToken}` },
    });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toEqual(body.principal);
  });

  it('answers 401 INVALID_CREDENTIALS problem+json after a fixed delay, alike for unknown users', async () => {
    for (const payload of [
      { username: 'responsable', password: 'wrong' },
      { username: 'nobody', password: 'demo' },
    ]) {
      const started = performance.now();
      const response = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload });
      expect(performance.now() - started).toBeGreaterThanOrEqual(45);
      expectProblem(response, 401, 'INVALID_CREDENTIALS');
      expect(response.json()).toMatchObject({ detail: 'unknown user or wrong password' });
      expect(response.body).not.toContain('accessToken');
    }
  });

  it('answers 400 INVALID_REQUEST problem+json for malformed bodies', async () => {
    for (const request of [
      { payload: { username: 'admin' } },
      { payload: { username: 'admin', password: 'demo', role: 'admin_reseau' } },
      { payload: { username: 42, password: 'demo' } },
      { payload: '{"username":', headers: { 'content-type': 'application/json' } },
    ]) {
      const response = await app.inject({ method: 'POST', url: '/api/v1/auth/login', ...request });
      expectProblem(response, 400, 'INVALID_REQUEST');
    }
  });

  it('answers /me with 401 without a token', async () => {
    expectProblem(await app.inject({ method: 'GET', url: '/api/v1/auth/me' }), 401, 'TOKEN_MISSING');
  });

  it('needs the auth plugin registered first', () => {
    expect(() => registerEmbeddedLogin(Fastify(), issuer)).toThrow(/register fastifyAuth/);
  });
});
