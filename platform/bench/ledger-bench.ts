/**
 * Ledger benchmark on PostgreSQL (DESIGN.md §4; issue "workspace and ledger").
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench -w @pti/platform
 *   options: --seconds 20 --writers 16 --read-events 1000000 --skip-emmett
 *
 * Workloads, each on a fresh database `pti_bench`:
 *   1. 16 writers, 1 event per append with an exact expected revision, each on its own stream;
 *   2. the same with 100-event appends;
 *   3. readAll over >= 1M events from the start (page 5,000);
 *   4. reading one 100-event stream, repeatedly;
 *   5. baseline: a raw single-row INSERT with a version check (the machine's ceiling for this shape);
 *   6. comparison: the single-event workload on Emmett's PostgreSQL event store.
 * Figures are printed; nothing is asserted.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { EventMetadata } from '@pti/events';
import pg from 'pg';
import { createPostgresLedger, type EventToAppend, type Position, START } from '../src/ledger/index.js';
import { fmt, LatencyRecorder, now, withProgress } from './bench-kit.js';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    writers: { type: 'string', default: '16' },
    'read-events': { type: 'string', default: '1000000' },
    'skip-emmett': { type: 'boolean', default: false },
  },
});
const SECONDS = Number(args.seconds);
const WRITERS = Number(args.writers);
const READ_EVENTS = Number(args['read-events']);
const baseUrl = process.env.DATABASE_URL;
if (!baseUrl) {
  console.error('DATABASE_URL is required: this benchmark measures the PostgreSQL adapter.');
  process.exit(2);
}

const results: Record<string, Record<string, number | string>> = {};

function dbUrl(name: string): string {
  const u = new URL(baseUrl!);
  u.pathname = `/${name}`;
  return u.toString();
}

async function freshDatabase(name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return dbUrl(name);
}

const metadata: EventMetadata = {
  tenantId: 'bench',
  actor: { id: 'bench', role: 'system' },
  correlationId: 'bench',
  causationId: null,
  occurredAt: new Date().toISOString(),
  schemaVersion: 1,
};
const payload = {
  centreId: 'c-0001',
  start: '2026-12-01T09:00',
  durationMinutes: 45,
  priceCents: 7800,
  channel: 'web',
};
const makeEvents = (n: number): EventToAppend[] =>
  Array.from({ length: n }, () => ({ id: randomUUID(), type: 'SlotHeld', data: payload, metadata }));

/** Runs `writers` loops for `seconds`; each loop calls `step(writer, iteration)` and times it. */
async function closedLoop(
  label: string,
  writers: number,
  seconds: number,
  eventsPerStep: number,
  step: (writer: number, iteration: number) => Promise<void>,
) {
  const latency = new LatencyRecorder();
  let events = 0;
  const deadline = now() + seconds * 1000;
  const started = now();
  await withProgress(
    label,
    () => `${fmt(events / ((now() - started) / 1000))} events/s`,
    () =>
      Promise.all(
        Array.from({ length: writers }, async (_, w) => {
          for (let i = 0; now() < deadline; i++) {
            const t = now();
            await step(w, i);
            latency.record(now() - t);
            events += eventsPerStep;
          }
        }),
      ),
  );
  const elapsed = (now() - started) / 1000;
  const l = latency.summary();
  return { events, elapsed, eventsPerSec: events / elapsed, appendsPerSec: latency.size / elapsed, ...l };
}

