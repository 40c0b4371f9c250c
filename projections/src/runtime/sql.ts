import {
  type CopySqlExecutor,
  type SqlExecutor,
  sqlLiteral,
  supportsCopy,
  type TransactionalSqlExecutor,
} from '@pti/platform';

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
 * table itself (arrays and jsonb included). Rows with the same key: the last one wins. Resolves to
 * the rows written, or undefined when the statement was deferred (`writeBehind`).
 */
export async function upsertRows(
  tx: SqlExecutor,
  table: string,
  rows: readonly SqlRow[],
  options: UpsertOptions,
): Promise<number | undefined> {
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
  const load = bulkLoads.get(tx);
  if (load !== undefined && unique.length >= COPY_MIN_ROWS) {
    const copied = await copyRows(load, tx as CopySqlExecutor, table, unique, columns, key, onConflict);
    if (copied !== undefined) return copied;
  }
  const sql = `insert into ${table} (${list})
     select ${list} from json_populate_recordset(null::${table}, $1::json)
     on conflict (${key.join(', ')}) ${onConflict}`;
  if (unique.length <= UPSERT_CHUNK) {
    const params = [toJson(unique)];
    if (deferred(tx, sql, params)) return undefined;
    return (await tx.query(sql, params)).rowCount;
  }
  let count = 0;
  for (let at = 0; at < unique.length; at += UPSERT_CHUNK) {
    count += (await tx.query(sql, [toJson(unique.slice(at, at + UPSERT_CHUNK))])).rowCount;
  }
  return count;
}

// ---------------------------------------------------------------------------------------------
// Write-behind: a live batch's writes travel with its COMMIT
// ---------------------------------------------------------------------------------------------

/**
 * A transaction's executor that holds back writes whose result nobody reads (`deferWrite`) and
 * sends them, in order, as one script: before the next statement that reads (`query`, `exec`,
 * COPY), or with the checkpoint and COMMIT (`drain`, see `applyBatch`). A live batch's upserts then
 * cost no round trip of their own; on a busy machine each round trip waits for a CPU on both
 * sides. A deferred statement that fails fails the script that carries it, so the batch rolls back
 * as it would have.
 */
export interface WriteBehind extends SqlExecutor {
  /** Queues a statement; false when its parameters cannot be written as literals (run it now). */
  defer(sql: string, params: readonly unknown[]): boolean;
  /** The queued statements as one script, and forgets them; undefined when none are queued. */
  drain(): string | undefined;
}

const writeBehinds = new WeakSet<SqlExecutor>();

export function writeBehind(tx: SqlExecutor): WriteBehind {
  let queued: string[] = [];
  const drain = () => {
    if (queued.length === 0) return undefined;
    const script = queued.join(';\n');
    queued = [];
    return script;
  };
  const flush = async () => {
    const script = drain();
    if (script !== undefined) await tx.exec(script);
  };
  const executor: WriteBehind & Partial<Pick<CopySqlExecutor, 'copyFrom'>> = {
    async query(sql, params) {
      await flush();
      return tx.query(sql, params);
    },
    async exec(script) {
      const queuedScript = drain();
      await tx.exec(queuedScript === undefined ? script : `${queuedScript};\n${script}`);
    },
    defer(sql, params) {
      const inlined = inlineParameters(sql, params);
      if (inlined === undefined) return false;
      queued.push(inlined);
      return true;
    },
    drain,
  };
  if (supportsCopy(tx))
    executor.copyFrom = async (statement, data) => {
      await flush();
      return tx.copyFrom(statement, data);
    };
  writeBehinds.add(executor);
  return executor;
}

/** Runs a write whose result is not needed: deferred on a `writeBehind` executor, at once otherwise. */
export async function deferWrite(tx: SqlExecutor, sql: string, params: readonly unknown[]): Promise<void> {
  if (!deferred(tx, sql, params)) await tx.query(sql, params);
}

/** Queues the statement when `tx` is a `writeBehind` executor that can take it. */
function deferred(tx: SqlExecutor, sql: string, params: readonly unknown[]): boolean {
  return writeBehinds.has(tx) && (tx as WriteBehind).defer(sql, params);
}

/** `$n` replaced by its parameter as a literal; undefined if one is not a scalar. */
function inlineParameters(sql: string, params: readonly unknown[]): string | undefined {
  const literals: string[] = [];
  for (const value of params) {
    if (value === null || value === undefined) literals.push('null');
    else if (typeof value === 'string') literals.push(sqlLiteral(value));
    else if (typeof value === 'bigint') literals.push(`(${value.toString()})`);
    else if (typeof value === 'number' && Number.isFinite(value)) literals.push(`(${String(value)})`);
    else if (typeof value === 'boolean') literals.push(value ? 'true' : 'false');
    else return undefined;
  }
  // One pass: the inserted literals are not scanned again.
  let missing = false;
  const out = sql.replace(/\$(\d+)/g, (_token, n: string) => {
    const literal = literals[Number(n) - 1];
    if (literal === undefined) missing = true;
    return literal ?? '';
  });
  return missing ? undefined : out;
}

