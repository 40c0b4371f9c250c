import { randomBytes, randomUUID } from 'node:crypto';
import { type DomainEvent, type EventMetadata, schemaVersionOf, streamNameOf } from '@pti/events';
import {
  type Cache,
  createDatabase,
  createMemoryCache,
  MEMORY_DATA_DIR,
  type RecordedEvent,
  type SqlExecutor,
  type TransactionalSqlExecutor,
} from '@pti/platform';
import { applyBatch, type GenerationHandle, withMaintenance } from '../apply-batch.js';
import { projectionLayout } from '../layout.js';
import { readProjectionCache } from '../projection-cache.js';
import type { ApplyMode, Projector } from '../projector.js';
import { refreshGeneration } from '../rebuild.js';
import { createGeneration, migrateRegistry } from '../registry.js';

/**
 * Given-events / then-rows specifications for projectors.
 *
 * ```ts
 * const spec = await openProjectionSpec(centresProjector);      // in-memory PGlite + memory cache
 * afterAll(() => spec.close());
 * it('registers a centre', async () => {
 *   const run = await spec.given([{ type: 'CentreRegistered', data: {...} }]);
 *   expect(await run.rows('centres', ['centre_id', 'name'])).toEqual([{ centre_id: 'c1', name: '…' }]);
 *   expect(await run.cache.get('first:c1')).toBe('…');
 * });
 * ```
 *
 * `given` builds a fresh generation (a new table set) each call, so cases are independent. It
 * applies the events twice, into two generations: one event per batch in `live` mode, and all of
 * them in one batch in `catch-up` mode (then `settle`, as at the end of a catch-up), then checks that every table (and every cache key written)
 * came out identical: the bulk path and the incremental path may never disagree. `when` appends
 * more events to the live generation (given X, when Y, then rows).
 */

/** An event to feed: a domain event plus optional envelope overrides. */
export type SpecEvent = DomainEvent & {
  readonly streamName?: string;
  readonly metadata?: Partial<EventMetadata>;
  readonly recordedAt?: Date;
};

export interface ProjectionSpecOptions {
  /** The database to use (default: a fresh in-memory PGlite, closed by `close()`). */
  readonly database?: TransactionalSqlExecutor;
  /** The cache (default: a memory cache). */
  readonly cache?: Cache;
  /** Default metadata of every event. */
  readonly metadata?: Partial<EventMetadata>;
  /** Compare the live (one event per batch) and catch-up (one batch) builds; default true. */
  readonly compareModes?: boolean;
  /**
   * The time given to the projector's `refresh` (called once on each new generation before its
   * first batch, as the runner does); default 2026-03-02T06:00:00Z (a Monday, 07:00 in Paris).
   */
  readonly now?: Date;
}

export interface SpecRun {
  /** The live generation's table-set schema. */
  readonly schema: string;
  /** The generation's rows of `table`, ordered by every column; only `columns` when given. */
  rows(table: string, columns?: readonly string[]): Promise<Record<string, unknown>[]>;
  /** The live generation's cache keys (tombstones read as null). */
  readonly cache: {
    get(key: string): Promise<string | null>;
    mget(keys: readonly string[]): Promise<(string | null)[]>;
  };
  /** Every cache key this run wrote (without the generation prefix), sorted. */
  cacheKeys(): readonly string[];
  /** Calls the projector's `refresh(now)` on the live generation (the daily roll). */
  refresh(now: Date): Promise<SpecRun>;
  /** Applies more events to the live generation (one per batch), returns this run. */
  when(events: readonly SpecEvent[]): Promise<SpecRun>;
  /** Raw SQL on the spec database (e.g. to check indexes or RLS). */
  readonly sql: SqlExecutor;
}

export interface ProjectionSpec {
  given(events: readonly SpecEvent[]): Promise<SpecRun>;
  close(): Promise<void>;
}

const DEFAULT_METADATA: EventMetadata = {
  tenantId: 'tenant-a',
  actor: { id: 'user-1', role: 'admin_reseau' },
  correlationId: 'corr-1',
  causationId: null,
  occurredAt: '2026-03-02T08:00:00.000Z',
  schemaVersion: 1,
};

/** Turns spec events into stored records with increasing positions and per-stream revisions. */
export function recordsOf(
  events: readonly SpecEvent[],
  defaults: Partial<EventMetadata> = {},
  start: { position: bigint; revisions: Map<string, bigint> } = { position: 0n, revisions: new Map() },
): RecordedEvent[] {
  return events.map((event) => {
    const streamName = event.streamName ?? streamNameOf(event);
    const revision = (start.revisions.get(streamName) ?? 0n) + 1n;
    start.revisions.set(streamName, revision);
    start.position += 1n;
    const metadata: EventMetadata = {
      ...DEFAULT_METADATA,
      ...defaults,
      ...event.metadata,
      schemaVersion: schemaVersionOf(event.type) ?? 1,
    };
    return {
      id: randomUUID(),
      type: event.type,
      data: event.data,
      metadata,
      streamName,
      revision,
      position: { commit: 1n, prepare: start.position },
      recordedAt: event.recordedAt ?? new Date(metadata.occurredAt),
    };
  });
}

/** Records every key written through it, so two generations' key spaces can be compared. */
function recordingCache(cache: Cache, written: Set<string>): Cache {
  return {
    ...cache,
    set: (key, value, options) => {
      written.add(key);
      return cache.set(key, value, options);
    },
    setIfNewer: (key, value, version, options) => {
      written.add(key);
      return cache.setIfNewer(key, value, version, options);
    },
  };
}

