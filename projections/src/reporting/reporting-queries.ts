import { isLocalDate } from '@pti/events';
import { daysBetweenLocalDates } from '@pti/write-side/domain';
import { type ReadSource, readAsTenant, schemaOf } from '../bookings/shared.js';

/**
 * Reporting per centre and period for the staff API and its CSV export: the daily facts of
 * `reporting.daily_centre_facts` summed over the days of the period (rates are computed from the
 * sums, never averaged). Runs under row-level security: another tenant's centre reads as empty.
 */

export interface ReportingQuery {
  /** Centres to report on; absent or empty: every centre of the tenant that has facts. */
  readonly centreIds?: readonly string[];
  /** First and last local day of the period, inclusive (`YYYY-MM-DD`). */
  readonly from: string;
  readonly to: string;
}

/** Longest period one query may cover (two years of days). */
export const MAX_REPORTING_DAYS = 731;

export interface LeadTimeDistribution {
  readonly under1Day: number;
  readonly from1To3Days: number;
  readonly from3To7Days: number;
  readonly from7To14Days: number;
  readonly from14To30Days: number;
  readonly over30Days: number;
}

export interface PeriodFacts {
  /** Null for the total over several centres. */
  readonly centreId: string | null;
  readonly from: string;
  readonly to: string;
  /** Days of the period with a row (the centre's configuration known, or some activity). */
  readonly days: number;
  readonly openDays: number;
  /** Bookable inspector minutes over the days whose configuration is known. */
  readonly capacityMinutes: number;
  /** Planned minutes of the appointments occupying the days (held, confirmed, checked in, completed, no-show). */
  readonly bookedMinutes: number;
  /** Booked minutes / capacity minutes, over the days with a known capacity; null without capacity. */
  readonly fillRate: number | null;
  /** Bookings placed during the period (demand). */
  readonly placed: number;
  /** Bookings whose appointment falls in the period, by current status. */
  readonly appointments: number;
  readonly booked: number;
  readonly held: number;
  readonly confirmed: number;
  readonly checkedIn: number;
  readonly completed: number;
  readonly cancelled: number;
  readonly expired: number;
  readonly noShows: number;
  /** No-shows / (checked in + completed + no-shows); null when none of them. */
  readonly noShowRate: number | null;
  /** Cancelled / (appointments − expired); null when none. */
  readonly cancellationRate: number | null;
  readonly results: { readonly A: number; readonly S: number; readonly R: number };
  readonly revenueCents: number;
  readonly revenueByPaymentMode: { readonly online: number; readonly onSite: number };
  readonly refundedCents: number;
  /** Placement to appointment, over the bookings placed in the period. */
  readonly leadTime: { readonly averageMinutes: number | null; readonly distribution: LeadTimeDistribution };
  /** Bookings placed in the period by channel. */
  readonly channels: {
    readonly web: number;
    readonly mobile: number;
    readonly callCentre: number;
    readonly backoffice: number;
  };
}

export interface ReportingFacts {
  readonly from: string;
  readonly to: string;
  /** One entry per centre asked for (zeros when it has no facts), sorted by centre id. */
  readonly centres: readonly PeriodFacts[];
  /** Sums over every centre of `centres`. */
  readonly total: PeriodFacts;
}

export class InvalidReportingQueryError extends RangeError {
  override readonly name = 'InvalidReportingQueryError';
  readonly code = 'invalid_reporting_query';
}

function checkQuery(query: ReportingQuery): void {
  if (!isLocalDate(query.from) || !isLocalDate(query.to))
    throw new InvalidReportingQueryError('from and to must be local dates YYYY-MM-DD');
  const days = daysBetweenLocalDates(query.from, query.to) + 1;
  if (days < 1) throw new InvalidReportingQueryError('from must not be after to');
  if (days > MAX_REPORTING_DAYS)
    throw new InvalidReportingQueryError(`a period covers at most ${MAX_REPORTING_DAYS} days`);
}