async function ledgerWorkloads(url: string) {
  const ledger = createPostgresLedger({
    connectionString: url,
    schema: 'bench',
    poolMax: WRITERS + 4,
    listen: false,
  });
  await ledger.migrate();

  console.log(
    `\n[1] single-event appends: ${WRITERS} writers, own stream each, expected revision, ${SECONDS}s`,
  );
  const single = await closedLoop('single', WRITERS, SECONDS, 1, async (w, i) => {
    await ledger.append(`booking-s${w}`, makeEvents(1), BigInt(i));
  });
  results.appendSingle = { ...single, target: '>= 6,400 events/s' };
  console.log(
    `    ${fmt(single.eventsPerSec)} events/s  p50 ${fmt(single.p50, 2)} ms  p95 ${fmt(single.p95, 2)} ms  p99 ${fmt(single.p99, 2)} ms  (${fmt(single.events)} events)`,
  );

  console.log(`\n[2] 100-event appends: ${WRITERS} writers, own stream each, expected revision, ${SECONDS}s`);
  const batches = Array.from({ length: 64 }, () => makeEvents(100));
  let batchNo = 0;
  const hundred = await closedLoop('batch100', WRITERS, SECONDS, 100, async (w, i) => {
    const batch = batches[batchNo++ % batches.length]!.map((e) => ({ ...e, id: randomUUID() }));
    await ledger.append(`booking-b${w}`, batch, BigInt(i * 100));
  });
  results.append100 = { ...hundred, target: '>= 40,000 events/s' };
  console.log(
    `    ${fmt(hundred.eventsPerSec)} events/s  p50 ${fmt(hundred.p50, 2)} ms  p95 ${fmt(hundred.p95, 2)} ms  p99 ${fmt(hundred.p99, 2)} ms  (${fmt(hundred.events)} events)`,
  );

  // Top up to READ_EVENTS with 1,000-event appends so readAll has a realistic 1M-event log to scan.
  const count = async () =>
    Number(
      (await ledger.pool.query<{ n: string }>('SELECT count(*)::text AS n FROM bench.events')).rows[0]!.n,
    );
  let stored = await count();
  if (stored < READ_EVENTS) {
    console.log(`\n    filling the log from ${fmt(stored)} to ${fmt(READ_EVENTS)} events`);
    const fillBatch = makeEvents(1000);
    let next = 0;
    const goal = READ_EVENTS - stored;
    let filled = 0;
    await withProgress(
      'fill',
      () => `${fmt(filled)}/${fmt(goal)}`,
      () =>
        Promise.all(
          Array.from({ length: 8 }, async (_, w) => {
            for (let i = 0; filled < goal; i++) {
              next++;
              await ledger.append(
                `calendar-fill${w}`,
                fillBatch.map((e) => ({ ...e, id: randomUUID() })),
                BigInt(i * 1000),
              );
              filled += 1000;
            }
          }),
        ),
    );
    stored = await count();
    void next;
  }

  console.log(`\n[3] readAll from the start over ${fmt(stored)} events (page 5,000)`);
  await ledger.pool.query('VACUUM ANALYZE bench.events');
  let read = 0;
  let after: Position = START;
  const t0 = now();
  await withProgress(
    'readAll',
    () => `${fmt(read)} events`,
    async () => {
      for (;;) {
        const page = await ledger.readAll({ after, limit: 5000 });
        read += page.events.length;
        after = page.next;
        if (page.isEnd) break;
      }
    },
  );
  const readSecs = (now() - t0) / 1000;
  results.readAll = {
    events: read,
    elapsed: readSecs,
    eventsPerSec: read / readSecs,
    target: '>= 100,000 events/s',
  };
  console.log(`    ${fmt(read / readSecs)} events/s  (${fmt(read)} events in ${fmt(readSecs, 2)} s)`);

  console.log('\n[4] readStream of one 100-event stream, 2,000 reads, 4 concurrent readers');
  await ledger.append('booking-read100', makeEvents(100), 'no_stream');
  const readLat = new LatencyRecorder();
  const r0 = now();
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let i = 0; i < 500; i++) {
        const t = now();
        const events = await ledger.readStream('booking-read100');
        if (events.length !== 100) throw new Error(`expected 100 events, read ${events.length}`);
        readLat.record(now() - t);
      }
    }),
  );
  const rs = readLat.summary();
  const rsSecs = (now() - r0) / 1000;
  results.readStream100 = { reads: 2000, readsPerSec: 2000 / rsSecs, eventsPerSec: 200_000 / rsSecs, ...rs };
  console.log(
    `    ${fmt(2000 / rsSecs)} reads/s (${fmt(200_000 / rsSecs)} events/s)  p50 ${fmt(rs.p50, 2)} ms  p95 ${fmt(rs.p95, 2)} ms  p99 ${fmt(rs.p99, 2)} ms`,
  );
  await ledger.close();
}

