/**
 * Rebuild throughput of the read models over a large generated ledger.
 *
 *   DATABASE_URL=postgres://… [REDIS_URL=redis://…] npm run bench:rebuild -w @pti/projections
 *
 * The ledger (schema `bench_ledger_2m`, BENCH_EVENTS events, default 2,000,000) is produced by the
 * write side's deciders and cached between runs (`bench-ledger.ts`; generated only when missing).
 * Then every read model (or BENCH_PROJECTORS=a,b) is rebuilt from position 0 into a fresh
 * generation:
 *
 * * BENCH_MODE=shared (default): `rebuildProjectors`, the way `pti rebuild all` works — one ledger
 *   read feeding every projector's lane concurrently. Prints events/s overall (ledger events / wall
 *   time) and per model (events the model received / time until its lane settled).
 * * BENCH_MODE=each: `rebuildProjector` for one model after the other (one ledger read each),
 *   per-model figures measured alone.
 *
 * BENCH_FLUSH: events each projector gathers per transaction in shared mode (default
 * `REBUILD_FLUSH_EVERY`; BENCH_FLUSH=20000 applies one page per transaction, as before flushes).
 * BENCH_TABLE_STATS=1 prints rows inserted/updated/deleted per table; BENCH_SQL_TIMING=1 the wall
 * time per statement shape.
 *
 * Progress on stderr every 5 s. Projection schemas (`benchrm<pid>_…`, so concurrent runs stay apart) and
 * Redis keys are dropped at the end, and those of earlier runs whose process is gone at the start; the
 * ledger stays (BENCH_DROP_LEDGER=1 drops it). Prints `uptime`'s load average before and after.
 */
import { loadavg } from 'node:os';
import {
  type Cache,
  cpuAccount,
  createDatabase,
  createMemoryCache,
  createPostgresLedger,
  createRedisCache,
  type SqlExecutor,
  type TransactionalSqlExecutor,
} from '@pti/platform';
import { PROJECTORS } from '../src/projectors.js';
import { withMaintenance } from '../src/runtime/apply-batch.js';
import type { CatchUpProgress } from '../src/runtime/catch-up.js';
import type { CatchUpManyProgress } from '../src/runtime/catch-up-many.js';
import { createHeadTracker } from '../src/runtime/lag.js';
import { projectionLayout } from '../src/runtime/layout.js';
import {
  handleOf,
  REBUILD_FLUSH_EVERY,
  type RebuildReport,
  rebuildProjector,
  rebuildProjectors,
} from '../src/runtime/rebuild.js';
import { listGenerations, migrateRegistry } from '../src/runtime/registry.js';
import { BENCH_LEDGER_SCHEMA, ensureBenchLedger } from './bench-ledger.js';

const url = process.env.DATABASE_URL;
if (url === undefined) throw new Error('DATABASE_URL is required (the bench measures a PostgreSQL ledger)');
const target = Number(process.env.BENCH_EVENTS ?? 2_000_000);
const centres = Number(process.env.BENCH_CENTRES ?? 200);
const batchSize = Number(process.env.BENCH_BATCH ?? 20_000);
/** Shared mode: events a projector gathers per transaction (default `REBUILD_FLUSH_EVERY`). */
const flushEvery = process.env.BENCH_FLUSH === undefined ? undefined : Number(process.env.BENCH_FLUSH);
const mode = process.env.BENCH_MODE ?? 'shared';
const ledgerSchema = process.env.BENCH_LEDGER_SCHEMA ?? BENCH_LEDGER_SCHEMA;
// Per process: concurrent runs on a shared database never drop each other's schemas.
const namespace = `benchrm${process.pid}_`;

