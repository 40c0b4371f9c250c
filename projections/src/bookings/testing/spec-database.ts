import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { createDatabase, type Database, pgliteParsers, type TransactionalSqlExecutor } from '@pti/platform';

/**
 * The database of a read-model specification: PostgreSQL when `DATABASE_URL` is set (each spec
 * then works in its own namespaced schemas), else an in-memory PGlite — with the pg_trgm extension
 * loaded when `trigram` is asked for, without it otherwise (to exercise the degraded search).
 */
export interface SpecDatabase {
  readonly kind: 'postgres' | 'pglite';
  readonly db: TransactionalSqlExecutor;
  close(): Promise<void>;
}

export async function openSpecDatabase(options: { readonly trigram?: boolean } = {}): Promise<SpecDatabase> {
  const url = process.env.DATABASE_URL;
  if (url !== undefined && url !== '') {
    const database: Database<unknown> = await createDatabase({ kind: 'postgres', url, poolMax: 4 });
    return { kind: 'postgres', db: database.sql, close: () => database.close() };
  }
  const pglite = await PGlite.create({
    parsers: pgliteParsers,
    ...(options.trigram === true ? { extensions: { pg_trgm } } : {}),
  });
  const database: Database<unknown> = await createDatabase({ kind: 'pglite', pglite });
  return {
    kind: 'pglite',
    db: database.sql,
    close: async () => {
      await database.close();
      await pglite.close();
    },
  };
}
