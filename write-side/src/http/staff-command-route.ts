import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  type Permission,
  type Principal,
  type RequirePermissionOptions,
  requirePermission,
} from '@pti/platform';
import type { Static, TSchema } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { CommandMeta } from '../commands/command-meta.js';
import { CommandHeaders, runCommand, staffActor, type WriteSideRouteDeps } from './command-request.js';
import { problemResponses } from './problem.js';
import { COMMAND_BODY_LIMIT, staffSecurity } from './schemas.js';

/** A staff command route: who may call it, what it takes and answers, and what it runs. */
export interface StaffCommandRoute<P extends TSchema, B extends TSchema, R extends TSchema> {
  readonly method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly url: string;
  readonly permission: Permission;
  /** The resource's scope (tenant, centre) from the request; a resource of another tenant answers 404. */
  readonly scope: NonNullable<RequirePermissionOptions['scope']>;
  readonly tag: string;
  readonly summary: string;
  readonly params: P;
  readonly body: B;
  readonly response: R;
  /** Success status (default 200). */
  readonly status?: number;
  run(
    input: { readonly params: Static<P>; readonly body: Static<B>; readonly principal: Principal },
    meta: CommandMeta,
  ): Promise<Static<R>>;
}

/**
 * Registers a staff command route the way every one of them works: bearer token with the
 * permission on the resource's scope (404 out of tenant), strict schemas for the path and body,
 * `Idempotency-Key` and correlation headers, the actor from the token, problem responses in the
 * OpenAPI document, and `runCommand` in the caller's tenant.
 */
export function staffCommandRoute<P extends TSchema, B extends TSchema, R extends TSchema>(
  app: FastifyInstance,
  deps: WriteSideRouteDeps,
  route: StaffCommandRoute<P, B, R>,
): void {
  const status = route.status ?? 200;
  app.withTypeProvider<TypeBoxTypeProvider>().route({
    method: route.method,
    url: route.url,
    bodyLimit: COMMAND_BODY_LIMIT,
    onRequest: requirePermission(route.permission, { scope: route.scope, notFoundOutOfTenant: true }),
    schema: {
      tags: [route.tag],
      summary: route.summary,
      security: staffSecurity,
      headers: CommandHeaders,
      params: route.params,
      body: route.body,
      response: { [status]: route.response, ...problemResponses },
    },
    handler: async (request, reply) => {
      const principal = request.principal;
      if (principal === null) throw new Error('guarded route without principal');
      const input = { params: request.params as Static<P>, body: request.body as Static<B>, principal };
      return runCommand(deps, request, reply, {
        tenantId: principal.tenantId,
        actor: staffActor(principal),
        status,
        run: (meta) => route.run(input, meta) as Promise<Static<R> & object>,
      });
    },
  });
}
