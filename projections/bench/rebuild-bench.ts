/**
 * Rebuild throughput of the read models over a generated ledger.
 *
 *   DATABASE_URL=postgres://… [REDIS_URL=redis://…] npm run bench -w @pti/projections
 *
 * Seeds a PostgreSQL ledger (schema `bench_ledger`, kept between runs and topped up to
 * BENCH_EVENTS, default 500,000) with events produced by the write side's deciders (the
 * `testing/workload.ts` generator: centres set up, then bookings placed, confirmed, released,
 * cancelled, periods blocked, configuration changed), appended through the ledger port by 16
 * concurrent writers (one per stream partition). Then rebuilds every read model (or
 * BENCH_PROJECTORS=a,b) from position 0 into a fresh generation, one after the other, and prints
 * events/s per read model and overall. Without DATABASE_URL it runs on an in-memory PGlite with a
 * smaller default (50,000 events). Projection schemas are dropped at the end; BENCH_DROP_LEDGER=1
 * drops the seeded ledger too.
 */
import {
  type Cache,
  createDatabase,
  createMemoryCache,
  createPgliteLedger,
  createPostgresLedger,
  createRedisCache,
  type Ledger,
  MEMORY_DATA_DIR,
  openPglite,
  type TransactionalSqlExecutor,
} from '@pti/platform';
import { PROJECTORS } from '../src/projectors.js';
import { withMaintenance } from '../src/runtime/apply-batch.js';
import type { CatchUpProgress } from '../src/runtime/catch-up.js';
import { createHeadTracker } from '../src/runtime/lag.js';
import { projectionLayout } from '../src/runtime/layout.js';
import { handleOf, type RebuildReport, rebuildProjector } from '../src/runtime/rebuild.js';
import { listGenerations, migrateRegistry } from '../src/runtime/registry.js';
import { createWorkload, type WorkloadAppend } from '../src/testing/workload.js';

const url = process.env.DATABASE_URL;
const target = Number(process.env.BENCH_EVENTS ?? (url ? 500_000 : 50_000));
const centres = Number(process.env.BENCH_CENTRES ?? 200);
const batchSize = Number(process.env.BENCH_BATCH ?? 20_000);
const writers = 16;
const ledgerSchema = 'bench_ledger';
const namespace = 'benchrm_';
const selected = process.env.BENCH_PROJECTORS?.split(',') ?? PROJECTORS.map((p) => p.name);
const start = new Date('2026-01-05T06:00:00Z');

interface Stores {
  readonly ledger: Ledger;
  readonly db: TransactionalSqlExecutor;
  readonly kind: string;
  migrate(): Promise<unknown>;
  close(): Promise<void>;
}

async function open(): Promise<Stores> {
  if (url) {
    const ledger = createPostgresLedger({
      connectionString: url,
      schema: ledgerSchema,
      poolMax: writers + 4,
      listen: false,
    });
    await ledger.migrate();
    const database = await createDatabase({ kind: 'postgres', url, poolMax: 8 });
    return {
      ledger,
      db: database.sql,
      kind: 'postgres',
      migrate: () => ledger.migrate(),
      close: async () => {
        await ledger.close();
        await database.close();
      },
    };
  }
  const pglite = await openPglite(MEMORY_DATA_DIR);
  const ledger = createPgliteLedger({ pglite, schema: ledgerSchema });
  await ledger.migrate();
  const database = await createDatabase({ kind: 'pglite', pglite });
  return {
    ledger,
    db: database.sql,
    kind: 'pglite',
    migrate: () => ledger.migrate(),
    close: async () => {
      await ledger.close();
      await pglite.close();
    },
  };
}

async function countEvents(db: TransactionalSqlExecutor): Promise<number> {
  const { rows } = await db.query<{ n: bigint }>(`select count(*) as n from ${ledgerSchema}.events`);
  return Number(rows[0]?.n ?? 0n);
}

/** Appends in generator order within each stream, streams spread over `writers` partitions. */
async function appendConcurrently(ledger: Ledger, appends: readonly WorkloadAppend[]): Promise<void> {
  const queues: WorkloadAppend[][] = Array.from({ length: writers }, () => []);
  for (const append of appends) {
    let hash = 0;
    for (let i = 0; i < append.stream.length; i += 1) hash = (hash * 31 + append.stream.charCodeAt(i)) | 0;
    queues[Math.abs(hash) % writers]!.push(append);
  }
  await Promise.all(
    queues.map(async (queue) => {
      for (const append of queue) await ledger.append(append.stream, append.events, 'any');
    }),
  );
}

