import type { Cache, Ledger, Position, TransactionalSqlExecutor } from '@pti/platform';
import { type GenerationHandle, withMaintenance } from './apply-batch.js';
import { type CatchUpProgress, catchUp, DEFAULT_CATCH_UP_BATCH } from './catch-up.js';
import { type CatchUpManyProgress, catchUpMany } from './catch-up-many.js';
import { deferIndexes, restoreIndexes } from './deferred-indexes.js';
import type { ProjectionLayout } from './layout.js';
import type { Projector } from './projector.js';
import {
  createGeneration,
  dropRetired,
  type GenerationRecord,
  listGenerations,
  liveGeneration,
  migrateRegistry,
  resumableGeneration,
  swapGeneration,
} from './registry.js';
import { bulkLoading } from './sql.js';

export interface RebuildDeps {
  readonly ledger: Ledger;
  readonly db: TransactionalSqlExecutor;
  readonly cache?: Cache;
  readonly layout: ProjectionLayout;
  readonly clock?: () => Date;
}

export interface RebuildOptions {
  readonly batchSize?: number;
  readonly onProgress?: (progress: CatchUpProgress) => void;
  readonly head?: () => Promise<Position>;
  /** Drop the generations retired by this swap (tables and Redis keys) once it is done. */
  readonly dropOld?: boolean;
  /** Continue an interrupted build of the same projector version (default true). */
  readonly resume?: boolean;
  /** Called right after the swap committed (the runner re-binds its lane). */
  readonly onSwapped?: (live: GenerationRecord) => void | Promise<void>;
}

export interface RebuildReport {
  readonly projector: string;
  readonly previous: number | null;
  readonly generation: number;
  readonly events: number;
  readonly elapsedMs: number;
  readonly eventsPerSecond: number;
  readonly dropped: readonly number[];
}

export function handleOf(projector: Projector, record: GenerationRecord): GenerationHandle {
  return {
    projector,
    generation: record.generation,
    schema: record.schema,
    keyPrefix: record.keyPrefix,
    memory: new Map(),
  };
}

/** Calls the projector's time-driven `refresh` on a generation (no-op for projectors without one). */
export async function refreshGeneration(
  deps: Pick<RebuildDeps, 'db' | 'cache' | 'layout'>,
  handle: GenerationHandle,
  now: Date,
): Promise<void> {
  const refresh = handle.projector.refresh;
  if (refresh === undefined) return;
  // The roll's day number orders its cache writes after the last batch's (see positionVersion).
  const day = BigInt(Math.floor(now.getTime() / 86_400_000));
  await withMaintenance(deps.db, deps.layout, handle, deps.cache, (ctx) => refresh(now, ctx), day);
}

/**
 * Blue/green rebuild of one projector: registers generation n+1 (`rm_<name>_v<n+1>`, Redis prefix
 * `rm:<name>:v<n+1>:`), replays the whole ledger into it in catch-up batches while the live
 * generation keeps serving (and, in a running process, keeps being updated), repeats the catch-up
 * until a pass ends at the visible tail, then swaps the stable views in one transaction. The old
 * generation stays (retired) until `dropOld` / `dropRetiredGenerations`.
 */