/** The sums a period's facts are computed from (one SQL row). */
interface Sums {
  readonly centre_id: string;
  readonly day: string | null;
  readonly days: number;
  readonly open_days: number;
  readonly capacity_minutes: number;
  readonly booked_minutes: number;
  readonly booked_minutes_with_capacity: number;
  readonly placed_count: number;
  readonly appointments_count: number;
  readonly booked_count: number;
  readonly held_count: number;
  readonly confirmed_count: number;
  readonly checked_in_count: number;
  readonly completed_count: number;
  readonly cancelled_count: number;
  readonly expired_count: number;
  readonly no_show_count: number;
  readonly result_a_count: number;
  readonly result_s_count: number;
  readonly result_r_count: number;
  readonly revenue_cents: number;
  readonly revenue_online_cents: number;
  readonly revenue_on_site_cents: number;
  readonly refunded_cents: number;
  readonly lead_time_total_minutes: number;
  readonly lead_time_under_1d_count: number;
  readonly lead_time_1d_3d_count: number;
  readonly lead_time_3d_7d_count: number;
  readonly lead_time_7d_14d_count: number;
  readonly lead_time_14d_30d_count: number;
  readonly lead_time_over_30d_count: number;
  readonly placed_web_count: number;
  readonly placed_mobile_count: number;
  readonly placed_call_centre_count: number;
  readonly placed_backoffice_count: number;
}

type SumKey = Exclude<keyof Sums, 'centre_id' | 'day'>;

const SUMMED: readonly SumKey[] = [
  'capacity_minutes',
  'booked_minutes',
  'placed_count',
  'appointments_count',
  'booked_count',
  'held_count',
  'confirmed_count',
  'checked_in_count',
  'completed_count',
  'cancelled_count',
  'expired_count',
  'no_show_count',
  'result_a_count',
  'result_s_count',
  'result_r_count',
  'revenue_cents',
  'revenue_online_cents',
  'revenue_on_site_cents',
  'refunded_cents',
  'lead_time_total_minutes',
  'lead_time_under_1d_count',
  'lead_time_1d_3d_count',
  'lead_time_3d_7d_count',
  'lead_time_7d_14d_count',
  'lead_time_14d_30d_count',
  'lead_time_over_30d_count',
  'placed_web_count',
  'placed_mobile_count',
  'placed_call_centre_count',
  'placed_backoffice_count',
];

function sumsSql(schema: string, byDay: boolean): string {
  // float8: exact for integers up to 2^53 and read as a JS number by both drivers.
  return `
select centre_id, ${byDay ? 'day::text as day' : 'null::text as day'},
       count(*)::float8 as days,
       (count(*) filter (where open))::float8 as open_days,
       coalesce(sum(booked_minutes) filter (where capacity_minutes is not null), 0)::float8 as booked_minutes_with_capacity,
       ${SUMMED.map((column) => `coalesce(sum(${column}), 0)::float8 as ${column}`).join(',\n       ')}
  from ${schema}.daily_centre_facts
 where day between $1::date and $2::date
   and ($3::jsonb is null or centre_id in (select jsonb_array_elements_text($3::jsonb)))
 group by centre_id${byDay ? ', day' : ''}
 order by centre_id${byDay ? ', day' : ''}`;
}

const ratio = (a: number, b: number): number | null => (b > 0 ? Math.round((a / b) * 10_000) / 10_000 : null);

function zeroSums(centreId: string): Sums {
  const zero: Record<string, number> = { days: 0, open_days: 0, booked_minutes_with_capacity: 0 };
  for (const column of SUMMED) zero[column] = 0;
  // Every numeric field of Sums was just set to 0.
  return { ...(zero as Omit<Sums, 'centre_id' | 'day'>), centre_id: centreId, day: null };
}

