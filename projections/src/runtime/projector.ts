import type { DomainEvent, EventMetadata } from '@pti/events';
import type { EventFilter, Position, RecordedEvent, SqlExecutor } from '@pti/platform';

/**
 * # Projectors
 *
 * A projector turns the ledger's ordered global stream into one read model (DESIGN.md §6). The
 * runner (`runner.ts`) owns everything around it: it subscribes from the projector's checkpoint,
 * decodes (upcasts) each event, and for every batch opens ONE PostgreSQL transaction in which it
 * calls `apply`, flushes the batch's Redis writes (position-guarded) and stores the checkpoint. A
 * failure anywhere rolls the transaction back and the batch is delivered again: delivery is
 * at-least-once, so `apply` must be idempotent (upserts keyed by natural ids, `ON CONFLICT`,
 * "set to" rather than "add to" where possible, or a guard on the event's position/revision).
 *
 * ## Table sets (blue/green)
 * Each projector owns a *table set*: a PostgreSQL schema `rm_<name>_v<generation>` created by its
 * `migrations(schema)`. A rebuild creates generation n+1 next to the live one, fills it from
 * position 0, catches up, then re-points the stable views `<viewSchema>.<table>` (default schema
 * `rm`) for every table listed in `tables` in one transaction. Never hard-code the schema: always
 * write through `ctx.schema` / `ctx.table(name)`. Readers query the stable views (`rm.<table>`),
 * which are `security_invoker` so row-level security applies to them.
 *
 * ## Tenancy
 * Every row carries `tenant_id` (take it from `event.metadata.tenantId`). For a staff-facing table
 * enable RLS in the migration with {@link tenantPolicy}; the runner writes as the table owner
 * (RLS does not apply to it), readers use `withTenantRead(db, tenantId, fn)` (role `pti_reader`).
 *
 * ## Redis
 * `ctx.cache` (present when the projector declares `usesCache` and the runner has a cache) is
 * prefixed with the generation's key prefix and only offers position-guarded writes: each
 * `put(key, value)` is buffered and flushed with `setIfNewer(key, value, version(batch end))`
 * before the SQL transaction commits, so replaying a batch changes nothing and a rolled-back batch
 * re-writes the same values when redelivered. Values must be a pure function of the events up to
 * the batch's position (never of the wall clock).
 *
 * ## Rebuild / catch-up mode
 * `ctx.mode` is `'catch-up'` while a generation replays history (first start, rebuild, restart
 * after downtime). Batches are large then (20,000 events by default; a shared rebuild gathers
 * `REBUILD_FLUSH_EVERY` = 200,000 of a projector's events per batch); a projector should read the
 * state it needs once, keep it in `ctx.memory` (a Map living as long as the generation runs in this
 * process; cleared when a batch fails or another process advanced the checkpoint) instead of
 * re-reading rows, and write each batch's changed rows with ONE multi-row upsert per table
 * (`upsertRows` in `sql.ts`). Every batch must still commit all its effects (the checkpoint commits
 * with them; a crash must not lose state held only in memory) — or record, in the same
 * transaction, what it deferred, and complete it in the next `live` batch or in `settle`
 * (availability does this). The batch that reaches the ledger's tail is always applied in `live`
 * mode, then `settle` runs. The tables must end exactly as live mode leaves them: the specs and the
 * equivalence test compare them row for row.
 *
 * ## Writing one
 * ```ts
 * export const exampleProjector = defineProjector({
 *   name: 'example', version: 1, tables: ['example_centres'],
 *   filter: { streamPrefixes: ['centre-'] },
 *   migrations: (schema) => [{ version: 1, name: 'tables', sql: `create table ${schema}.example_centres (...)` }],
 *   async apply(batch, ctx) { for (const e of batch.events) if (e.type === 'CentreRegistered') ... },
 * });
 * ```
 * then a spec: `const spec = await openProjectionSpec(exampleProjector)`,
 * `const run = await spec.given(events)`, `expect(await run.rows('example_centres')).toEqual(...)`,
 * `await run.when(moreEvents)` (see `testing/projection-spec.ts`; it also checks that the live and
 * catch-up builds agree), and add the projector to `PROJECTORS` in `../projectors.ts`.
 * `example/example-projector.ts` is a complete one.
 */

