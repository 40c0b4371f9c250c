import { bookingStream, calendarStream } from '@pti/events';
import { type ManualClock, manualClock, payzenSignedAnswerFields, SIMULATOR_CREDENTIALS } from '@pti/sagas';
import { checkInBooking } from '@pti/write-side';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bookingRequest,
  dropSchemas,
  hiddenInputs,
  openSagasPlatform,
  PLATFORM_START,
  postForm,
  postJson,
  type SagasPlatform,
  uniqueSchema,
  waitFor,
} from './sagas-platform.js';

/**
 * The sagas running in the platform: write side, sagas, their routes and the provider simulators
 * composed on one real HTTP server by `mountSagas`, the payment made over HTTP on the Payzen
 * simulator's hosted page exactly as a browser would (GET the form, POST the decision, follow the
 * auto-submitted return). On PGlite always, and on PostgreSQL when DATABASE_URL is set.
 */
const CENTRE = '22222222-2222-4222-8222-222222222201';
const UNKNOWN_ORDER = '00000000-0000-4000-8000-0000000000aa';
const databaseUrl = process.env.DATABASE_URL;
const backends = [
  { name: 'pglite', databaseUrl: undefined },
  ...(databaseUrl ? [{ name: 'postgres', databaseUrl }] : []),
];
if (!databaseUrl) console.info('[sagas e2e] DATABASE_URL unset: PostgreSQL run skipped (PGlite runs)');

