import cors from '@fastify/cors';
import { fastifyAuth, type JwtVerifier } from '@pti/platform';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { API_HELMET_OPTIONS, corsOptions } from '../hardening/hardening.js';
import { securityHeaders } from '../hardening/security-headers.js';
import {
  problemNotFoundHandler,
  readApiErrorHandler,
  readApiFrameworkErrors,
} from '../http/error-handling.js';
import { type ReadApiDocsOptions, registerReadApiDocs } from './read-api-docs.js';
import {
  DEFAULT_BODY_LIMIT_BYTES,
  type ReadApiDeps,
  type ReadApiRoutesOptions,
  readApiRoutes,
} from './read-api-routes.js';

export interface ReadApiServerOptions extends ReadApiRoutesOptions {
  readonly verifier: JwtVerifier;
  readonly logger?: FastifyBaseLogger;
  /** Trust `X-Forwarded-For` from the edge so rate limits count per client IP. */
  readonly trustProxy?: boolean | string | readonly string[];
  /** `false`: no OpenAPI document or Swagger UI. */
  readonly docs?: ReadApiDocsOptions | false;
}

/**
 * The read API as a whole application (services mode, and tests): identity, security headers,
 * CORS, the OpenAPI document and Swagger UI, the routes, and problem+json for everything that
 * matches no route. Embedded mode composes the same parts into the one server instead.
 */
export async function buildReadApiServer(
  deps: ReadApiDeps,
  options: ReadApiServerOptions,
): Promise<FastifyInstance> {
  const bodyLimit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const trustProxy = options.trustProxy ?? false;
  const app: FastifyInstance = Fastify({
    ...(options.logger === undefined ? { logger: false } : { loggerInstance: options.logger }),
    bodyLimit,
    trustProxy:
      typeof trustProxy === 'boolean' || typeof trustProxy === 'string' ? trustProxy : [...trustProxy],
    // Manage tokens and stream names are long: leave room beyond find-my-way's 100 characters.
    routerOptions: { maxParamLength: 256 },
    frameworkErrors: readApiFrameworkErrors,
  });
  app.setErrorHandler(readApiErrorHandler);
  app.setNotFoundHandler(problemNotFoundHandler);
  await app.register(fastifyAuth, { verifier: options.verifier });
  await app.register(securityHeaders, { helmet: API_HELMET_OPTIONS });
  const origins = options.corsOrigins === false ? [] : (options.corsOrigins ?? []);
  if (origins.length > 0) await app.register(cors, corsOptions(origins));
  if (options.docs !== false) await registerReadApiDocs(app, options.docs ?? {});
  await readApiRoutes(app, deps, { ...options, securityHeaders: false, corsOrigins: false });
  return app;
}
