/**
 * The system under test, run in a worker thread of the benchmark's process so the load generator
 * (autocannon, main thread) does not share its event loop: the embedded server's composition (auth
 * plugin, OpenAPI, command routes) over the PostgreSQL ledger. Posts `{ port }` once listening;
 * on `'stop'` posts its event-loop utilisation and closes.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import {
  createEmbeddedIssuer,
  createPgPool,
  createPostgresLedger,
  fastifyAuth,
  pgExecutor,
} from '@pti/platform';
import Fastify from 'fastify';
import { generateWriteSideSecrets } from '../src/config/write-side-secrets.js';
import { createSqlIdempotencyStore } from '../src/http/idempotency-store.js';
import { registerOpenApi } from '../src/http/openapi.js';
import { WRITE_SIDE_ROUTER_OPTIONS, writeSideRoutes } from '../src/http/write-side-routes.js';
import { createWriteSideContext } from '../src/write-side-context.js';

interface ServerOptions {
  readonly url: string;
  readonly schema: string;
  readonly poolMax: number;
  /** Write a CPU profile of the measured run (this thread only) to this file. */
  readonly profile?: string;
  /** Group commit of the PostgreSQL ledger (default on; false: every append and read alone). */
  readonly batching: boolean;
  /** Statements of each kind (appends, stream reads) running at once before the rest batch. */
  readonly appendConcurrency?: number;
}

const options = workerData.server as ServerOptions;
const ledger = createPostgresLedger({
  connectionString: options.url,
  schema: options.schema,
  poolMax: options.poolMax,
  listen: false,
  ...(options.batching
    ? options.appendConcurrency === undefined
      ? {}
      : { appendConcurrency: options.appendConcurrency }
    : { appendConcurrency: false as const }),
});
const sqlPool = createPgPool({ url: options.url, max: 8, applicationName: 'pti-bench-idempotency' });
const ctx = createWriteSideContext({ ledger, secrets: generateWriteSideSecrets(), cacheEntries: 250_000 });
await ctx.centres.load();
const issuer = await createEmbeddedIssuer({ config: { env: 'development', auth: { oidcIssuer: null } } });
const app = Fastify({ logger: false, routerOptions: { ...WRITE_SIDE_ROUTER_OPTIONS } });
await app.register(fastifyAuth, { verifier: issuer.verifier });
await registerOpenApi(app);
await app.register(writeSideRoutes, {
  writeSide: ctx,
  idempotency: createSqlIdempotencyStore(pgExecutor(sqlPool), options.schema),
});
const address = await app.listen({ port: 0, host: '127.0.0.1' });
let loop = performance.eventLoopUtilization();
/** CPU ticks (USER_HZ) of this thread alone (the load generator runs in the main thread); 0 off Linux. */
function threadTicks(): number {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}
let ticksAtMeasure = 0;
let profiler: Session | undefined;
// Every ledger query checks a connection out of the pool: round trips to PostgreSQL, counted.
let ledgerQueries = 0;
ledger.pool.on('acquire', () => {
  ledgerQueries++;
});
// Statements by prepared name, and the items they carried (batched statements carry a JSON array).
const statements = new Map<string, { count: number; items: number }>();
const poolQuery = ledger.pool.query.bind(ledger.pool) as (...args: unknown[]) => unknown;
(ledger.pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
  const config = args[0] as { name?: string; values?: unknown[] } | string;
  const name = typeof config === 'string' ? config.slice(0, 40) : (config.name ?? 'unnamed');
  const first = typeof config === 'string' ? undefined : config.values?.[0];
  const items = typeof first === 'string' && first.startsWith('[{') ? first.split('{"i":').length - 1 : 1;
  const entry = statements.get(name) ?? { count: 0, items: 0 };
  entry.count++;
  entry.items += items;
  statements.set(name, entry);
  return poolQuery(...args);
};
parentPort?.postMessage({ type: 'listening', address, centres: ctx.centres.size });
parentPort?.on('message', async (message: string) => {
  if (message === 'measure') {
    loop = performance.eventLoopUtilization();
    ticksAtMeasure = threadTicks();
    ledgerQueries = 0;
    statements.clear();
    if (options.profile !== undefined) {
      profiler = new Session();
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.start');
    }
    return;
  }
  if (message !== 'stop') return;
  const utilisation = performance.eventLoopUtilization(loop).utilization;
  const serverTicks = threadTicks() - ticksAtMeasure;
  if (profiler !== undefined && options.profile !== undefined) {
    const { profile } = await profiler.post('Profiler.stop');
    await writeFile(options.profile, JSON.stringify(profile));
    profiler.disconnect();
  }
  await app.close();
  await ledger.close();
  await sqlPool.end();
  parentPort?.postMessage({
    type: 'stopped',
    eventLoopUtilisation: utilisation,
    ledgerQueries,
    serverTicks,
    statements: Object.fromEntries(statements),
  });
});