async function rawInsertBaseline(url: string) {
  console.log(`\n[5] baseline: raw single-row INSERT with a version check, ${WRITERS} writers, ${SECONDS}s`);
  const pool = new pg.Pool({ connectionString: url, max: WRITERS + 2 });
  await pool.query(`CREATE TABLE raw_events (stream text NOT NULL, version bigint NOT NULL, data jsonb NOT NULL,
    PRIMARY KEY (stream, version))`);
  const data = JSON.stringify(payload);
  const r = await closedLoop('raw', WRITERS, SECONDS, 1, async (w, i) => {
    await pool.query({
      name: 'raw_insert',
      text: `INSERT INTO raw_events (stream, version, data) SELECT $1, $2::bigint, $3::jsonb
              WHERE coalesce((SELECT max(version) FROM raw_events WHERE stream = $1), 0) = $2::bigint - 1`,
      values: [`s${w}`, i + 1, data],
    });
  });
  results.rawInsert = { ...r };
  console.log(`    ${fmt(r.eventsPerSec)} events/s  p50 ${fmt(r.p50, 2)} ms  p99 ${fmt(r.p99, 2)} ms`);
  await pool.end();
}

async function emmettWorkload(url: string) {
  console.log(
    `\n[6] comparison: Emmett PostgreSQL event store, single-event appends, ${WRITERS} writers, ${SECONDS}s`,
  );
  const { getPostgreSQLEventStore } = await import('@event-driven-io/emmett-postgresql');
  const store = getPostgreSQLEventStore(url);
  // Emmett creates its schema on first use; do that outside the measurement.
  await store.appendToStream('warmup-1', [{ type: 'SlotHeld', data: payload }]);
  const r = await closedLoop('emmett', WRITERS, SECONDS, 1, async (w, i) => {
    await store.appendToStream(`booking-e${w}`, [{ type: 'SlotHeld', data: payload }], {
      expectedStreamVersion: i === 0 ? 'STREAM_DOES_NOT_EXIST' : BigInt(i),
    });
  });
  results.emmettSingle = { ...r };
  console.log(
    `    ${fmt(r.eventsPerSec)} events/s  p50 ${fmt(r.p50, 2)} ms  p95 ${fmt(r.p95, 2)} ms  p99 ${fmt(r.p99, 2)} ms`,
  );
  await store.close();
}

const ledgerUrl = await freshDatabase('pti_bench');
await ledgerWorkloads(ledgerUrl);
await rawInsertBaseline(await freshDatabase('pti_bench_raw'));
if (!args['skip-emmett']) await emmettWorkload(await freshDatabase('pti_bench_emmett'));

const single = Number(results.appendSingle?.eventsPerSec);
const emmett = Number(results.emmettSingle?.eventsPerSec);
console.log('\n== summary ==');
console.log(`single-event appends   ${fmt(single)} events/s (target >= 6,400)`);
console.log(
  `100-event appends      ${fmt(Number(results.append100?.eventsPerSec))} events/s (target >= 40,000)`,
);
console.log(
  `readAll                ${fmt(Number(results.readAll?.eventsPerSec))} events/s (target >= 100,000)`,
);
console.log(`readStream (100 ev.)   p50 ${fmt(Number(results.readStream100?.p50), 2)} ms`);
console.log(`raw INSERT baseline    ${fmt(Number(results.rawInsert?.eventsPerSec))} events/s`);
if (Number.isFinite(emmett))
  console.log(`Emmett single appends  ${fmt(emmett)} events/s → ours ×${fmt(single / emmett, 2)}`);
console.log(`\nJSON ${JSON.stringify(results)}`);
for (const name of ['pti_bench', 'pti_bench_raw', 'pti_bench_emmett']) {
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
