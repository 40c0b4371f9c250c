/**
 * Placing bookings through HTTP on the PostgreSQL ledger (issue 4, "Benchmark").
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench -w @pti/write-side
 *   options: --centres 2000 --days 30 --seconds 20 --warmup 5 --connections 32 --pool 10 --idempotency
 *            --profile server.cpuprofile (a CPU profile of the server thread during the measured run)
 *            --no-batching (the ledger sends every append and stream read alone: no group commit)
 *            --append-concurrency N (statements of each kind, appends and stream reads, running at
 *            once before the rest are batched; default the ledger's)
 *
 * 1. a fresh database `pti_ws_bench` (dropped at the end);
 * 2. `--centres` centres created through the command handlers (register, hours, prices, inspectors
 *    with their schedules: ~10 commands each);
 * 3. the command server started in a worker thread of this process (the embedded server's
 *    composition: auth plugin, OpenAPI, strict validation, the public placement route);
 * 4. autocannon, in the main thread, POSTs `/api/v1/bookings` for `--seconds`: a random centre, one
 *    of the next `--days` open days, a start on the grid inside opening hours, a vehicle profile.
 *    A 409 SLOT_TAKEN (or another capacity refusal) is a correct answer to a taken slot and is
 *    counted apart, not as an error. `--idempotency` sends an Idempotency-Key with every request.
 *
 * Prints bookings/s (2xx), latency p50/p95/p99, the answers by status and code, the CPU shares of
 * this process and of the rest of the machine (PostgreSQL), CPU per request of the server thread and
 * of the PostgreSQL backends (comparable on a shared machine, unlike throughput), and the ledger's
 * statements per request by kind with the items each carried (round trips and batching). Nothing is
 * asserted.
 */
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { createPgPool, createPostgresLedger, poolTransactionRunner, runMigrations } from '@pti/platform';
import autocannon from 'autocannon';
import { setUpCentre } from '../src/centre/centre-setup.js';
import { generateWriteSideSecrets } from '../src/config/write-side-secrets.js';
import { idempotencyMigration } from '../src/http/idempotency-store.js';
import { createWriteSideContext } from '../src/write-side-context.js';
import { fmt, latencyRecorder, machineCpu, now, ticksOf, withProgress } from './bench-kit.js';
import { BENCH_TENANT, benchCentre, openDays, placementBodies } from './bench-network.js';

const { values: args } = parseArgs({
  options: {
    centres: { type: 'string', default: '2000' },
    days: { type: 'string', default: '30' },
    seconds: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '5' },
    connections: { type: 'string', default: '32' },
    pool: { type: 'string', default: '10' },
    idempotency: { type: 'boolean', default: false },
    profile: { type: 'string' },
    'no-batching': { type: 'boolean', default: false },
    'append-concurrency': { type: 'string' },
  },
});
const CENTRES = Number(args.centres);
const DAYS = Number(args.days);
const SECONDS = Number(args.seconds);
const WARMUP = Number(args.warmup);
const CONNECTIONS = Number(args.connections);
const POOL = Number(args.pool);
const SCHEMA = 'bench';
const DATABASE = 'pti_ws_bench';

const baseUrl = process.env.DATABASE_URL;
if (!baseUrl) {
  console.error(
    'DATABASE_URL is required: this benchmark measures the command API on the PostgreSQL ledger.',
  );
  process.exit(2);
}

function loadAverage(): string | null {
  const averages = loadavg();
  return averages.every((value) => value === 0) ? null : averages.map((value) => value.toFixed(2)).join(' ');
}

function databaseUrl(name: string): string {
  const url = new URL(baseUrl as string);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * CPU ticks used so far by the PostgreSQL backends serving the benchmark's database (the server's
 * connections), so PostgreSQL's share of a booking is measured apart from any other database work
 * on the machine.
 */
async function backendTicks(): Promise<Map<number, number>> {
  const pool = createPgPool({ url: baseUrl as string, max: 1, applicationName: 'pti-bench-admin' });
  try {
    const { rows } = await pool.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = $1',
      [DATABASE],
    );
    return new Map(rows.map((row) => [row.pid, ticksOf(row.pid)]));
  } finally {
    await pool.end();
  }
}

