import { randomBytes, randomUUID } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  type CryptoKey,
  calculateJwkThumbprint,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JSONWebKeySet,
  type JWK,
  type JWTVerifyGetKey,
  SignJWT,
} from 'jose';
import { MEMORY_DATA_DIR, type NodeEnv } from '../config/config.js';
import { AuthenticationError, DemoAccountsForbiddenError } from './errors.js';
import { createJwtVerifier, type JwtVerifier, PTI_API_AUDIENCE, principalClaims } from './jwt-verifier.js';
import { hashPassword, verifyPassword } from './password-hash.js';
import type { Principal } from './principal.js';

/**
 * The embedded identity provider: used when `OIDC_ISSUER` is unset (embedded mode, `npm start` on
 * a bare machine). It holds one demo account per role, all with password `demo`, and signs ES256
 * access tokens shaped like Keycloak's (same claims, so one verifier mapping serves both).
 *
 * * Key: an ES256 key pair generated at start, or read from `keyFile` (written there, mode 0600, on
 *   first start) so tokens survive a restart. {@link embeddedKeyFile} puts it under the data dir.
 * * Passwords: scrypt-hashed at start with a salt per account; the clear password is not kept.
 *   Unknown users cost the same scrypt as known ones (a decoy hash), so timing does not tell them
 *   apart.
 * * Demo accounts only exist here, and {@link createEmbeddedIssuer} refuses to run in services
 *   mode (`OIDC_ISSUER` set) or in production: see {@link assertNoDemoAccountsInServicesMode}.
 */

export const EMBEDDED_ISSUER = 'pti-embedded';
export const EMBEDDED_TOKEN_TTL_SECONDS = 3600;
export const DEMO_PASSWORD = 'demo';
export const DEMO_EMAIL_DOMAIN = 'demo.pti-calendar.fr';
/** The demo network's tenant and centre, the same as in the Keycloak realm's demo users. */
export const DEMO_TENANT_ID = '11111111-1111-4111-8111-111111111111';
export const DEMO_CENTRE_ID = '22222222-2222-4222-8222-222222222201';

export interface DemoAccount {
  /** Login name; the email works too. */
  readonly username: string;
  readonly principal: Principal;
}

function demoAccount(
  username: string,
  subjectSuffix: string,
  role: Principal['role'],
  displayName: string,
  centreIds: readonly string[] = [],
): DemoAccount {
  return {
    username,
    principal: {
      subject: `33333333-3333-4333-8333-3333333333${subjectSuffix}`,
      role,
      tenantId: DEMO_TENANT_ID,
      centreIds: [...centreIds],
      displayName,
      email: `${username}@${DEMO_EMAIL_DOMAIN}`,
    },
  };
}

/** One account per token role. Subjects are fixed so event metadata names the same actor across restarts. */
export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  demoAccount('admin', '01', 'admin_reseau', 'Philippe Roux'),
  demoAccount('responsable', '02', 'responsable_centre', 'Nathalie Lefebvre', [DEMO_CENTRE_ID]),
  demoAccount('controleur', '03', 'controleur', 'Julien Moreau', [DEMO_CENTRE_ID]),
  demoAccount('operateur', '04', 'operateur', 'Chloé Durand', [DEMO_CENTRE_ID]),
  demoAccount('conseiller', '05', 'call_centre', 'Lucas Petit'),
  demoAccount('auditeur', '06', 'auditor', 'Isabelle Fournier'),
  demoAccount('analyste', '07', 'analyst', 'Antoine Garnier'),
  demoAccount('pro', '08', 'client_pro', 'Sophie Bernard'),
  demoAccount('automobiliste', '09', 'motorist', 'Camille Martin'),
];

/** The part of the configuration that decides whether demo accounts may exist. */
export interface IdentityModeConfig {
  readonly env: NodeEnv;
  readonly auth: { readonly oidcIssuer: string | null };
}

