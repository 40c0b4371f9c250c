import type { Cache, SqlExecutor, TransactionalSqlExecutor } from '@pti/platform';
import { withMaintenance } from '../apply-batch.js';
import type { ProjectionLayout } from '../layout.js';
import { readProjectionCache } from '../projection-cache.js';
import type { Projector } from '../projector.js';
import { handleOf } from '../rebuild.js';
import { generation } from '../registry.js';

/** Every table of a table set (migration bookkeeping aside), each as sorted row texts. */
export async function tableSetContents(db: SqlExecutor, schema: string): Promise<Map<string, string[]>> {
  const { rows: tables } = await db.query<{ table_name: string }>(
    `select table_name from information_schema.tables
      where table_schema = $1 and table_type = 'BASE TABLE' and table_name <> 'schema_migrations'
      order by table_name`,
    [schema],
  );
  const out = new Map<string, string[]>();
  for (const { table_name } of tables) {
    const { rows } = await db.query<{ r: string }>(
      `select (t.*)::text as r from ${schema}.${table_name} t order by 1`,
    );
    out.set(
      table_name,
      rows.map((row) => row.r),
    );
  }
  return out;
}

/** Differences between two generations' tables: empty when equal row for row. */
export async function diffTableSets(db: SqlExecutor, a: string, b: string): Promise<string[]> {
  const [left, right] = [await tableSetContents(db, a), await tableSetContents(db, b)];
  const diffs: string[] = [];
  for (const table of new Set([...left.keys(), ...right.keys()])) {
    const l = left.get(table) ?? [];
    const r = right.get(table) ?? [];
    if (l.length !== r.length) diffs.push(`${table}: ${l.length} rows vs ${r.length}`);
    const rs = new Set(r);
    const missing = l.filter((row) => !rs.has(row)).slice(0, 3);
    if (missing.length > 0) diffs.push(`${table}: only in ${a}: ${missing.join(' | ')}`);
    const ls = new Set(l);
    const extra = r.filter((row) => !ls.has(row)).slice(0, 3);
    if (extra.length > 0) diffs.push(`${table}: only in ${b}: ${extra.join(' | ')}`);
  }
  return diffs;
}

/** A generation's cache entries (keys from `cacheKeys`, tombstones dropped), sorted by key. */
export async function cacheEntries(
  db: TransactionalSqlExecutor,
  layout: ProjectionLayout,
  cache: Cache,
  projector: Projector,
  number: number,
): Promise<[string, string][]> {
  const cacheKeys = projector.cacheKeys;
  const record = await generation(db, layout, projector.name, number);
  if (cacheKeys === undefined || record === undefined) return [];
  const keys = [
    ...(await withMaintenance(db, layout, handleOf(projector, record), undefined, (ctx) => cacheKeys(ctx))),
  ].sort();
  const values = await readProjectionCache(cache, record.keyPrefix).mget(keys);
  return keys.flatMap((key, n) => {
    const value = values[n];
    return value == null ? [] : [[key, value] as [string, string]];
  });
}
