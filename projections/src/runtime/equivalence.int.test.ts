import type { Position } from '@pti/platform';
import { afterEach, describe, expect, it } from 'vitest';
import { PROJECTORS } from '../projectors.js';
import { appendAll, createWorkload } from '../testing/workload.js';
import { rebuildProjector } from './rebuild.js';
import { liveGeneration } from './registry.js';
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
    const workload = createWorkload({ seed: 20260302, centres: 8, secondsPerCommand: 5 });
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
  });
});
