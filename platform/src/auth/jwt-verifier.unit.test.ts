import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type CryptoKey,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  generateSecret,
  type JSONWebKeySet,
  type JWTPayload,
  SignJWT,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthenticationError, IdentityProviderError } from './errors.js';
import { createJwtVerifier, type JwtVerifier, principalClaims, principalFromClaims } from './jwt-verifier.js';
import type { Principal } from './principal.js';

const ISSUER = 'http://keycloak.test/realms/pti';
const AUDIENCE = 'pti-api';
const TENANT = '11111111-1111-4111-8111-111111111111';
const CENTRE = '22222222-2222-4222-8222-222222222201';

let privateKey: CryptoKey;
let otherPrivateKey: CryptoKey;
let jwks: JSONWebKeySet;
let verifier: JwtVerifier;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  privateKey = pair.privateKey;
  otherPrivateKey = (await generateKeyPair('RS256')).privateKey;
  jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] };
  verifier = createJwtVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: createLocalJWKSet(jwks) });
});

/** A Keycloak-shaped access token for Nathalie, the demo responsable de centre. */
function keycloakClaims(overrides: JWTPayload = {}): JWTPayload {
  return {
    typ: 'Bearer',
    azp: 'pti-backoffice',
    realm_access: {
      roles: ['default-roles-pti', 'offline_access', 'uma_authorization', 'responsable_centre'],
    },
    resource_access: { account: { roles: ['manage-account'] } },
    scope: 'openid profile email',
    tenant_id: TENANT,
    centre_id: CENTRE,
    preferred_username: 'nathalie.lefebvre',
    name: 'Nathalie Lefebvre',
    given_name: 'Nathalie',
    family_name: 'Lefebvre',
    email: 'nathalie.lefebvre@pti-demo.test',
    ...overrides,
  };
}

interface SignOptions {
  readonly key?: CryptoKey;
  readonly issuer?: string;
  readonly audience?: string | string[];
  readonly expiresAt?: number;
  readonly subject?: string;
}

async function sign(claims: JWTPayload, options: SignOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: 'JWT' })
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? [AUDIENCE, 'account'])
    .setSubject(options.subject ?? 'a1b2c3d4-0000-4000-8000-000000000001')
    .setIssuedAt(now)
    .setExpirationTime(options.expiresAt ?? now + 300)
    .sign(options.key ?? privateKey);
}

async function refusal(promise: Promise<unknown>): Promise<AuthenticationError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuthenticationError);
  return error as AuthenticationError;
}

