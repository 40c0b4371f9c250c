import type { TransactionalSqlExecutor, TransactionRunner } from '@pti/platform';

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** The default schema of the sagas' tables (timers, dead letters, checkpoints, saga state). */
export const DEFAULT_SAGAS_SCHEMA = 'sagas';

/**
 * The sagas schema beside a ledger schema: `sagas` for the default ledger schema `pti`, else
 * `<ledger schema>_sagas`, so two platforms sharing one database keep apart.
 */
export function sagasSchemaFor(ledgerSchema: string): string {
  return ledgerSchema === 'pti' ? DEFAULT_SAGAS_SCHEMA : assertSchema(`${ledgerSchema}_sagas`);
}

/** Schema names are spliced into SQL text: only plain lower-case identifiers are accepted. */
export function assertSchema(schema: string): string {
  if (!IDENTIFIER.test(schema)) {
    throw new Error(`invalid schema name "${schema}": use lower-case letters, digits and _ (at most 63)`);
  }
  return schema;
}

/**
 * `runMigrations` over a `TransactionalSqlExecutor`. Migration scripts hold several statements,
 * which only the simple protocol (`exec`) accepts on both drivers; the bookkeeping SELECT needs its
 * rows back, so statements starting with SELECT go through `query`.
 */
export function executorTransactionRunner(sql: TransactionalSqlExecutor): TransactionRunner {
  return (work) =>
    sql.transaction((tx) =>
      work(async (statement) => {
        if (/^\s*select\b/i.test(statement)) return (await tx.query(statement)).rows;
        await tx.exec(statement);
        return [];
      }),
    );
}
