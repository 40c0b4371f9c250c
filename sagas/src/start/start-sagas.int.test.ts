import { randomUUID } from 'node:crypto';
import { bookingStream, calendarStream } from '@pti/events';
import { createMetrics } from '@pti/platform';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadSagasConfig } from '../config/sagas-config.js';
import { sagaRoutes } from '../http/saga-routes.js';
import { manualClock } from '../runtime/clock.js';
import {
  CENTRE_CODE,
  createLedgerWorld,
  type LedgerWorld,
  TENANT,
  WORLD_START,
} from '../testing/ledger-world.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { closeTestStores, type TestStores, testBackends } from '../testing/test-stores.js';
import { createSagaAdapters, SAGA_MOUNT_POINTS, type SagaAdapters } from './saga-adapters.js';
import { type RunningSagas, startSagas } from './start-sagas.js';

const CENTRE = 'lyon-gerland';

afterAll(closeTestStores);

/**
 * The embedded composition, end to end over HTTP: book → pay on the simulator's page → confirmed
 * → confirmation in the outbox → AdelSoft simulator has the appointment → its result comes back by
 * webhook → the booking is completed.
 */
describe.each(testBackends())('startSagas in embedded mode on $name', (backend) => {
  let stores: TestStores;
  let world: LedgerWorld;
  let server: TestServer;
  let adapters: SagaAdapters;
  let sagas: RunningSagas;

  beforeEach(async () => {
    stores = await backend.open();
    world = createLedgerWorld(stores.ledger, manualClock(WORLD_START));
    await world.registerCentre(CENTRE);
    server = await startTestServer(async (app, url) => {
      adapters = createSagaAdapters(loadSagasConfig({}), { serverUrl: url });
      sagas = await startSagas({
        ledger: stores.ledger,
        sql: stores.sql,
        schema: stores.schema,
        commands: world.commands,
        clock: world.clock,
        metrics: createMetrics({ defaultMetrics: false }),
        payments: { providers: adapters.paymentProviders },
        adelsoft: adapters.adelsoft,
        notifications: { channels: adapters.channels, links: adapters.links },
        start: { poll: false },
      });
      await app.register(sagaRoutes, { prefix: SAGA_MOUNT_POINTS.api, ...adapters.routeOptions(sagas) });
      await adapters.mountSimulators(app);
    });
  });

  afterEach(async () => {
    await sagas.stop();
    await server.close();
    await stores.close();
  });

  it('books, pays, confirms, notifies, syncs with AdelSoft and records the result', async () => {
    const idle = () => sagas.runtime.runUntilIdle({ until: stores.head });
    const slot = await world.book({ centreId: CENTRE, start: '10:00' });
    const paymentId = randomUUID();
    const provider = adapters.paymentProviders[0]?.name ?? 'simulator';
    expect(provider).toBe('simulator');
    const amountCents = await world.requestPayment(slot.bookingId, paymentId, provider);
    const session = await sagas.payments.startPayment({
      tenantId: TENANT,
      bookingId: slot.bookingId,
      paymentId,
      provider,
      amountCents,
      customerEmail: 'camille.martin@example.fr',
      returnUrl: `${server.url}/api/v1/payments/payzen/return`,
    });
    expect(session.redirectUrl?.startsWith(`${server.url}/simulators/payzen/form?`)).toBe(true);

    const decision = await fetch(`${server.url}/simulators/payzen/form/decision`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        formToken: session.formToken ?? '',
        decision: 'accept',
        returnUrl: '',
      }).toString(),
    });
    expect(await decision.text()).toContain('Paiement accepté');
    await idle();

    expect(await world.types(bookingStream(slot.bookingId))).toEqual([
      'BookingPlaced',
      'PaymentRequested',
      'PaymentSucceeded',
      'BookingConfirmed',
    ]);
    expect(await world.types(calendarStream(CENTRE, slot.date))).toEqual(['SlotHeld', 'HoldConfirmed']);
    const confirmation = await sagas.listOutbox({ bookingId: slot.bookingId, template: 'confirmation' });
    expect(confirmation.map((message) => message.channel).sort()).toEqual(['email', 'sms']);
    expect(confirmation.find((m) => m.channel === 'email')?.body).toMatch(
      /Prix : 78,00\s€ \(payé en ligne\)/,
    );
    const adelsoft = adapters.simulators.adelsoft;
    expect(adelsoft?.appointments().map((a) => [a.centreCode, a.bookingId, a.status])).toEqual([
      [CENTRE_CODE, slot.bookingId, 'scheduled'],
    ]);

    world.clock.set('2026-06-16T08:02:00.000Z');
    await world.checkIn(slot.bookingId, 'insp-b');
    const published = await adelsoft?.publishResult({
      bookingId: slot.bookingId,
      centreCode: CENTRE_CODE,
      result: 'A',
    });
    expect(published?.webhookStatus).toBe(202);
    await idle();
    expect((await world.types(bookingStream(slot.bookingId))).slice(-2)).toEqual([
      'BookingCheckedIn',
      'BookingCompleted',
    ]);
    expect(await sagas.deadLetters.list()).toEqual([]);
    expect(await sagas.erasure.scrub(slot.placed?.customerId ?? '')).toBeGreaterThan(0);
    expect(await sagas.listOutbox({ bookingId: slot.bookingId })).toEqual([]);
  });
});
