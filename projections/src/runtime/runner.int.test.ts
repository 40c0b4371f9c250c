import { createMetrics, type Ledger, positionToString, type RecordedEvent, START } from '@pti/platform';
import { afterEach, describe, expect, it } from 'vitest';
import { auditProjector } from '../audit/audit-projector.js';
import { auditTrail } from '../audit/audit-queries.js';
import { centreEvents } from '../testing/centre-fixtures.js';
import { applyBatch, type GenerationHandle } from './apply-batch.js';
import { readProjectionCache } from './projection-cache.js';
import { handleOf } from './rebuild.js';
import { createGeneration, dropGeneration, generation, migrateRegistry } from './registry.js';
import { createProjectionRunner, type ProjectionRunner } from './runner.js';
import { withTenantRead } from './tenant.js';
import { type TestBackend, testBackends } from './testing/backends.js';
import { createProbeProjector } from './testing/probe-projector.js';

const registered = (centreId: string) => centreEvents({ centreId })[0]!;

/**
 * The events appended so far, once `count` of them are visible: on a shared PostgreSQL another
 * client's open transaction delays the gap-safe global order.
 */
async function visibleEvents(ledger: Ledger, count: number): Promise<readonly RecordedEvent[]> {
  const deadline = Date.now() + 25_000;
  for (;;) {
    const { events } = await ledger.readAll({});
    if (events.length >= count || Date.now() > deadline) return events;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe.each(testBackends())('projection runtime on $name', (factory) => {
  let backend: TestBackend | undefined;
  const runners: ProjectionRunner[] = [];
  afterEach(async () => {
    for (const runner of runners.splice(0)) await runner.stop();
    await backend?.close();
    backend = undefined;
  });
  const open = async () => {
    backend = await factory.open();
    await migrateRegistry(backend.db, backend.layout);
    return backend;
  };
  const probeRows = async (b: TestBackend, handle: GenerationHandle) =>
    (
      await b.db.query<{ stream: string; applied: number }>(
        `select stream, applied from ${handle.schema}.probe_rows order by stream`,
      )
    ).rows;

  it('writes rows, Redis and checkpoint of a batch together: a failure mid-batch leaves none of them', async () => {
    const b = await open();
    const control = { failOnStream: null as string | null };
    const probe = createProbeProjector(control);
    const handle = handleOf(probe, await createGeneration(b.db, b.layout, probe));
    await b.append([registered('c1'), registered('c2'), registered('c3')]);
    const events = await visibleEvents(b.ledger, 3);
    control.failOnStream = 'centre-c2';
    await expect(applyBatch(b.db, b.layout, handle, events, 'live', b.cache)).rejects.toThrow(
      'failing on centre-c2',
    );
    expect(await probeRows(b, handle)).toEqual([]);
    expect((await generation(b.db, b.layout, 'probe', handle.generation))?.position).toEqual(START);
    const cached = readProjectionCache(b.cache, handle.keyPrefix);
    expect(await cached.get('last:centre-c1')).toBeNull();

    control.failOnStream = null;
    const outcome = await applyBatch(b.db, b.layout, handle, events, 'live', b.cache);
    expect(outcome.applied).toBe(3);
    expect(await probeRows(b, handle)).toEqual([
      { stream: 'centre-c1', applied: 1 },
      { stream: 'centre-c2', applied: 1 },
      { stream: 'centre-c3', applied: 1 },
    ]);
    const stored = await generation(b.db, b.layout, 'probe', handle.generation);
    expect(positionToString(stored!.position)).toBe(positionToString(events[2]!.position));
    expect(await cached.get('last:centre-c3')).toBe('1');

    // Redelivery of the same batch (at-least-once): nothing changes.
    expect((await applyBatch(b.db, b.layout, handle, events, 'live', b.cache)).applied).toBe(0);
    expect((await probeRows(b, handle)).every((row) => row.applied === 1)).toBe(true);
  });

  it('guards Redis writes by position: replaying older batches changes no key', async () => {
    const b = await open();
    const probe = createProbeProjector({ failOnStream: null });
    const handle = handleOf(probe, await createGeneration(b.db, b.layout, probe));
    await b.append([
      registered('c1'),
      { type: 'CentreDeactivated', data: { centreId: 'c1', reason: 'Travaux' } },
      { type: 'CentreReactivated', data: { centreId: 'c1' } },
    ]);
    const events = await visibleEvents(b.ledger, 3);
    await applyBatch(b.db, b.layout, handle, events, 'live', b.cache);
    const cached = readProjectionCache(b.cache, handle.keyPrefix);
    expect(await cached.get('last:centre-c1')).toBe('3');
    // The SQL side rolled back after Redis was written (a crash between flush and commit): the
    // checkpoint is back at the start and the batch comes again, cut differently.
    await b.db.query(
      `update ${b.layout.registrySchema}.checkpoints set position = '0/0' where projector = 'probe'`,
    );
    await b.db.query(`delete from ${handle.schema}.probe_rows`);
    await applyBatch(b.db, b.layout, handle, events.slice(0, 1), 'live', b.cache);
    expect(await cached.get('last:centre-c1')).toBe('3');
    await applyBatch(b.db, b.layout, handle, events, 'live', b.cache);
    expect(await cached.get('last:centre-c1')).toBe('3');
    expect(await b.cache.setIfNewer(`${handle.keyPrefix}last:centre-c1`, 'x', 0n)).toBe(false);
  });

  /** The probe, held at the start of `apply` until `release()`; `entered` counts the calls. */
  const gatedProbe = () => {
    const probe = createProbeProjector({ failOnStream: null });
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const state = { entered: 0 };
    const projector: typeof probe = {
      ...probe,
      async apply(batch, ctx) {
        state.entered += 1;
        await gate;
        return probe.apply(batch, ctx);
      },
    };
    return { projector, state, release: () => release() };
  };
  const until = async (condition: () => boolean | Promise<boolean>, ms: number) => {
    const deadline = Date.now() + ms;
    while (!(await condition()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return condition();
  };

  it('never applies one generation in two transactions at once (two processes): the second waits and sees the first’s checkpoint', async () => {
    const b = await open();
    const gated = gatedProbe();
    const record = await createGeneration(b.db, b.layout, gated.projector);
    // Two handles of the same generation, as two processes would hold them.
    const first = handleOf(gated.projector, record);
    const second = handleOf(gated.projector, record);
    await b.append([registered('c1'), registered('c2'), registered('c3')]);
    const events = await visibleEvents(b.ledger, 3);
    const one = applyBatch(b.db, b.layout, first, events, 'live', b.cache);
    expect(await until(() => gated.state.entered === 1, 5_000)).toBe(true);
    const two = applyBatch(b.db, b.layout, second, events, 'live', b.cache);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(gated.state.entered).toBe(1);
    gated.release();
    expect((await one).applied).toBe(3);
    expect((await two).applied).toBe(0);
    expect(gated.state.entered).toBe(1);
    expect((await probeRows(b, first)).map((row) => row.applied)).toEqual([1, 1, 1]);
  });

  it('dropping a generation waits for a batch in flight on it, which commits whole first', async () => {
    const b = await open();
    const gated = gatedProbe();
    const record = await createGeneration(b.db, b.layout, gated.projector);
    const handle = handleOf(gated.projector, record);
    await b.append([registered('c1'), registered('c2')]);
    const events = await visibleEvents(b.ledger, 2);
    const batch = applyBatch(b.db, b.layout, handle, events, 'live', b.cache);
    expect(await until(() => gated.state.entered === 1, 5_000)).toBe(true);
    let dropped = false;
    const drop = dropGeneration(b.db, b.layout, 'probe', record.generation).then(() => {
      dropped = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(dropped).toBe(false);
    gated.release();
    expect((await batch).applied).toBe(2);
    await drop;
    expect(await generation(b.db, b.layout, 'probe', record.generation)).toBeUndefined();
  });

  // PostgreSQL only: PGlite has one connection, so the append itself would wait for the batch to end.
  it.skipIf(factory.name !== 'postgres')(
    'a batch in flight does not hold back the ledger’s visible tail (no xid before its first write)',
    async () => {
      const b = await open();
      const gated = gatedProbe();
      const handle = handleOf(gated.projector, await createGeneration(b.db, b.layout, gated.projector));
      await b.append([registered('c1')]);
      const events = await visibleEvents(b.ledger, 1);
      const batch = applyBatch(b.db, b.layout, handle, events, 'live', b.cache);
      try {
        expect(await until(() => gated.state.entered === 1, 5_000)).toBe(true);
        // Appended while the batch's transaction is open: the gap-safe order shows it once every
        // older xid on the cluster has ended, so a batch holding one since BEGIN would hide it.
        await b.append([registered('c2')]);
        expect(await until(async () => (await b.ledger.readAll({})).events.length === 2, 15_000)).toBe(true);
      } finally {
        gated.release();
        await batch;
      }
    },
  );

  it('follows the ledger, survives a failing batch, resumes after a restart, exports lag metrics', async () => {
    const b = await open();
    const control = { failOnStream: null as string | null };
    const probe = createProbeProjector(control);
    const metrics = createMetrics({ defaultMetrics: false });
    const start = async () => {
      const runner = createProjectionRunner({
        ledger: b.ledger,
        db: b.db,
        cache: b.cache,
        metrics,
        projectors: [probe],
        layout: b.layout,
        batchSize: 7,
        retryDelayMs: 20,
      });
      runners.push(runner);
      await runner.start();
      return runner;
    };
    const firstTen = await b.append(Array.from({ length: 10 }, (_, n) => registered(`a${n}`)));
    const first = await start();
    await first.waitForCatchUp(firstTen);
    control.failOnStream = 'centre-a12';
    const secondTen = await b.append(Array.from({ length: 10 }, (_, n) => registered(`a${n + 10}`)));
    await expect.poll(async () => (await first.status())[0]?.state, { timeout: 10_000 }).toBe('failing');
    control.failOnStream = null;
    await first.waitForCatchUp(secondTen, 20_000);
    const text = await metrics.metricsText();
    expect(text).toMatch(/pti_projection_events_total\{projector="probe"\} 20/);
    expect(text).toMatch(/pti_projection_lag_events\{projector="probe"\} 0/);
    expect(text).toMatch(/pti_projection_lag_seconds\{projector="probe"\} 0/);
    await first.stop();
    runners.splice(0);

    const thirdTen = await b.append(Array.from({ length: 10 }, (_, n) => registered(`a${n + 20}`)));
    const second = await start();
    await second.waitForCatchUp(thirdTen);
    const [status] = await second.status();
    expect(status).toMatchObject({
      name: 'probe',
      state: 'live',
      generation: 1,
      lag: { events: 0, seconds: 0 },
    });
    const rows = (
      await b.db.query<{ applied: number }>(
        `select applied from ${b.layout.tableSetSchema('probe', 1)}.probe_rows`,
      )
    ).rows;
    expect(rows).toHaveLength(30);
    // Rolled-back attempts left nothing behind: every event was applied exactly once.
    expect(rows.every((row) => row.applied === 1)).toBe(true);
    // The stable view points at the live generation.
    const view = await b.db.query<{ n: bigint }>(
      `select count(*) as n from ${b.layout.viewSchema(undefined)}.probe_rows`,
    );
    expect(view.rows[0]?.n).toBe(30n);
  });

  it('isolates tenants with row-level security: no tenant, no staff rows', async () => {
    const b = await open();
    const runner = createProjectionRunner({
      ledger: b.ledger,
      db: b.db,
      projectors: [auditProjector],
      layout: b.layout,
    });
    runners.push(runner);
    const appended = await b.append([
      {
        ...registered('ca'),
        metadata: { tenantId: 'tenant-a', actor: { id: 'alice', role: 'admin_reseau' } },
      },
      { ...registered('cb'), metadata: { tenantId: 'tenant-b', actor: { id: 'bob', role: 'admin_reseau' } } },
      {
        type: 'CentreDeactivated',
        data: { centreId: 'ca', reason: 'Travaux' },
        metadata: {
          tenantId: 'tenant-a',
          actor: { id: 'carol', role: 'responsable_centre' },
          correlationId: 'corr-x',
        },
      },
    ]);
    await runner.start();
    await runner.waitForCatchUp(appended);
    const view = `${b.layout.viewSchema(undefined)}.audit_events`;
    const streams = (tenant: string | null) =>
      withTenantRead(b.db, tenant, async (tx) =>
        (
          await tx.query<{ stream: string }>(
            `select stream from ${view} order by commit_position, prepare_position`,
          )
        ).rows.map((row) => row.stream),
      );
    expect(await streams('tenant-a')).toEqual(['centre-ca', 'centre-ca']);
    expect(await streams('tenant-b')).toEqual(['centre-cb']);
    expect(await streams(null)).toEqual([]);
    expect(await streams('tenant-c')).toEqual([]);
    // Reading the generation's table directly is subject to the same policy.
    const direct = await withTenantRead(
      b.db,
      'tenant-b',
      async (tx) =>
        (await tx.query(`select * from ${b.layout.tableSetSchema('audit', 1)}.audit_events`)).rows.length,
    );
    expect(direct).toBe(1);
    // Reads are read-only.
    await expect(withTenantRead(b.db, 'tenant-a', (tx) => tx.query(`delete from ${view}`))).rejects.toThrow();

    const deps = { db: b.db, layout: b.layout };
    const page1 = await auditTrail(deps, 'tenant-a', { limit: 1 });
    expect(page1.items.map((i) => i.type)).toEqual(['CentreRegistered']);
    expect(page1.nextCursor).not.toBeNull();
    const page2 = await auditTrail(deps, 'tenant-a', { limit: 1, cursor: page1.nextCursor! });
    expect(page2.items.map((i) => [i.type, i.actor.id, i.correlationId])).toEqual([
      ['CentreDeactivated', 'carol', 'corr-x'],
    ]);
    expect(page2.nextCursor).toBeNull();
    expect((await auditTrail(deps, 'tenant-a', { actorId: 'bob' })).items).toEqual([]);
    expect((await auditTrail(deps, 'tenant-b', { actorId: 'bob', stream: 'centre-cb' })).items).toHaveLength(
      1,
    );
    expect((await auditTrail(deps, 'tenant-a', { types: ['CentreDeactivated'] })).items).toHaveLength(1);
    expect((await auditTrail(deps, 'tenant-a', { from: new Date('2030-01-01') })).items).toEqual([]);
  });
});
