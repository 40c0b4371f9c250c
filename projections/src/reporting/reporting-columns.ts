/**
 * What every column of the reporting tables means, for analysts: installed as SQL comments by the
 * migration (`comment on column`), so `\d+` and any SQL client show them. Dates are local to the
 * centre (Europe/Paris); instants are UTC; money is integer euro cents incl. VAT.
 */

export const BOOKING_FACTS_TABLE =
  'One row per booking: its current appointment, how and when it was placed, its outcome and the money it brought. No personal data.';

export const BOOKING_FACTS_COLUMNS: Readonly<Record<string, string>> = {
  tenant_id: 'Network (tenant) the booking belongs to; rows are filtered by row-level security on it.',
  booking_id: 'Booking id (stream booking-<id>).',
  centre_id: 'Centre of the current appointment (after any reschedule).',
  appointment_date: 'Local date of the current appointment.',
  start_time: 'Local start time of the current appointment, HH:MM.',
  duration_minutes: 'Planned duration of the control, minutes (from the duration matrix).',
  placed_centre_id: 'Centre the booking was first placed at (before any reschedule).',
  placed_at: 'Instant the booking was placed (UTC).',
  placed_date: 'Local date the booking was placed.',
  channel: 'Where it was booked: web, mobile, call_centre or backoffice.',
  payment_mode: 'online (paid when booking) or on_site (paid at the centre); as confirmed.',
  control_type: 'CTP periodic, CVP contre-visite, CV voluntary, CTC pollution visit, CVC its contre-visite.',
  vehicle_category: 'VP car, VU light utility, Moto, Cyclo.',
  vehicle_fuel: 'Essence, Diesel, Gaz, Hybride, Electrique.',
  price_cents: 'Price of the current appointment, cents (0 for a free contre-visite).',
  paid_cents: 'Sum of succeeded online payments, cents.',
  status: 'Current status: placed (holding), confirmed, checked_in, completed, cancelled, expired, no_show.',
  result: 'Inspection result once completed: A favourable, S contre-visite required, R critical; else null.',
  confirmed_at: 'Instant the booking was confirmed, or null.',
  checked_in_at: 'Instant the vehicle was checked in, or null.',
  completed_at: 'Instant the result was recorded, or null.',
  cancelled_at: 'Instant the booking was cancelled, or null.',
  expired_at: 'Instant the unconfirmed hold expired, or null.',
  no_show_at: 'Instant the booking was marked no-show, or null.',
  cancelled_by: 'Who cancelled: customer, call_centre, centre or system; null if not cancelled.',
  cancellation_reason: 'customer_request, centre_closure, inspector_unavailable, duplicate or other.',
  refund_eligible:
    'Whether the cancellation entitles to a refund of what was paid online; null if not cancelled.',
  lead_time_minutes: 'Minutes from placement to the start of the current appointment.',
  reschedule_count: 'How many times the booking was moved.',
  revenue_cents:
    'Revenue recognised: the price when completed; what was paid online and kept for a no-show or a non-refundable cancellation; else 0.',
  refunded_cents: 'Online payments to refund for an eligible cancellation, cents.',
  last_revision: 'Technical: last event revision of the booking stream folded into the row.',
};

export const DAILY_FACTS_TABLE =
  'One row per centre and local day. Appointment columns count the bookings whose current appointment is that day; placed_* and lead_time_* columns count the bookings placed that day (at the centre of their first appointment); capacity columns come from the centre configuration in force that day.';

export const DAILY_FACTS_COLUMNS: Readonly<Record<string, string>> = {
  tenant_id: 'Network (tenant); rows are filtered by row-level security on it.',
  centre_id: 'Centre id (stream centre-<id>).',
  day: 'Local date (Europe/Paris) the row is about.',
  active:
    'Whether the centre took bookings (not deactivated) per the configuration in force; null if unknown.',
  open: 'Whether the centre had opening hours that day (no closure, weekday not closed); null if unknown.',
  closure_label: 'Label of the closure covering the day (public holiday, works), else null.',
  opening_minutes: 'Minutes the centre was open that day.',
  capacity_minutes:
    "Bookable inspector minutes: each VL/L-accredited inspector's schedule minus absences, within opening hours, summed; capped by the daily capacity x 45 min when one is set. Null if the configuration is unknown.",
  nominal_capacity: "The day's nominal capacity in reference controls (45 min), as the calendar enforces it.",
  appointments_count: 'Bookings whose current appointment is this day, whatever their status.',
  held_count: 'Of those, still placed and holding their slot (not confirmed).',
  confirmed_count: 'Of those, confirmed and not yet checked in.',
  checked_in_count: 'Of those, checked in without a recorded result yet.',
  completed_count: 'Of those, completed with a result.',
  cancelled_count: 'Of those, cancelled.',
  expired_count: 'Of those, expired (hold not confirmed in time: abandoned checkouts).',
  no_show_count: 'Of those, no-shows.',
  booked_count: 'Appointments occupying the day: held + confirmed + checked in + completed + no-shows.',
  booked_minutes: 'Planned minutes of the booked appointments.',
  fill_rate:
    'booked_minutes / capacity_minutes (4 decimals); null without capacity. Sum minutes to aggregate days, never average rates.',
  result_a_count: 'Completed controls with result A (favourable).',
  result_s_count: 'Completed controls with result S (contre-visite required).',
  result_r_count: 'Completed controls with result R (critical defect).',
  revenue_cents:
    'Revenue recognised for the appointments of the day (see booking_facts.revenue_cents), cents.',
  revenue_online_cents: 'Part of revenue_cents of bookings paid online.',
  revenue_on_site_cents: 'Part of revenue_cents of bookings paid on site.',
  refunded_cents:
    'Online payments refunded for eligible cancellations of the appointments of the day, cents.',
  placed_count: 'Bookings placed this day (at this centre), whatever became of them.',
  placed_web_count: 'Of those, placed on the web.',
  placed_mobile_count: 'Of those, placed from the mobile app.',
  placed_call_centre_count: 'Of those, placed by the call centre.',
  placed_backoffice_count: 'Of those, placed by centre staff in the back office.',
  lead_time_total_minutes:
    'Sum of the lead times (placement to appointment start) of the bookings placed this day.',
  lead_time_avg_minutes: 'lead_time_total_minutes / placed_count; null when nothing was placed.',
  lead_time_under_1d_count: 'Bookings placed this day with a lead time under 1 day.',
  lead_time_1d_3d_count: 'Lead time from 1 day to under 3 days.',
  lead_time_3d_7d_count: 'Lead time from 3 days to under 7 days.',
  lead_time_7d_14d_count: 'Lead time from 7 days to under 14 days.',
  lead_time_14d_30d_count: 'Lead time from 14 days to under 30 days.',
  lead_time_over_30d_count: 'Lead time of 30 days or more.',
};

function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function comments(
  schema: string,
  table: string,
  about: string,
  columns: Readonly<Record<string, string>>,
): string {
  return [
    `comment on table ${schema}.${table} is ${literal(about)};`,
    ...Object.entries(columns).map(
      ([column, text]) => `comment on column ${schema}.${table}.${column} is ${literal(text)};`,
    ),
  ].join('\n');
}

export function bookingFactsComments(schema: string): string {
  return comments(schema, 'booking_facts', BOOKING_FACTS_TABLE, BOOKING_FACTS_COLUMNS);
}

export function dailyFactsComments(schema: string): string {
  return comments(schema, 'daily_centre_facts', DAILY_FACTS_TABLE, DAILY_FACTS_COLUMNS);
}
