import type { CalendarState } from '../calendar/calendar-state.js';
import type { CentreDayConfiguration } from '../centre/centre-day-configuration.js';
import { instantToLocal, localDayClock, minutesOfTime, timeOfMinutes } from '../shared/local-time.js';
import {
  type AvailabilityOptions,
  type AvailabilityProfile,
  acceptedStart,
  prepareDay,
  slotStepOf,
} from './start-evaluation.js';

/** A start that can be booked now, with the inspector it would get. */
export interface AvailableStart {
  /** Local `HH:MM`. */
  readonly start: string;
  readonly end: string;
  readonly startMinutes: number;
  /** The start as a UTC instant (ISO 8601), DST included. */
  readonly instant: string;
  /** `null` when the start is overbooked. */
  readonly inspectorId: string | null;
  readonly overbooked: boolean;
}

// The projections list a day for every vehicle class with the same `now`: the local date of `now`
// (an Intl call, ~10 µs) is kept for the last instant asked. Only ever a fact about that instant.
let lastToday: { readonly ms: number; readonly timeZone: string; readonly date: string } | undefined;

function localDateOf(now: Date, timeZone: string): string {
  const ms = now.getTime();
  if (lastToday?.ms === ms && lastToday.timeZone === timeZone) return lastToday.date;
  const date = instantToLocal(now, timeZone).date;
  lastToday = { ms, timeZone, date };
  return date;
}

// `HH:MM` of each minute of the day, built on first use (two per listed start otherwise).
const times: string[] = [];

function timeOf(minutes: number): string {
  let time = times[minutes];
  if (time === undefined) {
    // Throws (like `timeOfMinutes`) for a minute outside the day, so nothing odd is stored.
    time = timeOfMinutes(minutes);
    times[minutes] = time;
  }
  return time;
}

/**
 * Every bookable start of the day for this vehicle and control, in time order, on the slot grid
 * (15 minutes, `DEFAULT_SLOT_STEP_MINUTES`, unless `options.stepMinutes`). A start is listed exactly when
 * `evaluateStart` accepts it (both run the same prepared-day check), which is exactly when the calendar's `HoldSlot` (with the same
 * options) succeeds. Starts outside opening intervals are not even evaluated: `evaluateStart`
 * refuses them anyway.
 */
export function availableStarts(
  day: CentreDayConfiguration,
  state: CalendarState,
  profile: AvailabilityProfile,
  now: Date,
  options: AvailabilityOptions = {},
): AvailableStart[] {
  if (!day.active || day.closure || day.opening.length === 0) return [];
  const step = slotStepOf(options);
  const earliest = options.earliestStart === undefined ? 0 : minutesOfTime(options.earliestStart);
  const latest =
    options.latestStart === undefined ? Number.POSITIVE_INFINITY : minutesOfTime(options.latestStart);
  // Everything that does not depend on the start is computed once for the day (inspectors'
  // intervals, loads, capacity, clock, horizon); each start then costs a few integer comparisons.
  const prepared = prepareDay({
    day,
    state,
    profile,
    now,
    options,
    clock: localDayClock(day.date, day.timeZone),
    today: localDateOf(now, day.timeZone),
  });
  const out = { startMs: Number.NaN };
  const starts: AvailableStart[] = [];
  for (const opening of day.opening) {
    const first = Math.max(Math.ceil(opening.from / step) * step, Math.ceil(earliest / step) * step);
    for (
      let minutes = first;
      minutes + profile.durationMinutes <= opening.to && minutes <= latest;
      minutes += step
    ) {
      const accepted = acceptedStart(prepared, minutes, out);
      if (accepted === undefined) continue;
      starts.push({
        start: timeOf(minutes),
        end: timeOf(minutes + profile.durationMinutes),
        startMinutes: minutes,
        instant: new Date(out.startMs).toISOString(),
        inspectorId: accepted.inspectorId,
        overbooked: accepted.inspectorId === null,
      });
    }
  }
  return starts;
}
