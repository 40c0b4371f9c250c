import type { Position } from '@pti/platform';
import { afterEach, describe, expect, it } from 'vitest';
import { auditProjector } from '../audit/audit-projector.js';
import { availabilityProjector } from '../availability/availability-projector.js';
import { availabilityFor } from '../availability/availability-queries.js';
import { centresProjector } from '../centres/centres-projector.js';
import { searchCentres } from '../centres/centres-queries.js';
import { appendAll, createWorkload } from '../testing/workload.js';
import type { CatchUpProgress } from './catch-up.js';
import { createLiveGenerations } from './live.js';
import { dropRetiredGenerations, rebuildProjector } from './rebuild.js';
import { listGenerations, liveGeneration } from './registry.js';
import { createProjectionRunner } from './runner.js';
import { type TestBackend, testBackends } from './testing/backends.js';
import { cacheEntries, diffTableSets } from './testing/compare.js';

const projectors = [centresProjector, availabilityProjector, auditProjector];

describe.each(testBackends())('blue/green rebuild on $name', (factory) => {
  let backend: TestBackend | undefined;
  afterEach(async () => {
    await backend?.close();
    backend = undefined;
  });

  it('rebuilds every read model while bookings keep arriving: reads never fail, the swap is atomic, rows equal a fresh rebuild', {
    timeout: 300_000,
  }, async () => {
    backend = await factory.open();
    const b = backend;
    const workload = createWorkload({ seed: 7, centres: 6, secondsPerCommand: 5 });
    const start = workload.now();
    await appendAll(b.ledger, workload.setup());
    let seeded: Position | undefined;
    for (let n = 0; n < 600; n += 1) seeded = (await appendAll(b.ledger, workload.next())) ?? seeded;
    const runner = createProjectionRunner({
      ledger: b.ledger,
      db: b.db,
      cache: b.cache,
      projectors,
      layout: b.layout,
      batchSize: 50,
      catchUpBatchSize: 250,
      clock: () => start,
      registryPollMs: 50,
    });
    await runner.start();
    await runner.waitForCatchUp(seeded, 60_000);

    // Writers and readers run during the whole rebuild.
    let writing = true;
    let lastAppend: Position | undefined;
    const writer = (async () => {
      let n = 0;
      while (writing) {
        lastAppend = (await appendAll(b.ledger, workload.next())) ?? lastAppend;
        n += 1;
        if (n % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
      }
      return n;
    })();
    const live = createLiveGenerations(b.db, b.layout, { ttlMs: 20 });
    const readDeps = { db: b.db, cache: b.cache, live, layout: b.layout };
    let reads = 0;
    let nonEmpty = 0;
    const failures: unknown[] = [];
    let reading = true;
    const reader = (async () => {
      while (reading) {
        try {
          const days = await availabilityFor(readDeps, {
            centreId: 'wl-c1',
            from: '2026-03-02',
            to: '2026-03-10',
            profile: { controlType: 'CTP', category: 'VP', fuel: 'Diesel' },
            now: new Date('2026-03-01T12:00:00Z'),
          });
          const centres = await searchCentres({ db: b.db, layout: b.layout }, { includeInactive: true });
          reads += 1;
          if (days.length > 0 && centres.length > 0) nonEmpty += 1;
        } catch (error) {
          failures.push(error);
        }
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();

    const progress: CatchUpProgress[] = [];
    const reports = await runner.rebuild('all', { onProgress: (p) => progress.push(p) });
    writing = false;
    const written = await writer;
    await runner.waitForCatchUp(lastAppend, 120_000);
    reading = false;
    await reader;
    await runner.stop();

    expect(failures).toEqual([]);
    expect(reads).toBeGreaterThan(0);
    expect(nonEmpty).toBe(reads);
    expect(written).toBeGreaterThan(0);
    expect(reports.map((r) => [r.projector, r.previous, r.generation])).toEqual([
      ['centres', 1, 2],
      ['availability', 1, 2],
      ['audit', 1, 2],
    ]);
    expect(progress.some((p) => p.events > 0 && p.eventsPerSecond > 0)).toBe(true);
    for (const projector of projectors) {
      const gens = await listGenerations(b.db, b.layout, projector.name);
      expect(gens.map((g) => [g.generation, g.status])).toEqual([
        [1, 'retired'],
        [2, 'live'],
      ]);
    }

    // The swapped-in generation, kept up to date live after the swap, equals a fresh rebuild.
    for (const projector of projectors) {
      const swapped = (await liveGeneration(b.db, b.layout, projector.name))!;
      await rebuildProjector(
        { ledger: b.ledger, db: b.db, cache: b.cache, layout: b.layout, clock: () => start },
        projector,
      );
      const fresh = (await liveGeneration(b.db, b.layout, projector.name))!;
      expect(fresh.generation).toBe(3);
      expect(await diffTableSets(b.db, swapped.schema, fresh.schema), projector.name).toEqual([]);
      expect(await cacheEntries(b.db, b.layout, b.cache, projector, 3), projector.name).toEqual(
        await cacheEntries(b.db, b.layout, b.cache, projector, 2),
      );
    }

    // --drop-old: retired table sets and their Redis keys go; the live one stays.
    const oldKeys = await cacheEntries(b.db, b.layout, b.cache, availabilityProjector, 1);
    expect(oldKeys.length).toBeGreaterThan(0);
    const dropped = await dropRetiredGenerations(
      { ledger: b.ledger, db: b.db, cache: b.cache, layout: b.layout },
      availabilityProjector,
    );
    expect(dropped).toEqual([1, 2]);
    const prefix = b.layout.keyPrefix('availability', 1);
    expect(await b.cache.get(prefix + oldKeys[0]![0])).toBeNull();
    const { rows } = await b.db.query<{ n: bigint }>(
      'select count(*) as n from pg_namespace where nspname = $1',
      [b.layout.tableSetSchema('availability', 1)],
    );
    expect(rows[0]?.n).toBe(0n);
    expect((await listGenerations(b.db, b.layout, 'availability')).map((g) => g.status)).toEqual(['live']);
  });
});
