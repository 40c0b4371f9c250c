import type { Position, TransactionalSqlExecutor } from '@pti/platform';
import { afterEach, describe, expect, it } from 'vitest';
import { PROJECTORS } from '../projectors.js';
import { appendAll, createWorkload, tomorrowMorning, type Workload } from '../testing/workload.js';
import { createLeaseStore, migrateLeases } from './lease.js';
import type { Projector } from './projector.js';
import { rebuildProjector } from './rebuild.js';
import { liveGeneration, migrateRegistry } from './registry.js';
import { createProjectionRunner, type ProjectionRunner } from './runner.js';
import { type TestBackend, testBackends } from './testing/backends.js';
import { diffTableSets } from './testing/compare.js';

/** Short, but not so short that a loaded PGlite (one connection) delays renewals past it. */
const TTL_MS = 1_000;

/** Appends `commands` workload commands; resolves the last append's position. */
async function run(b: TestBackend, workload: Workload, commands: number): Promise<Position | undefined> {
  let last: Position | undefined;
  for (let n = 0; n < commands; n += 1) last = (await appendAll(b.ledger, workload.next())) ?? last;
  return last;
}

/**
 * Wraps each projector's `apply` to record which runner is inside it: two runners applying batches
 * of the same projector at the same moment is the overlap leases must prevent.
 */
function watched(owner: string, inside: Map<string, Set<string>>, overlaps: string[]): Projector[] {
  return PROJECTORS.map((projector) => ({
    ...projector,
    apply: async (batch, ctx) => {
      const set = inside.get(projector.name) ?? new Set<string>();
      inside.set(projector.name, set);
      set.add(owner);
      if (set.size > 1) overlaps.push(`${projector.name}: ${[...set].join(' + ')}`);
      try {
        return await projector.apply(batch, ctx);
      } finally {
        set.delete(owner);
      }
    },
  }));
}

