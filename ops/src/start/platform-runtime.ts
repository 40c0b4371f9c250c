import type { PGlite } from '@electric-sql/pglite';
import {
  type AppConfig,
  createLogger,
  createMetrics,
  createPgPool,
  type Ledger,
  type Logger,
  type Metrics,
  type MigrationReport,
  openLedger,
  openPglite,
  pgExecutor,
  pgliteExecutor,
  pgliteTransactionRunner,
  poolTransactionRunner,
  runMigrations,
  type TransactionalSqlExecutor,
  type TransactionRunner,
} from '@pti/platform';
import { idempotencyMigration } from '@pti/write-side';

/** The process-wide resources every role shares: config, logger, metrics, the embedded database, the ledger. */
export interface PlatformRuntime {
  readonly config: AppConfig;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly ledger: Ledger;
  readonly pglite: PGlite | undefined;
  /** Raw SQL on the configured database (PostgreSQL pool or the shared PGlite): the write side's Idempotency-Key table. */
  readonly sql: TransactionalSqlExecutor;
  /** Schema of the ledger and of the write side's own tables. */
  readonly schema: string;
  readonly migrations: readonly MigrationReport[];
  close(): Promise<void>;
}

export async function openPlatformRuntime(
  config: AppConfig,
  options: { migrate: boolean },
): Promise<PlatformRuntime> {
  const logger = createLogger({ level: config.log.level, service: 'pti' });
  const metrics = createMetrics({ defaultLabels: { service: 'pti' } });
  // One PGlite per data directory per process, shared by the ledger and (later) the read models.
  const pglite =
    config.database.kind === 'pglite' || config.ledger.kind === 'pglite'
      ? await openPglite(config.ledger.kind === 'pglite' ? config.ledger.dataDir : databaseDir(config))
      : undefined;
  const opened = await openLedger(config.ledger, { pglite });
  const schema = config.ledger.kind === 'eventstoredb' ? 'pti' : config.ledger.schema;
  const pool =
    config.database.kind === 'postgres'
      ? createPgPool({ url: config.database.url, max: config.database.poolMax, applicationName: 'pti' })
      : undefined;
  let sql: TransactionalSqlExecutor;
  let transaction: TransactionRunner;
  if (pool) {
    sql = pgExecutor(pool);
    transaction = poolTransactionRunner(pool);
  } else if (pglite) {
    sql = pgliteExecutor(pglite);
    transaction = pgliteTransactionRunner(pglite);
  } else {
    throw new Error('no database configured for the write side');
  }
  const migrations: MigrationReport[] = [];
  if (options.migrate) {
    const report = await opened.migrate();
    if (report) migrations.push(report);
    migrations.push(await runMigrations(transaction, schema, 'idempotency', idempotencyMigration(schema)));
  }
  return {
    config,
    logger,
    metrics,
    ledger: opened.ledger,
    pglite,
    sql,
    schema,
    migrations,
    async close() {
      await opened.ledger.close();
      await pool?.end();
      if (pglite && !pglite.closed) await pglite.close();
    },
  };
}

function databaseDir(config: AppConfig): string {
  if (config.database.kind !== 'pglite') throw new Error('no embedded database configured');
  return config.database.dataDir;
}
