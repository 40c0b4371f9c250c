import type { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';
import type { LedgerConfig } from '../config/index.js';
import type { Ledger } from './ledger-port.js';
import type { MigrationReport } from './postgres/migrations.js';
import { createPgliteLedger } from './postgres/pglite-ledger.js';
import { createPostgresLedger } from './postgres/postgres-ledger.js';

export interface OpenedLedger {
  readonly ledger: Ledger;
  /** Creates or upgrades the ledger's tables; EventStoreDB needs none. */
  migrate(): Promise<MigrationReport | null>;
}

export interface OpenLedgerShared {
  /** The process's PGlite, shared with the read models (a data directory opens once per process). */
  readonly pglite?: PGlite;
  /** A pool to share instead of opening one. */
  readonly pool?: pg.Pool;
}

/** Builds the configured ledger adapter (the composition root calls this once). */
export async function openLedger(config: LedgerConfig, shared: OpenLedgerShared = {}): Promise<OpenedLedger> {
  switch (config.kind) {
    case 'postgres': {
      const ledger = shared.pool
        ? createPostgresLedger({ pool: shared.pool, schema: config.schema })
        : createPostgresLedger({ connectionString: config.url, schema: config.schema });
      return { ledger, migrate: () => ledger.migrate() };
    }
    case 'pglite': {
      const ledger = shared.pglite
        ? createPgliteLedger({ pglite: shared.pglite, schema: config.schema })
        : createPgliteLedger({ dataDir: config.dataDir, schema: config.schema });
      return { ledger, migrate: () => ledger.migrate() };
    }
    case 'eventstoredb': {
      // Loaded on demand so embedded and PostgreSQL deployments never load the gRPC client.
      const { createEventStoreDbLedger } = await import('./eventstoredb/eventstoredb-ledger.js');
      const ledger = createEventStoreDbLedger({ connectionString: config.url });
      return { ledger, migrate: async () => null };
    }
  }
}