/**
 * Rows per statement. A catch-up flush can carry hundreds of thousands of rows: one JSON text of
 * them all could outgrow a JavaScript string, and PostgreSQL materialises each statement's rows.
 */
const UPSERT_CHUNK = 10_000;

/**
 * Deletes the rows whose key columns match one of `keys`, in one statement. Resolves to the rows
 * deleted, or undefined when the statement was deferred (`writeBehind`).
 */
export async function deleteRows(
  tx: SqlExecutor,
  table: string,
  keyColumns: readonly string[],
  keys: readonly SqlRow[],
): Promise<number | undefined> {
  if (keys.length === 0) return 0;
  const key = keyColumns.map(assertIdentifier);
  const sql = `delete from ${table} t using json_populate_recordset(null::${table}, $1::json) k
      where ${key.map((c) => `t.${c} = k.${c}`).join(' and ')}`;
  const params = [toJson(dedupe(keys, key))];
  if (deferred(tx, sql, params)) return undefined;
  return (await tx.query(sql, params)).rowCount;
}

// ---------------------------------------------------------------------------------------------
// Bulk loads: large upserts of a catch-up through COPY
// ---------------------------------------------------------------------------------------------

/**
 * A catch-up (rebuild, first build) writes millions of rows into a fresh table set. Through
 * `json_populate_recordset` PostgreSQL parses every row's JSON, plans and runs an INSERT … ON
 * CONFLICT per statement; `COPY … FROM STDIN` costs it a fraction of that. `bulkLoading(db)` marks
 * the transactions it opens (when the executor offers COPY: `pgExecutor`'s transactions; PGlite
 * keeps the INSERT path), and `upsertRows` then writes the same rows, with the same
 * outcome, through COPY:
 *
 * * into a table that is empty (a new generation's first flush): straight COPY, the rows being
 *   unique by key (`dedupe`) nothing can conflict;
 * * append-only writes (`ignoreConflicts`, e.g. audit): straight COPY inside a savepoint; should a
 *   key exist already (a redelivered batch), the savepoint is rolled back and the rows go through
 *   the staging path, which skips them as ON CONFLICT DO NOTHING does;
 * * otherwise (staging): COPY into a temporary table dropped at commit, then one INSERT … SELECT …
 *   ON CONFLICT from it, the statement the JSON path runs minus the JSON.
 *
 * Values are written in COPY text format the way `json_populate_recordset` reads their JSON: null
 * and undefined as NULL, Date as ISO text, bigint as decimal, arrays as array literals for array
 * columns, JSON text for json/jsonb columns (and objects elsewhere). Tables under row-level security
 * for the writing role (COPY FROM refuses them) keep the INSERT path.
 */
interface BulkLoad {
  /** Column kinds per table (one catalog read per table and transaction). */
  readonly tables: Map<string, Promise<TableShape>>;
  /** Staging tables created in this transaction (names must differ). */
  staged: number;
}

interface TableShape {
  readonly kinds: ReadonlyMap<string, ColumnKind>;
  /** COPY FROM is refused (row-level security applies to this role). */
  readonly rowSecurity: boolean;
}

type ColumnKind = 'scalar' | 'json' | 'array';

const bulkLoads = new WeakMap<SqlExecutor, BulkLoad>();

/** Below this many rows a statement's fixed costs dominate: the JSON path is as cheap. */
const COPY_MIN_ROWS = 500;

/** Rows per chunk of COPY text handed to the connection. */
const COPY_CHUNK_ROWS = 2_000;

/**
 * `db` whose transactions write large upserts through COPY when the executor supports it (see
 * above). Queries outside transactions are unchanged.
 */
export function bulkLoading(db: TransactionalSqlExecutor): TransactionalSqlExecutor {
  return {
    query: (sql, params) => db.query(sql, params),
    exec: (script) => db.exec(script),
    transaction: (fn, ends) =>
      db.transaction((tx, first) => {
        if (supportsCopy(tx)) bulkLoads.set(tx, { tables: new Map(), staged: 0 });
        return fn(tx, first);
      }, ends),
  };
}

async function tableShape(tx: SqlExecutor, table: string): Promise<TableShape> {
  const { rows } = await tx.query<{ name: string; category: string; type: string; rls: boolean }>(
    `select a.attname as name, t.typcategory as category, t.typname as type,
            row_security_active($1::regclass) as rls
       from pg_attribute a join pg_type t on t.oid = a.atttypid
      where a.attrelid = $1::regclass and a.attnum > 0 and not a.attisdropped`,
    [table],
  );
  const kinds = new Map<string, ColumnKind>();
  for (const row of rows) {
    kinds.set(
      row.name,
      row.category === 'A' ? 'array' : row.type === 'json' || row.type === 'jsonb' ? 'json' : 'scalar',
    );
  }
  return { kinds, rowSecurity: rows[0]?.rls === true };
}

