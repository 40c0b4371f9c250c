import {
  type Cache,
  comparePositions,
  type Position,
  positionFromString,
  positionToString,
  type RecordedEvent,
  type Row,
  sqlLiteral,
  type TransactionalSqlExecutor,
} from '@pti/platform';
import { decodeRecords } from './decode.js';
import type { ProjectionLayout } from './layout.js';
import { bufferedProjectionCache } from './projection-cache.js';
import type { ApplyContext, ApplyMode, MaintenanceContext, Projector } from './projector.js';
import { checkpointLock } from './registry.js';
import { type WriteBehind, writeBehind } from './sql.js';

/** One generation of one projector, running in this process. */
export interface GenerationHandle {
  readonly projector: Projector;
  readonly generation: number;
  readonly schema: string;
  readonly keyPrefix: string;
  /** `ApplyContext.memory`; cleared when a batch fails. */
  readonly memory: Map<string, unknown>;
  /**
   * The checkpoint this process last committed. When the stored one differs, another process
   * applied batches to this generation meanwhile: `memory` may be stale and is cleared.
   */
  committed?: Position;
}

export interface BatchOutcome {
  /** Records past the stored checkpoint that were applied (0 when the whole batch was a replay). */
  readonly applied: number;
  /** The checkpoint after the batch. */
  readonly position: Position;
}

/**
 * `work_mem` of a catch-up transaction. Its multi-row writes expand one JSON document of many
 * thousand rows (`upsertRows`), which PostgreSQL materialises; at the 4 MB default that spills to
 * temporary files.
 */
const CATCH_UP_WORK_MEM = '128MB';

/**
 * The statements that open every transaction on a generation: lock its checkpoint
 * (`checkpointLock`), then read it, in a statement of its own so that its snapshot sees what
 * the lock's previous holder committed. Sent with BEGIN in one round trip (`TransactionEnds`), so
 * their values are literals.
 */
function lockCheckpoint(
  layout: ProjectionLayout,
  handle: GenerationHandle,
  mode: ApplyMode = 'live',
): string {
  // `synchronous_commit` off for this transaction: the commit does not wait for the WAL flush. A
  // read model can afford it: an OS crash may lose the last batches, rows and checkpoint together
  // (one transaction), and they are projected again from the ledger.
  return `select pg_advisory_xact_lock(${checkpointLock(layout, handle.projector.name, handle.generation)});
     select position, set_config('synchronous_commit', 'off', true) as sync${mode === 'catch-up' ? `, set_config('work_mem', '${CATCH_UP_WORK_MEM}', true) as mem` : ''}
       from ${layout.registrySchema}.checkpoints
      where projector = ${sqlLiteral(handle.projector.name)} and version = ${generationLiteral(handle)}`;
}

function lockedPosition(rows: readonly Row[], handle: GenerationHandle): Position {
  const position = rows[0]?.position;
  if (typeof position !== 'string')
    throw new Error(`no checkpoint for ${handle.projector.name} generation ${handle.generation}`);
  return positionFromString(position);
}

/** The statement that closes a batch: stores its checkpoint, sent with COMMIT in one round trip. */
function storeCheckpoint(layout: ProjectionLayout, handle: GenerationHandle, position: Position): string {
  return `update ${layout.registrySchema}.checkpoints set position = ${sqlLiteral(positionToString(position))}, updated_at = now()
      where projector = ${sqlLiteral(handle.projector.name)} and version = ${generationLiteral(handle)}`;
}

function generationLiteral(handle: GenerationHandle): string {
  if (!Number.isSafeInteger(handle.generation)) throw new Error(`bad generation ${handle.generation}`);
  return String(handle.generation);
}

/** Statements joined into one script; undefined when there are none. */
function scriptOf(...statements: readonly (string | undefined)[]): string | undefined {
  const present = statements.filter((statement) => statement !== undefined);
  return present.length === 0 ? undefined : present.join(';\n');
}

const tableOf = (schema: string) => (name: string) => `${schema}.${name}`;

/**
 * Applies one batch: in ONE transaction, locks the generation's checkpoint (`lockCheckpoint`, so two
 * processes never apply the same generation at once), skips the records at or before it (a
 * redelivered batch is a no-op), calls `apply`, flushes the buffered Redis writes guarded by the
 * batch's position, and stores the new checkpoint. Any failure rolls everything back, discards the
 * Redis buffer and clears the generation's memory; the caller redelivers from the checkpoint.
 */
