import type { PGlite } from '@electric-sql/pglite';
import {
  type AppConfig,
  createLogger,
  createMetrics,
  type Ledger,
  type Logger,
  type Metrics,
  type MigrationReport,
  openLedger,
  openPglite,
} from '@pti/platform';

/** The process-wide resources every role shares: config, logger, metrics, the embedded database, the ledger. */
export interface PlatformRuntime {
  readonly config: AppConfig;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly ledger: Ledger;
  readonly pglite: PGlite | undefined;
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
  const migrations: MigrationReport[] = [];
  if (options.migrate) {
    const report = await opened.migrate();
    if (report) migrations.push(report);
  }
  return {
    config,
    logger,
    metrics,
    ledger: opened.ledger,
    pglite,
    migrations,
    async close() {
      await opened.ledger.close();
      if (pglite && !pglite.closed) await pglite.close();
    },
  };
}

function databaseDir(config: AppConfig): string {
  if (config.database.kind !== 'pglite') throw new Error('no embedded database configured');
  return config.database.dataDir;
}
