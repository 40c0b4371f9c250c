import { authProblem } from '@pti/platform';
import { isDomainError } from '@pti/write-side/domain';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ReadModelUnavailableError } from '../ports/read-ports.js';
import { type ApiProblem, invalidRequest, type ProblemFieldError, problem, replyProblem } from './problem.js';

/**
 * Turns every error reaching the read API into problem+json. Input errors (validation, bad URL,
 * body too large…) keep their 4xx and a message about the input; anything else is a 500 whose
 * details go to the log and never to the client.
 */

/** What Ajv reports for one failed keyword (the subset Fastify passes on). */
interface SchemaViolation {
  readonly instancePath?: string;
  readonly keyword?: string;
  readonly params?: Readonly<Record<string, unknown>>;
  readonly message?: string;
}

function violationPath(context: string, violation: SchemaViolation): string {
  const base = `/${context}${violation.instancePath ?? ''}`;
  const params = violation.params ?? {};
  const missing = params.missingProperty;
  if (violation.keyword === 'required' && typeof missing === 'string') return `${base}/${missing}`;
  const extra = params.additionalProperty;
  if (violation.keyword === 'additionalProperties' && typeof extra === 'string') return `${base}/${extra}`;
  return base;
}

export function validationErrors(error: FastifyError): ProblemFieldError[] {
  const context = error.validationContext ?? 'request';
  return (error.validation ?? []).map((violation: SchemaViolation) => ({
    path: violationPath(context, violation),
    message: violation.message ?? 'is invalid',
  }));
}

/** Codes of Fastify's own 4xx errors, by status, for the problem `code`. */
const CODE_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'INVALID_REQUEST',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  431: 'HEADERS_TOO_LARGE',
};

/** Thrown by the rate limiter's response builder; carries the status Fastify reads. */
export class RateLimitedError extends Error {
  override readonly name = 'RateLimitedError';
  readonly statusCode = 429;
  readonly code = 'RATE_LIMITED';
}

export function problemOfError(error: FastifyError): ApiProblem {
  if (error.validation !== undefined) return invalidRequest(validationErrors(error));
  if (error instanceof RateLimitedError) return problem(429, 'RATE_LIMITED', error.message);
  if (error instanceof ReadModelUnavailableError) {
    return problem(503, 'READ_MODEL_UNAVAILABLE', 'the data is temporarily unavailable, try again shortly');
  }
  const identity = authProblem(error);
  if (identity !== null) return identity;
  // Domain validation (a phone number that does not parse…) is a client error about its input.
  if (isDomainError(error) && error.kind === 'invalid') {
    return invalidRequest([{ path: '/request', message: error.message }]);
  }
  const status = error.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    return problem(status, CODE_BY_STATUS[status] ?? 'INVALID_REQUEST', error.message);
  }
  return problem(500, 'INTERNAL_ERROR', 'an unexpected error occurred; it has been logged');
}

export function readApiErrorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const body = problemOfError(error);
  if (body.status >= 500) {
    request.log.error({ err: error, url: request.url }, 'read-api request failed');
  }
  if (error instanceof ReadModelUnavailableError) {
    reply.header('retry-after', String(error.retryAfterSeconds));
  }
  return replyProblem(reply, body);
}

/** Methods probed to tell a 405 from a 404. */
const PROBED_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * The application's not-found handler: 405 `METHOD_NOT_ALLOWED` with `Allow` when the path is a
 * route for other methods (any route of the application, the command routes included), else 404.
 * Register it once, at the root (Fastify allows one not-found handler per prefix).
 */
export function problemNotFoundHandler(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const path = request.url.split('?')[0] ?? request.url;
  const allowed = PROBED_METHODS.filter(
    (method) => method !== request.method && reply.server.findRoute({ method, url: path }) !== null,
  );
  if (allowed.length > 0) {
    reply.header('allow', allowed.join(', '));
    return replyProblem(
      reply,
      problem(405, 'METHOD_NOT_ALLOWED', `${request.method} is not allowed here; use ${allowed.join(', ')}`),
    );
  }
  return replyProblem(reply, problem(404, 'NOT_FOUND', `no route for ${request.method} ${path}`));
}

/**
 * Fastify's `frameworkErrors` option: errors raised before routing (a malformed URL) answered as
 * problems too. Pass it to `Fastify({ frameworkErrors: readApiFrameworkErrors })`.
 */
export function readApiFrameworkErrors(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  return readApiErrorHandler(error, request, reply);
}
