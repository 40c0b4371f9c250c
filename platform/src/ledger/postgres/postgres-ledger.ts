import pg from 'pg';
import type { EventToAppend, ExpectedRevision, Ledger } from '../ledger-port.js';
import { ledgerMigrations, ledgerQueries } from './ledger-sql.js';
import { type MigrationReport, runMigrations, type TransactionRunner } from './migrations.js';
import { createWakeSource } from './polling-subscription.js';
import { createSqlLedger, expectedToSql, type LedgerSqlClient } from './sql-ledger.js';

export interface PostgresLedgerOptions {
  /** Either a connection string (the ledger owns its pool) or an existing pool (the caller owns it). */
  connectionString?: string;
  pool?: pg.Pool;
  schema?: string;
  poolMax?: number;
  pollIntervalMs?: number;
  /** Listen for other processes' appends (LISTEN/NOTIFY). Default true. */
  listen?: boolean;
}

export interface PostgresLedger extends Ledger {
  readonly kind: 'postgres';
  readonly schema: string;
  readonly pool: pg.Pool;
  migrate(): Promise<MigrationReport>;
  /**
   * Test seam for gap safety: appends inside an explicit transaction held open `holdMs` before COMMIT,
   * so transactions commit in another order than they took their positions.
   */
  appendHeldOpen(
    stream: string,
    events: readonly EventToAppend[],
    expected: ExpectedRevision,
    holdMs: number,
  ): Promise<void>;
}

export function notifyChannel(schema: string): string {
  return `pti_ledger_${schema}`;
}

export function poolTransactionRunner(pool: pg.Pool): TransactionRunner {
  return async (work) => {
    const conn = await pool.connect();
    try {
      await conn.query('BEGIN');
      const result = await work(async (sql) => (await conn.query(sql)).rows);
      await conn.query('COMMIT');
      return result;
    } catch (err) {
      await conn.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      conn.release();
    }
  };
}

/**
 * PostgreSQL ledger. Appends are one prepared function call; after each commit the adapter sends one
 * coalesced NOTIFY (outside the append's transaction, because NOTIFY inside it would serialise every
 * committing writer on PostgreSQL's notify lock). Subscribers LISTEN and poll as a fallback, which also
 * covers writers that do not notify.
 */
export function createPostgresLedger(options: PostgresLedgerOptions): PostgresLedger {
  const schema = options.schema ?? 'pti';
  const ownsPool = !options.pool;
  const pool =
    options.pool ??
    new pg.Pool({
      connectionString: options.connectionString,
      max: options.poolMax ?? 20,
      application_name: 'pti-ledger',
    });
  const channel = notifyChannel(schema);
  const wake = createWakeSource();

  const client: LedgerSqlClient = {
    async query<R>(name: string, text: string, params: readonly unknown[]) {
      const result = await pool.query({ name, text, values: params as unknown[] });
      return result.rows as R[];
    },
  };

  // Coalesced NOTIFY: at most one in flight, one more queued if appends happened meanwhile.
  let notifying = false;
  let notifyPending = false;
  const announce = () => {
    if (notifying) {
      notifyPending = true;
      return;
    }
    notifying = true;
    notifyPending = false;
    pool
      .query('SELECT pg_notify($1, $2)', [channel, ''])
      .catch(() => undefined)
      .finally(() => {
        notifying = false;
        if (notifyPending) announce();
      });
  };

  // One LISTEN connection per ledger, opened with the first subscription, reconnected after errors.
  let listener: pg.Client | null = null;
  let listening = false;
  let closed = false;
  let reconnectTimer: NodeJS.Timeout | null = null;
  const startListening = () => {
    if (listening || closed || options.listen === false) return;
    listening = true;
    const conn = new pg.Client(
      options.connectionString ? { connectionString: options.connectionString } : poolConnectionConfig(pool),
    );
    listener = conn;
    conn.on('notification', () => wake.fire());
    conn.on('error', () => {
      listening = false;
      listener = null;
      conn.end().catch(() => undefined);
      if (!closed) reconnectTimer = setTimeout(startListening, 1_000);
      wake.fire();
    });
    conn
      .connect()
      .then(() => conn.query(`LISTEN ${channel}`))
      .catch(() => conn.emit('error', new Error('listen failed')));
  };

  const base = createSqlLedger({
    kind: 'postgres',
    schema,
    client,
    wake,
    announce,
    pollIntervalMs: options.pollIntervalMs,
    ping: async () => {
      await pool.query('SELECT 1');
    },
    close: async () => {
      closed = true;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      await listener?.end().catch(() => undefined);
      if (ownsPool) await pool.end();
    },
  });

  const q = ledgerQueries(schema);
  return {
    ...base,
    kind: 'postgres',
    schema,
    pool,
    subscribe(subOptions, handler) {
      startListening();
      return base.subscribe(subOptions, handler);
    },
    migrate: () => runMigrations(poolTransactionRunner(pool), schema, 'ledger', ledgerMigrations(schema)),
    async appendHeldOpen(stream, events, expected, holdMs) {
      const conn = await pool.connect();
      try {
        await conn.query('BEGIN');
        const payload = JSON.stringify(
          events.map((e) => ({ id: e.id, type: e.type, data: e.data, metadata: e.metadata })),
        );
        const { rows } = await conn.query<{ status: string }>(q.append, [
          stream,
          expectedToSql(expected),
          payload,
        ]);
        if (rows[0]?.status !== 'ok') throw new Error(`held-open append to ${stream}: ${rows[0]?.status}`);
        await conn.query('SELECT pg_sleep($1)', [holdMs / 1000]);
        await conn.query('COMMIT');
        announce();
        wake.fire();
      } catch (err) {
        await conn.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        conn.release();
      }
    },
  };
}

function poolConnectionConfig(pool: pg.Pool): pg.ClientConfig {
  // pg.Pool keeps the options it was built with; the LISTEN connection reuses them.
  return (pool as unknown as { options: pg.ClientConfig }).options;
}