export async function applyBatch(
  db: TransactionalSqlExecutor,
  layout: ProjectionLayout,
  handle: GenerationHandle,
  records: readonly RecordedEvent[],
  mode: ApplyMode,
  cache: Cache | undefined,
): Promise<BatchOutcome> {
  const last = records.at(-1);
  const buffered =
    cache !== undefined && handle.projector.usesCache === true
      ? bufferedProjectionCache(cache, handle.keyPrefix)
      : undefined;
  let writes: WriteBehind | undefined;
  try {
    const outcome = await db.transaction(
      async (tx, opened): Promise<BatchOutcome & { readonly store: boolean }> => {
        const stored = lockedPosition(opened, handle);
        if (handle.committed !== undefined && comparePositions(stored, handle.committed) !== 0)
          handle.memory.clear();
        if (last === undefined || comparePositions(last.position, stored) <= 0) {
          handle.committed = stored;
          return { applied: 0, position: stored, store: false };
        }
        const fresh = records.filter((record) => comparePositions(record.position, stored) > 0);
        // Live batches are small: their writes wait and go with the checkpoint and COMMIT. A
        // catch-up keeps `tx` itself (its large writes go through COPY, `bulkLoading`).
        if (mode === 'live') writes = writeBehind(tx);
        const ctx: ApplyContext = {
          tx: writes ?? tx,
          schema: handle.schema,
          table: tableOf(handle.schema),
          generation: handle.generation,
          mode,
          cache: buffered,
          memory: handle.memory,
        };
        await handle.projector.apply(
          { events: decodeRecords(fresh), records: fresh, position: last.position },
          ctx,
        );
        if (buffered !== undefined) {
          // Redis only once the SQL writes went through (a failing one must fail the batch before
          // Redis sees it), and before the checkpoint commits: a crash in between replays the
          // batch, guarded by position.
          const queued = writes?.drain();
          if (queued !== undefined) await tx.exec(queued);
          await buffered.flush(last.position);
        }
        return { applied: fresh.length, position: last.position, store: true };
      },
      {
        first: lockCheckpoint(layout, handle, mode),
        last: (done) =>
          scriptOf(writes?.drain(), done.store ? storeCheckpoint(layout, handle, done.position) : undefined),
      },
    );
    handle.committed = outcome.position;
    return outcome;
  } catch (error) {
    buffered?.discard();
    handle.memory.clear();
    throw error;
  }
}

/**
 * Moves the checkpoint forward without events: the subscription went past events the projector's
 * filter skips. Never moves it back.
 */
export async function advanceCheckpoint(
  db: TransactionalSqlExecutor,
  layout: ProjectionLayout,
  handle: GenerationHandle,
  position: Position,
): Promise<Position> {
  const expected = handle.committed;
  if (expected !== undefined && comparePositions(position, expected) > 0) {
    // The common case, one statement: the checkpoint is still where this process left it, and no
    // transaction holds its lock (one that does may be about to store another position).
    const moved = await db.query(
      `update ${layout.registrySchema}.checkpoints set position = $3, updated_at = now()
        where projector = $1 and version = $2 and position = $4
          and pg_try_advisory_xact_lock(${checkpointLock(layout, handle.projector.name, handle.generation)})
        returning set_config('synchronous_commit', 'off', true)`,
      [handle.projector.name, handle.generation, positionToString(position), positionToString(expected)],
    );
    if (moved.rowCount === 1) {
      handle.committed = position;
      return position;
    }
  }
  const advanced = await db
    .transaction(
      async (_tx, opened) => {
        const stored = lockedPosition(opened, handle);
        if (handle.committed !== undefined && comparePositions(stored, handle.committed) !== 0)
          handle.memory.clear();
        return comparePositions(position, stored) <= 0
          ? { position: stored, store: false }
          : { position, store: true };
      },
      {
        first: lockCheckpoint(layout, handle),
        last: (done) => (done.store ? storeCheckpoint(layout, handle, done.position) : undefined),
      },
    )
    .then((done) => done.position);
  handle.committed = advanced;
  return advanced;
}

/**
 * Runs maintenance work (refresh, scrub, export) in one transaction on a generation. It locks the
 * generation's checkpoint like a batch does, so it never interleaves with one; its Redis writes
 * are guarded by that checkpoint's position.
 */
export async function withMaintenance<T>(
  db: TransactionalSqlExecutor,
  layout: ProjectionLayout,
  handle: GenerationHandle,
  cache: Cache | undefined,
  work: (ctx: MaintenanceContext) => Promise<T>,
  /** Minor cache version of this maintenance (see `positionVersion`). */
  minor = 0n,
): Promise<T> {
  const buffered =
    cache !== undefined && handle.projector.usesCache === true
      ? bufferedProjectionCache(cache, handle.keyPrefix)
      : undefined;
  try {
    return await db.transaction(
      async (tx, opened) => {
        const position = lockedPosition(opened, handle);
        const result = await work({
          tx,
          schema: handle.schema,
          table: tableOf(handle.schema),
          generation: handle.generation,
          cache: buffered,
          memory: handle.memory,
        });
        if (buffered !== undefined) await buffered.flush(position, minor);
        return result;
      },
      { first: lockCheckpoint(layout, handle) },
    );
  } catch (error) {
    buffered?.discard();
    handle.memory.clear();
    throw error;
  }
}
