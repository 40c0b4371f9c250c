import { requireRole } from '@pti/platform';
import { Type } from '@sinclair/typebox';
import type { ReadApiApp, RouteContext } from '../app/route-context.js';
import { neverStore } from '../http/cache-control.js';
import { STAFF_PROBLEMS } from '../http/problem.js';
import { Nullable, StringEnum } from '../http/schemas.js';
import { PROJECTION_STATES, type ProjectionStatus } from '../ports/read-models.js';

/**
 * Operations: where each projection stands (state, checkpoint, lag). Network admins only: the
 * permission matrix has no ops permission, and lag figures say nothing about any one tenant.
 */

/** Lag beyond which a live projection is reported unhealthy. */
export const HEALTHY_LAG_SECONDS = 30;

const ProjectionStatusView = Type.Object({
  name: Type.String(),
  version: Type.Integer({ minimum: 0 }),
  state: StringEnum(PROJECTION_STATES),
  checkpoint: Nullable(Type.String()),
  lagEvents: Type.Integer({ minimum: 0 }),
  lagSeconds: Type.Number({ minimum: 0 }),
  lastAppliedAt: Nullable(Type.String({ format: 'date-time' })),
  error: Nullable(Type.String()),
  healthy: Type.Boolean(),
});

const ProjectionStatusReport = Type.Object({
  generatedAt: Type.String({ format: 'date-time' }),
  healthy: Type.Boolean({ description: 'Every projection healthy' }),
  projections: Type.Array(ProjectionStatusView),
});

export function isHealthy(status: ProjectionStatus): boolean {
  if (status.state === 'failed' || status.state === 'stopped') return false;
  return status.state !== 'live' || status.lagSeconds <= HEALTHY_LAG_SECONDS;
}

export function registerProjectionStatusRoutes(app: ReadApiApp, context: RouteContext): void {
  app.get(
    '/ops/projections',
    {
      preHandler: requireRole('admin_reseau'),
      schema: {
        operationId: 'getProjectionStatus',
        tags: ['ops'],
        summary: 'State, checkpoint and lag of every projection',
        security: [{ bearerAuth: [] }],
        response: { 200: ProjectionStatusReport, ...STAFF_PROBLEMS },
      },
    },
    async (_request, reply) => {
      neverStore(reply);
      const statuses = await context.ports.projectionStatus();
      const projections = statuses.map((status) => ({
        name: status.name,
        version: status.version,
        state: status.state,
        checkpoint: status.checkpoint,
        lagEvents: status.lagEvents,
        lagSeconds: status.lagSeconds,
        lastAppliedAt: status.lastAppliedAt,
        error: status.error,
        healthy: isHealthy(status),
      }));
      return {
        generatedAt: context.now().toISOString(),
        healthy: projections.every((projection) => projection.healthy),
        projections,
      };
    },
  );
}