describe.each(testBackends())('projection leases on $name', (factory) => {
  let backend: TestBackend | undefined;
  const runners: ProjectionRunner[] = [];
  afterEach(async () => {
    for (const runner of runners.splice(0)) await runner.stop();
    await backend?.close();
    backend = undefined;
  });

  it('a lease has one owner: taken if free, expired or ours; renewed or released only by its owner', async () => {
    backend = await factory.open();
    const b = backend;
    await migrateRegistry(b.db, b.layout);
    await migrateLeases(b.db, b.layout);
    let now = new Date('2026-03-02T08:00:00.000Z');
    const leases = createLeaseStore(b.db, b.layout, () => now);

    expect(await leases.tryAcquire('projector:audit', 'a', 1_000)).toEqual(
      new Date('2026-03-02T08:00:01.000Z'),
    );
    expect(await leases.tryAcquire('projector:audit', 'b', 1_000)).toBeUndefined();
    expect(await leases.renew('projector:audit', 'b', 1_000)).toBeUndefined();
    expect(await leases.release('projector:audit', 'b')).toBe(false);
    // Re-acquiring our own lease extends it.
    now = new Date('2026-03-02T08:00:00.500Z');
    expect(await leases.tryAcquire('projector:audit', 'a', 1_000)).toEqual(
      new Date('2026-03-02T08:00:01.500Z'),
    );
    expect(await leases.held('projector:')).toMatchObject([{ name: 'projector:audit', owner: 'a' }]);

    // Not renewed within the TTL: anyone may take it, and the old owner's renewal then fails.
    now = new Date('2026-03-02T08:00:01.500Z');
    expect(await leases.held('projector:')).toEqual([]);
    expect(await leases.tryAcquire('projector:audit', 'b', 1_000)).toEqual(
      new Date('2026-03-02T08:00:02.500Z'),
    );
    expect(await leases.renew('projector:audit', 'a', 1_000)).toBeUndefined();
    expect(await leases.renew('projector:audit', 'b', 1_000)).toEqual(new Date('2026-03-02T08:00:02.500Z'));

    // Racing acquisitions of a free lease: exactly one wins.
    const race = await Promise.all(
      ['x', 'y', 'z', 'w'].map((owner) => leases.tryAcquire('projector:centres', owner, 1_000)),
    );
    expect(race.filter((won) => won !== undefined)).toHaveLength(1);

    expect(await leases.release('projector:audit', 'b')).toBe(true);
    expect(await leases.tryAcquire('projector:audit', 'a', 1_000)).toBeDefined();
  });

  it('two runners split the read models, never run one together, and one takes over when the other stops', {
    timeout: 240_000,
  }, async () => {
    backend = await factory.open();
    const b = backend;
    const workload = createWorkload({
      seed: 20260302,
      centres: 4,
      secondsPerCommand: 5,
      start: tomorrowMorning(),
    });
    const start = workload.now();
    await appendAll(b.ledger, workload.setup());
    await run(b, workload, 150);

    const inside = new Map<string, Set<string>>();
    const overlaps: string[] = [];
    const runnerOf = (owner: string) =>
      createProjectionRunner({
        ledger: b.ledger,
        db: b.db,
        cache: b.cache,
        projectors: watched(owner, inside, overlaps),
        layout: b.layout,
        batchSize: 25,
        catchUpBatchSize: 200,
        clock: () => start,
        lease: { owner, ttlMs: TTL_MS },
      });
    const first = runnerOf('replica-a');
    const second = runnerOf('replica-b');
    runners.push(first, second);

    // Status sampling: no read model is ever owned by both processes at once.
    const doubleOwned: string[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const [a, c] = await Promise.all([first.status(), second.status()]);
        for (const lane of a) {
          const other = c.find((line) => line.name === lane.name);
          if (lane.lease?.mine === true && other?.lease?.mine === true) doubleOwned.push(lane.name);
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();

    await Promise.all([first.start(), second.start()]);
    const owned = async (runner: ProjectionRunner) =>
      (await runner.status()).filter((lane) => lane.lease?.mine === true).map((lane) => lane.name);
    // Fair share with two live members: ceil(7 / 2) = 4 at most each, every read model covered; each
    // process sees (as of its last lease round) that the others run in the other process.
    const half = Math.ceil(PROJECTORS.length / 2);
    const split = async () => {
      const [a, c] = [await first.status(), await second.status()];
      const mineIn = (lines: typeof a) => lines.filter((l) => l.lease?.mine === true).map((l) => l.name);
      const [ownedByA, ownedByB] = [mineIn(a), mineIn(c)];
      return (
        ownedByA.length > 0 &&
        ownedByB.length > 0 &&
        ownedByA.length <= half &&
        ownedByB.length <= half &&
        ownedByA.length + ownedByB.length === PROJECTORS.length &&
        a.every(
          (lane) =>
            lane.lease?.mine === true ||
            (lane.state === 'stopped' && lane.lease?.owner === 'replica-b' && ownedByB.includes(lane.name)),
        )
      );
    };
    await expect.poll(split, { timeout: 20_000 }).toBe(true);

    let last = await run(b, workload, 150);
    await first.waitForCatchUp(last, 120_000);
    await second.waitForCatchUp(last, 120_000);

    // One replica stops (releasing its leases): the other takes every read model over.
    await first.stop();
    await expect.poll(() => owned(second), { timeout: 20_000 }).toHaveLength(PROJECTORS.length);
    last = (await run(b, workload, 150)) ?? last;
    await second.waitForCatchUp(last, 120_000);

    // A replica that comes back gets its share again (the busy one hands lanes over).
    const third = runnerOf('replica-c');
    runners.push(third);
    await third.start();
    await expect.poll(async () => (await owned(third)).length, { timeout: 20_000 }).toBeGreaterThan(0);
    await expect
      .poll(async () => (await owned(second)).length + (await owned(third)).length, { timeout: 20_000 })
      .toBe(PROJECTORS.length);
    last = (await run(b, workload, 100)) ?? last;
    await second.waitForCatchUp(last, 120_000);
    await third.waitForCatchUp(last, 120_000);
    sampling = false;
    await sampler;
    await second.stop();
    await third.stop();

    expect(doubleOwned).toEqual([]);
    expect(overlaps).toEqual([]);
    // Stopped cleanly: no lease is left behind.
    expect(await createLeaseStore(b.db, b.layout).held()).toEqual([]);

    // The read models built by two (then three) processes equal a single build from scratch.
    for (const projector of PROJECTORS) {
      const shared = await liveGeneration(b.db, b.layout, projector.name);
      expect(shared?.generation, projector.name).toBe(1);
      await rebuildProjector(
        { ledger: b.ledger, db: b.db, cache: b.cache, layout: b.layout, clock: () => start },
        projector,
        { batchSize: 1_000 },
      );
      const single = await liveGeneration(b.db, b.layout, projector.name);
      expect(single?.generation, projector.name).toBe(2);
      expect(await diffTableSets(b.db, shared!.schema, single!.schema), projector.name).toEqual([]);
    }
  });

  it('the leases of a process that lost its database expire: another takes over after the TTL', {
    timeout: 120_000,
  }, async () => {
    backend = await factory.open();
    const b = backend;
    const workload = createWorkload({ seed: 11, centres: 2 });
    const start = workload.now();
    await appendAll(b.ledger, workload.setup());
    // The first process's connection dies (a partition, a hung pod): every statement then fails.
    let cut = false;
    const fail = () => Promise.reject(new Error('connection lost'));
    const cuttable: TransactionalSqlExecutor = {
      query: (sql, params) => (cut ? fail() : b.db.query(sql, params)),
      exec: (script) => (cut ? fail() : b.db.exec(script)),
      transaction: (work) => (cut ? fail() : b.db.transaction(work)),
    };
    const runnerOn = (owner: string, db: TransactionalSqlExecutor) =>
      createProjectionRunner({
        ledger: b.ledger,
        db,
        cache: b.cache,
        projectors: PROJECTORS,
        layout: b.layout,
        clock: () => start,
        retryDelayMs: 50,
        lease: { owner, ttlMs: TTL_MS },
      });
    const doomed = runnerOn('doomed', cuttable);
    runners.push(doomed);
    await doomed.start();
    const all = PROJECTORS.length;
    const owned = async (runner: ProjectionRunner) =>
      (await runner.status()).filter((lane) => lane.lease?.mine === true).length;
    expect(await owned(doomed)).toBe(all);
    const survivor = runnerOn('survivor', b.db);
    runners.push(survivor);
    await survivor.start();
    await expect.poll(() => owned(survivor), { timeout: 20_000 }).toBeGreaterThan(0);

    cut = true;
    const cutAt = Date.now();
    await expect.poll(() => owned(survivor), { timeout: 20_000, interval: 20 }).toBe(all);
    // Not before the doomed process's leases expired (it could still have been working).
    expect(Date.now() - cutAt).toBeGreaterThanOrEqual(TTL_MS / 3);
    // …which stopped its lanes itself once its leases ran out unrenewed.
    await expect.poll(() => owned(doomed), { timeout: 5_000 }).toBe(0);
    const last = await run(b, workload, 30);
    await survivor.waitForCatchUp(last, 60_000);
  });

  it('a lane whose lease is taken over (its owner stalled past the TTL) stops at once', {
    timeout: 60_000,
  }, async () => {
    backend = await factory.open();
    const b = backend;
    await appendAll(b.ledger, createWorkload({ seed: 7, centres: 1 }).setup());
    const centres = PROJECTORS.filter((p) => p.name === 'centres');
    const runner = createProjectionRunner({
      ledger: b.ledger,
      db: b.db,
      projectors: centres,
      layout: b.layout,
      lease: { owner: 'slow', ttlMs: TTL_MS },
    });
    runners.push(runner);
    await runner.start();
    expect((await runner.status())[0]?.lease).toEqual({ owner: 'slow', mine: true });
    // Another process, whose clock says the lease has expired, takes it.
    const late = createLeaseStore(b.db, b.layout, () => new Date(Date.now() + 60_000));
    expect(await late.tryAcquire('projector:centres', 'thief', 120_000)).toBeDefined();
    await expect
      .poll(async () => (await runner.status())[0], { timeout: 5_000 })
      .toMatchObject({
        state: 'stopped',
        lease: { owner: 'thief', mine: false },
      });
  });
});
