import { addDaysToLocalDate, daysBetweenLocalDates } from '@pti/write-side/domain';
import type { Channel, InspectionResult, ReportingFactRow } from '../ports/read-models.js';

/**
 * Reporting figures from the daily facts: per day and over the period. Rates are derived from
 * summed counts (never averaged averages), `null` when their denominator is zero.
 *
 * * fill rate = booked minutes / capacity minutes;
 * * no-show rate = no-shows / (bookings − cancellations), the appointments that were due;
 * * lead time = mean hours between placing a booking and its appointment.
 */

export interface ReportingFigures {
  readonly bookings: number;
  readonly cancellations: number;
  readonly noShows: number;
  readonly completed: number;
  readonly results: Record<InspectionResult, number>;
  readonly revenueCents: number;
  readonly bookedMinutes: number;
  readonly capacityMinutes: number;
  readonly fillRate: number | null;
  readonly noShowRate: number | null;
  readonly averageLeadTimeHours: number | null;
  readonly channels: Record<Channel, number>;
}

export interface ReportingDay extends ReportingFigures {
  readonly date: string;
}

export interface ReportingReport {
  readonly days: readonly ReportingDay[];
  readonly totals: ReportingFigures;
}

const ratio = (numerator: number, denominator: number, digits = 4): number | null =>
  denominator === 0 ? null : Math.round((numerator / denominator) * 10 ** digits) / 10 ** digits;

function emptyRow(date: string): ReportingFactRow {
  return {
    date,
    bookings: 0,
    cancellations: 0,
    noShows: 0,
    completed: 0,
    results: { A: 0, S: 0, R: 0 },
    revenueCents: 0,
    bookedMinutes: 0,
    capacityMinutes: 0,
    leadTimeMinutesTotal: 0,
    channels: { web: 0, mobile: 0, call_centre: 0, backoffice: 0 },
  };
}

function sum(rows: readonly ReportingFactRow[], date: string): ReportingFactRow {
  return rows.reduce(
    (total, row) => ({
      date,
      bookings: total.bookings + row.bookings,
      cancellations: total.cancellations + row.cancellations,
      noShows: total.noShows + row.noShows,
      completed: total.completed + row.completed,
      results: {
        A: total.results.A + row.results.A,
        S: total.results.S + row.results.S,
        R: total.results.R + row.results.R,
      },
      revenueCents: total.revenueCents + row.revenueCents,
      bookedMinutes: total.bookedMinutes + row.bookedMinutes,
      capacityMinutes: total.capacityMinutes + row.capacityMinutes,
      leadTimeMinutesTotal: total.leadTimeMinutesTotal + row.leadTimeMinutesTotal,
      channels: {
        web: total.channels.web + row.channels.web,
        mobile: total.channels.mobile + row.channels.mobile,
        call_centre: total.channels.call_centre + row.channels.call_centre,
        backoffice: total.channels.backoffice + row.channels.backoffice,
      },
    }),
    emptyRow(date),
  );
}

function figures(row: ReportingFactRow): ReportingFigures {
  const leadHours = ratio(row.leadTimeMinutesTotal, row.bookings * 60, 1);
  return {
    bookings: row.bookings,
    cancellations: row.cancellations,
    noShows: row.noShows,
    completed: row.completed,
    results: { ...row.results },
    revenueCents: row.revenueCents,
    bookedMinutes: row.bookedMinutes,
    capacityMinutes: row.capacityMinutes,
    fillRate: ratio(row.bookedMinutes, row.capacityMinutes),
    noShowRate: ratio(row.noShows, row.bookings - row.cancellations),
    averageLeadTimeHours: leadHours,
    channels: { ...row.channels },
  };
}

/** Every day of `[from, to]` (days without facts as zeros) and the period's totals. */
export function reportingReport(
  rows: readonly ReportingFactRow[],
  from: string,
  to: string,
): ReportingReport {
  const byDate = new Map<string, ReportingFactRow[]>();
  for (const row of rows) byDate.set(row.date, [...(byDate.get(row.date) ?? []), row]);
  const span = daysBetweenLocalDates(from, to);
  const days: ReportingDay[] = [];
  const inRange: ReportingFactRow[] = [];
  for (let offset = 0; offset <= span; offset++) {
    const date = addDaysToLocalDate(from, offset);
    const day = sum(byDate.get(date) ?? [], date);
    inRange.push(day);
    days.push({ date, ...figures(day) });
  }
  return { days, totals: figures(sum(inRange, to)) };
}
