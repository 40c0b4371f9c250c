import pg from 'pg';
import { type CopySqlExecutor, copyOn } from './pg-copy.js';
import type { Row, SqlExecutor, TransactionalSqlExecutor } from './sql-executor.js';

/**
 * Result types, identical on pg and PGlite (`pglite.ts` configures the same mapping):
 *
 * | PostgreSQL            | JavaScript                                   |
 * | --------------------- | -------------------------------------------- |
 * | int8, xid8 (+ arrays) | `bigint` always (revisions, positions, money sums are exact) |
 * | date (+ arrays)       | `'YYYY-MM-DD'` string (a calendar day, no time zone shift) |
 * | numeric               | string                                       |
 * | int2, int4, float     | number                                       |
 * | timestamptz           | `Date`                                       |
 * | json, jsonb           | parsed value                                 |
 * | uuid, text            | string                                       |
 *
 * `count(*)` is int8, so it comes back as a bigint too. Prefer timestamptz to timestamp: both
 * drivers read a timestamp without zone in the process's local zone.
 */
export const PG_OID = {
  INT8: 20,
  DATE: 1082,
  XID8: 5069,
  INT8_ARRAY: 1016,
  DATE_ARRAY: 1182,
  XID8_ARRAY: 271,
} as const;

export const parseBigint = (value: string): bigint => BigInt(value);
const identity = (value: string): string => value;

/**
 * Parses the text form of an array whose elements never need quoting (integers, dates), nested
 * arrays included: `{1,NULL,3}`, `{{1,2},{3,4}}`, `[0:1]={1,2}`.
 */
export function parseUnquotedArray(text: string, parse: (element: string) => unknown): unknown[] {
  let at = text.startsWith('[') ? text.indexOf('=') + 1 : 0;
  const readArray = (): unknown[] => {
    const out: unknown[] = [];
    at += 1; // past '{'
    if (text[at] === '}') {
      at += 1;
      return out;
    }
    while (at < text.length) {
      if (text[at] === '{') out.push(readArray());
      else {
        let end = at;
        while (end < text.length && text[end] !== ',' && text[end] !== '}') end += 1;
        const token = text.slice(at, end);
        out.push(token === 'NULL' ? null : parse(token));
        at = end;
      }
      const separator = text[at];
      at += 1;
      if (separator !== ',') break;
    }
    return out;
  };
  return readArray();
}

const arrayOf =
  (parse: (element: string) => unknown) =>
  (text: string): unknown[] =>
    parseUnquotedArray(text, parse);

/** Per-pool parsers, so pg's process-wide defaults stay untouched for other libraries. */
export const pgTypes: pg.CustomTypesConfig = {
  getTypeParser: (oid, format) => {
    if (format === 'binary') return pg.types.getTypeParser(oid, format);
    // Widened: pg's TypeId enum lists no array or xid8 oids.
    const id: number = oid;
    switch (id) {
      case PG_OID.INT8:
      case PG_OID.XID8:
        return parseBigint;
      case PG_OID.DATE:
        return identity;
      case PG_OID.INT8_ARRAY:
      case PG_OID.XID8_ARRAY:
        return arrayOf(parseBigint);
      case PG_OID.DATE_ARRAY:
        return arrayOf(identity);
      default:
        return pg.types.getTypeParser(oid, format);
    }
  },
};

export interface PgPoolOptions {
  readonly url: string;
  /** Maximum connections (DATABASE_POOL_MAX). */
  readonly max?: number;
  /** Shown in pg_stat_activity. */
  readonly applicationName?: string;
  /**
   * Errors of idle connections (a restarted server, say). The pool already drops such a
   * connection; without a listener the 'error' event would crash the process.
   */
  readonly onIdleError?: (error: Error) => void;
}

export function createPgPool(options: PgPoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 20,
    application_name: options.applicationName ?? 'pti',
    types: pgTypes,
  });
  pool.on('error', options.onIdleError ?? (() => {}));
  return pool;
}

function clientExecutor(client: pg.Pool | pg.PoolClient): SqlExecutor {
  return {
    query: async (sql, params = []) => {
      const result = await client.query(sql, [...params]);
      return { rows: result.rows, rowCount: result.rowCount ?? 0 };
    },
    exec: async (script) => {
      // Without parameters pg uses the simple protocol, which accepts several statements.
      await client.query(script);
    },
  };
}

/** The rows of a simple-protocol query's last statement (pg returns one result per statement). */
function lastRows(result: pg.QueryResult | pg.QueryResult[]): Row[] {
  const last: pg.QueryResult | undefined = Array.isArray(result) ? result.at(-1) : result;
  return last?.rows ?? [];
}

export function pgExecutor(pool: pg.Pool): TransactionalSqlExecutor {
  return {
    ...clientExecutor(pool),
    transaction: async (fn, ends) => {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        // Without parameters pg sends one simple-protocol message: BEGIN and `first` share a round
        // trip, and a failing statement skips the ones after it (`last` then never commits).
        const opened = await client.query(ends?.first === undefined ? 'begin' : `begin;\n${ends.first}`);
        // A transaction's own connection also takes COPY FROM STDIN (bulk loads, see pg-copy.ts).
        const tx: CopySqlExecutor = {
          ...clientExecutor(client),
          copyFrom: (statement, data) => copyOn(client, statement, data),
        };
        const result = await fn(tx, ends?.first === undefined ? [] : lastRows(opened));
        const last = ends?.last?.(result);
        await client.query(last === undefined ? 'commit' : `${last};\ncommit`);
        return result;
      } catch (error) {
        await client.query('rollback').catch((rollbackError: unknown) => {
          // A connection that cannot roll back is not returned to the pool.
          broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        });
        throw error;
      } finally {
        client.release(broken);
      }
    },
  };
}
