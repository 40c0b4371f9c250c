import {
  type Cache,
  comparePositions,
  type Ledger,
  type Logger,
  type Metrics,
  type Position,
  positionToString,
  type RecordedEvent,
  type TransactionalSqlExecutor,
} from '@pti/platform';
import { advanceCheckpoint, applyBatch, type GenerationHandle, withMaintenance } from './apply-batch.js';
import { type CatchUpProgress, catchUp } from './catch-up.js';
import { deferIndexes, restoreIndexes } from './deferred-indexes.js';
import { createHeadTracker, type Lag, projectorLag } from './lag.js';
import { type ProjectionLayout, projectionLayout } from './layout.js';
import { createLeaseStore, migrateLeases } from './lease.js';
import { createLiveFeed } from './live-feed.js';
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
  /**
   * Live batching window: a lane starts a batch at most this often (a full batch starts at once), so
   * under load a transaction carries the events of the window; default 10 ms.
   */
  readonly liveBatchWindowMs?: number;
  /** Events per catch-up batch (start-up, rebuild); default `DEFAULT_CATCH_UP_BATCH` (20,000). */
  readonly catchUpBatchSize?: number;
  /** Interval of `refresh(now)` calls (availability's daily roll); default 60 s. */
  readonly refreshIntervalMs?: number;
  /** How often the registry is read to notice a swap made by another process; default 2 s. */
  readonly registryPollMs?: number;
  /** Delay before a failed projector restarts from its checkpoint; doubles up to 30 s. */
  readonly retryDelayMs?: number;
  readonly clock?: () => Date;
  /**
   * One owner per read model across replicas (DESIGN.md §9): with this set, a lane runs only while
   * this process holds its lease (`projector:<name>` in the registry's lease table). Without it,
   * every selected projector runs here (embedded mode, tests).
   */
  readonly lease?: ProjectionLeaseOptions;
}

export interface ProjectionLeaseOptions {
  /** This process's identity (the pod name in Kubernetes). Distinct per replica. */
  readonly owner: string;
  /** A lease not renewed within this time may be taken over; renewed every ttlMs / 3. */
  readonly ttlMs: number;
  /** Wall clock of lease expiries (default `new Date()`); not the runner's `clock`, which may be business time. */
  readonly clock?: () => Date;
}

/** Who holds a lane's lease (lease mode only). */
export interface LaneLeaseStatus {
  /** The current holder, or null when nobody holds an unexpired lease. */
  readonly owner: string | null;
  /** Whether this process holds it (and so runs the lane). */
  readonly mine: boolean;
}

export interface ProjectorRuntimeStatus {
  readonly name: string;
  readonly state: ProjectorState;
  readonly generation: number | null;
  readonly checkpoint: string | null;
  readonly lag: Lag | null;
  readonly lastError: string | null;
  /** Lease mode only: a lane that is not `mine` runs in another process (its state here is `stopped`). */
  readonly lease?: LaneLeaseStatus;
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
   * wait for it exactly. In lease mode: the projectors this process owns now.
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
  /** False while another process owns the lane (lease mode): its loop stops, or never starts. */
  active: boolean;
  /** True from a loop's start to its end (a lane restarts only once its previous loop ended). */
  running: boolean;
  /** Lease mode: when our lease ends unless renewed; the holder seen on the last lease round. */
  leaseExpiresAt: Date | undefined;
  leaseOwner: string | null;
}

/** Asks a lane to re-read the registry (a swap happened, or the runner stops). */
function rebind(lane: Lane): void {
  lane.generationChanged = true;
  lane.wake();
}

const DEFAULT_LIVE_WINDOW_MS = 10;
/**
 * A live lane's checkpoint trails events its filter skips by this long at most: it moves with the
 * next batch, or in a transaction of its own once the lane has committed nothing for this long
 * (not one per skipped event: a bookings lane would pay one for every calendar hold).
 */
