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
 * pages behind the reader; a slow lane then holds the reader back.
 *
 * Semantics per lane are those of `catchUp`: catch-up mode for every batch except one that reaches
 * the visible tail (live mode), the checkpoint advanced past filtered-out events at the end, then
 * `settle`. Each lane's checkpoint commits with its batches, so an interrupted shared catch-up
 * resumes (lanes ahead of the others skip the records they already applied).
 */

/** Pages a lane may lag behind the reader (each page is shared, not copied). */
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
  readonly batchSize?: number;
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
}

export async function catchUpMany(options: CatchUpManyOptions): Promise<CatchUpManyResult> {
  const { ledger, db, layout, cache } = options;
  const limit = options.batchSize ?? DEFAULT_CATCH_UP_BATCH;
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
    if (lane.queue.length >= MAX_PAGES_AHEAD) await lane.queue.shift();
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
        const mode = atTail ? 'live' : 'catch-up';
        for (const lane of lanes) {
          const filter = lane.handle.projector.filter;
          const selected =
            (filter.streamPrefixes?.length ?? 0) === 0 && (filter.eventTypes?.length ?? 0) === 0
              ? records
              : records.filter((record) => matchesFilter(record, filter));
          if (selected.length > 0) await enqueue(lane, selected, mode);
        }
      }
      if (comparePositions(current.next, after) > 0) after = current.next;
      report(false);
      if (current.isEnd || next === undefined) break;
      current = next;
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
