/**
 * Availability and centre-search benchmark (issue 6: availability ≥ 20,000 req/s with p99 < 10 ms;
 * centre search by position p95 < 20 ms with 2,000 centres), against the read API as `pti start`
 * composes it (projections building the read models, availability in Redis when REDIS_URL is set),
 * rate limits off.
 *
 * How to run it:
 *
 *   npm run bench:availability -w @pti/ops -- --duration 10
 *   npx tsx --conditions=pti-source ops/bench/availability-bench.ts [--duration 10] [--connections 64]
 *       [--days 7] [--centres 2000] [--search-duration 10] [--profile /tmp/availability.cpuprofile]
 *
 * With DATABASE_URL and REDIS_URL set (else embedded PGlite in memory and the in-memory cache) in
 * its own schemas and key prefix, dropped at the end. `--centres N` sets N more centres up through
 * the write side (real French towns, `pti seed`'s planner, no bookings) and measures the search by
 * position; `--centres 0` skips it. `--profile FILE` writes a V8 CPU profile of the server during
 * the measured availability run (open it in Chrome DevTools) and prints its heaviest functions.
 * Users with k6 can drive a running `pti start` with the k6 script in ops instead.
 *
 * The load generator (autocannon) runs in a child process, so this process's CPU time is the
 * server's: besides requests/s and latency it prints CPU µs per request (server process, and the
 * PostgreSQL backends it uses) and the load average. On a shared machine req/s and latency are a
 * floor; CPU per request is the figure to compare between runs.
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cpuAccount, DEMO_CENTRE_ID, loadConfig } from '@pti/platform';
import { projectionLayout } from '@pti/projections';
import autocannon from 'autocannon';
import pg from 'pg';
import { planNetwork } from '../src/seed/network-plan.js';
import { atSetUpTime, setUpCentres } from '../src/seed/seed-network.js';
import { buildPlatformServer } from '../src/start/embedded-server.js';
import { openPlatformRuntime } from '../src/start/platform-runtime.js';

/** What the parent hands the load-generating child (through the environment). */
interface LoadJob {
  readonly url: string;
  readonly connections: number;
  readonly duration: number;
  readonly paths: readonly string[];
  /** Each request picks one of `paths` at random (default: every connection cycles through them). */
  readonly random?: boolean;
}

interface LoadResult {
  readonly requestsPerSecond: number;
  readonly total: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly latency: { p50: number; p90: number; p95: number; p99: number; p99_9: number; max: number };
}

const LOAD_CHILD = 'PTI_AVAILABILITY_BENCH_LOAD';

/** The child: runs autocannon on the job and sends the figures back. */
async function loadChild(job: LoadJob): Promise<void> {
  const result = await autocannon({
    url: job.url,
    connections: job.connections,
    duration: job.duration,
    // At random, each request picks its URL (costs the load generator a request rebuild each):
    // connections walking a long list in step would ask the same answer at the same moment.
    requests:
      job.random === true
        ? [
            {
              method: 'GET',
              setupRequest: (request) => ({
                ...request,
                path: job.paths[Math.floor(Math.random() * job.paths.length)] ?? job.paths[0],
              }),
            },
          ]
        : job.paths.map((path) => ({ method: 'GET', path })),
  });
  const { latency } = result;
  // autocannon's histogram has no p95: the p97.5 is the next one up (a conservative reading).
  const out: LoadResult = {
    requestsPerSecond: result.requests.average,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    latency: {
      p50: latency.p50,
      p90: latency.p90,
      p95: latency.p97_5,
      p99: latency.p99,
      p99_9: latency.p99_9,
      max: latency.max,
    },
  };
  process.send?.(out);
}

/** Runs a load job in a child process so this process's CPU time is the server's alone. */
function runLoad(job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [], {
      // The job goes over IPC: thousands of URLs do not fit in the environment (E2BIG).
      env: { ...process.env, [LOAD_CHILD]: '1' },
      execArgv: process.execArgv.filter((arg) => !arg.startsWith('--cpu-prof')),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let result: LoadResult | undefined;
    child.on('message', (message) => {
      result = message as LoadResult;
    });
    child.on('error', reject);
    child.send(job);
    child.on('exit', (code) =>
      result === undefined ? reject(new Error(`load generator exited with ${code}`)) : resolve(result),
    );
  });
}

