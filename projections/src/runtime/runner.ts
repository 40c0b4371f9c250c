import {
  type Cache,
  comparePositions,
  type Ledger,
  type Logger,
  type Metrics,
  type Position,
  positionToString,
  type RecordedEvent,
  type Subscription,
  type TransactionalSqlExecutor,
} from '@pti/platform';
import { advanceCheckpoint, applyBatch, type GenerationHandle, withMaintenance } from './apply-batch.js';
import { type CatchUpProgress, catchUp } from './catch-up.js';
import { createHeadTracker, type Lag, projectorLag } from './lag.js';
import { type ProjectionLayout, projectionLayout } from './layout.js';
import { projectionMetrics } from './metrics.js';
import type { MaintenanceContext, Projector } from './projector.js';
import {
  dropRetiredGenerations,
  handleOf,
  type RebuildReport,
  rebuildProjector,
  refreshGeneration,
} from './rebuild.js';
import {
  createGeneration,
  type GenerationRecord,
  liveGeneration,
  migrateGeneration,
  migrateRegistry,
  resumableGeneration,
  swapGeneration,
} from './registry.js';

export type ProjectorState = 'starting' | 'catching up' | 'live' | 'rebuilding' | 'failing' | 'stopped';

export type RunnerLogger = Pick<Logger, 'info' | 'warn' | 'error'>;

export interface ProjectionRunnerOptions {
  readonly ledger: Ledger;
  /** Where read models live (PostgreSQL or the embedded PGlite). */
  readonly db: TransactionalSqlExecutor;
  /** Redis (or the memory cache) for projectors that set `usesCache`. */
  readonly cache?: Cache;
  readonly metrics?: Metrics;
  readonly logger?: RunnerLogger;
  readonly projectors: readonly Projector[];
  /** Run only these projectors (names); default all. */
  readonly only?: readonly string[];
  readonly layout?: ProjectionLayout;
  /** Events per live batch; default 500. */
  readonly batchSize?: number;
  /** Events per catch-up batch (start-up, rebuild); default `DEFAULT_CATCH_UP_BATCH` (20,000). */
  readonly catchUpBatchSize?: number;
  /** Interval of `refresh(now)` calls (availability's daily roll); default 60 s. */
  readonly refreshIntervalMs?: number;
  /** How often the registry is read to notice a swap made by another process; default 2 s. */
  readonly registryPollMs?: number;
  /** Delay before a failed projector restarts from its checkpoint; doubles up to 30 s. */
  readonly retryDelayMs?: number;
  readonly clock?: () => Date;
}

export interface ProjectorRuntimeStatus {
  readonly name: string;
  readonly state: ProjectorState;
  readonly generation: number | null;
  readonly checkpoint: string | null;
  readonly lag: Lag | null;
  readonly lastError: string | null;
}

export interface RunnerRebuildOptions {
  readonly dropOld?: boolean;
  readonly onProgress?: (progress: CatchUpProgress) => void;
}

export interface ProjectionRunner {
  readonly layout: ProjectionLayout;
  /** Migrates the registry and starts every selected projector; resolves once all are subscribed or building. */
  start(): Promise<void>;
  /** Stops every subscription and timer; in-flight batches finish (or roll back) first. */
  stop(): Promise<void>;
  status(): Promise<ProjectorRuntimeStatus[]>;
  /**
   * Resolves when every running projector has applied everything up to `position` (an append's
   * position). Without it, up to the ledger's visible tail — which excludes events committed by
   * transactions younger than one still running (gap safety): pass the last append's position to
   * wait for it exactly.
   */
  waitForCatchUp(position?: Position, timeoutMs?: number): Promise<void>;
  /** Blue/green rebuild while the live generation keeps serving and being updated. */
  rebuild(name: string | 'all', options?: RunnerRebuildOptions): Promise<RebuildReport[]>;
  /** Calls every projector's `refresh(now)` on its live generation now (normally on a timer). */
  refresh(now?: Date): Promise<void>;
  /** Runs work in a maintenance transaction on a projector's live generation (GDPR scrub/export). */
  withLive<T>(name: string, work: (ctx: MaintenanceContext, projector: Projector) => Promise<T>): Promise<T>;
}

