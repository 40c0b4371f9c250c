import { type Ledger, positionToString } from '@pti/platform';
import { createHeadTracker, listGenerations, PROJECTORS, projectorLag } from '@pti/projections';
import type { ProjectionStatus } from '@pti/read-api';
import type { ReadModelStores } from './read-side-composition.js';

/**
 * Projection status read from the registry, for a process that runs no projector (the `read-api`
 * role): per read model its live generation, checkpoint and lag against the ledger's head. A read
 * model still being built shows `catching_up` (first build) or `rebuilding`.
 */
export async function registryProjectionStatus(
  ledger: Ledger,
  stores: Pick<ReadModelStores, 'db' | 'layout'>,
): Promise<ProjectionStatus[]> {
  const head = await createHeadTracker(ledger).head(0);
  const now = new Date();
  return Promise.all(
    PROJECTORS.map(async (projector): Promise<ProjectionStatus> => {
      const generations = await listGenerations(stores.db, stores.layout, projector.name);
      const live = generations.find((generation) => generation.status === 'live');
      const building = generations.some((generation) => generation.status === 'building');
      const lag = live === undefined ? null : await projectorLag(ledger, projector, live.position, head, now);
      return {
        name: projector.name,
        version: live?.generation ?? 0,
        state: live === undefined ? (building ? 'catching_up' : 'stopped') : building ? 'rebuilding' : 'live',
        checkpoint: live === undefined ? null : positionToString(live.position),
        lagEvents: lag?.events ?? 0,
        lagSeconds: lag?.seconds ?? 0,
        lastAppliedAt: live?.checkpointAt?.toISOString() ?? null,
        error: null,
      };
    }),
  );
}
