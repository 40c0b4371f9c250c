import type { SqlExecutor } from '@pti/platform';

/** Lower-case SQL identifiers we generate or accept (schemas, tables, columns). */
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

export function assertIdentifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`invalid SQL identifier ${JSON.stringify(name)}`);
  return name;
}

/** A row to write: column → value. bigint is sent as text; Date as ISO text; objects as JSON. */
export type SqlRow = object;

const bigintAsString = (_key: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v);

/**
 * JSON with bigints as decimal strings (PostgreSQL casts them back to int8/numeric). Plain
 * `JSON.stringify` first: a replacer function makes it several times slower, and only values that
 * hold a bigint need one (they make the plain call throw).
 */
export function toJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    return JSON.stringify(value, bigintAsString);
  }
}

/** A row's key as one string (values are scalars: ids, dates, numbers). */
function keyOf(row: Readonly<Record<string, unknown>>, key: readonly string[]): string {
  if (key.length === 1) return String(row[key[0] as string] ?? '\u0000');
  let out = '';
  for (const column of key) out += `${String(row[column] ?? '\u0000')}\u0001`;
  return out;
}

/** Rows with the same key: the last one wins (in the position of the first, as a Map keeps it). */
function dedupe(rows: readonly SqlRow[], key: readonly string[]): SqlRow[] {
  const byKey = new Map<string, SqlRow>();
  for (const row of rows) byKey.set(keyOf(row as Readonly<Record<string, unknown>>, key), row);
  return byKey.size === rows.length ? [...rows] : [...byKey.values()];
}

export interface UpsertOptions {
  /** Primary key / unique columns (the ON CONFLICT target). */
  readonly key: readonly string[];
  /** Columns to write; default the keys of the first row. */
  readonly columns?: readonly string[];
  /** Keep existing rows untouched (`on conflict do nothing`), for append-only tables. */
  readonly ignoreConflicts?: boolean;
}

/**
 * Multi-row upsert in one statement per {@link UPSERT_CHUNK} rows: the rows travel as one JSON
 * parameter expanded with `json_populate_recordset(null::table, …)`, so column types come from the
 * table itself (arrays and jsonb included). Rows with the same key: the last one wins.
 */
export async function upsertRows(
  tx: SqlExecutor,
  table: string,
  rows: readonly SqlRow[],
  options: UpsertOptions,
): Promise<number> {
  const first = rows[0];
  if (first === undefined) return 0;
  const columns = (options.columns ?? Object.keys(first)).map(assertIdentifier);
  const key = options.key.map(assertIdentifier);
  const unique = dedupe(rows, key);
  const list = columns.join(', ');
  const updates = columns.filter((c) => !key.includes(c));
  const onConflict =
    updates.length === 0 || options.ignoreConflicts === true
      ? 'do nothing'
      : `do update set ${updates.map((c) => `${c} = excluded.${c}`).join(', ')}`;
  const sql = `insert into ${table} (${list})
     select ${list} from json_populate_recordset(null::${table}, $1::json)
     on conflict (${key.join(', ')}) ${onConflict}`;
  if (unique.length <= UPSERT_CHUNK) return (await tx.query(sql, [toJson(unique)])).rowCount;
  let count = 0;
  for (let at = 0; at < unique.length; at += UPSERT_CHUNK) {
    count += (await tx.query(sql, [toJson(unique.slice(at, at + UPSERT_CHUNK))])).rowCount;
  }
  return count;
}

/**
 * Rows per statement. A catch-up flush can carry hundreds of thousands of rows: one JSON text of
 * them all could outgrow a JavaScript string, and PostgreSQL materialises each statement's rows.
 */
const UPSERT_CHUNK = 10_000;

/** Deletes the rows whose key columns match one of `keys`, in one statement. */
export async function deleteRows(
  tx: SqlExecutor,
  table: string,
  keyColumns: readonly string[],
  keys: readonly SqlRow[],
): Promise<number> {
  if (keys.length === 0) return 0;
  const key = keyColumns.map(assertIdentifier);
  const result = await tx.query(
    `delete from ${table} t using json_populate_recordset(null::${table}, $1::json) k
      where ${key.map((c) => `t.${c} = k.${c}`).join(' and ')}`,
    [toJson(dedupe(keys, key))],
  );
  return result.rowCount;
}