function addSums(a: Sums, b: Sums): Sums {
  const out: Record<string, number> = {
    days: a.days + b.days,
    open_days: a.open_days + b.open_days,
    booked_minutes_with_capacity: a.booked_minutes_with_capacity + b.booked_minutes_with_capacity,
  };
  for (const column of SUMMED) out[column] = a[column] + b[column];
  return { ...(out as Omit<Sums, 'centre_id' | 'day'>), centre_id: a.centre_id, day: null };
}

function factsOf(s: Sums, centreId: string | null, from: string, to: string): PeriodFacts {
  const reached = s.checked_in_count + s.completed_count + s.no_show_count;
  return {
    centreId,
    from,
    to,
    days: s.days,
    openDays: s.open_days,
    capacityMinutes: s.capacity_minutes,
    bookedMinutes: s.booked_minutes,
    fillRate: ratio(s.booked_minutes_with_capacity, s.capacity_minutes),
    placed: s.placed_count,
    appointments: s.appointments_count,
    booked: s.booked_count,
    held: s.held_count,
    confirmed: s.confirmed_count,
    checkedIn: s.checked_in_count,
    completed: s.completed_count,
    cancelled: s.cancelled_count,
    expired: s.expired_count,
    noShows: s.no_show_count,
    noShowRate: ratio(s.no_show_count, reached),
    cancellationRate: ratio(s.cancelled_count, s.appointments_count - s.expired_count),
    results: { A: s.result_a_count, S: s.result_s_count, R: s.result_r_count },
    revenueCents: s.revenue_cents,
    revenueByPaymentMode: { online: s.revenue_online_cents, onSite: s.revenue_on_site_cents },
    refundedCents: s.refunded_cents,
    leadTime: {
      averageMinutes:
        s.placed_count > 0 ? Math.round((s.lead_time_total_minutes / s.placed_count) * 10) / 10 : null,
      distribution: {
        under1Day: s.lead_time_under_1d_count,
        from1To3Days: s.lead_time_1d_3d_count,
        from3To7Days: s.lead_time_3d_7d_count,
        from7To14Days: s.lead_time_7d_14d_count,
        from14To30Days: s.lead_time_14d_30d_count,
        over30Days: s.lead_time_over_30d_count,
      },
    },
    channels: {
      web: s.placed_web_count,
      mobile: s.placed_mobile_count,
      callCentre: s.placed_call_centre_count,
      backoffice: s.placed_backoffice_count,
    },
  };
}

function centreFilter(query: ReportingQuery): string | null {
  return query.centreIds === undefined || query.centreIds.length === 0
    ? null
    : JSON.stringify(query.centreIds);
}

async function selectSums(
  source: ReadSource,
  tenantId: string | null,
  query: ReportingQuery,
  byDay: boolean,
): Promise<Sums[]> {
  checkQuery(query);
  const schema = schemaOf(source, 'reporting');
  return readAsTenant(source, tenantId, async (tx) => {
    const { rows } = await tx.query<Sums>(sumsSql(schema, byDay), [
      query.from,
      query.to,
      centreFilter(query),
    ]);
    return rows;
  });
}

/** Staff: facts per centre summed over the period, and their total. */
export async function reportingFacts(
  source: ReadSource,
  tenantId: string | null,
  query: ReportingQuery,
): Promise<ReportingFacts> {
  const rows = await selectSums(source, tenantId, query, false);
  const byCentre = new Map(rows.map((row) => [row.centre_id, row]));
  const asked =
    query.centreIds === undefined || query.centreIds.length === 0 ? [...byCentre.keys()] : query.centreIds;
  const centres = [...new Set(asked)].sort().map((id) => byCentre.get(id) ?? zeroSums(id));
  const total = centres.reduce(addSums, zeroSums(''));
  return {
    from: query.from,
    to: query.to,
    centres: centres.map((sums) => factsOf(sums, sums.centre_id, query.from, query.to)),
    total: factsOf(total, null, query.from, query.to),
  };
}

