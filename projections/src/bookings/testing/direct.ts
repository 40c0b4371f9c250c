import type { EventMetadata } from '@pti/events';
import type { SqlExecutor, TransactionalSqlExecutor } from '@pti/platform';
import { decodeRecords } from '../../runtime/decode.js';
import type { ApplyContext, ApplyMode, MaintenanceContext, Projector } from '../../runtime/projector.js';
import { recordsOf, type SpecEvent } from '../../runtime/testing/projection-spec.js';

/**
 * Calls a projector by hand on a generation's table set, around the runner: to replay a batch the
 * checkpoint would otherwise skip (idempotency), or to run `scrub`/`export` in a transaction.
 */

/**
 * Applies `events` as ONE batch with the revisions and positions `given` gave them (a catch-up batch,
 * by default, is followed by the projector's `settle`).
 */
export async function applyDirectly(
  db: TransactionalSqlExecutor,
  projector: Projector,
  schema: string,
  events: readonly SpecEvent[],
  options: { readonly mode?: ApplyMode; readonly metadata?: Partial<EventMetadata> } = {},
): Promise<void> {
  const records = recordsOf(events, options.metadata);
  const last = records.at(-1);
  if (last === undefined) return;
  await db.transaction(async (tx) => {
    const ctx: ApplyContext = {
      tx,
      schema,
      table: (name) => `${schema}.${name}`,
      generation: 1,
      mode: options.mode ?? 'catch-up',
      cache: undefined,
      memory: new Map(),
    };
    await projector.apply({ events: decodeRecords(records), records, position: last.position }, ctx);
    // A catch-up ends with `settle` (deferred derived rows), as the runner's does.
    if (ctx.mode === 'catch-up') await projector.settle?.(ctx);
  });
}

export function maintain<T>(
  db: TransactionalSqlExecutor,
  schema: string,
  work: (ctx: MaintenanceContext) => Promise<T>,
): Promise<T> {
  return db.transaction((tx) =>
    work({
      tx,
      schema,
      table: (name) => `${schema}.${name}`,
      generation: 1,
      cache: undefined,
      memory: new Map(),
    }),
  );
}

/** Every row of the given tables of a schema, in a stable order, for whole-table comparisons. */
export async function tablesOf(
  db: SqlExecutor,
  schema: string,
  tables: readonly string[],
): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of tables) {
    const { rows } = await db.query<{ row: unknown }>(
      `select to_jsonb(t) as row from ${schema}.${table} t order by (t.*)::text`,
    );
    out[table] = rows.map(({ row }) => row);
  }
  return out;
}