async function admin(sql: string): Promise<void> {
  const pool = createPgPool({ url: baseUrl as string, max: 1, applicationName: 'pti-bench-admin' });
  try {
    await pool.query(sql);
  } finally {
    await pool.end();
  }
}

await admin(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
await admin(`CREATE DATABASE ${DATABASE}`);
const url = databaseUrl(DATABASE);

try {
  // --- the network, through the command handlers ------------------------------------------------
  const ledger = createPostgresLedger({ connectionString: url, schema: SCHEMA, poolMax: 20, listen: false });
  await ledger.migrate();
  const setupPool = createPgPool({ url, max: 2 });
  await runMigrations(poolTransactionRunner(setupPool), SCHEMA, 'idempotency', idempotencyMigration(SCHEMA));
  await setupPool.end();
  const ctx = createWriteSideContext({ ledger, secrets: generateWriteSideSecrets() });
  const meta = {
    origin: {
      tenantId: BENCH_TENANT,
      actor: { id: 'bench', role: 'system' as const },
      correlationId: 'bench',
    },
  };
  console.log(`\n[1] ${fmt(CENTRES)} centres through the command handlers`);
  let created = 0;
  const setupStarted = now();
  await withProgress(
    'centres',
    () => `${fmt(created)}/${fmt(CENTRES)}`,
    () =>
      Promise.all(
        Array.from({ length: 16 }, async (_, lane) => {
          for (let index = lane; index < CENTRES; index += 16) {
            await setUpCentre(ctx, benchCentre(index), meta);
            created += 1;
          }
        }),
      ),
  );
  const setupSeconds = (now() - setupStarted) / 1000;
  console.log(
    `    ${fmt(created)} centres in ${fmt(setupSeconds, 1)} s (${fmt((created * 10) / setupSeconds)} commands/s)`,
  );
  await ledger.close();

  // --- the server, in a worker thread -----------------------------------------------------------
  const worker = new Worker(new URL('./worker-bootstrap.mjs', import.meta.url), {
    workerData: {
      entry: new URL('./bench-server.ts', import.meta.url).href,
      server: {
        url,
        schema: SCHEMA,
        poolMax: POOL,
        profile: args.profile,
        batching: !args['no-batching'],
        appendConcurrency:
          args['append-concurrency'] === undefined ? undefined : Number(args['append-concurrency']),
      },
    },
    execArgv: ['--conditions=pti-source'],
  });
  const messages: { type: string; [key: string]: unknown }[] = [];
  const waiters: ((message: { type: string; [key: string]: unknown }) => void)[] = [];
  worker.on('message', (message: { type: string }) => {
    const waiter = waiters.shift();
    if (waiter) waiter(message);
    else messages.push(message);
  });
  worker.on('error', (error) => {
    console.error('server worker failed', error);
    process.exit(1);
  });
  const next = () =>
    new Promise<{ type: string; [key: string]: unknown }>((resolve) => {
      const queued = messages.shift();
      if (queued) resolve(queued);
      else waiters.push(resolve);
    });
  const listening = await next();
  const address = String(listening.address);
  console.log(
    `\n[2] server listening on ${address} (worker thread, ledger pool ${POOL}), ${listening.centres} centres known`,
  );

  // --- the load ---------------------------------------------------------------------------------
  const days = openDays(new Date(), DAYS);
  const bodies = placementBodies(Math.max(200_000, 8000 * (SECONDS + WARMUP)), CENTRES, days);
  let cursor = 0;

  async function run(label: string, seconds: number) {
    const all = latencyRecorder();
    const ok = latencyRecorder();
    const byStatus = new Map<string, number>();
    let finish: (result: autocannon.Result) => void = () => {};
    let fail: (error: unknown) => void = () => {};
    const done = new Promise<autocannon.Result>((resolve, reject) => {
      finish = resolve;
      fail = reject;
    });
    const options: autocannon.Options = {
      url: address,
      connections: CONNECTIONS,
      duration: seconds,
      timeout: 10,
      requests: [
        {
          method: 'POST',
          path: '/api/v1/bookings',
          headers: { 'content-type': 'application/json' },
          setupRequest: (request) => {
            const body = bodies[cursor++ % bodies.length] ?? '';
            return args.idempotency
              ? { ...request, body, headers: { ...request.headers, 'idempotency-key': randomUUID() } }
              : { ...request, body };
          },
          onResponse: (status, body) => {
            let key = String(status);
            if (status >= 400) {
              try {
                key = `${status} ${(JSON.parse(body) as { code?: string }).code ?? '?'}`;
              } catch {
                key = `${status} (not JSON)`;
              }
            }
            byStatus.set(key, (byStatus.get(key) ?? 0) + 1);
          },
        },
      ],
    };
    const instance = autocannon(options, (error, result) => (error ? fail(error) : finish(result)));
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      all.record(responseTime);
      if (statusCode >= 200 && statusCode < 300) ok.record(responseTime);
    });
    const backendsBefore = await backendTicks();
    const cpuBefore = machineCpu();
    const processBefore = process.cpuUsage();
    const started = now();
    const result = await withProgress(
      label,
      () => `${fmt(ok.size)} booked, ${fmt(all.size)} answered`,
      () => done,
    );
    const elapsed = (now() - started) / 1000;
    const processCpu = process.cpuUsage(processBefore);
    const cpuAfter = machineCpu();
    let postgres = 0;
    for (const [pid, ticks] of await backendTicks()) postgres += ticks - (backendsBefore.get(pid) ?? 0);
    return { all, ok, byStatus, elapsed, result, processCpu, postgres, cpuBefore, cpuAfter };
  }

  if (WARMUP > 0) {
    console.log(`\n[3] warm-up ${WARMUP} s`);
    await run('warm-up', WARMUP);
  }
  console.log(
    `\n[4] placements for ${SECONDS} s, ${CONNECTIONS} connections${args.idempotency ? ', with Idempotency-Key' : ''}`,
  );
  worker.postMessage('measure');
  const measured = await run('placing', SECONDS);
  worker.postMessage('stop');
  const stopped = await next();

  const bookings = measured.ok.size;
  const refusedForCapacity = [...measured.byStatus.entries()]
    .filter(([key]) => key.startsWith('409 '))
    .reduce((sum, [, count]) => sum + count, 0);
  const errors =
    measured.all.size - bookings - refusedForCapacity + measured.result.errors + measured.result.timeouts;
  const all = measured.all.summary();
  const ok = measured.ok.summary();
  const ticks = (measured.cpuAfter?.total ?? 0) - (measured.cpuBefore?.total ?? 0);
  const busy = (measured.cpuAfter?.busy ?? 0) - (measured.cpuBefore?.busy ?? 0);
  // /proc/stat counts in USER_HZ (100/s on Linux): convert the process's µs to the same unit.
  const ownTicks = (measured.processCpu.user + measured.processCpu.system) / 10_000;
  const cores = ticks > 0 ? ticks / 100 / measured.elapsed : Number.NaN;

  console.log('\n== results ==');
  console.log(
    `bookings/s (2xx)      ${fmt(bookings / measured.elapsed)}  (${fmt(bookings)} in ${fmt(measured.elapsed, 1)} s)`,
  );
  console.log(`requests/s (all)      ${fmt(measured.all.size / measured.elapsed)}`);
  console.log(
    `latency, all answers  p50 ${fmt(all.p50, 1)} ms  p95 ${fmt(all.p95, 1)} ms  p99 ${fmt(all.p99, 1)} ms  max ${fmt(all.max, 1)} ms`,
  );
  console.log(
    `latency, 2xx only     p50 ${fmt(ok.p50, 1)} ms  p95 ${fmt(ok.p95, 1)} ms  p99 ${fmt(ok.p99, 1)} ms`,
  );
  console.log(`refused for capacity  ${fmt(refusedForCapacity)} (409: the slot was taken; not errors)`);
  console.log(
    `errors                ${fmt(errors)} (other 4xx/5xx ${fmt(measured.all.size - bookings - refusedForCapacity)}, socket errors ${measured.result.errors}, timeouts ${measured.result.timeouts})`,
  );
  console.log(
    'answers               ' +
      [...measured.byStatus.entries()]
        .sort()
        .map(([k, v]) => `${k}: ${fmt(v)}`)
        .join(', '),
  );
  if (ticks > 0) {
    // CPU per booking, node (server + load generator) and PostgreSQL (this database's backends).
    const nodeMs = (10 * ownTicks) / Math.max(1, measured.all.size);
    const postgresMs = (10 * measured.postgres) / Math.max(1, measured.all.size);
    const serverMs = (10 * Number(stopped.serverTicks ?? 0)) / Math.max(1, measured.all.size);
    console.log(
      `CPU per request       node ${fmt(nodeMs, 2)} ms (server thread ${fmt(serverMs, 2)} ms + autocannon), PostgreSQL ${fmt(postgresMs, 2)} ms → ${fmt(cores, 0)} dedicated cores would serve ≈ ${fmt((cores * 1000) / (nodeMs + postgresMs))} requests/s (≈ ${fmt((cores * 1000) / (serverMs + postgresMs))} with the load generator elsewhere)`,
    );
    console.log(
      `CPU (share of ${fmt(cores, 1)} cores)  busy ${fmt((100 * busy) / ticks)} %: this process (server + load) ${fmt((100 * ownTicks) / ticks)} %, PostgreSQL serving it ${fmt((100 * measured.postgres) / ticks)} %, everything else on the machine ${fmt((100 * (busy - ownTicks - measured.postgres)) / ticks)} %`,
    );
  }
  console.log(`server event loop     ${fmt(100 * Number(stopped.eventLoopUtilisation), 0)} % busy`);
  const ledgerQueriesPerRequest = Number(stopped.ledgerQueries) / Math.max(1, measured.all.size);
  console.log(
    `ledger queries        ${fmt(ledgerQueriesPerRequest, 2)} per request (round trips to PostgreSQL)`,
  );
  const byStatement = Object.entries(
    (stopped.statements ?? {}) as Record<string, { count: number; items: number }>,
  ).sort(([, a], [, b]) => b.count - a.count);
  for (const [name, { count, items }] of byStatement) {
    console.log(
      `  ${name.padEnd(28)} ${fmt(count / Math.max(1, measured.all.size), 3)} per request, ${fmt(items / Math.max(1, count), 1)} items each`,
    );
  }
  console.log(`load average          ${loadAverage() ?? 'n/a'} (1, 5, 15 min; the machine may be shared)`);
  const target = bookings / measured.elapsed >= 2000 && all.p95 < 100;
  console.log(`target (>= 2,000 bookings/s, p95 < 100 ms): ${target ? 'met' : 'not met'}`);
  console.log(
    `\nJSON ${JSON.stringify({
      cpu:
        ticks > 0 ? { busy: busy / ticks, own: ownTicks / ticks, postgres: measured.postgres / ticks } : null,
      bookingsPerSecond: bookings / measured.elapsed,
      ledgerQueriesPerRequest,
      serverCpuMsPerRequest: (10 * Number(stopped.serverTicks ?? 0)) / Math.max(1, measured.all.size),
      postgresCpuMsPerRequest: (10 * measured.postgres) / Math.max(1, measured.all.size),
      p50: all.p50,
      p95: all.p95,
      p99: all.p99,
      refusedForCapacity,
      errors,
      answers: Object.fromEntries(measured.byStatus),
      connections: CONNECTIONS,
      pool: POOL,
      idempotency: args.idempotency,
      batching: !args['no-batching'],
      appendConcurrency: args['append-concurrency'] ?? null,
      load: loadAverage(),
    })}`,
  );
  await worker.terminate();
} finally {
  await admin(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
}
