import {
  AuthorizationError,
  type AuthScope,
  authorizationProblem,
  authorize,
  centreScopeOf,
  type Permission,
  type Principal,
} from '@pti/platform';
import type { FastifyRequest } from 'fastify';
import type { TenantScope } from '../ports/read-ports.js';
import type { ApiProblem } from './problem.js';

/**
 * Staff routes: `requirePermission(permission)` as `preHandler` checks the token and the role
 * (401/403); the handler then loads the resource and checks its tenant and centre with
 * {@link scopeProblem}, answering another tenant's resource with the same 404 as an unknown one.
 */

/** The verified caller of a route guarded by `requirePermission` (a missing one is a wiring bug). */
export function callerOf(request: FastifyRequest): Principal {
  const principal = request.principal;
  if (principal === null || principal === undefined) {
    throw new Error(`route ${request.routeOptions.url ?? request.url} has no authentication guard`);
  }
  return principal;
}

export function tenantScopeOf(principal: Principal): TenantScope {
  return { tenantId: principal.tenantId, centreIds: centreScopeOf(principal) };
}

/** `null` when the caller may act on `scope`; else the 404 (other tenant) or 403 (other centre). */
export function scopeProblem(
  principal: Principal,
  permission: Permission,
  scope: AuthScope,
): ApiProblem | null {
  const decision = authorize(principal, permission, scope);
  if (decision.allowed) return null;
  const error = new AuthorizationError(decision.code, decision.reason, decision.violation);
  return authorizationProblem(error, { notFoundOutOfTenant: true });
}

/** The caller may act on at least one of the centres (a booking that moved between centres). */
export function scopeProblemForAny(
  principal: Principal,
  permission: Permission,
  tenantId: string,
  centreIds: readonly string[],
): ApiProblem | null {
  let first: ApiProblem | null = null;
  for (const centreId of centreIds) {
    const refusal = scopeProblem(principal, permission, { tenantId, centreId });
    if (refusal === null) return null;
    first ??= refusal;
  }
  return first ?? scopeProblem(principal, permission, { tenantId });
}
