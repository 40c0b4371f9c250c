import { bookingStream, calendarStream } from '@pti/events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { administerCentre } from '../centre/centre-administration.js';
import { setUpCentre } from '../centre/centre-setup.js';
import { generateWriteSideSecrets } from '../config/write-side-secrets.js';
import { verifyManageToken } from '../domain/booking/manage-token.js';
import { bookingBody, testCentre } from '../testing/centre-fixtures.js';
import { failingLedger, SimulatedCrash } from '../testing/failing-ledger.js';
import { systemMeta, TENANT, TEST_START, testClock } from '../testing/test-app.js';
import { countEvents, openTestStore, type TestStore } from '../testing/test-store.js';
import { createWriteSideContext, type WriteSideOptions } from '../write-side-context.js';
import { checkInBooking, recordNoShow, recordResult } from './booking-lifecycle.js';
import { cancelBooking } from './cancel-booking.js';
import { confirmBooking } from './confirm-booking.js';
import { type PlaceBookingInput, placeBooking } from './place-booking.js';
import { createContreVisiteIndex } from './previous-inspections.js';
import { rescheduleBooking } from './reschedule-booking.js';
import { resolveHold } from './resolve-hold.js';

let store: TestStore;
beforeAll(async () => {
  store = await openTestStore('booking_handlers');
});
afterAll(() => store.close());

const secrets = generateWriteSideSecrets();
function world(options: Partial<WriteSideOptions> = {}) {
  const clock = testClock(TEST_START);
  const ctx = createWriteSideContext({ ledger: store.ledger, secrets, now: clock.now, ...options });
  return { ctx, clock };
}

const meta = systemMeta();
function placement(
  centreId: string,
  start: string,
  overrides: Record<string, unknown> = {},
): PlaceBookingInput {
  const { centreId: _c, ...body } = bookingBody(centreId, start, overrides);
  return { centreId, ...(body as Omit<PlaceBookingInput, 'centreId'>) };
}
const calendarEvents = async (centreId: string, date: string) =>
  (await store.ledger.readStream(calendarStream(centreId, date))).map((event) => event.type);
const bookingEvents = async (bookingId: string) =>
  (await store.ledger.readStream(bookingStream(bookingId))).map((event) => event.type);