export async function rebuildProjector(
  deps: RebuildDeps,
  projector: Projector,
  options: RebuildOptions = {},
): Promise<RebuildReport> {
  const started = Date.now();
  await migrateRegistry(deps.db, deps.layout);
  const previous = await liveGeneration(deps.db, deps.layout, projector.name);
  const created =
    (options.resume === false ? undefined : await resumableGeneration(deps.db, deps.layout, projector)) ??
    (await createGeneration(deps.db, deps.layout, projector));
  const handle = handleOf(projector, created);
  await refreshGeneration(deps, handle, (deps.clock ?? (() => new Date()))());
  await deferIndexes(deps.db, projector, created.schema);
  let events = 0;
  // Passes after the first only pick up what was appended meanwhile.
  for (let pass = 0; pass < 10; pass += 1) {
    const result = await catchUp({
      ledger: deps.ledger,
      // Large upserts of the new generation go through COPY where the database offers it.
      db: bulkLoading(deps.db),
      layout: deps.layout,
      handle,
      cache: deps.cache,
      batchSize: options.batchSize,
      head: options.head,
      onProgress: options.onProgress,
    });
    events += result.events;
    if (result.events < (options.batchSize ?? DEFAULT_CATCH_UP_BATCH)) break;
  }
  await restoreIndexes(deps.db, created.schema);
  await swapGeneration(deps.db, deps.layout, projector, created.generation);
  const live = (await liveGeneration(deps.db, deps.layout, projector.name)) ?? created;
  await options.onSwapped?.(live);
  const dropped = options.dropOld === true ? await dropRetiredGenerations(deps, projector) : [];
  const elapsedMs = Date.now() - started;
  return {
    projector: projector.name,
    previous: previous?.generation ?? null,
    generation: created.generation,
    events,
    elapsedMs,
    eventsPerSecond: elapsedMs > 0 ? (events * 1000) / elapsedMs : 0,
    dropped,
  };
}

/**
 * Events each projector of a shared rebuild gathers before applying them in one transaction
 * (`CatchUpManyOptions.flushEvery`): rows are folded in memory across that many events and each
 * changed row is written once per flush. A crash loses at most that much progress per projector.
 */
export const REBUILD_FLUSH_EVERY = 200_000;

export interface RebuildManyOptions {
  /** Ledger records per read. */
  readonly batchSize?: number;
  /** See {@link REBUILD_FLUSH_EVERY} (the default); never below `batchSize`. */
  readonly flushEvery?: number;
  readonly onProgress?: (progress: CatchUpManyProgress) => void;
  readonly head?: () => Promise<Position>;
  readonly dropOld?: boolean;
  readonly resume?: boolean;
  /** Called right after each projector's swap committed. */
  readonly onSwapped?: (projector: Projector, live: GenerationRecord) => void | Promise<void>;
}

export interface RebuildManyReport {
  /** Per projector: events applied, and the time until its lane had settled (not the others'). */
  readonly projectors: readonly RebuildReport[];
  /** Ledger records read (once for all projectors). */
  readonly read: number;
  readonly elapsedMs: number;
  /** Per projector: ms spent in its own batches and settle (see `CatchUpManyResult.busyMs`). */
  readonly busyMs: ReadonlyMap<string, number>;
  /** Ledger records per second over the whole rebuild, swaps included. */
  readonly eventsPerSecond: number;
}

/**
 * Blue/green rebuild of several projectors over ONE shared ledger read (`catchUpMany`): every
 * projector gets generation n+1 as with `rebuildProjector`, the ledger is read and decoded once
 * and applied to all of them concurrently, passes repeat until one ends at the visible tail, then
 * each projector swaps (one transaction each). `pti rebuild all` is this.
 */
