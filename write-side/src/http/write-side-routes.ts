import type { FastifyError, FastifyInstance } from 'fastify';
import { bookingRoutes } from '../booking/booking-routes.js';
import { calendarRoutes } from '../calendar/calendar-routes.js';
import { centreRoutes } from '../centre/centre-routes.js';
import { gdprRoutes } from '../personal-data/gdpr-routes.js';
import type { WriteSideRouteDeps } from './command-request.js';
import { problem, problemOf, sendProblemDetails } from './problem.js';
import { strictValidatorCompiler } from './validation.js';

/** Router options the server must be created with: manage tokens travel in the path. */
export const WRITE_SIDE_ROUTER_OPTIONS = { maxParamLength: 512 } as const;

/**
 * The command API (`/api/v1`), as a Fastify plugin: `await app.register(writeSideRoutes, deps)`.
 * Register `fastifyAuth` (platform) and `registerOpenApi` on the root instance first.
 *
 * Inside the plugin (encapsulated, so other routes of the server keep their own settings):
 * - requests are validated strictly (`strictValidatorCompiler`: no removal, no coercion);
 * - only JSON bodies are accepted (a text/plain body is 415, not a string that fails validation);
 * - every error is answered as `application/problem+json` (`problemOf`); bad input is always a 4xx;
 *   only a fault of ours is a 500, logged with its stack.
 */
export async function writeSideRoutes(app: FastifyInstance, deps: WriteSideRouteDeps): Promise<void> {
  const routerOptions = (app.initialConfig as { routerOptions?: { maxParamLength?: number } }).routerOptions;
  if ((routerOptions?.maxParamLength ?? 100) < WRITE_SIDE_ROUTER_OPTIONS.maxParamLength) {
    // Fastify's default (100) would answer a manage link with a bare 414 before any route runs.
    throw new Error(
      `create the server with routerOptions: { maxParamLength: ${WRITE_SIDE_ROUTER_OPTIONS.maxParamLength} } (WRITE_SIDE_ROUTER_OPTIONS): manage tokens are path parameters of ~125 characters`,
    );
  }
  app.setValidatorCompiler(strictValidatorCompiler);
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const known = problemOf(error);
    if (known) {
      if (known.status >= 500) request.log.error({ err: error }, 'command failed');
      return sendProblemDetails(reply, known);
    }
    request.log.error({ err: error }, 'command failed');
    return sendProblemDetails(
      reply,
      problem(500, 'INTERNAL_ERROR', 'an unexpected error occurred; it was logged'),
    );
  });
  await centreRoutes(app, deps);
  await calendarRoutes(app, deps);
  await bookingRoutes(app, deps);
  if (deps.personalData !== undefined) {
    await gdprRoutes(app, { ...deps, personalData: deps.personalData, cache: deps.writeSide.env.cache });
  }
}
