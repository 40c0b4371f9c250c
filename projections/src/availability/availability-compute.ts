import {
  type AvailabilityProfile,
  availableStarts,
  type CalendarState,
  type CentreDayConfiguration,
  type CentreState,
  centreDayConfiguration,
  localDayClock,
  minutesOfTime,
  timeOfMinutes,
} from '@pti/write-side/domain';
import type { ProfileClass } from './profile-classes.js';

/** One bookable start as the read model stores it (the inspector is not published). */
export interface FreeStart {
  /** Local `HH:MM`. */
  readonly start: string;
  readonly end: string;
  /** UTC instant, ISO 8601. */
  readonly instant: string;
  /** True when the start is offered beyond inspector capacity (overbooking). */
  readonly overbooked: boolean;
}

/**
 * Stored form of a free start: local `HH:MM`, with `*` appended when it is offered as overbooked.
 * The end and the UTC instant follow from the day, its time zone and the class's duration
 * (`decodeStarts`), so rows and Redis values stay small.
 */
export type EncodedStart = string;

export function encodeStart(start: Pick<FreeStart, 'start' | 'overbooked'>): EncodedStart {
  return start.overbooked ? `${start.start}*` : start.start;
}

/** The starts of a stored day, with end and instant (DST included). */
export function decodeStarts(
  day: string,
  timeZone: string,
  durationMinutes: number,
  encoded: readonly EncodedStart[],
): FreeStart[] {
  const clock = localDayClock(day, timeZone);
  return encoded.map((code) => {
    const start = code.slice(0, 5);
    const minutes = minutesOfTime(start);
    const instant = clock.instantOf(minutes) ?? clock.boundaryInstantOf(minutes);
    return {
      start,
      end: timeOfMinutes(minutes + durationMinutes),
      instant: instant.toISOString(),
      overbooked: code.endsWith('*'),
    };
  });
}

/** The free starts of one centre, day and profile class, encoded. */
export interface DayAvailability {
  readonly classId: string;
  readonly starts: readonly EncodedStart[];
}

/**
 * Every unreleased hold counts as taken: the projection has no clock, so it takes the view of
 * `dayLoad` without `now`. An expired hold frees its slot when the hold-release saga records it.
 * This only ever hides starts (never shows one `HoldSlot` would refuse).
 */
function conservative(state: CalendarState): CalendarState {
  if (!state.reservations.some((r) => r.status === 'held')) return state;
  return {
    ...state,
    reservations: state.reservations.map((r) =>
      r.status === 'held' ? { ...r, expiresAtMs: Number.POSITIVE_INFINITY } : r,
    ),
  };
}

/**
 * The reference instant of a day: its local midnight minus the minimum notice. Evaluated at that
 * instant, no start of the day is refused for notice and the day lies inside the horizon, so the
 * stored starts are the day's bookable starts before any clock-dependent filter; the read side
 * then applies "start ≥ now + notice" and "day ≤ today + horizon" with the real time, which are
 * exactly the checks `evaluateStart` makes with `now` (besides hold expiry, see `conservative`).
 */
function referenceNow(day: CentreDayConfiguration): Date {
  const midnight = localDayClock(day.date, day.timeZone).boundaryInstantOf(0);
  return new Date(midnight.getTime() - day.policy.minimumNoticeMinutes * 60_000);
}

const EMPTY_CALENDAR: CalendarState = {
  centreId: null,
  date: null,
  reservations: [],
  blocks: [],
  waitlist: [],
};

/**
 * Memo of configuration-only days: a day without calendar events depends on its date only through
 * its configuration (weekday hours, closures, absences) and whether its UTC offset changes that
 * day, so days with the same configuration share their (encoded, date-free) starts.
 */
export type DayMemo = Map<string, readonly EncodedStart[]>;

function signature(day: CentreDayConfiguration, classId: string): string {
  return JSON.stringify([
    classId,
    day.active,
    day.closure,
    day.opening,
    day.inspectors.map((i) => [i.inspectorId, i.accreditations, i.working]),
    day.policy.overbookingPercent,
    day.dailyCapacity,
    day.nominalCapacity,
    day.overbookingAllowance,
    day.timeZone,
  ]);
}

function evaluate(
  day: CentreDayConfiguration,
  state: CalendarState,
  profile: AvailabilityProfile,
): EncodedStart[] {
  return availableStarts(day, state, profile, referenceNow(day)).map(encodeStart);
}

/** The free starts of a centre day for every class, calling the write side's `availableStarts`. */
export function computeDay(
  centre: CentreState,
  calendar: CalendarState | undefined,
  date: string,
  classes: readonly ProfileClass[],
  memo: DayMemo,
): DayAvailability[] {
  const day = centreDayConfiguration(centre, date);
  const state = calendar === undefined ? undefined : conservative(calendar);
  const constant = localDayClock(date, day.timeZone).constantOffset;
  return classes.map((profileClass) => {
    if (state !== undefined || !constant) {
      return {
        classId: profileClass.id,
        starts: evaluate(day, state ?? EMPTY_CALENDAR, profileClass.representative),
      };
    }
    const key = signature(day, profileClass.id);
    let starts = memo.get(key);
    if (starts === undefined) {
      starts = evaluate(day, EMPTY_CALENDAR, profileClass.representative);
      memo.set(key, starts);
    }
    return { classId: profileClass.id, starts };
  });
}
