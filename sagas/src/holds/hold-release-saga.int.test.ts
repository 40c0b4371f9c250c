import { randomUUID } from 'node:crypto';
import { bookingStream, calendarStream } from '@pti/events';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SagaCommands } from '../commands/saga-commands.js';
import { manualClock } from '../runtime/clock.js';
import { createSagaRuntime, type SagaRuntime } from '../runtime/saga-runtime.js';
import { claimDueTimers, listDeadLetters, listTimers } from '../runtime/saga-store.js';
import { createLedgerWorld, type LedgerWorld, WORLD_START } from '../testing/ledger-world.js';
import { closeTestStores, type TestStores, testBackends } from '../testing/test-stores.js';
import { HOLD_TIMER_KIND, HOLDS_SAGA, holdReleaseSaga } from './hold-release-saga.js';

const CENTRE = 'lyon-gerland';
const MINUTE = 60_000;

afterAll(closeTestStores);

describe.each(testBackends())('hold release on $name', (backend) => {
  let stores: TestStores;
  let world: LedgerWorld;
  let runtimes: SagaRuntime[];

  const runtimeWith = (commands: SagaCommands = world.commands) => {
    const runtime = createSagaRuntime({
      ledger: stores.ledger,
      sql: stores.sql,
      schema: stores.schema,
      sagas: [holdReleaseSaga({ commands })],
      clock: world.clock,
      leaseMs: 5 * MINUTE,
      backoff: { baseMs: 1_000, maxMs: MINUTE, jitter: 0 },
    });
    runtimes.push(runtime);
    return runtime;
  };
  const idle = (runtime: SagaRuntime) => runtime.runUntilIdle({ until: stores.head });
  const calendarTypes = () => world.types(calendarStream(CENTRE, '2026-06-16'));
  const count = (types: string[], type: string) => types.filter((t) => t === type).length;

  beforeEach(async () => {
    stores = await backend.open();
    world = createLedgerWorld(stores.ledger, manualClock(WORLD_START));
    runtimes = [];
    await world.registerCentre(CENTRE);
  });

  afterEach(async () => {
    for (const runtime of runtimes) await runtime.stop();
    await stores.close();
  });

  it('releases an unconfirmed hold and expires its booking when the hold time is up, once', async () => {
    const slot = await world.book({ centreId: CENTRE, start: '10:00' });
    const runtime = runtimeWith();
    await runtime.start({ poll: false });
    await idle(runtime);
    const [timer] = await listTimers(stores.sql, stores.schema, { saga: HOLDS_SAGA, kind: HOLD_TIMER_KIND });
    expect(timer?.key).toBe(slot.reservationId);
    expect(timer?.dueAt.toISOString()).toBe(slot.expiresAt);

    world.clock.advance(14 * MINUTE);
    await idle(runtime);
    expect(await calendarTypes()).toEqual(['SlotHeld']);

    world.clock.advance(MINUTE);
    await idle(runtime);
    const calendar = await world.events(calendarStream(CENTRE, '2026-06-16'));
    expect(calendar.map((event) => event.type)).toEqual(['SlotHeld', 'HoldReleased']);
    expect(calendar[1]?.data.reason).toBe('expired');
    expect(calendar[1]?.metadata.actor).toEqual({ id: 'saga:holds', role: 'system' });
    expect(await world.types(bookingStream(slot.bookingId))).toEqual(['BookingPlaced', 'BookingExpired']);
    expect(await listTimers(stores.sql, stores.schema)).toEqual([]);
  });

  it('releases exactly once across restarts, a crash after the commands included', async () => {
    const slot = await world.book({ centreId: CENTRE, start: '10:30' });
    const first = runtimeWith();
    await first.start({ poll: false });
    await idle(first);
    await first.stop();

    // The process that claims the due timer dies before it runs it.
    world.clock.advance(15 * MINUTE);
    const claimed = await claimDueTimers(stores.sql, stores.schema, {
      now: world.clock.now(),
      limit: 10,
      leaseMs: 5 * MINUTE,
      sagas: [HOLDS_SAGA],
    });
    expect(claimed.map((timer) => timer.key)).toEqual([slot.reservationId]);

    // Another process: the claim shields the timer until its lease ends.
    let crashAfterExpiry = true;
    const crashing: SagaCommands = {
      ...world.commands,
      expireBooking: async (input, origin) => {
        const outcome = await world.commands.expireBooking(input, origin);
        // The booking expired, then the process died before releasing the hold.
        if (crashAfterExpiry) {
          crashAfterExpiry = false;
          throw new Error('killed');
        }
        return outcome;
      },
    };
    const second = runtimeWith(crashing);
    await second.start({ poll: false });
    expect(await second.pollOnce()).toBe(0);
    world.clock.advance(5 * MINUTE);
    expect(await second.pollOnce()).toBe(1);
    await second.stop();

    // A third process picks the retry up after its backoff.
    const third = runtimeWith();
    await third.start({ poll: false });
    world.clock.advance(MINUTE);
    await idle(third);

    const types = await calendarTypes();
    expect(count(types, 'HoldReleased')).toBe(1);
    expect(await world.types(bookingStream(slot.bookingId))).toEqual(['BookingPlaced', 'BookingExpired']);
    // The retry expired the booking again (a no-op) and released the hold: each event once.
    expect(world.received.filter((r) => r.command === 'ExpireBooking').length).toBe(2);
    expect(world.received.filter((r) => r.command === 'ReleaseHold').length).toBe(1);
    expect(await listTimers(stores.sql, stores.schema)).toEqual([]);
    expect(await listDeadLetters(stores.sql, stores.schema)).toEqual([]);
  });

  it('releases an orphan hold (its booking was never placed), found from the calendar events alone', async () => {
    const slot = await world.book({ centreId: CENTRE, start: '11:00', place: false });
    const runtime = runtimeWith();
    await runtime.start({ poll: false });
    world.clock.advance(16 * MINUTE);
    await idle(runtime);
    expect(await calendarTypes()).toEqual(['SlotHeld', 'HoldReleased']);
    expect(await world.types(bookingStream(slot.bookingId))).toEqual([]);
    expect(world.received.map((r) => r.command)).toEqual(['ExpireBooking', 'ReleaseHold']);
  });

  it('never releases a hold confirmed in time (the timer is cancelled)', async () => {
    const slot = await world.book({ centreId: CENTRE, start: '14:00', paymentMode: 'on_site' });
    await world.confirmOnSite(slot);
    const runtime = runtimeWith();
    await runtime.start({ poll: false });
    await idle(runtime);
    expect(await listTimers(stores.sql, stores.schema, { kind: HOLD_TIMER_KIND })).toEqual([]);
    world.clock.advance(60 * MINUTE);
    await idle(runtime);
    expect(await calendarTypes()).toEqual(['SlotHeld', 'HoldConfirmed']);
  });

  it('confirms the hold of a booking paid while the saga lagged, instead of releasing it', async () => {
    const slot = await world.book({ centreId: CENTRE, start: '15:00' });
    const first = runtimeWith();
    await first.start({ poll: false });
    await idle(first);
    await first.stop();

    // Paid a minute before the end of the hold; the write side died before confirming the hold.
    const paymentId = randomUUID();
    const amount = await world.requestPayment(slot.bookingId, paymentId, 'simulator');
    world.clock.advance(14 * MINUTE);
    await world.commands.recordPaymentSucceeded(
      {
        bookingId: slot.bookingId,
        paymentId,
        provider: 'simulator',
        amountCents: amount,
        providerTransactionId: 'tx-1',
      },
      {
        tenantId: 'tenant-test',
        actor: { id: 'api', role: 'system' },
        correlationId: 'c',
        causationId: null,
      },
    );
    world.clock.advance(2 * MINUTE);

    // The timer fires before the saga has read the confirmation: the booking decider arbitrates.
    const lagging = runtimeWith();
    await lagging.start({ subscribe: false, poll: false });
    expect(await lagging.pollOnce()).toBe(1);
    expect(await calendarTypes()).toEqual(['SlotHeld', 'HoldConfirmed']);
    expect(await world.types(bookingStream(slot.bookingId))).toEqual([
      'BookingPlaced',
      'PaymentRequested',
      'PaymentSucceeded',
      'BookingConfirmed',
    ]);
  });

  it('does not dead-letter the confirmation of a hold its cancellation released first', async () => {
    const slot = await world.book({ centreId: CENTRE, start: '16:00' });
    const runtime = runtimeWith();
    await runtime.start({ poll: false });
    await idle(runtime);
    const origin = {
      tenantId: 'tenant-test',
      actor: { id: 'api', role: 'system' as const },
      correlationId: 'c',
      causationId: null,
    };
    const paymentId = randomUUID();
    const amount = await world.requestPayment(slot.bookingId, paymentId, 'simulator');
    await world.commands.recordPaymentSucceeded(
      {
        bookingId: slot.bookingId,
        paymentId,
        provider: 'simulator',
        amountCents: amount,
        providerTransactionId: 'tx-2',
      },
      origin,
    );
    // The saga reads the confirmation (its ConfirmHold job is due) but has not run the job yet when
    // the customer cancels and the write side releases the hold.
    await runtime.settle({ until: stores.head });
    await world.cancel(slot.bookingId);
    await world.commands.releaseHold({ ...slot, reason: 'cancelled' }, origin);
    await idle(runtime);
    expect(await calendarTypes()).toEqual(['SlotHeld', 'HoldReleased']);
    expect(await listDeadLetters(stores.sql, stores.schema)).toEqual([]);
  });

  it('finishes the calendar side of a confirmation and of a cancellation', async () => {
    const slot = await world.book({ centreId: CENTRE, start: '16:00' });
    const paymentId = randomUUID();
    const amount = await world.requestPayment(slot.bookingId, paymentId, 'simulator');
    const runtime = runtimeWith();
    await runtime.start({ poll: false });
    await world.commands.recordPaymentSucceeded(
      {
        bookingId: slot.bookingId,
        paymentId,
        provider: 'simulator',
        amountCents: amount,
        providerTransactionId: 'tx-2',
      },
      {
        tenantId: 'tenant-test',
        actor: { id: 'api', role: 'system' },
        correlationId: 'c',
        causationId: null,
      },
    );
    await idle(runtime);
    expect(await calendarTypes()).toEqual(['SlotHeld', 'HoldConfirmed']);

    await world.cancel(slot.bookingId);
    await idle(runtime);
    const calendar = await world.events(calendarStream(CENTRE, '2026-06-16'));
    expect(calendar.map((event) => event.type)).toEqual(['SlotHeld', 'HoldConfirmed', 'ReservationFreed']);
    expect(calendar[2]?.data.reason).toBe('cancelled');
  });
});
