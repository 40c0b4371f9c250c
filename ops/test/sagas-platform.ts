import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import {
  type AppConfig,
  createIdentity,
  createPgPool,
  fastifyAuth,
  type Ledger,
  loadConfig,
  openVault,
  vaultSchemaFor,
  withPersonalData,
} from '@pti/platform';
import { type Clock, type ManualClock, manualClock } from '@pti/sagas';
import {
  createSqlIdempotencyStore,
  createWriteSideContext,
  generateWriteSideSecrets,
  registerOpenApi,
  seedDemoNetwork,
  WRITE_SIDE_ROUTER_OPTIONS,
  type WriteSideContext,
  type WriteSideSecrets,
  writeSideRoutes,
} from '@pti/write-side';
import Fastify, { type FastifyInstance } from 'fastify';
import { openPlatformRuntime, type PlatformRuntime } from '../src/start/platform-runtime.js';
import { type MountedSagas, mountSagas } from '../src/start/sagas-composition.js';

/**
 * The platform composed for the sagas' ops tests with the same building blocks as the embedded
 * server (runtime, vault-decorated ledger, write-side context and routes, identity), plus
 * `mountSagas`, on a real port so the Payzen and AdelSoft adapters talk HTTP to the simulators
 * mounted on it. PostgreSQL when a URL is given (own schemas, dropped by `dropSchemas`), PGlite in
 * memory otherwise.
 */
export interface SagasPlatform {
  readonly app: FastifyInstance;
  readonly url: string;
  readonly runtime: PlatformRuntime;
  readonly writeSide: WriteSideContext;
  readonly ledger: Ledger;
  readonly mounted: MountedSagas;
  readonly clock: Clock;
  /** An admin_reseau bearer token of the embedded issuer. */
  adminToken(): Promise<string>;
  close(): Promise<void>;
}

export const PII_MASTER_KEY = Buffer.alloc(32, 7).toString('base64');
/** Monday 15 June 2026, 10:00 in Paris; the demo centre is open on Tuesday morning. */
export const PLATFORM_START = '2026-06-15T08:00:00.000Z';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function platformConfig(options: { databaseUrl?: string; schema: string; port: number }): AppConfig {
  return loadConfig({
    PTI_DATA_DIR: 'memory://',
    LOG_LEVEL: 'silent',
    PORT: String(options.port),
    HOST: '127.0.0.1',
    PII_MASTER_KEY,
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl, PTI_DB_SCHEMA: options.schema } : {}),
  });
}

export async function openSagasPlatform(options: {
  readonly databaseUrl?: string;
  readonly schema: string;
  readonly clock?: ManualClock | Clock;
  readonly secrets?: WriteSideSecrets;
  readonly port?: number;
  /** Create the demo network (default true). */
  readonly seed?: boolean;
  readonly pollIntervalMs?: number;
  /** The sagas' provider variables (`loadSagasConfig`); default none: the simulators on this server. */
  readonly sagasEnv?: Readonly<Record<string, string>>;
}): Promise<SagasPlatform> {
  const port = options.port ?? (await freePort());
  const config = platformConfig({ ...options, port });
  const runtime = await openPlatformRuntime(config, { migrate: true });
  const clock = options.clock ?? manualClock(PLATFORM_START);
  const app = Fastify({ logger: false, routerOptions: { ...WRITE_SIDE_ROUTER_OPTIONS } });
  const identity = await createIdentity(config);
  await app.register(fastifyAuth, { verifier: identity.verifier });
  await registerOpenApi(app);
  const vault = await openVault({
    database: { sql: runtime.sql },
    schema: vaultSchemaFor(runtime.schema),
    masterKey: config.pii.masterKey,
    dataDir: config.dataDir,
    allowGeneratedMasterKey: true,
  });
  const ledger = withPersonalData(runtime.ledger, vault.vault);
  const writeSide = createWriteSideContext({
    ledger,
    secrets: options.secrets ?? generateWriteSideSecrets(),
    now: () => clock.now(),
  });
  await writeSide.centres.load();
  if (options.seed !== false) await seedDemoNetwork(writeSide);
  await app.register(writeSideRoutes, {
    writeSide,
    idempotency: createSqlIdempotencyStore(runtime.sql, runtime.schema),
  });
  const url = `http://127.0.0.1:${port}`;
  const mounted = await mountSagas(app, runtime, {
    writeSide,
    ledger,
    serverUrl: url,
    env: options.sagasEnv ?? {},
    clock,
    runtime: { pollIntervalMs: options.pollIntervalMs ?? 50 },
  });
  await app.listen({ port, host: '127.0.0.1' });
  return {
    app,
    url,
    runtime,
    writeSide,
    ledger,
    mounted,
    clock,
    async adminToken() {
      if (identity.mode !== 'embedded') throw new Error('embedded identity expected');
      return (await identity.issuer.login('admin', 'demo')).accessToken;
    },
    async close() {
      await app.close();
      await vault.close();
      await runtime.close();
    },
  };
}

export const uniqueSchema = (prefix: string) => `${prefix}_${randomBytes(4).toString('hex')}`;

/** Drops every schema whose name starts with `prefix` (ledger, sagas, vault of one test). */
export async function dropSchemas(databaseUrl: string, prefix: string): Promise<void> {
  const pool = createPgPool({ url: databaseUrl, max: 1 });
  try {
    const { rows } = await pool.query<{ nspname: string }>(
      'select nspname from pg_namespace where starts_with(nspname, $1)',
      [prefix],
    );
    for (const row of rows) await pool.query(`drop schema if exists ${row.nspname} cascade`);
  } finally {
    await pool.end();
  }
}

/** Polls `check` until it returns a value other than undefined (or throws after `timeoutMs`). */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  // PostgreSQL subscribers lag while other transactions run on a shared cluster (gap-safe order).
  timeoutMs = 90_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The hidden inputs of an HTML form (the simulator's pages). */
export function hiddenInputs(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  const decode = (text: string) =>
    text
      .replaceAll('&quot;', '"')
      .replaceAll('&#39;', "'")
      .replaceAll('&lt;', '<')
      .replaceAll('&gt;', '>')
      .replaceAll('&amp;', '&');
  for (const match of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    fields[decode(match[1] ?? '')] = decode(match[2] ?? '');
  }
  return fields;
}

export const bookingRequest = (start: string, email = 'camille.martin@example.fr') => ({
  centreId: '22222222-2222-4222-8222-222222222201',
  start,
  controlType: 'CTP',
  vehicle: { plate: 'AB-123-CD', category: 'VP', fuel: 'Diesel' },
  customer: { kind: 'private', name: 'Camille Martin', email, phone: '06 12 34 56 78' },
  channel: 'web',
  paymentMode: 'online',
});

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

export async function postForm(
  url: string,
  fields: Record<string, string>,
  redirect: 'manual' | 'follow' = 'manual',
) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
    redirect,
  });
}
