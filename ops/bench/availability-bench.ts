/**
 * Availability route benchmark (issue 6: ≥ 20,000 req/s with p99 < 10 ms): the read API as
 * `pti start` composes it (projections building the read models, availability in Redis when
 * REDIS_URL is set), loaded with autocannon on `GET /api/v1/centres/{id}/availability` over the
 * demo network's centres, rate limits off. Prints requests/s and latency percentiles.
 *
 *   npx tsx --conditions=pti-source ops/bench/availability-bench.ts [--duration 10] [--connections 64] [--days 7]
 *   (or `npx pti bench availability -- --duration 10`)
 *
 * Uses DATABASE_URL (else embedded PGlite in memory) in its own schemas, dropped at the end, and
 * REDIS_URL (else the in-memory cache) under its own key prefix. It lives in ops/bench because
 * composing the platform is ops' job (DESIGN.md §3: read-api may not import the projections' queries
 * nor ops). The load generator runs in a worker thread of this process: on a shared machine the
 * figures are a floor.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { DEMO_CENTRE_ID, loadConfig } from '@pti/platform';
import { projectionLayout } from '@pti/projections';
import autocannon from 'autocannon';
import pg from 'pg';
import { buildPlatformServer } from '../src/start/embedded-server.js';
import { openPlatformRuntime } from '../src/start/platform-runtime.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '64' },
    days: { type: 'string', default: '7' },
    warmup: { type: 'string', default: '2' },
    workers: { type: 'string', default: '1' },
  },
});
const duration = Number(values.duration);
const connections = Number(values.connections);
const days = Number(values.days);
const workers = Number(values.workers);

const suffix = randomUUID().replace(/-/g, '').slice(0, 8);
const schema = `bench_av_${suffix}`;
const url = process.env.DATABASE_URL;
const config = loadConfig({
  ...process.env,
  PTI_DATA_DIR: 'memory://',
  LOG_LEVEL: 'warn',
  PTI_DB_SCHEMA: schema,
  HOST: '127.0.0.1',
});
const layout = projectionLayout(`${schema}_`);

function addDays(date: string, n: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

async function dropSchemas(): Promise<void> {
  if (url === undefined) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ nspname: string }>(
      'select nspname from pg_namespace where nspname like $1',
      [`${schema}%`],
    );
    for (const { nspname } of rows) await client.query(`drop schema if exists "${nspname}" cascade`);
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  console.log(
    `availability bench: database ${config.database.kind}, cache ${config.cache.kind}, ` +
      `${connections} connections, ${duration} s, ${days}-day ranges`,
  );
  const runtime = await openPlatformRuntime(config, { migrate: true });
  const server = await buildPlatformServer(runtime, {
    role: 'all',
    seedDemo: true,
    layout,
    rateLimit: false,
  });
  try {
    const address = await server.app.listen({ port: 0, host: '127.0.0.1' });
    const started = Date.now();
    for (;;) {
      const ready = await server.app.inject({ method: 'GET', url: '/ready' });
      if (ready.statusCode === 200) break;
      if (Date.now() - started > 120_000) throw new Error(`not ready within 2 minutes: ${ready.body}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // The demo network's centres (search around the demo centre).
    // On a shared PostgreSQL the ledger's visible head may lag (gap safety): wait for the demo centre.
    let card = await server.app.inject({ method: 'GET', url: `/api/v1/centres/${DEMO_CENTRE_ID}` });
    while (card.statusCode !== 200) {
      if (Date.now() - started > 120_000) throw new Error(`demo centre: ${card.statusCode} ${card.body}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      card = await server.app.inject({ method: 'GET', url: `/api/v1/centres/${DEMO_CENTRE_ID}` });
    }
    const demo = card.json() as { position: { lat: number; lon: number } };
    const around = (
      await server.app.inject({
        method: 'GET',
        url: `/api/v1/centres?lat=${demo.position.lat}&lon=${demo.position.lon}&radiusKm=100&limit=100`,
      })
    ).json() as { items: { centre: { centreId: string } }[] };
    const centreIds = around.items.map((item) => item.centre.centreId);
    if (centreIds.length === 0) centreIds.push(DEMO_CENTRE_ID);
    const today = new Date().toISOString().slice(0, 10);
    const paths = centreIds.flatMap((centreId) =>
      [1, 3, 8].map(
        (offset) =>
          `/api/v1/centres/${centreId}/availability?from=${addDays(today, offset)}&to=${addDays(today, offset + days - 1)}` +
          '&category=VP&fuel=Essence&controlType=CTP',
      ),
    );
    const probe = await fetch(`${address}${paths[0]}`);
    const sample = (await probe.json()) as { days: { starts: string[] }[] };
    console.log(
      `${centreIds.length} centre(s), ${paths.length} distinct URLs; sample answer ${probe.status}, ` +
        `${sample.days.reduce((n, d) => n + d.starts.length, 0)} free starts over ${sample.days.length} days`,
    );

    const run = (seconds: number) =>
      autocannon({
        url: address,
        connections,
        duration: seconds,
        workers: workers > 0 ? workers : undefined,
        requests: paths.map((path) => ({ method: 'GET', path })),
      });
    if (Number(values.warmup) > 0) await run(Number(values.warmup));
    const result = await run(duration);
    const { latency, requests } = result;
    console.log(`requests/s   mean ${requests.average.toFixed(0)}, p50 ${requests.p50}, min ${requests.min}`);
    console.log(
      `latency ms   p50 ${latency.p50}, p90 ${latency.p90}, p97.5 ${latency.p97_5}, p99 ${latency.p99}, ` +
        `p99.9 ${latency.p99_9}, max ${latency.max}`,
    );
    console.log(
      `total ${result.requests.total} requests, non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts}`,
    );
    const ok = requests.average >= 20_000 && latency.p99 < 10;
    console.log(`target ≥ 20,000 req/s with p99 < 10 ms: ${ok ? 'met' : 'not met'}`);
  } finally {
    await server.app.close();
    await runtime.close();
    await dropSchemas();
  }
}

await main();