async function copyRows(
  load: BulkLoad,
  tx: CopySqlExecutor,
  table: string,
  rows: readonly SqlRow[],
  columns: readonly string[],
  key: readonly string[],
  onConflict: string,
): Promise<number | undefined> {
  let shape = load.tables.get(table);
  if (shape === undefined) {
    shape = tableShape(tx, table);
    load.tables.set(table, shape);
  }
  const { kinds, rowSecurity } = await shape;
  if (rowSecurity) return undefined;
  const columnKinds = columns.map((c) => kinds.get(c) ?? 'scalar');
  const list = columns.join(', ');
  const data = () => copyText(rows, columns, columnKinds);
  const { rows: found } = await tx.query<{ present: boolean }>(
    `select exists (select 1 from ${table}) as present`,
  );
  if (found[0]?.present !== true) return tx.copyFrom(`copy ${table} (${list}) from stdin`, data());
  if (onConflict === 'do nothing') {
    await tx.exec('savepoint pti_copy');
    try {
      const copied = await tx.copyFrom(`copy ${table} (${list}) from stdin`, data());
      await tx.exec('release savepoint pti_copy');
      return copied;
    } catch (error) {
      if ((error as { code?: unknown }).code !== '23505') throw error;
      await tx.exec('rollback to savepoint pti_copy; release savepoint pti_copy');
    }
  }
  load.staged += 1;
  const stage = `pti_stage_${load.staged}`;
  // Only the written columns, without the table's constraints: columns left out keep their
  // defaults in the table (a NOT NULL copied from `like` would refuse them here).
  await tx.exec(
    `create temporary table ${stage} on commit drop as select ${list} from ${table} with no data`,
  );
  await tx.copyFrom(`copy ${stage} (${list}) from stdin`, data());
  const { rowCount } = await tx.query(
    `insert into ${table} (${list}) select ${list} from ${stage} on conflict (${key.join(', ')}) ${onConflict}`,
  );
  await tx.exec(`drop table ${stage}`);
  return rowCount;
}

/** The rows in COPY text format, in chunks. */
function* copyText(
  rows: readonly SqlRow[],
  columns: readonly string[],
  kinds: readonly ColumnKind[],
): Generator<string> {
  const width = columns.length;
  let out = '';
  let inChunk = 0;
  for (const row of rows) {
    const record = row as Readonly<Record<string, unknown>>;
    for (let i = 0; i < width; i += 1) {
      if (i > 0) out += '\t';
      out += copyField(record[columns[i] as string], kinds[i] as ColumnKind);
    }
    out += '\n';
    inChunk += 1;
    if (inChunk === COPY_CHUNK_ROWS) {
      yield out;
      out = '';
      inChunk = 0;
    }
  }
  if (out.length > 0) yield out;
}

const COPY_SPECIAL = /[\\\n\r\t]/;
const COPY_SPECIALS = /[\\\n\r\t]/g;
const COPY_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};
const escapeCopy = (text: string) =>
  COPY_SPECIAL.test(text) ? text.replace(COPY_SPECIALS, (c) => COPY_ESCAPES[c] as string) : text;

/** One value as `json_populate_recordset` would read it from the row's JSON, in COPY text. */
function copyField(value: unknown, kind: ColumnKind): string {
  if (value === null || value === undefined) return '\\N';
  if (kind === 'json') return escapeCopy(toJson(value));
  switch (typeof value) {
    case 'string':
      return escapeCopy(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : '\\N';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'object': {
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? '\\N' : value.toISOString();
      if (kind === 'array' && Array.isArray(value)) return escapeCopy(arrayLiteral(value));
      return escapeCopy(toJson(value));
    }
    default:
      // Functions and symbols: JSON leaves them out, so the column reads NULL.
      return '\\N';
  }
}

/** A JavaScript array as a PostgreSQL array literal (elements quoted). */
function arrayLiteral(items: readonly unknown[]): string {
  let out = '{';
  for (let i = 0; i < items.length; i += 1) {
    if (i > 0) out += ',';
    out += arrayElement(items[i]);
  }
  return `${out}}`;
}

function arrayElement(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (Array.isArray(value)) return arrayLiteral(value);
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number') {
    if (!Number.isFinite(value)) return 'NULL';
    text = String(value);
  } else if (typeof value === 'boolean' || typeof value === 'bigint') text = String(value);
  else if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return 'NULL';
    text = value.toISOString();
  } else text = toJson(value);
  return `"${text.replace(/["\\]/g, '\\$&')}"`;
}
