import { randomUUID } from 'node:crypto';
import { bookingStream, calendarStream } from '@pti/events';
import { createLogger, START } from '@pti/platform';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { holdReleaseSaga } from '../holds/hold-release-saga.js';
import { sagaRoutes } from '../http/saga-routes.js';
import { manualClock } from '../runtime/clock.js';
import { createSagaRuntime, type SagaRuntime } from '../runtime/saga-runtime.js';
import { listDeadLetters, listTimers } from '../runtime/saga-store.js';
import { createLedgerWorld, type LedgerWorld, TENANT, WORLD_START } from '../testing/ledger-world.js';
import { hiddenInputs, startTestServer, type TestServer } from '../testing/test-server.js';
import { closeTestStores, type TestStores, testBackends } from '../testing/test-stores.js';
import type { PaymentProvider } from './payment-provider.js';
import { paymentSaga } from './payment-saga.js';
import { createPaymentService, type PaymentService } from './payment-service.js';
import { createPayzenAdapter } from './payzen/payzen-adapter.js';
import {
  createPayzenSimulator,
  type PayzenSimulator,
  SIMULATOR_CREDENTIALS,
} from './payzen/payzen-simulator.js';
import { signedAnswerFields } from './payzen/payzen-wire.js';

const CENTRE = 'lyon-gerland';
const MINUTE = 60_000;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

afterAll(closeTestStores);

