import { randomUUID } from 'node:crypto';
import type { Actor } from '@pti/events';
import { type PersonalDataServices, type Principal, toActor } from '@pti/platform';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CommandMeta } from '../commands/command-meta.js';
import type { WriteSideContext } from '../write-side-context.js';
import { type IdempotencyStore, requestHash } from './idempotency-store.js';
import { HttpProblem } from './problem.js';

/** What the command routes need: the handlers' context and the Idempotency-Key store. */
export interface WriteSideRouteDeps {
  readonly writeSide: WriteSideContext;
  readonly idempotency: IdempotencyStore;
  /**
   * The personal-data services (ledger, vault, erasure registry of the read models): when given,
   * the GDPR staff routes (`/api/v1/gdpr/…`, admin_reseau) are mounted with the command API.
   */
  readonly personalData?: PersonalDataServices;
}

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/** Headers every command route reads (others pass through). */
export const CommandHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      pattern: '^[\\x21-\\x7E]{1,200}$',
      description:
        'Makes the command safe to retry: the same key and body answer the same, appending nothing twice',
    }),
  ),
  'x-correlation-id': Type.Optional(
    Type.String({
      pattern: CORRELATION_ID.source,
      description: 'Correlation id carried into event metadata',
    }),
  ),
});

/** Headers of the centre routes: the revision edited, for optimistic concurrency. */
export const CentreEditHeaders = Type.Object({
  ...CommandHeaders.properties,
  'if-match': Type.Optional(
    Type.String({
      maxLength: 40,
      description: 'The ETag (stream revision) the edit was made on; 412 if the centre moved on',
    }),
  ),
});

export function correlationIdOf(request: FastifyRequest): string {
  const header = request.headers['x-correlation-id'];
  return typeof header === 'string' && CORRELATION_ID.test(header) ? header : randomUUID();
}

/** The revision an `If-Match` names (`"12"` or `W/"12"`); undefined without the header or with `*`. */
export function ifMatchRevision(request: FastifyRequest): bigint | undefined {
  const header = request.headers['if-match'];
  if (typeof header !== 'string' || header.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"(\d{1,15})"\s*$/.exec(header);
  if (!match?.[1])
    throw new HttpProblem(412, 'PRECONDITION_FAILED', 'If-Match must be an ETag of this resource');
  return BigInt(match[1]);
}

export function etagOf(revision: bigint | number): string {
  return `"${revision}"`;
}

export function staffActor(principal: Principal): Actor {
  return toActor(principal);
}

export interface CommandCall<T> {
  /** The tenant the command acts in (the caller's, or the resource's for public routes). */
  readonly tenantId: string;
  readonly actor: Actor;
  readonly status: number;
  /** The ETag of the answer (centre edits). */
  readonly etag?: (body: T) => string | undefined;
  run(meta: CommandMeta): Promise<T>;
}

/**
 * Runs a command for an HTTP request, with the Idempotency-Key protocol when the header is present:
 * - first request with a key: runs; a success is stored and answered;
 * - the same key and request again: the stored answer, nothing runs (`Idempotent-Replayed: true`);
 * - the same key with another method, path, body or caller: 422 `IDEMPOTENCY_KEY_REUSED`;
 * - while the first is still running: 409 `IDEMPOTENCY_KEY_IN_USE`.
 * A refusal or fault forgets the key (nothing was appended, or what was is recognised on the retry by
 * the event ids derived from the key), so the client may retry with it.
 */
export async function runCommand<T extends object>(
  deps: WriteSideRouteDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  call: CommandCall<T>,
): Promise<FastifyReply> {
  const header = request.headers['idempotency-key'];
  const key = typeof header === 'string' ? header : undefined;
  const meta: CommandMeta = {
    origin: { tenantId: call.tenantId, actor: call.actor, correlationId: correlationIdOf(request) },
    ...(key === undefined ? {} : { idempotencyKey: key }),
  };
  reply.header('x-correlation-id', meta.origin.correlationId);
  if (key === undefined) return answer(reply, call, call.status, await call.run(meta));

  const hash = requestHash(request.method, request.url, { body: request.body ?? null, actor: call.actor.id });
  const begun = await deps.idempotency.begin(call.tenantId, key, hash);
  switch (begun.outcome) {
    case 'replay':
      reply.header('idempotent-replayed', 'true');
      return answer(reply, call, begun.status, begun.body as T);
    case 'mismatch':
      throw new HttpProblem(
        422,
        'IDEMPOTENCY_KEY_REUSED',
        'this Idempotency-Key was used for another request',
      );
    case 'in_progress':
      throw new HttpProblem(
        409,
        'IDEMPOTENCY_KEY_IN_USE',
        'a request with this Idempotency-Key is still running',
      );
    case 'proceed':
      break;
  }
  let body: T;
  try {
    body = await call.run(meta);
  } catch (error) {
    await deps.idempotency.abandon(call.tenantId, key);
    throw error;
  }
  await deps.idempotency.complete(call.tenantId, key, call.status, body);
  return answer(reply, call, call.status, body);
}

function answer<T>(reply: FastifyReply, call: CommandCall<T>, status: number, body: T): FastifyReply {
  const etag = call.etag?.(body);
  if (etag !== undefined) reply.header('etag', etag);
  return reply.code(status).send(body);
}