interface Lane {
  readonly projector: Projector;
  state: ProjectorState;
  handle: GenerationHandle | undefined;
  checkpoint: Position | undefined;
  caughtUp: boolean;
  rebuilding: boolean;
  lastError: string | null;
  /** Set by a swap (or stop): the lane must re-read the registry; cleared when it does. */
  generationChanged: boolean;
  /** Ends the lane's current wait (subscription or retry delay). */
  wake: () => void;
  loop: Promise<void> | undefined;
}

/** Asks a lane to re-read the registry (a swap happened, or the runner stops). */
function rebind(lane: Lane): void {
  lane.generationChanged = true;
  lane.wake();
}

const sleep = (ms: number, interrupt: (wake: () => void) => void) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    interrupt(() => {
      clearTimeout(timer);
      resolve();
    });
  });

/**
 * The projection runner: one lane per projector, each subscribed to the ledger from its live
 * generation's checkpoint. A lane first catches up in large batches, then follows the ledger live;
 * each batch commits rows + Redis (position-guarded) + checkpoint together (`applyBatch`). A lane
 * that fails restarts from its checkpoint with backoff; a swap made by any process (in-process
 * rebuild, `pti rebuild`) re-binds the lane to the new live generation.
 */
export function createProjectionRunner(options: ProjectionRunnerOptions): ProjectionRunner {
  const { ledger, db, cache } = options;
  const layout = options.layout ?? projectionLayout();
  const clock = options.clock ?? (() => new Date());
  const logger = options.logger;
  const selected = options.projectors.filter(
    (p) => options.only === undefined || options.only.includes(p.name),
  );
  for (const name of options.only ?? []) {
    if (!options.projectors.some((p) => p.name === name)) throw new Error(`unknown projector ${name}`);
  }
  const heads = createHeadTracker(ledger);
  const lanes = new Map<string, Lane>(
    selected.map((projector) => [
      projector.name,
      {
        projector,
        state: 'starting',
        handle: undefined,
        checkpoint: undefined,
        caughtUp: false,
        rebuilding: false,
        lastError: null,
        generationChanged: false,
        wake: () => {},
        loop: undefined,
      },
    ]),
  );
  let stopped = false;
  const timers: NodeJS.Timeout[] = [];

  const metrics = options.metrics === undefined ? undefined : projectionMetrics(options.metrics);
  const eventsTotal = metrics?.eventsTotal;
  const batchSeconds = metrics?.batchSeconds;
  const lagOf = async (lane: Lane): Promise<Lag | null> => {
    if (lane.checkpoint === undefined) return null;
    if (lane.caughtUp && lane.state === 'live') return { events: 0, seconds: 0 };
    return projectorLag(ledger, lane.projector, lane.checkpoint, await heads.head(), clock());
  };
  let unregisterMetrics: () => void = () => {};

  const counted = (lane: Lane, applied: number) => {
    if (applied > 0) eventsTotal?.inc({ projector: lane.projector.name }, applied);
  };

  /** Creates generation 1 (or a generation for new code), fills it and makes it live. */
  const build = async (lane: Lane) => {
    const { projector } = lane;
    // An interrupted first build (crash) resumes from its checkpoint.
    const created =
      (await resumableGeneration(db, layout, projector)) ?? (await createGeneration(db, layout, projector));
    const handle = handleOf(projector, created);
    lane.handle = handle;
    lane.checkpoint = created.position;
    await refreshGeneration({ db, cache, layout }, handle, clock());
    lane.state = 'catching up';
    const result = await catchUp({
      ledger,
      db,
      layout,
      handle,
      cache,
      batchSize: options.catchUpBatchSize,
      shouldStop: () => stopped,
      onBatch: (applied) => counted(lane, applied),
    });
    lane.checkpoint = result.position;
    if (stopped) return;
    await swapGeneration(db, layout, projector, created.generation);
    logger?.info(
      { projector: projector.name, generation: created.generation, events: result.events },
      'projection built',
    );
  };

  const follow = async (lane: Lane, record: GenerationRecord) => {
    const { projector } = lane;
    lane.state = 'catching up';
    const handle = lane.handle?.generation === record.generation ? lane.handle : handleOf(projector, record);
    lane.handle = handle;
    lane.checkpoint = record.position;
    lane.caughtUp = false;
    await migrateGeneration(db, projector, record.schema);
    await refreshGeneration({ db, cache, layout }, handle, clock());
    lane.state = 'catching up';
    const caught = await catchUp({
      ledger,
      db,
      layout,
      handle,
      cache,
      batchSize: options.catchUpBatchSize,
      shouldStop: () => stopped || lane.generationChanged,
      onBatch: (applied) => counted(lane, applied),
    });
    lane.checkpoint = caught.position;
    if (stopped || lane.generationChanged) return;
    lane.state = 'live';
    const subscription: Subscription = ledger.subscribe(
      {
        after: caught.position,
        filter: projector.filter,
        batchSize: projector.batchSize ?? options.batchSize ?? 500,
      },
      {
        handle: async (events: readonly RecordedEvent[]) => {
          const end = batchSeconds?.startTimer({ projector: projector.name, mode: 'live' });
          const outcome = await applyBatch(db, layout, handle, events, 'live', cache);
          end?.();
          lane.checkpoint = outcome.position;
          lane.caughtUp = false;
          counted(lane, outcome.applied);
        },
        caughtUp: async (position) => {
          lane.checkpoint = await advanceCheckpoint(db, layout, handle, position);
          lane.caughtUp = true;
          lane.lastError = null;
        },
        storeError: (error, attempt) => {
          logger?.warn({ projector: projector.name, attempt, err: error }, 'projection: ledger read failed');
        },
      },
    );
    const rebound = new Promise<void>((resolve) => {
      lane.wake = resolve;
      if (lane.generationChanged || stopped) resolve();
    });
    try {
      await Promise.race([subscription.done, rebound]);
    } finally {
      await subscription.stop();
    }
  };

  const runLane = async (lane: Lane) => {
    let delay = options.retryDelayMs ?? 500;
    while (!stopped) {
      lane.generationChanged = false;
      try {
        const record = await liveGeneration(db, layout, lane.projector.name);
        if (record === undefined) {
          await build(lane);
        } else if (record.projectorVersion !== lane.projector.version && !lane.rebuilding) {
          logger?.warn(
            { projector: lane.projector.name, live: record.projectorVersion, code: lane.projector.version },
            'projection code version changed: building a new generation (the old one serves meanwhile)',
          );
          lane.state = 'rebuilding';
          await build(lane);
        } else {
          await follow(lane, record);
        }
        delay = options.retryDelayMs ?? 500;
      } catch (error) {
        if (stopped) break;
        lane.state = 'failing';
        lane.lastError = error instanceof Error ? error.message : String(error);
        logger?.error(
          { projector: lane.projector.name, err: error },
          'projection failed; restarting from its checkpoint',
        );
        await sleep(delay, (wake) => {
          lane.wake = wake;
        });
        delay = Math.min(delay * 2, 30_000);
      }
    }
    lane.state = 'stopped';
  };

  const refreshAll = async (now: Date) => {
    for (const lane of lanes.values()) {
      const handle = lane.handle;
      if (handle === undefined || lane.projector.refresh === undefined || lane.state !== 'live') continue;
      await refreshGeneration({ db, cache, layout }, handle, now).catch((error: unknown) => {
        logger?.warn({ projector: lane.projector.name, err: error }, 'projection refresh failed');
      });
    }
  };

  const pollRegistry = async () => {
    for (const lane of lanes.values()) {
      if (lane.handle === undefined || lane.state === 'catching up') continue;
      const live = await liveGeneration(db, layout, lane.projector.name).catch(() => undefined);
      if (live !== undefined && live.generation !== lane.handle.generation) rebind(lane);
    }
  };

  const runner: ProjectionRunner = {
    layout,
    async start() {
      await migrateRegistry(db, layout);
      unregisterMetrics =
        metrics?.register({
          lags: () =>
            Promise.all(
              [...lanes.values()].map(async (lane) => ({
                projector: lane.projector.name,
                lag: await lagOf(lane),
              })),
            ),
        }) ?? (() => {});
      for (const lane of lanes.values()) lane.loop = runLane(lane);
      timers.push(
        setInterval(() => void refreshAll(clock()), options.refreshIntervalMs ?? 60_000),
        setInterval(() => void pollRegistry(), options.registryPollMs ?? 2_000),
      );
      for (const timer of timers) timer.unref();
      logger?.info({ projectors: [...lanes.keys()] }, 'projections started');
    },
    async stop() {
      stopped = true;
      unregisterMetrics();
      for (const timer of timers.splice(0)) clearInterval(timer);
      for (const lane of lanes.values()) rebind(lane);
      await Promise.all([...lanes.values()].map((lane) => lane.loop));
    },
    async status() {
      return Promise.all(
        [...lanes.values()].map(async (lane) => ({
          name: lane.projector.name,
          state: lane.rebuilding ? 'rebuilding' : lane.state,
          generation: lane.handle?.generation ?? null,
          checkpoint: lane.checkpoint === undefined ? null : positionToString(lane.checkpoint),
          lag: await lagOf(lane).catch(() => null),
          lastError: lane.lastError,
        })),
      );
    },
    async waitForCatchUp(position, timeoutMs = 30_000) {
      const target = position ?? (await heads.head(0));
      const deadline = Date.now() + timeoutMs;
      const behind = async (lane: Lane): Promise<boolean> => {
        if (lane.state !== 'live' || lane.checkpoint === undefined) return true;
        if (comparePositions(lane.checkpoint, target) >= 0) return false;
        // Not visible yet (an older transaction still runs): nobody can have applied it.
        if (comparePositions(await heads.head(0), target) < 0) return true;
        const next = await ledger.readAll({
          after: lane.checkpoint,
          limit: 1,
          filter: lane.projector.filter,
        });
        const first = next.events[0];
        return first !== undefined && comparePositions(first.position, target) <= 0;
      };
      while (true) {
        const late: string[] = [];
        for (const lane of lanes.values())
          if (await behind(lane)) late.push(`${lane.projector.name} (${lane.state})`);
        if (late.length === 0) return;
        if (Date.now() > deadline) throw new Error(`projections did not catch up: ${late.join(', ')}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async rebuild(name, rebuildOptions = {}) {
      const targets = name === 'all' ? [...lanes.values()] : [lanes.get(name)].filter((l) => l !== undefined);
      if (targets.length === 0) throw new Error(`unknown or not running projector ${name}`);
      const reports: RebuildReport[] = [];
      for (const lane of targets) {
        lane.rebuilding = true;
        try {
          reports.push(
            await rebuildProjector({ ledger, db, cache, layout, clock }, lane.projector, {
              batchSize: options.catchUpBatchSize,
              head: heads.head,
              onProgress: rebuildOptions.onProgress,
              dropOld: false,
              onSwapped: () => rebind(lane),
            }),
          );
          // Return once the lane serves the new generation live (reads and waits then see it).
          const swappedTo = reports.at(-1)?.generation;
          const deadline = Date.now() + 120_000;
          while (
            !stopped &&
            (lane.handle?.generation !== swappedTo || lane.state !== 'live') &&
            Date.now() < deadline
          ) {
            await new Promise((resolve) => setTimeout(resolve, 10));
          }
          if (rebuildOptions.dropOld === true) {
            await dropRetiredGenerations({ ledger, db, cache, layout, clock }, lane.projector);
          }
        } finally {
          lane.rebuilding = false;
        }
      }
      return reports;
    },
    refresh: (now) => refreshAll(now ?? clock()),
    async withLive(name, work) {
      const lane = lanes.get(name);
      const projector = lane?.projector ?? options.projectors.find((p) => p.name === name);
      if (projector === undefined) throw new Error(`unknown projector ${name}`);
      const record = await liveGeneration(db, layout, name);
      if (record === undefined) throw new Error(`projector ${name} has no live generation`);
      const handle =
        lane?.handle?.generation === record.generation ? lane.handle : handleOf(projector, record);
      return withMaintenance(db, layout, handle, cache, (ctx) => work(ctx, projector));
    },
  };
  return runner;
}
