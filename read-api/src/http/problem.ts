import { STATUS_CODES } from 'node:http';
import { PROBLEM_CONTENT_TYPE, sendProblem } from '@pti/platform';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';

/**
 * Errors as `application/problem+json` (RFC 9457), the shape the identity guards already answer
 * (`{ type, title, status, code, detail }`), plus `errors` naming each invalid input by path.
 * `code` is stable and public: clients switch on it; codes are only ever added.
 *
 * | status | code                        | when                                                        |
 * | ------ | --------------------------- | ----------------------------------------------------------- |
 * | 400    | `INVALID_REQUEST`           | a parameter fails its schema or a cross-field rule          |
 * | 400    | `INVALID_CURSOR`            | a cursor that is not ours, or made for another query        |
 * | 401    | `TOKEN_*`                   | (identity guards) missing, invalid or expired token         |
 * | 403    | `FORBIDDEN`, `OUT_OF_SCOPE` | (identity guards) role lacks the permission, other centre   |
 * | 404    | `NOT_FOUND`                 | no such route or resource (also another tenant's resource)  |
 * | 404    | `BOOKING_NOT_FOUND`         | no booking for this reference and proof, or this token      |
 * | 405    | `METHOD_NOT_ALLOWED`        | the path exists for other methods (`Allow` lists them)      |
 * | 406    | `NOT_ACCEPTABLE`            | `Accept` admits none of the route's media types             |
 * | 413    | `PAYLOAD_TOO_LARGE`         | body over the limit                                         |
 * | 415    | `UNSUPPORTED_MEDIA_TYPE`    | body of a type no parser takes                              |
 * | 429    | `RATE_LIMITED`              | too many requests (`Retry-After` says when to retry)        |
 * | 500    | `INTERNAL_ERROR`            | a bug: details go to the log only                           |
 * | 503    | `READ_MODEL_UNAVAILABLE`    | a store is down or a read model not built yet               |
 */

export const ProblemFieldError = Type.Object({
  /** JSON pointer into the request: `/querystring/lat`, `/params/reference`. */
  path: Type.String(),
  message: Type.String(),
});
export type ProblemFieldError = Static<typeof ProblemFieldError>;

export const ApiProblem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String(),
    detail: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(ProblemFieldError)),
  },
  { description: 'application/problem+json' },
);
export type ApiProblem = Static<typeof ApiProblem>;

export function problem(
  status: number,
  code: string,
  detail?: string,
  errors?: readonly ProblemFieldError[],
): ApiProblem {
  return {
    type: 'about:blank',
    title: STATUS_CODES[status] ?? 'Error',
    status,
    code,
    ...(detail === undefined ? {} : { detail }),
    ...(errors === undefined || errors.length === 0 ? {} : { errors: [...errors] }),
  };
}

export function invalidRequest(errors: readonly ProblemFieldError[]): ApiProblem {
  const first = errors[0];
  return problem(
    400,
    'INVALID_REQUEST',
    first === undefined ? 'invalid request' : `${first.path}: ${first.message}`,
    errors,
  );
}

/** A cursor that does not decode, or was made for other filters. */
export function invalidCursor(reason: string): ApiProblem {
  return { ...invalidRequest([{ path: '/querystring/cursor', message: reason }]), code: 'INVALID_CURSOR' };
}

export const notFound = (detail = 'no such resource'): ApiProblem => problem(404, 'NOT_FOUND', detail);

/** Sends a problem (`WWW-Authenticate` added on a 401, as the identity guards do). */
export function replyProblem(reply: FastifyReply, body: ApiProblem): FastifyReply {
  return sendProblem(reply, body);
}

export { PROBLEM_CONTENT_TYPE };

/** A problem answer in a route's `response` schema, documented as `application/problem+json`. */
export function problemResponse(description: string) {
  return { description, content: { [PROBLEM_CONTENT_TYPE]: { schema: ApiProblem } } };
}

/** The problem answers every route may give, for its `response` schema. */
export const COMMON_PROBLEMS = {
  400: problemResponse('Invalid request: `errors` names each invalid input by its path'),
  404: problemResponse('No such resource (or another tenant’s)'),
  429: problemResponse('Too many requests: retry after `Retry-After` seconds'),
  500: problemResponse('Unexpected error (details are logged, not returned)'),
  503: problemResponse('A read model is unavailable: retry after `Retry-After` seconds'),
} as const;

/** Plus the identity guards' answers, for routes needing a bearer token. */
export const STAFF_PROBLEMS = {
  ...COMMON_PROBLEMS,
  401: problemResponse('Missing, invalid or expired bearer token'),
  403: problemResponse('The role lacks the permission, or the centre is outside the caller’s'),
} as const;