/**
 * Refuses to start with demo accounts (password `demo`) outside embedded mode: when `OIDC_ISSUER`
 * is set (services mode: identities come from Keycloak) or when `NODE_ENV=production` (production
 * must name an OIDC issuer). Throws {@link DemoAccountsForbiddenError}.
 */
export function assertNoDemoAccountsInServicesMode(config: IdentityModeConfig): void {
  if (config.auth.oidcIssuer !== null) {
    throw new DemoAccountsForbiddenError(
      'demo accounts exist only in embedded mode: OIDC_ISSUER is set, so identities come from the OIDC provider',
    );
  }
  if (config.env === 'production') {
    throw new DemoAccountsForbiddenError(
      'NODE_ENV=production refuses the embedded issuer and its demo accounts: set OIDC_ISSUER',
    );
  }
}

/** Where the embedded issuer keeps its key under a data dir; null for an in-memory data dir. */
export function embeddedKeyFile(dataDir: string): string | null {
  return dataDir === MEMORY_DATA_DIR ? null : join(dataDir, 'auth', 'embedded-issuer.jwk.json');
}

export interface EmbeddedIssuerOptions {
  readonly config: IdentityModeConfig;
  /** Where the signing key persists; generated in memory for this process only when null/omitted. */
  readonly keyFile?: string | null;
  readonly tokenTtlSeconds?: number;
  /** Clock used to stamp `iat`/`exp` (the verifier keeps the real clock); for tests. */
  readonly now?: () => Date;
}

export interface LoginResult {
  readonly accessToken: string;
  readonly tokenType: 'Bearer';
  /** Seconds until the token expires. */
  readonly expiresIn: number;
  readonly principal: Principal;
}

export interface EmbeddedIssuer {
  readonly issuer: typeof EMBEDDED_ISSUER;
  readonly audience: string;
  /** Public key set (one ES256 key) the verifier checks signatures with. */
  readonly jwks: JSONWebKeySet;
  readonly getKey: JWTVerifyGetKey;
  /** A verifier bound to this issuer, its key set and the `pti-api` audience. */
  readonly verifier: JwtVerifier;
  readonly accounts: readonly DemoAccount[];
  /**
   * Checks a username (or email, case-insensitive) and password; returns a signed access token.
   * Throws {@link AuthenticationError} `INVALID_CREDENTIALS` without saying which part was wrong.
   */
  login(username: string, password: string): Promise<LoginResult>;
  /** Signs a token for any principal but `system` (tests and in-process tools of embedded mode). */
  issueToken(principal: Principal): Promise<string>;
}

interface StoredAccount {
  readonly account: DemoAccount;
  readonly passwordHash: string;
}

export async function createEmbeddedIssuer(options: EmbeddedIssuerOptions): Promise<EmbeddedIssuer> {
  assertNoDemoAccountsInServicesMode(options.config);
  const ttl = options.tokenTtlSeconds ?? EMBEDDED_TOKEN_TTL_SECONDS;
  const now = options.now ?? (() => new Date());
  const key = await loadOrCreateSigningKey(options.keyFile ?? null);
  const jwks: JSONWebKeySet = { keys: [key.publicJwk] };
  const getKey = createLocalJWKSet(jwks);
  const verifier = createJwtVerifier({ issuer: EMBEDDED_ISSUER, audience: PTI_API_AUDIENCE, jwks: getKey });

  const [decoyHash, storedAccounts] = await Promise.all([
    hashPassword(randomBytes(18).toString('base64url')),
    Promise.all(
      DEMO_ACCOUNTS.map(
        async (account): Promise<StoredAccount> => ({
          account,
          passwordHash: await hashPassword(DEMO_PASSWORD),
        }),
      ),
    ),
  ]);
  const byLogin = new Map<string, StoredAccount>();
  for (const stored of storedAccounts) {
    byLogin.set(stored.account.username.toLowerCase(), stored);
    const email = stored.account.principal.email;
    if (email !== undefined) byLogin.set(email.toLowerCase(), stored);
  }

  async function sign(principal: Principal, preferredUsername?: string): Promise<string> {
    const issuedAt = Math.floor(now().getTime() / 1000);
    return new SignJWT({
      ...principalClaims(principal),
      ...(preferredUsername === undefined ? {} : { preferred_username: preferredUsername }),
    })
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: key.kid })
      .setIssuer(EMBEDDED_ISSUER)
      .setAudience(PTI_API_AUDIENCE)
      .setSubject(principal.subject)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + ttl)
      .setJti(randomUUID())
      .sign(key.privateKey);
  }

  return {
    issuer: EMBEDDED_ISSUER,
    audience: PTI_API_AUDIENCE,
    jwks,
    getKey,
    verifier,
    accounts: DEMO_ACCOUNTS,
    async login(username, password) {
      const stored = byLogin.get(username.trim().toLowerCase());
      // The decoy keeps an unknown username as slow as a wrong password.
      const matches = await verifyPassword(password, stored?.passwordHash ?? decoyHash);
      if (stored === undefined || !matches) {
        throw new AuthenticationError('INVALID_CREDENTIALS', 'unknown user or wrong password');
      }
      const { principal, username: preferredUsername } = stored.account;
      return {
        accessToken: await sign(principal, preferredUsername),
        tokenType: 'Bearer',
        expiresIn: ttl,
        principal,
      };
    },
    issueToken: (principal) => sign(principal),
  };
}

