import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyDirectly, tablesOf } from '../bookings/testing/direct.js';
import { DAY, LYON, NANTES, network, TENANT_A, TENANT_B, VILLEURBANNE } from '../bookings/testing/network.js';
import { openSpecDatabase, type SpecDatabase } from '../bookings/testing/spec-database.js';
import { openProjectionSpec, type ProjectionSpec } from '../runtime/testing/projection-spec.js';
import { DAILY_FACTS_COLUMNS } from './reporting-columns.js';
import { reportingProjector } from './reporting-projector.js';
import {
  InvalidReportingQueryError,
  reportingCsv,
  reportingDailyFacts,
  reportingFacts,
} from './reporting-queries.js';

/** The shared network plus a refunded cancellation, an on-site completed control and a later configuration change. */
function reportingStory() {
  const story = network();
  const { a } = story;
  a.place({
    bookingId: 'b8',
    customerId: 'cust-noe',
    centreId: LYON,
    date: '2026-03-13',
    start: '10:00',
    at: '2026-03-11T09:00:00.000Z',
    plate: 'KL-654-MN',
    customer: { kind: 'private', name: 'Noé Blanc', email: 'noe.blanc@example.fr', phone: '0600000003' },
  });
  a.payAndConfirm('b8', '2026-03-11T09:02:00.000Z');
  a.cancel('b8', '2026-03-11T10:00:00.000Z');
  a.place({
    bookingId: 'b10',
    customerId: 'cust-zoe',
    centreId: LYON,
    date: '2026-03-13',
    start: '11:00',
    at: '2026-03-12T15:00:00.000Z',
    plate: 'PQ-987-RS',
    channel: 'backoffice',
    paymentMode: 'on_site',
    customer: { kind: 'private', name: 'Zoé Garnier', email: 'zoe.garnier@example.fr', phone: '0600000004' },
  });
  a.confirmOnSite('b10', '2026-03-12T15:01:00.000Z');
  a.checkIn('b10', '2026-03-13T09:50:00.000Z');
  a.complete('b10', '2026-03-13T10:30:00.000Z', 'A');
  const before = [...a.events(), ...story.b.events()];
  a.drain();
  a.centre(
    [
      { type: 'SetDailyCapacity', centreId: LYON, capacity: 8 },
      {
        type: 'AddClosure',
        centreId: LYON,
        closureId: 'easter',
        from: '2026-04-06',
        to: '2026-04-06',
        label: 'Lundi de Pâques',
      },
    ],
    '2026-03-20T08:00:00.000Z',
  );
  return { ...story, before, change: a.drain() };
}

