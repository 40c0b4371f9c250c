export * from './ledger-port.js';
export { type OpenedLedger, type OpenLedgerShared, openLedger } from './open-ledger.js';
export {
  type Migration,
  type MigrationReport,
  runMigrations,
  type TransactionRunner,
} from './postgres/migrations.js';
export {
  createPgliteLedger,
  type PgliteLedger,
  type PgliteLedgerOptions,
  pgliteTransactionRunner,
} from './postgres/pglite-ledger.js';
export {
  createPostgresLedger,
  notifyChannel,
  type PostgresLedger,
  type PostgresLedgerOptions,
  poolTransactionRunner,
} from './postgres/postgres-ledger.js';
