import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyDirectly, maintain, tablesOf } from '../bookings/testing/direct.js';
import { network, TENANT_A, TENANT_B } from '../bookings/testing/network.js';
import { openSpecDatabase, type SpecDatabase } from '../bookings/testing/spec-database.js';
import { afterErasure, erasureRecord, erasureThenNewBooking } from '../bookings/testing/story.js';
import { openProjectionSpec, type ProjectionSpec, type SpecRun } from '../runtime/testing/projection-spec.js';
import { customersProjector } from './customers-projector.js';
import { customerById, searchCustomers } from './customers-queries.js';

const story = network();

for (const trigram of [true, false]) {
  describe(`customers read model (${trigram ? 'pg_trgm loaded' : 'PGlite without pg_trgm'})`, () => {
    let database: SpecDatabase;
    let spec: ProjectionSpec;
    let run: SpecRun;
    let hasTrigram: boolean;
    beforeAll(async () => {
      database = await openSpecDatabase({ trigram });
      spec = await openProjectionSpec(customersProjector, { database: database.db });
      run = await spec.given(story.events);
      const { rows } = await database.db.query(`select 1 from pg_extension where extname = 'pg_trgm'`);
      hasTrigram = rows.length > 0;
    });
    afterAll(async () => {
      await spec.close();
      await database.close();
    });
    const source = () => ({ db: database.db, schema: run.schema });
    const search = async (tenant: string | null, q: string, limit?: number) =>
      (await searchCustomers(source(), tenant, q, { limit })).items.map((m) => [
        m.customerId,
        m.matchedOn,
        m.score,
      ]);

    it('creates trigram indexes exactly when the extension is there', async () => {
      const { rows } = await database.db.query<{ n: number }>(
        `select count(*)::int as n from pg_indexes where schemaname = $1 and indexname like '%_trgm'`,
        [run.schema],
      );
      expect(rows[0]?.n).toBe(hasTrigram ? 5 : 0);
      if (trigram || database.kind === 'postgres') expect(hasTrigram).toBe(true);
      else expect(hasTrigram).toBe(false);
    });

    it('given bookings, then one customer per subject with contact, plates, count and last booking', async () => {
      const rows = await run.rows('customers', [
        'tenant_id',
        'customer_id',
        'name',
        'email',
        'phone',
        'plates',
        'bookings_count',
        'active_bookings_count',
        'last_booking_id',
        'last_booking_status',
        'name_search',
        'phone_search',
        'plates_search',
      ]);
      expect(rows.map((r) => [r.tenant_id, r.customer_id])).toEqual([
        [TENANT_A, 'cust-camille'],
        [TENANT_A, 'cust-garage'],
        [TENANT_A, 'cust-julien'],
        [TENANT_A, 'cust-lea'],
        [TENANT_B, 'cust-nantes'],
      ]);
      expect(rows[0]).toEqual({
        tenant_id: TENANT_A,
        customer_id: 'cust-camille',
        name: 'Camille Martin',
        email: 'camille.martin@example.fr',
        phone: '+33612345678',
        plates: ['AB-123-CD', 'CD-456-EF'],
        bookings_count: 2,
        active_bookings_count: 0,
        last_booking_id: 'b3',
        last_booking_status: 'expired',
        name_search: 'camille martin',
        phone_search: '33612345678 0612345678',
        plates_search: 'AB123CD CD456EF',
      });
      expect(rows[1]).toMatchObject({ name: 'Garage du Rhône', last_booking_status: 'cancelled' });
      expect(await customerById(source(), TENANT_A, 'cust-garage')).toMatchObject({
        kind: 'company',
        contactName: 'Éloïse Durand',
        siret: '73282932000074',
        bookingReferences: [story.references.b2],
        lastBooking: { bookingId: 'b2', centreId: 'ct-villeurbanne', start: '2026-03-12T14:00' },
      });
    });

    it('finds a customer by phone, plate, e-mail, reference or name, typed any usual way', async () => {
      expect(await search(TENANT_A, '06 12 34 56 78')).toEqual([['cust-camille', 'phone', 1]]);
      expect(await search(TENANT_A, '+33 6 12 34 56 78')).toEqual([['cust-camille', 'phone', 1]]);
      expect(await search(TENANT_A, '0478')).toEqual([['cust-garage', 'phone', 0.8]]);
      expect(await search(TENANT_A, 'ab 123 cd')).toEqual([['cust-camille', 'plate', 1]]);
      expect(await search(TENANT_A, 'gh789')).toEqual([['cust-garage', 'plate', 0.7]]);
      expect(await search(TENANT_A, '123-abc-69')).toEqual([['cust-julien', 'plate', 1]]);
      expect(await search(TENANT_A, 'Julien.Moreau@example.fr')).toEqual([['cust-julien', 'email', 1]]);
      expect(await search(TENANT_A, (story.references.b4 ?? '').toLowerCase())).toEqual([
        ['cust-julien', 'reference', 1],
      ]);
      expect(await search(TENANT_A, 'Éloïse')).toEqual([['cust-garage', 'name', expect.any(Number)]]);
      expect((await search(TENANT_A, 'garage du rhone'))[0]).toEqual([
        'cust-garage',
        'name',
        expect.any(Number),
      ]);
      expect((await search(TENANT_A, 'Martin'))[0]).toEqual(['cust-camille', 'name', expect.any(Number)]);
      expect(await search(TENANT_A, 'x')).toEqual([]);
      expect(await search(TENANT_A, 'zzzz qqqq')).toEqual([]);
    });

    it('ranks exact matches first and tolerates typos in names with pg_trgm', async () => {
      const ranked = await searchCustomers(source(), TENANT_A, 'camille.martin@example.fr');
      expect(ranked.items[0]).toMatchObject({ customerId: 'cust-camille', matchedOn: 'email', score: 1 });
      if (!hasTrigram) return;
      expect((await search(TENANT_A, 'camile martn'))[0]).toEqual([
        'cust-camille',
        'name',
        expect.any(Number),
      ]);
      expect((await search(TENANT_A, 'fontane'))[0]).toEqual(['cust-lea', 'name', expect.any(Number)]);
    });

    it('pages results with a cursor', async () => {
      const first = await searchCustomers(source(), TENANT_A, '@example.fr', { limit: 2 });
      expect(first.items.map((m) => m.customerId)).toEqual(['cust-camille', 'cust-julien']);
      const second = await searchCustomers(source(), TENANT_A, '@example.fr', {
        limit: 2,
        cursor: first.nextCursor,
      });
      expect(second.items.map((m) => m.customerId)).toEqual(['cust-lea']);
      expect(second.nextCursor).toBeNull();
    });

    it('isolates tenants: each sees its own Camille Martin, no tenant sees nobody', async () => {
      expect((await search(TENANT_B, 'camille martin')).map(([id]) => id)).toEqual(['cust-nantes']);
      expect((await search(TENANT_A, 'camille martin')).map(([id]) => id)).toEqual(['cust-camille']);
      expect(await search(null, 'camille martin')).toEqual([]);
      expect(await search(TENANT_B, 'ab123cd')).toEqual([['cust-nantes', 'plate', 1]]);
      expect(await customerById(source(), TENANT_B, 'cust-camille')).toBeUndefined();
    });

    it('is idempotent: the same batch applied again leaves every row unchanged', async () => {
      const fresh = await spec.given(story.events);
      const before = await tablesOf(database.db, fresh.schema, customersProjector.tables);
      await applyDirectly(database.db, customersProjector, fresh.schema, story.events);
      await applyDirectly(database.db, customersProjector, fresh.schema, story.events.slice(15, 45), {
        mode: 'live',
      });
      expect(await tablesOf(database.db, fresh.schema, customersProjector.tables)).toEqual(before);
    });

    it('scrubs an erased customer entirely, as a rebuild after the erasure would', async () => {
      const fresh = await spec.given(story.events);
      const exported = await maintain(database.db, fresh.schema, (ctx) =>
        customersProjector.export!('cust-camille', ctx),
      );
      expect(JSON.stringify(exported)).toContain('AB-123-CD');
      expect(
        await maintain(database.db, fresh.schema, (ctx) => customersProjector.scrub!('cust-camille', ctx)),
      ).toBe(3);
      expect(
        await maintain(database.db, fresh.schema, (ctx) => customersProjector.scrub!('cust-camille', ctx)),
      ).toBe(0);
      const rebuilt = await spec.given(afterErasure(story.events, 'cust-camille'));
      expect(await tablesOf(database.db, fresh.schema, customersProjector.tables)).toEqual(
        await tablesOf(database.db, rebuilt.schema, customersProjector.tables),
      );
      expect(
        await searchCustomers({ db: database.db, schema: fresh.schema }, TENANT_A, '0612345678'),
      ).toEqual({
        items: [],
        nextCursor: null,
      });
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
      expect(await tablesOf(database.db, live.schema, customersProjector.tables)).toEqual(
        await tablesOf(database.db, rebuilt.schema, customersProjector.tables),
      );
      const found = await searchCustomers(
        { db: database.db, schema: live.schema },
        TENANT_A,
        'camille martin',
      );
      expect(found.items.map((m) => [m.customerId, m.bookingsCount, m.plates])).toEqual([
        ['cust-camille', 1, ['XY-999-ZA']],
      ]);
    });
  });
}
