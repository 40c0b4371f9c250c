import type { TransactionalSqlExecutor } from '@pti/platform';
import type { Projector } from './projector.js';
import { assertIdentifier } from './sql.js';

/**
 * # Secondary indexes built after a catch-up
 *
 * A build (rebuild, first build) replays the whole ledger into a fresh table set. Maintaining every
 * read index row by row during that replay costs PostgreSQL more than writing the rows themselves
 * (audit has six indexes on two million rows), and one `CREATE INDEX` over the loaded table is a
 * sort, several times cheaper. So a build drops the indexes its projector lists in
 * `deferredIndexes` (ones `apply`/`settle` never need: read-side lookups and search) before the
 * replay and creates them again before the generation is swapped in.
 *
 * The definitions are kept in a table of the generation's own schema (`deferred_indexes`), written
 * in the transaction that drops them, so a build interrupted by a crash still restores them when it
 * resumes (and they vanish with the schema if the build is abandoned). Primary keys and unique
 * indexes are never deferred: upserts need them.
 */

const TABLE = 'deferred_indexes';

/** Drops the projector's deferrable indexes in `schema`, recording their definitions. Returns how many. */
export async function deferIndexes(
  db: TransactionalSqlExecutor,
  projector: Projector,
  schema: string,
): Promise<number> {
  const names = (projector.deferredIndexes ?? []).map(assertIdentifier);
  if (names.length === 0) return 0;
  assertIdentifier(schema);
  return db.transaction(async (tx) => {
    await tx.exec(
      `create table if not exists ${schema}.${TABLE} (name text primary key, definition text not null)`,
    );
    const { rows } = await tx.query<{ name: string; definition: string }>(
      `select c.relname as name, pg_get_indexdef(i.indexrelid) as definition
         from pg_index i
         join pg_class c on c.oid = i.indexrelid
         join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = $1 and c.relname = any($2::text[])
          and not i.indisunique and not i.indisprimary`,
      [schema, names],
    );
    for (const row of rows) {
      await tx.query(
        `insert into ${schema}.${TABLE} (name, definition) values ($1, $2) on conflict (name) do nothing`,
        [row.name, row.definition],
      );
      await tx.exec(`drop index ${schema}.${assertIdentifier(row.name)}`);
    }
    return rows.length;
  });
}

/**
 * Creates the indexes `deferIndexes` dropped in `schema` (one transaction, then ANALYZE so the
 * planner sees the loaded tables). A no-op when nothing is deferred. Returns how many.
 */
export async function restoreIndexes(db: TransactionalSqlExecutor, schema: string): Promise<number> {
  assertIdentifier(schema);
  const { rows: found } = await db.query<{ present: boolean }>(
    `select to_regclass($1) is not null as present`,
    [`${schema}.${TABLE}`],
  );
  if (found[0]?.present !== true) return 0;
  const tables = new Set<string>();
  const created = await db.transaction(async (tx) => {
    const { rows } = await tx.query<{ name: string; definition: string }>(
      `select name, definition from ${schema}.${TABLE} order by name`,
    );
    // Sorting a large table for an index goes faster with more memory than the 64 MB default.
    await tx.exec(`set local maintenance_work_mem = '256MB'`);
    for (const row of rows) {
      const exists = await tx.query<{ present: boolean }>(`select to_regclass($1) is not null as present`, [
        `${schema}.${row.name}`,
      ]);
      if (exists.rows[0]?.present !== true) await tx.exec(row.definition);
      const table = / ON (?:ONLY )?([a-z0-9_]+\.[a-z0-9_]+) /i.exec(row.definition)?.[1];
      if (table !== undefined) tables.add(table);
    }
    await tx.exec(`drop table ${schema}.${TABLE}`);
    return rows.length;
  });
  for (const table of tables) await db.exec(`analyze ${table}`);
  return created;
}