/** The stored envelope around a decoded event. */
export interface EventEnvelope {
  /** Event id (uuid). */
  readonly id: string;
  readonly streamName: string;
  /** 1-based revision within the stream. */
  readonly revision: bigint;
  readonly position: Position;
  readonly metadata: EventMetadata;
  readonly recordedAt: Date;
}

/**
 * A domain event decoded to its current schema version (upcast), with its envelope. Narrow on
 * `type` as with `DomainEvent`: `if (e.type === 'BookingPlaced') e.data.customer`.
 */
export type ProjectionEvent = DomainEvent & EventEnvelope;

export interface ProjectionBatch {
  /** Domain events of the batch (catalogue types only), in global order, already filtered. */
  readonly events: readonly ProjectionEvent[];
  /** Every record of the batch as stored (including types outside the domain catalogue). */
  readonly records: readonly RecordedEvent[];
  /** Position of the last event of the batch: what the checkpoint will hold. */
  readonly position: Position;
}

/** Position-guarded Redis access for one generation (keys are prefixed by the runner). */
export interface ProjectionCache {
  /**
   * Buffers a write; flushed with `setIfNewer(key, value, positionVersion(batch.position))` before
   * the transaction commits. The last `put` of a key in a batch wins. A TTL (for keys that stop
   * mattering, such as past days) is not part of the value and may depend on the clock.
   */
  put(key: string, value: string, options?: { readonly ttlSeconds?: number }): void;
  /**
   * Buffers a deletion, written as a guarded tombstone (an empty value, expiring after a day) so
   * replays cannot revive it.
   */
  remove(key: string): void;
  /** Reads the generation's current value (already flushed writes only). */
  get(key: string): Promise<string | null>;
  mget(keys: readonly string[]): Promise<(string | null)[]>;
}

export type ApplyMode = 'live' | 'catch-up';

export interface ApplyContext {
  /** The runner's transaction: every SQL write of the batch goes through it. */
  readonly tx: SqlExecutor;
  /** The generation's table-set schema, e.g. `rm_availability_v2` (a validated identifier). */
  readonly schema: string;
  /** `schema.name`, for SQL text. */
  table(name: string): string;
  readonly generation: number;
  readonly mode: ApplyMode;
  /** Present when the projector sets `usesCache` and the runner was given a cache. */
  readonly cache: ProjectionCache | undefined;
  /**
   * State kept in memory for the whole run of this generation in this process (e.g. a cache of
   * centre configuration). Never the source of truth: it starts empty after every restart and the
   * runner CLEARS it whenever a batch fails (its transaction rolled back), so `apply` must be able
   * to reload anything it needs from its tables.
   */
  readonly memory: Map<string, unknown>;
}

/** What `scrub`, `export` and `refresh` get: a transaction on the live generation. */
export interface MaintenanceContext {
  readonly tx: SqlExecutor;
  readonly schema: string;
  table(name: string): string;
  readonly generation: number;
  readonly cache: ProjectionCache | undefined;
  readonly memory: Map<string, unknown>;
}

export interface ProjectorMigration {
  /** Positive, increasing within the projector. */
  readonly version: number;
  readonly name: string;
  /** SQL script; create objects in the `schema` the migration function received. */
  readonly sql: string;
}

