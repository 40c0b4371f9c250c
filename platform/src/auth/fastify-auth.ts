import { STATUS_CODES } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { ActorRole } from '@pti/events';
import { type Static, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EmbeddedIssuer } from './embedded-issuer.js';
import { AuthenticationError, AuthorizationError, IdentityProviderError } from './errors.js';
import type { JwtVerifier } from './jwt-verifier.js';
import { type AuthScope, authorize, type Permission, Principal } from './principal.js';

/**
 * Fastify integration.
 *
 * * {@link fastifyAuth} (register it once, at the root: it skips Fastify's encapsulation) reads
 *   `Authorization: Bearer <token>` on every request and sets `request.principal`. No header → `null`
 *   (anonymous). A bad or expired token is not answered here: the principal stays `null` and the
 *   failure is kept in `request.authFailure`, so public routes still serve a caller holding a stale
 *   token while protected routes answer its precise code.
 * * Route guards ({@link requireAuthenticated}, {@link requireRole}, {@link requirePermission})
 *   are `preHandler`s. They answer `application/problem+json` `{ type, title, status, code, detail }`:
 *   401 (`TOKEN_MISSING`, `TOKEN_INVALID`, `TOKEN_EXPIRED`, with a `WWW-Authenticate: Bearer`
 *   header), 403 (`FORBIDDEN`, `OUT_OF_SCOPE`), 503 (`IDP_UNAVAILABLE`).
 * * Hiding other tenants: a route whose resource id could belong to another tenant passes
 *   `notFoundOutOfTenant: true`; a tenant mismatch then answers the same 404 `NOT_FOUND` as an
 *   unknown id, so ids cannot be probed across tenants. A missing role still answers 403 (it does
 *   not depend on the resource, so it leaks nothing) and a centre outside the caller's list inside
 *   its own tenant answers 403 `OUT_OF_SCOPE`.
 * * Handlers that load the resource before deciding call `assertCan` and turn the thrown
 *   {@link AuthorizationError} into an answer with {@link authProblem} and {@link sendProblem}.
 */

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified caller, or null (anonymous, or a token that failed: see `authFailure`). */
    principal: Principal | null;
    /** Why the bearer token sent was refused, when one was sent and refused. */
    authFailure: AuthenticationError | IdentityProviderError | null;
  }
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export const Problem = Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  code: Type.String(),
  detail: Type.Optional(Type.String()),
});
export type Problem = Static<typeof Problem>;

export interface AuthProblemOptions {
  /** Answer a tenant mismatch as 404 `NOT_FOUND`, to not reveal that the resource exists. */
  readonly notFoundOutOfTenant?: boolean;
}

/** The 401 (or 503 when the provider is down) answering a refused or missing token. */
export function authenticationProblem(error: AuthenticationError | IdentityProviderError): Problem {
  if (error instanceof IdentityProviderError) {
    // The cause (URLs, network errors) goes to the log, not to the client.
    return {
      type: 'about:blank',
      title: 'Service Unavailable',
      status: 503,
      code: error.code,
      detail: 'the identity provider is unavailable, try again later',
    };
  }
  return { type: 'about:blank', title: 'Unauthorized', status: 401, code: error.code, detail: error.message };
}

/** The 403, or the 404 hiding another tenant's resource when `notFoundOutOfTenant` is set. */
export function authorizationProblem(error: AuthorizationError, options: AuthProblemOptions = {}): Problem {
  if (options.notFoundOutOfTenant === true && error.violation === 'tenant') {
    return {
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      code: 'NOT_FOUND',
      detail: 'no such resource',
    };
  }
  return { type: 'about:blank', title: 'Forbidden', status: 403, code: error.code, detail: error.message };
}

/** The problem answering an identity error; null for any other error (not ours to answer). */
export function authProblem(error: unknown, options: AuthProblemOptions = {}): Problem | null {
  if (error instanceof AuthenticationError || error instanceof IdentityProviderError) {
    return authenticationProblem(error);
  }
  if (error instanceof AuthorizationError) return authorizationProblem(error, options);
  return null;
}

