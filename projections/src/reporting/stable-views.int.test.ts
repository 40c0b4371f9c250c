import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agendaProjector } from '../agenda/agenda-projector.js';
import { centreDayAgenda } from '../agenda/agenda-queries.js';
import { bookingsProjector } from '../bookings/bookings-projector.js';
import { bookingById, lookupBooking } from '../bookings/bookings-queries.js';
import { applyDirectly } from '../bookings/testing/direct.js';
import { DAY, LYON, network, TENANT_A, TENANT_B } from '../bookings/testing/network.js';
import { openSpecDatabase, type SpecDatabase } from '../bookings/testing/spec-database.js';
import { customersProjector } from '../customers/customers-projector.js';
import { searchCustomers } from '../customers/customers-queries.js';
import { projectionLayout } from '../runtime/layout.js';
import { createGeneration, migrateRegistry, swapGeneration } from '../runtime/registry.js';
import { reportingProjector } from './reporting-projector.js';
import { reportingFacts } from './reporting-queries.js';

/**
 * The read models as the read API sees them: through the stable views a swap creates (`rm.*`, and
 * `reporting.*` for reporting), which are `security_invoker` so row-level security still applies.
 */
describe('staff read models through their stable views', () => {
  let database: SpecDatabase;
  const layout = projectionLayout(`views_${randomBytes(4).toString('hex')}_`);
  const story = network();
  beforeAll(async () => {
    database = await openSpecDatabase({ trigram: true });
    await migrateRegistry(database.db, layout);
    for (const projector of [bookingsProjector, agendaProjector, customersProjector, reportingProjector]) {
      const generation = await createGeneration(database.db, layout, projector);
      await applyDirectly(database.db, projector, generation.schema, story.events);
      await swapGeneration(database.db, layout, projector, generation.generation);
    }
  });
  afterAll(async () => {
    const { rows } = await database.db.query<{ nspname: string }>(
      `select nspname from pg_namespace where starts_with(nspname, $1)`,
      [layout.namespace],
    );
    for (const { nspname } of rows) await database.db.exec(`drop schema if exists ${nspname} cascade`);
    await database.close();
  });

  const rm = () => ({ db: database.db, schema: layout.viewSchema(undefined) });

  it('serves bookings, agenda and customers from rm.* under the tenant', async () => {
    expect(await bookingById(rm(), TENANT_A, 'b1')).toMatchObject({ status: 'completed' });
    expect(await bookingById(rm(), TENANT_B, 'b1')).toBeUndefined();
    expect(
      await lookupBooking(rm(), { reference: story.references.b9 ?? '', plate: 'AB-123-CD' }),
    ).toMatchObject({
      bookingId: 'b9',
    });
    expect((await centreDayAgenda(rm(), TENANT_A, LYON, DAY)).entries.length).toBe(4);
    expect((await centreDayAgenda(rm(), null, LYON, DAY)).entries).toEqual([]);
    expect((await searchCustomers(rm(), TENANT_A, 'julien')).items.map((c) => c.customerId)).toEqual([
      'cust-julien',
    ]);
  });

  it('serves reporting from the reporting schema, readable by analysts with SQL', async () => {
    const views = layout.viewSchema(reportingProjector.viewSchema);
    expect(views).toBe(`${layout.namespace}reporting`);
    const report = await reportingFacts({ db: database.db, schema: views }, TENANT_A, {
      centreIds: [LYON],
      from: DAY,
      to: DAY,
    });
    expect(report.centres[0]).toMatchObject({ booked: 3, fillRate: 0.1302 });
    const analyst = await database.db.transaction(async (tx) => {
      await tx.exec('set local role pti_reader');
      await tx.query(`select set_config('pti.tenant_id', $1, true)`, [TENANT_B]);
      return tx.query<{ centre_id: string }>(`select distinct centre_id from ${views}.daily_centre_facts`);
    });
    expect(analyst.rows).toEqual([{ centre_id: 'ct-nantes' }]);
  });
});
