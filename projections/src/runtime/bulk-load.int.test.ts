import { randomBytes } from 'node:crypto';
import {
  type CopySqlExecutor,
  createDatabase,
  type Database,
  type SqlExecutor,
  supportsCopy,
  type TransactionalSqlExecutor,
} from '@pti/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bulkLoading, type SqlRow, upsertRows } from './sql.js';

/**
 * `upsertRows` inside `bulkLoading` transactions writes large row sets through COPY. These tests
 * write the same rows once through the JSON path and once through COPY, into twin tables, and
 * compare them column for column: values that need escaping, nulls, absent keys, dates, bigints,
 * arrays and JSON, into an empty table, over existing rows, and append-only with conflicts.
 */
const url = process.env.DATABASE_URL;
if (url === undefined || url === '')
  console.log('skip: bulk-load.int.test.ts needs DATABASE_URL (COPY exists on PostgreSQL only)');

const schema = `bulk_${randomBytes(4).toString('hex')}`;
const columns = `id text primary key, t text, n int, big bigint, f double precision, ok boolean,
  at timestamptz, day date, tags text[], days date[], doc jsonb, raw json, note text,
  untouched int not null default 42`; // never written: keeps its default (and its NOT NULL)

const TRICKY = [
  '',
  'tab\there',
  'line\nbreak',
  'cr\rhere',
  'back\\slash',
  '\\N',
  'quote"s',
  '{braces,commas}',
  'NULL',
  'é ü 漢字 🚗',
  "it's",
];

function rowsFor(count: number, variant: number): SqlRow[] {
  return Array.from({ length: count }, (_, i): SqlRow => {
    const pick = TRICKY[(i + variant) % TRICKY.length] as string;
    return {
      id: `row-${String(i).padStart(5, '0')}`,
      t: i % 13 === 0 ? null : `${pick}-${variant}`,
      n: i % 7 === 0 ? null : i * variant,
      big: BigInt(i) * 10_000_000_000n + BigInt(variant),
      f: i / 8 + variant,
      ok: (i + variant) % 2 === 0,
      at: new Date(Date.UTC(2026, 10, 24, 6, 0, 0, i * 17 + variant)),
      day: `2026-12-${String((i % 28) + 1).padStart(2, '0')}`,
      tags: i % 11 === 0 ? [] : [pick, `v${variant}`, 'a,b', 'x"y', 'back\\slash', null],
      days: ['2026-12-01', `2026-12-${String((i % 9) + 10)}`],
      doc: i % 5 === 0 ? null : { pick, nested: { list: [1, 'two', null, pick] }, n: i },
      raw: [pick, i],
      // An object in a text column: both paths store its JSON text. Absent on some rows: NULL.
      ...(i % 3 === 0 ? {} : { note: { said: pick } }),
    };
  });
}

interface SpiedDb {
  readonly db: TransactionalSqlExecutor;
  copies: number;
}

/** `db` whose transactions count their COPY statements. */
function spied(db: TransactionalSqlExecutor): SpiedDb {
  const spy: SpiedDb = {
    copies: 0,
    db: {
      query: (sql, params) => db.query(sql, params),
      exec: (script) => db.exec(script),
      transaction: (fn, ends) =>
        db.transaction((tx: SqlExecutor, first) => {
          if (!supportsCopy(tx)) return fn(tx, first);
          const counted: CopySqlExecutor = {
            query: (sql, params) => tx.query(sql, params),
            exec: (script) => tx.exec(script),
            copyFrom: (statement, data) => {
              spy.copies += 1;
              return tx.copyFrom(statement, data);
            },
          };
          return fn(counted, first);
        }, ends),
    },
  };
  return spy;
}

