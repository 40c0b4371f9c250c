import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyDirectly, maintain, tablesOf } from '../bookings/testing/direct.js';
import { DAY, LYON, NANTES, network, TENANT_A, TENANT_B } from '../bookings/testing/network.js';
import { openSpecDatabase, type SpecDatabase } from '../bookings/testing/spec-database.js';
import { afterErasure, erasureRecord, erasureThenNewBooking } from '../bookings/testing/story.js';
import { openProjectionSpec, type ProjectionSpec } from '../runtime/testing/projection-spec.js';
import { agendaProjector } from './agenda-projector.js';
import { centreDayAgenda } from './agenda-queries.js';

/** The shared network, plus a busy 09:00 at Lyon: an overbooked hold, a freed inspector, a move. */
function agendaStory() {
  const story = network();
  const { a } = story;
  a.place({
    bookingId: 'b6',
    customerId: 'cust-hugo',
    centreId: LYON,
    date: DAY,
    start: '09:00',
    at: '2026-03-09T10:00:00.000Z',
    plate: 'BC-111-DE',
    customer: { kind: 'private', name: 'Hugo Petit', email: 'hugo.petit@example.fr', phone: '0600000001' },
  });
  a.confirmOnSite('b6', '2026-03-09T10:01:00.000Z');
  a.place({
    bookingId: 'b7',
    customerId: 'cust-ines',
    centreId: LYON,
    date: DAY,
    start: '09:00',
    at: '2026-03-09T11:00:00.000Z',
    plate: 'FG-222-HJ',
    customer: { kind: 'private', name: 'Inès Roux', email: 'ines.roux@example.fr', phone: '0600000002' },
  });
  a.confirmOnSite('b7', '2026-03-09T11:01:00.000Z');
  a.cancel('b6', '2026-03-09T12:00:00.000Z', { by: 'centre', reason: 'inspector_unavailable' });
  a.block(LYON, DAY, '2026-03-09T12:30:00.000Z', {
    blockId: 'block-2',
    from: '16:00',
    to: '17:00',
    inspectorId: `${LYON}-i2`,
    label: 'Formation',
  });
  a.unblock(LYON, DAY, '2026-03-09T12:40:00.000Z', 'block-2');
  a.reassign('b5', '2026-03-09T16:05:00.000Z', `${LYON}-i2`);
  a.centre(
    [
      {
        type: 'AddInspector',
        centreId: LYON,
        inspectorId: `${LYON}-i3`,
        name: 'Paul Girard',
        userId: null,
        accreditations: ['VL'],
      },
      {
        type: 'ChangeInspectorAccreditations',
        centreId: LYON,
        inspectorId: `${LYON}-i1`,
        accreditations: ['VL', 'L', 'GAZ'],
      },
      { type: 'RemoveInspector', centreId: LYON, inspectorId: `${LYON}-i3` },
    ],
    '2026-03-09T16:10:00.000Z',
  );
  return { ...story, events: [...a.events(), ...story.b.events()] };
}