/** Drops the schemas of earlier runs whose process is gone (a killed run cannot clean up). */
async function dropAbandonedRuns(db: SqlExecutor): Promise<void> {
  const { rows } = await db.query<{ nspname: string }>(
    `select nspname from pg_namespace where nspname ~ '^benchrm[0-9]+_'`,
  );
  for (const { nspname } of rows) {
    const pid = Number(/^benchrm([0-9]+)_/.exec(nspname)?.[1]);
    if (pid === process.pid || isAlive(pid)) continue;
    await db.exec(`drop schema if exists ${nspname} cascade`);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
const selected = process.env.BENCH_PROJECTORS?.split(',') ?? PROJECTORS.map((p) => p.name);
const projectors = PROJECTORS.filter((p) => selected.includes(p.name));

const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');

function cacheOf(): Cache {
  const redis = process.env.REDIS_URL;
  return redis ? createRedisCache(redis, { keyPrefix: 'bench:' }) : createMemoryCache();
}

const line = (name: string, events: number, ms: number) =>
  `${name.padEnd(13)} ${String(events).padStart(9)} events  ${(ms / 1000).toFixed(1).padStart(7)} s  ${String(Math.round((events * 1000) / Math.max(1, ms))).padStart(8)} events/s`;

async function main(): Promise<void> {
  console.log(`load average at start: ${load()}`);
  const seeded = await ensureBenchLedger({
    url: url as string,
    schema: ledgerSchema,
    target,
    centres,
    onProgress: (text) => process.stderr.write(`${text}\n`),
  });
  console.log(
    seeded.seconds === 0
      ? `ledger ${ledgerSchema}: ${seeded.events} events (reused)`
      : `ledger ${ledgerSchema}: ${seeded.events} events generated in ${seeded.seconds.toFixed(0)} s`,
  );
  const ledger = createPostgresLedger({
    connectionString: url,
    schema: ledgerSchema,
    poolMax: 4,
    listen: false,
  });
  const database = await createDatabase({
    kind: 'postgres',
    url: url as string,
    poolMax: projectors.length + 4,
  });
  const timing = process.env.BENCH_SQL_TIMING === '1' ? sqlTiming() : undefined;
  const db = timing === undefined ? database.sql : timing.wrap(database.sql);
  const cache = cacheOf();
  const layout = projectionLayout(namespace);
  await dropAbandonedRuns(database.sql);
  // The read models' "today": the workload's last day, so the horizon holds days with bookings.
  const today = seeded.lastOccurredAt;
  const deps = { ledger, db, cache, layout, clock: () => today };
  try {
    console.log(
      `rebuild bench (${mode}): postgres ledger of ${seeded.events} events, cache ${cache.kind}, batch ${batchSize}${mode === 'each' ? '' : `, flush every ${flushEvery ?? REBUILD_FLUSH_EVERY}`}, ${projectors.map((p) => p.name).join(', ')}`,
    );
    await migrateRegistry(db, layout);
    const heads = createHeadTracker(ledger, { maxAgeMs: 2_000 });
    // CPU of this process and of our PostgreSQL backends: figures apart from the machine's load.
    const cpu = cpuAccount();
    let sampling = false;
    let lastSample = 0;
    const sampleCpu = () => {
      if (sampling || Date.now() - lastSample < 2_000) return;
      sampling = true;
      lastSample = Date.now();
      void cpu.sample(db).finally(() => {
        sampling = false;
      });
    };
    const cpuLine = (events: number) => {
      const { node, postgres } = cpu.seconds();
      const perEvent = (seconds: number) => ((seconds * 1e6) / Math.max(1, events)).toFixed(0);
      // On an otherwise idle 2-core machine: node is one thread, PostgreSQL backends use the rest.
      const bound = Math.max(node, (node + postgres) / 2);
      return `CPU: node ${node.toFixed(1)} s (${perEvent(node)} µs/event), PostgreSQL backends ${postgres.toFixed(1)} s (${perEvent(postgres)} µs/event); CPU-bound estimate on an idle 2-core machine ≈ ${Math.round(events / Math.max(0.001, bound))} events/s`;
    };
    if (mode === 'each') {
      const reports: RebuildReport[] = [];
      const began = Date.now();
      for (const projector of projectors) {
        let lastLine = 0;
        const onProgress = (p: CatchUpProgress) => {
          sampleCpu();
          if (Date.now() - lastLine < 5_000 && !p.done) return;
          lastLine = Date.now();
          process.stderr.write(
            `  ${p.projector}: ${p.events} events, ${Math.round(p.eventsPerSecond)} ev/s${p.etaSeconds === undefined ? '' : `, ETA ${p.etaSeconds.toFixed(0)} s`}\n`,
          );
        };
        const report = await rebuildProjector(deps, projector, {
          batchSize,
          head: () => heads.head(),
          onProgress,
          resume: false,
        });
        reports.push(report);
        console.log(line(projector.name, report.events, report.elapsedMs));
      }
      const seconds = (Date.now() - began) / 1000;
      console.log(
        `all read models, one after the other: ${seeded.events} ledger events in ${seconds.toFixed(1)} s = ${Math.round(seeded.events / seconds)} events/s (${reports.reduce((n, r) => n + r.events, 0)} events applied)`,
      );
      await cpu.sample(db);
      console.log(cpuLine(seeded.events));
    } else {
      let lastLine = 0;
      const onProgress = (p: CatchUpManyProgress) => {
        sampleCpu();
        if (Date.now() - lastLine < 5_000 && !p.done) return;
        lastLine = Date.now();
        const pct = p.head === undefined ? '' : ` ${((100 * p.read) / seeded.events).toFixed(0)}%`;
        process.stderr.write(
          `  read ${p.read} events${pct}, ${Math.round(p.eventsPerSecond)} ev/s${p.etaSeconds === undefined ? '' : `, ETA ${p.etaSeconds.toFixed(0)} s`}; applied ${[...p.applied].map(([n, e]) => `${n} ${e}`).join(', ')} (load ${load()})\n`,
        );
      };
      const report = await rebuildProjectors(deps, projectors, {
        batchSize,
        flushEvery,
        head: () => heads.head(),
        onProgress,
        resume: false,
      });
      console.log('per read model: events it received, time until its lane settled; then its own busy time');
      for (const r of report.projectors) {
        const busy = report.busyMs.get(r.projector) ?? 0;
        console.log(
          `${line(r.projector, r.events, r.elapsedMs)}   busy ${(busy / 1000).toFixed(1).padStart(6)} s = ${String(Math.round((r.events * 1000) / Math.max(1, busy))).padStart(8)} events/s of its own work`,
        );
      }
      console.log(
        `all read models (one shared read): ${report.read} ledger events in ${(report.elapsedMs / 1000).toFixed(1)} s = ${Math.round(report.eventsPerSecond)} events/s`,
      );
      await cpu.sample(db);
      console.log(cpuLine(report.read));
    }
    if (timing !== undefined) console.log(timing.report());
    if (process.env.BENCH_TABLE_STATS === '1') {
      // Rows written per table (a row rewritten by every flush shows as many updates).
      const { rows } = await db.query<{ name: string; ins: string; upd: string; del: string; size: string }>(
        `select relname as name, n_tup_ins::text as ins, n_tup_upd::text as upd, n_tup_del::text as del,
                pg_size_pretty(pg_total_relation_size(relid)) as size
           from pg_stat_user_tables where starts_with(schemaname, $1) order by n_tup_ins + n_tup_upd desc`,
        [namespace],
      );
      for (const r of rows)
        console.log(
          `${r.name.padEnd(24)} ins ${r.ins.padStart(9)} upd ${r.upd.padStart(9)} del ${r.del.padStart(8)} ${r.size}`,
        );
    }
    console.log(`load average at end: ${load()}`);
  } finally {
    if (cache.kind === 'redis') {
      for (const record of await listGenerations(db, layout)) {
        const projector = PROJECTORS.find((p) => p.name === record.projector);
        const cacheKeys = projector?.cacheKeys;
        if (projector === undefined || cacheKeys === undefined) continue;
        const keys = await withMaintenance(db, layout, handleOf(projector, record), undefined, (ctx) =>
          cacheKeys(ctx),
        );
        for (let at = 0; at < keys.length; at += 1_000) {
          await cache.del(keys.slice(at, at + 1_000).map((key) => record.keyPrefix + key));
        }
      }
    }
    const { rows } = await db.query<{ nspname: string }>(
      `select nspname from pg_namespace where starts_with(nspname, $1)`,
      [namespace],
    );
    for (const row of rows) await db.exec(`drop schema if exists ${row.nspname} cascade`);
    if (process.env.BENCH_DROP_LEDGER === '1') await db.exec(`drop schema if exists ${ledgerSchema} cascade`);
    await cache.close();
    await ledger.close();
    await database.close();
  }
}

await main();

/**
 * BENCH_SQL_TIMING=1: wall time per statement shape (its first words, table names kept), to see
 * which writes the rebuild waits for.
 */
function sqlTiming() {
  const totals = new Map<string, { count: number; ms: number }>();
  const shape = (sql: string) =>
    sql
      .replace(/\s+/g, ' ')
      .trim()
      .replace(/benchrm_[a-z_]+_v\d+\./g, '')
      .slice(0, 90);
  const timed = (inner: SqlExecutor): SqlExecutor => ({
    query: async (sql, params) => {
      const began = performance.now();
      try {
        return await inner.query(sql, params);
      } finally {
        const key = shape(sql);
        const t = totals.get(key) ?? { count: 0, ms: 0 };
        t.count += 1;
        t.ms += performance.now() - began;
        totals.set(key, t);
      }
    },
    exec: (script) => inner.exec(script),
  });
  return {
    wrap: (db: TransactionalSqlExecutor): TransactionalSqlExecutor => ({
      ...timed(db),
      transaction: (fn, ends) => db.transaction((tx, first) => fn(timed(tx), first), ends),
    }),
    report: () =>
      [...totals]
        .sort((a, b) => b[1].ms - a[1].ms)
        .slice(0, 25)
        .map(
          ([sql, t]) => `${(t.ms / 1000).toFixed(1).padStart(7)} s ${String(t.count).padStart(6)}×  ${sql}`,
        )
        .join('\n'),
  };
}
