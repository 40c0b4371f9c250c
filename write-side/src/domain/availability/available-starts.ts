import type { CalendarState } from '../calendar/calendar-state.js';
import type { CentreDayConfiguration } from '../centre/centre-day-configuration.js';
import { instantToLocal, localDayClock, minutesOfTime, timeOfMinutes } from '../shared/local-time.js';
import {
  type AvailabilityOptions,
  type AvailabilityProfile,
  evaluateStart,
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

/**
 * Every bookable start of the day for this vehicle and control, in time order, on the slot grid
 * (15 minutes, `DEFAULT_SLOT_STEP_MINUTES`, unless `options.stepMinutes`). A start is listed exactly when
 * `evaluateStart` accepts it, which is exactly when the calendar's `HoldSlot` (with the same
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
  const inputs = {
    day,
    state,
    profile,
    now,
    options,
    clock: localDayClock(day.date, day.timeZone),
    today: instantToLocal(now, day.timeZone).date,
  };
  const starts: AvailableStart[] = [];
  for (const opening of day.opening) {
    const first = Math.max(Math.ceil(opening.from / step) * step, Math.ceil(earliest / step) * step);
    for (
      let minutes = first;
      minutes + profile.durationMinutes <= opening.to && minutes <= latest;
      minutes += step
    ) {
      const evaluation = evaluateStart(inputs, minutes);
      if (!evaluation.ok) continue;
      starts.push({
        start: timeOfMinutes(evaluation.startMinutes),
        end: timeOfMinutes(evaluation.endMinutes),
        startMinutes: evaluation.startMinutes,
        instant: evaluation.instant.toISOString(),
        inspectorId: evaluation.inspectorId,
        overbooked: evaluation.overbooked,
      });
    }
  }
  return starts;
}
