import { randomUUID } from 'node:crypto';
import { loadConfig } from '@pti/platform';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateCommand } from '../src/commands/migrate-command.js';
import { buildEmbeddedServer } from '../src/start/embedded-server.js';
import { openPlatformRuntime } from '../src/start/platform-runtime.js';

describe('embedded server (PGlite)', () => {
  it('reports the ledger adapter and its state on /health, and is ready', async () => {
    const config = loadConfig({ PTI_DATA_DIR: 'memory://', LOG_LEVEL: 'warn' });
    const runtime = await openPlatformRuntime(config, { migrate: true });
    const app = await buildEmbeddedServer(runtime);
    try {
      const health = await app.inject({ method: 'GET', url: '/health' });
      expect(health.statusCode).toBe(200);
      expect(health.json()).toMatchObject({ status: 'ok', ledger: { adapter: 'pglite', state: 'up' } });
      // Ready once the projectors have built their first generation (an empty ledger: quickly).
      const deadline = Date.now() + 60_000;
      let ready = await app.inject({ method: 'GET', url: '/ready' });
      while (ready.statusCode !== 200 && Date.now() < deadline) {
        expect(ready.statusCode).toBe(503);
        await new Promise((resolve) => setTimeout(resolve, 100));
        ready = await app.inject({ method: 'GET', url: '/ready' });
      }
      expect(ready.json()).toEqual({ ready: true });
      const metrics = await app.inject({ method: 'GET', url: '/metrics' });
      expect(metrics.headers['content-type']).toContain('text/plain');
      expect(metrics.body).toContain('process_cpu_user_seconds_total');
      expect(metrics.body).toContain('pti_projection_lag_events');
      // One OpenAPI document for commands and queries, with Swagger UI.
      const document = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as {
        paths: Record<string, unknown>;
      };
      expect(Object.keys(document.paths)).toEqual(
        expect.arrayContaining(['/api/v1/bookings', '/api/v1/centres/{centreId}/availability']),
      );
      expect((await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json()).toEqual(document);
      expect((await app.inject({ method: 'GET', url: '/docs/' })).statusCode).toBe(200);
      const missing = await app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
      expect(missing.statusCode).toBe(404);
      expect(missing.headers['content-type']).toContain('application/problem+json');
      expect(missing.json()).toMatchObject({ status: 404, code: 'not_found' });
      // The store going away turns /health to 503 with the adapter's error.
      await runtime.ledger.close();
      await runtime.pglite?.close();
      const down = await app.inject({ method: 'GET', url: '/health' });
      expect(down.statusCode).toBe(503);
      expect(down.json()).toMatchObject({ status: 'degraded', ledger: { adapter: 'pglite', state: 'down' } });
    } finally {
      await app.close();
    }
  }, 120_000);
});

const url = process.env.DATABASE_URL;
describe.skipIf(!url)('pti migrate (PostgreSQL)', () => {
  const schema = `test_migrate_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  afterAll(async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });

  it('creates the ledger schema once, then finds nothing to do', async () => {
    const saved = { ...process.env };
    process.env.PTI_DB_SCHEMA = schema;
    try {
      const first: string[] = [];
      await migrateCommand((l) => first.push(l));
      expect(first.join('\n')).toMatch(/ledger \(postgres\): 1 applied, 0 already applied/);
      const second: string[] = [];
      await migrateCommand((l) => second.push(l));
      expect(second.join('\n')).toMatch(/ledger \(postgres\): 0 applied, 1 already applied/);
    } finally {
      process.env = saved;
    }
  });
});
if (!url)
  console.info('[ops] DATABASE_URL unset: `pti migrate` on PostgreSQL skipped (PGlite covered above)');
