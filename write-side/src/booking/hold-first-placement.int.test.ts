import { bookingStream, calendarStream } from '@pti/events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setUpCentre } from '../centre/centre-setup.js';
import { OPENAPI_PATH } from '../http/openapi.js';
import { bookingBody, testCentre } from '../testing/centre-fixtures.js';
import { buildTestApp, systemMeta, TEST_START, type TestApp } from '../testing/test-app.js';
import { countEvents } from '../testing/test-store.js';
import { holdSlot, releaseOwnHold } from './hold-slot.js';
import { type PlaceBookingInput, placeBooking } from './place-booking.js';
import { resolveHold } from './resolve-hold.js';

/** Picking a slot holds it (issue 8): `POST /api/v1/holds`, then the booking placed on that hold. */

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp('holds_first');
});
afterAll(() => t.close());

type Json = Record<string, unknown>;
async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await t.app.inject({ method: 'POST', url, headers, payload: body as Json });
  return { status: response.statusCode, body: response.json() as Json, headers: response.headers };
}

const meta = systemMeta();
const profile = { controlType: 'CTP', vehicle: { category: 'VP', fuel: 'Essence' } } as const;
const holdInput = (centreId: string, start: string) => ({ centreId, start, ...profile });
function placement(centreId: string, start: string, hold: { id: string; token: string }): PlaceBookingInput {
  const { centreId: _c, ...body } = bookingBody(centreId, start);
  return { centreId, ...(body as Omit<PlaceBookingInput, 'centreId'>), hold };
}
const calendarEvents = async (centreId: string, date: string) =>
  (await t.store.ledger.readStream(calendarStream(centreId, date))).map((event) => event.type);