describe('reporting read model (schema reporting)', () => {
  let database: SpecDatabase;
  let spec: ProjectionSpec;
  const story = reportingStory();
  const all = [...story.before, ...story.change];
  beforeAll(async () => {
    database = await openSpecDatabase();
    spec = await openProjectionSpec(reportingProjector, { database: database.db });
  });
  afterAll(async () => {
    await spec.close();
    await database.close();
  });
  const source = (schema: string) => ({ db: database.db, schema });
  const day = async (schema: string, centreId: string, date: string) => {
    const { rows } = await database.db.query<Record<string, unknown>>(
      `select * from ${schema}.daily_centre_facts where centre_id = $1 and day = $2`,
      [centreId, date],
    );
    return rows[0];
  };

  it('folds each booking into one fact row: appointment, placement, outcome, money, lead time', async () => {
    const run = await spec.given(story.before);
    const facts = await run.rows('booking_facts', [
      'booking_id',
      'centre_id',
      'placed_centre_id',
      'appointment_date',
      'status',
      'result',
      'channel',
      'payment_mode',
      'price_cents',
      'paid_cents',
      'revenue_cents',
      'refunded_cents',
      'lead_time_minutes',
      'reschedule_count',
    ]);
    const byId = Object.fromEntries(facts.map((row) => [row.booking_id, row]));
    expect(byId.b1).toMatchObject({
      status: 'completed',
      result: 'S',
      revenue_cents: 7800,
      lead_time_minutes: 4 * 1440 + 22 * 60,
    });
    expect(byId.b2).toMatchObject({
      centre_id: VILLEURBANNE,
      placed_centre_id: LYON,
      appointment_date: '2026-03-12',
      status: 'cancelled',
      reschedule_count: 1,
      revenue_cents: 0,
    });
    expect(byId.b3).toMatchObject({ status: 'expired', channel: 'mobile', revenue_cents: 0 });
    expect(byId.b4).toMatchObject({ status: 'no_show', paid_cents: 6500, revenue_cents: 6500 });
    expect(byId.b8).toMatchObject({
      status: 'cancelled',
      paid_cents: 7800,
      revenue_cents: 0,
      refunded_cents: 7800,
    });
    expect(byId.b10).toMatchObject({
      status: 'completed',
      result: 'A',
      payment_mode: 'on_site',
      channel: 'backoffice',
      revenue_cents: 7800,
    });
    expect(Object.keys(byId).sort()).toEqual(['b1', 'b10', 'b2', 'b3', 'b4', 'b5', 'b8', 'b9']);
  });

  it('sums each centre day: statuses, results, revenue, fill rate against the configured capacity', async () => {
    const run = await spec.given(story.before);
    expect(await day(run.schema, LYON, DAY)).toMatchObject({
      tenant_id: TENANT_A,
      open: true,
      opening_minutes: 480,
      capacity_minutes: 960,
      nominal_capacity: 20,
      appointments_count: 3,
      booked_count: 3,
      held_count: 1,
      completed_count: 1,
      no_show_count: 1,
      booked_minutes: 125,
      fill_rate: '0.1302',
      result_s_count: 1,
      revenue_cents: 14300n,
      revenue_online_cents: 14300n,
      placed_count: 0,
    });
    expect(await day(run.schema, LYON, '2026-03-05')).toMatchObject({
      placed_count: 3,
      placed_web_count: 1,
      placed_mobile_count: 1,
      placed_call_centre_count: 1,
      lead_time_total_minutes: 25650n,
      lead_time_avg_minutes: '8550.0',
      lead_time_3d_7d_count: 2,
      lead_time_7d_14d_count: 1,
    });
    expect(await day(run.schema, LYON, '2026-03-08')).toMatchObject({
      open: false,
      capacity_minutes: 0,
      fill_rate: null,
    });
    expect(await day(run.schema, LYON, '2026-03-13')).toMatchObject({
      appointments_count: 2,
      cancelled_count: 1,
      completed_count: 1,
      result_a_count: 1,
      revenue_cents: 7800n,
      revenue_on_site_cents: 7800n,
      refunded_cents: 7800n,
      booked_minutes: 45,
    });
    // Villeurbanne caps its day at 12 controls x 45 min.
    expect(await day(run.schema, VILLEURBANNE, '2026-03-12')).toMatchObject({
      capacity_minutes: 540,
      appointments_count: 1,
      cancelled_count: 1,
      booked_count: 0,
    });
    // Every day from registration to the latest activity + the 90-day horizon has a row.
    const { rows } = await database.db.query<{ first: string; last: string; n: number }>(
      `select min(day)::text as first, max(day)::text as last, count(*)::int as n from ${run.schema}.daily_centre_facts where centre_id = $1`,
      [LYON],
    );
    expect(rows[0]).toEqual({ first: '2026-03-02', last: '2026-06-11', n: 102 });
  });

  it('keeps past days on the configuration they had; a change applies from its own date on', async () => {
    const run = await spec.given(story.before);
    await run.when(story.change);
    expect(await day(run.schema, LYON, '2026-03-19')).toMatchObject({
      capacity_minutes: 960,
      nominal_capacity: 20,
    });
    expect(await day(run.schema, LYON, '2026-03-20')).toMatchObject({
      capacity_minutes: 360,
      nominal_capacity: 8,
    });
    expect(await day(run.schema, LYON, DAY)).toMatchObject({ capacity_minutes: 960, booked_minutes: 125 });
    expect(await day(run.schema, LYON, '2026-04-06')).toMatchObject({
      open: false,
      closure_label: 'Lundi de Pâques',
      capacity_minutes: 0,
    });
    expect(await day(run.schema, LYON, '2026-06-18')).toMatchObject({ capacity_minutes: 360 });
    // The same history in one catch-up batch gives the same tables (checked by `given` itself).
    const rebuilt = await spec.given(all);
    expect(await tablesOf(database.db, run.schema, reportingProjector.tables)).toEqual(
      await tablesOf(database.db, rebuilt.schema, reportingProjector.tables),
    );
  });

  it('is idempotent: the same batch applied again leaves every row unchanged', async () => {
    const run = await spec.given(all);
    const tables = [...reportingProjector.tables, 'centre_calendars'];
    const before = await tablesOf(database.db, run.schema, tables);
    await applyDirectly(database.db, reportingProjector, run.schema, all);
    await applyDirectly(database.db, reportingProjector, run.schema, all.slice(30, 70), { mode: 'live' });
    expect(await tablesOf(database.db, run.schema, tables)).toEqual(before);
  });

  it('aggregates a centre and period into rates, revenue, lead time and channel mix', async () => {
    const run = await spec.given(all);
    const report = await reportingFacts(source(run.schema), TENANT_A, {
      centreIds: [LYON, VILLEURBANNE, 'ct-unknown'],
      from: '2026-03-09',
      to: '2026-03-13',
    });
    expect(report.centres.map((c) => c.centreId)).toEqual([LYON, 'ct-unknown', VILLEURBANNE]);
    const [lyon, unknown, villeurbanne] = report.centres;
    expect(lyon).toMatchObject({
      days: 5,
      openDays: 5,
      capacityMinutes: 4800,
      bookedMinutes: 170,
      fillRate: 0.0354,
      placed: 3,
      appointments: 6,
      booked: 4,
      held: 1,
      completed: 2,
      cancelled: 1,
      expired: 1,
      noShows: 1,
      noShowRate: 0.3333,
      cancellationRate: 0.2,
      results: { A: 1, S: 1, R: 0 },
      revenueCents: 22100,
      revenueByPaymentMode: { online: 14300, onSite: 7800 },
      refundedCents: 7800,
      channels: { web: 2, mobile: 0, callCentre: 0, backoffice: 1 },
      leadTime: { distribution: { under1Day: 2, from1To3Days: 1 } },
    });
    expect(unknown).toMatchObject({ days: 0, appointments: 0, fillRate: null, noShowRate: null });
    expect(villeurbanne).toMatchObject({ capacityMinutes: 5 * 540, cancelled: 1 });
    expect(report.total).toMatchObject({
      centreId: null,
      appointments: 7,
      revenueCents: 22100,
      capacityMinutes: 4800 + 2700,
    });
    const daily = await reportingDailyFacts(source(run.schema), TENANT_A, {
      centreIds: [LYON],
      from: DAY,
      to: '2026-03-11',
    });
    expect(daily.map((d) => [d.from, d.booked, d.fillRate])).toEqual([
      [DAY, 3, 0.1302],
      ['2026-03-11', 0, 0],
    ]);
  });

  it('exports the report as CSV, per centre with a total line, or per day', async () => {
    const run = await spec.given(all);
    const csv = await reportingCsv(source(run.schema), TENANT_A, { centreIds: [LYON], from: DAY, to: DAY });
    const [header, lyon, total, end] = csv.split('\r\n');
    expect(header?.split(',').slice(0, 8)).toEqual([
      'centre_id',
      'from',
      'to',
      'days',
      'open_days',
      'capacity_minutes',
      'booked_minutes',
      'fill_rate',
    ]);
    expect(lyon?.split(',').slice(0, 8)).toEqual([LYON, DAY, DAY, '1', '1', '960', '125', '0.1302']);
    expect(total?.startsWith('TOTAL,')).toBe(true);
    expect(end).toBe('');
    expect(header?.split(',').length).toBe(lyon?.split(',').length);
    const perDay = await reportingCsv(
      source(run.schema),
      TENANT_A,
      { centreIds: [LYON], from: '2026-03-08', to: DAY },
      { by: 'day' },
    );
    expect(perDay.split('\r\n').map((line) => line.split(',').slice(0, 3).join(','))).toEqual([
      'centre_id,from,to',
      `${LYON},2026-03-08,2026-03-08`,
      `${LYON},2026-03-09,2026-03-09`,
      `${LYON},${DAY},${DAY}`,
      '',
    ]);
  });

  it('isolates tenants and validates the period', async () => {
    const run = await spec.given(all);
    const period = { from: '2026-03-01', to: '2026-03-31' };
    expect(
      (await reportingFacts(source(run.schema), TENANT_B, period)).centres.map((c) => c.centreId),
    ).toEqual([NANTES]);
    expect(
      (await reportingFacts(source(run.schema), TENANT_B, { ...period, centreIds: [LYON] })).centres[0],
    ).toMatchObject({ days: 0, appointments: 0 });
    expect((await reportingFacts(source(run.schema), null, period)).centres).toEqual([]);
    await expect(
      reportingFacts(source(run.schema), TENANT_A, { from: '2026-03-10', to: '2026-03-01' }),
    ).rejects.toThrow(InvalidReportingQueryError);
    await expect(
      reportingFacts(source(run.schema), TENANT_A, { from: '2026-13-01', to: '2026-03-01' }),
    ).rejects.toThrow(InvalidReportingQueryError);
    await expect(
      reportingFacts(source(run.schema), TENANT_A, { from: '2024-01-01', to: '2026-03-01' }),
    ).rejects.toThrow(InvalidReportingQueryError);
  });

  it('documents every daily column for analysts in SQL comments', async () => {
    const run = await spec.given([]);
    const { rows } = await database.db.query<{ column: string; comment: string | null }>(
      `select a.attname as column, col_description(a.attrelid, a.attnum) as comment
         from pg_attribute a where a.attrelid = $1::regclass and a.attnum > 0 and not a.attisdropped order by a.attnum`,
      [`${run.schema}.daily_centre_facts`],
    );
    expect(rows.map((r) => r.column)).toEqual(Object.keys(DAILY_FACTS_COLUMNS));
    expect(rows.every((r) => (r.comment ?? '').length > 10)).toBe(true);
  });
});
