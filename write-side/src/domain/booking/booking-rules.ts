import type { ControlType, InspectionResult } from '@pti/events';
import { CONTRE_VISITE_OF } from '../pricing/index.js';
import {
  addDaysToLocalDate,
  DEFAULT_TIME_ZONE,
  localDateTimeToInstant,
  MINUTES_PER_DAY,
  minutesOfTime,
  timeOfMinutes,
} from '../shared/index.js';

/** Time rules of a booking, on local wall-clock values (`YYYY-MM-DDTHH:MM`) of the centre. */

/** The local date and time of a `LocalDateTime` (`2025-03-14T09:30`). */
export function appointmentDateAndTime(start: string): { readonly date: string; readonly time: string } {
  return { date: start.slice(0, 10), time: start.slice(11, 16) };
}

/** The instant an appointment starts. */
export function appointmentStartInstant(start: string, timeZone: string = DEFAULT_TIME_ZONE): Date {
  const { date, time } = appointmentDateAndTime(start);
  return localDateTimeToInstant(date, time, timeZone);
}

/**
 * The last instant (exclusive) at which a customer may still cancel or move a booking on their
 * own: the start's wall-clock time `cutoffHours` earlier, read in the centre's zone. With the
 * default 24 h that is "the day before at the same time", whatever daylight-saving does in between
 * (so 23 or 25 elapsed hours on a change weekend): that is the time printed on the confirmation and
 * the one a customer reasons with. A cut-off falling in the spring-forward gap resolves as
 * `localDateTimeToInstant` does (the same minutes after the gap).
 */
export function cancellationCutoff(
  start: string,
  cutoffHours: number,
  timeZone: string = DEFAULT_TIME_ZONE,
): Date {
  const { date, time } = appointmentDateAndTime(start);
  const minutes = minutesOfTime(time) - cutoffHours * 60;
  const days = Math.floor(minutes / MINUTES_PER_DAY);
  const minuteOfDay = minutes - days * MINUTES_PER_DAY;
  return localDateTimeToInstant(addDaysToLocalDate(date, days), timeOfMinutes(minuteOfDay), timeZone);
}

/** Whether `now` is strictly before the cut-off. */
export function isBeforeCutoff(
  start: string,
  cutoffHours: number,
  now: Date,
  timeZone: string = DEFAULT_TIME_ZONE,
): boolean {
  return now.getTime() < cancellationCutoff(start, cutoffHours, timeZone).getTime();
}

/**
 * The local date `months` calendar months after `date`, clamped to the end of a shorter month
 * (31 December + 2 months → 28 or 29 February).
 */
export function addMonthsToLocalDate(date: string, months: number): string {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7)) - 1 + months;
  const day = Number(date.slice(8, 10));
  const targetYear = year + Math.floor(month / 12);
  const targetMonth = ((month % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(targetYear, targetMonth + 1, 0)).getUTCDate();
  const clamped = Math.min(day, lastDay);
  const pad = (value: number, width: number): string => String(value).padStart(width, '0');
  return `${pad(targetYear, 4)}-${pad(targetMonth + 1, 2)}-${pad(clamped, 2)}`;
}

/** A contre-visite must take place within two months of the control that called for it. */
export const CONTRE_VISITE_MONTHS = 2;

/**
 * The last day for the contre-visite after a control on `controlDate`: for S and R results of a
 * control that has one (a CV, voluntary, has none); `null` otherwise. A failed contre-visite calls
 * for another one, counted from its own date.
 */
export function contreVisiteDueBy(
  controlType: ControlType,
  result: InspectionResult,
  controlDate: string,
): string | null {
  if (result === 'A' || CONTRE_VISITE_OF[controlType] === null) return null;
  return addMonthsToLocalDate(controlDate, CONTRE_VISITE_MONTHS);
}
