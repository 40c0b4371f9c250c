import { createRemoteJWKSet, errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { AuthenticationError, IdentityProviderError } from './errors.js';
import {
  isCentreRole,
  isPrincipal,
  type Principal,
  TOKEN_ROLES_BY_PRECEDENCE,
  type TokenRole,
} from './principal.js';

/**
 * Bearer-token verification (OIDC access tokens from Keycloak, or the embedded issuer's tokens)
 * into a {@link Principal}.
 *
 * Checked: the signature (asymmetric algorithms only, never `none` or HMAC), `iss`, `aud` when an
 * audience is configured, `exp` (required) and `nbf` with {@link DEFAULT_CLOCK_TOLERANCE_SECONDS}
 * of tolerance, and `typ` when present (Keycloak marks access tokens `Bearer`; its ID and refresh
 * tokens are refused). Claims mapped (Keycloak's names, see `ops/deploy/keycloak/pti-realm.json`):
 *
 * | claim                                | principal     | rule                                                    |
 * | ------------------------------------ | ------------- | ------------------------------------------------------- |
 * | `sub`                                | `subject`     | required                                                |
 * | `realm_access.roles` and/or `roles`  | `role`        | the most privileged PTI role present (TOKEN_ROLES_BY_PRECEDENCE); none → TOKEN_INVALID |
 * | `tenant_id` (string or one-item list)| `tenantId`    | required                                                |
 * | `centre_id` (string or list)         | `centreIds`   | absent → `[]`; required for centre staff                |
 * | `name`, else `preferred_username`, else `email`, else `sub` | `displayName` |                               |
 * | `email`                              | `email`       | optional                                                |
 */

/** The API's audience: Keycloak's `audience pti-api` mapper puts it in every access token. */
export const PTI_API_AUDIENCE = 'pti-api';

export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 30;

/** Asymmetric JWS algorithms accepted (Keycloak signs RS256 by default; the embedded issuer ES256). */
export const ACCEPTED_ALGORITHMS: readonly string[] = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];

/** Longer tokens are refused before any parsing (a Keycloak access token is 1–3 KiB). */
const MAX_TOKEN_LENGTH = 16 * 1024;

export interface JwtVerifierOptions {
  /** Expected `iss`, compared exactly (Keycloak: `http(s)://host/realms/pti`, no trailing slash). */
  readonly issuer: string;
  /** Expected `aud` (one of them must match); unchecked when omitted. */
  readonly audience?: string | readonly string[];
  /**
   * Key resolver. When omitted, the issuer's `/.well-known/openid-configuration` is fetched on first
   * use and its `jwks_uri` (Keycloak: `<issuer>/protocol/openid-connect/certs`) becomes a remote key
   * set, cached and refreshed by `jose` when an unknown `kid` appears.
   */
  readonly jwks?: JWTVerifyGetKey;
  /**
   * The key set's URL, skipping discovery: for a process that reaches the provider under another
   * name than its issuer URL (a container calling `http://keycloak:8080/realms/pti/protocol/openid-connect/certs`
   * while tokens say `iss: http://localhost:8080/realms/pti`). Ignored when `jwks` is given.
   */
  readonly jwksUri?: string;
  readonly clockToleranceSeconds?: number;
  /** Clock for `exp`/`nbf` checks; the real one when omitted. */
  readonly now?: () => Date;
  /** Timeout of discovery and key-set fetches. */
  readonly fetchTimeoutMs?: number;
}

export interface JwtVerifier {
  readonly issuer: string;
  /**
   * Verifies `token` (the compact JWT, without `Bearer `) and maps its claims. Throws
   * {@link AuthenticationError} (`TOKEN_MISSING`, `TOKEN_INVALID`, `TOKEN_EXPIRED`) for a bad token
   * and {@link IdentityProviderError} when the provider's keys cannot be fetched.
   */
  verify(token: string): Promise<Principal>;
}