export interface Projector {
  /** Stable lower-case name: `availability`, `centres`, `audit` (`[a-z][a-z0-9_]*`). */
  readonly name: string;
  /**
   * Version of the projector's code/table shape. Bump it when `apply` or the tables change
   * meaning: `pti projections status` then reports the live generation as stale and
   * `pti rebuild <name>` builds a generation with the new code.
   */
  readonly version: number;
  /** Which events to receive (stream prefixes and/or types); everything when empty. */
  readonly filter: EventFilter;
  /** Tables (in the table set) exposed as stable views; names are unique across projectors. */
  readonly tables: readonly string[];
  /** Schema of the stable views; default `rm` (reporting uses `reporting`). */
  readonly viewSchema?: string;
  /** Creates/upgrades the table set in `schema`. Applied with `runMigrations` per generation. */
  migrations(schema: string): readonly ProjectorMigration[];
  /** Projects one batch inside the runner's transaction. Must be idempotent under redelivery. */
  apply(batch: ProjectionBatch, ctx: ApplyContext): Promise<void>;
  /**
   * Secondary (non-unique) indexes that neither `apply` nor `settle` needs: a build drops them
   * before replaying the ledger and creates them once the replay is done (`deferred-indexes.ts`).
   */
  readonly deferredIndexes?: readonly string[];
  /** Whether the projector writes Redis through `ctx.cache`. */
  readonly usesCache?: boolean;
  /** Largest batch this projector wants in live mode (default: the runner's). */
  readonly batchSize?: number;
  /**
   * Called once a catch-up reached the ledger's tail (end of a rebuild pass, end of a start-up
   * catch-up), in its own transaction, before the generation serves or is swapped in. A projector
   * that defers costly derived rows during catch-up (recording what is dirty in a table, in the
   * batch's transaction, so a crash loses nothing) computes them here. Live batches must not rely
   * on it: they write everything (including leftovers of an interrupted catch-up).
   */
  settle?(ctx: MaintenanceContext): Promise<void>;
  /**
   * Time-driven maintenance (availability's daily horizon roll). The runner calls it on a timer and
   * once at start with the current time, in a transaction on the live generation.
   */
  refresh?(now: Date, ctx: MaintenanceContext): Promise<void>;
  /**
   * Every Redis key (without prefix) this generation may have written, read from its tables; used
   * to delete a retired generation's keys (`pti rebuild --drop-old`). Required with `usesCache`.
   */
  cacheKeys?(ctx: MaintenanceContext): Promise<readonly string[]>;
  /** GDPR erasure: delete or anonymise every row about `subjectId`; returns rows touched. Idempotent. */
  scrub?(subjectId: string, ctx: MaintenanceContext): Promise<number>;
  /** GDPR access: everything held about `subjectId`, JSON-ready. */
  export?(subjectId: string, ctx: MaintenanceContext): Promise<unknown>;
}

const NAME = /^[a-z][a-z0-9_]{0,30}$/;

/** Checks a projector's shape once, at definition time, and returns it unchanged. */
export function defineProjector<P extends Projector>(projector: P): P {
  if (!NAME.test(projector.name)) throw new Error(`invalid projector name ${JSON.stringify(projector.name)}`);
  if (!Number.isSafeInteger(projector.version) || projector.version < 1)
    throw new Error(`projector ${projector.name}: version must be a positive integer`);
  for (const table of projector.tables) {
    if (!NAME.test(table)) throw new Error(`projector ${projector.name}: invalid table name ${table}`);
  }
  if (projector.viewSchema !== undefined && !NAME.test(projector.viewSchema))
    throw new Error(`projector ${projector.name}: invalid view schema ${projector.viewSchema}`);
  return projector;
}

/** Bits below the position in a cache version, for maintenance writes at the same position. */
const MINOR_BITS = 20n;

/**
 * The single bigint version of a position for `Cache.setIfNewer`: monotonic in (commit, prepare).
 * Batches write with `minor` 0; maintenance (the daily roll) writes at the checkpoint's position
 * with `minor` = the roll's day number, so a roll overrides what the last batch wrote, and any
 * later batch overrides the roll.
 */
export function positionVersion(position: Position, minor = 0n): bigint {
  if (minor < 0n || minor >= 1n << MINOR_BITS) throw new RangeError(`minor version ${minor} out of range`);
  return (((position.commit << 64n) + position.prepare) << MINOR_BITS) + minor;
}

/**
 * The RLS statements for a staff-facing table: enables row-level security and restricts every
 * reader to the rows of `current_setting('pti.tenant_id', true)`. A transaction without the setting
 * sees nothing (the comparison with NULL is never true). The table owner (the runner) is exempt.
 */
export function tenantPolicy(schema: string, table: string): string {
  return `
    alter table ${schema}.${table} enable row level security;
    create policy tenant_isolation on ${schema}.${table}
      using (tenant_id = current_setting('pti.tenant_id', true));
    grant usage on schema ${schema} to pti_reader;
    grant select on ${schema}.${table} to pti_reader;`;
}

/**
 * The grant for a public (not staff-facing) table such as centres or availability: readable by
 * `pti_reader` for any tenant, no RLS.
 */
export function publicTable(schema: string, table: string): string {
  return `
    grant usage on schema ${schema} to pti_reader;
    grant select on ${schema}.${table} to pti_reader;`;
}
