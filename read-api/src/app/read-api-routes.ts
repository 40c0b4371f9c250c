import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ManageTokenSecret } from '@pti/write-side/domain';
import type { FastifyInstance } from 'fastify';
import { registerAuditRoutes } from '../audit/audit-routes.js';
import { registerBookingLookupRoutes } from '../bookings/booking-lookup-routes.js';
import { registerAvailabilityRoutes } from '../centres/availability-routes.js';
import { registerCentreRoutes } from '../centres/centre-routes.js';
import { registerDocumentRoutes } from '../documents/document-routes.js';
import {
  API_HELMET_OPTIONS,
  corsOptions,
  DEFAULT_RATE_LIMITS,
  type RateLimitSettings,
  rateLimitOptions,
} from '../hardening/hardening.js';
import { securityHeaders } from '../hardening/security-headers.js';
import { readApiErrorHandler } from '../http/error-handling.js';
import { registerProjectionStatusRoutes } from '../ops/projection-status-routes.js';
import type { ReadPorts } from '../ports/read-ports.js';
import { registerFleetBookingsRoutes } from '../pro/fleet-bookings-routes.js';
import { registerReportingRoutes } from '../reporting/reporting-routes.js';
import { registerAgendaRoutes } from '../staff/agenda-routes.js';
import { registerBookingDetailRoutes } from '../staff/booking-detail-routes.js';
import { registerCustomerHistoryRoutes } from '../staff/customer-history-routes.js';
import { registerCustomerSearchRoutes } from '../staff/customer-search-routes.js';
import type { DocumentSettings, RouteContext } from './route-context.js';

/** What the composition root provides. */
export interface ReadApiDeps {
  readonly ports: ReadPorts;
  /** The write side's manage-token secrets (`PTI_MANAGE_TOKEN_SECRETS`): every one verifies. */
  readonly manageTokenSecrets: readonly ManageTokenSecret[];
  /** "Now"; the system clock by default. */
  readonly clock?: () => Date;
}

export interface ReadApiRoutesOptions {
  /** `/api/v1` by default. */
  readonly prefix?: string;
  /** Partial settings override {@link DEFAULT_RATE_LIMITS}; `false` turns limiting off (benchmarks). */
  readonly rateLimit?: Partial<RateLimitSettings> | false;
  /**
   * Security headers on the read API's answers. Default on; pass `false` when the application
   * sets them at its root already (`securityHeaders` of `hardening/security-headers.ts`).
   */
  readonly securityHeaders?: boolean;
  /**
   * Origins allowed to call the API from a browser (the clients when served elsewhere). Empty or
   * `false`: same-origin only. Like helmet, register it once per application.
   */
  readonly corsOrigins?: readonly string[] | false;
  /** Largest request body accepted (the read API takes none; commands mounted alongside may). */
  readonly bodyLimitBytes?: number;
  /**
   * How long an availability answer is reused in process (ms; default 1,000, 0 reads the read
   * model on every request). Answers are at most this much older than the read model, on top of
   * the projection lag; the route tells clients `max-age=5` anyway.
   */
  readonly availabilityCacheMs?: number;
  /** Where documents point motorists; `publicBaseUrl` builds the default manage link. */
  readonly documents?: Partial<DocumentSettings> & { readonly publicBaseUrl?: string };
}

export const READ_API_PREFIX = '/api/v1';
export const DEFAULT_BODY_LIMIT_BYTES = 16 * 1024;
export const DEFAULT_PUBLIC_BASE_URL = 'http://localhost:3000';

export function documentSettings(options: ReadApiRoutesOptions['documents'] = {}): DocumentSettings {
  const base = (options.publicBaseUrl ?? DEFAULT_PUBLIC_BASE_URL).replace(/\/+$/, '');
  return {
    manageUrl:
      options.manageUrl ??
      ((reference) => `${base}/rendez-vous/gerer?reference=${encodeURIComponent(reference)}`),
    organizerEmail: options.organizerEmail ?? 'rendez-vous@pti-calendar.fr',
    uidDomain: options.uidDomain ?? 'pti-calendar.fr',
  };
}

/**
 * The read API: every query route under `/api/v1`, in its own encapsulated scope with its error
 * handler (problem+json), rate limits, security headers and CORS.
 *
 * Requires `fastifyAuth` registered at the root (it sets `request.principal`). Register the
 * OpenAPI document ({@link registerReadApiDocs}) before it to have its routes documented, and
 * {@link problemNotFoundHandler} once at the root for problem+json 404/405 answers.
 */
export async function readApiRoutes(
  app: FastifyInstance,
  deps: ReadApiDeps,
  options: ReadApiRoutesOptions = {},
): Promise<void> {
  const limits = options.rateLimit === false ? false : { ...DEFAULT_RATE_LIMITS, ...options.rateLimit };
  const bodyLimit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const context: RouteContext = {
    ports: deps.ports,
    now: deps.clock ?? (() => new Date()),
    manageTokenSecrets: deps.manageTokenSecrets,
    documents: documentSettings(options.documents),
    lookupRateLimit: limits === false ? false : { max: limits.lookupMax, timeWindow: limits.timeWindowMs },
    availabilityCacheMs: options.availabilityCacheMs,
  };

  await app.register(
    async (scope) => {
      if (!scope.hasRequestDecorator('principal')) {
        throw new Error(
          'register fastifyAuth (await app.register(fastifyAuth, { verifier })) before readApiRoutes',
        );
      }
      scope.setErrorHandler(readApiErrorHandler);
      scope.addHook('onRoute', (route) => {
        route.bodyLimit ??= bodyLimit;
      });
      if (options.securityHeaders !== false)
        await scope.register(securityHeaders, { helmet: API_HELMET_OPTIONS });
      if (
        options.corsOrigins !== undefined &&
        options.corsOrigins !== false &&
        options.corsOrigins.length > 0
      ) {
        await scope.register(cors, corsOptions(options.corsOrigins));
      }
      if (limits !== false) await scope.register(rateLimit, rateLimitOptions(limits));

      const api = scope.withTypeProvider<TypeBoxTypeProvider>();
      registerCentreRoutes(api, context);
      registerAvailabilityRoutes(api, context);
      registerBookingLookupRoutes(api, context);
      registerDocumentRoutes(api, context);
      registerAgendaRoutes(api, context);
      registerCustomerSearchRoutes(api, context);
      registerCustomerHistoryRoutes(api, context);
      registerFleetBookingsRoutes(api, context);
      registerBookingDetailRoutes(api, context);
      registerReportingRoutes(api, context);
      registerAuditRoutes(api, context);
      registerProjectionStatusRoutes(api, context);
    },
    { prefix: options.prefix ?? READ_API_PREFIX },
  );
}
