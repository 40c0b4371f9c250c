import {
  type Cache,
  comparePositions,
  type EventFilter,
  type Ledger,
  type Position,
  type ReadAllPage,
  type RecordedEvent,
  START,
  type TransactionalSqlExecutor,
} from '@pti/platform';
import { advanceCheckpoint, applyBatch, type GenerationHandle, withMaintenance } from './apply-batch.js';
import { DEFAULT_CATCH_UP_BATCH } from './catch-up.js';
import type { ProjectionLayout } from './layout.js';
import { generation as generationRecord } from './registry.js';

/**
 * # Shared-read catch-up
 *
 * Catching up several generations one after the other reads (and decodes) the whole ledger once per
 * projector. `catchUpMany` reads it ONCE, unfiltered (the ledger's cheapest query), decodes each
 * record once (`decode.ts` memoises by record) and feeds every generation through its own *lane*:
 * each lane filters the page by its projector's filter and applies it with `applyBatch` (its own
 * transaction and checkpoint, exactly as `catchUp` does), on its own connection, concurrently with
 * the other lanes and with the reading of the next pages. A lane may run up to `MAX_PAGES_AHEAD`
 * pages behind the reader; a slow lane then holds the reader back. With `flushEvery` (a rebuild) a
 * lane gathers pages into one large batch before applying it, one batch applying while the next
 * gathers.
 *
 * Semantics per lane are those of `catchUp`: catch-up mode for every batch except one that reaches
 * the visible tail (live mode), the checkpoint advanced past filtered-out events at the end, then
 * `settle`. Each lane's checkpoint commits with its batches, so an interrupted shared catch-up
 * resumes (lanes ahead of the others skip the records they already applied).
 */

/** Batches a lane may lag behind the reader (pages are shared, not copied). */
const MAX_PAGES_AHEAD = 3;

export interface CatchUpManyProgress {
  /** Ledger records read so far in this catch-up. */
  readonly read: number;
  /** Events applied so far, per projector. */
  readonly applied: ReadonlyMap<string, number>;
  readonly position: Position;
  readonly head: Position | undefined;
  readonly elapsedMs: number;
  /** Ledger records read per second. */
  readonly eventsPerSecond: number;
  readonly etaSeconds: number | undefined;
  readonly done: boolean;
}

export interface CatchUpManyOptions {
  readonly ledger: Ledger;
  readonly db: TransactionalSqlExecutor;
  readonly layout: ProjectionLayout;
  readonly handles: readonly GenerationHandle[];
  readonly cache: Cache | undefined;
  /** Ledger records per read (one page). */
  readonly batchSize?: number;
  /**
   * Events a lane gathers, over as many pages as it takes, before applying them as ONE batch (one
   * transaction with its checkpoint); at most `batchSize` (the default): one batch per page. A
   * rebuild sets it far larger: a projector then folds every row in memory over hundreds of
   * thousands of events and writes each changed row once per flush instead of once per page, and
   * an interrupted rebuild resumes from its last flush.
   */
  readonly flushEvery?: number;
  readonly head?: () => Promise<Position>;
  readonly onProgress?: (progress: CatchUpManyProgress) => void;
  /** Called when a lane has finished (its settle committed), with the time it took. */
  readonly onLaneDone?: (projector: string, events: number, elapsedMs: number) => void;
}

export interface CatchUpManyResult {
  readonly position: Position;
  /** Ledger records read. */
  readonly read: number;
  /** Events applied per projector. */
  readonly applied: ReadonlyMap<string, number>;
  /** Milliseconds until each lane had applied its last batch and settled. */
  readonly laneMs: ReadonlyMap<string, number>;
  /**
   * Milliseconds each lane spent applying batches and settling (its own transactions, not waiting
   * for the reader): which read model holds the shared read back.
   */
  readonly busyMs: ReadonlyMap<string, number>;
}

