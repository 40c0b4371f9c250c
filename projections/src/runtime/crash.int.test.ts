import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import {
  type Cache,
  comparePositions,
  createDatabase,
  createPostgresLedger,
  createRedisCache,
  type Database,
  type PostgresLedger,
} from '@pti/platform';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECTORS } from '../projectors.js';
import { appendAll, createWorkload } from '../testing/workload.js';
import { withMaintenance } from './apply-batch.js';
import { createHeadTracker, projectorLag } from './lag.js';
import { type ProjectionLayout, projectionLayout } from './layout.js';
import { handleOf, rebuildProjector } from './rebuild.js';
import { listGenerations, liveGeneration } from './registry.js';
import { cacheEntries, diffTableSets } from './testing/compare.js';

const url = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL;
const child = fileURLToPath(new URL('./testing/runner-child.ts', import.meta.url));

async function dropCacheKeys(
  database: Database<unknown>,
  layout: ProjectionLayout,
  cache: Cache,
): Promise<void> {
  for (const record of await listGenerations(database.sql, layout)) {
    const projector = PROJECTORS.find((p) => p.name === record.projector);
    const cacheKeys = projector?.cacheKeys;
    if (projector === undefined || cacheKeys === undefined) continue;
    const keys = await withMaintenance(database.sql, layout, handleOf(projector, record), undefined, (ctx) =>
      cacheKeys(ctx),
    );
    for (let at = 0; at < keys.length; at += 1_000) {
      await cache.del(keys.slice(at, at + 1_000).map((key) => record.keyPrefix + key));
    }
  }
}

/**
 * A projection PROCESS killed with SIGKILL at random points while commands keep arriving, and
 * restarted each time: afterwards every read model equals a rebuild from scratch. Needs
 * PostgreSQL (two processes share the database); Redis is compared too when REDIS_URL is set.
 */
describe.skipIf(url === undefined || url === '')('crash: SIGKILL at random points (PostgreSQL)', () => {
  const namespace = `t${randomBytes(5).toString('hex')}_`;
  const ledgerSchema = `${namespace}ledger`;
  const layout = projectionLayout(namespace);
  let ledger: PostgresLedger | undefined;
  let database: Database<unknown> | undefined;
  const cache = redisUrl ? createRedisCache(redisUrl, { keyPrefix: `${namespace}:` }) : undefined;
  let running: ChildProcess | undefined;

  afterAll(async () => {
    running?.kill('SIGKILL');
    // Best effort: the registry may not exist when the test failed early.
    if (database !== undefined && cache !== undefined)
      await dropCacheKeys(database, layout, cache).catch(() => undefined);
    await cache?.close();
    await ledger?.close();
    if (database !== undefined) {
      const { rows } = await database.sql.query<{ nspname: string }>(
        'select nspname from pg_namespace where starts_with(nspname, $1)',
        [namespace],
      );
      for (const row of rows) await database.sql.exec(`drop schema if exists ${row.nspname} cascade`);
      await database.close();
    }
  });

  const spawnChild = (clock: Date): ChildProcess =>
    spawn(process.execPath, ['--conditions=pti-source', '--import', 'tsx', child], {
      env: {
        ...process.env,
        PTI_CHILD_DATABASE_URL: url,
        PTI_CHILD_NAMESPACE: namespace,
        PTI_CHILD_LEDGER_SCHEMA: ledgerSchema,
        PTI_CHILD_CLOCK: clock.toISOString(),
        PTI_CHILD_REDIS_URL: redisUrl ?? '',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });

  /** Resolves once the child's runner started (its lanes are catching up). */
  const started = (proc: ChildProcess) =>
    new Promise<void>((resolve, reject) => {
      proc.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('started')) resolve();
      });
      proc.once('exit', (code) => reject(new Error(`the projection process exited early (${code})`)));
    });

  const killed = (proc: ChildProcess) =>
    new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
      proc.once('exit', () => resolve());
      proc.kill('SIGKILL');
    });

  it('read models built by a process killed again and again equal a rebuild', {
    timeout: 600_000,
  }, async () => {
    ledger = createPostgresLedger({ connectionString: url, schema: ledgerSchema });
    await ledger.migrate();
    database = await createDatabase({ kind: 'postgres', url: url ?? '', poolMax: 4 });
    const db = database.sql;
    const workload = createWorkload({ seed: 99, centres: 6, secondsPerCommand: 5 });
    const clock = workload.now();
    let last = await appendAll(ledger, workload.setup());

    let kills = 0;
    const random = (() => {
      let a = 12345;
      return () => {
        a = (a * 1103515245 + 12345) % 2 ** 31;
        return a / 2 ** 31;
      };
    })();
    for (let round = 0; round < 12; round += 1) {
      running = spawnChild(clock);
      await started(running);
      const commands = 80 + Math.floor(random() * 120);
      const appending = (async () => {
        for (let n = 0; n < commands; n += 1) last = (await appendAll(ledger!, workload.next())) ?? last;
      })();
      // Killed at a random moment: while catching up, mid-batch, between batches.
      await new Promise((resolve) => setTimeout(resolve, 50 + random() * 1_500));
      await killed(running);
      kills += 1;
      await appending;
    }

    // A last process catches up for good.
    running = spawnChild(clock);
    await started(running);
    const heads = createHeadTracker(ledger);
    const deadline = Date.now() + 180_000;
    while (true) {
      const head = await heads.head(0);
      // The last append may still be invisible while the child's transaction runs (gap safety).
      if (last !== undefined && comparePositions(head, last) < 0) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        continue;
      }
      const lags = await Promise.all(
        PROJECTORS.map(async (projector) => {
          const live = await liveGeneration(db, layout, projector.name);
          return live === undefined
            ? 1
            : (await projectorLag(ledger!, projector, live.position, head)).events;
        }),
      );
      if (lags.every((n) => n === 0)) break;
      if (Date.now() > deadline)
        throw new Error(`the restarted process did not catch up: ${lags.join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await killed(running);
    expect(kills).toBe(12);

    for (const projector of PROJECTORS) {
      const incremental = (await liveGeneration(db, layout, projector.name))!;
      await rebuildProjector({ ledger, db, cache, layout, clock: () => clock }, projector);
      const rebuilt = (await liveGeneration(db, layout, projector.name))!;
      expect(rebuilt.generation).toBeGreaterThan(incremental.generation);
      expect(await diffTableSets(db, incremental.schema, rebuilt.schema), projector.name).toEqual([]);
      if (cache !== undefined) {
        expect(await cacheEntries(db, layout, cache, projector, rebuilt.generation), projector.name).toEqual(
          await cacheEntries(db, layout, cache, projector, incremental.generation),
        );
      }
    }
  });
});