/** Sends `problem` as `application/problem+json` (with `WWW-Authenticate` on a 401). */
export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  if (problem.status === 401) {
    const tokenRefused = problem.code === 'TOKEN_INVALID' || problem.code === 'TOKEN_EXPIRED';
    reply.header(
      'www-authenticate',
      tokenRefused ? 'Bearer realm="pti", error="invalid_token"' : 'Bearer realm="pti"',
    );
  }
  return reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
}

export interface FastifyAuthOptions {
  readonly verifier: JwtVerifier;
}

const BEARER = /^Bearer +([A-Za-z0-9\-_.~+/]+=*) *$/i;

async function authPlugin(app: FastifyInstance, options: FastifyAuthOptions): Promise<void> {
  app.decorateRequest('principal', null);
  app.decorateRequest('authFailure', null);
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    if (header === undefined) return;
    try {
      const match = BEARER.exec(header);
      if (match?.[1] === undefined) {
        throw new AuthenticationError('TOKEN_INVALID', 'the Authorization header is not "Bearer <token>"');
      }
      request.principal = await options.verifier.verify(match[1]);
    } catch (error) {
      if (error instanceof IdentityProviderError) {
        request.log.error({ err: error }, 'identity provider unavailable');
        request.authFailure = error;
      } else if (error instanceof AuthenticationError) {
        request.authFailure = error;
      } else {
        throw error;
      }
    }
  });
}

/**
 * The authentication plugin: `await app.register(fastifyAuth, { verifier })` once, before the
 * routes. It skips encapsulation (as `fastify-plugin` would) so the decorators and hook apply to
 * the whole application.
 */
export const fastifyAuth = Object.assign(authPlugin, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: 'pti-auth',
});

/**
 * A guard for a route's `preHandler`. It takes the untyped request, so it fits any route; a
 * `scope` callback reading typed params narrows them itself (`request.params as { centreId: string }`).
 */
export type AuthGuard = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;

/** The caller, or the 401 answer to send: the token's own failure, else `TOKEN_MISSING`. */
function authenticated(request: FastifyRequest): Principal | Problem {
  const principal = request.principal ?? null;
  if (principal !== null) return principal;
  return authenticationProblem(
    request.authFailure ?? new AuthenticationError('TOKEN_MISSING', 'this route needs a bearer token'),
  );
}

function isProblem(value: Principal | Problem): value is Problem {
  return 'status' in value;
}

/** Lets any verified caller through; 401 otherwise. */
export function requireAuthenticated(): AuthGuard {
  return async (request, reply) => {
    const caller = authenticated(request);
    return isProblem(caller) ? sendProblem(reply, caller) : undefined;
  };
}

/** Lets through callers holding one of `roles`; 401 without a caller, 403 `FORBIDDEN` otherwise. */
export function requireRole(...roles: readonly ActorRole[]): AuthGuard {
  return async (request, reply) => {
    const caller = authenticated(request);
    if (isProblem(caller)) return sendProblem(reply, caller);
    if (roles.includes(caller.role)) return undefined;
    const error = new AuthorizationError('FORBIDDEN', `role ${caller.role} may not use this route`);
    return sendProblem(reply, authorizationProblem(error));
  };
}

export interface RequirePermissionOptions extends AuthProblemOptions {
  /**
   * The tenant (and centre) the request acts on, from its params or a read model. Omitted or
   * returning undefined: only the role is checked here and the handler checks the scope itself.
   */
  readonly scope?: (request: FastifyRequest) => AuthScope | undefined | Promise<AuthScope | undefined>;
}

