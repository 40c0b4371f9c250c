import {
  type AppConfig,
  type Cache,
  createDatabase,
  createMemoryCache,
  createRedisCache,
  type Database,
  loadConfig,
} from '@pti/platform';
import {
  type CatchUpProgress,
  createHeadTracker,
  dropRetiredGenerations,
  migrateRegistry,
  PROJECTORS,
  type Projector,
  projectionLayout,
  projectorNamed,
  type RebuildDeps,
  type RebuildReport,
  rebuildProjector,
  rebuildProjectors,
} from '@pti/projections';
import cliProgress from 'cli-progress';
import { openPlatformRuntime, type PlatformRuntime } from '../start/platform-runtime.js';

/** The stores a projections command works on: the configured ledger, read-model database and cache. */
export interface ProjectionStores {
  readonly deps: RebuildDeps;
  close(): Promise<void>;
}

/**
 * Opens the configured ledger, read-model database and cache. With the embedded PGlite the
 * database shares the ledger's instance (a data directory opens once per process, so stop
 * `pti start` first). With the in-memory cache a CLI rebuild has no Redis to fill: its availability
 * keys stay empty and reads fall back to PostgreSQL until the server rewrites them.
 */
export async function openProjectionStores(config: AppConfig = loadConfig()): Promise<ProjectionStores> {
  const runtime: PlatformRuntime = await openPlatformRuntime(config, { migrate: true });
  let database: Database<unknown> | undefined;
  let cache: Cache | undefined;
  try {
    database =
      config.database.kind === 'pglite' && runtime.pglite !== undefined
        ? await createDatabase({ kind: 'pglite', pglite: runtime.pglite })
        : await createDatabase(config.database);
    cache =
      config.cache.kind === 'redis'
        ? createRedisCache(config.cache.url, { onError: () => {} })
        : createMemoryCache();
    const layout = projectionLayout();
    await migrateRegistry(database.sql, layout);
    const opened = { database, cache };
    return {
      deps: { ledger: runtime.ledger, db: database.sql, cache, layout },
      close: async () => {
        await opened.cache.close();
        await opened.database.close();
        await runtime.close();
      },
    };
  } catch (error) {
    await cache?.close();
    await database?.close();
    await runtime.close();
    throw error;
  }
}

export interface RebuildCommandOptions {
  readonly dropOld?: boolean;
  /** Events per catch-up transaction. */
  readonly batchSize?: string;
  /** Draw the progress bar (default: when stderr is a terminal). */
  readonly progress?: boolean;
}

function progressBar(enabled: boolean) {
  if (!enabled) return { update: (_p: CatchUpProgress) => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      format: '{projector} [{bar}] {percentage}% | {events} events | {speed} ev/s | ETA {eta_formatted}',
      etaBuffer: 50,
      hideCursor: true,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update: (p: CatchUpProgress) => {
      // Progress along the global positions (≈ events on the SQL ledgers).
      const total = Number(p.head?.prepare ?? 0n) || 1;
      const value = Math.min(total, Number(p.position.prepare));
      const payload = {
        projector: (p.generation > 0 ? `${p.projector} v${p.generation}` : p.projector).padEnd(18),
        events: p.events,
        speed: Math.round(p.eventsPerSecond),
      };
      if (!started) {
        bar.start(total, value, payload);
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(value, payload);
      }
    },
    stop: () => {
      if (started) bar.stop();
      started = false;
    },
  };
}

function describeReport(report: RebuildReport): string {
  const dropped = report.dropped.length > 0 ? `, dropped v${report.dropped.join(', v')}` : '';
  return `${report.projector}: v${report.generation} live (was ${report.previous === null ? 'none' : `v${report.previous}`}), ${report.events} events in ${(report.elapsedMs / 1000).toFixed(1)} s (${Math.round(report.eventsPerSecond)} ev/s)${dropped}`;
}

/**
 * `pti rebuild <read-model|all> [--drop-old]`: blue/green rebuild. Builds a new generation from
 * position 0 while the live one keeps serving (and a running `pti start` keeps updating it),
 * swaps atomically, keeps the old one unless `--drop-old`. `pti rebuild --drop-old` without a read
 * model only drops the retired generations of every read model.
 */
export async function rebuildCommand(
  target: string | undefined,
  options: RebuildCommandOptions,
  out: (line: string) => void = console.log,
  projectors: readonly Projector[] = PROJECTORS,
): Promise<number> {
  if (target === undefined && options.dropOld !== true) {
    out(`usage: pti rebuild <${projectors.map((p) => p.name).join('|')}|all> [--drop-old]`);
    return 2;
  }
  const selected =
    target === undefined || target === 'all' ? projectors : [projectorNamed(target, projectors)];
  const batchSize = options.batchSize === undefined ? undefined : Number(options.batchSize);
  if (batchSize !== undefined && (!Number.isSafeInteger(batchSize) || batchSize < 1)) {
    out(`--batch-size must be a positive integer, got ${options.batchSize}`);
    return 2;
  }
  const stores = await openProjectionStores();
  try {
    if (target === undefined) {
      for (const projector of selected) {
        const dropped = await dropRetiredGenerations(stores.deps, projector);
        out(
          `${projector.name}: ${dropped.length === 0 ? 'nothing to drop' : `dropped v${dropped.join(', v')}`}`,
        );
      }
      return 0;
    }
    const heads = createHeadTracker(stores.deps.ledger, { maxAgeMs: 1_000 });
    if (selected.length > 1) {
      // Every read model over one shared ledger read (decoded once), each with its own lane.
      const bar = progressBar(options.progress ?? process.stderr.isTTY === true);
      try {
        const report = await rebuildProjectors(stores.deps, selected, {
          batchSize,
          head: () => heads.head(),
          dropOld: options.dropOld === true,
          onProgress: (p) =>
            bar.update({
              projector: `all (${selected.length})`,
              generation: 0,
              events: p.read,
              position: p.position,
              head: p.head,
              elapsedMs: p.elapsedMs,
              eventsPerSecond: p.eventsPerSecond,
              etaSeconds: p.etaSeconds,
              done: p.done,
            }),
        });
        bar.stop();
        for (const one of report.projectors) out(describeReport(one));
        out(
          `all: ${report.read} ledger records read once in ${(report.elapsedMs / 1000).toFixed(1)} s (${Math.round(report.eventsPerSecond)} records/s)`,
        );
      } finally {
        bar.stop();
      }
      return 0;
    }
    for (const projector of selected) {
      const bar = progressBar(options.progress ?? process.stderr.isTTY === true);
      try {
        const report = await rebuildProjector(stores.deps, projector, {
          batchSize,
          head: () => heads.head(),
          dropOld: options.dropOld === true,
          onProgress: bar.update,
        });
        bar.stop();
        out(describeReport(report));
      } finally {
        bar.stop();
      }
    }
    return 0;
  } finally {
    await stores.close();
  }
}