export function createJwtVerifier(options: JwtVerifierOptions): JwtVerifier {
  const fetchTimeoutMs = options.fetchTimeoutMs ?? 5000;
  const getKey =
    options.jwks ??
    (options.jwksUri === undefined
      ? discoveredKeySet(options.issuer, fetchTimeoutMs)
      : createRemoteJWKSet(new URL(options.jwksUri), { timeoutDuration: fetchTimeoutMs }));
  const audience = options.audience === undefined ? undefined : ([] as string[]).concat(options.audience);
  const clockTolerance = options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS;

  return {
    issuer: options.issuer,
    async verify(token) {
      if (token.length === 0) throw new AuthenticationError('TOKEN_MISSING', 'no bearer token was sent');
      if (token.length > MAX_TOKEN_LENGTH) throw new AuthenticationError('TOKEN_INVALID', 'token too long');
      let payload: JWTPayload;
      try {
        const result = await jwtVerify(token, getKey, {
          issuer: options.issuer,
          audience,
          algorithms: [...ACCEPTED_ALGORITHMS],
          clockTolerance,
          currentDate: options.now?.(),
          requiredClaims: ['exp', 'sub'],
        });
        payload = result.payload;
      } catch (error) {
        throw verificationError(error);
      }
      return principalFromClaims(payload);
    },
  };
}

function verificationError(error: unknown): Error {
  if (error instanceof AuthenticationError || error instanceof IdentityProviderError) return error;
  if (error instanceof errors.JWTExpired) {
    return new AuthenticationError('TOKEN_EXPIRED', 'token expired', { cause: error });
  }
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) {
    return new IdentityProviderError(`identity provider key set unavailable: ${error.message}`, {
      cause: error,
    });
  }
  if (error instanceof errors.JOSEError) {
    // jose's messages name the failed check ('unexpected "iss" claim value', 'signature
    // verification failed', …) and never echo the token.
    return new AuthenticationError('TOKEN_INVALID', error.message, { cause: error });
  }
  // Anything else came from fetching keys (network, DNS): not the caller's fault.
  const message = error instanceof Error ? error.message : String(error);
  return new IdentityProviderError(`identity provider unreachable: ${message}`, { cause: error });
}

/** The OIDC discovery document URL of an issuer. */
export function openIdConfigurationUrl(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
}

/**
 * A key resolver that discovers the issuer's `jwks_uri` on first use. A failed discovery is not
 * cached: the next verification tries again.
 */
function discoveredKeySet(issuer: string, timeoutMs: number): JWTVerifyGetKey {
  let keySet: Promise<JWTVerifyGetKey> | null = null;
  return async (header, token) => {
    keySet ??= discoverKeySet(issuer, timeoutMs).catch((error: unknown) => {
      keySet = null;
      throw error;
    });
    return (await keySet)(header, token);
  };
}

