import { type Accreditation, WEEKDAYS, type Weekday } from '@pti/events';
import { DomainError } from '../shared/domain-error.js';
import { weekdayOfLocalDate } from '../shared/local-time.js';
import {
  intersectIntervals,
  type MinuteInterval,
  periodOnDay,
  subtractIntervals,
  toMinuteIntervals,
} from '../shared/minute-intervals.js';
import type { BookingPolicy } from './centre-commands.js';
import type { CentreState, InspectorAbsence } from './centre-state.js';

/**
 * What one centre looks like on one local day: the input of the calendar decider and of the
 * availability function, computed from the centre's state alone. All times are minutes since
 * local midnight (see `MinuteInterval`).
 */

export interface DayAbsence {
  readonly absenceId: string;
  /** The part of the absence that falls on this day. */
  readonly interval: MinuteInterval;
}

export interface DayInspector {
  readonly inspectorId: string;
  readonly accreditations: readonly Accreditation[];
  /** The weekly schedule's intervals for this weekday. */
  readonly schedule: readonly MinuteInterval[];
  readonly absences: readonly DayAbsence[];
  /** `schedule` minus `absences`: when the inspector can take a vehicle. */
  readonly working: readonly MinuteInterval[];
}

export interface CentreDayConfiguration {
  readonly centreId: string;
  readonly date: string;
  readonly timeZone: string;
  readonly weekday: Weekday;
  /** False when the centre is deactivated: it takes no new bookings. */
  readonly active: boolean;
  /** The closure covering this date, if any (the first one added wins for the label). */
  readonly closure: { readonly closureId: string; readonly label: string } | null;
  /** Effective opening intervals: the weekday's hours, or none when a closure covers the day. */
  readonly opening: readonly MinuteInterval[];
  /** Every inspector of the centre (working or not that day), by id. */
  readonly inspectors: readonly DayInspector[];
  readonly policy: BookingPolicy;
  readonly dailyCapacity: number | null;
  /**
   * The day's nominal capacity in controls: what the inspectors' working time inside opening hours
   * allows, counted in reference controls (`REFERENCE_CONTROL_MINUTES`), capped by `dailyCapacity`.
   */
  readonly nominalCapacity: number;
  /** How many overbooked reservations the day may carry: ⌊nominal × overbooking % / 100⌋. */
  readonly overbookingAllowance: number;
}

/**
 * The control the nominal capacity is counted in: a periodic control of a car (45 min), by far the
 * commonest booking. Capacity is a planning figure, so one reference duration is enough.
 */
export const REFERENCE_CONTROL_MINUTES = 45;

function absenceOnDay(absence: InspectorAbsence, date: string): DayAbsence | undefined {
  const interval = periodOnDay(absence, date);
  return interval ? { absenceId: absence.absenceId, interval } : undefined;
}

/** Nominal capacity from working time inside opening hours, in whole reference controls per interval. */
function scheduleCapacity(opening: readonly MinuteInterval[], inspectors: readonly DayInspector[]): number {
  let capacity = 0;
  for (const inspector of inspectors) {
    // PL-only inspectors take no bookable vehicle.
    if (!inspector.accreditations.includes('VL') && !inspector.accreditations.includes('L')) continue;
    for (const interval of intersectIntervals(inspector.working, opening)) {
      capacity += Math.floor((interval.to - interval.from) / REFERENCE_CONTROL_MINUTES);
    }
  }
  return capacity;
}

/**
 * The centre's configuration for a local date: effective opening (closures applied), inspectors
 * with that weekday's schedule minus absences, policy and capacity.
 */
export function centreDayConfiguration(state: CentreState, date: string): CentreDayConfiguration {
  if (state.status === 'unregistered' || state.centreId === null) {
    throw new DomainError('CENTRE_NOT_REGISTERED');
  }
  const weekday = WEEKDAYS[weekdayOfLocalDate(date) - 1] ?? 'monday';
  const covering = state.closures.find((closure) => closure.from <= date && date <= closure.to);
  const opening = covering ? [] : toMinuteIntervals(state.openingHours[weekday]);
  const inspectors = [...state.inspectors]
    .sort((a, b) => (a.inspectorId < b.inspectorId ? -1 : a.inspectorId > b.inspectorId ? 1 : 0))
    .map((inspector): DayInspector => {
      const schedule = toMinuteIntervals(inspector.week[weekday]);
      const absences = inspector.absences
        .map((absence) => absenceOnDay(absence, date))
        .filter((absence): absence is DayAbsence => absence !== undefined);
      return {
        inspectorId: inspector.inspectorId,
        accreditations: inspector.accreditations,
        schedule,
        absences,
        working: subtractIntervals(
          schedule,
          absences.map((absence) => absence.interval),
        ),
      };
    });
  const fromSchedules = scheduleCapacity(opening, inspectors);
  const nominalCapacity =
    state.dailyCapacity === null ? fromSchedules : Math.min(state.dailyCapacity, fromSchedules);
  return {
    centreId: state.centreId,
    date,
    timeZone: state.timeZone,
    weekday,
    active: state.status === 'active',
    closure: covering ? { closureId: covering.closureId, label: covering.label } : null,
    opening,
    inspectors,
    policy: state.policy,
    dailyCapacity: state.dailyCapacity,
    nominalCapacity,
    overbookingAllowance: Math.floor((nominalCapacity * state.policy.overbookingPercent) / 100),
  };
}