/** Client-side twin of the SQL ledgers' filter (stream-name prefixes AND event types). */
export function matchesFilter(record: RecordedEvent, filter: EventFilter): boolean {
  const prefixes = filter.streamPrefixes;
  if (prefixes !== undefined && prefixes.length > 0) {
    let found = false;
    for (const prefix of prefixes) {
      if (record.streamName.startsWith(prefix)) {
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  const types = filter.eventTypes;
  return types === undefined || types.length === 0 || types.includes(record.type);
}

interface Lane {
  readonly handle: GenerationHandle;
  readonly queue: Promise<void>[];
  tail: Promise<void>;
  applied: number;
  busyMs: number;
  /** Position of the last record handed to this lane. */
  last: Position | undefined;
  /** Records gathered for the lane's next batch (see `flushEvery`). */
  pending: RecordedEvent[];
}

export async function catchUpMany(options: CatchUpManyOptions): Promise<CatchUpManyResult> {
  const { ledger, db, layout, cache } = options;
  const limit = options.batchSize ?? DEFAULT_CATCH_UP_BATCH;
  const gathering = options.flushEvery !== undefined && options.flushEvery > limit;
  const flushEvery = gathering ? (options.flushEvery ?? limit) : 1;
  // Gathered batches are large: one applying while the next gathers keeps both cores busy, more
  // only holds more records (and their decoded events) in memory.
  const maxQueued = gathering ? 1 : MAX_PAGES_AHEAD;
  const started = Date.now();
  let from: Position | undefined;
  for (const handle of options.handles) {
    const stored = await generationRecord(db, layout, handle.projector.name, handle.generation);
    if (stored === undefined)
      throw new Error(`generation ${handle.generation} of ${handle.projector.name} does not exist`);
    if (from === undefined || comparePositions(stored.position, from) < 0) from = stored.position;
  }
  const origin = from ?? START;
  const head = options.head === undefined ? undefined : await options.head();
  const lanes: Lane[] = options.handles.map((handle) => ({
    handle,
    queue: [],
    tail: Promise.resolve(),
    applied: 0,
    busyMs: 0,
    last: undefined,
    pending: [],
  }));
  const laneMs = new Map<string, number>();
  let read = 0;
  let after = origin;
  const appliedMap = () => new Map(lanes.map((lane) => [lane.handle.projector.name, lane.applied]));
  const report = (done: boolean) => {
    if (options.onProgress === undefined) return;
    const elapsedMs = Date.now() - started;
    let etaSeconds: number | undefined;
    if (head !== undefined && ledger.kind !== 'eventstoredb' && after.prepare > origin.prepare) {
      const doneSpan = Number(after.prepare - origin.prepare);
      const leftSpan = Number(head.prepare - after.prepare);
      etaSeconds = leftSpan <= 0 ? 0 : (leftSpan * elapsedMs) / doneSpan / 1000;
    }
    options.onProgress({
      read,
      applied: appliedMap(),
      position: after,
      head,
      elapsedMs,
      eventsPerSecond: elapsedMs > 0 ? (read * 1000) / elapsedMs : 0,
      etaSeconds,
      done,
    });
  };
  const enqueue = async (lane: Lane, records: readonly RecordedEvent[], mode: 'live' | 'catch-up') => {
    if (lane.queue.length >= maxQueued) await lane.queue.shift();
    lane.last = records.at(-1)?.position ?? lane.last;
    lane.tail = lane.tail.then(async () => {
      const began = Date.now();
      const outcome = await applyBatch(db, layout, lane.handle, records, mode, cache);
      lane.applied += outcome.applied;
      lane.busyMs += Date.now() - began;
    });
    // Awaited later (backpressure / the end); the no-op catch only keeps Node from reporting it
    // as unhandled while it waits in the queue.
    lane.tail.catch(() => undefined);
    lane.queue.push(lane.tail);
  };
  const readPage = (position: Position): Promise<ReadAllPage> => ledger.readAll({ after: position, limit });

  try {
    let current = await readPage(after);
    let following: Promise<ReadAllPage> | undefined = current.isEnd ? undefined : readPage(current.next);
    while (true) {
      const next = following === undefined ? undefined : await following;
      following = next === undefined || next.isEnd ? undefined : readPage(next.next);
      const atTail = current.isEnd || (next?.isEnd === true && next.events.length === 0);
      const records = current.events;
      read += records.length;
      if (records.length > 0) {
        for (const lane of lanes) {
          const filter = lane.handle.projector.filter;
          const all = (filter.streamPrefixes?.length ?? 0) === 0 && (filter.eventTypes?.length ?? 0) === 0;
          // `pending` grows: never the shared page itself.
          if (lane.pending.length === 0)
            lane.pending = all ? [...records] : records.filter((record) => matchesFilter(record, filter));
          else
            for (const record of records) if (all || matchesFilter(record, filter)) lane.pending.push(record);
        }
      }
      // The batch that reaches the tail is applied in live mode, with whatever its lane gathered.
      for (const lane of lanes) {
        if (lane.pending.length === 0 || (!atTail && lane.pending.length < flushEvery)) continue;
        const batch = lane.pending;
        lane.pending = [];
        await enqueue(lane, batch, atTail ? 'live' : 'catch-up');
      }
      if (comparePositions(current.next, after) > 0) after = current.next;
      report(false);
      if (current.isEnd || next === undefined) break;
      current = next;
    }
    // The loop ends on the tail page, which flushed every lane; this only guards that invariant.
    for (const lane of lanes) {
      if (lane.pending.length === 0) continue;
      const batch = lane.pending;
      lane.pending = [];
      await enqueue(lane, batch, 'live');
    }
    await Promise.all(
      lanes.map(async (lane) => {
        await lane.tail;
        const { handle } = lane;
        if (lane.last === undefined || comparePositions(after, lane.last) > 0) {
          await advanceCheckpoint(db, layout, handle, after);
        }
        const settle = handle.projector.settle;
        const began = Date.now();
        if (settle !== undefined) await withMaintenance(db, layout, handle, cache, (ctx) => settle(ctx));
        lane.busyMs += Date.now() - began;
        const ms = Date.now() - started;
        laneMs.set(handle.projector.name, ms);
        options.onLaneDone?.(handle.projector.name, lane.applied, ms);
      }),
    );
  } finally {
    // On failure, let every lane's in-flight batch finish (or fail) before the caller goes on.
    await Promise.allSettled(lanes.map((lane) => lane.tail));
  }
  report(true);
  const busyMs = new Map(lanes.map((lane) => [lane.handle.projector.name, lane.busyMs]));
  return { position: after, read, applied: appliedMap(), laneMs, busyMs };
}