export async function rebuildProjectors(
  deps: RebuildDeps,
  projectors: readonly Projector[],
  options: RebuildManyOptions = {},
): Promise<RebuildManyReport> {
  const started = Date.now();
  await migrateRegistry(deps.db, deps.layout);
  const entries: {
    projector: Projector;
    previous: GenerationRecord | undefined;
    handle: GenerationHandle;
  }[] = [];
  for (const projector of projectors) {
    const previous = await liveGeneration(deps.db, deps.layout, projector.name);
    const created =
      (options.resume === false ? undefined : await resumableGeneration(deps.db, deps.layout, projector)) ??
      (await createGeneration(deps.db, deps.layout, projector));
    const handle = handleOf(projector, created);
    await refreshGeneration(deps, handle, (deps.clock ?? (() => new Date()))());
    await deferIndexes(deps.db, projector, created.schema);
    entries.push({ projector, previous, handle });
  }
  const batchSize = options.batchSize ?? DEFAULT_CATCH_UP_BATCH;
  const applied = new Map<string, number>();
  const laneMs = new Map<string, number>();
  const busyMs = new Map<string, number>();
  let read = 0;
  for (let pass = 0; pass < 10; pass += 1) {
    const passStarted = Date.now() - started;
    const result = await catchUpMany({
      ledger: deps.ledger,
      // Large upserts of the new generation go through COPY where the database offers it.
      db: bulkLoading(deps.db),
      layout: deps.layout,
      handles: entries.map((e) => e.handle),
      cache: deps.cache,
      batchSize,
      flushEvery: Math.max(batchSize, options.flushEvery ?? REBUILD_FLUSH_EVERY),
      head: options.head,
      onProgress: options.onProgress,
    });
    read += result.read;
    for (const [name, n] of result.applied) applied.set(name, (applied.get(name) ?? 0) + n);
    for (const [name, ms] of result.laneMs) laneMs.set(name, passStarted + ms);
    for (const [name, ms] of result.busyMs) busyMs.set(name, (busyMs.get(name) ?? 0) + ms);
    if (result.read < batchSize) break;
  }
  // Index builds are sorts on separate connections: PostgreSQL runs them side by side.
  await Promise.all(entries.map(({ handle }) => restoreIndexes(deps.db, handle.schema)));
  const reports: RebuildReport[] = [];
  for (const { projector, previous, handle } of entries) {
    await swapGeneration(deps.db, deps.layout, projector, handle.generation);
    const live =
      (await liveGeneration(deps.db, deps.layout, projector.name)) ??
      (await generationRecordOf(deps, projector, handle.generation));
    if (live !== undefined) await options.onSwapped?.(projector, live);
    const dropped = options.dropOld === true ? await dropRetiredGenerations(deps, projector) : [];
    const events = applied.get(projector.name) ?? 0;
    const elapsedMs = laneMs.get(projector.name) ?? Date.now() - started;
    reports.push({
      projector: projector.name,
      previous: previous?.generation ?? null,
      generation: handle.generation,
      events,
      elapsedMs,
      eventsPerSecond: elapsedMs > 0 ? (events * 1000) / elapsedMs : 0,
      dropped,
    });
  }
  const elapsedMs = Date.now() - started;
  return {
    projectors: reports,
    read,
    elapsedMs,
    busyMs,
    eventsPerSecond: elapsedMs > 0 ? (read * 1000) / elapsedMs : 0,
  };
}

async function generationRecordOf(
  deps: RebuildDeps,
  projector: Projector,
  generation: number,
): Promise<GenerationRecord | undefined> {
  return (await listGenerations(deps.db, deps.layout, projector.name)).find(
    (g) => g.generation === generation,
  );
}

/**
 * Drops a projector's retired generations: their Redis keys (listed by the projector's `cacheKeys`
 * while the tables still exist), then their schemas, checkpoints and registry rows.
 */
export async function dropRetiredGenerations(deps: RebuildDeps, projector: Projector): Promise<number[]> {
  const all = await listGenerations(deps.db, deps.layout, projector.name);
  const live = all.find((g) => g.status === 'live');
  const retired = all.filter(
    (g) =>
      g.status === 'retired' ||
      (g.status === 'building' && live !== undefined && g.projectorVersion !== live.projectorVersion),
  );
  const cacheKeys = projector.cacheKeys;
  const cache = deps.cache;
  if (cache !== undefined && cacheKeys !== undefined) {
    for (const old of retired) {
      const handle = handleOf(projector, old);
      const keys = await withMaintenance(deps.db, deps.layout, handle, undefined, (ctx) => cacheKeys(ctx));
      for (let at = 0; at < keys.length; at += 1_000) {
        await cache.del(keys.slice(at, at + 1_000).map((key) => old.keyPrefix + key));
      }
    }
  }
  return (await dropRetired(deps.db, deps.layout, projector.name)).map((g) => g.generation);
}