describe.each(testBackends())('payment through the Payzen adapter and simulator on $name', (backend) => {
  let stores: TestStores;
  let world: LedgerWorld;
  let server: TestServer;
  let simulator: PayzenSimulator;
  let provider: PaymentProvider;
  let service: PaymentService;
  let runtime: SagaRuntime;

  const idle = () => runtime.runUntilIdle({ until: stores.head });
  const ipnUrl = () => `${server.url}/api/v1/payments/payzen/ipn`;
  const postForm = (url: string, fields: Record<string, string>) =>
    fetch(url, {
      method: 'POST',
      headers: FORM,
      body: new URLSearchParams(fields).toString(),
      redirect: 'manual',
    });
  const ledgerSize = async () => (await stores.ledger.readAll({ after: START, limit: 10_000 })).events.length;

  /** Places an online booking, records RequestPayment, and starts the payment with the provider. */
  async function checkout(date = '2026-06-16', start = '10:00') {
    const slot = await world.book({ centreId: CENTRE, date, start });
    const paymentId = randomUUID();
    const amountCents = await world.requestPayment(slot.bookingId, paymentId, 'simulator');
    const session = await service.startPayment({
      tenantId: TENANT,
      bookingId: slot.bookingId,
      paymentId,
      provider: 'simulator',
      amountCents,
      customerEmail: 'camille.martin@example.fr',
      returnUrl: `${server.url}/api/v1/payments/payzen/return`,
    });
    return { slot, paymentId, amountCents, session };
  }

  /** The customer's choice on the simulator's hosted page, over HTTP. */
  async function decide(formToken: string, decision: 'accept' | 'decline' | 'abandon') {
    const response = await postForm(`${server.url}/simulators/payzen/form/decision`, {
      formToken,
      decision,
      returnUrl: `${server.url}/api/v1/payments/payzen/return`,
    });
    expect(response.status).toBe(200);
    return hiddenInputs(await response.text());
  }

  beforeEach(async () => {
    stores = await backend.open();
    world = createLedgerWorld(stores.ledger, manualClock(WORLD_START));
    await world.registerCentre(CENTRE);
    simulator = createPayzenSimulator({ ...SIMULATOR_CREDENTIALS });
    const logger = createLogger({ level: 'silent' });
    server = await startTestServer(async (app, url) => {
      provider = createPayzenAdapter({
        ...SIMULATOR_CREDENTIALS,
        baseUrl: `${url}/simulators/payzen`,
        hostedFormUrl: `${url}/simulators/payzen/form`,
        ipnUrl: `${url}/api/v1/payments/payzen/ipn`,
        providerName: 'simulator',
      });
      service = createPaymentService({
        sql: stores.sql,
        schema: stores.schema,
        providers: [provider],
        clock: world.clock,
        logger,
      });
      await app.register(simulator.plugin, { prefix: '/simulators/payzen' });
      await app.register(sagaRoutes, {
        prefix: '/api/v1',
        payments: {
          service,
          payzenProvider: 'simulator',
          lemonway: false,
          returnPage: ({ bookingId, status }) =>
            `/paiement/resultat?statut=${status}&reservation=${bookingId ?? ''}`,
        },
      });
    });
    runtime = createSagaRuntime({
      ledger: stores.ledger,
      sql: stores.sql,
      schema: stores.schema,
      sagas: [
        holdReleaseSaga({ commands: world.commands }),
        paymentSaga({ commands: world.commands, providers: [provider] }),
      ],
      clock: world.clock,
      backoff: { baseMs: 1_000, maxMs: MINUTE, jitter: 0 },
    });
    await runtime.start({ poll: false });
  });

  afterEach(async () => {
    await runtime.stop();
    await server.close();
    await stores.close();
  });

  it('confirms the booking once the signed IPN says PAID; the browser return changes nothing more', async () => {
    const { slot, paymentId, amountCents, session } = await checkout();
    expect(session.formToken).toMatch(/^[\w-]{20,}$/);
    expect(session.redirectUrl).toContain('/simulators/payzen/form?formToken=');

    const page = await fetch(session.redirectUrl ?? '');
    const html = await page.text();
    expect(html).toContain('Paiement sécurisé');
    expect(html).toContain('Payer 78,00');
    expect(html).toContain('Refuser le paiement');

    const browserReturn = await decide(session.formToken ?? '', 'accept');
    expect(simulator.ipns()).toHaveLength(1);
    expect(simulator.ipns()[0]?.status).toBe(200);
    expect(simulator.ipns()[0]?.fields['kr-hash-key']).toBe('password');
    expect(browserReturn['kr-hash-key']).toBe('sha256_hmac');

    const returned = await postForm(`${server.url}/api/v1/payments/payzen/return`, browserReturn);
    expect(returned.status).toBe(303);
    expect(returned.headers.get('location')).toBe(
      `/paiement/resultat?statut=paid&reservation=${slot.bookingId}`,
    );

    await idle();
    const events = await world.events(bookingStream(slot.bookingId));
    expect(events.map((event) => event.type)).toEqual([
      'BookingPlaced',
      'PaymentRequested',
      'PaymentSucceeded',
      'BookingConfirmed',
    ]);
    expect(events[2]?.data).toMatchObject({ paymentId, amountCents, provider: 'simulator' });
    expect(events[2]?.metadata.actor).toEqual({ id: 'saga:payment', role: 'system' });
    expect(await world.types(calendarStream(CENTRE, slot.date))).toEqual(['SlotHeld', 'HoldConfirmed']);
    expect(world.received.filter((r) => r.command === 'RecordPaymentSucceeded')).toHaveLength(1);
  });

  it('releases the slot when the bank declines', async () => {
    const { slot, session } = await checkout();
    await decide(session.formToken ?? '', 'decline');
    await idle();
    const booking = await world.events(bookingStream(slot.bookingId));
    expect(booking.map((event) => event.type)).toEqual([
      'BookingPlaced',
      'PaymentRequested',
      'PaymentFailed',
      'BookingExpired',
    ]);
    expect(booking[2]?.data.reason).toBe('declined');
    const calendar = await world.events(calendarStream(CENTRE, slot.date));
    expect(calendar.map((event) => [event.type, event.data.reason])).toEqual([
      ['SlotHeld', undefined],
      ['HoldReleased', 'payment_failed'],
    ]);
    // The hold timer, due later, was cancelled by the release.
    expect(await listTimers(stores.sql, stores.schema)).toEqual([]);
  });

  it('times the payment out with the hold and releases the slot once', async () => {
    const { slot } = await checkout();
    await idle();
    world.clock.advance(15 * MINUTE);
    await idle();
    const booking = await world.events(bookingStream(slot.bookingId));
    // The payment timeout and the hold timer fall due together: either may run first.
    expect([...booking.map((event) => event.type)].sort()).toEqual([
      'BookingExpired',
      'BookingPlaced',
      'PaymentFailed',
      'PaymentRequested',
    ]);
    expect(booking.find((event) => event.type === 'PaymentFailed')?.data.reason).toBe('timeout');
    const calendar = await world.types(calendarStream(CENTRE, slot.date));
    expect(calendar.filter((type) => type === 'HoldReleased')).toHaveLength(1);
    expect(await listDeadLetters(stores.sql, stores.schema)).toEqual([]);
  });

  it('ignores forged, replayed and unknown-order notifications: nothing is appended', async () => {
    const { session } = await checkout();
    await decide(session.formToken ?? '', 'accept');
    await idle();
    const genuine = simulator.ipns()[0]?.fields;
    if (genuine === undefined) throw new Error('no IPN was sent');
    const before = await ledgerSize();

    // Forged: the answer changed, or signed with another secret, or with the browser key on the IPN.
    const tampered = { ...genuine, 'kr-answer': (genuine['kr-answer'] ?? '').replace('"PAID"', '"UNPAID"') };
    const badHash = { ...genuine, 'kr-hash': 'a'.repeat(64) };
    const answer = JSON.parse(genuine['kr-answer'] ?? '{}');
    const wrongKey = signedAnswerFields(answer, 'sha256_hmac', SIMULATOR_CREDENTIALS.hmacKey);
    const otherSecret = signedAnswerFields(answer, 'password', 'not-the-password');
    for (const forged of [tampered, badHash, wrongKey, otherSecret, {}]) {
      const response = await postForm(ipnUrl(), forged);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(((await response.json()) as { code: string }).code).toBe('invalid_notification');
    }

    // Replayed: the genuine IPN again.
    const replay = await postForm(ipnUrl(), genuine);
    expect(replay.status).toBe(200);
    expect(await replay.json()).toEqual({ status: 'duplicate' });

    // Unknown order: correctly signed, for an order this platform never started.
    const unknown = signedAnswerFields(
      { ...answer, orderDetails: { ...answer.orderDetails, orderId: 'order-nobody-started' } },
      'password',
      SIMULATOR_CREDENTIALS.password,
    );
    const unknownResponse = await postForm(ipnUrl(), unknown);
    expect(unknownResponse.status).toBe(200);
    expect(await unknownResponse.json()).toEqual({ status: 'unknown_order' });

    await idle();
    expect(await ledgerSize()).toBe(before);
    expect(await listTimers(stores.sql, stores.schema, { kind: 'apply-outcome' })).toEqual([]);
    expect(world.received.filter((r) => r.command === 'RecordPaymentSucceeded')).toHaveLength(1);
  });

  it('refunds a paid booking cancelled within the policy, once', async () => {
    const { slot, amountCents, session } = await checkout('2026-06-17', '09:00');
    await decide(session.formToken ?? '', 'accept');
    await idle();
    await world.cancel(slot.bookingId, 'customer');
    await idle();
    const cancelled = (await world.events(bookingStream(slot.bookingId))).at(-1);
    expect(cancelled).toMatchObject({ type: 'BookingCancelled', data: { refundEligible: true } });
    expect(simulator.refunds()).toEqual([
      expect.objectContaining({
        amount: amountCents,
        transactionUuid: simulator.orders()[0]?.transaction?.uuid,
      }),
    ]);
    await idle();
    expect(simulator.refunds()).toHaveLength(1);
    const { rows } = await stores.sql.query<{ status: string }>(
      `select status from ${stores.schema}.payment_orders`,
    );
    expect(rows).toEqual([{ status: 'refunded' }]);
  });

  it('refunds a payment that succeeds after the hold ran out', async () => {
    const { slot, amountCents, session } = await checkout();
    world.clock.advance(15 * MINUTE);
    await idle();
    const expired = await world.types(bookingStream(slot.bookingId));
    expect(expired).toContain('BookingExpired');
    expect(expired).toContain('PaymentFailed');

    // The customer's bank answers late: the decider records the success, but nothing confirms.
    await decide(session.formToken ?? '', 'accept');
    await idle();
    const types = await world.types(bookingStream(slot.bookingId));
    expect(types.at(-1)).toBe('PaymentSucceeded');
    expect(types).not.toContain('BookingConfirmed');
    expect(simulator.refunds()).toEqual([expect.objectContaining({ amount: amountCents })]);
  });
});