describe('placing a booking', () => {
  it('holds the slot, places the booking on it, and signs a manage link', async () => {
    const { ctx, clock } = world();
    await setUpCentre(ctx, testCentre('place-1'), meta);
    const placed = await placeBooking(ctx, placement('place-1', '2026-06-03T09:00'), meta);
    expect(placed).toMatchObject({
      status: 'placed',
      centreId: 'place-1',
      start: '2026-06-03T09:00',
      end: '2026-06-03T09:45',
      priceCents: 7800,
      overbooked: false,
      holdExpiresAt: '2026-06-01T06:15:00.000Z',
    });
    expect(placed.reference).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    expect(placed.inspectorId).toMatch(/^insp-/);
    expect(verifyManageToken(placed.manageToken, secrets.manageTokenSecrets, clock.now())).toMatchObject({
      ok: true,
      bookingId: placed.bookingId,
    });
    expect(await calendarEvents('place-1', '2026-06-03')).toEqual(['SlotHeld']);
    const [held] = await store.ledger.readStream(calendarStream('place-1', '2026-06-03'));
    expect(held?.data).toMatchObject({ bookingId: placed.bookingId, expiresAt: placed.holdExpiresAt });
    const [booked] = await store.ledger.readStream(bookingStream(placed.bookingId));
    expect(booked?.type).toBe('BookingPlaced');
    expect(booked?.metadata).toMatchObject({ tenantId: TENANT, actor: { id: 'test', role: 'system' } });
    expect(booked?.data).toMatchObject({
      vehicle: { plate: 'AB-123-CD' },
      customer: { email: 'camille.martin@example.fr' },
    });
  });

  it('gives one private customer one id, whatever the spelling of their e-mail; a company its SIRET’s', async () => {
    const { ctx } = world();
    await setUpCentre(ctx, testCentre('place-2'), meta);
    const first = await placeBooking(ctx, placement('place-2', '2026-06-03T09:00'), meta);
    const again = await placeBooking(
      ctx,
      placement('place-2', '2026-06-03T10:00', {
        customer: {
          kind: 'private',
          name: 'C. Martin',
          email: '  CAMILLE.martin@Example.FR ',
          phone: '+33612345678',
        },
      }),
      meta,
    );
    const someoneElse = await placeBooking(
      ctx,
      placement('place-2', '2026-06-03T11:00', {
        customer: { kind: 'private', name: 'Other', email: 'other@example.fr', phone: '0612345678' },
      }),
      meta,
    );
    const company = await placeBooking(
      ctx,
      placement('place-2', '2026-06-04T09:00', {
        customer: {
          kind: 'company',
          name: 'Transports Martin',
          siret: '732 829 320 00074',
          email: 'a@b.fr',
          phone: '0478000000',
        },
      }),
      meta,
    );
    const companyAgain = await placeBooking(
      ctx,
      placement('place-2', '2026-06-04T10:00', {
        customer: {
          kind: 'company',
          name: 'TM',
          siret: '73282932000074',
          email: 'other@b.fr',
          phone: '0478000001',
        },
      }),
      meta,
    );
    expect(again.customerId).toBe(first.customerId);
    expect(someoneElse.customerId).not.toBe(first.customerId);
    expect(companyAgain.customerId).toBe(company.customerId);
    // Another tenant (same secret) gives the same person another subject.
    const otherTenant = createWriteSideContext({
      ledger: store.ledger,
      secrets,
      now: () => new Date(TEST_START),
    });
    await setUpCentre(otherTenant, testCentre('place-2-other'), systemMeta('tenant-b'));
    const elsewhere = await placeBooking(
      otherTenant,
      placement('place-2-other', '2026-06-03T09:00'),
      systemMeta('tenant-b'),
    );
    expect(elsewhere.customerId).not.toBe(first.customerId);
  });

  it('refuses bad input before holding anything (nothing appended)', async () => {
    const { ctx } = world();
    await setUpCentre(ctx, testCentre('place-3'), meta);
    const before = await countEvents(store.ledger);
    await expect(
      placeBooking(
        ctx,
        placement('place-3', '2026-06-03T09:00', {
          vehicle: { plate: 'nope', category: 'VP', fuel: 'Diesel' },
        }),
        meta,
      ),
    ).rejects.toMatchObject({ code: 'INVALID_PLATE' });
    await expect(
      placeBooking(
        ctx,
        placement('place-3', '2026-06-03T09:00', {
          customer: { kind: 'private', name: 'X', email: 'not-an-email', phone: '06' },
        }),
        meta,
      ),
    ).rejects.toMatchObject({ code: 'INVALID_COMMAND' });
    await expect(
      placeBooking(ctx, placement('place-3', '2026-06-03T09:00', { controlType: 'CTC' }), meta),
    ).rejects.toMatchObject({ code: 'CONTROL_NOT_APPLICABLE' });
    await expect(placeBooking(ctx, placement('place-3', '2026-06-03T12:15'), meta)).rejects.toMatchObject({
      code: 'OUTSIDE_OPENING_HOURS',
    });
    await expect(placeBooking(ctx, placement('place-3', '2026-06-07T09:00'), meta)).rejects.toMatchObject({
      code: 'CENTRE_CLOSED',
    });
    await expect(placeBooking(ctx, placement('nowhere', '2026-06-03T09:00'), meta)).rejects.toMatchObject({
      code: 'CENTRE_NOT_REGISTERED',
    });
    // Another tenant's centre is unknown to this one.
    await expect(
      placeBooking(ctx, placement('place-3', '2026-06-03T09:00'), systemMeta('tenant-b')),
    ).rejects.toMatchObject({
      code: 'CENTRE_NOT_REGISTERED',
    });
    expect(await countEvents(store.ledger)).toBe(before);
  });

  it('charges nothing for a contre-visite within the window after an S result, found by its reference', async () => {
    const { ctx, clock } = world();
    const index = createContreVisiteIndex(store.ledger, { now: clock.now });
    const withIndex = createWriteSideContext({
      ledger: store.ledger,
      secrets,
      now: clock.now,
      previousInspections: index,
    });
    await setUpCentre(ctx, testCentre('place-4', { policy: { freeContreVisiteDays: 30 } }), meta);
    const control = await placeBooking(ctx, placement('place-4', '2026-06-03T09:00'), meta);
    await confirmBooking(ctx, { bookingId: control.bookingId, paymentMode: 'on_site' }, meta);
    clock.set('2026-06-03T07:05:00.000Z');
    await checkInBooking(ctx, { bookingId: control.bookingId, inspectorId: 'insp-1' }, meta);
    const completed = await recordResult(ctx, { bookingId: control.bookingId, result: 'S' }, meta);
    expect(completed.contreVisiteDueBy).toBe('2026-08-03');
    index.start();
    await expect.poll(() => index.size, { timeout: 5000 }).toBeGreaterThan(0);
    const contreVisite = await placeBooking(
      withIndex,
      placement('place-4', '2026-06-10T09:00', {
        controlType: 'CVP',
        previousBookingReference: control.reference.toLowerCase(),
      }),
      meta,
    );
    expect(contreVisite.priceCents).toBe(0);
    // Another vehicle quoting the same reference pays.
    const otherVehicle = await placeBooking(
      withIndex,
      placement('place-4', '2026-06-10T10:00', {
        controlType: 'CVP',
        previousBookingReference: control.reference,
        vehicle: { plate: 'ZZ-999-ZZ', category: 'VP', fuel: 'Essence' },
      }),
      meta,
    );
    expect(otherVehicle.priceCents).toBe(2500);
    await index.stop();
  });
});

