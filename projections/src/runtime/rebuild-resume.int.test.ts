import { afterEach, describe, expect, it } from 'vitest';
import { PROJECTORS } from '../projectors.js';
import { appendAll, createWorkload, tomorrowMorning } from '../testing/workload.js';
import type { Projector } from './projector.js';
import { rebuildProjectors } from './rebuild.js';
import { listGenerations, liveGeneration } from './registry.js';
import { type TestBackend, testBackends } from './testing/backends.js';
import { cacheEntries, diffTableSets } from './testing/compare.js';

/**
 * A shared rebuild applies each projector's events in large gathered batches (`flushEvery`), each
 * committed with its checkpoint. One interrupted in the middle (a batch fails, as when the process
 * dies) and started again resumes every projector from its own last flush, and ends with the same
 * tables and cache keys as a rebuild that was never interrupted.
 */
describe.each(testBackends())('interrupted shared rebuild on $name', (factory) => {
  let backend: TestBackend | undefined;
  afterEach(async () => {
    await backend?.close();
    backend = undefined;
  });

  it('resumes from each projector’s last flush and equals an uninterrupted rebuild', {
    timeout: 600_000,
  }, async () => {
    backend = await factory.open();
    const b = backend;
    const workload = createWorkload({
      seed: 20260405,
      centres: 4,
      secondsPerCommand: 5,
      start: tomorrowMorning(),
    });
    const start = workload.now();
    await appendAll(b.ledger, workload.setup());
    for (let n = 0; n < 800; n += 1) await appendAll(b.ledger, workload.next());
    const deps = { ledger: b.ledger, db: b.db, cache: b.cache, layout: b.layout, clock: () => start };
    const options = { batchSize: 100, flushEvery: 300 };

    // Every projector's second gathered batch fails: the rebuild stops with work committed.
    const calls = new Map<string, number>();
    const failing: Projector[] = PROJECTORS.map((projector) => ({
      ...projector,
      async apply(batch, ctx) {
        const n = (calls.get(projector.name) ?? 0) + 1;
        calls.set(projector.name, n);
        if (n === 2) throw new Error(`${projector.name}: killed during its second batch`);
        await projector.apply(batch, ctx);
      },
    }));
    await expect(rebuildProjectors(deps, failing, options)).rejects.toThrow(/killed during/);
    const building = await listGenerations(b.db, b.layout);
    const interrupted = building.filter((g) => g.status === 'building');
    expect(interrupted.length).toBeGreaterThan(0);
    expect(
      interrupted.some((g) => g.position.prepare > 0n),
      'some flush committed',
    ).toBe(true);

    // Started again (fresh memory, as a new process): resumes the same generations.
    const resumed = await rebuildProjectors(deps, PROJECTORS, options);
    for (const report of resumed.projectors) expect(report.generation, report.projector).toBe(1);
    await rebuildProjectors(deps, PROJECTORS, { ...options, resume: false });
    for (const projector of PROJECTORS) {
      expect((await liveGeneration(b.db, b.layout, projector.name))?.generation, projector.name).toBe(2);
      const [one, two] = await Promise.all(
        [1, 2].map((n) =>
          listGenerations(b.db, b.layout, projector.name).then((all) => all.find((g) => g.generation === n)),
        ),
      );
      expect(await diffTableSets(b.db, one!.schema, two!.schema), projector.name).toEqual([]);
      if (projector.usesCache !== true) continue;
      const keys = await cacheEntries(b.db, b.layout, b.cache, projector, 1);
      expect(keys.length, projector.name).toBeGreaterThan(10);
      expect(keys, projector.name).toEqual(await cacheEntries(b.db, b.layout, b.cache, projector, 2));
    }
  });
});
