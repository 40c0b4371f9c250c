import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActorRole } from '@pti/events';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEMORY_DATA_DIR } from '../config/config.js';
import {
  assertNoDemoAccountsInServicesMode,
  createEmbeddedIssuer,
  DEMO_ACCOUNTS,
  DEMO_CENTRE_ID,
  DEMO_PASSWORD,
  DEMO_TENANT_ID,
  EMBEDDED_ISSUER,
  type EmbeddedIssuer,
  embeddedKeyFile,
} from './embedded-issuer.js';
import { AuthenticationError, DemoAccountsForbiddenError } from './errors.js';
import { createIdentity } from './identity.js';
import { createJwtVerifier } from './jwt-verifier.js';
import { hashPassword, verifyPassword } from './password-hash.js';
import { isCentreRole, isPrincipal } from './principal.js';

const EMBEDDED = { env: 'test', auth: { oidcIssuer: null, jwksUri: null } } as const;

let issuer: EmbeddedIssuer;
let workDir: string;

beforeAll(async () => {
  issuer = await createEmbeddedIssuer({ config: EMBEDDED });
  workDir = await mkdtemp(join(tmpdir(), 'pti-auth-'));
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('demo accounts', () => {
  it('has one account per token role, in the demo tenant, centre staff at the demo centre', () => {
    const roles = DEMO_ACCOUNTS.map((a) => a.principal.role).sort();
    expect(roles).toEqual(
      ActorRole.anyOf
        .map((l) => l.const)
        .filter((r) => r !== 'system')
        .sort(),
    );
    for (const { username, principal } of DEMO_ACCOUNTS) {
      expect(isPrincipal(principal), username).toBe(true);
      expect(principal.tenantId).toBe(DEMO_TENANT_ID);
      expect(principal.email).toBe(`${username}@demo.pti-calendar.fr`);
      expect(principal.centreIds).toEqual(isCentreRole(principal.role) ? [DEMO_CENTRE_ID] : []);
    }
    expect(DEMO_ACCOUNTS.find((a) => a.principal.role === 'responsable_centre')?.principal.email).toBe(
      'responsable@demo.pti-calendar.fr',
    );
    expect(new Set(DEMO_ACCOUNTS.map((a) => a.principal.subject)).size).toBe(DEMO_ACCOUNTS.length);
  });
});

describe('login', () => {
  it('signs an ES256 token the verifier accepts, for every demo account', async () => {
    for (const account of DEMO_ACCOUNTS) {
      const result = await issuer.login(account.username, DEMO_PASSWORD);
      expect(result.tokenType).toBe('Bearer');
      expect(result.expiresIn).toBe(3600);
      expect(result.principal).toEqual(account.principal);
      expect(await issuer.verifier.verify(result.accessToken)).toEqual(account.principal);
    }
  });

  it('writes Keycloak-shaped claims with a one-hour expiry', async () => {
    const { accessToken } = await issuer.login('responsable', 'demo');
    expect(decodeProtectedHeader(accessToken)).toMatchObject({ alg: 'ES256', kid: issuer.jwks.keys[0]?.kid });
    const claims = decodeJwt(accessToken);
    expect(claims).toMatchObject({
      iss: EMBEDDED_ISSUER,
      aud: 'pti-api',
      typ: 'Bearer',
      realm_access: { roles: ['responsable_centre'] },
      tenant_id: DEMO_TENANT_ID,
      centre_id: DEMO_CENTRE_ID,
      preferred_username: 'responsable',
      name: 'Nathalie Lefebvre',
      email: 'responsable@demo.pti-calendar.fr',
    });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(3600);
  });

  it('accepts the email and ignores case and surrounding spaces in the login name', async () => {
    const result = await issuer.login('  Responsable@Demo.PTI-Calendar.fr ', 'demo');
    expect(result.principal.role).toBe('responsable_centre');
  });

  it('refuses a bad password and an unknown user with the same INVALID_CREDENTIALS', async () => {
    for (const [username, password] of [
      ['responsable', 'Demo'],
      ['responsable', ''],
      ['personne', 'demo'],
    ] as const) {
      const error = await issuer.login(username, password).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(AuthenticationError);
      expect(error).toMatchObject({ code: 'INVALID_CREDENTIALS', message: 'unknown user or wrong password' });
    }
  });

  it('publishes a public-only JWKS that an independent verifier can use', async () => {
    expect(issuer.jwks.keys).toHaveLength(1);
    const [key] = issuer.jwks.keys;
    expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(key).not.toHaveProperty('d');
    const verifier = createJwtVerifier({ issuer: EMBEDDED_ISSUER, audience: 'pti-api', jwks: issuer.getKey });
    const { accessToken } = await issuer.login('analyste', 'demo');
    expect((await verifier.verify(accessToken)).role).toBe('analyst');
  });

  it('stamps tokens with the injected clock, so old tokens expire', async () => {
    const past = await createEmbeddedIssuer({
      config: EMBEDDED,
      now: () => new Date(Date.now() - 2 * 3600_000),
    });
    const { accessToken } = await past.login('admin', 'demo');
    await expect(past.verifier.verify(accessToken)).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' });
  });

  it('does not accept another issuer’s tokens', async () => {
    const other = await createEmbeddedIssuer({ config: EMBEDDED });
    const { accessToken } = await other.login('admin', 'demo');
    await expect(issuer.verifier.verify(accessToken)).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
  });

  it('issues tokens for arbitrary principals, never for system', async () => {
    const principal = {
      subject: 'test-subject',
      role: 'operateur' as const,
      tenantId: 'tenant-b',
      centreIds: ['c-1', 'c-2'],
      displayName: 'Test',
    };
    expect(await issuer.verifier.verify(await issuer.issueToken(principal))).toEqual(principal);
    await expect(issuer.issueToken({ ...principal, role: 'system' })).rejects.toThrow();
  });
});

describe('password hashes', () => {
  it('are scrypt strings, salted per hash, never the password', async () => {
    const a = await hashPassword('demo');
    const b = await hashPassword('demo');
    expect(a).not.toBe('demo');
    expect(a).not.toContain('demo');
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('demo', a)).toBe(true);
    expect(await verifyPassword('demo', b)).toBe(true);
    expect(await verifyPassword('demO', a)).toBe(false);
  });

  it('refuse unreadable or hostile hash strings', async () => {
    expect(await verifyPassword('demo', 'demo')).toBe(false);
    expect(await verifyPassword('demo', '')).toBe(false);
    const [, , r, p, salt, key] = (await hashPassword('demo')).split('$');
    expect(await verifyPassword('demo', ['scrypt', 1 << 30, r, p, salt, key].join('$'))).toBe(false);
    expect(await verifyPassword('demo', ['scrypt', 1000, r, p, salt, key].join('$'))).toBe(false);
    expect(await verifyPassword('demo', ['bcrypt', 16384, r, p, salt, key].join('$'))).toBe(false);
  });
});

describe('signing key persistence', () => {
  it('keeps no key on disk for an in-memory data dir', () => {
    expect(embeddedKeyFile(MEMORY_DATA_DIR)).toBeNull();
    expect(embeddedKeyFile('/var/lib/pti')).toBe('/var/lib/pti/auth/embedded-issuer.jwk.json');
  });

  it('writes the key once (mode 0600) and reuses it, so tokens survive a restart', async () => {
    const keyFile = join(workDir, 'auth', 'embedded-issuer.jwk.json');
    const first = await createEmbeddedIssuer({ config: EMBEDDED, keyFile });
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    const { accessToken } = await first.login('operateur', 'demo');
    const second = await createEmbeddedIssuer({ config: EMBEDDED, keyFile });
    expect(second.jwks).toEqual(first.jwks);
    expect((await second.verifier.verify(accessToken)).role).toBe('operateur');
    expect(JSON.parse(await readFile(keyFile, 'utf8'))).toHaveProperty('d');
  });

  it('agrees on one key when two processes start together', async () => {
    const keyFile = join(workDir, 'race', 'key.json');
    const [a, b] = await Promise.all([
      createEmbeddedIssuer({ config: EMBEDDED, keyFile }),
      createEmbeddedIssuer({ config: EMBEDDED, keyFile }),
    ]);
    expect(a.jwks).toEqual(b.jwks);
  });

  it('refuses a corrupt key file rather than silently replacing it', async () => {
    const keyFile = join(workDir, 'corrupt.json');
    await writeFile(keyFile, '{"kty":"RSA"}');
    await expect(createEmbeddedIssuer({ config: EMBEDDED, keyFile })).rejects.toThrow(
      /not a P-256 private JWK/,
    );
    await writeFile(keyFile, 'nope');
    await expect(createEmbeddedIssuer({ config: EMBEDDED, keyFile })).rejects.toThrow(/not JSON/);
  });
});

describe('services-mode guard', () => {
  it('allows demo accounts in embedded development and test', () => {
    expect(() =>
      assertNoDemoAccountsInServicesMode({ env: 'development', auth: { oidcIssuer: null } }),
    ).not.toThrow();
    expect(() => assertNoDemoAccountsInServicesMode(EMBEDDED)).not.toThrow();
  });

  it('refuses them when OIDC_ISSUER is set or in production', async () => {
    const services = {
      env: 'development',
      auth: { oidcIssuer: 'http://keycloak:8080/realms/pti', jwksUri: null },
    } as const;
    const production = { env: 'production', auth: { oidcIssuer: null, jwksUri: null } } as const;
    for (const config of [services, production]) {
      expect(() => assertNoDemoAccountsInServicesMode(config)).toThrowError(DemoAccountsForbiddenError);
      await expect(createEmbeddedIssuer({ config })).rejects.toMatchObject({
        code: 'DEMO_ACCOUNTS_FORBIDDEN',
      });
    }
  });

  it('picks the identity mode from the configuration', async () => {
    const embedded = await createIdentity({ ...EMBEDDED, dataDir: MEMORY_DATA_DIR });
    if (embedded.mode !== 'embedded') throw new Error(`expected embedded mode, got ${embedded.mode}`);
    const { accessToken } = await embedded.issuer.login('auditeur', 'demo');
    expect((await embedded.verifier.verify(accessToken)).role).toBe('auditor');

    const oidc = await createIdentity({
      env: 'production',
      auth: { oidcIssuer: 'http://keycloak.test/realms/pti', jwksUri: null },
      dataDir: MEMORY_DATA_DIR,
    });
    expect(oidc).toMatchObject({ mode: 'oidc', issuer: null });
    expect(oidc.verifier.issuer).toBe('http://keycloak.test/realms/pti');

    await expect(
      createIdentity({
        env: 'production',
        auth: { oidcIssuer: null, jwksUri: null },
        dataDir: MEMORY_DATA_DIR,
      }),
    ).rejects.toBeInstanceOf(DemoAccountsForbiddenError);
  });
});