/** Staff: the facts of each day of the period, per centre (days without a row are left out). */
export async function reportingDailyFacts(
  source: ReadSource,
  tenantId: string | null,
  query: ReportingQuery,
): Promise<PeriodFacts[]> {
  const rows = await selectSums(source, tenantId, query, true);
  return rows.map((row) => factsOf(row, row.centre_id, row.day ?? query.from, row.day ?? query.to));
}

// ---------------------------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------------------------

/**
 * The CSV columns, in order, with how each is computed from a {@link PeriodFacts} (rates as
 * decimals with a dot, money in cents, empty cells for "not applicable").
 */
export const REPORTING_CSV_COLUMNS: readonly (readonly [
  string,
  (facts: PeriodFacts) => string | number | null,
])[] = [
  ['centre_id', (f) => f.centreId ?? 'TOTAL'],
  ['from', (f) => f.from],
  ['to', (f) => f.to],
  ['days', (f) => f.days],
  ['open_days', (f) => f.openDays],
  ['capacity_minutes', (f) => f.capacityMinutes],
  ['booked_minutes', (f) => f.bookedMinutes],
  ['fill_rate', (f) => f.fillRate],
  ['placed', (f) => f.placed],
  ['appointments', (f) => f.appointments],
  ['booked', (f) => f.booked],
  ['held', (f) => f.held],
  ['confirmed', (f) => f.confirmed],
  ['checked_in', (f) => f.checkedIn],
  ['completed', (f) => f.completed],
  ['cancelled', (f) => f.cancelled],
  ['expired', (f) => f.expired],
  ['no_shows', (f) => f.noShows],
  ['no_show_rate', (f) => f.noShowRate],
  ['cancellation_rate', (f) => f.cancellationRate],
  ['result_a', (f) => f.results.A],
  ['result_s', (f) => f.results.S],
  ['result_r', (f) => f.results.R],
  ['revenue_cents', (f) => f.revenueCents],
  ['revenue_online_cents', (f) => f.revenueByPaymentMode.online],
  ['revenue_on_site_cents', (f) => f.revenueByPaymentMode.onSite],
  ['refunded_cents', (f) => f.refundedCents],
  ['lead_time_avg_minutes', (f) => f.leadTime.averageMinutes],
  ['lead_time_under_1d', (f) => f.leadTime.distribution.under1Day],
  ['lead_time_1d_3d', (f) => f.leadTime.distribution.from1To3Days],
  ['lead_time_3d_7d', (f) => f.leadTime.distribution.from3To7Days],
  ['lead_time_7d_14d', (f) => f.leadTime.distribution.from7To14Days],
  ['lead_time_14d_30d', (f) => f.leadTime.distribution.from14To30Days],
  ['lead_time_over_30d', (f) => f.leadTime.distribution.over30Days],
  ['channel_web', (f) => f.channels.web],
  ['channel_mobile', (f) => f.channels.mobile],
  ['channel_call_centre', (f) => f.channels.callCentre],
  ['channel_backoffice', (f) => f.channels.backoffice],
];

/** RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. */
function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(rows: readonly PeriodFacts[]): string {
  const lines = [REPORTING_CSV_COLUMNS.map(([name]) => name).join(',')];
  for (const row of rows)
    lines.push(REPORTING_CSV_COLUMNS.map(([, value]) => csvField(value(row))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export interface ReportingCsvOptions {
  /** One line per centre for the whole period (default, with a TOTAL line), or per centre and day. */
  readonly by?: 'centre' | 'day';
}

/** Staff: the report as CSV (header line, CRLF line ends, UTF-8). */
export async function reportingCsv(
  source: ReadSource,
  tenantId: string | null,
  query: ReportingQuery,
  options: ReportingCsvOptions = {},
): Promise<string> {
  if (options.by === 'day') return toCsv(await reportingDailyFacts(source, tenantId, query));
  const facts = await reportingFacts(source, tenantId, query);
  return toCsv([...facts.centres, facts.total]);
}
