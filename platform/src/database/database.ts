import type { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, type PostgresPool } from 'kysely';
import type pg from 'pg';
import { createPgPool, pgExecutor } from './pg.js';
import { openPglite, pgliteDialect, pgliteExecutor } from './pglite.js';
import type { TransactionalSqlExecutor } from './sql-executor.js';

/**
 * Where read models (and the SQL ledgers) live: PostgreSQL when DATABASE_URL is set, else embedded
 * PGlite. The config's `database` section is a valid {@link DatabaseOptions} as is; passing an open
 * pool or PGlite instance instead shares it (with the ledger, say) and leaves closing it to the
 * caller.
 */
export type DatabaseOptions =
  | {
      readonly kind: 'postgres';
      readonly url: string;
      readonly poolMax?: number;
      readonly applicationName?: string;
    }
  | { readonly kind: 'postgres'; readonly pool: pg.Pool }
  | { readonly kind: 'pglite'; readonly dataDir: string }
  | { readonly kind: 'pglite'; readonly pglite: PGlite };

export interface Database<DB> {
  readonly kind: 'postgres' | 'pglite';
  /** Typed queries. Type mapping of results: see `pg.ts` (int8 is bigint, date a string). */
  readonly kysely: Kysely<DB>;
  /** Raw SQL on the same pool or instance. */
  readonly sql: TransactionalSqlExecutor;
  /** Round trip to the store, for /ready. */
  ping(): Promise<void>;
  /** Ends the pool or closes PGlite if this database opened it; idempotent. */
  close(): Promise<void>;
}

export async function createDatabase<DB>(options: DatabaseOptions): Promise<Database<DB>> {
  if (options.kind === 'postgres') {
    const owned = !('pool' in options);
    const pool = owned
      ? createPgPool({ url: options.url, max: options.poolMax, applicationName: options.applicationName })
      : options.pool;
    // Kysely's destroy() ends the pool it was given; a shared pool is handed over without `end`.
    const kyselyPool: PostgresPool = owned ? pool : { connect: () => pool.connect(), end: async () => {} };
    return assemble<DB>(
      'postgres',
      new Kysely<DB>({ dialect: new PostgresDialect({ pool: kyselyPool }) }),
      pgExecutor(pool),
    );
  }
  const owned = !('pglite' in options);
  const pglite = owned ? await openPglite(options.dataDir) : options.pglite;
  return assemble<DB>(
    'pglite',
    new Kysely<DB>({ dialect: pgliteDialect(pglite, { owned }) }),
    pgliteExecutor(pglite),
  );
}

function assemble<DB>(
  kind: Database<DB>['kind'],
  kysely: Kysely<DB>,
  executor: TransactionalSqlExecutor,
): Database<DB> {
  let closing: Promise<void> | null = null;
  return {
    kind,
    kysely,
    sql: executor,
    ping: async () => {
      await executor.query('select 1');
    },
    close: () => {
      closing ??= kysely.destroy();
      return closing;
    },
  };
}