describe('holding a slot, then booking on the hold (handlers)', () => {
  it('the booking takes the hold: same reservation, booking id and expiry, one SlotHeld', async () => {
    t.clock.set(TEST_START);
    await setUpCentre(t.ctx, testCentre('hold-1'), meta);
    const held = await holdSlot(t.ctx, holdInput('hold-1', '2026-06-03T09:00'), meta);
    expect(held).toMatchObject({
      centreId: 'hold-1',
      start: '2026-06-03T09:00',
      end: '2026-06-03T09:45',
      durationMinutes: 45,
      overbooked: false,
      listPriceCents: 7800,
      holdExpiresAt: '2026-06-01T06:15:00.000Z',
    });
    expect(held.inspectorId).toMatch(/^insp-/);
    expect(await calendarEvents('hold-1', '2026-06-03')).toEqual(['SlotHeld']);
    // No booking stream yet: the hold is an orphan until the form is sent.
    expect(await t.store.ledger.readStream(bookingStream(held.bookingId))).toEqual([]);

    t.clock.advanceMinutes(10);
    const placed = await placeBooking(
      t.ctx,
      placement('hold-1', '2026-06-03T09:00', { id: held.holdId, token: held.holdToken }),
      meta,
    );
    expect(placed).toMatchObject({
      bookingId: held.bookingId,
      reservationId: held.holdId,
      inspectorId: held.inspectorId,
      holdExpiresAt: held.holdExpiresAt,
      status: 'placed',
      priceCents: 7800,
    });
    expect(await calendarEvents('hold-1', '2026-06-03')).toEqual(['SlotHeld']);
    const [booked] = await t.store.ledger.readStream(bookingStream(held.bookingId));
    expect(booked?.data).toMatchObject({ reservationId: held.holdId, holdExpiresAt: held.holdExpiresAt });
  });

  it('refuses an expired hold, a foreign token, a used hold and a different vehicle, appending nothing', async () => {
    t.clock.set(TEST_START);
    await setUpCentre(t.ctx, testCentre('hold-2'), meta);
    const mine = await holdSlot(t.ctx, holdInput('hold-2', '2026-06-03T09:00'), meta);
    const theirs = await holdSlot(t.ctx, holdInput('hold-2', '2026-06-03T10:00'), meta);
    const before = await countEvents(t.store.ledger);

    // Someone else's token, or a forged one.
    await expect(
      placeBooking(
        t.ctx,
        placement('hold-2', '2026-06-03T09:00', { id: mine.holdId, token: theirs.holdToken }),
        meta,
      ),
    ).rejects.toMatchObject({ code: 'INVALID_HOLD_TOKEN', details: { reason: 'wrong_booking' } });
    await expect(
      placeBooking(t.ctx, placement('hold-2', '2026-06-03T09:00', { id: mine.holdId, token: 'x.y' }), meta),
    ).rejects.toMatchObject({ code: 'INVALID_HOLD_TOKEN' });
    // Another start, vehicle or inspector than the hold's.
    await expect(
      placeBooking(
        t.ctx,
        placement('hold-2', '2026-06-03T10:00', { id: mine.holdId, token: mine.holdToken }),
        meta,
      ),
    ).rejects.toMatchObject({
      code: 'INVALID_COMMAND',
      details: { reason: 'HOLD_MISMATCH', field: 'start' },
    });
    await expect(
      placeBooking(
        t.ctx,
        {
          ...placement('hold-2', '2026-06-03T09:00', { id: mine.holdId, token: mine.holdToken }),
          vehicle: { plate: 'AB-123-CD', category: 'VP', fuel: 'Diesel' },
        },
        meta,
      ),
    ).rejects.toMatchObject({
      code: 'INVALID_COMMAND',
      details: { reason: 'HOLD_MISMATCH', field: 'vehicle' },
    });
    expect(await countEvents(t.store.ledger)).toBe(before);

    // Used: a second placement (another request) on a hold already booked.
    await placeBooking(
      t.ctx,
      placement('hold-2', '2026-06-03T09:00', { id: mine.holdId, token: mine.holdToken }),
      meta,
    );
    const afterFirst = await countEvents(t.store.ledger);
    await expect(
      placeBooking(
        t.ctx,
        placement('hold-2', '2026-06-03T09:00', { id: mine.holdId, token: mine.holdToken }),
        meta,
      ),
    ).rejects.toMatchObject({ code: 'HOLD_ALREADY_USED' });
    expect(await countEvents(t.store.ledger)).toBe(afterFirst);

    // Expired: the form came after the hold ran out.
    t.clock.advanceMinutes(15);
    await expect(
      placeBooking(
        t.ctx,
        placement('hold-2', '2026-06-03T10:00', { id: theirs.holdId, token: theirs.holdToken }),
        meta,
      ),
    ).rejects.toMatchObject({ code: 'HOLD_EXPIRED' });
    expect(await countEvents(t.store.ledger)).toBe(afterFirst);
  });

  it('a hold never booked is released by the hold timer at its expiry, from the calendar event alone', async () => {
    t.clock.set(TEST_START);
    await setUpCentre(t.ctx, testCentre('hold-3'), meta);
    const held = await holdSlot(t.ctx, holdInput('hold-3', '2026-06-03T09:00'), meta);
    const [slotHeld] = await t.store.ledger.readStream(calendarStream('hold-3', '2026-06-03'));
    const data = slotHeld?.data as {
      centreId: string;
      date: string;
      reservationId: string;
      bookingId: string;
    };
    // What the hold-release saga's timer carries: the fields of SlotHeld.
    const ref = {
      centreId: data.centreId,
      date: data.date,
      reservationId: data.reservationId,
      bookingId: data.bookingId,
    };
    expect(ref).toEqual({
      centreId: 'hold-3',
      date: '2026-06-03',
      reservationId: held.holdId,
      bookingId: held.bookingId,
    });
    expect(await resolveHold(t.ctx, ref, meta)).toBe('nothing');
    t.clock.advanceMinutes(15);
    expect(await resolveHold(t.ctx, ref, meta)).toBe('released');
    expect(await calendarEvents('hold-3', '2026-06-03')).toEqual(['SlotHeld', 'HoldReleased']);
    expect(await resolveHold(t.ctx, ref, meta)).toBe('nothing');
    // And the released hold can no longer be booked.
    t.clock.set(TEST_START);
    await expect(
      placeBooking(
        t.ctx,
        placement('hold-3', '2026-06-03T09:00', { id: held.holdId, token: held.holdToken }),
        meta,
      ),
    ).rejects.toMatchObject({ code: 'RESERVATION_ENDED' });
  });

  it('the customer may let go of an unbooked hold: released at once, the slot free again', async () => {
    t.clock.set(TEST_START);
    await setUpCentre(
      t.ctx,
      testCentre('hold-4', { inspectors: 1, policy: { overbookingPercent: 0 } }),
      meta,
    );
    const held = await holdSlot(t.ctx, holdInput('hold-4', '2026-06-03T09:00'), meta);
    await expect(holdSlot(t.ctx, holdInput('hold-4', '2026-06-03T09:00'), meta)).rejects.toMatchObject({
      code: 'SLOT_TAKEN',
    });
    const claim = {
      holdId: held.holdId,
      holdToken: held.holdToken,
      centreId: 'hold-4',
      start: '2026-06-03T09:00',
    };
    expect(await releaseOwnHold(t.ctx, claim, meta)).toEqual({ holdId: held.holdId, status: 'released' });
    expect(await calendarEvents('hold-4', '2026-06-03')).toEqual(['SlotHeld', 'HoldReleased']);
    // Releasing again changes nothing.
    expect(await releaseOwnHold(t.ctx, claim, meta)).toEqual({ holdId: held.holdId, status: 'released' });
    expect(await calendarEvents('hold-4', '2026-06-03')).toEqual(['SlotHeld', 'HoldReleased']);
    const again = await holdSlot(t.ctx, holdInput('hold-4', '2026-06-03T09:00'), meta);
    expect(again.holdId).not.toBe(held.holdId);
  });
});