describe('the booking lifecycle', () => {
  it('confirms on site (booking, then calendar), idempotently', async () => {
    const { ctx } = world();
    await setUpCentre(ctx, testCentre('life-1'), meta);
    const placed = await placeBooking(ctx, placement('life-1', '2026-06-03T09:00'), meta);
    const confirmed = await confirmBooking(
      ctx,
      { bookingId: placed.bookingId, paymentMode: 'on_site' },
      meta,
    );
    expect(confirmed.status).toBe('confirmed');
    const again = await confirmBooking(ctx, { bookingId: placed.bookingId, paymentMode: 'on_site' }, meta);
    expect(again.status).toBe('confirmed');
    expect(await bookingEvents(placed.bookingId)).toEqual(['BookingPlaced', 'BookingConfirmed']);
    expect(await calendarEvents('life-1', '2026-06-03')).toEqual(['SlotHeld', 'HoldConfirmed']);
  });

  it('refuses to confirm after the hold ran out, appending nothing', async () => {
    const { ctx, clock } = world();
    await setUpCentre(ctx, testCentre('life-2'), meta);
    const placed = await placeBooking(ctx, placement('life-2', '2026-06-03T09:00'), meta);
    clock.advanceMinutes(16);
    await expect(
      confirmBooking(ctx, { bookingId: placed.bookingId, paymentMode: 'on_site' }, meta),
    ).rejects.toMatchObject({
      code: 'HOLD_EXPIRED',
    });
    expect(await bookingEvents(placed.bookingId)).toEqual(['BookingPlaced']);
    expect(await calendarEvents('life-2', '2026-06-03')).toEqual(['SlotHeld']);
  });

  it('lets the customer cancel before the cut-off only; staff at any time; the calendar is freed', async () => {
    const { ctx, clock } = world();
    await setUpCentre(ctx, testCentre('life-3'), meta);
    const early = await placeBooking(ctx, placement('life-3', '2026-06-03T09:00'), meta);
    await confirmBooking(ctx, { bookingId: early.bookingId, paymentMode: 'on_site' }, meta);
    const cancelled = await cancelBooking(
      ctx,
      { bookingId: early.bookingId, by: 'customer', reason: 'customer_request' },
      meta,
    );
    expect(cancelled).toMatchObject({ status: 'cancelled', refundEligible: false });
    // Cancelling again answers the same (a retry), appending nothing.
    await cancelBooking(
      ctx,
      { bookingId: early.bookingId, by: 'customer', reason: 'customer_request' },
      meta,
    );
    expect(await calendarEvents('life-3', '2026-06-03')).toEqual([
      'SlotHeld',
      'HoldConfirmed',
      'ReservationFreed',
    ]);

    const late = await placeBooking(ctx, placement('life-3', '2026-06-03T10:00'), meta);
    await confirmBooking(ctx, { bookingId: late.bookingId, paymentMode: 'on_site' }, meta);
    clock.set('2026-06-02T08:30:00.000Z'); // 10:30 the day before: past the 24 h cut-off of 10:00
    const before = await countEvents(store.ledger);
    await expect(
      cancelBooking(ctx, { bookingId: late.bookingId, by: 'customer', reason: 'customer_request' }, meta),
    ).rejects.toMatchObject({ code: 'TOO_LATE_TO_CANCEL' });
    expect(await countEvents(store.ledger)).toBe(before);
    const byStaff = await cancelBooking(
      ctx,
      { bookingId: late.bookingId, by: 'centre', reason: 'centre_closure', comment: 'pont en panne' },
      meta,
    );
    expect(byStaff.status).toBe('cancelled');
  });

  it('reschedules to another day and another centre: new slot confirmed, old one freed, new price', async () => {
    const { ctx } = world();
    await setUpCentre(ctx, testCentre('life-4a'), meta);
    await setUpCentre(
      ctx,
      {
        ...testCentre('life-4b'),
        priceList: testCentre('life-4b').priceList.map((p) => ({ ...p, priceCents: p.priceCents + 500 })),
      },
      meta,
    );
    const placed = await placeBooking(ctx, placement('life-4a', '2026-06-03T09:00'), meta);
    await confirmBooking(ctx, { bookingId: placed.bookingId, paymentMode: 'on_site' }, meta);
    const sameCentre = await rescheduleBooking(
      ctx,
      { bookingId: placed.bookingId, start: '2026-06-05T14:00', by: 'customer' },
      meta,
    );
    expect(sameCentre).toMatchObject({ status: 'confirmed', start: '2026-06-05T14:00', priceCents: 7800 });
    expect(await calendarEvents('life-4a', '2026-06-03')).toEqual([
      'SlotHeld',
      'HoldConfirmed',
      'ReservationFreed',
    ]);
    expect(await calendarEvents('life-4a', '2026-06-05')).toEqual(['SlotHeld', 'HoldConfirmed']);
    const moved = await rescheduleBooking(
      ctx,
      { bookingId: placed.bookingId, centreId: 'life-4b', start: '2026-06-06T08:30', by: 'call_centre' },
      meta,
    );
    expect(moved).toMatchObject({ centreId: 'life-4b', start: '2026-06-06T08:30', priceCents: 8300 });
    expect(await calendarEvents('life-4a', '2026-06-05')).toEqual([
      'SlotHeld',
      'HoldConfirmed',
      'ReservationFreed',
    ]);
    expect(await calendarEvents('life-4b', '2026-06-06')).toEqual(['SlotHeld', 'HoldConfirmed']);
  });

  it('a reschedule that cannot get its slot leaves the booking and calendars untouched', async () => {
    const { ctx } = world();
    await setUpCentre(ctx, testCentre('life-5', { inspectors: 1, policy: { overbookingPercent: 0 } }), meta);
    const mine = await placeBooking(ctx, placement('life-5', '2026-06-03T09:00'), meta);
    await confirmBooking(ctx, { bookingId: mine.bookingId, paymentMode: 'on_site' }, meta);
    await placeBooking(ctx, placement('life-5', '2026-06-04T09:00'), meta);
    const before = await countEvents(store.ledger);
    await expect(
      rescheduleBooking(ctx, { bookingId: mine.bookingId, start: '2026-06-04T09:00', by: 'customer' }, meta),
    ).rejects.toMatchObject({ code: 'SLOT_TAKEN' });
    expect(await countEvents(store.ledger)).toBe(before);
    expect(await bookingEvents(mine.bookingId)).toEqual(['BookingPlaced', 'BookingConfirmed']);
  });

  it('checks in on the day, records the result, records a no-show after the start and frees its slot', async () => {
    const { ctx, clock } = world();
    await setUpCentre(ctx, testCentre('life-6'), meta);
    const a = await placeBooking(ctx, placement('life-6', '2026-06-03T09:00'), meta);
    const b = await placeBooking(ctx, placement('life-6', '2026-06-03T10:00'), meta);
    await confirmBooking(ctx, { bookingId: a.bookingId, paymentMode: 'on_site' }, meta);
    await confirmBooking(ctx, { bookingId: b.bookingId, paymentMode: 'on_site' }, meta);
    await expect(checkInBooking(ctx, { bookingId: a.bookingId }, meta)).rejects.toMatchObject({
      code: 'INVALID_TRANSITION',
    });
    clock.set('2026-06-03T06:55:00.000Z');
    expect(await checkInBooking(ctx, { bookingId: a.bookingId, inspectorId: 'insp-1' }, meta)).toMatchObject({
      status: 'checked_in',
      inspectorId: 'insp-1',
    });
    expect(await recordResult(ctx, { bookingId: a.bookingId, result: 'A' }, meta)).toMatchObject({
      status: 'completed',
      result: 'A',
      contreVisiteDueBy: null,
    });
    await expect(recordNoShow(ctx, { bookingId: b.bookingId }, meta)).rejects.toMatchObject({
      code: 'INVALID_TRANSITION',
    });
    clock.set('2026-06-03T08:20:00.000Z');
    expect(await recordNoShow(ctx, { bookingId: b.bookingId }, meta)).toMatchObject({ status: 'no_show' });
    expect(
      (await calendarEvents('life-6', '2026-06-03')).filter((type) => type === 'ReservationFreed'),
    ).toHaveLength(1);
  });
});