describe('createJwtVerifier with a local JWKS', () => {
  it('maps a valid Keycloak access token (realm_access.roles) to a principal', async () => {
    const principal = await verifier.verify(await sign(keycloakClaims()));
    expect(principal).toEqual({
      subject: 'a1b2c3d4-0000-4000-8000-000000000001',
      role: 'responsable_centre',
      tenantId: TENANT,
      centreIds: [CENTRE],
      displayName: 'Nathalie Lefebvre',
      email: 'nathalie.lefebvre@pti-demo.test',
    });
  });

  it('reads the flat roles claim of the realm-role mapper too', async () => {
    const token = await sign(
      keycloakClaims({ realm_access: undefined, roles: ['offline_access', 'auditor'] }),
    );
    expect((await verifier.verify(token)).role).toBe('auditor');
  });

  it('picks the most privileged PTI role when a token carries several', async () => {
    const token = await sign(keycloakClaims({ realm_access: { roles: ['analyst'] }, roles: ['operateur'] }));
    expect((await verifier.verify(token)).role).toBe('operateur');
  });

  it('accepts a network role without centre and several centres as a list', async () => {
    const admin = await verifier.verify(
      await sign(keycloakClaims({ realm_access: { roles: ['admin_reseau'] }, centre_id: undefined })),
    );
    expect(admin.centreIds).toEqual([]);
    const multi = await verifier.verify(await sign(keycloakClaims({ centre_id: [CENTRE, 'c-2', CENTRE] })));
    expect(multi.centreIds).toEqual([CENTRE, 'c-2']);
  });

  it('falls back on preferred_username for the display name and keeps email optional', async () => {
    const p = await verifier.verify(await sign(keycloakClaims({ name: undefined, email: undefined })));
    expect(p.displayName).toBe('nathalie.lefebvre');
    expect(p).not.toHaveProperty('email');
  });

  it('refuses an expired token with TOKEN_EXPIRED, tolerating a little clock skew', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await refusal(verifier.verify(await sign(keycloakClaims(), { expiresAt: now - 120 })));
    expect(expired.code).toBe('TOKEN_EXPIRED');
    await expect(
      verifier.verify(await sign(keycloakClaims(), { expiresAt: now - 5 })),
    ).resolves.toMatchObject({
      role: 'responsable_centre',
    });
  });

  it('follows the injected clock', async () => {
    const token = await sign(keycloakClaims());
    const later = createJwtVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwks: createLocalJWKSet(jwks),
      now: () => new Date(Date.now() + 3600_000),
    });
    expect((await refusal(later.verify(token))).code).toBe('TOKEN_EXPIRED');
  });

  it('refuses a wrong issuer', async () => {
    const error = await refusal(
      verifier.verify(await sign(keycloakClaims(), { issuer: 'http://evil.test/realms/pti' })),
    );
    expect(error.code).toBe('TOKEN_INVALID');
    expect(error.message).toContain('iss');
  });

  it('refuses a wrong audience', async () => {
    const error = await refusal(verifier.verify(await sign(keycloakClaims(), { audience: 'account' })));
    expect(error.code).toBe('TOKEN_INVALID');
    expect(error.message).toContain('aud');
  });

  it('refuses a bad signature', async () => {
    const forged = await sign(keycloakClaims(), { key: otherPrivateKey });
    expect((await refusal(verifier.verify(forged))).code).toBe('TOKEN_INVALID');
    // A valid token whose payload was swapped for a more privileged one.
    const [header, , signature] = (await sign(keycloakClaims())).split('.');
    const payload = Buffer.from(
      JSON.stringify({
        ...keycloakClaims({ realm_access: { roles: ['admin_reseau'] } }),
        iss: ISSUER,
        aud: AUDIENCE,
      }),
    ).toString('base64url');
    expect((await refusal(verifier.verify(`${header}.${payload}.${signature}`))).code).toBe('TOKEN_INVALID');
  });

  it('refuses unsigned and HMAC tokens', async () => {
    const body = Buffer.from(
      JSON.stringify({ ...keycloakClaims(), iss: ISSUER, aud: AUDIENCE, sub: 'x' }),
    ).toString('base64url');
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${body}.`;
    expect((await refusal(verifier.verify(none))).code).toBe('TOKEN_INVALID');
    const hmac = await new SignJWT(keycloakClaims())
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject('x')
      .setExpirationTime('5m')
      .sign(await generateSecret('HS256'));
    expect((await refusal(verifier.verify(hmac))).code).toBe('TOKEN_INVALID');
  });

  it('refuses garbage, empty and oversized tokens with stable codes', async () => {
    expect((await refusal(verifier.verify('not-a-jwt'))).code).toBe('TOKEN_INVALID');
    expect((await refusal(verifier.verify(''))).code).toBe('TOKEN_MISSING');
    expect((await refusal(verifier.verify('a'.repeat(20_000)))).code).toBe('TOKEN_INVALID');
  });

  it('refuses tokens missing what a principal needs', async () => {
    const cases: Array<[string, JWTPayload]> = [
      ['no PTI role', { realm_access: { roles: ['offline_access'] } }],
      ['no tenant', { tenant_id: undefined }],
      ['centre staff without centre', { centre_id: undefined }],
      ['an ID token', { typ: 'ID' }],
      ['a malformed centre claim', { centre_id: [42] }],
      ['two tenants', { tenant_id: ['t1', 't2'] }],
    ];
    for (const [what, overrides] of cases) {
      const error = await refusal(verifier.verify(await sign(keycloakClaims(overrides))));
      expect(error.code, what).toBe('TOKEN_INVALID');
    }
  });

  it('accepts a single-item list tenant (multivalued Keycloak mapper)', async () => {
    const p = await verifier.verify(await sign(keycloakClaims({ tenant_id: [TENANT] })));
    expect(p.tenantId).toBe(TENANT);
  });
});

describe('claims round trip', () => {
  it('reads back the claims it writes', () => {
    const principal: Principal = {
      subject: 's-1',
      role: 'operateur',
      tenantId: TENANT,
      centreIds: [CENTRE, 'c-2'],
      displayName: 'Chloé Durand',
      email: 'operateur@demo.pti-calendar.fr',
    };
    expect(principalFromClaims({ ...principalClaims(principal), sub: 's-1' })).toEqual(principal);
    const single = { ...principal, centreIds: [CENTRE] };
    expect(principalClaims(single).centre_id).toBe(CENTRE);
    expect(() => principalClaims({ ...principal, role: 'system' })).toThrow();
  });
});

describe('createJwtVerifier with OIDC discovery', () => {
  let server: Server;
  let issuer: string;
  let discoveryRequests = 0;
  let discoveryIssuer: (base: string) => string = (base) => `${base}/realms/pti`;

  beforeAll(async () => {
    server = createServer((request, response) => {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      if (request.url === '/realms/pti/.well-known/openid-configuration') {
        discoveryRequests += 1;
        response.setHeader('content-type', 'application/json');
        response.end(
          JSON.stringify({
            issuer: discoveryIssuer(base),
            jwks_uri: `${base}/realms/pti/protocol/openid-connect/certs`,
          }),
        );
      } else if (request.url === '/realms/pti/protocol/openid-connect/certs') {
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify(jwks));
      } else {
        response.statusCode = 404;
        response.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/realms/pti`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('discovers the JWKS from /.well-known/openid-configuration once, then verifies', async () => {
    discoveryRequests = 0;
    const remote = createJwtVerifier({ issuer, audience: AUDIENCE });
    const token = await sign(keycloakClaims(), { issuer });
    expect((await remote.verify(token)).role).toBe('responsable_centre');
    expect((await remote.verify(token)).tenantId).toBe(TENANT);
    expect(discoveryRequests).toBe(1);
  });

  it('fetches keys from an explicit jwksUri when the issuer URL is not reachable from here', async () => {
    discoveryRequests = 0;
    const browserFacing = 'http://localhost:1/realms/pti';
    const remote = createJwtVerifier({
      issuer: browserFacing,
      audience: AUDIENCE,
      jwksUri: `${issuer}/protocol/openid-connect/certs`,
    });
    expect((await remote.verify(await sign(keycloakClaims(), { issuer: browserFacing }))).role).toBe(
      'responsable_centre',
    );
    expect(discoveryRequests).toBe(0);
  });

  it('answers IdentityProviderError, not a token error, when the issuer cannot be discovered', async () => {
    const unreachable = createJwtVerifier({ issuer: 'http://127.0.0.1:9/realms/pti', fetchTimeoutMs: 1000 });
    const token = await sign(keycloakClaims(), { issuer: 'http://127.0.0.1:9/realms/pti' });
    await expect(unreachable.verify(token)).rejects.toBeInstanceOf(IdentityProviderError);
  });

  it('refuses a discovery document naming another issuer, and retries discovery later', async () => {
    discoveryRequests = 0;
    discoveryIssuer = () => 'http://evil.test/realms/pti';
    const remote = createJwtVerifier({ issuer, audience: AUDIENCE });
    const token = await sign(keycloakClaims(), { issuer });
    await expect(remote.verify(token)).rejects.toBeInstanceOf(IdentityProviderError);
    discoveryIssuer = (base) => `${base}/realms/pti`;
    expect((await remote.verify(token)).role).toBe('responsable_centre');
    expect(discoveryRequests).toBe(2);
  });
});
