import type {
  CancellationReason,
  CancelledBy,
  CentreEvent,
  Channel,
  ControlType,
  Fuel,
  InspectionResult,
  PaymentMode,
  VehicleCategory,
} from '@pti/events';
import type { SqlExecutor } from '@pti/platform';
import {
  addDaysToLocalDate,
  type BookingStatus,
  type CentreState,
  centreDayConfiguration,
  evolveCentre,
  initialCentreState,
  intersectIntervals,
  localDateTimeToInstant,
  REFERENCE_CONTROL_MINUTES,
  totalMinutes,
} from '@pti/write-side/domain';
import { bookingIdsOf } from '../bookings/bookings-projector.js';
import { localDateOf, revisionNumber } from '../bookings/shared.js';
import { defineProjector, type ProjectionEvent, tenantPolicy } from '../runtime/projector.js';
import { rowMemory } from '../runtime/row-memory.js';
import { deferWrite, upsertRows } from '../runtime/sql.js';
import { bookingFactsComments, dailyFactsComments } from './reporting-columns.js';

/**
 * # reporting read model (schema `reporting`)
 *
 * Analyst-facing facts (DESIGN.md §6), read with SQL through the stable views
 * `reporting.booking_facts` and `reporting.daily_centre_facts` (the runtime points them at the live
 * table set `rm_reporting_v<n>`; a rebuild swaps them atomically). Every column carries a SQL
 * comment (`\d+ rm_reporting_v<n>.daily_centre_facts`; the texts are in `reporting-columns.ts`).
 * No personal data: ids, dates, amounts and codes only. Row-level security by tenant.
 *
 * - `booking_facts`: one row per booking — its current appointment, placement, channel, price,
 *   payments, outcome, lead time, revenue. Folded with a stream-revision guard (idempotent).
 * - `daily_centre_facts`: one row per centre and local day. Its counters are a pure function of
 *   the booking facts: a catch-up batch recomputes them in SQL from `booking_facts` for every
 *   (centre, day) it touches; a live batch adds what its fact changes changed (old row out, new row
 *   in). Its capacity columns come from the centre's configuration through the write side's
 *   `centreDayConfiguration`.
 *
 * ## Capacity, deterministically
 * A centre's configuration changes over time; the capacity of day d is computed from the
 * configuration in force on d: the state after the last centre event whose effective date is at or
 * before d (effective date: the event's local date, never earlier than the previous one's). Rows
 * exist for every day from the centre's registration to the furthest of (latest activity + booking
 * horizon) and any appointment, so idle open days count in the fill rate too. Everything derives
 * from event dates, never from the wall clock, so a rebuild equals the incremental result.
 */

export interface BookingFactRow {
  readonly tenant_id: string;
  readonly booking_id: string;
  readonly centre_id: string;
  readonly appointment_date: string;
  readonly start_time: string;
  readonly duration_minutes: number;
  readonly placed_centre_id: string;
  readonly placed_at: string;
  readonly placed_date: string;
  readonly channel: Channel;
  readonly payment_mode: PaymentMode;
  readonly control_type: ControlType;
  readonly vehicle_category: VehicleCategory;
  readonly vehicle_fuel: Fuel;
  readonly price_cents: number;
  readonly paid_cents: number;
  readonly status: BookingStatus;
  readonly result: InspectionResult | null;
  readonly confirmed_at: string | null;
  readonly checked_in_at: string | null;
  readonly completed_at: string | null;
  readonly cancelled_at: string | null;
  readonly expired_at: string | null;
  readonly no_show_at: string | null;
  readonly cancelled_by: CancelledBy | null;
  readonly cancellation_reason: CancellationReason | null;
  readonly refund_eligible: boolean | null;
  readonly lead_time_minutes: number;
  readonly reschedule_count: number;
  readonly revenue_cents: number;
  readonly refunded_cents: number;
  readonly last_revision: number;
}

/** The configuration side of a daily row. */
export interface DayCapacityRow {
  readonly tenant_id: string;
  readonly centre_id: string;
  readonly day: string;
  readonly active: boolean;
  readonly open: boolean;
  readonly closure_label: string | null;
  readonly opening_minutes: number;
  readonly capacity_minutes: number;
  readonly nominal_capacity: number;
}