describe('POST /api/v1/holds and POST /api/v1/bookings with hold', () => {
  it('holds, replays by Idempotency-Key, books on the hold and answers problem+json on refusals', async () => {
    t.clock.set(TEST_START);
    await setUpCentre(
      t.ctx,
      testCentre('hold-http', { inspectors: 1, policy: { overbookingPercent: 0 } }),
      meta,
    );
    const body = holdInput('hold-http', '2026-06-03T09:00');
    const held = await post('/api/v1/holds', body, { 'idempotency-key': 'hold-http-1' });
    expect(held).toMatchObject({
      status: 201,
      body: { centreId: 'hold-http', start: '2026-06-03T09:00', holdExpiresAt: '2026-06-01T06:15:00.000Z' },
    });
    const replay = await post('/api/v1/holds', body, { 'idempotency-key': 'hold-http-1' });
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(held.body);
    expect(await calendarEvents('hold-http', '2026-06-03')).toEqual(['SlotHeld']);

    const before = await countEvents(t.store.ledger);
    const taken = await post('/api/v1/holds', body);
    expect(taken.status).toBe(409);
    expect(taken.headers['content-type']).toContain('application/problem+json');
    expect(taken.body).toMatchObject({ code: 'SLOT_TAKEN' });
    const unknownField = await post('/api/v1/holds', { ...body, customer: {} });
    expect(unknownField.status).toBe(400);
    const notApplicable = await post('/api/v1/holds', {
      ...body,
      controlType: 'CTC',
      vehicle: { category: 'moto', fuel: 'Essence' },
    });
    expect(notApplicable.status).toBeGreaterThanOrEqual(400);
    expect(notApplicable.status).toBeLessThan(500);
    expect(await countEvents(t.store.ledger)).toBe(before);

    const hold = { id: held.body.holdId as string, token: held.body.holdToken as string };
    const forged = await post('/api/v1/bookings', {
      ...bookingBody('hold-http', '2026-06-03T09:00'),
      hold: { ...hold, token: `${hold.token}x` },
    });
    expect(forged).toMatchObject({ status: 422, body: { code: 'INVALID_HOLD_TOKEN' } });
    const booked = await post(
      '/api/v1/bookings',
      { ...bookingBody('hold-http', '2026-06-03T09:00'), hold },
      { 'idempotency-key': 'hold-http-book' },
    );
    expect(booked).toMatchObject({
      status: 201,
      body: { bookingId: held.body.bookingId, holdExpiresAt: held.body.holdExpiresAt, status: 'placed' },
    });
    const twice = await post('/api/v1/bookings', { ...bookingBody('hold-http', '2026-06-03T09:00'), hold });
    expect(twice).toMatchObject({ status: 409, body: { code: 'HOLD_ALREADY_USED' } });
    const release = await post(`/api/v1/holds/${hold.id}/release`, {
      token: hold.token,
      centreId: 'hold-http',
      start: '2026-06-03T09:00',
    });
    expect(release).toMatchObject({ status: 409, body: { code: 'HOLD_ALREADY_USED' } });
  });

  it('documents the hold route in OpenAPI', async () => {
    const response = await t.app.inject({ method: 'GET', url: OPENAPI_PATH });
    if (response.statusCode !== 200)
      return expect.fail(`no OpenAPI document at ${OPENAPI_PATH} (${response.statusCode})`);
    const paths = (response.json() as { paths: Record<string, unknown> }).paths;
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining(['/api/v1/holds', '/api/v1/holds/{holdId}/release', '/api/v1/bookings']),
    );
  });
});