export async function openProjectionSpec(
  projector: Projector,
  options: ProjectionSpecOptions = {},
): Promise<ProjectionSpec> {
  const owned =
    options.database === undefined
      ? await createDatabase({ kind: 'pglite', dataDir: MEMORY_DATA_DIR })
      : undefined;
  const db = options.database ?? owned!.sql;
  const baseCache = options.cache ?? createMemoryCache();
  const written = new Set<string>();
  const cache = recordingCache(baseCache, written);
  const layout = projectionLayout(`spec_${randomBytes(5).toString('hex')}_`);
  await migrateRegistry(db, layout);

  const rowsOf = async (schema: string, table: string, columns?: readonly string[]) => {
    const list = columns === undefined ? '*' : columns.join(', ');
    const { rows } = await db.query<Record<string, unknown>>(
      `select ${list} from ${schema}.${table} t order by (t.*)::text`,
    );
    return rows;
  };
  const keysOf = (prefix: string) =>
    [...written]
      .filter((key) => key.startsWith(prefix))
      .map((key) => key.slice(prefix.length))
      .sort();

  const build = async (records: readonly RecordedEvent[], mode: ApplyMode): Promise<GenerationHandle> => {
    const created = await createGeneration(db, layout, projector);
    const handle: GenerationHandle = {
      projector,
      generation: created.generation,
      schema: created.schema,
      keyPrefix: created.keyPrefix,
      memory: new Map(),
    };
    await refreshGeneration({ db, cache, layout }, handle, options.now ?? new Date('2026-03-02T06:00:00Z'));
    if (mode === 'live') {
      for (const record of records) await applyBatch(db, layout, handle, [record], 'live', cache);
    } else if (records.length > 0) {
      await applyBatch(db, layout, handle, records, 'catch-up', cache);
    }
    const settle = projector.settle;
    if (mode === 'catch-up' && settle !== undefined) {
      await withMaintenance(db, layout, handle, cache, (ctx) => settle(ctx));
    }
    return handle;
  };

  const runOf = (
    handle: GenerationHandle,
    counter: { position: bigint; revisions: Map<string, bigint> },
  ): SpecRun => {
    const reader = readProjectionCache(baseCache, handle.keyPrefix);
    const run: SpecRun = {
      schema: handle.schema,
      rows: (table, columns) => rowsOf(handle.schema, table, columns),
      cache: reader,
      cacheKeys: () => keysOf(handle.keyPrefix),
      sql: db,
      refresh: async (now) => {
        await refreshGeneration({ db, cache, layout }, handle, now);
        return run;
      },
      when: async (events) => {
        for (const record of recordsOf(events, options.metadata, counter)) {
          await applyBatch(db, layout, handle, [record], 'live', cache);
        }
        return run;
      },
    };
    return run;
  };

  return {
    given: async (events) => {
      const counter = { position: 0n, revisions: new Map<string, bigint>() };
      const records = recordsOf(events, options.metadata, counter);
      const live = await build(records, 'live');
      if (options.compareModes !== false) {
        const bulk = await build(records, 'catch-up');
        for (const table of projector.tables) {
          const [a, b] = [await rowsOf(live.schema, table), await rowsOf(bulk.schema, table)];
          if (JSON.stringify(a, jsonBigint) !== JSON.stringify(b, jsonBigint)) {
            throw new Error(
              `${projector.name}.${table}: live and catch-up builds differ\nlive:     ${JSON.stringify(a, jsonBigint)}\ncatch-up: ${JSON.stringify(b, jsonBigint)}`,
            );
          }
        }
        const entries = async (prefix: string) => {
          const keys = keysOf(prefix);
          const values = await readProjectionCache(baseCache, prefix).mget(keys);
          // Tombstones (deleted keys) read as null: only live entries count.
          return keys.flatMap((key, n) => (values[n] == null ? [] : [[key, values[n]]]));
        };
        const [liveEntries, bulkEntries] = [await entries(live.keyPrefix), await entries(bulk.keyPrefix)];
        if (JSON.stringify(liveEntries) !== JSON.stringify(bulkEntries)) {
          const differing = liveEntries
            .filter((entry, n) => JSON.stringify(entry) !== JSON.stringify(bulkEntries[n]))
            .slice(0, 3);
          throw new Error(
            `${projector.name}: live and catch-up builds wrote different cache entries (${liveEntries.length} vs ${bulkEntries.length}); first differing live entries: ${JSON.stringify(differing)}`,
          );
        }
      }
      return runOf(live, counter);
    },
    close: async () => {
      if (owned === undefined) {
        await db.exec(`drop schema if exists ${layout.registrySchema} cascade`);
        for (const schema of await schemasOf(db, layout.namespace)) {
          await db.exec(`drop schema if exists ${schema} cascade`);
        }
      } else {
        await owned.close();
      }
    },
  };
}

function jsonBigint(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? `${value}n` : value;
}

async function schemasOf(db: SqlExecutor, namespace: string): Promise<string[]> {
  const { rows } = await db.query<{ nspname: string }>(
    `select nspname from pg_namespace where starts_with(nspname, $1)`,
    [namespace],
  );
  return rows.map((row) => row.nspname);
}