if (process.env[LOAD_CHILD] !== undefined) {
  const job = await new Promise<LoadJob>((resolve) =>
    process.once('message', (message) => resolve(message as LoadJob)),
  );
  await loadChild(job);
  process.exit(0);
}

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '64' },
    days: { type: 'string', default: '7' },
    warmup: { type: 'string', default: '2' },
    centres: { type: 'string', default: '2000' },
    'search-duration': { type: 'string', default: '10' },
    'search-connections': { type: 'string', default: '8' },
    profile: { type: 'string' },
    'availability-cache-ms': { type: 'string' },
    'rate-limit': { type: 'string', default: 'on' },
  },
});
const duration = Number(values.duration);
const connections = Number(values.connections);
const days = Number(values.days);
const extraCentres = Number(values.centres);
const searchDuration = Number(values['search-duration']);
const searchConnections = Number(values['search-connections']);

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

type Server = Awaited<ReturnType<typeof buildPlatformServer>>;
type Runtime = Awaited<ReturnType<typeof openPlatformRuntime>>;

/**
 * One measured load run: requests/s, latency, and the CPU this process (the server) and its
 * PostgreSQL backends spent per request, with the load average over the run.
 */
async function measured(
  runtime: Runtime,
  label: string,
  job: LoadJob,
  options: { readonly profile?: string } = {},
): Promise<LoadResult> {
  const session = options.profile === undefined ? undefined : new Session();
  if (session !== undefined) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
  }
  const cpu = cpuAccount();
  await cpu.sample(runtime.sql);
  const sampler = setInterval(() => void cpu.sample(runtime.sql).catch(() => undefined), 1_000);
  const result = await runLoad(job);
  clearInterval(sampler);
  await cpu.sample(runtime.sql);
  const load = loadavg()[0] ?? 0;
  const { node, postgres } = cpu.seconds();
  if (session !== undefined && options.profile !== undefined) {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    writeFileSync(options.profile, JSON.stringify(profile));
    printProfile(profile, options.profile);
  }
  const { latency } = result;
  const perRequest = (seconds: number) => ((seconds * 1e6) / Math.max(1, result.total)).toFixed(0);
  console.log(
    `${label}: ${result.requestsPerSecond.toFixed(0)} req/s, latency ms p50 ${latency.p50}, ` +
      `p90 ${latency.p90}, p97.5 ${latency.p95}, p99 ${latency.p99}, p99.9 ${latency.p99_9}, max ${latency.max}`,
  );
  console.log(
    `${label}: ${result.total} requests, non-2xx ${result.non2xx}, errors ${result.errors}, ` +
      `timeouts ${result.timeouts}; CPU per request: server ${perRequest(node)} µs, ` +
      `PostgreSQL ${perRequest(postgres)} µs; load average ${load.toFixed(2)} (2 cores)`,
  );
  return result;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
  readonly children?: number[];
}

