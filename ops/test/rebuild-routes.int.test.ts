import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@pti/platform';
import { liveGeneration, type ProjectionLayout, projectionLayout } from '@pti/projections';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { buildPlatformServer, type PlatformServer } from '../src/start/embedded-server.js';
import { openPlatformRuntime, type PlatformRuntime } from '../src/start/platform-runtime.js';
import type { RebuildProgress } from '../src/start/rebuild-routes.js';

/**
 * Rebuilds over HTTP (`POST /api/v1/ops/projections/{name}/rebuild`, progress under
 * `/api/v1/ops/projections/rebuilds/…`) in the process that runs the projectors: admins only,
 * unknown read models 404, one at a time (409), progress to `done` with a new live generation, and
 * 503 where no projector runs. PGlite always; PostgreSQL when DATABASE_URL is set (own schema).
 */

const url = process.env.DATABASE_URL;
const WAIT_MS = 60_000;
const suffix = randomUUID().replace(/-/g, '').slice(0, 8);

interface Backend {
  readonly name: string;
  readonly env: Record<string, string>;
  readonly layout: ProjectionLayout;
}

const backends: Backend[] = [
  { name: 'PGlite', env: {}, layout: projectionLayout() },
  ...(url === undefined
    ? []
    : [
        {
          name: 'PostgreSQL',
          env: { DATABASE_URL: url, PTI_DB_SCHEMA: `t_rb_${suffix}` },
          layout: projectionLayout(`t_rb_${suffix}_`),
        },
      ]),
];
if (url === undefined) console.info('[ops] DATABASE_URL unset: rebuild routes on PostgreSQL skipped');

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  if (url === undefined) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ nspname: string }>(
      `select nspname from pg_namespace where nspname like $1`,
      [`t_rb_${suffix}%`],
    );
    for (const { nspname } of rows) await client.query(`drop schema if exists "${nspname}" cascade`);
  } finally {
    await client.end();
  }
});

async function eventually<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function login(app: FastifyInstance, username: string): Promise<{ authorization: string }> {
  const answer = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username, password: 'demo' },
  });
  expect(answer.statusCode).toBe(200);
  return { authorization: `Bearer ${(answer.json() as { accessToken: string }).accessToken}` };
}

