import { bookingEventDefinitions } from '@pti/events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openProjectionSpec, type ProjectionSpec } from '../runtime/testing/projection-spec.js';
import { bookingsProjector } from './bookings-projector.js';
import {
  bookingById,
  bookingByReference,
  bookingForManageLink,
  customerHistory,
  lookupBooking,
} from './bookings-queries.js';
import { applyDirectly, maintain, tablesOf } from './testing/direct.js';
import { LYON, network, TENANT_A, TENANT_B, VILLEURBANNE } from './testing/network.js';
import { openSpecDatabase, type SpecDatabase } from './testing/spec-database.js';
import { afterErasure, erasureRecord, erasureThenNewBooking } from './testing/story.js';

describe('bookings read model', () => {
  let database: SpecDatabase;
  let spec: ProjectionSpec;
  const story = network();
  beforeAll(async () => {
    database = await openSpecDatabase();
    spec = await openProjectionSpec(bookingsProjector, { database: database.db });
  });
  afterAll(async () => {
    await spec.close();
    await database.close();
  });

  const source = (schema: string) => ({ db: database.db, schema });

  it('is specified over every booking event type', () => {
    const types = new Set(story.events.map((event) => event.type));
    for (const type of Object.keys(bookingEventDefinitions)) expect(types, type).toContain(type);
  });

  it('given a placement, then one row with the decrypted contact, the appointment and lookup keys', async () => {
    const placedOnly = story.events.filter(
      (event) => event.type === 'BookingPlaced' && event.data.bookingId === 'b1',
    );
    const run = await spec.given(placedOnly);
    const rows = await run.rows('bookings', [
      'tenant_id',
      'booking_id',
      'status',
      'customer_name',
      'customer_email',
      'customer_phone',
      'vehicle_plate',
      'centre_id',
      'appointment_date',
      'start_local',
      'end_local',
      'price_cents',
      'payment_status',
      'personal_data_erased',
      'last_revision',
    ]);
    expect(rows).toEqual([
      {
        tenant_id: TENANT_A,
        booking_id: 'b1',
        status: 'placed',
        customer_name: 'Camille Martin',
        customer_email: 'camille.martin@example.fr',
        customer_phone: '+33612345678',
        vehicle_plate: 'AB-123-CD',
        centre_id: LYON,
        appointment_date: '2026-03-10',
        start_local: '2026-03-10T09:00',
        end_local: '2026-03-10T09:45',
        price_cents: 7800,
        payment_status: 'none',
        personal_data_erased: false,
        last_revision: 1n,
      },
    ]);
    expect((await run.rows('booking_keys', ['booking_id'])).length).toBe(3);
  });

  it('folds every lifecycle step: payment, confirmation, note, check-in, result, reschedule, cancel, expiry, no-show', async () => {
    const run = await spec.given(story.events);
    const rows = await run.rows('bookings', [
      'booking_id',
      'status',
      'payment_status',
      'paid_cents',
      'inspector_id',
      'result',
      'centre_id',
      'start_local',
      'price_cents',
      'cancelled_by',
      'cancellation_comment',
      'refund_eligible',
    ]);
    const byId = Object.fromEntries(rows.map((row) => [row.booking_id, row]));
    expect(byId.b1).toMatchObject({
      status: 'completed',
      payment_status: 'succeeded',
      paid_cents: 7800,
      result: 'S',
    });
    expect(byId.b1?.inspector_id).toMatch(/^ct-lyon-i[12]$/);
    expect(byId.b2).toMatchObject({
      status: 'cancelled',
      centre_id: VILLEURBANNE,
      start_local: '2026-03-12T14:00',
      cancelled_by: 'customer',
      cancellation_comment: 'Véhicule vendu entre-temps.',
      refund_eligible: false,
      payment_status: 'none',
    });
    expect(byId.b3).toMatchObject({ status: 'expired', payment_status: 'failed', paid_cents: 0 });
    expect(byId.b4).toMatchObject({ status: 'no_show', paid_cents: 6500 });
    expect(byId.b5).toMatchObject({ status: 'placed' });
    expect(byId.b9).toMatchObject({ status: 'confirmed' });

    const detail = await bookingById(source(run.schema), TENANT_A, 'b1');
    expect(detail?.notes).toEqual([
      expect.objectContaining({ noteId: 'note-1', text: 'Client rappelé : viendra avec la carte grise.' }),
    ]);
    expect(detail?.timeline.map((step) => step.type)).toEqual([
      'BookingPlaced',
      'PaymentRequested',
      'PaymentSucceeded',
      'BookingConfirmed',
      'BookingNoteAdded',
      'BookingCheckedIn',
      'BookingCompleted',
    ]);
    expect(detail).toMatchObject({
      reference: story.references.b1,
      contreVisiteDueBy: '2026-05-10',
      placedAt: '2026-03-05T10:00:00.000Z',
      confirmedAt: '2026-03-05T10:03:00.000Z',
      checkedInAt: '2026-03-10T07:55:00.000Z',
      completedAt: '2026-03-10T08:50:00.000Z',
      customer: {
        kind: 'private',
        address: { street: '8 rue des Tanneurs', postcode: '69005', city: 'Lyon' },
      },
    });
    const moved = await bookingById(source(run.schema), TENANT_A, 'b2');
    expect(moved?.reschedules).toEqual([
      {
        from: { centreId: LYON, reservationId: expect.any(String), start: '2026-03-10T11:00' },
        to: { centreId: VILLEURBANNE, reservationId: expect.any(String), start: '2026-03-12T14:00' },
        durationMinutes: 45,
        priceCents: 7800,
        at: '2026-03-06T09:30:00.000Z',
      },
    ]);
    expect(moved?.customer).toMatchObject({
      kind: 'company',
      siret: '73282932000074',
      contactName: 'Éloïse Durand',
    });
  });

  it('is idempotent: the same batch applied again leaves every row unchanged', async () => {
    const run = await spec.given(story.events);
    const before = await tablesOf(database.db, run.schema, bookingsProjector.tables);
    await applyDirectly(database.db, bookingsProjector, run.schema, story.events);
    await applyDirectly(database.db, bookingsProjector, run.schema, story.events.slice(10, 30), {
      mode: 'live',
    });
    expect(await tablesOf(database.db, run.schema, bookingsProjector.tables)).toEqual(before);
  });

  it('isolates tenants: a staff query sees its own tenant only, and nothing without one', async () => {
    const run = await spec.given(story.events);
    const from = source(run.schema);
    expect(await bookingById(from, TENANT_A, 'b1')).toMatchObject({ bookingId: 'b1' });
    expect(await bookingById(from, TENANT_B, 'b1')).toBeUndefined();
    expect(await bookingById(from, null, 'b1')).toBeUndefined();
    expect(await bookingById(from, TENANT_B, 'b9')).toMatchObject({ tenantId: TENANT_B });
    expect(await bookingByReference(from, TENANT_B, story.references.b1 ?? '')).toBeUndefined();
    expect((await customerHistory(from, TENANT_B, 'cust-camille')).items).toEqual([]);
    const { rows } = await database.db.transaction(async (tx) => {
      await tx.exec('set local role pti_reader');
      return tx.query(`select count(*)::int as n from ${run.schema}.bookings`);
    });
    expect(rows).toEqual([{ n: 0 }]);
  });

  it('looks bookings up by reference with e-mail or plate as typed, and by manage link', async () => {
    const run = await spec.given(story.events);
    const from = source(run.schema);
    const reference = story.references.b1 ?? '';
    const typed = reference.toLowerCase().replace('-', ' ');
    expect(
      await lookupBooking(from, { reference: typed, email: ' CAMILLE.martin@example.fr ' }),
    ).toMatchObject({
      bookingId: 'b1',
    });
    expect(await lookupBooking(from, { reference, plate: 'ab123cd' })).toMatchObject({ bookingId: 'b1' });
    expect(await lookupBooking(from, { reference, email: 'someone@example.fr' })).toBeUndefined();
    expect(await lookupBooking(from, { reference, plate: 'CD-456-EF' })).toBeUndefined();
    expect(
      await lookupBooking(from, { reference: 'not a ref', email: 'camille.martin@example.fr' }),
    ).toBeUndefined();
    expect(await bookingForManageLink(from, 'b9')).toMatchObject({ tenantId: TENANT_B, bookingId: 'b9' });
    expect(await bookingForManageLink(from, 'missing')).toBeUndefined();
    expect(await bookingByReference(from, TENANT_A, typed)).toMatchObject({ bookingId: 'b1' });
  });

  it('pages a customer history, newest appointment first', async () => {
    const run = await spec.given(story.events);
    const from = source(run.schema);
    const first = await customerHistory(from, TENANT_A, 'cust-camille', { limit: 1 });
    expect(first.items.map((item) => item.bookingId)).toEqual(['b3']);
    expect(first.nextCursor).not.toBeNull();
    const second = await customerHistory(from, TENANT_A, 'cust-camille', {
      limit: 1,
      cursor: first.nextCursor,
    });
    expect(second).toEqual({
      items: [expect.objectContaining({ bookingId: 'b1', result: 'S' })],
      nextCursor: null,
    });
  });

  it('scrubs a subject exactly as a rebuild after the erasure would project it, and exports it first', async () => {
    const run = await spec.given(story.events);
    const exported = await maintain(database.db, run.schema, (ctx) =>
      bookingsProjector.export!('cust-camille', ctx),
    );
    expect(JSON.stringify(exported)).toContain('Camille Martin');
    const touched = await maintain(database.db, run.schema, (ctx) =>
      bookingsProjector.scrub!('cust-camille', ctx),
    );
    expect(touched).toBeGreaterThan(0);
    expect(
      await maintain(database.db, run.schema, (ctx) => bookingsProjector.scrub!('cust-camille', ctx)),
    ).toBe(0);
    const rebuilt = await spec.given(afterErasure(story.events, 'cust-camille'));
    expect(await tablesOf(database.db, run.schema, bookingsProjector.tables)).toEqual(
      await tablesOf(database.db, rebuilt.schema, bookingsProjector.tables),
    );
    const from = source(run.schema);
    const scrubbed = await bookingById(from, TENANT_A, 'b1');
    expect(scrubbed).toMatchObject({
      personalDataErased: true,
      customer: { name: null, email: null, phone: null, address: null },
      vehicle: { plate: null },
      notes: [expect.objectContaining({ noteId: 'note-1', text: null })],
      result: 'S',
    });
    expect(
      await lookupBooking(from, { reference: story.references.b1 ?? '', plate: 'AB-123-CD' }),
    ).toBeUndefined();
    expect(await bookingById(from, TENANT_B, 'b9')).toMatchObject({ customer: { name: 'Camille Martin' } });
  });

  it('erases at the position of a PersonalDataErased record, sparing what the subject books afterwards', async () => {
    const story2 = network();
    const { before, after } = erasureThenNewBooking(story2.a, 'cust-camille');
    const others = story2.b.events();
    // `given` also checks that one-event batches and one catch-up batch agree around the erasure.
    const live = await spec.given([...before, erasureRecord('cust-camille'), ...after, ...others]);
    const rebuilt = await spec.given([
      ...afterErasure(before, 'cust-camille'),
      erasureRecord('cust-camille'),
      ...after,
      ...others,
    ]);
    expect(await tablesOf(database.db, live.schema, bookingsProjector.tables)).toEqual(
      await tablesOf(database.db, rebuilt.schema, bookingsProjector.tables),
    );
    expect(await bookingById(source(live.schema), TENANT_A, 'b1')).toMatchObject({
      customer: { name: null },
    });
    expect(await bookingById(source(live.schema), TENANT_A, 'b11')).toMatchObject({
      customer: { name: 'Camille Martin', email: 'camille.m@example.fr' },
    });
  });
});
