import type { ReportingDay, ReportingFigures, ReportingReport } from './reporting-summary.js';

/**
 * The report as CSV (RFC 4180: comma separated, CRLF, fields quoted when they hold a comma, a quote
 * or a line break). One row per day, then a `total` row. Rates are decimals (0.8125), money in
 * cents, as in the JSON. A field starting with `=`, `+`, `-` or `@` is prefixed with `'` so that
 * a spreadsheet never evaluates it as a formula.
 */

const COLUMNS = [
  'date',
  'bookings',
  'cancellations',
  'no_shows',
  'completed',
  'result_a',
  'result_s',
  'result_r',
  'revenue_cents',
  'booked_minutes',
  'capacity_minutes',
  'fill_rate',
  'no_show_rate',
  'average_lead_time_hours',
  'channel_web',
  'channel_mobile',
  'channel_call_centre',
  'channel_backoffice',
] as const;

export function csvField(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function row(label: string, figures: ReportingFigures): string {
  return [
    label,
    figures.bookings,
    figures.cancellations,
    figures.noShows,
    figures.completed,
    figures.results.A,
    figures.results.S,
    figures.results.R,
    figures.revenueCents,
    figures.bookedMinutes,
    figures.capacityMinutes,
    figures.fillRate,
    figures.noShowRate,
    figures.averageLeadTimeHours,
    figures.channels.web,
    figures.channels.mobile,
    figures.channels.call_centre,
    figures.channels.backoffice,
  ]
    .map(csvField)
    .join(',');
}

export function reportingCsv(report: ReportingReport): string {
  const lines = [
    COLUMNS.join(','),
    ...report.days.map((day: ReportingDay) => row(day.date, day)),
    row('total', report.totals),
  ];
  return `${lines.join('\r\n')}\r\n`;
}