describe.each(backends)('rebuilds over HTTP ($name)', (backend) => {
  let runtime: PlatformRuntime | undefined;
  let server: PlatformServer | undefined;

  afterAll(async () => {
    await server?.app.close();
    await runtime?.close();
  });

  it('lets an admin rebuild a read model and follow it to done, one rebuild at a time', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'pti-rebuild-routes-'));
    dirs.push(dataDir);
    const config = loadConfig({ PTI_DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...backend.env });
    runtime = await openPlatformRuntime(config, { migrate: true });
    server = await buildPlatformServer(runtime, {
      role: 'all',
      seedDemo: true,
      layout: backend.layout,
      rateLimit: false,
    });
    const { app } = server;
    const stores = server.readModels;
    if (stores === undefined) throw new Error('the all role opens the read models');
    await eventually('/ready', async () =>
      (await app.inject({ method: 'GET', url: '/ready' })).statusCode === 200 ? true : undefined,
    );
    // In the process's OpenAPI document, under the `ops` tag.
    const document = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as {
      paths: Record<string, Record<string, { tags?: string[] }>>;
    };
    expect(document.paths['/api/v1/ops/projections/{name}/rebuild']?.post?.tags).toEqual(['ops']);
    expect(document.paths['/api/v1/ops/projections/rebuilds/{id}']?.get?.tags).toEqual(['ops']);
    const admin = await login(app, 'admin');
    const responsable = await login(app, 'responsable');

    // Admins only.
    const anonymous = await app.inject({ method: 'POST', url: '/api/v1/ops/projections/centres/rebuild' });
    expect(anonymous.statusCode).toBe(401);
    const forbidden = await app.inject({
      method: 'POST',
      url: '/api/v1/ops/projections/centres/rebuild',
      headers: responsable,
    });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.headers['content-type']).toContain('application/problem+json');

    // Unknown read model, unknown rebuild, nothing started yet.
    const unknown = await app.inject({
      method: 'POST',
      url: '/api/v1/ops/projections/nope/rebuild',
      headers: admin,
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 'unknown_read_model' });
    const none = await app.inject({
      method: 'GET',
      url: '/api/v1/ops/projections/rebuilds/latest',
      headers: admin,
    });
    expect(none.statusCode).toBe(404);
    expect(none.json()).toMatchObject({ code: 'rebuild_not_found' });

    // One read model: 202, then its progress reaches done and the live generation moved on.
    const before = await liveGeneration(stores.db, stores.layout, 'centres');
    expect(before).toBeDefined();
    const started = await app.inject({
      method: 'POST',
      url: '/api/v1/ops/projections/centres/rebuild',
      headers: admin,
    });
    expect(started.statusCode).toBe(202);
    const first = started.json() as RebuildProgress;
    expect(first).toMatchObject({ target: 'centres', projectors: ['centres'], state: 'running' });
    expect(started.headers.location).toBe(`/api/v1/ops/projections/rebuilds/${first.id}`);
    const finished = await eventually('the rebuild to finish', async () => {
      const answer = await app.inject({
        method: 'GET',
        url: `/api/v1/ops/projections/rebuilds/${first.id}`,
        headers: admin,
      });
      expect(answer.statusCode).toBe(200);
      const progress = answer.json() as RebuildProgress;
      return progress.state === 'running' ? undefined : progress;
    });
    expect(finished.error).toBeNull();
    expect(finished).toMatchObject({ state: 'done', percentage: 100, current: null });
    expect(finished.eventsProcessed).toBeGreaterThan(0);
    const after = await liveGeneration(stores.db, stores.layout, 'centres');
    expect(after?.generation).toBeGreaterThan(before?.generation ?? 0);
    expect(finished.generations).toEqual([
      expect.objectContaining({
        projector: 'centres',
        previous: before?.generation,
        generation: after?.generation,
      }),
    ]);
    const latest = await app.inject({
      method: 'GET',
      url: '/api/v1/ops/projections/rebuilds/latest',
      headers: admin,
    });
    expect((latest.json() as RebuildProgress).id).toBe(first.id);

    // One at a time: while a rebuild runs (held at its start here), another is refused.
    const runner = server.projections;
    if (runner === undefined) throw new Error('the all role runs the projectors');
    const realRebuild = runner.rebuild.bind(runner);
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const held = vi.spyOn(runner, 'rebuild').mockImplementation(async (name, options) => {
      await gate;
      return realRebuild(name, options);
    });
    try {
      const agendaBefore = await liveGeneration(stores.db, stores.layout, 'agenda');
      const agenda = await app.inject({
        method: 'POST',
        url: '/api/v1/ops/projections/agenda/rebuild',
        headers: admin,
      });
      expect(agenda.statusCode).toBe(202);
      const second = agenda.json() as RebuildProgress;
      for (const name of ['centres', 'all']) {
        const refused = await app.inject({
          method: 'POST',
          url: `/api/v1/ops/projections/${name}/rebuild`,
          headers: admin,
        });
        expect(refused.statusCode).toBe(409);
        expect(refused.json()).toMatchObject({ code: 'rebuild_in_progress' });
      }
      const running = await app.inject({
        method: 'GET',
        url: '/api/v1/ops/projections/rebuilds/latest',
        headers: admin,
      });
      expect(running.json()).toMatchObject({ id: second.id, state: 'running' });
      release();
      const secondDone = await eventually('the second rebuild to finish', async () => {
        const answer = await app.inject({
          method: 'GET',
          url: `/api/v1/ops/projections/rebuilds/${second.id}`,
          headers: admin,
        });
        const progress = answer.json() as RebuildProgress;
        return progress.state === 'running' ? undefined : progress;
      });
      expect(secondDone).toMatchObject({ state: 'done', error: null });
      const agendaAfter = await liveGeneration(stores.db, stores.layout, 'agenda');
      expect(agendaAfter?.generation).toBeGreaterThan(agendaBefore?.generation ?? 0);
    } finally {
      release();
      held.mockRestore();
    }
  }, 120_000);

  it('answers 503 in a process that runs no projectors', async () => {
    if (runtime === undefined) throw new Error('runtime not opened');
    const writeSide = await buildPlatformServer(runtime, { role: 'write-side', rateLimit: false });
    try {
      const admin = await login(writeSide.app, 'admin');
      const answer = await writeSide.app.inject({
        method: 'POST',
        url: '/api/v1/ops/projections/centres/rebuild',
        headers: admin,
      });
      expect(answer.statusCode).toBe(503);
      expect(answer.json()).toMatchObject({ code: 'projections_not_running_here' });
    } finally {
      await writeSide.app.close();
    }
  }, 60_000);
});
