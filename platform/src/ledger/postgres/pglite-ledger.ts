import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { EventToAppend, ExpectedRevision, Ledger } from '../ledger-port.js';
import { type AppendRow, ledgerMigrations, ledgerQueries } from './ledger-sql.js';
import { type MigrationReport, runMigrations, type TransactionRunner } from './migrations.js';
import { createWakeSource } from './polling-subscription.js';
import { appendCall, createSqlLedger, type LedgerSqlClient } from './sql-ledger.js';

export interface PgliteLedgerOptions {
  /** An open PGlite (the caller owns it), or a data directory (`memory://` for a throw-away store). */
  pglite?: PGlite;
  dataDir?: string;
  schema?: string;
  pollIntervalMs?: number;
}

export interface PgliteLedger extends Ledger {
  readonly kind: 'pglite';
  readonly schema: string;
  readonly pglite: PGlite;
  migrate(): Promise<MigrationReport>;
  appendHeldOpen(
    stream: string,
    events: readonly EventToAppend[],
    expected: ExpectedRevision,
    holdMs: number,
  ): Promise<void>;
}

export function pgliteTransactionRunner(db: PGlite): TransactionRunner {
  return (work) => db.transaction((tx) => work(async (sql) => (await tx.exec(sql)).at(-1)?.rows ?? []));
}

/**
 * Embedded ledger: the PostgreSQL adapter's SQL on PGlite (Postgres in WASM, in-process). PGlite is a
 * single connection, so transactions serialise; subscribers in this process are woken by local appends.
 */
export function createPgliteLedger(options: PgliteLedgerOptions = {}): PgliteLedger {
  const schema = options.schema ?? 'pti';
  const ownsDb = !options.pglite;
  const dataDir = options.dataDir ?? 'memory://';
  if (!options.pglite && !dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  const db = options.pglite ?? new PGlite(dataDir);
  const wake = createWakeSource();

  const client: LedgerSqlClient = {
    async query<R>(_name: string, text: string, params: readonly unknown[]) {
      const result = await db.query<R>(text, params as unknown[]);
      return result.rows;
    },
  };

  const base = createSqlLedger({
    kind: 'pglite',
    schema,
    client,
    wake,
    pollIntervalMs: options.pollIntervalMs,
    ping: async () => {
      await db.query('SELECT 1');
    },
    close: async () => {
      if (ownsDb && !db.closed) await db.close();
    },
  });

  const q = ledgerQueries(schema);
  return {
    ...base,
    kind: 'pglite',
    schema,
    pglite: db,
    migrate: () => runMigrations(pgliteTransactionRunner(db), schema, 'ledger', ledgerMigrations(schema)),
    async appendHeldOpen(stream, events, expected, holdMs) {
      const call = appendCall(q, stream, events, expected);
      await db.transaction(async (tx) => {
        const { rows } = await tx.query<AppendRow>(call.text, call.params);
        if (!rows[0] || rows[0].before === null) throw new Error(`held-open append to ${stream}: conflict`);
        await new Promise((r) => setTimeout(r, holdMs));
      });
      wake.fire();
    },
  };
}
