import type { ApplyContext, MaintenanceContext } from './projector.js';
import { assertIdentifier } from './sql.js';

/**
 * # Derived rows deferred during a catch-up
 *
 * Some read models derive rows with a set-based recomputation over their own tables (a customer's
 * aggregate over its bookings, a centre day's counters over booking facts). Run per catch-up batch,
 * a key touched by twenty batches is recomputed twenty times, each time updating its indexes. In
 * catch-up mode a projector instead records the keys in a `*_dirty` table of its table set (in the
 * batch's transaction: a crash loses nothing) and computes them once, in `settle` or in the next
 * live batch, which take (delete and return) the recorded keys.
 *
 * `ctx.memory` remembers when this process emptied the table, so a live batch does not pay a round
 * trip for it while nothing was deferred (the memory is cleared on failure: then it looks again).
 */

type Ctx = Pick<ApplyContext | MaintenanceContext, 'tx' | 'table' | 'memory'>;

/** Column name → SQL type of a dirty table's key (also its primary key, in this order). */
export type DirtyKey = readonly (readonly [name: string, type: string])[];

const cleanFlag = (table: string) => `dirty-empty:${table}`;

/** The `create table` statement of a dirty-key table. */
export function dirtyTableSql(schema: string, table: string, key: DirtyKey): string {
  const columns = key.map(([name, type]) => `${assertIdentifier(name)} ${type} not null`).join(', ');
  const names = key.map(([name]) => name).join(', ');
  return `create table if not exists ${schema}.${assertIdentifier(table)} (${columns}, primary key (${names}));`;
}

/** Records keys to recompute later (deduplicated by the table's primary key). */
export async function markDirty(
  ctx: Ctx,
  table: string,
  key: DirtyKey,
  rows: readonly Readonly<Record<string, unknown>>[],
): Promise<void> {
  if (rows.length === 0) return;
  const names = key.map(([name]) => assertIdentifier(name));
  await ctx.tx.query(
    `insert into ${ctx.table(table)} (${names.join(', ')})
     select ${names.join(', ')} from jsonb_to_recordset($1::jsonb) as k(${key.map(([n, t]) => `${n} ${t}`).join(', ')})
     on conflict do nothing`,
    [JSON.stringify(rows)],
  );
  ctx.memory.set(cleanFlag(table), false);
}

/** Takes (deletes and returns) the recorded keys; none without a query when known to be empty. */
export async function takeDirty<R>(ctx: Ctx, table: string, key: DirtyKey): Promise<R[]> {
  if (ctx.memory.get(cleanFlag(table)) === true) return [];
  const names = key.map(([name]) => assertIdentifier(name));
  const { rows } = await ctx.tx.query<R>(
    `delete from ${ctx.table(table)} returning ${names.map((n, i) => (key[i]?.[1] === 'date' ? `${n}::text as ${n}` : n)).join(', ')}`,
  );
  // Only true once the batch commits; a failed batch clears ctx.memory, flag included.
  ctx.memory.set(cleanFlag(table), true);
  return rows;
}