/** Internal: a centre's configuration and the range of days it has rows for. */
interface CentreCalendarRow {
  readonly tenant_id: string;
  readonly centre_id: string;
  /** The centre's state with inspector names blanked (no personal data in reporting). */
  readonly state: CentreState;
  readonly state_date: string | null;
  readonly first_day: string | null;
  readonly last_day: string | null;
  /** Latest local date of any event of the centre or of its bookings. */
  readonly watermark: string | null;
  readonly last_revision: number;
}

// ---------------------------------------------------------------------------------------------
// Booking facts
// ---------------------------------------------------------------------------------------------

function leadTimeMinutes(placedAt: string, start: string): number {
  const [date = '', time = '00:00'] = start.split('T');
  const startsAt = localDateTimeToInstant(date, time).getTime();
  return Math.round((startsAt - Date.parse(placedAt)) / 60_000);
}

/** Revenue recognised and refunds owed for the booking's current outcome (see the column comments). */
function money(row: BookingFactRow): Pick<BookingFactRow, 'revenue_cents' | 'refunded_cents'> {
  switch (row.status) {
    case 'completed':
      return { revenue_cents: row.price_cents, refunded_cents: 0 };
    case 'no_show':
      return { revenue_cents: row.paid_cents, refunded_cents: 0 };
    case 'cancelled':
      return row.refund_eligible === true
        ? { revenue_cents: 0, refunded_cents: row.paid_cents }
        : { revenue_cents: row.paid_cents, refunded_cents: 0 };
    default:
      return { revenue_cents: 0, refunded_cents: 0 };
  }
}

export function foldBookingFact(
  row: BookingFactRow | undefined,
  event: ProjectionEvent,
): BookingFactRow | undefined {
  const revision = revisionNumber(event.revision);
  if (row !== undefined && revision <= row.last_revision) return row;
  const at = event.metadata.occurredAt;
  const next = ((): BookingFactRow | undefined => {
    if (event.type === 'BookingPlaced') {
      if (row !== undefined) return undefined;
      const data = event.data;
      return {
        tenant_id: event.metadata.tenantId,
        booking_id: data.bookingId,
        centre_id: data.centreId,
        appointment_date: data.start.slice(0, 10),
        start_time: data.start.slice(11, 16),
        duration_minutes: data.durationMinutes,
        placed_centre_id: data.centreId,
        placed_at: at,
        placed_date: localDateOf(at),
        channel: data.channel,
        payment_mode: data.paymentMode,
        control_type: data.controlType,
        vehicle_category: data.vehicle.category,
        vehicle_fuel: data.vehicle.fuel,
        price_cents: data.priceCents,
        paid_cents: 0,
        status: 'placed',
        result: null,
        confirmed_at: null,
        checked_in_at: null,
        completed_at: null,
        cancelled_at: null,
        expired_at: null,
        no_show_at: null,
        cancelled_by: null,
        cancellation_reason: null,
        refund_eligible: null,
        lead_time_minutes: leadTimeMinutes(at, data.start),
        reschedule_count: 0,
        revenue_cents: 0,
        refunded_cents: 0,
        last_revision: revision,
      };
    }
    if (row === undefined) return undefined;
    switch (event.type) {
      case 'BookingConfirmed':
        return { ...row, status: 'confirmed', payment_mode: event.data.paymentMode, confirmed_at: at };
      case 'BookingCheckedIn':
        return { ...row, status: 'checked_in', checked_in_at: at };
      case 'BookingCompleted':
        return { ...row, status: 'completed', result: event.data.result, completed_at: at };
      case 'BookingCancelled':
        return {
          ...row,
          status: 'cancelled',
          cancelled_at: at,
          cancelled_by: event.data.cancelledBy,
          cancellation_reason: event.data.reason,
          refund_eligible: event.data.refundEligible,
        };
      case 'BookingExpired':
        return { ...row, status: 'expired', expired_at: at };
      case 'BookingNoShow':
        return { ...row, status: 'no_show', no_show_at: at };
      case 'BookingRescheduled': {
        const { to, durationMinutes, priceCents } = event.data;
        return {
          ...row,
          centre_id: to.centreId,
          appointment_date: to.start.slice(0, 10),
          start_time: to.start.slice(11, 16),
          duration_minutes: durationMinutes,
          price_cents: priceCents,
          lead_time_minutes: leadTimeMinutes(row.placed_at, to.start),
          reschedule_count: row.reschedule_count + 1,
        };
      }
      case 'PaymentSucceeded':
        return { ...row, paid_cents: row.paid_cents + event.data.amountCents };
      default:
        return undefined;
    }
  })();
  if (next === undefined) return row;
  return { ...next, ...money(next), last_revision: revision };
}

