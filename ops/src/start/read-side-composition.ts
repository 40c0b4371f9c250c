import {
  type Cache,
  createDatabase,
  createMemoryCache,
  createRedisCache,
  type Database,
  type ErasureParticipant,
  type Ledger,
  type TransactionalSqlExecutor,
} from '@pti/platform';
import {
  createLiveGenerations,
  createProjectionRunner,
  type LiveGenerations,
  liveGeneration,
  migrateRegistry,
  PROJECTORS,
  type ProjectionLayout,
  type ProjectionLeaseOptions,
  type ProjectionRunner,
  projectionErasureParticipants,
  projectionLayout,
  startProjections,
} from '@pti/projections';
import type { PlatformRuntime } from './platform-runtime.js';

/**
 * The read side's stores: the read-model database (the runtime's PGlite in embedded mode, else the
 * configured PostgreSQL), the cache (Redis when `REDIS_URL` is set, else in memory — shared by the
 * projectors and the queries of this process), the layout and the live-generation lookup queries
 * follow (so a rebuild's swap is picked up within a second).
 */
export interface ReadModelStores {
  readonly db: TransactionalSqlExecutor;
  readonly database: Database<unknown>;
  readonly cache: Cache;
  readonly layout: ProjectionLayout;
  readonly live: LiveGenerations;
  close(): Promise<void>;
}

export interface ReadModelStoreOptions {
  /** A namespaced layout (tests on a shared PostgreSQL); default `projectionLayout()`. */
  readonly layout?: ProjectionLayout;
}

export async function openReadModelStores(
  runtime: PlatformRuntime,
  options: ReadModelStoreOptions = {},
): Promise<ReadModelStores> {
  const { config } = runtime;
  const database =
    config.database.kind === 'pglite' && runtime.pglite !== undefined
      ? await createDatabase({ kind: 'pglite', pglite: runtime.pglite })
      : config.database.kind === 'postgres'
        ? await createDatabase({
            kind: 'postgres',
            url: config.database.url,
            poolMax: config.database.poolMax,
            applicationName: 'pti-read-models',
          })
        : await createDatabase(config.database);
  const cache =
    config.cache.kind === 'redis'
      ? createRedisCache(config.cache.url, {
          onError: (error) => runtime.logger.warn({ err: error }, 'redis connection error'),
        })
      : createMemoryCache();
  const layout = options.layout ?? projectionLayout();
  try {
    // The registry (generations, checkpoints) exists before anything reads it, whichever role starts first.
    await migrateRegistry(database.sql, layout);
  } catch (error) {
    await cache.close();
    await database.close();
    throw error;
  }
  return {
    db: database.sql,
    database,
    cache,
    layout,
    live: createLiveGenerations(database.sql, layout),
    async close() {
      await cache.close();
      await database.close();
    },
  };
}

export interface ProjectionsOptions {
  /** Run a subset of the projectors (`PTI_PROJECTORS=availability,centres`); default all. */
  readonly only?: readonly string[];
  /** Several replicas: each read model runs where its lease is held (`projectionLeaseFromEnv`). */
  readonly lease?: ProjectionLeaseOptions;
}

/** The projectors to run from `PTI_PROJECTORS` (comma-separated names), validated; undefined: all. */
export function projectorsFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): readonly string[] | undefined {
  const raw = env.PTI_PROJECTORS?.trim() ?? '';
  if (raw === '') return undefined;
  const names = raw
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const known = new Set(PROJECTORS.map((projector) => projector.name));
  const unknown = names.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new Error(
      `PTI_PROJECTORS: unknown projector(s) ${unknown.join(', ')} (known: ${[...known].join(', ')})`,
    );
  }
  return names;
}

/**
 * Starts the projectors of this process on the vault-decorated ledger (they project decrypted
 * personal fields, and erased ones as null). Stop the runner before closing the stores and the
 * runtime.
 */
export async function startReadModelProjections(
  runtime: PlatformRuntime,
  ledger: Ledger,
  stores: ReadModelStores,
  options: ProjectionsOptions = {},
): Promise<ProjectionRunner> {
  return startProjections({
    ledger,
    db: stores.db,
    cache: stores.cache,
    metrics: runtime.metrics,
    logger: runtime.logger.child({ component: 'projections' }),
    layout: stores.layout,
    only: options.only,
    lease: options.lease,
  });
}

/**
 * The read models' erasure participants (scrub on erasure, rows on export), for the running
 * platform and `pti gdpr` alike. A read model never built yet holds nothing to scrub: it will
 * project the subject's fields as erased when it builds (the key is gone by then), so it reports 0
 * rows instead of failing the erasure.
 */
export function readModelErasureParticipants(
  runner: ProjectionRunner,
  db: TransactionalSqlExecutor,
  layout: ProjectionLayout,
): ErasureParticipant[] {
  return projectionErasureParticipants(runner).map((participant) => {
    const projector = participant.name.replace(/^read-model:/, '');
    const built = async () => (await liveGeneration(db, layout, projector)) !== undefined;
    const exportOf = participant.export;
    return {
      name: participant.name,
      scrub: async (subjectId: string) => ((await built()) ? participant.scrub(subjectId) : 0),
      ...(exportOf === undefined
        ? {}
        : { export: async (subjectId: string) => ((await built()) ? exportOf(subjectId) : null) }),
    };
  });
}

/**
 * Erasure participants over the stores without running any projector (what `pti gdpr` uses while
 * the platform is stopped): the same scrub and export as the running platform's.
 */
export function offlineErasureParticipants(
  ledger: Ledger,
  stores: Pick<ReadModelStores, 'db' | 'cache' | 'layout'>,
): ErasureParticipant[] {
  const runner = createProjectionRunner({
    ledger,
    db: stores.db,
    cache: stores.cache,
    layout: stores.layout,
    projectors: PROJECTORS,
  });
  return readModelErasureParticipants(runner, stores.db, stores.layout);
}