describe('crash recovery of multi-stream commands', () => {
  it('place: dying between the hold and the booking leaves a hold the timer finds; the slot frees at expiry', async () => {
    let crash = false;
    const clock = testClock(TEST_START);
    const ledger = failingLedger(store.ledger, (stream) => crash && stream.startsWith('booking-'));
    const ctx = createWriteSideContext({ ledger, secrets, now: clock.now });
    await setUpCentre(ctx, testCentre('crash-1', { inspectors: 1, policy: { overbookingPercent: 0 } }), meta);
    crash = true;
    await expect(placeBooking(ctx, placement('crash-1', '2026-06-03T09:00'), meta)).rejects.toBeInstanceOf(
      SimulatedCrash,
    );
    crash = false;
    // The calendar alone says which booking the hold was for and when it runs out.
    const [held] = await store.ledger.readStream(calendarStream('crash-1', '2026-06-03'));
    expect(held?.type).toBe('SlotHeld');
    const hold = held?.data as { reservationId: string; bookingId: string; expiresAt: string };
    expect(hold.expiresAt).toBe('2026-06-01T06:15:00.000Z');
    expect(await store.ledger.readStream(bookingStream(hold.bookingId))).toHaveLength(0);
    const ref = {
      centreId: 'crash-1',
      date: '2026-06-03',
      reservationId: hold.reservationId,
      bookingId: hold.bookingId,
    };
    // Until it runs out, the slot stays taken and the timer leaves it alone.
    await expect(placeBooking(ctx, placement('crash-1', '2026-06-03T09:00'), meta)).rejects.toMatchObject({
      code: 'SLOT_TAKEN',
    });
    expect(await resolveHold(ctx, ref, meta)).toBe('nothing');
    // From expiresAt on, the time is free, even before the release is recorded...
    clock.advanceMinutes(15);
    const next = await placeBooking(ctx, placement('crash-1', '2026-06-03T09:00'), meta);
    expect(next.status).toBe('placed');
    // ... and the timer records the release.
    expect(await resolveHold(ctx, ref, meta)).toBe('released');
    expect(await resolveHold(ctx, ref, meta)).toBe('nothing');
  });

  it('place: a retry with the same Idempotency-Key finishes on the same hold', async () => {
    let crash = false;
    const clock = testClock(TEST_START);
    const ctx = createWriteSideContext({
      ledger: failingLedger(store.ledger, (stream) => crash && stream.startsWith('booking-')),
      secrets,
      now: clock.now,
    });
    await setUpCentre(ctx, testCentre('crash-2', { inspectors: 1, policy: { overbookingPercent: 0 } }), meta);
    const keyed = systemMeta(TENANT, 'key-crash-2');
    crash = true;
    await expect(placeBooking(ctx, placement('crash-2', '2026-06-03T09:00'), keyed)).rejects.toBeInstanceOf(
      SimulatedCrash,
    );
    crash = false;
    const placed = await placeBooking(ctx, placement('crash-2', '2026-06-03T09:00'), keyed);
    expect(await calendarEvents('crash-2', '2026-06-03')).toEqual(['SlotHeld']);
    const again = await placeBooking(ctx, placement('crash-2', '2026-06-03T09:00'), keyed);
    expect(again.bookingId).toBe(placed.bookingId);
    expect(again.reference).toBe(placed.reference);
    expect(await bookingEvents(placed.bookingId)).toEqual(['BookingPlaced']);
  });

  it('confirm: dying between the booking and the calendar is finished by a retry or by the hold timer', async () => {
    let crash = false;
    const clock = testClock(TEST_START);
    const ctx = createWriteSideContext({
      ledger: failingLedger(store.ledger, (stream) => crash && stream.startsWith('calendar-')),
      secrets,
      now: clock.now,
    });
    await setUpCentre(ctx, testCentre('crash-3'), meta);
    const first = await placeBooking(ctx, placement('crash-3', '2026-06-03T09:00'), meta);
    const second = await placeBooking(ctx, placement('crash-3', '2026-06-03T10:00'), meta);
    crash = true;
    await expect(
      confirmBooking(ctx, { bookingId: first.bookingId, paymentMode: 'on_site' }, meta),
    ).rejects.toBeInstanceOf(SimulatedCrash);
    await expect(
      confirmBooking(ctx, { bookingId: second.bookingId, paymentMode: 'on_site' }, meta),
    ).rejects.toBeInstanceOf(SimulatedCrash);
    crash = false;
    expect(await bookingEvents(first.bookingId)).toEqual(['BookingPlaced', 'BookingConfirmed']);
    expect(await calendarEvents('crash-3', '2026-06-03')).toEqual(['SlotHeld', 'SlotHeld']);
    // A retry finishes the first...
    expect(
      (await confirmBooking(ctx, { bookingId: first.bookingId, paymentMode: 'on_site' }, meta)).status,
    ).toBe('confirmed');
    // ... the hold timer, at expiry, the second.
    clock.advanceMinutes(16);
    const ref = {
      centreId: 'crash-3',
      date: '2026-06-03',
      reservationId: second.reservationId,
      bookingId: second.bookingId,
    };
    expect(await resolveHold(ctx, ref, meta)).toBe('confirmed');
    expect(await calendarEvents('crash-3', '2026-06-03')).toEqual([
      'SlotHeld',
      'SlotHeld',
      'HoldConfirmed',
      'HoldConfirmed',
    ]);
  });

  it('reschedule: dying after the new hold leaves the booking intact; the orphan hold is released at expiry', async () => {
    let crash = false;
    const clock = testClock(TEST_START);
    const ctx = createWriteSideContext({
      ledger: failingLedger(store.ledger, (stream) => crash && stream.startsWith('booking-')),
      secrets,
      now: clock.now,
    });
    await setUpCentre(ctx, testCentre('crash-4'), meta);
    const placed = await placeBooking(ctx, placement('crash-4', '2026-06-03T09:00'), meta);
    await confirmBooking(ctx, { bookingId: placed.bookingId, paymentMode: 'on_site' }, meta);
    crash = true;
    await expect(
      rescheduleBooking(
        ctx,
        { bookingId: placed.bookingId, start: '2026-06-04T09:00', by: 'customer' },
        meta,
      ),
    ).rejects.toBeInstanceOf(SimulatedCrash);
    crash = false;
    expect(await bookingEvents(placed.bookingId)).toEqual(['BookingPlaced', 'BookingConfirmed']);
    expect(await calendarEvents('crash-4', '2026-06-03')).toEqual(['SlotHeld', 'HoldConfirmed']);
    const [orphan] = await store.ledger.readStream(calendarStream('crash-4', '2026-06-04'));
    const hold = orphan?.data as { reservationId: string; bookingId: string };
    expect(hold.bookingId).toBe(placed.bookingId);
    clock.advanceMinutes(16);
    const ref = {
      centreId: 'crash-4',
      date: '2026-06-04',
      reservationId: hold.reservationId,
      bookingId: hold.bookingId,
    };
    expect(await resolveHold(ctx, ref, meta)).toBe('released');
    expect(await calendarEvents('crash-4', '2026-06-04')).toEqual(['SlotHeld', 'HoldReleased']);
  });

  it('a placed booking never confirmed expires with its hold', async () => {
    const { ctx, clock } = world();
    await setUpCentre(ctx, testCentre('crash-5'), meta);
    const placed = await placeBooking(ctx, placement('crash-5', '2026-06-03T09:00'), meta);
    clock.advanceMinutes(15);
    const ref = {
      centreId: 'crash-5',
      date: '2026-06-03',
      reservationId: placed.reservationId,
      bookingId: placed.bookingId,
    };
    expect(await resolveHold(ctx, ref, meta)).toBe('expired');
    expect(await bookingEvents(placed.bookingId)).toEqual(['BookingPlaced', 'BookingExpired']);
    expect(await calendarEvents('crash-5', '2026-06-03')).toEqual(['SlotHeld', 'HoldReleased']);
  });
});

describe('keyed commands on one stream', () => {
  it('a repeated keyed command the decider would now refuse is recognised as already applied', async () => {
    const { ctx } = world();
    await setUpCentre(ctx, testCentre('keyed-1'), meta);
    const keyed = systemMeta(TENANT, 'closure-key');
    const command = {
      type: 'AddClosure',
      centreId: 'keyed-1',
      closureId: 'noel',
      from: '2026-12-25',
      to: '2026-12-25',
      label: 'Noël',
    } as const;
    const first = await administerCentre(ctx, command, keyed);
    const again = await administerCentre(ctx, command, keyed);
    expect(again.revision).toBe(first.revision);
    await expect(administerCentre(ctx, command, systemMeta(TENANT, 'another-key'))).rejects.toMatchObject({
      code: 'CLOSURE_ALREADY_EXISTS',
    });
  });
});
