/**
 * Identity errors. Each `code` is stable and public (it becomes the `code` of the HTTP
 * problem+json answer and clients switch on it): codes are only ever added, never renamed.
 *
 * | error                       | code                      | HTTP | meaning                                                  |
 * | --------------------------- | ------------------------- | ---- | -------------------------------------------------------- |
 * | {@link AuthenticationError} | `TOKEN_MISSING`           | 401  | the route needs a caller and no bearer token was sent    |
 * |                             | `TOKEN_INVALID`           | 401  | malformed, badly signed, wrong issuer/audience, no role  |
 * |                             | `TOKEN_EXPIRED`           | 401  | well signed but past its `exp` (beyond clock tolerance)  |
 * |                             | `INVALID_CREDENTIALS`     | 401  | embedded login: unknown user or wrong password           |
 * | {@link AuthorizationError}  | `FORBIDDEN`               | 403  | the caller's role does not carry the permission          |
 * |                             | `OUT_OF_SCOPE`            | 403  | right role, but another tenant or another centre         |
 * | {@link IdentityProviderError} | `IDP_UNAVAILABLE`       | 503  | the OIDC provider's discovery or JWKS could not be read  |
 * | {@link DemoAccountsForbiddenError} | `DEMO_ACCOUNTS_FORBIDDEN` | – | start-up refusal: demo accounts outside embedded mode |
 */

export type AuthenticationErrorCode =
  | 'TOKEN_MISSING'
  | 'TOKEN_INVALID'
  | 'TOKEN_EXPIRED'
  | 'INVALID_CREDENTIALS';

/** The caller could not be identified (HTTP 401). `message` is safe to show; it never echoes the token. */
export class AuthenticationError extends Error {
  override readonly name = 'AuthenticationError';
  readonly status = 401;
  constructor(
    readonly code: AuthenticationErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type AuthorizationErrorCode = 'FORBIDDEN' | 'OUT_OF_SCOPE';

/** What an `OUT_OF_SCOPE` refusal crossed: another tenant, or a centre outside the caller's list. */
export type ScopeViolation = 'tenant' | 'centre';

/** The caller is identified but may not do this (HTTP 403, or 404 where a route hides other tenants). */
export class AuthorizationError extends Error {
  override readonly name = 'AuthorizationError';
  readonly status = 403;
  constructor(
    readonly code: AuthorizationErrorCode,
    message: string,
    /** Set for `OUT_OF_SCOPE` only. */
    readonly violation: ScopeViolation | null = null,
  ) {
    super(message);
  }
}

/** The OIDC provider could not be reached or answered nonsense: not the caller's fault (HTTP 503). */
export class IdentityProviderError extends Error {
  override readonly name = 'IdentityProviderError';
  readonly code = 'IDP_UNAVAILABLE';
  readonly status = 503;
}

/** Start-up refusal: demo accounts (password `demo`) may only exist in embedded, non-production mode. */
export class DemoAccountsForbiddenError extends Error {
  override readonly name = 'DemoAccountsForbiddenError';
  readonly code = 'DEMO_ACCOUNTS_FORBIDDEN';
}