async function seed(stores: Stores): Promise<{ events: number; seconds: number }> {
  const { ledger, db } = stores;
  const existing = await countEvents(db);
  if (existing >= target) return { events: existing, seconds: 0 };
  if (existing > 0) {
    await db.exec(`drop schema ${ledgerSchema} cascade`);
    await stores.migrate();
  }
  const began = Date.now();
  const workload = createWorkload({ seed: 2026, centres, horizonDays: 30, secondsPerCommand: 40, start });
  await appendConcurrently(ledger, workload.setup());
  let events = workload.stats.events;
  let lastReport = Date.now();
  while (events < target) {
    const chunk: WorkloadAppend[] = [];
    for (let n = 0; n < 5_000; n += 1) chunk.push(...workload.next());
    await appendConcurrently(ledger, chunk);
    events = workload.stats.events;
    if (Date.now() - lastReport > 5_000) {
      lastReport = Date.now();
      process.stderr.write(
        `  seeded ${events} events (${Math.round(events / ((Date.now() - began) / 1000))} ev/s)\n`,
      );
    }
  }
  return { events: await countEvents(db), seconds: (Date.now() - began) / 1000 };
}

function cacheOf(): Cache {
  const redis = process.env.REDIS_URL;
  return redis ? createRedisCache(redis, { keyPrefix: 'bench:' }) : createMemoryCache();
}

async function main(): Promise<void> {
  const stores = await open();
  const cache = cacheOf();
  const layout = projectionLayout(namespace);
  try {
    console.log(
      `rebuild bench: ${stores.kind} ledger, cache ${cache.kind}, target ${target} events, ${centres} centres`,
    );
    const seeded = await seed(stores);
    console.log(
      seeded.seconds === 0
        ? `ledger: ${seeded.events} events (reused)`
        : `ledger: ${seeded.events} events seeded in ${seeded.seconds.toFixed(0)} s (${Math.round(seeded.events / seeded.seconds)} ev/s through the ledger port)`,
    );
    await migrateRegistry(stores.db, layout);
    const heads = createHeadTracker(stores.ledger, { maxAgeMs: 2_000 });
    // The read models' "today": the workload's last day, so the horizon holds days with bookings.
    const { rows: lastRows } = await stores.db.query<{ at: string }>(
      `select metadata->>'occurredAt' as at from ${ledgerSchema}.events order by global_position desc limit 1`,
    );
    const today = new Date(lastRows[0]?.at ?? Date.now());
    const clock = () => today;
    const reports: RebuildReport[] = [];
    const began = Date.now();
    for (const projector of PROJECTORS.filter((p) => selected.includes(p.name))) {
      let lastLine = 0;
      const onProgress = (p: CatchUpProgress) => {
        if (Date.now() - lastLine < 5_000 && !p.done) return;
        lastLine = Date.now();
        process.stderr.write(
          `  ${p.projector}: ${p.events} events, ${Math.round(p.eventsPerSecond)} ev/s${p.etaSeconds === undefined ? '' : `, ETA ${p.etaSeconds.toFixed(0)} s`}\n`,
        );
      };
      const report = await rebuildProjector(
        { ledger: stores.ledger, db: stores.db, cache, layout, clock },
        projector,
        {
          batchSize,
          head: () => heads.head(),
          onProgress,
          resume: false,
        },
      );
      reports.push(report);
      console.log(
        `${projector.name.padEnd(13)} ${String(report.events).padStart(9)} events  ${(report.elapsedMs / 1000).toFixed(1).padStart(7)} s  ${String(Math.round(report.eventsPerSecond)).padStart(8)} events/s`,
      );
    }
    const total = reports.reduce((n, r) => n + r.events, 0);
    const seconds = (Date.now() - began) / 1000;
    console.log(
      `all read models: ${total} events applied in ${seconds.toFixed(1)} s = ${Math.round(total / seconds)} events/s (ledger of ${seeded.events} events, batch ${batchSize})`,
    );
  } finally {
    if (cache.kind === 'redis') {
      for (const record of await listGenerations(stores.db, layout)) {
        const projector = PROJECTORS.find((p) => p.name === record.projector);
        const cacheKeys = projector?.cacheKeys;
        if (projector === undefined || cacheKeys === undefined) continue;
        const keys = await withMaintenance(stores.db, layout, handleOf(projector, record), undefined, (ctx) =>
          cacheKeys(ctx),
        );
        for (let at = 0; at < keys.length; at += 1_000) {
          await cache.del(keys.slice(at, at + 1_000).map((key) => record.keyPrefix + key));
        }
      }
    }
    const { rows } = await stores.db.query<{ nspname: string }>(
      `select nspname from pg_namespace where starts_with(nspname, $1)`,
      [namespace],
    );
    for (const row of rows) await stores.db.exec(`drop schema if exists ${row.nspname} cascade`);
    if (process.env.BENCH_DROP_LEDGER === '1')
      await stores.db.exec(`drop schema if exists ${ledgerSchema} cascade`);
    await cache.close();
    await stores.close();
  }
}

await main();