interface SigningKey {
  readonly privateKey: CryptoKey;
  /** Public JWK with `kid` (its RFC 7638 thumbprint), `alg` and `use`. */
  readonly publicJwk: JWK;
  readonly kid: string;
}

async function loadOrCreateSigningKey(keyFile: string | null): Promise<SigningKey> {
  if (keyFile === null) return signingKeyFromJwk(await generatePrivateJwk());
  const existing = await readPrivateJwk(keyFile);
  if (existing !== null) return signingKeyFromJwk(existing);
  const created = await generatePrivateJwk();
  await mkdir(dirname(keyFile), { recursive: true, mode: 0o700 });
  // Written aside then linked into place: a crash never leaves half a key, and of two processes
  // starting together the second adopts the first one's key.
  const temporary = `${keyFile}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(temporary, `${JSON.stringify(created)}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(temporary, keyFile);
  } catch (error) {
    if (!isErrnoException(error) || error.code !== 'EEXIST') throw error;
  } finally {
    await unlink(temporary);
  }
  const persisted = await readPrivateJwk(keyFile);
  if (persisted === null) throw new Error(`embedded issuer key ${keyFile} vanished while starting`);
  return signingKeyFromJwk(persisted);
}

async function generatePrivateJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  return exportJWK(privateKey);
}

async function readPrivateJwk(keyFile: string): Promise<JWK | null> {
  let text: string;
  try {
    text = await readFile(keyFile, 'utf8');
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT') return null;
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`embedded issuer key ${keyFile} is not JSON: delete it to generate a new key`);
  }
  const { kty, crv, x, y, d } =
    typeof parsed === 'object' && parsed !== null
      ? (parsed as Partial<Record<'kty' | 'crv' | 'x' | 'y' | 'd', unknown>>)
      : {};
  if (
    kty !== 'EC' ||
    crv !== 'P-256' ||
    typeof x !== 'string' ||
    typeof y !== 'string' ||
    typeof d !== 'string'
  ) {
    throw new Error(
      `embedded issuer key ${keyFile} is not a P-256 private JWK: delete it to generate a new key`,
    );
  }
  return { kty, crv, x, y, d };
}

async function signingKeyFromJwk(privateJwk: JWK): Promise<SigningKey> {
  const privateKey = await importJWK(privateJwk, 'ES256');
  if (privateKey instanceof Uint8Array) throw new Error('embedded issuer key is not an asymmetric key');
  const bare: JWK = { kty: privateJwk.kty, crv: privateJwk.crv, x: privateJwk.x, y: privateJwk.y };
  const kid = await calculateJwkThumbprint(bare);
  return { privateKey, publicJwk: { ...bare, kid, alg: 'ES256', use: 'sig' }, kid };
}

function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error;
}
