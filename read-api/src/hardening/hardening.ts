import type { FastifyCorsOptions } from '@fastify/cors';
import type { RateLimitPluginOptions } from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
import type { HelmetOptions } from 'helmet';
import { RateLimitedError } from '../http/error-handling.js';

/**
 * Hardening settings of the read API: rate limits, security headers, CORS.
 *
 * Rate limits count per caller: per verified principal (tenant and subject) for staff, per client
 * IP for anonymous callers (behind the edge, set the server's `trustProxy` so `request.ip` is the
 * client's). A refused or missing token counts per IP, so random tokens buy nothing. Booking
 * lookups and documents have their own tighter bucket: they are where a guesser would knock.
 */

export interface RateLimitSettings {
  /** Requests per window per IP on public routes. */
  readonly publicMax: number;
  /** Requests per window per principal on staff routes. */
  readonly staffMax: number;
  /** Requests per window per IP (or principal) on booking lookups and documents. */
  readonly lookupMax: number;
  readonly timeWindowMs: number;
}

/** Generous for people (10 req/s per IP), tight for reference guessing (1 lookup every 2 s). */
export const DEFAULT_RATE_LIMITS: RateLimitSettings = {
  publicMax: 600,
  staffMax: 1200,
  lookupMax: 30,
  timeWindowMs: 60_000,
};

export function rateLimitKey(request: FastifyRequest): string {
  const principal = request.principal;
  return principal ? `principal:${principal.tenantId}:${principal.subject}` : `ip:${request.ip}`;
}

export function rateLimitOptions(settings: RateLimitSettings): RateLimitPluginOptions {
  return {
    global: true,
    timeWindow: settings.timeWindowMs,
    keyGenerator: rateLimitKey,
    max: (_request, key) => (key.startsWith('principal:') ? settings.staffMax : settings.publicMax),
    errorResponseBuilder: (_request, context) =>
      new RateLimitedError(`too many requests; retry in ${context.after}`),
  };
}

/**
 * Security headers of JSON answers (helmet's options): nothing may be loaded or framed from them.
 * Swagger UI sets its own, looser CSP on its pages (`staticCSP`), so the two coexist. Computed once
 * and set by one hook (`security-headers.ts`).
 */
export const API_HELMET_OPTIONS: HelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'none'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'none'"],
    },
  },
  crossOriginResourcePolicy: { policy: 'same-site' },
  referrerPolicy: { policy: 'no-referrer' },
  hsts: { maxAge: 31_536_000, includeSubDomains: true },
};

/** CORS for the clients served from other origins (bearer tokens, no cookies: no credentials). */
export function corsOptions(origins: readonly string[]): FastifyCorsOptions {
  return {
    origin: [...origins],
    methods: ['GET', 'HEAD', 'OPTIONS'],
    allowedHeaders: ['Authorization', 'Accept', 'Content-Type', 'If-None-Match'],
    exposedHeaders: [
      'Content-Disposition',
      'Retry-After',
      'X-RateLimit-Limit',
      'X-RateLimit-Remaining',
      'X-RateLimit-Reset',
    ],
    credentials: false,
    maxAge: 600,
  };
}
