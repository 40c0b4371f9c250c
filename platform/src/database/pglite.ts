import { mkdir } from 'node:fs/promises';
import { type ParserOptions, PGlite, type Results, type Transaction } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import {
  type CompiledQuery,
  createQueryId,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
  sql,
  type TransactionSettings,
} from 'kysely';
import { MEMORY_DATA_DIR } from '../config/config.js';
import { PG_OID, parseBigint } from './pg.js';
import type { SqlExecutor, TransactionalSqlExecutor } from './sql-executor.js';

/**
 * Embedded PostgreSQL (PGlite, WASM, one in-process connection). The type mapping matches `pg.ts`;
 * PGlite derives array parsers from these element parsers.
 */
export const pgliteParsers: ParserOptions = {
  [PG_OID.INT8]: parseBigint,
  [PG_OID.XID8]: parseBigint,
  [PG_OID.DATE]: (value: string) => value,
};

/**
 * Opens (creating if needed) a PGlite data directory, or an in-memory database for `memory://`.
 * A data directory may be open once per process: share the instance (ledger and read models).
 */
export async function openPglite(dataDir: string): Promise<PGlite> {
  if (dataDir !== MEMORY_DATA_DIR) await mkdir(dataDir, { recursive: true });
  // pg_trgm backs the call centre's fuzzy customer search (as on the PostgreSQL deployments).
  return PGlite.create(dataDir, { parsers: pgliteParsers, extensions: { pg_trgm } });
}

function toQueryResult<R>(result: Results<R>): QueryResult<R> {
  const command = result.command?.toUpperCase();
  const changes = command === 'INSERT' || command === 'UPDATE' || command === 'DELETE' || command === 'MERGE';
  return {
    rows: result.rows,
    numAffectedRows: changes ? BigInt(result.rowCount ?? result.affectedRows ?? 0) : undefined,
  };
}

type Runner = Pick<Transaction, 'query' | 'exec'>;

function runnerExecutor(runner: Runner): SqlExecutor {
  return {
    query: async <R>(text: string, params: readonly unknown[] = []) => {
      const result = await runner.query<R>(text, [...params]);
      return { rows: result.rows, rowCount: result.rowCount ?? 0 };
    },
    exec: async (script) => {
      await runner.exec(script);
    },
  };
}

export function pgliteExecutor(pglite: PGlite): TransactionalSqlExecutor {
  return {
    ...runnerExecutor(pglite),
    // One connection: `ends` saves no round trip here, it only runs in the same places.
    transaction: (fn, ends) =>
      pglite.transaction(async (tx) => {
        const opened = ends?.first === undefined ? [] : ((await tx.exec(ends.first)).at(-1)?.rows ?? []);
        const result = await fn(runnerExecutor(tx), opened);
        const last = ends?.last?.(result);
        if (last !== undefined) await tx.exec(last);
        return result;
      }),
  };
}

/**
 * One Kysely connection. PGlite has a single session, so a Kysely transaction is carried by a
 * PGlite `transaction()` held open from begin to commit/rollback: PGlite's own lock then keeps every
 * other query (Kysely's, the raw executor's, the ledger's) out of it until it ends, instead of
 * letting them run inside it.
 */
interface Session {
  readonly connection: DatabaseConnection;
  begin(settings: TransactionSettings): Promise<void>;
  end(action: 'commit' | 'rollback'): Promise<void>;
}

function openSession(pglite: PGlite): Session {
  let tx: Transaction | null = null;
  let finish: ((action: 'commit' | 'rollback') => void) | null = null;
  let settled: Promise<void> = Promise.resolve();

  const run = <R>(query: CompiledQuery) => (tx ?? pglite).query<R>(query.sql, [...query.parameters]);

  const connection: DatabaseConnection = {
    executeQuery: async <R>(query: CompiledQuery) => toQueryResult(await run<R>(query)),
    // PGlite has no cursors: the result is read whole, then handed out in chunks.
    streamQuery: async function* <R>(query: CompiledQuery, chunkSize = 100) {
      if (!Number.isInteger(chunkSize) || chunkSize <= 0)
        throw new Error('chunkSize must be a positive integer');
      const { rows } = await run<R>(query);
      for (let start = 0; start < rows.length; start += chunkSize) {
        yield { rows: rows.slice(start, start + chunkSize) };
      }
    },
  };

  return {
    connection,
    begin: (settings) =>
      new Promise<void>((begun, failed) => {
        const action = new Promise<'commit' | 'rollback'>((resolve) => {
          finish = resolve;
        });
        settled = pglite
          .transaction(async (open) => {
            const mode = [
              settings.isolationLevel === undefined ? '' : `isolation level ${settings.isolationLevel}`,
              settings.accessMode ?? '',
            ].filter((part) => part !== '');
            if (mode.length > 0) await open.query(`set transaction ${mode.join(' ')}`);
            tx = open;
            begun();
            // PGlite commits when this callback returns unless it was rolled back.
            if ((await action) === 'rollback') await open.rollback();
          })
          .finally(() => {
            tx = null;
            finish = null;
          });
        // Fails begin() when BEGIN itself fails; later failures reach end() instead.
        settled.catch(failed);
      }),
    end: async (action) => {
      finish?.(action);
      await settled;
    },
  };
}

function pgliteDriver(pglite: PGlite, owned: boolean): Driver {
  const sessions = new WeakMap<DatabaseConnection, Session>();
  const sessionOf = (connection: DatabaseConnection): Session => {
    const session = sessions.get(connection);
    if (session === undefined) throw new Error('connection does not belong to this PGlite driver');
    return session;
  };
  const savepointCommand = (command: string, name: string) =>
    sql`${sql.raw(command)} ${sql.id(name)}`.toOperationNode();

  return {
    init: () => pglite.waitReady,
    acquireConnection: async () => {
      const session = openSession(pglite);
      sessions.set(session.connection, session);
      return session.connection;
    },
    beginTransaction: (connection, settings) => sessionOf(connection).begin(settings),
    commitTransaction: (connection) => sessionOf(connection).end('commit'),
    rollbackTransaction: (connection) => sessionOf(connection).end('rollback'),
    savepoint: async (connection, name, compile) => {
      await connection.executeQuery(compile(savepointCommand('savepoint', name), createQueryId()));
    },
    rollbackToSavepoint: async (connection, name, compile) => {
      await connection.executeQuery(
        compile(savepointCommand('rollback to savepoint', name), createQueryId()),
      );
    },
    releaseSavepoint: async (connection, name, compile) => {
      await connection.executeQuery(compile(savepointCommand('release savepoint', name), createQueryId()));
    },
    releaseConnection: async () => {},
    destroy: async () => {
      if (owned && !pglite.closed) await pglite.close();
    },
  };
}

/** A Kysely dialect over a PGlite instance; `owned` makes Kysely's destroy() close it. */
export function pgliteDialect(pglite: PGlite, options: { readonly owned?: boolean } = {}): Dialect {
  return {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => pgliteDriver(pglite, options.owned ?? false),
    createQueryCompiler: () => new PostgresQueryCompiler(),
    createIntrospector: (db) => new PostgresIntrospector(db),
  };
}