describe('agenda read model', () => {
  let database: SpecDatabase;
  let spec: ProjectionSpec;
  const story = agendaStory();
  const types = new Set(story.events.map((event) => event.type));
  beforeAll(async () => {
    database = await openSpecDatabase();
    spec = await openProjectionSpec(agendaProjector, { database: database.db });
  });
  afterAll(async () => {
    await spec.close();
    await database.close();
  });
  const source = (schema: string) => ({ db: database.db, schema });

  it('covers every calendar and inspector event type it handles', () => {
    for (const type of [
      'SlotHeld',
      'HoldConfirmed',
      'HoldReleased',
      'ReservationFreed',
      'PeriodBlocked',
      'PeriodUnblocked',
      'InspectorReassigned',
      'OverbookedReservationAssigned',
      'InspectorAdded',
      'InspectorAccreditationsChanged',
      'InspectorRemoved',
    ])
      expect(types).toContain(type);
  });

  it('plans a centre day from calendar and booking events', async () => {
    const run = await spec.given(story.events);
    const agenda = await centreDayAgenda(source(run.schema), TENANT_A, LYON, DAY);
    expect(agenda.inspectors).toEqual([
      { inspectorId: `${LYON}-i1`, name: 'Karim Benali', accreditations: ['VL', 'L', 'GAZ'], active: true },
      { inspectorId: `${LYON}-i2`, name: 'Sophie Lambert', accreditations: ['VL', 'L'], active: true },
      { inspectorId: `${LYON}-i3`, name: 'Paul Girard', accreditations: ['VL'], active: false },
    ]);
    const plan = agenda.entries.map((entry) => ({
      start: entry.start,
      kind: entry.kind,
      status: entry.status,
      inspectorId: entry.inspectorId,
      overbooked: entry.overbooked,
      booking: entry.booking?.bookingId ?? null,
    }));
    // b2 moved to Villeurbanne and b6 was cancelled: neither is on the plan any more; the block-2 was lifted.
    expect(plan).toEqual([
      {
        start: '09:00',
        kind: 'reservation',
        status: 'completed',
        inspectorId: `${LYON}-i1`,
        overbooked: false,
        booking: 'b1',
      },
      {
        start: '09:00',
        kind: 'reservation',
        status: 'confirmed',
        inspectorId: `${LYON}-i2`,
        overbooked: true,
        booking: 'b7',
      },
      {
        start: '10:00',
        kind: 'reservation',
        status: 'no_show',
        inspectorId: `${LYON}-i2`,
        overbooked: false,
        booking: 'b4',
      },
      {
        start: '10:30',
        kind: 'reservation',
        status: 'held',
        inspectorId: `${LYON}-i2`,
        overbooked: false,
        booking: 'b5',
      },
      {
        start: '14:00',
        kind: 'block',
        status: 'blocked',
        inspectorId: null,
        overbooked: false,
        booking: null,
      },
    ]);
    expect(agenda.entries[0]).toMatchObject({
      end: '09:45',
      controlType: 'CTP',
      vehicle: { category: 'VP', fuel: 'Diesel' },
      booking: {
        reference: story.references.b1,
        customerName: 'Camille Martin',
        customerPhone: '+33612345678',
        vehiclePlate: 'AB-123-CD',
        result: 'S',
      },
    });
    expect(agenda.entries[3]?.holdExpiresAt).toBe('2026-03-09T16:15:00.000Z');
    expect(agenda.entries[4]).toMatchObject({
      label: 'Étalonnage de l’opacimètre',
      end: '15:30',
      booking: null,
    });
    expect(await centreDayAgenda(source(run.schema), TENANT_A, LYON, '2026-03-11')).toMatchObject({
      entries: [],
    });
    const moved = await centreDayAgenda(source(run.schema), TENANT_A, 'ct-villeurbanne', '2026-03-12');
    expect(moved.entries).toEqual([]);
  });

  it('shows an overbooked reservation without inspector until one frees up', async () => {
    const cancelAt = story.events.findIndex(
      (e) => e.type === 'BookingCancelled' && e.data.bookingId === 'b6',
    );
    const run = await spec.given(story.events.slice(0, cancelAt));
    const before = await centreDayAgenda(source(run.schema), TENANT_A, LYON, DAY);
    expect(
      before.entries
        .filter((e) => e.start === '09:00')
        .map((e) => [e.booking?.bookingId, e.inspectorId, e.overbooked]),
    ).toEqual([
      ['b1', `${LYON}-i1`, false],
      ['b6', `${LYON}-i2`, false],
      ['b7', null, true],
    ]);
    await run.when(story.events.slice(cancelAt));
    const after = await centreDayAgenda(source(run.schema), TENANT_A, LYON, DAY);
    expect(
      after.entries.filter((e) => e.start === '09:00').map((e) => [e.booking?.bookingId, e.inspectorId]),
    ).toEqual([
      ['b1', `${LYON}-i1`],
      ['b7', `${LYON}-i2`],
    ]);
  });

  it("gives one inspector's lane: their entries and the centre-wide blocks", async () => {
    const run = await spec.given(story.events);
    const lane = await centreDayAgenda(source(run.schema), TENANT_A, LYON, DAY, {
      inspectorId: `${LYON}-i1`,
    });
    expect(lane.inspectors.map((i) => i.inspectorId)).toEqual([`${LYON}-i1`]);
    expect(lane.entries.map((e) => e.booking?.bookingId ?? e.entryId)).toEqual(['b1', 'block-1']);
  });

  it('is idempotent: the same batch applied again leaves every row unchanged', async () => {
    const run = await spec.given(story.events);
    const tables = [...agendaProjector.tables, 'agenda_days'];
    const before = await tablesOf(database.db, run.schema, tables);
    await applyDirectly(database.db, agendaProjector, run.schema, story.events);
    await applyDirectly(database.db, agendaProjector, run.schema, story.events.slice(20, 60), {
      mode: 'live',
    });
    expect(await tablesOf(database.db, run.schema, tables)).toEqual(before);
  });

  it('isolates tenants', async () => {
    const run = await spec.given(story.events);
    expect((await centreDayAgenda(source(run.schema), TENANT_B, LYON, DAY)).entries).toEqual([]);
    expect((await centreDayAgenda(source(run.schema), TENANT_B, LYON, DAY)).inspectors).toEqual([]);
    expect((await centreDayAgenda(source(run.schema), null, LYON, DAY)).entries).toEqual([]);
    const nantes = await centreDayAgenda(source(run.schema), TENANT_B, NANTES, DAY);
    expect(nantes.entries.map((e) => e.booking?.bookingId)).toEqual(['b9']);
    expect((await centreDayAgenda(source(run.schema), TENANT_A, NANTES, DAY)).entries).toEqual([]);
  });

  it('scrubs a customer and an inspector as a rebuild after their erasure would', async () => {
    const run = await spec.given(story.events);
    const touched = await maintain(database.db, run.schema, async (ctx) => {
      return (
        (await agendaProjector.scrub!('cust-camille', ctx)) +
        (await agendaProjector.scrub!(`${LYON}-i1`, ctx))
      );
    });
    expect(touched).toBe(3);
    const erasedInspector = story.events.map((event) =>
      event.type === 'InspectorAdded' && event.data.inspectorId === `${LYON}-i1`
        ? { ...event, data: { ...event.data, name: '[effacé]' } }
        : event,
    );
    const rebuilt = await spec.given(afterErasure(erasedInspector, 'cust-camille'));
    const tables = [...agendaProjector.tables, 'agenda_days'];
    expect(await tablesOf(database.db, run.schema, tables)).toEqual(
      await tablesOf(database.db, rebuilt.schema, tables),
    );
    const agenda = await centreDayAgenda(source(run.schema), TENANT_A, LYON, DAY);
    expect(agenda.entries[0]?.booking).toMatchObject({
      customerName: null,
      customerPhone: null,
      vehiclePlate: null,
      result: 'S',
    });
    expect(agenda.inspectors[0]).toMatchObject({ inspectorId: `${LYON}-i1`, name: null });
  });

  it('erases at the position of a PersonalDataErased record, sparing what the subject books afterwards', async () => {
    const story2 = network();
    const { before, after } = erasureThenNewBooking(story2.a, 'cust-camille');
    const others = story2.b.events();
    const live = await spec.given([...before, erasureRecord('cust-camille'), ...after, ...others]);
    const rebuilt = await spec.given([
      ...afterErasure(before, 'cust-camille'),
      erasureRecord('cust-camille'),
      ...after,
      ...others,
    ]);
    const tables = [...agendaProjector.tables, 'agenda_days'];
    expect(await tablesOf(database.db, live.schema, tables)).toEqual(
      await tablesOf(database.db, rebuilt.schema, tables),
    );
    const later = await centreDayAgenda(source(live.schema), TENANT_A, LYON, '2026-03-27');
    expect(later.entries[0]?.booking).toMatchObject({ bookingId: 'b11', customerName: 'Camille Martin' });
  });
});
