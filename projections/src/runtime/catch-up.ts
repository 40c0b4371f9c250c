import {
  type Cache,
  comparePositions,
  type Ledger,
  type Position,
  type ReadAllPage,
  type TransactionalSqlExecutor,
} from '@pti/platform';
import { advanceCheckpoint, applyBatch, type GenerationHandle, withMaintenance } from './apply-batch.js';
import type { ProjectionLayout } from './layout.js';
import { generation as generationRecord } from './registry.js';

/**
 * Events per catch-up transaction. Large batches let a projector fold many events into one write
 * per row (a calendar day touched 20 times is recomputed once) and amortise each round trip.
 */
export const DEFAULT_CATCH_UP_BATCH = 20_000;

export interface CatchUpProgress {
  readonly projector: string;
  readonly generation: number;
  /** Events applied so far in this catch-up. */
  readonly events: number;
  readonly position: Position;
  /** The ledger's tail when known (for a percentage / ETA on the SQL ledgers). */
  readonly head: Position | undefined;
  readonly elapsedMs: number;
  readonly eventsPerSecond: number;
  /** Estimated seconds left (SQL ledgers: from global positions), undefined when unknown. */
  readonly etaSeconds: number | undefined;
  readonly done: boolean;
}

export interface CatchUpOptions {
  readonly ledger: Ledger;
  readonly db: TransactionalSqlExecutor;
  readonly layout: ProjectionLayout;
  readonly handle: GenerationHandle;
  readonly cache: Cache | undefined;
  /** Events per batch (one transaction each); default `DEFAULT_CATCH_UP_BATCH`. */
  readonly batchSize?: number;
  readonly head?: () => Promise<Position>;
  readonly onProgress?: (progress: CatchUpProgress) => void;
  /** Polled between batches: stop early (the checkpoint keeps what was done). */
  readonly shouldStop?: () => boolean;
  /** Called after each committed batch (metrics). */
  readonly onBatch?: (applied: number, lastRecordedAt: Date | undefined) => void;
}

export interface CatchUpResult {
  readonly position: Position;
  readonly events: number;
}

/**
 * Replays the ledger into a generation from its checkpoint up to the visible tail, in large
 * `catch-up` batches, reading the next page while the current one is applied. Each batch commits
 * with its checkpoint, so an interrupted catch-up resumes where it stopped. The page that reaches
 * the tail is applied in `live` mode (a projector that deferred work during catch-up completes it
 * in that same transaction), then the projector's `settle` runs.
 */
export async function catchUp(options: CatchUpOptions): Promise<CatchUpResult> {
  const { ledger, db, layout, handle } = options;
  const limit = options.batchSize ?? DEFAULT_CATCH_UP_BATCH;
  const filter = handle.projector.filter;
  const stored = await generationRecord(db, layout, handle.projector.name, handle.generation);
  if (stored === undefined)
    throw new Error(`generation ${handle.generation} of ${handle.projector.name} does not exist`);
  const started = Date.now();
  const head = options.head === undefined ? undefined : await options.head();
  const from = stored.position;
  let after = from;
  let events = 0;
  const report = (done: boolean) => {
    if (options.onProgress === undefined) return;
    const elapsedMs = Date.now() - started;
    const eventsPerSecond = elapsedMs > 0 ? (events * 1000) / elapsedMs : 0;
    let etaSeconds: number | undefined;
    if (head !== undefined && ledger.kind !== 'eventstoredb' && after.prepare > from.prepare) {
      const doneSpan = Number(after.prepare - from.prepare);
      const leftSpan = Number(head.prepare - after.prepare);
      etaSeconds = leftSpan <= 0 ? 0 : (leftSpan * elapsedMs) / doneSpan / 1000;
    }
    options.onProgress({
      projector: handle.projector.name,
      generation: handle.generation,
      events,
      position: after,
      head,
      elapsedMs,
      eventsPerSecond,
      etaSeconds,
      done,
    });
  };
  const read = (position: Position): Promise<ReadAllPage> =>
    ledger.readAll({ after: position, limit, filter });
  // Two pages ahead: the page after `current` tells whether `current` is the last one (then it is
  // applied in live mode, so the checkpoint never reaches the tail with deferred work pending),
  // and the one after that is read while `current` is applied.
  let current = await read(after);
  let following: Promise<ReadAllPage> | undefined = current.isEnd ? undefined : read(current.next);
  while (true) {
    const next = following === undefined ? undefined : await following;
    const stop = current.isEnd || next === undefined || options.shouldStop?.() === true;
    following = stop || next === undefined || next.isEnd ? undefined : read(next.next);
    const atTail = current.isEnd || (next?.isEnd === true && next.events.length === 0);
    if (current.events.length > 0) {
      const mode = atTail ? 'live' : 'catch-up';
      const outcome = await applyBatch(db, layout, handle, current.events, mode, options.cache);
      events += outcome.applied;
      options.onBatch?.(outcome.applied, current.events.at(-1)?.recordedAt);
    }
    if (comparePositions(current.next, after) > 0) {
      const lastEvent = current.events.at(-1);
      if (lastEvent === undefined || comparePositions(current.next, lastEvent.position) > 0) {
        await advanceCheckpoint(db, layout, handle, current.next);
      }
      after = current.next;
    }
    report(current.isEnd);
    if (stop) {
      const settle = handle.projector.settle;
      if (current.isEnd && settle !== undefined) {
        await withMaintenance(db, layout, handle, options.cache, (ctx) => settle(ctx));
      }
      break;
    }
    if (next === undefined) break;
    current = next;
  }
  return { position: after, events };
}
