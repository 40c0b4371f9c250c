import pg from 'pg';
import type { EventToAppend, ExpectedRevision, Ledger } from '../ledger-port.js';
import { createHeldConnections } from './held-connections.js';
import { type AppendRow, ledgerMigrations, ledgerQueries } from './ledger-sql.js';
import { type MigrationReport, runMigrations, type TransactionRunner } from './migrations.js';
import { createWakeSource } from './polling-subscription.js';
import { appendCall, createSqlLedger, type LedgerSqlClient } from './sql-ledger.js';

export interface PostgresLedgerOptions {
  /** Either a connection string (the ledger owns its pool) or an existing pool (the caller owns it). */
  connectionString?: string;
  pool?: pg.Pool;
  schema?: string;
  poolMax?: number;
  pollIntervalMs?: number;
  /** Minimum time between two NOTIFYs this process sends. Default 10 ms. */
  notifyIntervalMs?: number;
  /** Listen for other processes' appends (LISTEN/NOTIFY). Default true. */
  listen?: boolean;
  /**
   * Group commit of single-event appends (see `createAppendBatcher`), and batching of stream reads
   * alike: statements of each kind running at once before further ones wait and are sent together.
   * Default 1: a statement's round trip costs both processes far more CPU than one more item in a
   * batch, so under load each kind sends one statement at a time and everything arriving meanwhile
   * rides the next (the write-side bench, 2,000 centres: 1.7 round trips per booking with half a
   * pool of 10 in flight; with the calendar read sent beside the centre's, 0.7–0.8 with 2 and about
   * 0.5 with 1, PostgreSQL and server CPU per booking falling alike). At low load nothing waits, and a statement running past 25 ms (a row lock, a long read)
   * frees its turn, so a slow one holds the others back no longer than that. `false` sends every
   * append and read alone.
   */
  appendConcurrency?: number | false;
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
 * PostgreSQL ledger. An append is one prepared statement; after commits the adapter sends a throttled
 * NOTIFY (outside the append's transaction, because NOTIFY inside it would serialise every committing
 * writer on PostgreSQL's notify lock). Subscribers LISTEN and poll as a fallback, which also
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
  // Appends and stream reads each keep at most this many statements running before they batch (group commit).
  const batchInFlight = options.appendConcurrency === false ? 0 : (options.appendConcurrency ?? 1);
  let closed = false;
  const wake = createWakeSource();

  const client: LedgerSqlClient = {
    async query<R>(name: string, text: string, params: readonly unknown[]) {
      const result = await pool.query({ name, text, values: params as unknown[] });
      return result.rows as R[];
    },
  };

  // The batchers' statements go out on held connections, in the turn that sends them (see
  // held-connections.ts): one per statement each batcher may have running.
  const held = createHeldConnections(pool, { size: Math.max(1, batchInFlight) * 2 });
  const batchClient: LedgerSqlClient = { query: held.query };

  // Throttled NOTIFY: at most one per `notifyIntervalMs`, sent after the append committed. Subscribers in this
  // process are woken at once by the local wake; other processes learn within the interval (or by polling).
  const notifyIntervalMs = options.notifyIntervalMs ?? 10;
  let lastNotify = 0;
  let notifyScheduled = false;
  const announce = () => {
    if (notifyScheduled || closed) return;
    notifyScheduled = true;
    const wait = Math.max(0, lastNotify + notifyIntervalMs - Date.now());
    setTimeout(() => {
      notifyScheduled = false;
      lastNotify = Date.now();
      if (!closed)
        pool
          .query({ name: `${schema}_notify`, text: 'SELECT pg_notify($1, $2)', values: [channel, ''] })
          .catch(() => undefined);
    }, wait).unref();
  };

  // One LISTEN connection per ledger, opened with the first subscription, reconnected after errors.
  let listener: pg.Client | null = null;
  let listening = false;
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
    ...(batchInFlight > 0 ? { batchClient } : {}),
    wake,
    announce,
    pollIntervalMs: options.pollIntervalMs,
    ...(options.appendConcurrency === false
      ? {}
      : {
          batchAppends: { maxInFlight: batchInFlight },
          batchReads: { maxInFlight: batchInFlight },
        }),
    ping: async () => {
      await pool.query('SELECT 1');
    },
    close: async () => {
      closed = true;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      await listener?.end().catch(() => undefined);
      held.release();
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
        const call = appendCall(q, stream, events, expected);
        const { rows } = await conn.query<AppendRow>(call.text, call.params);
        if (!rows[0] || rows[0].before === null) throw new Error(`held-open append to ${stream}: conflict`);
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