describe.each(backends)('sagas in the platform ($name)', { timeout: 180_000 }, ({ databaseUrl: url }) => {
  const schema = uniqueSchema('t_sagas_e2e');
  let platform: SagasPlatform;
  let clock: ManualClock;
  let admin: string;

  const types = async (stream: string) => (await platform.ledger.readStream(stream)).map((e) => e.type);
  const place = async (start: string) => {
    const placed = await postJson(`${platform.url}/api/v1/bookings`, bookingRequest(start));
    expect(placed.status).toBe(201);
    return placed.body as {
      bookingId: string;
      manageToken: string;
      inspectorId: string | null;
    };
  };
  const startPayment = async (token: string) => {
    const started = await postJson(`${platform.url}/api/v1/manage/${token}/payment`, {});
    expect(started.status).toBe(201);
    return started.body as { paymentId: string; redirectUrl: string; amountCents: number };
  };
  /** The browser on the simulator's page: the form, the button, the auto-submitted return. */
  const decide = async (redirectUrl: string, decision: 'accept' | 'decline') => {
    const form = await fetch(redirectUrl);
    expect(form.status).toBe(200);
    const inputs = hiddenInputs(await form.text());
    const outcome = await postForm(new URL('form/decision', redirectUrl).toString(), { ...inputs, decision });
    const page = await outcome.text();
    const back = await postForm(inputs.returnUrl ?? '', hiddenInputs(page));
    expect(back.status).toBe(303);
    return back.headers.get('location') ?? '';
  };
  const staff = () => ({ authorization: `Bearer ${admin}` });

  beforeAll(async () => {
    clock = manualClock(PLATFORM_START);
    platform = await openSagasPlatform({ ...(url ? { databaseUrl: url } : {}), schema, clock });
    admin = await platform.adminToken();
  }, 120_000);

  afterAll(async () => {
    await platform?.close();
    if (url) await dropSchemas(url, schema);
  });

  it('declined on the provider page: the booking expires and the slot is free again', async () => {
    const booking = await place('2026-06-16T11:00');
    const payment = await startPayment(booking.manageToken);
    expect(payment.redirectUrl.startsWith(`${platform.url}/simulators/payzen/form?`)).toBe(true);
    expect(payment.amountCents).toBeGreaterThan(0);
    const landing = await decide(payment.redirectUrl, 'decline');
    expect(landing).toContain('statut=failed');
    await waitFor('expiry', async () =>
      (await types(bookingStream(booking.bookingId))).includes('BookingExpired') ? true : undefined,
    );
    await waitFor('release', async () =>
      (await types(calendarStream(CENTRE, '2026-06-16'))).includes('HoldReleased') ? true : undefined,
    );
    expect(await types(bookingStream(booking.bookingId))).toEqual([
      'BookingPlaced',
      'PaymentRequested',
      'PaymentFailed',
      'BookingExpired',
    ]);
    // The same start can be booked again.
    await place('2026-06-16T11:00');
  });

  it('a payment left open until the hold runs out times out and releases the slot', async () => {
    const booking = await place('2026-06-16T14:00');
    await startPayment(booking.manageToken);
    clock.advance(16 * 60_000);
    // The payment's timeout and the hold's expiry are due together: both end up recorded.
    await waitFor('timeout', async () => {
      const seen = await types(bookingStream(booking.bookingId));
      return seen.includes('BookingExpired') && seen.includes('PaymentFailed') ? seen : undefined;
    });
    await waitFor('release', async () => {
      const calendar = await platform.ledger.readStream(calendarStream(CENTRE, '2026-06-16'));
      const held = calendar.find(
        (event) => event.type === 'SlotHeld' && event.data.bookingId === booking.bookingId,
      );
      return calendar.some(
        (event) => event.type === 'HoldReleased' && event.data.reservationId === held?.data.reservationId,
      )
        ? true
        : undefined;
    });
    const failed = (await platform.ledger.readStream(bookingStream(booking.bookingId))).find(
      (event) => event.type === 'PaymentFailed',
    );
    expect(failed?.data.reason).toBe('timeout');
  });

  it('paid then cancelled within policy: the payment is refunded once', async () => {
    const booking = await place('2026-06-16T16:00');
    const payment = await startPayment(booking.manageToken);
    expect(await decide(payment.redirectUrl, 'accept')).toContain('statut=paid');
    await waitFor('confirmation', async () =>
      (await types(bookingStream(booking.bookingId))).includes('BookingConfirmed') ? true : undefined,
    );
    const cancelled = await postJson(`${platform.url}/api/v1/manage/${booking.manageToken}/cancel`, {});
    expect(cancelled).toMatchObject({ status: 200 });
    const simulator = platform.mounted.adapters.simulators.payzen;
    const refunds = await waitFor('refund', async () => {
      const found = simulator?.refunds() ?? [];
      return found.length > 0 ? found : undefined;
    });
    expect(refunds).toHaveLength(1);
    expect(refunds[0]?.amount).toBe(payment.amountCents);
  });

  it('forged, replayed and unknown-order IPNs change nothing', async () => {
    const booking = await place('2026-06-16T09:00');
    const payment = await startPayment(booking.manageToken);
    await decide(payment.redirectUrl, 'accept');
    await waitFor('confirmation', async () =>
      (await types(bookingStream(booking.bookingId))).includes('BookingConfirmed') ? true : undefined,
    );
    // Settled: the hold saga has confirmed the hold too, so nothing else is on its way to the ledger.
    await waitFor('hold confirmed', async () =>
      (await platform.ledger.readStream(calendarStream(CENTRE, '2026-06-16'))).some(
        (event) => event.type === 'HoldConfirmed' && event.data.bookingId === booking.bookingId,
      )
        ? true
        : undefined,
    );
    await platform.mounted.sagas.runtime.settle();
    const simulator = platform.mounted.adapters.simulators.payzen;
    const delivered = simulator
      ?.ipns()
      .find(
        (ipn) =>
          (JSON.parse(ipn.fields['kr-answer'] ?? '{}') as { orderDetails?: { orderId?: string } })
            .orderDetails?.orderId === payment.paymentId,
      );
    expect(delivered?.status).toBe(200);
    const fields = delivered?.fields ?? {};
    const ipnUrl = `${platform.url}/api/v1/payments/payzen/ipn`;
    // What an accepted notification would change: the booking's stream, the notifications received
    // (each enqueues the job that records the outcome), the jobs of the payment saga.
    const effects = async () => {
      const sql = platform.runtime.sql;
      const sagas = platform.mounted.schema;
      const count = async (query: string) => Number((await sql.query<{ n: string }>(query)).rows[0]?.n);
      return {
        booking: (await types(bookingStream(booking.bookingId))).length,
        notifications: await count(
          `select count(*) as n from ${sagas}.payment_notifications where order_id in ('${payment.paymentId}', '${UNKNOWN_ORDER}')`,
        ),
        jobs: await count(
          `select count(*) as n from ${sagas}.timers where saga = 'payment' and (key like '%${payment.paymentId}%' or key like '%${UNKNOWN_ORDER}%')`,
        ),
        deadLetters: await count(`select count(*) as n from ${sagas}.dead_letters`),
      };
    };
    const before = await effects();

    const forged = await postForm(ipnUrl, { ...fields, 'kr-hash': 'f'.repeat(64) });
    expect(forged.status).toBe(400);
    expect(await forged.json()).toMatchObject({ code: 'invalid_notification' });
    const tampered = JSON.parse(fields['kr-answer'] ?? '{}') as { orderStatus?: string };
    expect(tampered.orderStatus).toBe('PAID');
    const altered = await postForm(ipnUrl, {
      ...fields,
      'kr-answer': JSON.stringify({ ...tampered, orderStatus: 'UNPAID' }),
    });
    expect(altered.status).toBe(400);

    const replayed = await postForm(ipnUrl, fields);
    expect(replayed.status).toBe(200);
    expect(await replayed.json()).toEqual({ status: 'duplicate' });

    const answer = JSON.parse(fields['kr-answer'] ?? '{}') as { orderDetails: Record<string, unknown> };
    answer.orderDetails = { ...answer.orderDetails, orderId: UNKNOWN_ORDER };
    const unknown = await postForm(
      ipnUrl,
      payzenSignedAnswerFields(answer as never, 'password', SIMULATOR_CREDENTIALS.password),
    );
    expect(unknown.status).toBe(200);
    expect(await unknown.json()).toEqual({ status: 'unknown_order' });

    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await effects()).toEqual(before);
  });

  it('books, pays on the simulator over HTTP, confirms, notifies, syncs AdelSoft and completes', async () => {
    const booking = await place('2026-06-16T10:00');
    const payment = await startPayment(booking.manageToken);
    expect(await decide(payment.redirectUrl, 'accept')).toContain('statut=paid');
    await waitFor('confirmation', async () =>
      (await types(bookingStream(booking.bookingId))).includes('BookingConfirmed') ? true : undefined,
    );
    expect(await types(bookingStream(booking.bookingId))).toEqual([
      'BookingPlaced',
      'PaymentRequested',
      'PaymentSucceeded',
      'BookingConfirmed',
    ]);
    const ofBooking = async () =>
      (await platform.ledger.readStream(calendarStream(CENTRE, '2026-06-16')))
        .filter((event) => event.data.bookingId === booking.bookingId)
        .map((event) => event.type);
    // The hold is confirmed by the hold saga reacting to BookingConfirmed.
    expect(
      await waitFor('hold confirmed', async () =>
        (await ofBooking()).length === 2 ? ofBooking() : undefined,
      ),
    ).toEqual(['SlotHeld', 'HoldConfirmed']);

    // The confirmation, read through the API as staff.
    const outbox = await waitFor('confirmation messages', async () => {
      const response = await fetch(
        `${platform.url}/api/v1/ops/outbox?bookingId=${booking.bookingId}&template=confirmation`,
        { headers: staff() },
      );
      const { items } = (await response.json()) as { items: { channel: string; attachments: unknown[] }[] };
      return items.length >= 2 ? items : undefined;
    });
    expect(outbox.map((message) => message.channel).sort()).toEqual(['email', 'sms']);
    expect((await fetch(`${platform.url}/api/v1/ops/outbox`)).status).toBe(401);

    const adelsoft = platform.mounted.adapters.simulators.adelsoft;
    const appointment = await waitFor('AdelSoft push', async () =>
      adelsoft?.appointments().find((a) => a.bookingId === booking.bookingId),
    );
    expect(appointment.centreCode).toBe('LYON-GERLAND');
    expect(appointment.status).toBe('scheduled');

    clock.set('2026-06-16T08:02:00.000Z');
    await checkInBooking(
      platform.writeSide,
      { bookingId: booking.bookingId, inspectorId: booking.inspectorId },
      {
        origin: {
          tenantId: '11111111-1111-4111-8111-111111111111',
          actor: { id: 'controleur-1', role: 'controleur' },
          correlationId: 'check-in',
        },
      },
    );
    const published = await adelsoft?.publishResult({
      bookingId: booking.bookingId,
      centreCode: 'LYON-GERLAND',
      result: 'A',
    });
    expect(published?.webhookStatus).toBe(202);
    await waitFor('completion', async () =>
      (await types(bookingStream(booking.bookingId))).includes('BookingCompleted') ? true : undefined,
    );
    const letters = await fetch(`${platform.url}/api/v1/ops/sagas/dead-letters`, { headers: staff() });
    expect(await letters.json()).toEqual({ items: [] });

    // The same story as public integration events over HTTP: no personal data, resumable.
    // `follow=false` serves what the gap-safe order shows now: wait until the completion is in it.
    const text = await waitFor('the completion in the integration stream', async () => {
      const stream = await fetch(`${platform.url}/api/v1/integration/events?follow=false&aggregate=booking`, {
        headers: staff(),
      });
      expect(stream.headers.get('content-type')).toContain('text/event-stream');
      const body = await stream.text();
      return body.includes('booking.completed') ? body : undefined;
    });
    expect(text).not.toContain('camille');
    expect(text).not.toContain('AB-123-CD');
    const frames = parseFrames(text).filter((frame) => frame.data.aggregateId === booking.bookingId);
    expect(frames.map((frame) => frame.event)).toEqual([
      'booking.placed',
      'booking.payment_succeeded',
      'booking.confirmed',
      'booking.checked_in',
      'booking.completed',
    ]);
    const resumed = await fetch(`${platform.url}/api/v1/integration/events?follow=false&aggregate=booking`, {
      headers: { ...staff(), 'last-event-id': frames[2]?.id ?? '' },
    });
    const after = parseFrames(await resumed.text()).filter(
      (frame) => frame.data.aggregateId === booking.bookingId,
    );
    expect(after.map((frame) => frame.event)).toEqual(['booking.checked_in', 'booking.completed']);
    // Live: the stream follows the ledger from the position it is given.
    const controller = new AbortController();
    const live = await fetch(`${platform.url}/api/v1/integration/events?aggregate=booking`, {
      headers: { ...staff(), 'last-event-id': frames.at(-1)?.id ?? '' },
      signal: controller.signal,
    });
    const reader = live.body?.getReader();
    const next = await place('2026-06-16T17:00');
    let received = '';
    const deadline = Date.now() + 60_000;
    while (reader && !received.includes(next.bookingId) && Date.now() < deadline) {
      const chunk = await reader.read();
      if (chunk.done) break;
      received += new TextDecoder().decode(chunk.value);
    }
    controller.abort();
    const liveFrames = parseFrames(received.slice(0, received.lastIndexOf('\n\n') + 2));
    expect(liveFrames.find((frame) => frame.data.aggregateId === next.bookingId)?.event).toBe(
      'booking.placed',
    );
    expect(liveFrames.some((frame) => frame.data.aggregateId === booking.bookingId)).toBe(false);

    const openapi = (await (await fetch(`${platform.url}/api/v1/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    expect(Object.keys(openapi.paths['/api/v1/manage/{token}/payment'] ?? {})).toEqual(['post']);
    expect(openapi.paths['/api/v1/payments/payzen/ipn']).toBeDefined();
    expect(openapi.paths['/api/v1/ops/outbox']).toBeDefined();
    const bad = await fetch(`${platform.url}/api/v1/integration/events`, {
      headers: { ...staff(), 'last-event-id': 'nope' },
    });
    expect(bad.status).toBe(400);
  });
});

function parseFrames(text: string): { id: string; event: string; data: Record<string, unknown> }[] {
  const frames: { id: string; event: string; data: Record<string, unknown> }[] = [];
  for (const block of text.split('\n\n')) {
    const lines = Object.fromEntries(
      block
        .split('\n')
        .filter((line) => /^(id|event|data): /.test(line))
        .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]),
    );
    if (lines.data !== undefined)
      frames.push({ id: lines.id ?? '', event: lines.event ?? '', data: JSON.parse(lines.data) });
  }
  return frames;
}
