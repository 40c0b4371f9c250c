import type { Cache, Ledger, Logger, Metrics, TransactionalSqlExecutor } from '@pti/platform';
import { PROJECTORS } from './projectors.js';
import type { ProjectionLayout } from './runtime/layout.js';
import type { Projector } from './runtime/projector.js';
import {
  createProjectionRunner,
  type ProjectionLeaseOptions,
  type ProjectionRunner,
} from './runtime/runner.js';

/** What the embedded process (or a projections-only process) hands the runner. */
export interface ProjectionRuntimeDeps {
  readonly ledger: Ledger;
  /** The read-model database: the shared PGlite or the PostgreSQL pool (`createDatabase(...).sql`). */
  readonly db: TransactionalSqlExecutor;
  /** Redis (`createRedisCache`) or the memory cache in embedded mode. */
  readonly cache?: Cache;
  readonly metrics?: Metrics;
  readonly logger?: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Run a subset (`PTI_PROJECTORS=availability,centres`); default every projector. */
  readonly only?: readonly string[];
  readonly projectors?: readonly Projector[];
  readonly layout?: ProjectionLayout;
  /** Several replicas: each read model runs in the one process holding its lease; default all here. */
  readonly lease?: ProjectionLeaseOptions;
}

/**
 * Starts every projector in this process: migrates the registry, builds generation 1 of any read
 * model that has none (catch-up from position 0), then follows the ledger live. Resolves once the
 * lanes are started (building happens in the background; `status()` shows it). Call `stop()` on
 * shutdown, before closing the ledger and the database.
 */
export async function startProjections(deps: ProjectionRuntimeDeps): Promise<ProjectionRunner> {
  const runner = createProjectionRunner({
    ledger: deps.ledger,
    db: deps.db,
    cache: deps.cache,
    metrics: deps.metrics,
    logger: deps.logger,
    only: deps.only,
    projectors: deps.projectors ?? PROJECTORS,
    layout: deps.layout,
    lease: deps.lease,
  });
  await runner.start();
  return runner;
}

/** A read model's GDPR hooks, shaped like platform's `ErasureParticipant`. */
export interface ProjectionErasureParticipant {
  readonly name: string;
  scrub(subjectId: string): Promise<number>;
  export?(subjectId: string): Promise<unknown>;
}

/**
 * The erasure participants of the running read models (those with `scrub`/`export`), to register
 * in the personal-data registry: each runs on the projector's live generation.
 */
export function projectionErasureParticipants(
  runner: ProjectionRunner,
  projectors: readonly Projector[] = PROJECTORS,
): ProjectionErasureParticipant[] {
  return projectors.flatMap((projector) => {
    const scrub = projector.scrub;
    if (scrub === undefined) return [];
    const exportOf = projector.export;
    return [
      {
        name: `read-model:${projector.name}`,
        scrub: (subjectId: string) => runner.withLive(projector.name, (ctx) => scrub(subjectId, ctx)),
        ...(exportOf === undefined
          ? {}
          : {
              export: (subjectId: string) =>
                runner.withLive(projector.name, (ctx) => exportOf(subjectId, ctx)),
            }),
      },
    ];
  });
}
