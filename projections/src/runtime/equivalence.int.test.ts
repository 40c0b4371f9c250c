import type { Position } from '@pti/platform';
import { afterEach, describe, expect, it } from 'vitest';
import { PROJECTORS } from '../projectors.js';
import { appendAll, createWorkload, tomorrowMorning } from '../testing/workload.js';
import { rebuildProjector, rebuildProjectors } from './rebuild.js';
import { listGenerations, liveGeneration } from './registry.js';
import { createProjectionRunner } from './runner.js';
import { type TestBackend, testBackends } from './testing/backends.js';
import { cacheEntries, diffTableSets, tableSetContents } from './testing/compare.js';

const COMMANDS = Number(process.env.PTI_EQUIVALENCE_COMMANDS ?? 3_000);

describe.each(testBackends())('equivalence on $name', (factory) => {
  let backend: TestBackend | undefined;
  afterEach(async () => {
    await backend?.close();
    backend = undefined;
  });

  it(`read models maintained incrementally during ${COMMANDS} random commands equal a rebuild from scratch`, {
    timeout: 600_000,
  }, async () => {
    backend = await factory.open();
    const b = backend;
    const workload = createWorkload({
      seed: 20260302,
      centres: 8,
      secondsPerCommand: 5,
      start: tomorrowMorning(),
    });
    const start = workload.now();
    await appendAll(b.ledger, workload.setup());
    const runner = createProjectionRunner({
      ledger: b.ledger,
      db: b.db,
      cache: b.cache,
      projectors: PROJECTORS,
      layout: b.layout,
      batchSize: 25,
      catchUpBatchSize: 200,
      clock: () => start,
    });
    await runner.start();
    // Commands arrive while the projectors run: batches cut at arbitrary places.
    let last: Position | undefined;
    for (let n = 0; n < COMMANDS; n += 1) last = (await appendAll(b.ledger, workload.next())) ?? last;
    // Up to the last append exactly (the visible tail may lag while a projection transaction runs).
    await runner.waitForCatchUp(last, 300_000);
    await runner.stop();
    expect(workload.stats.events).toBeGreaterThan(COMMANDS / 2);

    for (const projector of PROJECTORS) {
      const incremental = await liveGeneration(b.db, b.layout, projector.name);
      expect(incremental?.generation, projector.name).toBe(1);
      const report = await rebuildProjector(
        { ledger: b.ledger, db: b.db, cache: b.cache, layout: b.layout, clock: () => start },
        projector,
        { batchSize: 1_000 },
      );
      const rebuilt = await liveGeneration(b.db, b.layout, projector.name);
      expect(rebuilt?.generation, projector.name).toBe(2);
      expect(report.events).toBeGreaterThan(0);
      expect(await diffTableSets(b.db, incremental!.schema, rebuilt!.schema), projector.name).toEqual([]);
      const [before, after] = [
        await cacheEntries(b.db, b.layout, b.cache, projector, 1),
        await cacheEntries(b.db, b.layout, b.cache, projector, 2),
      ];
      expect(after.length, projector.name).toBe(before.length);
      expect(after, projector.name).toEqual(before);
      const rows = [...(await tableSetContents(b.db, rebuilt!.schema)).values()].reduce(
        (n, t) => n + t.length,
        0,
      );
      expect(rows, `${projector.name} is not empty`).toBeGreaterThan(0);
      if (projector.usesCache === true) expect(before.length, `${projector.name} cache`).toBeGreaterThan(100);
      console.info(
        `[equivalence ${b.name}] ${projector.name}: ${rows} rows, ${before.length} cache keys equal`,
      );
    }

    // `pti rebuild all`: one shared ledger read feeding every projector (small pages, so lanes run
    // several pages behind the reader; each lane gathers three pages per transaction, so flushes
    // cut the workload in several catch-up batches, not one) gives the same tables again…
    const deps = { ledger: b.ledger, db: b.db, cache: b.cache, layout: b.layout, clock: () => start };
    const shared = await rebuildProjectors(deps, PROJECTORS, { batchSize: 700, flushEvery: 2_100 });
    expect(shared.read).toBeGreaterThanOrEqual(workload.stats.events);
    for (const projector of PROJECTORS) {
      const [first, third] = [1, 3].map((n) =>
        listGenerations(b.db, b.layout, projector.name).then((all) => all.find((g) => g.generation === n)),
      );
      expect((await liveGeneration(b.db, b.layout, projector.name))?.generation, projector.name).toBe(3);
      expect(shared.projectors.find((r) => r.projector === projector.name)?.events).toBeGreaterThan(0);
      expect(await diffTableSets(b.db, (await first)!.schema, (await third)!.schema), projector.name).toEqual(
        [],
      );
      if (projector.usesCache !== true) continue;
      // …and the same keys as a rebuild of that projector alone, made right after (the incremental
      // generation's keys of past days have expired by now: their TTL is a minute).
      await rebuildProjector(deps, projector, { batchSize: 1_000 });
      const keys = await cacheEntries(b.db, b.layout, b.cache, projector, 3);
      expect(keys.length, projector.name).toBeGreaterThan(100);
      expect(keys, projector.name).toEqual(await cacheEntries(b.db, b.layout, b.cache, projector, 4));
    }
  });
});