async function discoverKeySet(issuer: string, timeoutMs: number): Promise<JWTVerifyGetKey> {
  const url = openIdConfigurationUrl(issuer);
  let document: unknown;
  try {
    const response = await fetch(url, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok)
      throw new IdentityProviderError(`OIDC discovery ${url} answered HTTP ${response.status}`);
    document = await response.json();
  } catch (error) {
    if (error instanceof IdentityProviderError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new IdentityProviderError(`OIDC discovery ${url} failed: ${message}`, { cause: error });
  }
  if (typeof document !== 'object' || document === null) {
    throw new IdentityProviderError(`OIDC discovery ${url} is not a JSON object`);
  }
  const discovered = document as { issuer?: unknown; jwks_uri?: unknown };
  // OpenID Connect Discovery §4.3: the document's issuer must be the one asked for.
  if (discovered.issuer !== issuer) {
    throw new IdentityProviderError(
      `OIDC discovery ${url} names issuer ${JSON.stringify(discovered.issuer)}, expected ${JSON.stringify(issuer)}`,
    );
  }
  if (typeof discovered.jwks_uri !== 'string' || !URL.canParse(discovered.jwks_uri)) {
    throw new IdentityProviderError(`OIDC discovery ${url} has no valid jwks_uri`);
  }
  return createRemoteJWKSet(new URL(discovered.jwks_uri), { timeoutDuration: timeoutMs });
}

/** Maps verified claims to a principal; throws `TOKEN_INVALID` when a required claim is missing. */
export function principalFromClaims(claims: JWTPayload): Principal {
  const invalid = (reason: string) => new AuthenticationError('TOKEN_INVALID', reason);
  if (typeof claims.typ === 'string' && claims.typ.toLowerCase() !== 'bearer') {
    throw invalid(`not an access token (typ ${claims.typ})`);
  }
  const subject = claims.sub;
  if (typeof subject !== 'string' || subject === '') throw invalid('token has no subject');
  const role = roleFromClaims(claims);
  if (role === null) throw invalid('token carries no PTI role');
  const tenantId = singleString(claims.tenant_id);
  if (tenantId === null) throw invalid('token has no tenant_id');
  const centreIds = stringList(claims.centre_id);
  if (centreIds === null) throw invalid('malformed centre_id claim');
  if (isCentreRole(role) && centreIds.length === 0) throw invalid(`a ${role} token must carry a centre_id`);
  const email = nonEmptyString(claims.email);
  const displayName =
    nonEmptyString(claims.name) ?? nonEmptyString(claims.preferred_username) ?? email ?? subject;
  const principal: Principal = {
    subject,
    role,
    tenantId,
    centreIds,
    displayName,
    ...(email === null ? {} : { email }),
  };
  if (!isPrincipal(principal)) throw invalid('token claims out of bounds');
  return principal;
}

/**
 * The identity claims of a principal, shaped as Keycloak writes them (`realm_access.roles`,
 * `tenant_id`, `centre_id`, `name`, `email`), so one mapping reads both issuers' tokens. Registered
 * claims (`iss`, `sub`, `aud`, `exp`, …) are the signer's business.
 */
export function principalClaims(principal: Principal): JWTPayload {
  if (principal.role === 'system') throw new Error('the system principal is never carried by a token');
  const [onlyCentre, ...otherCentres] = principal.centreIds;
  return {
    typ: 'Bearer',
    realm_access: { roles: [principal.role] },
    tenant_id: principal.tenantId,
    ...(onlyCentre === undefined
      ? {}
      : { centre_id: otherCentres.length === 0 ? onlyCentre : [...principal.centreIds] }),
    name: principal.displayName,
    ...(principal.email === undefined ? {} : { email: principal.email }),
  };
}

function roleFromClaims(claims: JWTPayload): TokenRole | null {
  const granted = new Set<string>();
  const realmAccess = claims.realm_access;
  if (typeof realmAccess === 'object' && realmAccess !== null && 'roles' in realmAccess) {
    for (const role of stringList(realmAccess.roles) ?? []) granted.add(role);
  }
  for (const role of stringList(claims.roles) ?? []) granted.add(role);
  return TOKEN_ROLES_BY_PRECEDENCE.find((role) => granted.has(role)) ?? null;
}

function nonEmptyString(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/** A string, or a list holding exactly one (Keycloak's multivalued attribute mappers write lists). */
function singleString(value: unknown): string | null {
  if (Array.isArray(value)) return value.length === 1 ? nonEmptyString(value[0]) : null;
  return nonEmptyString(value);
}

/** Absent → `[]`; a string or a list of strings → deduplicated list; anything else → null. */
function stringList(value: unknown): string[] | null {
  if (value === undefined || value === null) return [];
  const items: unknown[] = Array.isArray(value) ? value : [value];
  const strings: string[] = [];
  for (const item of items) {
    const text = nonEmptyString(item);
    if (text === null) return null;
    if (!strings.includes(text)) strings.push(text);
  }
  return strings;
}