/** The heaviest functions of a CPU profile by self time (samples). */
function printProfile(profile: { nodes: ProfileNode[]; samples?: number[] }, file: string): void {
  const counts = new Map<number, number>();
  for (const id of profile.samples ?? []) counts.set(id, (counts.get(id) ?? 0) + 1);
  const total = profile.samples?.length ?? 0;
  const byFunction = new Map<string, number>();
  for (const node of profile.nodes) {
    const { functionName, url: source, lineNumber } = node.callFrame;
    const where = source.replace(/^.*\/(node_modules\/)?/, '');
    const key = `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + (counts.get(node.id) ?? 0));
  }
  const top = [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 25);
  console.log(`CPU profile written to ${file}; heaviest functions by self time:`);
  for (const [key, n] of top)
    console.log(`  ${((100 * n) / Math.max(1, total)).toFixed(1).padStart(5)} %  ${key}`);
}

async function benchAvailability(server: Server, runtime: Runtime, address: string, started: number) {
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
  const job = (seconds: number): LoadJob => ({ url: address, connections, duration: seconds, paths });
  if (Number(values.warmup) > 0) await runLoad(job(Number(values.warmup)));
  const result = await measured(runtime, 'availability', job(duration), { profile: values.profile });
  const ok = result.requestsPerSecond >= 20_000 && result.latency.p99 < 10;
  console.log(`availability target ≥ 20,000 req/s with p99 < 10 ms: ${ok ? 'met' : 'not met'}`);
}

/** Sets `extraCentres` centres up through the write side, waits for the centres read model, measures the search. */
async function benchSearch(server: Server, runtime: Runtime, address: string) {
  const writeSide = server.writeSide?.writeSide;
  if (writeSide === undefined) throw new Error('no write side in this process');
  const plan = planNetwork({ seed: 7, centres: extraCentres, tenants: 4, namespace: `bench-${suffix}` });
  const setUpAt = performance.now();
  let shown = 0;
  await setUpCentres(atSetUpTime(writeSide, new Date().toISOString().slice(0, 10)), plan.centres, {
    lanes: 8,
    seed: 7,
    onDone: (done) => {
      if (done - shown >= 500 || done === plan.centres.length) {
        shown = done;
        console.log(`  ${done}/${plan.centres.length} centres set up`);
      }
    },
  });
  console.log(
    `${plan.centres.length} centres set up in ${((performance.now() - setUpAt) / 1000).toFixed(1)} s`,
  );
  // The centres read model has them all when the last one is found.
  const last = plan.centres.at(-1);
  if (last === undefined) return;
  for (;;) {
    const card = await server.app.inject({ method: 'GET', url: `/api/v1/centres/${last.setup.centreId}` });
    if (card.statusCode === 200) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  // Let the projectors settle (availability computes the new centres' windows) before measuring.
  const settleAt = performance.now();
  await server.projections?.waitForCatchUp(undefined, 900_000);
  // Caught up is not idle: the availability projector settles what the catch-up deferred. Wait
  // until this process spends under 10 % of a core for two seconds (at most five minutes).
  while (performance.now() - settleAt < 300_000) {
    const before = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const used = process.cpuUsage(before);
    if (used.user + used.system < 200_000) break;
  }
  console.log(`read models settled in ${((performance.now() - settleAt) / 1000).toFixed(1)} s`);
  const paths = plan.centres
    .slice(0, 200)
    .map(
      (centre) =>
        `/api/v1/centres?lat=${centre.town.lat}&lon=${centre.town.lon}&radiusKm=30` +
        '&category=VP&fuel=Essence&controlType=CTP',
    );
  const probe = (await (await fetch(`${address}${paths[0]}`)).json()) as { items: unknown[] };
  console.log(
    `search by position: ${paths.length} distinct points, sample answer ${probe.items.length} centres`,
  );
  const result = await measured(
    runtime,
    'search by position',
    { url: address, connections: searchConnections, duration: searchDuration, paths },
    { profile: values.profile === undefined ? undefined : `${values.profile}.search.cpuprofile` },
  );
  console.log(
    `search target p95 < 20 ms with ${extraCentres} centres: ${result.latency.p95 < 20 ? 'met' : 'not met'} (p97.5 read as p95)`,
  );
  if (duration > 0) {
    // The availability route again, spread over every centre set up (three ranges each): far more
    // distinct answers than the demo network's, so the in-process answer cache misses too.
    const today = new Date().toISOString().slice(0, 10);
    const spread = plan.centres.flatMap((centre) =>
      [1, 3, 8].map(
        (offset) =>
          `/api/v1/centres/${centre.setup.centreId}/availability?from=${addDays(today, offset)}` +
          `&to=${addDays(today, offset + days - 1)}&category=VP&fuel=Essence&controlType=CTP`,
      ),
    );
    console.log(`availability over ${plan.centres.length} centres: ${spread.length} distinct URLs`);
    await measured(runtime, `availability over ${plan.centres.length} centres`, {
      url: address,
      connections,
      duration,
      paths: spread,
      random: true,
    });
  }
}

async function main(): Promise<void> {
  console.log(
    `availability bench: database ${config.database.kind}, cache ${config.cache.kind}, ` +
      `${connections} connections, ${duration} s, ${days}-day ranges, rate limits ${values['rate-limit']}, ` +
      `availability cache ${values['availability-cache-ms'] ?? 'default'} ms; load average ${loadavg()[0]?.toFixed(2)}`,
  );
  const runtime = await openPlatformRuntime(config, { migrate: true });
  const server = await buildPlatformServer(runtime, {
    role: 'all',
    seedDemo: true,
    layout,
    // Rate limits on, with allowances no run reaches: the limiter's per-request work is measured.
    rateLimit:
      values['rate-limit'] === 'off'
        ? false
        : { publicMax: 1_000_000_000, staffMax: 1_000_000_000, lookupMax: 1_000_000_000 },
    availabilityCacheMs:
      values['availability-cache-ms'] === undefined ? undefined : Number(values['availability-cache-ms']),
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
    if (duration > 0) await benchAvailability(server, runtime, address, started);
    if (extraCentres > 0) await benchSearch(server, runtime, address);
  } finally {
    await server.app.close();
    await runtime.close();
    await dropSchemas();
  }
}

await main();
