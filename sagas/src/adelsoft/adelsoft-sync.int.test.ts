import { bookingStream } from '@pti/events';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { holdReleaseSaga } from '../holds/hold-release-saga.js';
import { sagaRoutes } from '../http/saga-routes.js';
import { manualClock } from '../runtime/clock.js';
import { createSagaRuntime, type SagaRuntime } from '../runtime/saga-runtime.js';
import { listDeadLetters, listTimers, retryDeadLetter } from '../runtime/saga-store.js';
import { CENTRE_CODE, createLedgerWorld, type LedgerWorld, WORLD_START } from '../testing/ledger-world.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { closeTestStores, type TestStores, testBackends } from '../testing/test-stores.js';
import { type AdelsoftClient, createAdelsoftClient } from './adelsoft-client.js';
import {
  ADELSOFT_SAGA,
  ADELSOFT_TIMERS,
  adelsoftSaga,
  createAdelsoftResultReceiver,
} from './adelsoft-saga.js';
import { type AdelsoftSimulator, createAdelsoftSimulator } from './adelsoft-simulator.js';
import { webhookSignature } from './adelsoft-wire.js';

const CENTRE = 'lyon-gerland';
const API_KEY = 'cle-test';
const SECRET = 'secret-webhook-test';

afterAll(closeTestStores);

