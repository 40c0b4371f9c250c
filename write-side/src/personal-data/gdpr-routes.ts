import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { EntityId, ErasureReason } from '@pti/events';
import {
  ErasureIncompleteError,
  type ErasureReport,
  eraseSubject,
  exportSubject,
  type PersonalDataServices,
  requirePermission,
  withoutPersonalData,
} from '@pti/platform';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AggregateStateCache } from '../commands/aggregate-state-cache.js';
import { CommandHeaders, runCommand, staffActor, type WriteSideRouteDeps } from '../http/command-request.js';
import { HttpProblem, problemResponses } from '../http/problem.js';
import { COMMAND_BODY_LIMIT, closed, staffSecurity } from '../http/schemas.js';

/**
 * The data subject's rights (RGPD art. 15 and 17) as staff routes, for `admin_reseau` only
 * (permission `personal_data.erase`). They call the same functions as `pti gdpr erase|export`
 * (platform/src/personal-data) on the services the composition root gives: the ledger, the vault
 * and the erasure registry the read models registered in (so every read model taking part in the
 * CLI's erasure takes part here too).
 *
 * | route                                              | does                                              |
 * | -------------------------------------------------- | ------------------------------------------------- |
 * | POST /api/v1/gdpr/subjects/{subjectId}/erasure     | shreds the key, records `PersonalDataErased`, scrubs read models |
 * | GET  /api/v1/gdpr/subjects/{subjectId}             | everything held about the subject, as JSON        |
 *
 * Scope: a subject belongs to the tenant of the streams holding its data (customer ids are derived
 * per tenant); a subject of another tenant answers 404. A subject nothing is known about can still
 * be erased (the request is recorded; there is nothing to destroy).
 */
export interface GdprRouteDeps {
  readonly personalData: PersonalDataServices;
  /** The write side's state cache, purged of the subject's streams on erasure (it holds decrypted state). */
  readonly cache?: AggregateStateCache;
}

const SubjectParams = Type.Object({ subjectId: EntityId }, closed);

const ErasureBody = Type.Object(
  { reason: Type.Optional(ErasureReason) },
  { ...closed, description: 'The body may be omitted: the reason defaults to subject_request' },
);

const ErasureResponse = Type.Object({
  subjectId: Type.String(),
  keyGeneration: Type.Union([Type.Integer(), Type.Null()], {
    description: 'Generation of the destroyed data key; null when no live key was left',
  }),
  erasedAt: Type.String(),
  reason: Type.String(),
  event: Type.Object({ id: Type.String(), stream: Type.String(), position: Type.String() }),
  participants: Type.Array(Type.Object({ name: Type.String(), rows: Type.Integer() })),
  failures: Type.Array(Type.Object({ name: Type.String(), error: Type.String() })),
});

const Json = Type.Record(Type.String(), Type.Unknown());

const ExportResponse = Type.Object({
  subjectId: Type.String(),
  exportedAt: Type.String(),
  key: Type.Object(
    {
      status: Type.Union([Type.Literal('live'), Type.Literal('erased'), Type.Literal('none')]),
      generation: Type.Optional(Type.Integer()),
      erasedAt: Type.Optional(Type.String()),
    },
    { description: 'live: readable; erased: key destroyed (fields read [effacé]); none: no key ever' },
  ),
  lastActivity: Type.Record(Type.String(), Type.String()),
  events: Type.Array(
    Type.Object({
      id: Type.String(),
      type: Type.String(),
      stream: Type.String(),
      revision: Type.String(),
      recordedAt: Type.String(),
      data: Json,
      metadata: Json,
    }),
    {
      description: 'Events about the subject, decrypted for them only; others’ fields read [autre personne]',
    },
  ),
  readModels: Type.Record(Type.String(), Type.Unknown(), {
    description: 'What each read model holds about the subject, by read-model name',
  }),
});

/** An erasure whose key is destroyed but some read models failed to scrub: retry it. */
const ERASURE_INCOMPLETE = 'ERASURE_INCOMPLETE';

export async function gdprRoutes(
  app: FastifyInstance,
  deps: WriteSideRouteDeps & GdprRouteDeps,
): Promise<void> {
  const services = deps.personalData;
  const raw = withoutPersonalData(services.ledger);
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();

  /** The tenant(s) whose streams hold the subject's data, from each stream's first event. */
  const tenantsOf = async (subjectId: string): Promise<Set<string>> => {
    const streams = await services.vault.store.streamsOf(subjectId);
    const tenants = new Set<string>();
    for (const stream of streams) {
      const [first] = await raw.readStream(stream, { limit: 1 });
      const tenantId = first?.metadata.tenantId;
      if (typeof tenantId === 'string') tenants.add(tenantId);
    }
    return tenants;
  };
  const subjectScope = async (request: FastifyRequest) => {
    const { subjectId } = request.params as { subjectId: string };
    const tenants = await tenantsOf(subjectId);
    if (tenants.size === 0) return undefined;
    const own = request.principal?.tenantId;
    return { tenantId: own !== undefined && tenants.has(own) ? own : ([...tenants][0] ?? '') };
  };
  const guard = requirePermission('personal_data.erase', { scope: subjectScope, notFoundOutOfTenant: true });

  typed.post(
    '/api/v1/gdpr/subjects/:subjectId/erasure',
    {
      bodyLimit: COMMAND_BODY_LIMIT,
      onRequest: guard,
      schema: {
        tags: ['gdpr'],
        summary: 'Erase a data subject (RGPD art. 17): destroy their key, record it, scrub read models',
        description:
          'Irreversible. Idempotent: erasing again destroys nothing more and re-scrubs. ' +
          `503 ${ERASURE_INCOMPLETE} (report in details) when a read model failed: the key is gone, retry.`,
        security: staffSecurity,
        headers: CommandHeaders,
        params: SubjectParams,
        body: ErasureBody,
        response: { 200: ErasureResponse, ...problemResponses },
      },
    },
    async (request, reply) => {
      const principal = request.principal;
      if (principal === null) throw new Error('guarded route without principal');
      const { subjectId } = request.params;
      const actor = staffActor(principal);
      return runCommand(deps, request, reply, {
        tenantId: principal.tenantId,
        actor,
        status: 200,
        run: async (meta): Promise<ErasureReport> => {
          // Streams first: the index outlives the key, but read it before anything changes.
          const streams = await services.vault.store.streamsOf(subjectId);
          try {
            return await eraseSubject(services, subjectId, {
              actor,
              reason: request.body?.reason ?? 'subject_request',
              tenantId: principal.tenantId,
              correlationId: meta.origin.correlationId,
            });
          } catch (error) {
            if (error instanceof ErasureIncompleteError) {
              throw new HttpProblem(503, ERASURE_INCOMPLETE, error.message, { report: error.report });
            }
            throw error;
          } finally {
            // Cached aggregate states were decrypted before the key went: never serve them again.
            for (const stream of streams) deps.cache?.delete(stream);
          }
        },
      });
    },
  );

  typed.get(
    '/api/v1/gdpr/subjects/:subjectId',
    {
      onRequest: guard,
      schema: {
        tags: ['gdpr'],
        summary: 'Everything held about a data subject (RGPD art. 15), as JSON',
        security: staffSecurity,
        params: SubjectParams,
        response: { 200: ExportResponse, ...problemResponses },
      },
    },
    async (request, reply) => {
      const exported = await exportSubject(services, request.params.subjectId);
      // Personal data: never kept by a cache between the server and the staff member.
      reply.header('cache-control', 'no-store');
      return { ...exported, events: [...exported.events] };
    },
  );
}
