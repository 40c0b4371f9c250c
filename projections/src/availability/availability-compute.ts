import {
  type AvailabilityProfile,
  acceptedStart,
  type CalendarState,
  type CentreDayConfiguration,
  type CentreState,
  centreDayConfiguration,
  instantToLocal,
  type LocalDayClock,
  localDayClock,
  minutesOfTime,
  prepareDay,
  slotStepOf,
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
function referenceNow(day: CentreDayConfiguration, clock: LocalDayClock): Date {
  const midnight = clock.boundaryInstantOf(0);
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

/** `HH:MM` and `HH:MM*` of each minute of the day, built on first use. */
const codes: string[] = [];
const overbookedCodes: string[] = [];

function codeOf(minutes: number, overbooked: boolean): EncodedStart {
  const table = overbooked ? overbookedCodes : codes;
  let code = table[minutes];
  if (code === undefined) {
    code = encodeStart({ start: timeOfMinutes(minutes), overbooked });
    table[minutes] = code;
  }
  return code;
}

/** What every class of one centre day shares: the reference instant, its local date, the clock. */
interface SharedDay {
  readonly now: Date;
  readonly today: string;
  readonly clock: LocalDayClock;
}

/**
 * Day clocks and local dates by (date, zone): each costs `Intl` calls, and a live projector
 * recomputes the same few hundred days over and over. Both are pure functions of their key.
 */
const clocks = new Map<string, LocalDayClock>();
const localDates = new Map<string, string>();
const CACHED_DAYS = 20_000;

function clockOf(date: string, timeZone: string): LocalDayClock {
  const key = `${date}|${timeZone}`;
  let clock = clocks.get(key);
  if (clock === undefined) {
    if (clocks.size >= CACHED_DAYS) clocks.clear();
    clock = localDayClock(date, timeZone);
    clocks.set(key, clock);
  }
  return clock;
}

function localDateOf(instant: Date, timeZone: string): string {
  const key = `${instant.getTime()}|${timeZone}`;
  let date = localDates.get(key);
  if (date === undefined) {
    if (localDates.size >= CACHED_DAYS) localDates.clear();
    date = instantToLocal(instant, timeZone).date;
    localDates.set(key, date);
  }
  return date;
}

function sharedDay(day: CentreDayConfiguration, clock: LocalDayClock): SharedDay {
  const now = referenceNow(day, clock);
  return { now, today: localDateOf(now, day.timeZone), clock };
}

/**
 * `availableStarts(day, state, profile, now).map(encodeStart)`, the same loop over the same
 * prepared-day check (`prepareDay` + `acceptedStart`, which `availableStarts` runs), without building
 * the end, the instant and the inspector of each start that the stored form drops, and with the day's
 * clock and date computed once for every class.
 */
function evaluate(
  day: CentreDayConfiguration,
  state: CalendarState,
  profile: AvailabilityProfile,
  shared: SharedDay,
): EncodedStart[] {
  if (!day.active || day.closure || day.opening.length === 0) return [];
  const step = slotStepOf(undefined);
  const prepared = prepareDay({
    day,
    state,
    profile,
    now: shared.now,
    clock: shared.clock,
    today: shared.today,
  });
  const out = { startMs: Number.NaN };
  const starts: EncodedStart[] = [];
  for (const opening of day.opening) {
    for (
      let minutes = Math.max(Math.ceil(opening.from / step) * step, 0);
      minutes + profile.durationMinutes <= opening.to;
      minutes += step
    ) {
      const accepted = acceptedStart(prepared, minutes, out);
      if (accepted !== undefined) starts.push(codeOf(minutes, accepted.inspectorId === null));
    }
  }
  return starts;
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
  const clock = clockOf(date, day.timeZone);
  const constant = clock.constantOffset;
  let shared: SharedDay | undefined;
  const evaluated = (calendarState: CalendarState, profile: AvailabilityProfile) => {
    shared ??= sharedDay(day, clock);
    return evaluate(day, calendarState, profile, shared);
  };
  return classes.map((profileClass) => {
    if (state !== undefined || !constant) {
      return {
        classId: profileClass.id,
        starts: evaluated(state ?? EMPTY_CALENDAR, profileClass.representative),
      };
    }
    const key = signature(day, profileClass.id);
    let starts = memo.get(key);
    if (starts === undefined) {
      starts = evaluated(EMPTY_CALENDAR, profileClass.representative);
      memo.set(key, starts);
    }
    return { classId: profileClass.id, starts };
  });
}