describe.each(testBackends())('AdelSoft sync with the simulator on $name', (backend) => {
  let stores: TestStores;
  let world: LedgerWorld;
  let server: TestServer;
  let simulator: AdelsoftSimulator;
  let client: AdelsoftClient;
  let runtimes: SagaRuntime[];

  const runtimeWith = (options: { client?: AdelsoftClient; pullIntervalMs?: number | null } = {}) => {
    const runtime = createSagaRuntime({
      ledger: stores.ledger,
      sql: stores.sql,
      schema: stores.schema,
      sagas: [
        holdReleaseSaga({ commands: world.commands }),
        adelsoftSaga({
          client: options.client ?? client,
          commands: world.commands,
          maxAttempts: 4,
          pullIntervalMs: options.pullIntervalMs ?? null,
        }),
      ],
      clock: world.clock,
      backoff: { baseMs: 1_000, maxMs: 60_000, jitter: 0 },
    });
    runtimes.push(runtime);
    return runtime;
  };
  const idle = (runtime: SagaRuntime) => runtime.runUntilIdle({ until: stores.head });
  const pushes = () => simulator.requests().filter((request) => request.method !== 'GET');

  beforeEach(async () => {
    stores = await backend.open();
    world = createLedgerWorld(stores.ledger, manualClock(WORLD_START));
    runtimes = [];
    await world.registerCentre(CENTRE);
    server = await startTestServer(async (app, url) => {
      simulator = createAdelsoftSimulator({
        apiKey: API_KEY,
        webhookUrl: `${url}/api/v1/adelsoft/results`,
        webhookSecret: SECRET,
      });
      client = createAdelsoftClient({ baseUrl: `${url}/simulators/adelsoft`, apiKey: API_KEY });
      await app.register(simulator.plugin, { prefix: '/simulators/adelsoft' });
      await app.register(sagaRoutes, {
        prefix: '/api/v1',
        adelsoft: {
          receiver: createAdelsoftResultReceiver({
            sql: stores.sql,
            schema: stores.schema,
            clock: world.clock,
          }),
          webhookSecret: SECRET,
        },
      });
    });
  });

  afterEach(async () => {
    for (const runtime of runtimes) await runtime.stop();
    await server.close();
    await stores.close();
  });

  it('pushes confirmed, moved and cancelled bookings, each with its own idempotency key', async () => {
    const runtime = runtimeWith();
    await runtime.start({ poll: false });
    const slot = await world.book({ centreId: CENTRE, start: '10:00', paymentMode: 'on_site' });
    await idle(runtime);
    expect(simulator.appointments()).toEqual([]);

    await world.confirmOnSite(slot);
    await idle(runtime);
    const [appointment] = simulator.appointments();
    expect(appointment).toMatchObject({
      centreCode: CENTRE_CODE,
      bookingId: slot.bookingId,
      status: 'scheduled',
    });
    expect(appointment?.appointment).toMatchObject({
      reference: slot.placed?.reference,
      start: '2026-06-16T10:00',
      durationMinutes: 45,
      controlType: 'CTP',
      vehicle: { plate: 'AB-123-CD', category: 'VP', fuel: 'Diesel' },
      customer: { name: 'Camille Martin', phone: '+33612345678', email: 'camille.martin@example.fr' },
    });

    await world.reschedule(slot, '15:00');
    await idle(runtime);
    expect(simulator.appointments()[0]?.appointment.start).toBe('2026-06-16T15:00');

    await world.cancel(slot.bookingId, 'centre');
    await idle(runtime);
    expect(simulator.appointments()[0]?.status).toBe('cancelled');
    expect(pushes().map((request) => [request.method, request.idempotencyKey, request.status])).toEqual([
      ['POST', `${slot.bookingId}:v1:create`, 201],
      ['PUT', `${slot.bookingId}:v2:move`, 200],
      ['DELETE', `${slot.bookingId}:v3:cancel`, 200],
    ]);
  });

  it('sends the same key again after a crash between the push and its record: AdelSoft replays, nothing doubles', async () => {
    let crash = true;
    const crashing: AdelsoftClient = {
      ...client,
      createAppointment: async (centreCode, appointment, key) => {
        await client.createAppointment(centreCode, appointment, key);
        if (crash) {
          crash = false;
          throw new Error('killed after the push');
        }
      },
    };
    const runtime = runtimeWith({ client: crashing });
    await runtime.start({ poll: false });
    const slot = await world.book({ centreId: CENTRE, start: '10:00', paymentMode: 'on_site' });
    await world.confirmOnSite(slot);
    await idle(runtime);
    world.clock.advance(1_000);
    await idle(runtime);
    expect(pushes().map((request) => [request.idempotencyKey, request.replayed])).toEqual([
      [`${slot.bookingId}:v1:create`, false],
      [`${slot.bookingId}:v1:create`, true],
    ]);
    expect(simulator.appointments()).toHaveLength(1);
    expect(await listTimers(stores.sql, stores.schema, { saga: ADELSOFT_SAGA })).toEqual([]);
  });

  it('retries an outage with exponential backoff, then dead-letters; ops retry it once AdelSoft is back', async () => {
    simulator.setOutage(true);
    const runtime = runtimeWith();
    await runtime.start({ poll: false });
    const slot = await world.book({ centreId: CENTRE, start: '11:00', paymentMode: 'on_site' });
    await world.confirmOnSite(slot);
    await idle(runtime);
    const delays: number[] = [];
    for (let attempt = 1; attempt < 4; attempt++) {
      const [job] = await listTimers(stores.sql, stores.schema, { kind: ADELSOFT_TIMERS.sync });
      if (job === undefined) throw new Error('the sync job is gone');
      expect(job.attempts).toBe(attempt);
      expect(job.lastError).toContain('503');
      delays.push(job.dueAt.getTime() - world.clock.now().getTime());
      world.clock.set(job.dueAt);
      await idle(runtime);
    }
    expect(delays).toEqual([1_000, 2_000, 4_000]);
    const [dead] = await listDeadLetters(stores.sql, stores.schema, { saga: ADELSOFT_SAGA });
    expect(dead).toMatchObject({ kind: 'sync', key: slot.bookingId, attempts: 4 });
    expect(dead?.lastError).toContain('HTTP 503');
    expect(pushes().every((request) => request.status === 503)).toBe(true);

    simulator.setOutage(false);
    await retryDeadLetter(stores.sql, stores.schema, dead?.id ?? '', world.clock.now());
    await idle(runtime);
    expect(simulator.appointments()).toHaveLength(1);
    expect(await listDeadLetters(stores.sql, stores.schema)).toEqual([]);
  });

  it('records results received by webhook or by polling as RecordResult, once each', async () => {
    const runtime = runtimeWith({ pullIntervalMs: 60_000 });
    await runtime.start({ poll: false });
    const slot = await world.book({ centreId: CENTRE, start: '10:00', paymentMode: 'on_site' });
    await world.confirmOnSite(slot);
    await idle(runtime);
    world.clock.set('2026-06-16T08:05:00.000Z');
    await world.checkIn(slot.bookingId, 'insp-a');

    const published = await simulator.publishResult({
      bookingId: slot.bookingId,
      centreCode: CENTRE_CODE,
      result: 'S',
    });
    expect(published.webhookStatus).toBe(202);
    await idle(runtime);
    const events = await world.events(bookingStream(slot.bookingId));
    expect(events.at(-1)).toMatchObject({
      type: 'BookingCompleted',
      data: { result: 'S', inspectorId: 'insp-a', contreVisiteDueBy: '2026-08-16' },
      metadata: { actor: { id: 'saga:adelsoft', role: 'system' } },
    });

    // The poll brings the same result again: it is not recorded twice.
    world.clock.advance(60_000);
    await idle(runtime);
    expect(simulator.requests().some((request) => request.path.includes('/v1/results'))).toBe(true);
    expect(
      (await world.types(bookingStream(slot.bookingId))).filter((t) => t === 'BookingCompleted'),
    ).toHaveLength(1);
    expect(world.received.filter((r) => r.command === 'RecordResult')).toHaveLength(1);
  });

  it('refuses a webhook with a bad signature, and dead-letters a result the booking cannot take', async () => {
    const runtime = runtimeWith();
    await runtime.start({ poll: false });
    const slot = await world.book({ centreId: CENTRE, start: '10:00', paymentMode: 'on_site' });
    await world.confirmOnSite(slot);
    await idle(runtime);
    const result = {
      resultId: 'r-1',
      bookingId: slot.bookingId,
      centreCode: CENTRE_CODE,
      result: 'A',
      inspectorId: null,
      completedAt: '2026-06-16T09:00:00.000Z',
    };
    const body = JSON.stringify({ results: [result] });
    const post = (signature: string) =>
      fetch(`${server.url}/api/v1/adelsoft/results`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-adelsoft-signature': signature },
        body,
      });
    const forged = await post(webhookSignature(body, 'not-the-secret'));
    expect(forged.status).toBe(401);
    expect(await listTimers(stores.sql, stores.schema, { kind: ADELSOFT_TIMERS.recordResult })).toEqual([]);

    // Genuine, but the vehicle was never checked in: ops see it among the dead letters.
    const genuine = await post(webhookSignature(body, SECRET));
    expect(genuine.status).toBe(202);
    expect(await genuine.json()).toEqual({ accepted: 1 });
    await idle(runtime);
    const [dead] = await listDeadLetters(stores.sql, stores.schema);
    expect(dead).toMatchObject({
      saga: ADELSOFT_SAGA,
      kind: ADELSOFT_TIMERS.recordResult,
      key: 'r-1',
      attempts: 1,
    });
    expect(dead?.lastError).toContain('NOT_CHECKED_IN');
  });
});