const ADVANCE_MS = 50;
/** Longest idle wait of a live lane between two looks at the feed (new records wake it sooner). */
const IDLE_WAIT_MS = 1_000;

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
  const feed = createLiveFeed(ledger, {
    onStoreError: (error, attempt) =>
      logger?.warn({ attempt, err: error }, 'projection: ledger read failed (live feed)'),
  });
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
        active: options.lease === undefined,
        running: false,
        leaseExpiresAt: undefined,
        leaseOwner: null,
      },
    ]),
  );
  let stopped = false;
  const timers: NodeJS.Timeout[] = [];
  const leaseClock = options.lease?.clock ?? (() => new Date());
  /**
   * A lane works while the runner runs and (lease mode) this process owns it — and, should the lease
   * round be late, only until the lease's known expiry: no batch starts after another process may
   * have taken the lease.
   */
  const halted = (lane: Lane) =>
    stopped ||
    !lane.active ||
    (lane.leaseExpiresAt !== undefined && leaseClock().getTime() >= lane.leaseExpiresAt.getTime());
  /** The lanes this process runs (all of them without leases). */
  const activeLanes = () => [...lanes.values()].filter((lane) => lane.active);

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
    await deferIndexes(db, projector, created.schema);
    lane.state = 'catching up';
    const result = await catchUp({
      ledger,
      db,
      layout,
      handle,
      cache,
      batchSize: options.catchUpBatchSize,
      shouldStop: () => halted(lane),
      onBatch: (applied) => counted(lane, applied),
    });
    lane.checkpoint = result.position;
    // Interrupted (stop, or the lease moved): the next owner resumes this generation from its checkpoint.
    if (halted(lane)) return;
    await restoreIndexes(db, created.schema);
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
      shouldStop: () => halted(lane) || lane.generationChanged,
      onBatch: (applied) => counted(lane, applied),
    });
    lane.checkpoint = caught.position;
    if (halted(lane) || lane.generationChanged) return;
    lane.state = 'live';
    await followLive(lane, handle, caught.position);
  };

  /**
   * Live mode: the lane takes its records from the runner's shared feed (one ledger read for every
   * lane), in batches cut by a short window so that, with events arriving at thousands per second,
   * each transaction carries many of them. Events the filter skips move the checkpoint lazily
   * (`ADVANCE_MS`), not in a transaction per batch.
   */
  const followLive = async (lane: Lane, handle: GenerationHandle, from: Position) => {
    const { projector } = lane;
    const batchSize = projector.batchSize ?? options.batchSize ?? 500;
    const windowMs = options.liveBatchWindowMs ?? DEFAULT_LIVE_WINDOW_MS;
    const member = feed.join(from);
    let position = from;
    let lastBatchAt = 0;
    let committedAt = Date.now();
    const stopping = () => halted(lane) || lane.generationChanged;
    lane.wake = () => member.interrupt();
    if (stopping()) member.interrupt();
    const apply = async (events: readonly RecordedEvent[]) => {
      const end = batchSeconds?.startTimer({ projector: projector.name, mode: 'live' });
      const outcome = await applyBatch(db, layout, handle, events, 'live', cache);
      end?.();
      lane.checkpoint = outcome.position;
      committedAt = Date.now();
      counted(lane, outcome.applied);
    };
    try {
      while (!stopping()) {
        const before = position;
        const taken = member.take(position, projector.filter, batchSize);
        let events = taken.events;
        let next = taken.next;
        let more = false;
        if (taken.behind) {
          // Before what the feed holds: read the ledger directly until the lane reaches it.
          const page = await ledger.readAll({ after: position, limit: batchSize, filter: projector.filter });
          events = page.events;
          next = page.next;
          more = !page.isEnd;
          if (stopping()) break;
        } else {
          more = events.length >= batchSize;
        }
        if (events.length > 0) {
          // A short window before a batch that is not full gathers the events arriving meanwhile.
          const sinceLast = Date.now() - lastBatchAt;
          if (!more && !taken.behind && sinceLast < windowMs) {
            await member.wait(windowMs - sinceLast, false);
            if (stopping()) break;
            continue;
          }
          lastBatchAt = Date.now();
          await apply(events);
          lane.caughtUp = false;
        }
        if (comparePositions(next, position) > 0) position = next;
        member.report(position);
        if (more || (taken.behind && comparePositions(position, before) > 0)) continue;
        const trailing = lane.checkpoint === undefined || comparePositions(position, lane.checkpoint) > 0;
        if (trailing && Date.now() - committedAt >= ADVANCE_MS) {
          lane.checkpoint = await advanceCheckpoint(db, layout, handle, position);
          committedAt = Date.now();
        }
        if (!lane.caughtUp) {
          lane.caughtUp = true;
          lane.lastError = null;
        }
        if (stopping()) break;
        const stillTrailing =
          lane.checkpoint === undefined || comparePositions(position, lane.checkpoint) > 0;
        await member.wait(stillTrailing ? Math.max(1, committedAt + ADVANCE_MS - Date.now()) : IDLE_WAIT_MS);
      }
    } finally {
      member.leave();
    }
  };

  const runLane = async (lane: Lane) => {
    let delay = options.retryDelayMs ?? 500;
    lane.running = true;
    while (!halted(lane)) {
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
        if (halted(lane)) break;
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
    lane.running = false;
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
    for (const lane of activeLanes()) {
      if (lane.handle === undefined || lane.state === 'catching up') continue;
      const live = await liveGeneration(db, layout, lane.projector.name).catch(() => undefined);
      if (live !== undefined && live.generation !== lane.handle.generation) rebind(lane);
    }
  };

  // ----- Leases: which lanes this process runs (lease mode) -----
  const leaseOptions = options.lease;
  const leases = leaseOptions === undefined ? undefined : createLeaseStore(db, layout, leaseClock);
  const laneLease = (lane: Lane) => `projector:${lane.projector.name}`;
  const memberLease = leaseOptions === undefined ? '' : `member:${leaseOptions.owner}`;
  let leaseRound: Promise<void> | undefined;

  const activate = (lane: Lane, expiresAt: Date) => {
    lane.active = true;
    lane.leaseExpiresAt = expiresAt;
    lane.leaseOwner = leaseOptions?.owner ?? null;
    lane.state = 'starting';
    lane.lastError = null;
    lane.loop = runLane(lane);
    logger?.info({ projector: lane.projector.name, owner: lane.leaseOwner }, 'projection lease acquired');
  };
  /** Stops a lane now (its in-flight batch commits or rolls back); its loop ends in the background. */
  const deactivate = (lane: Lane, why: string) => {
    lane.active = false;
    lane.leaseExpiresAt = undefined;
    rebind(lane);
    logger?.warn({ projector: lane.projector.name, owner: leaseOptions?.owner }, why);
  };

  /**
   * One lease round (every TTL/3): keep our membership row, renew the leases we hold (a lost one stops
   * its lane at once), give back what exceeds our fair share — ceil(lanes / live members) — and take
   * free or expired leases up to it. Alone, a process takes every lane; a released lease is free at
   * once, a crashed owner's after its TTL.
   */
  const runLeaseRound = async () => {
    if (leases === undefined || leaseOptions === undefined) return;
    const { owner, ttlMs } = leaseOptions;
    // Renewals first, each on its own: with the store unreachable, lanes still stop once their lease ran out.
    for (const lane of activeLanes()) {
      const renewed = await leases.renew(laneLease(lane), owner, ttlMs).catch((error: unknown) => {
        logger?.warn({ projector: lane.projector.name, err: error }, 'projection lease renewal failed');
        return null;
      });
      if (renewed === undefined) deactivate(lane, 'projection lease lost: lane stopped');
      else if (renewed !== null) {
        lane.leaseExpiresAt = renewed;
        // Renewed after it had stopped at the old expiry (nobody took the lease meanwhile): resume.
        if (!lane.running && !stopped) lane.loop = runLane(lane);
      }
      // Could not reach the store: keep running only while the lease we hold is still valid.
      else if (lane.leaseExpiresAt === undefined || leaseClock() >= lane.leaseExpiresAt)
        deactivate(lane, 'projection lease expired without renewal: lane stopped');
    }
    if (stopped) return;
    await leases.tryAcquire(memberLease, owner, ttlMs);
    const members = Math.max(1, (await leases.held('member:')).length);
    const share = Math.ceil(lanes.size / members);
    const holders = new Map((await leases.held('projector:')).map((l) => [l.name, l.owner]));
    const mine = activeLanes();
    for (const lane of mine.slice(share)) {
      deactivate(lane, 'projection lease handed over (more than a fair share here)');
      const loop = lane.loop;
      // Released once the lane has stopped, so the next owner never overlaps with it.
      void loop
        ?.then(() => leases.release(laneLease(lane), owner))
        .catch((error: unknown) => logger?.warn({ err: error }, 'projection lease release failed'));
    }
    let owned = Math.min(mine.length, share);
    for (const lane of lanes.values()) {
      const holder = holders.get(laneLease(lane)) ?? null;
      if (lane.active) continue;
      lane.leaseOwner = holder;
      if (owned >= share || stopped || lane.running || (holder !== null && holder !== owner)) continue;
      const expiresAt = await leases.tryAcquire(laneLease(lane), owner, ttlMs);
      if (expiresAt === undefined) continue;
      if (stopped) {
        await leases.release(laneLease(lane), owner);
        return;
      }
      activate(lane, expiresAt);
      owned += 1;
    }
  };
  const leaseTick = () => {
    if (leaseRound !== undefined) return leaseRound;
    leaseRound = runLeaseRound()
      .catch((error: unknown) => logger?.warn({ err: error }, 'projection lease round failed'))
      .finally(() => {
        leaseRound = undefined;
      });
    return leaseRound;
  };

  const runner: ProjectionRunner = {
    layout,
    async start() {
      await migrateRegistry(db, layout);
      if (leases !== undefined) await migrateLeases(db, layout);
      unregisterMetrics =
        metrics?.register({
          lags: () =>
            Promise.all(
              activeLanes().map(async (lane) => ({
                projector: lane.projector.name,
                lag: await lagOf(lane),
              })),
            ),
        }) ?? (() => {});
      timers.push(
        setInterval(() => void refreshAll(clock()), options.refreshIntervalMs ?? 60_000),
        setInterval(() => void pollRegistry(), options.registryPollMs ?? 2_000),
      );
      if (leaseOptions === undefined) {
        for (const lane of lanes.values()) lane.loop = runLane(lane);
      } else {
        for (const lane of lanes.values()) lane.state = 'stopped';
        await leaseTick();
        timers.push(setInterval(() => void leaseTick(), Math.max(10, Math.floor(leaseOptions.ttlMs / 3))));
      }
      for (const timer of timers) timer.unref();
      logger?.info(
        { projectors: activeLanes().map((lane) => lane.projector.name), owner: leaseOptions?.owner },
        'projections started',
      );
    },
    async stop() {
      stopped = true;
      unregisterMetrics();
      for (const timer of timers.splice(0)) clearInterval(timer);
      for (const lane of lanes.values()) rebind(lane);
      await leaseRound;
      await Promise.all([...lanes.values()].map((lane) => lane.loop));
      await feed.stop();
      if (leases !== undefined && leaseOptions !== undefined) {
        // Stopped cleanly: hand every lease back so the other replicas take over without waiting a TTL.
        const { owner } = leaseOptions;
        const held = activeLanes().map(laneLease);
        for (const name of [...held, memberLease]) {
          await leases.release(name, owner).catch((error: unknown) => {
            logger?.warn({ lease: name, err: error }, 'projection lease release failed');
          });
        }
        for (const lane of lanes.values()) lane.active = false;
      }
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
          ...(leaseOptions === undefined
            ? {}
            : { lease: { owner: lane.active ? leaseOptions.owner : lane.leaseOwner, mine: lane.active } }),
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
        for (const lane of activeLanes())
          if (await behind(lane)) late.push(`${lane.projector.name} (${lane.state})`);
        if (late.length === 0) return;
        if (Date.now() > deadline) throw new Error(`projections did not catch up: ${late.join(', ')}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async rebuild(name, rebuildOptions = {}) {
      const targets = (name === 'all' ? [...lanes.values()] : [lanes.get(name)]).filter(
        (l): l is Lane => l?.active === true,
      );
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
