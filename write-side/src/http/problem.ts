import { STATUS_CODES } from 'node:http';
import { StreamNameError } from '@pti/events';
import { authProblem, PROBLEM_CONTENT_TYPE, sendProblem as sendAuthProblem } from '@pti/platform';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { ConcurrencyExhaustedError, PreconditionFailedError } from '../commands/execute-command.js';
import { type DomainErrorKind, isDomainError } from '../domain/shared/domain-error.js';

/**
 * Errors as `application/problem+json` (RFC 9457) with a stable `code` clients switch on:
 *
 * | code                                   | status | when                                                         |
 * | -------------------------------------- | ------ | ------------------------------------------------------------ |
 * | domain codes (`SLOT_TAKEN`, …)         | 422 / 404 / 409 | a decider refused (kind invalid / not_found / conflict) |
 * | `VALIDATION_FAILED`                    | 400    | the request breaks its schema; `errors` lists the paths      |
 * | `MALFORMED_JSON`                       | 400    | the body is not JSON (or is empty while JSON is announced)   |
 * | `BAD_REQUEST`                          | 400    | any other malformed request (bad Content-Length, …)          |
 * | `PAYLOAD_TOO_LARGE`                    | 413    | body over the route's limit (64 KiB)                         |
 * | `UNSUPPORTED_MEDIA_TYPE`               | 415    | a body that is not `application/json`                        |
 * | `CONCURRENT_MODIFICATION`              | 409    | the stream kept changing under every retry                   |
 * | `PRECONDITION_FAILED`                  | 412    | `If-Match` names another revision than the stream's          |
 * | `IDEMPOTENCY_KEY_REUSED`               | 422    | an Idempotency-Key sent again with another request           |
 * | `IDEMPOTENCY_KEY_IN_USE`               | 409    | the first request with that key is still running             |
 * | `ERASURE_INCOMPLETE`                   | 503    | GDPR erasure: key destroyed, a read model failed to scrub; retry |
 * | `TOKEN_MISSING`, `FORBIDDEN`, `NOT_FOUND`, … | 401 / 403 / 404 / 503 | identity (platform/src/auth)              |
 * | `INTERNAL_ERROR`                       | 500    | a fault of ours (logged; never for bad input)                |
 *
 * A domain refusal's `details` (machine-readable facts, never personal data) ride along, e.g.
 * `details.reason` with the booking rule that refused.
 */
export const ProblemDetails = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String(),
    detail: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { description: 'RFC 9457 problem details with a stable code' },
);
export type ProblemDetails = Static<typeof ProblemDetails>;

/** Problem responses of a route, for its schema (and so its OpenAPI document). */
export const problemResponses = {
  '4xx': { description: 'Refused', content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemDetails } } },
  '5xx': { description: 'Fault', content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemDetails } } },
} as const;

/** An HTTP-level refusal raised by the routes themselves (idempotency, preconditions). */
export class HttpProblem extends Error {
  override readonly name = 'HttpProblem';
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    /** Machine-readable facts sent as `details` (never personal data). */
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(detail);
  }
}

const STATUS_OF_KIND: Record<DomainErrorKind, number> = { invalid: 422, not_found: 404, conflict: 409 };

export function problem(
  status: number,
  code: string,
  detail?: string,
  extra: Partial<ProblemDetails> = {},
): ProblemDetails {
  return {
    type: 'about:blank',
    title: STATUS_CODES[status] ?? 'Error',
    status,
    code,
    ...(detail === undefined ? {} : { detail }),
    ...extra,
  };
}

interface FastifyLikeError {
  readonly code?: unknown;
  readonly statusCode?: unknown;
  readonly validation?: unknown;
  readonly validationContext?: unknown;
  readonly message?: unknown;
}

const FASTIFY_CODES: Record<string, { status: number; code: string; detail: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: {
    status: 400,
    code: 'MALFORMED_JSON',
    detail: 'the body is not valid JSON',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: 400,
    code: 'MALFORMED_JSON',
    detail: 'the body is empty while Content-Type says JSON',
  },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'PAYLOAD_TOO_LARGE', detail: 'the body is too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    detail: 'send the body as application/json',
  },
};

function validationIssues(value: unknown): { path: string; message: string }[] {
  if (!Array.isArray(value)) return [];
  return value.map((issue: { path?: unknown; instancePath?: unknown; message?: unknown }) => ({
    path: String(issue.path ?? issue.instancePath ?? ''),
    message: String(issue.message ?? 'invalid'),
  }));
}

/** The problem answering an error thrown by a route; null when it is a fault of ours (answer 500). */
export function problemOf(error: unknown): ProblemDetails | null {
  if (isDomainError(error)) {
    const details = Object.keys(error.details).length > 0 ? { details: { ...error.details } } : {};
    return problem(STATUS_OF_KIND[error.kind], error.code, error.message, details);
  }
  if (error instanceof ConcurrencyExhaustedError) {
    return problem(409, error.code, 'the resource kept changing: try again');
  }
  if (error instanceof PreconditionFailedError) {
    return problem(412, error.code, `the resource is at revision ${error.actual}, not ${error.expected}`, {
      details: { revision: Number(error.actual) },
    });
  }
  if (error instanceof HttpProblem) {
    return problem(
      error.status,
      error.code,
      error.message,
      error.details ? { details: { ...error.details } } : {},
    );
  }
  if (error instanceof StreamNameError) return problem(400, 'VALIDATION_FAILED', error.message);
  const auth = authProblem(error, { notFoundOutOfTenant: true });
  if (auth) return auth;
  if (typeof error !== 'object' || error === null) return null;
  const fastify = error as FastifyLikeError;
  if (fastify.validation !== undefined) {
    const part = typeof fastify.validationContext === 'string' ? fastify.validationContext : 'request';
    return problem(400, 'VALIDATION_FAILED', `the ${part} does not match its schema`, {
      errors: validationIssues(fastify.validation),
    });
  }
  const known = typeof fastify.code === 'string' ? FASTIFY_CODES[fastify.code] : undefined;
  if (known) return problem(known.status, known.code, known.detail);
  const status = typeof fastify.statusCode === 'number' ? fastify.statusCode : 500;
  if (status >= 400 && status < 500) {
    return problem(
      status,
      status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST',
      String(fastify.message ?? ''),
    );
  }
  return null;
}

/** Sends a problem (the platform's sender adds `WWW-Authenticate` to a 401). */
export function sendProblemDetails(reply: FastifyReply, details: ProblemDetails): FastifyReply {
  if (details.status === 401) return sendAuthProblem(reply, details);
  return reply.code(details.status).type(PROBLEM_CONTENT_TYPE).send(details);
}
