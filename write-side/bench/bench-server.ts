/**
 * The system under test, run in a worker thread of the benchmark's process so the load generator
 * (autocannon, main thread) does not share its event loop: the embedded server's composition (auth
 * plugin, OpenAPI, command routes) over the PostgreSQL ledger. Posts `{ port }` once listening;
 * on `'stop'` posts its event-loop utilisation and closes.
 */
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
}

const options = workerData.server as ServerOptions;
const ledger = createPostgresLedger({
  connectionString: options.url,
  schema: options.schema,
  poolMax: options.poolMax,
  listen: false,
  ...(options.batching ? {} : { appendConcurrency: false as const }),
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
let profiler: Session | undefined;
// Every ledger query checks a connection out of the pool: round trips to PostgreSQL, counted.
let ledgerQueries = 0;
ledger.pool.on('acquire', () => {
  ledgerQueries++;
});
parentPort?.postMessage({ type: 'listening', address, centres: ctx.centres.size });
parentPort?.on('message', async (message: string) => {
  if (message === 'measure') {
    loop = performance.eventLoopUtilization();
    ledgerQueries = 0;
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
  if (profiler !== undefined && options.profile !== undefined) {
    const { profile } = await profiler.post('Profiler.stop');
    await writeFile(options.profile, JSON.stringify(profile));
    profiler.disconnect();
  }
  await app.close();
  await ledger.close();
  await sqlPool.end();
  parentPort?.postMessage({ type: 'stopped', eventLoopUtilisation: utilisation, ledgerQueries });
});