describe.skipIf(url === undefined || url === '')('bulk loads through COPY on PostgreSQL', () => {
  let database: Database<unknown>;
  beforeAll(async () => {
    database = await createDatabase({ kind: 'postgres', url: url as string, poolMax: 4 });
    await database.sql.exec(`create schema ${schema}`);
  });
  afterAll(async () => {
    await database.sql.exec(`drop schema if exists ${schema} cascade`);
    await database.close();
  });

  const fresh = async (name: string) => {
    await database.sql.exec(`create table ${schema}.${name} (${columns})`);
    return `${schema}.${name}`;
  };
  const contents = async (table: string) =>
    (
      await database.sql.query<{ row: unknown }>(`select to_jsonb(r) as row from ${table} r order by id`)
    ).rows.map((r) => r.row);

  it('into an empty table: straight COPY, the same rows as the JSON path', async () => {
    const viaJson = await fresh('empty_json');
    const viaCopy = await fresh('empty_copy');
    const rows = rowsFor(1_200, 1);
    await database.sql.transaction((tx) => upsertRows(tx, viaJson, rows, { key: ['id'] }));
    const spy = spied(database.sql);
    const written = await bulkLoading(spy.db).transaction((tx) =>
      upsertRows(tx, viaCopy, rows, { key: ['id'] }),
    );
    expect(written).toBe(1_200);
    expect(spy.copies).toBe(1);
    const expected = await contents(viaJson);
    expect(expected).toHaveLength(1_200);
    expect(await contents(viaCopy)).toEqual(expected);
  });

  it('over existing rows: COPY into a staging table, then the same upsert (last row of a key wins)', async () => {
    const viaJson = await fresh('upsert_json');
    const viaCopy = await fresh('upsert_copy');
    const before = rowsFor(800, 2);
    // Changed values for every existing key, 400 new keys, and a key given twice (the last wins).
    const after = [...rowsFor(1_200, 3), { ...(rowsFor(1, 4)[0] as object), t: 'given twice' } as SqlRow];
    for (const table of [viaJson, viaCopy])
      await database.sql.transaction((tx) => upsertRows(tx, table, before, { key: ['id'] }));
    await database.sql.transaction((tx) => upsertRows(tx, viaJson, after, { key: ['id'] }));
    const spy = spied(database.sql);
    await bulkLoading(spy.db).transaction((tx) => upsertRows(tx, viaCopy, after, { key: ['id'] }));
    expect(spy.copies).toBe(1);
    const expected = await contents(viaJson);
    expect(expected).toHaveLength(1_200);
    expect(await contents(viaCopy)).toEqual(expected);
    expect(expected).toContainEqual(expect.objectContaining({ id: 'row-00000', t: 'given twice' }));
  });

  it('append-only: existing keys are kept as ON CONFLICT DO NOTHING keeps them (savepoint, then staging)', async () => {
    const viaJson = await fresh('append_json');
    const viaCopy = await fresh('append_copy');
    const first = rowsFor(700, 5);
    const redelivered = rowsFor(1_000, 6); // 700 keys already there with other values, 300 new
    for (const table of [viaJson, viaCopy])
      await database.sql.transaction((tx) =>
        upsertRows(tx, table, first, { key: ['id'], ignoreConflicts: true }),
      );
    await database.sql.transaction((tx) =>
      upsertRows(tx, viaJson, redelivered, { key: ['id'], ignoreConflicts: true }),
    );
    const spy = spied(database.sql);
    const written = await bulkLoading(spy.db).transaction(async (tx) => {
      const count = await upsertRows(tx, viaCopy, redelivered, { key: ['id'], ignoreConflicts: true });
      // The transaction is still usable after the failed COPY (rolled back to its savepoint).
      await tx.query(`select 1`);
      return count;
    });
    expect(written).toBe(300);
    // The straight COPY was refused (unique violation), then the staging table's COPY.
    expect(spy.copies).toBe(2);
    const expected = await contents(viaJson);
    expect(expected).toHaveLength(1_000);
    expect(await contents(viaCopy)).toEqual(expected);
  });

  it('copied rows roll back with their transaction', async () => {
    const table = await fresh('rolled_back');
    const failure = new Error('after the copy');
    await expect(
      bulkLoading(database.sql).transaction(async (tx) => {
        await upsertRows(tx, table, rowsFor(900, 7), { key: ['id'] });
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await contents(table)).toEqual([]);
  });

  it('small writes keep the INSERT path; a bad row fails the write as the JSON path does', async () => {
    const table = await fresh('small');
    const spy = spied(database.sql);
    await bulkLoading(spy.db).transaction((tx) => upsertRows(tx, table, rowsFor(20, 8), { key: ['id'] }));
    expect(spy.copies).toBe(0);
    expect(await contents(table)).toHaveLength(20);
    const bad = [...rowsFor(600, 9).slice(20), { id: 'bad', n: 'not a number' }];
    await expect(
      bulkLoading(database.sql).transaction((tx) => upsertRows(tx, `${schema}.small`, bad, { key: ['id'] })),
    ).rejects.toMatchObject({ code: '22P02' });
    expect(await contents(table)).toHaveLength(20);
  });
});