// ---------------------------------------------------------------------------------------------
// Capacity from the centre's configuration
// ---------------------------------------------------------------------------------------------

/** The centre state as reporting keeps it: inspector names (personal) blanked. */
function withoutNames(state: CentreState): CentreState {
  return { ...state, inspectors: state.inspectors.map((inspector) => ({ ...inspector, name: '' })) };
}

export function dayCapacity(tenantId: string, state: CentreState, day: string): DayCapacityRow {
  const config = centreDayConfiguration(state, day);
  let working = 0;
  for (const inspector of config.inspectors) {
    // Only inspectors who can take a bookable vehicle (VL or L) count, as in the nominal capacity.
    if (!inspector.accreditations.includes('VL') && !inspector.accreditations.includes('L')) continue;
    working += totalMinutes(intersectIntervals(inspector.working, config.opening));
  }
  const cap =
    config.dailyCapacity === null
      ? working
      : Math.min(working, config.dailyCapacity * REFERENCE_CONTROL_MINUTES);
  const opening = totalMinutes(config.opening);
  return {
    tenant_id: tenantId,
    centre_id: config.centreId,
    day,
    active: config.active,
    open: opening > 0,
    closure_label: config.closure?.label ?? null,
    opening_minutes: opening,
    capacity_minutes: cap,
    nominal_capacity: config.nominalCapacity,
  };
}

/**
 * `addDaysToLocalDate`, memoised: every booking event extends its centre's range (watermark +
 * horizon) and the capacity rows walk day by day, over a handful of distinct (date, n) pairs.
 */
const shiftedDates = new Map<string, string>();
function addDays(date: string, n: number): string {
  const key = `${date}|${n}`;
  let found = shiftedDates.get(key);
  if (found === undefined) {
    found = addDaysToLocalDate(date, n);
    if (shiftedDates.size >= 100_000) shiftedDates.clear();
    shiftedDates.set(key, found);
  }
  return found;
}

const maxDate = (a: string | null, b: string | null): string | null =>
  a === null ? b : b === null || b < a ? a : b;

interface CentreBatch {
  /** State and range before the batch. */
  readonly before: CentreCalendarRow;
  current: CentreCalendarRow;
  /** Configuration changes of the batch, by increasing effective date. */
  readonly changes: { readonly effective: string; readonly state: CentreState }[];
}

function emptyCalendar(tenantId: string, centreId: string): CentreCalendarRow {
  return {
    tenant_id: tenantId,
    centre_id: centreId,
    state: initialCentreState(),
    state_date: null,
    first_day: null,
    last_day: null,
    watermark: null,
    last_revision: 0,
  };
}

/** Pushes the range's end to the latest activity + horizon, or to a later appointment. */
function extend(calendar: CentreCalendarRow, activity: string, appointment?: string): CentreCalendarRow {
  if (calendar.first_day === null) return calendar;
  const watermark = maxDate(calendar.watermark, activity);
  const horizonEnd = addDays(watermark ?? activity, calendar.state.policy.horizonDays);
  const lastDay = maxDate(maxDate(calendar.last_day, horizonEnd), appointment ?? null);
  return watermark === calendar.watermark && lastDay === calendar.last_day
    ? calendar
    : { ...calendar, watermark, last_day: lastDay };
}

