/**
 * A large PostgreSQL ledger for the benchmarks, generated once and kept in its own schema.
 *
 * The events come from the write side's deciders (`testing/workload.ts` drives `centreDecider`,
 * `calendarDecider` and `bookingDecider` in-process). Going through `Ledger.append` one command at
 * a time would take longer than the benchmark itself (≈ 3k appends/s here), so the seeder writes
 * the ledger's own tables directly, in generator order: one multi-row INSERT per chunk of ~10,000
 * events, each chunk its own transaction, so the global order (transaction id, identity) is the
 * generator's order; stream revisions are counted in memory and the `streams` table is filled at
 * the end. The next chunk is generated while PostgreSQL inserts the current one.
 *
 * A `bench_meta` row records the generator parameters and completion; a rerun with a target at or
 * below the stored count reuses the ledger, anything else (interrupted run, other parameters, a
 * larger target) regenerates it from scratch.
 */
import { createPostgresLedger, type EventToAppend, type PostgresLedger } from '@pti/platform';
import { createWorkload, type WorkloadAppend } from '../src/testing/workload.js';

export interface BenchLedgerOptions {
  readonly url: string;
  readonly schema: string;
  readonly target: number;
  readonly centres: number;
  readonly seed?: number;
  readonly start?: Date;
  readonly onProgress?: (line: string) => void;
}

export interface BenchLedger {
  readonly events: number;
  /** Seconds spent generating (0 when reused). */
  readonly seconds: number;
  /** `occurredAt` of the last event: the read models' "today" in the benches. */
  readonly lastOccurredAt: Date;
}

const CHUNK = 10_000;

/** The ledger adapter's own pg pool (the projections package does not depend on `pg` itself). */
type Pool = PostgresLedger['pool'];

interface Meta {
  readonly params: string;
  readonly events: string;
  readonly complete: boolean;
}

async function readMeta(pool: Pool, schema: string): Promise<Meta | undefined> {
  const { rows } = await pool.query<{ exists: boolean }>(`select to_regclass($1) is not null as exists`, [
    `${schema}.bench_meta`,
  ]);
  if (rows[0]?.exists !== true) return undefined;
  const meta = await pool.query<Meta>(
    `select params, events::text as events, complete from ${schema}.bench_meta limit 1`,
  );
  return meta.rows[0];
}

async function lastOccurredAt(pool: Pool, schema: string): Promise<Date> {
  const { rows } = await pool.query<{ at: string | null }>(
    `select metadata->>'occurredAt' as at from ${schema}.events order by transaction_id desc, global_position desc limit 1`,
  );
  return new Date(rows[0]?.at ?? Date.now());
}

interface Row {
  readonly stream: string;
  readonly revision: number;
  readonly event: EventToAppend;
}

async function insertChunk(pool: Pool, schema: string, rows: readonly Row[]): Promise<void> {
  const streams: string[] = [];
  const revisions: string[] = [];
  const ids: string[] = [];
  const types: string[] = [];
  const data: string[] = [];
  const metadata: string[] = [];
  for (const row of rows) {
    streams.push(row.stream);
    revisions.push(String(row.revision));
    ids.push(row.event.id);
    types.push(row.event.type);
    data.push(JSON.stringify(row.event.data));
    metadata.push(JSON.stringify(row.event.metadata));
  }
  // One statement is one transaction: every row of the chunk shares its transaction id and takes
  // identity values in `ord` order.
  await pool.query(
    `insert into ${schema}.events (stream_name, stream_revision, event_id, event_type, data, metadata)
     select s, r, i, t, d, m
       from unnest($1::text[], $2::bigint[], $3::uuid[], $4::text[], $5::jsonb[], $6::jsonb[])
            with ordinality as x(s, r, i, t, d, m, ord)
      order by ord`,
    [streams, revisions, ids, types, data, metadata],
  );
}

/** Returns the bench ledger, generating it first when the stored one does not fit. */
export async function ensureBenchLedger(options: BenchLedgerOptions): Promise<BenchLedger> {
  const { schema, target, centres } = options;
  const seed = options.seed ?? 2026;
  const start = options.start ?? new Date('2026-01-05T06:00:00Z');
  const params = JSON.stringify({ generator: 1, seed, centres, start: start.toISOString() });
  const log = options.onProgress ?? (() => undefined);
  const ledger = createPostgresLedger({ connectionString: options.url, schema, poolMax: 3, listen: false });
  const pool = ledger.pool;
  try {
    const meta = await readMeta(pool, schema);
    if (meta?.complete === true && meta.params === params && Number(meta.events) >= target) {
      return { events: Number(meta.events), seconds: 0, lastOccurredAt: await lastOccurredAt(pool, schema) };
    }
    if (meta !== undefined)
      log(`  bench ledger ${schema}: ${meta.events} events, ${meta.params}: regenerating`);
    await pool.query(`drop schema if exists ${schema} cascade`);
    await ledger.migrate();
    await pool.query(
      `create table ${schema}.bench_meta (params text not null, events bigint not null, complete boolean not null)`,
    );
    await pool.query(`insert into ${schema}.bench_meta values ($1, 0, false)`, [params]);

    const began = Date.now();
    const workload = createWorkload({ seed, centres, horizonDays: 30, secondsPerCommand: 40, start });
    const revisions = new Map<string, number>();
    let pending: Row[] = [];
    let inserting: Promise<void> = Promise.resolve();
    let written = 0;
    let lastLine = Date.now();
    const push = (appends: readonly WorkloadAppend[]) => {
      for (const append of appends) {
        let revision = revisions.get(append.stream) ?? 0;
        for (const event of append.events) {
          revision += 1;
          pending.push({ stream: append.stream, revision, event });
        }
        revisions.set(append.stream, revision);
      }
    };
    const flush = async () => {
      const rows = pending;
      pending = [];
      await inserting;
      written += rows.length;
      inserting = insertChunk(pool, schema, rows);
      if (Date.now() - lastLine > 5_000) {
        lastLine = Date.now();
        const seconds = (Date.now() - began) / 1000;
        const rate = written / seconds;
        log(
          `  generating: ${written}/${target} events, ${Math.round(rate)} ev/s, ETA ${Math.max(0, (target - written) / rate).toFixed(0)} s`,
        );
      }
    };
    push(workload.setup());
    while (written + pending.length < target) {
      push(workload.next());
      if (pending.length >= CHUNK) await flush();
    }
    if (pending.length > 0) await flush();
    await inserting;
    const names = [...revisions.keys()];
    for (let at = 0; at < names.length; at += 50_000) {
      const slice = names.slice(at, at + 50_000);
      await pool.query(
        `insert into ${schema}.streams (stream_name, revision) select * from unnest($1::text[], $2::bigint[])`,
        [slice, slice.map((name) => String(revisions.get(name)))],
      );
    }
    await pool.query(`vacuum analyze ${schema}.events`);
    await pool.query(`update ${schema}.bench_meta set events = $1, complete = true`, [written]);
    return {
      events: written,
      seconds: (Date.now() - began) / 1000,
      lastOccurredAt: await lastOccurredAt(pool, schema),
    };
  } finally {
    await ledger.close();
  }
}

/** Schema of the cached rebuild-bench ledger. */
export const BENCH_LEDGER_SCHEMA = 'bench_ledger_2m';
