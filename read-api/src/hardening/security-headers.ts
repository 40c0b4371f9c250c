import type { FastifyInstance, FastifyPluginCallback } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * Security headers computed once. `@fastify/helmet` runs helmet's middleware chain on every
 * request (it rebuilds the middleware from its options each time: a tenth of the availability
 * route's CPU); the headers only depend on the options, so helmet runs once here against a
 * recording response and one synchronous hook copies the result onto every answer. Routes that
 * need other values (Swagger UI's CSP) set theirs later and win, as they did over `@fastify/helmet`.
 */
export function securityHeadersOf(options: HelmetOptions): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let failure: unknown;
  // Without nonces or request-dependent directives, helmet's middleware is synchronous.
  helmet(options)(
    {} as Parameters<ReturnType<typeof helmet>>[0],
    recorder as unknown as Parameters<ReturnType<typeof helmet>>[1],
    (error?: unknown) => {
      failure = error;
    },
  );
  if (failure !== undefined) throw failure;
  return Object.freeze(headers);
}

/**
 * Registers the headers on every answer of `app` and its children (onRequest, so errors, 404s and
 * rate-limit refusals carry them too). Skips encapsulation like `fastify-plugin`: the hook applies
 * to the scope it is registered in.
 */
export const securityHeaders: FastifyPluginCallback<{ readonly helmet: HelmetOptions }> = Object.assign(
  (app: FastifyInstance, options: { readonly helmet: HelmetOptions }, done: (error?: Error) => void) => {
    const headers = securityHeadersOf(options.helmet);
    app.addHook('onRequest', (_request, reply, next) => {
      reply.headers(headers);
      next();
    });
    done();
  },
  {
    [Symbol.for('skip-override')]: true,
    [Symbol.for('fastify.display-name')]: 'pti-security-headers',
  },
);