/** The capacity rows a batch (re)writes for one centre: the rule "state in force on the day". */
function capacityRows(batch: CentreBatch): DayCapacityRow[] {
  const { before, current, changes } = batch;
  if (current.first_day === null || current.last_day === null) return [];
  const firstChange = changes[0]?.effective;
  const afterOld = before.last_day === null ? current.first_day : addDays(before.last_day, 1);
  let from = firstChange !== undefined && firstChange < afterOld ? firstChange : afterOld;
  if (from < current.first_day) from = current.first_day;
  const rows: DayCapacityRow[] = [];
  let index = -1;
  for (let day = from; day <= current.last_day; day = addDays(day, 1)) {
    while (index + 1 < changes.length && (changes[index + 1]?.effective ?? '') <= day) index += 1;
    const state = index >= 0 ? changes[index]?.state : before.state;
    if (state === undefined || state.status === 'unregistered') continue;
    rows.push(dayCapacity(current.tenant_id, state, day));
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Daily counters, recomputed from booking_facts
// ---------------------------------------------------------------------------------------------

const LIVE_STATUSES: ReadonlySet<BookingStatus> = new Set([
  'placed',
  'confirmed',
  'checked_in',
  'completed',
  'no_show',
]);
const LIVE = `status in (${[...LIVE_STATUSES].map((status) => `'${status}'`).join(', ')})`;
const DAY_MINUTES = 1440;

type Counter = readonly [name: string, of: (fact: BookingFactRow) => number];
const when = (test: boolean, value = 1): number => (test ? value : 0);
const leadBetween = (from: number, to: number | null) => (fact: BookingFactRow) =>
  when(
    fact.lead_time_minutes >= from * DAY_MINUTES &&
      (to === null || fact.lead_time_minutes < to * DAY_MINUTES),
  );

/**
 * What one booking fact adds to the counters of its appointment day, in the order of the SQL
 * recompute below (`recomputeDays`), which they mirror column for column.
 */
const APPOINTMENT_COUNTERS: readonly Counter[] = [
  ['appointments_count', () => 1],
  ['held_count', (f) => when(f.status === 'placed')],
  ['confirmed_count', (f) => when(f.status === 'confirmed')],
  ['checked_in_count', (f) => when(f.status === 'checked_in')],
  ['completed_count', (f) => when(f.status === 'completed')],
  ['cancelled_count', (f) => when(f.status === 'cancelled')],
  ['expired_count', (f) => when(f.status === 'expired')],
  ['no_show_count', (f) => when(f.status === 'no_show')],
  ['booked_count', (f) => when(LIVE_STATUSES.has(f.status))],
  ['booked_minutes', (f) => when(LIVE_STATUSES.has(f.status), f.duration_minutes)],
  ['result_a_count', (f) => when(f.result === 'A')],
  ['result_s_count', (f) => when(f.result === 'S')],
  ['result_r_count', (f) => when(f.result === 'R')],
  ['revenue_cents', (f) => f.revenue_cents],
  ['revenue_online_cents', (f) => when(f.payment_mode === 'online', f.revenue_cents)],
  ['revenue_on_site_cents', (f) => when(f.payment_mode === 'on_site', f.revenue_cents)],
  ['refunded_cents', (f) => f.refunded_cents],
];

/** What one booking fact adds to the counters of its placement day (centre and local date placed). */
const PLACEMENT_COUNTERS: readonly Counter[] = [
  ['placed_count', () => 1],
  ['placed_web_count', (f) => when(f.channel === 'web')],
  ['placed_mobile_count', (f) => when(f.channel === 'mobile')],
  ['placed_call_centre_count', (f) => when(f.channel === 'call_centre')],
  ['placed_backoffice_count', (f) => when(f.channel === 'backoffice')],
  ['lead_time_total_minutes', (f) => f.lead_time_minutes],
  ['lead_time_under_1d_count', leadBetween(0, 1)],
  ['lead_time_1d_3d_count', leadBetween(1, 3)],
  ['lead_time_3d_7d_count', leadBetween(3, 7)],
  ['lead_time_7d_14d_count', leadBetween(7, 14)],
  ['lead_time_14d_30d_count', leadBetween(14, 30)],
  ['lead_time_over_30d_count', leadBetween(30, null)],
];

const COUNTERS = [...APPOINTMENT_COUNTERS, ...PLACEMENT_COUNTERS].map(([name]) => name);

/**
 * The statement recomputing the counters of the (tenant, centre, day) keys of `$1` (a JSON array)
 * from `booking_facts`. `perKey`: a few keys; each key's facts are then aggregated on their own (a
 * lateral aggregate, planned as an index scan of `booking_facts_appointment` /
 * `booking_facts_placement` per key) rather than leaving the join to the planner, which estimates
 * the JSON keys at 100 rows and, while the table is young or has no statistics, hash-joins the
 * whole table, at a cost growing with it. Otherwise (a catch-up batch, thousands of keys) the
 * planner chooses. Same rows either way: a key without facts gets zeros.
 */
function recomputeDays(schema: string, perKey: boolean): string {
  const facts = `${schema}.booking_facts`;
  const lead = (from: number, to: number | null) =>
    `count(*) filter (where lead_time_minutes >= ${from * DAY_MINUTES}${to === null ? '' : ` and lead_time_minutes < ${to * DAY_MINUTES}`})::int`;
  const appointments = `
         count(*)::int as appointments_count,
         count(*) filter (where status = 'placed')::int as held_count,
         count(*) filter (where status = 'confirmed')::int as confirmed_count,
         count(*) filter (where status = 'checked_in')::int as checked_in_count,
         count(*) filter (where status = 'completed')::int as completed_count,
         count(*) filter (where status = 'cancelled')::int as cancelled_count,
         count(*) filter (where status = 'expired')::int as expired_count,
         count(*) filter (where status = 'no_show')::int as no_show_count,
         count(*) filter (where ${LIVE})::int as booked_count,
         coalesce(sum(duration_minutes) filter (where ${LIVE}), 0)::int as booked_minutes,
         count(*) filter (where result = 'A')::int as result_a_count,
         count(*) filter (where result = 'S')::int as result_s_count,
         count(*) filter (where result = 'R')::int as result_r_count,
         coalesce(sum(revenue_cents), 0)::bigint as revenue_cents,
         coalesce(sum(revenue_cents) filter (where payment_mode = 'online'), 0)::bigint as revenue_online_cents,
         coalesce(sum(revenue_cents) filter (where payment_mode = 'on_site'), 0)::bigint as revenue_on_site_cents,
         coalesce(sum(refunded_cents), 0)::bigint as refunded_cents`;
  const placements = `
         count(*)::int as placed_count,
         count(*) filter (where channel = 'web')::int as placed_web_count,
         count(*) filter (where channel = 'mobile')::int as placed_mobile_count,
         count(*) filter (where channel = 'call_centre')::int as placed_call_centre_count,
         count(*) filter (where channel = 'backoffice')::int as placed_backoffice_count,
         coalesce(sum(lead_time_minutes), 0)::bigint as lead_time_total_minutes,
         ${lead(0, 1)} as lead_time_under_1d_count,
         ${lead(1, 3)} as lead_time_1d_3d_count,
         ${lead(3, 7)} as lead_time_3d_7d_count,
         ${lead(7, 14)} as lead_time_7d_14d_count,
         ${lead(14, 30)} as lead_time_14d_30d_count,
         ${lead(30, null)} as lead_time_over_30d_count`;
  const a = perKey
    ? `select k.tenant_id, k.centre_id, k.day, x.* from k cross join lateral (select ${appointments}
    from ${facts} f where f.tenant_id = k.tenant_id and f.centre_id = k.centre_id and f.appointment_date = k.day) x`
    : `select f.tenant_id, f.centre_id, f.appointment_date as day, ${appointments}
    from ${facts} f join k on f.tenant_id = k.tenant_id and f.centre_id = k.centre_id and f.appointment_date = k.day
   group by 1, 2, 3`;
  const p = perKey
    ? `select k.tenant_id, k.centre_id, k.day, x.* from k cross join lateral (select ${placements}
    from ${facts} f where f.tenant_id = k.tenant_id and f.placed_centre_id = k.centre_id and f.placed_date = k.day) x`
    : `select f.tenant_id, f.placed_centre_id as centre_id, f.placed_date as day, ${placements}
    from ${facts} f join k on f.tenant_id = k.tenant_id and f.placed_centre_id = k.centre_id and f.placed_date = k.day
   group by 1, 2, 3`;
  return `
with k as (
  select distinct k.tenant_id, k.centre_id, k.day from jsonb_to_recordset($1::jsonb) k(tenant_id text, centre_id text, day date)
), a as (
  ${a}
), p as (
  ${p}
)
insert into ${schema}.daily_centre_facts (tenant_id, centre_id, day, ${COUNTERS.join(', ')})
select k.tenant_id, k.centre_id, k.day, ${COUNTERS.map(
    (c) => `coalesce(${c.startsWith('placed') || c.startsWith('lead') ? 'p' : 'a'}.${c}, 0)`,
  ).join(', ')}
  from k
  left join a on a.tenant_id = k.tenant_id and a.centre_id = k.centre_id and a.day = k.day
  left join p on p.tenant_id = k.tenant_id and p.centre_id = k.centre_id and p.day = k.day
on conflict (tenant_id, centre_id, day) do update set ${COUNTERS.map((c) => `${c} = excluded.${c}`).join(', ')}`;
}

/** (centre, day) keys recomputed one by one (index lookups) at most; more are left to the planner. */
const PER_KEY_RECOMPUTE = 1_000;

/**
 * The statement adding the counter changes of `$1` (a JSON array of day keys with the counters
 * that changed; a counter left out adds 0) to their daily rows, creating the rows it lacks. A
 * live batch knows each fact's previous row, so it sends what the batch changed instead of
 * aggregating every fact of each day again: the same rows (see `APPOINTMENT_COUNTERS`), at a cost
 * that does not grow with the day's bookings.
 */
function addToDays(schema: string): string {
  return `insert into ${schema}.daily_centre_facts as t (tenant_id, centre_id, day, ${COUNTERS.join(', ')})
select d.tenant_id, d.centre_id, d.day, ${COUNTERS.map((c) => `coalesce(d.${c}, 0)`).join(', ')}
  from jsonb_to_recordset($1::jsonb) d(tenant_id text, centre_id text, day date, ${COUNTERS.map((c) => `${c} bigint`).join(', ')})
on conflict (tenant_id, centre_id, day) do update set ${COUNTERS.map((c) => `${c} = t.${c} + excluded.${c}`).join(', ')}`;
}

/** A daily row's key and the counter changes a batch makes to it (counters that did not change: absent). */
type DayChange = Record<string, string | number> & { tenant_id: string; centre_id: string; day: string };

/**
 * Adds `sign` times a fact's contributions to the changes of its appointment day and placement day;
 * `sign` 0 records the two days only (a catch-up batch recomputes them).
 */
function addFact(changes: Map<string, DayChange>, fact: BookingFactRow, sign: 1 | -1 | 0): void {
  const days = [
    [fact.centre_id, fact.appointment_date, APPOINTMENT_COUNTERS],
    [fact.placed_centre_id, fact.placed_date, PLACEMENT_COUNTERS],
  ] as const;
  for (const [centreId, day, counters] of days) {
    const key = `${fact.tenant_id}/${centreId}/${day}`;
    let change = changes.get(key);
    if (change === undefined) {
      change = { tenant_id: fact.tenant_id, centre_id: centreId, day };
      changes.set(key, change);
    }
    if (sign === 0) continue;
    for (const [name, of] of counters) {
      const value = of(fact);
      if (value !== 0) change[name] = ((change[name] as number | undefined) ?? 0) + sign * value;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The projector
// ---------------------------------------------------------------------------------------------

/**
 * Rows of `sql` for `ids`, sent as one text array: `= any($1::text[])` is an index scan however
 * small the table looks to the planner (a set-returning function joined in would be estimated at
 * 100 rows, and a young table hash-joined in full, at a cost growing with it).
 */
async function loadByIds<R>(tx: SqlExecutor, sql: string, ids: readonly string[]): Promise<R[]> {
  if (ids.length === 0) return [];
  const { rows } = await tx.query<{ row: R }>(sql, [ids]);
  return rows.map(({ row }) => row);
}

const memoryKey = (centreId: string) => `centre:${centreId}`;

function stringField(event: ProjectionEvent, name: string): string | undefined {
  const data: Readonly<Record<string, unknown>> = event.data;
  const value = data[name];
  return typeof value === 'string' ? value : undefined;
}

function isCentreEvent(event: ProjectionEvent): event is ProjectionEvent & CentreEvent {
  return event.streamName.startsWith('centre-');
}

export const reportingProjector = defineProjector({
  name: 'reporting',
  version: 1,
  viewSchema: 'reporting',
  tables: ['booking_facts', 'daily_centre_facts'],
  filter: { streamPrefixes: ['booking-', 'centre-'] },
  migrations: (schema) => [
    {
      version: 1,
      name: 'booking and daily centre facts',
      sql: `
create table ${schema}.booking_facts (
  tenant_id text not null,
  booking_id text primary key,
  centre_id text not null,
  appointment_date date not null,
  start_time text not null,
  duration_minutes int not null,
  placed_centre_id text not null,
  placed_at timestamptz not null,
  placed_date date not null,
  channel text not null,
  payment_mode text not null,
  control_type text not null,
  vehicle_category text not null,
  vehicle_fuel text not null,
  price_cents int not null,
  paid_cents int not null,
  status text not null,
  result text,
  confirmed_at timestamptz,
  checked_in_at timestamptz,
  completed_at timestamptz,
  cancelled_at timestamptz,
  expired_at timestamptz,
  no_show_at timestamptz,
  cancelled_by text,
  cancellation_reason text,
  refund_eligible boolean,
  lead_time_minutes int not null,
  reschedule_count int not null,
  revenue_cents int not null,
  refunded_cents int not null,
  last_revision bigint not null
);
create index booking_facts_appointment on ${schema}.booking_facts (tenant_id, centre_id, appointment_date);
create index booking_facts_placement on ${schema}.booking_facts (tenant_id, placed_centre_id, placed_date);
${tenantPolicy(schema, 'booking_facts')}
create table ${schema}.daily_centre_facts (
  tenant_id text not null,
  centre_id text not null,
  day date not null,
  active boolean,
  open boolean,
  closure_label text,
  opening_minutes int,
  capacity_minutes int,
  nominal_capacity int,
  appointments_count int not null default 0,
  held_count int not null default 0,
  confirmed_count int not null default 0,
  checked_in_count int not null default 0,
  completed_count int not null default 0,
  cancelled_count int not null default 0,
  expired_count int not null default 0,
  no_show_count int not null default 0,
  booked_count int not null default 0,
  booked_minutes int not null default 0,
  fill_rate numeric(7, 4) generated always as
    (case when capacity_minutes > 0 then round(booked_minutes::numeric / capacity_minutes, 4) end) stored,
  result_a_count int not null default 0,
  result_s_count int not null default 0,
  result_r_count int not null default 0,
  revenue_cents bigint not null default 0,
  revenue_online_cents bigint not null default 0,
  revenue_on_site_cents bigint not null default 0,
  refunded_cents bigint not null default 0,
  placed_count int not null default 0,
  placed_web_count int not null default 0,
  placed_mobile_count int not null default 0,
  placed_call_centre_count int not null default 0,
  placed_backoffice_count int not null default 0,
  lead_time_total_minutes bigint not null default 0,
  lead_time_avg_minutes numeric(12, 1) generated always as
    (case when placed_count > 0 then round(lead_time_total_minutes::numeric / placed_count, 1) end) stored,
  lead_time_under_1d_count int not null default 0,
  lead_time_1d_3d_count int not null default 0,
  lead_time_3d_7d_count int not null default 0,
  lead_time_7d_14d_count int not null default 0,
  lead_time_14d_30d_count int not null default 0,
  lead_time_over_30d_count int not null default 0,
  primary key (tenant_id, centre_id, day)
);
${tenantPolicy(schema, 'daily_centre_facts')}
-- Internal: each centre's configuration (inspector names blanked) and the range of its daily rows.
create table ${schema}.centre_calendars (
  tenant_id text not null,
  centre_id text primary key,
  state jsonb not null,
  state_date date,
  first_day date,
  last_day date,
  watermark date,
  last_revision bigint not null
);
${bookingFactsComments(schema)}
${dailyFactsComments(schema)}`,
    },
  ],
  async apply(batch, ctx) {
    const bookingEvents = batch.events.filter((event) => event.streamName.startsWith('booking-'));
    const centreEvents = batch.events.filter(isCentreEvent);

    // The booking facts the batch touches: from memory, else read once.
    const factMemory = rowMemory<BookingFactRow>(ctx, 'booking_facts');
    const { known } = bookingIdsOf(bookingEvents, (e) => stringField(e, 'bookingId'));
    const facts = await factMemory.rows(
      known,
      async (missing) =>
        new Map(
          (
            await loadByIds<BookingFactRow>(
              ctx.tx,
              `select to_jsonb(f) as row from ${ctx.table('booking_facts')} f where f.booking_id = any($1::text[])`,
              missing,
            )
          ).map((row) => [row.booking_id, row]),
        ),
    );

    // The centres the batch touches: from memory, else read once.
    const centreIds = new Set<string>();
    for (const event of centreEvents) centreIds.add(event.data.centreId);
    for (const event of bookingEvents) {
      const placed = event.type === 'BookingPlaced' ? event.data.centreId : undefined;
      const moved = event.type === 'BookingRescheduled' ? event.data.to.centreId : undefined;
      const known = facts.get(stringField(event, 'bookingId') ?? '')?.centre_id;
      for (const id of [placed, moved, known]) if (id !== undefined) centreIds.add(id);
    }
    const missing = [...centreIds].filter((id) => !ctx.memory.has(memoryKey(id)));
    for (const row of await loadByIds<CentreCalendarRow>(
      ctx.tx,
      `select to_jsonb(c) as row from ${ctx.table('centre_calendars')} c where c.centre_id = any($1::text[])`,
      missing,
    )) {
      ctx.memory.set(memoryKey(row.centre_id), row);
    }
    const centres = new Map<string, CentreBatch>();
    const centreBatch = (centreId: string, tenantId: string): CentreBatch => {
      let entry = centres.get(centreId);
      if (entry === undefined) {
        const stored = ctx.memory.get(memoryKey(centreId)) as CentreCalendarRow | undefined;
        const before = stored ?? emptyCalendar(tenantId, centreId);
        entry = { before, current: before, changes: [] };
        centres.set(centreId, entry);
      }
      return entry;
    };

    const changedFacts = new Map<string, BookingFactRow>();
    const live = ctx.mode === 'live';
    // Every (centre, day) whose counters the batch changes, with the changes when live (`addFact`).
    const dayChanges = new Map<string, DayChange>();

    for (const event of batch.events) {
      const today = localDateOf(event.metadata.occurredAt);
      if (isCentreEvent(event)) {
        const entry = centreBatch(event.data.centreId, event.metadata.tenantId);
        const revision = revisionNumber(event.revision);
        if (revision <= entry.current.last_revision) continue;
        const state = withoutNames(evolveCentre(entry.current.state, event));
        const effective = maxDate(entry.current.state_date, today) ?? today;
        entry.changes.push({ effective, state });
        entry.current = extend(
          {
            ...entry.current,
            state,
            state_date: effective,
            first_day: entry.current.first_day ?? effective,
            last_revision: revision,
          },
          today,
        );
        continue;
      }
      const id = stringField(event, 'bookingId');
      if (id === undefined) continue;
      const current = facts.get(id);
      const next = foldBookingFact(current, event);
      if (next === undefined || next === current) continue;
      facts.set(id, next);
      changedFacts.set(id, next);
      if (current !== undefined) addFact(dayChanges, current, live ? -1 : 0);
      addFact(dayChanges, next, live ? 1 : 0);
      const entry = centreBatch(next.centre_id, next.tenant_id);
      entry.current = extend(entry.current, today, next.appointment_date);
    }

    const capacity: DayCapacityRow[] = [];
    const calendars: CentreCalendarRow[] = [];
    for (const entry of centres.values()) {
      if (entry.current === entry.before) continue;
      capacity.push(...capacityRows(entry));
      calendars.push(entry.current);
      ctx.memory.set(memoryKey(entry.current.centre_id), entry.current);
    }
    await upsertRows(ctx.tx, ctx.table('centre_calendars'), calendars, { key: ['centre_id'] });
    await upsertRows(ctx.tx, ctx.table('daily_centre_facts'), capacity, {
      key: ['tenant_id', 'centre_id', 'day'],
      columns: [
        'tenant_id',
        'centre_id',
        'day',
        'active',
        'open',
        'closure_label',
        'opening_minutes',
        'capacity_minutes',
        'nominal_capacity',
      ],
    });
    await upsertRows(ctx.tx, ctx.table('booking_facts'), [...changedFacts.values()], { key: ['booking_id'] });
    for (const [id, row] of changedFacts) factMemory.remember(id, row);
    if (dayChanges.size > 0) {
      // Live: the changes. Catch-up (a rebuild, a restart behind): the counters recomputed from
      // the facts, so a rebuild checks what the live changes added up to (the equivalence test).
      const statement = live
        ? addToDays(ctx.schema)
        : recomputeDays(ctx.schema, dayChanges.size <= PER_KEY_RECOMPUTE);
      await deferWrite(ctx.tx, statement, [JSON.stringify([...dayChanges.values()])]);
    }
  },
});
