import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookingsProjector } from '../bookings/bookings-projector.js';
import {
  DAY,
  LYON,
  network,
  REGISTERED_AT,
  TENANT_A,
  TENANT_B,
  VILLEURBANNE,
} from '../bookings/testing/network.js';
import { openSpecDatabase, type SpecDatabase } from '../bookings/testing/spec-database.js';
import { createStory } from '../bookings/testing/story.js';
import { openProjectionSpec, type ProjectionSpec, type SpecRun } from '../runtime/testing/projection-spec.js';
import { bookingsPlacedBy, customerBookings } from './customer-bookings-queries.js';

describe('customer history (bookings of one customer, for staff)', () => {
  const story = network();
  // A fleet manager books two company vans (their token's subject is the placing actor).
  const fleet = createStory({ tenantId: TENANT_A, actor: { id: 'pro-1', role: 'client_pro' } });
  fleet.referenceCentre(LYON, REGISTERED_AT);
  for (const [bookingId, start, plate] of [
    ['p1', '14:00', 'FL-001-AA'],
    ['p2', '15:00', 'FL-002-AA'],
  ] as const) {
    fleet.place({
      bookingId,
      customerId: 'cust-transports',
      centreId: LYON,
      date: DAY,
      start,
      at: '2026-03-05T11:00:00.000Z',
      customer: {
        kind: 'company',
        name: 'Transports Rhône',
        siret: '73282932000074',
        contactName: 'Léa Dubois',
        email: 'flotte@transports-rhone.fr',
        phone: '04 72 00 00 00',
        address: null,
      },
      plate,
    });
  }
  const fleetEvents = fleet.events().filter((event) => event.type.startsWith('Booking'));
  let database: SpecDatabase;
  let spec: ProjectionSpec;
  let run: SpecRun;
  beforeAll(async () => {
    database = await openSpecDatabase();
    spec = await openProjectionSpec(bookingsProjector, { database: database.db });
    run = await spec.given([...story.events, ...fleetEvents]);
  });
  afterAll(async () => {
    await spec.close();
    await database.close();
  });
  const source = () => ({ db: database.db, schema: run.schema });
  const ids = (page: { items: readonly { bookingId: string }[] }) => page.items.map((item) => item.bookingId);

  it('lists every booking of the customer, newest appointment first, one page after another', async () => {
    const all = await customerBookings(source(), TENANT_A, {
      customerId: 'cust-camille',
      centreIds: 'all',
      after: null,
    });
    expect(ids(all)).toEqual(['b3', 'b1']);
    expect(all.next).toBeNull();
    expect(all.items[1]).toMatchObject({ bookingId: 'b1', centreId: LYON, status: 'completed', result: 'S' });

    const first = await customerBookings(source(), TENANT_A, {
      customerId: 'cust-camille',
      centreIds: 'all',
      after: null,
      limit: 1,
    });
    expect(ids(first)).toEqual(['b3']);
    expect(first.next).not.toBeNull();
    const second = await customerBookings(source(), TENANT_A, {
      customerId: 'cust-camille',
      centreIds: 'all',
      after: first.next,
      limit: 1,
    });
    expect(ids(second)).toEqual(['b1']);
    expect(second.next).toBeNull();
  });

  it('keeps to the centres given: a booking counts where it is now', async () => {
    const lyonOnly = { customerId: 'cust-camille', after: null } as const;
    expect(ids(await customerBookings(source(), TENANT_A, { ...lyonOnly, centreIds: [LYON] }))).toEqual([
      'b3',
      'b1',
    ]);
    expect(
      ids(await customerBookings(source(), TENANT_A, { ...lyonOnly, centreIds: [VILLEURBANNE] })),
    ).toEqual([]);
    // b2 moved from Lyon to Villeurbanne.
    const garage = { customerId: 'cust-garage', after: null } as const;
    expect(ids(await customerBookings(source(), TENANT_A, { ...garage, centreIds: [VILLEURBANNE] }))).toEqual(
      ['b2'],
    );
    expect(ids(await customerBookings(source(), TENANT_A, { ...garage, centreIds: [] }))).toEqual([]);
  });

  it('isolates tenants under row-level security', async () => {
    const query = { customerId: 'cust-camille', centreIds: 'all', after: null } as const;
    expect(ids(await customerBookings(source(), TENANT_B, query))).toEqual([]);
    expect(ids(await customerBookings(source(), null, query))).toEqual([]);
    expect(ids(await customerBookings(source(), TENANT_B, { ...query, customerId: 'cust-nantes' }))).toEqual([
      'b9',
    ]);
  });

  it('lists a fleet manager’s bookings (those they placed), in their tenant only, page by page', async () => {
    const first = await bookingsPlacedBy(source(), TENANT_A, { actorId: 'pro-1', after: null, limit: 1 });
    expect(ids(first)).toEqual(['p2']);
    expect(first.items[0]).toMatchObject({ vehiclePlate: 'FL-002-AA', centreId: LYON, status: 'placed' });
    const second = await bookingsPlacedBy(source(), TENANT_A, {
      actorId: 'pro-1',
      after: first.next,
      limit: 1,
    });
    expect(ids(second)).toEqual(['p1']);
    expect(second.next).toBeNull();
    expect(ids(await bookingsPlacedBy(source(), TENANT_B, { actorId: 'pro-1', after: null }))).toEqual([]);
    expect(ids(await bookingsPlacedBy(source(), TENANT_A, { actorId: 'pro-2', after: null }))).toEqual([]);
  });
});