/** Lets through callers whose role holds `permission` within the request's scope (see `authorize`). */
export function requirePermission(permission: Permission, options: RequirePermissionOptions = {}): AuthGuard {
  return async (request, reply) => {
    const caller = authenticated(request);
    if (isProblem(caller)) return sendProblem(reply, caller);
    // The role first: a refusal that does not depend on the resource costs no scope lookup.
    let decision = authorize(caller, permission);
    if (decision.allowed && options.scope !== undefined) {
      decision = authorize(caller, permission, await options.scope(request));
    }
    if (decision.allowed) return undefined;
    const error = new AuthorizationError(decision.code, decision.reason, decision.violation);
    return sendProblem(reply, authorizationProblem(error, options));
  };
}

export const LoginRequest = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 320 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);
export type LoginRequest = Static<typeof LoginRequest>;
const checkLoginRequest = TypeCompiler.Compile(LoginRequest);

export const LoginResponse = Type.Object({
  accessToken: Type.String(),
  tokenType: Type.Literal('Bearer'),
  expiresIn: Type.Integer({ description: 'seconds until the token expires' }),
  principal: Principal,
});
export type LoginResponse = Static<typeof LoginResponse>;

export interface EmbeddedLoginOptions {
  /** Pause before answering a failed login, to slow down guessing; 250 ms by default. */
  readonly failureDelayMs?: number;
}

export const DEFAULT_LOGIN_FAILURE_DELAY_MS = 250;

function requireAuthPlugin(app: FastifyInstance): void {
  if (!app.hasRequestDecorator('principal')) {
    throw new Error(
      'register fastifyAuth (await app.register(fastifyAuth, { verifier })) before the auth routes',
    );
  }
}

/** `GET /api/v1/auth/me`: the caller's principal (any mode; 401 without a valid token). */
export function registerMeRoute(app: FastifyInstance): void {
  requireAuthPlugin(app);
  app.get(
    '/api/v1/auth/me',
    {
      schema: {
        response: { 200: Principal, 401: Problem, 503: Problem },
      },
      preHandler: requireAuthenticated(),
    },
    async (request) => request.principal,
  );
}

/**
 * Embedded mode's login: `POST /api/v1/auth/login { username, password }` →
 * `{ accessToken, tokenType, expiresIn, principal }`; 401 `INVALID_CREDENTIALS` problem after a
 * fixed delay on a bad username or password (the same answer for both); 400 `INVALID_REQUEST` on a
 * malformed body. Also registers `GET /api/v1/auth/me` (do not call {@link registerMeRoute} too).
 */
export function registerEmbeddedLogin(
  app: FastifyInstance,
  issuer: EmbeddedIssuer,
  options: EmbeddedLoginOptions = {},
): void {
  requireAuthPlugin(app);
  const failureDelayMs = options.failureDelayMs ?? DEFAULT_LOGIN_FAILURE_DELAY_MS;
  app.post<{ Body: LoginRequest }>(
    '/api/v1/auth/login',
    {
      schema: {
        body: LoginRequest,
        response: { 200: LoginResponse, 400: Problem, 401: Problem },
      },
      // Strict whatever the application's Ajv options (Fastify's default strips unknown fields
      // and coerces types): the body is exactly { username, password }, two strings.
      validatorCompiler: () => (data: unknown) =>
        checkLoginRequest.Check(data) ? { value: data } : { error: new Error('invalid login request') },
      // Malformed JSON, a wrong content type, a body failing the schema: one problem+json 4xx.
      errorHandler: (error, _request, reply) => {
        const status = error.statusCode ?? 500;
        if (status < 400 || status >= 500) throw error;
        return sendProblem(reply, {
          type: 'about:blank',
          title: STATUS_CODES[status] ?? 'Bad Request',
          status,
          code: 'INVALID_REQUEST',
          detail: 'expected a JSON body { username, password } of non-empty strings',
        });
      },
    },
    async (request, reply) => {
      try {
        const result = await issuer.login(request.body.username, request.body.password);
        return reply.code(200).send(result);
      } catch (error) {
        if (!(error instanceof AuthenticationError)) throw error;
        await delay(failureDelayMs);
        return sendProblem(reply, authenticationProblem(error));
      }
    },
  );
  registerMeRoute(app);
}
