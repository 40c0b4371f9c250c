// Test-only: a frozen copy of `availableStarts` / `evaluateStart` / `localDayClock` as they were
// before the per-day precomputation, kept so `available-starts.equivalence.unit.test.ts` can check the
// optimised functions give the very same answers. Never import this from production code
// (the availability micro-benchmark uses it as its "before").

import type { CalendarState } from '../calendar/calendar-state.js';
import { isAccreditedFor } from '../centre/accreditation-rules.js';
import type { CentreDayConfiguration } from '../centre/centre-day-configuration.js';
import type { DomainErrorCode } from '../shared/domain-error.js';
import {
  addDaysToLocalDate,
  daysBetweenLocalDates,
  instantToLocal,
  localDateTimeToInstant,
  localDayClock,
  MINUTES_PER_DAY,
  minutesOfTime,
  timeOfMinutes,
} from '../shared/local-time.js';
import { containedInOne, overlaps } from '../shared/minute-intervals.js';
import type { AvailableStart } from './available-starts.js';
import { inspectorLoads, pickBalancedInspector } from './inspector-balancing.js';
import {
  type AvailabilityOptions,
  type AvailabilityProfile,
  dailyCapacityReached,
  type EvaluationInputs,
  inspectorObstacle,
  overbookingObstacle,
  type StartEvaluation,
  slotStepOf,
  vehicleOf,
} from './start-evaluation.js';

function refuse(code: DomainErrorCode, message: string): StartEvaluation {
  return { ok: false, code, message };
}

/** What the original evaluation read of a day clock. */
interface ReferenceClock {
  instantOf(minutes: number): Date | undefined;
  boundaryInstantOf(minutes: number): Date;
}

type ReferenceInputs = Omit<EvaluationInputs, 'clock'> & { readonly clock?: ReferenceClock };

/**
 * The original clock: on a day without a change the constant-offset arithmetic (unchanged in
 * `localDayClock`, reused here), on a change day the original, unmemoised conversions.
 */
function referenceLocalDayClock(date: string, timeZone: string): ReferenceClock {
  const clock = localDayClock(date, timeZone);
  if (clock.constantOffset) return clock;
  const boundaryInstantOf = (minutes: number): Date =>
    minutes === MINUTES_PER_DAY
      ? localDateTimeToInstant(addDaysToLocalDate(date, 1), '00:00', timeZone)
      : localDateTimeToInstant(date, timeOfMinutes(minutes), timeZone);
  return {
    instantOf: (minutes) => {
      const instant = boundaryInstantOf(minutes);
      // A minute in the gap comes back shifted: it does not exist on this day.
      return instantToLocal(instant, timeZone).minutes === minutes ? instant : undefined;
    },
    boundaryInstantOf,
  };
}

export function referenceEvaluateStart(inputs: ReferenceInputs, startMinutes: number): StartEvaluation {
  const { day, state, profile, now, options } = inputs;
  const nowMs = now.getTime();
  if (!day.active) return refuse('CENTRE_INACTIVE', 'the centre takes no bookings');
  if (day.closure) return refuse('CENTRE_CLOSED', `the centre is closed that day (${day.closure.label})`);
  if (day.opening.length === 0) return refuse('CENTRE_CLOSED', `the centre is closed on ${day.weekday}s`);
  const duration = profile.durationMinutes;
  if (!Number.isInteger(duration) || duration < 1 || duration > 480) {
    return refuse('INVALID_COMMAND', `duration ${duration} is not 1..480 minutes`);
  }
  if (!Number.isInteger(startMinutes) || startMinutes % slotStepOf(options) !== 0) {
    return refuse('OFF_GRID', `a start must fall on the ${slotStepOf(options)}-minute grid`);
  }
  const interval = { from: startMinutes, to: startMinutes + duration };
  if (!containedInOne(day.opening, interval)) {
    return refuse('OUTSIDE_OPENING_HOURS', 'the slot does not fit inside one opening interval');
  }
  const today = inputs.today ?? instantToLocal(now, day.timeZone).date;
  if (daysBetweenLocalDates(today, day.date) > day.policy.horizonDays) {
    return refuse('BEYOND_HORIZON', `bookings open ${day.policy.horizonDays} days ahead`);
  }
  const clock = inputs.clock ?? referenceLocalDayClock(day.date, day.timeZone);
  // Every minute of the slot must exist (none in the spring-forward gap) and the slot must last
  // its duration in real time (it must not contain the repeated hour of the fall-back change).
  const startInstant = clock.instantOf(interval.from);
  const lastMinute = clock.instantOf(interval.to - 1);
  const realMs = clock.boundaryInstantOf(interval.to).getTime() - (startInstant?.getTime() ?? Number.NaN);
  if (!startInstant || !lastMinute || realMs !== duration * 60_000) {
    return refuse('OUTSIDE_OPENING_HOURS', 'the slot crosses a daylight-saving change');
  }
  if (startInstant.getTime() < nowMs + day.policy.minimumNoticeMinutes * 60_000) {
    return refuse(
      'TOO_SHORT_NOTICE',
      `a slot must start at least ${day.policy.minimumNoticeMinutes} minutes ahead`,
    );
  }
  if (state.blocks.some((block) => block.inspectorId === null && overlaps(block.interval, interval))) {
    return refuse('PERIOD_BLOCKED', 'the centre has blocked that period');
  }

  const vehicle = vehicleOf(profile);
  const accepted = (inspectorId: string | null): StartEvaluation => ({
    ok: true,
    startMinutes: interval.from,
    endMinutes: interval.to,
    instant: startInstant,
    inspectorId,
    overbooked: inspectorId === null,
  });

  const requested = options?.inspectorId ?? null;
  if (requested !== null) {
    const inspector = day.inspectors.find((candidate) => candidate.inspectorId === requested);
    if (!inspector) return refuse('UNKNOWN_INSPECTOR', `no inspector ${requested} at the centre`);
    const obstacle = inspectorObstacle(state, inspector, vehicle, interval, nowMs);
    if (obstacle) return refuse(obstacle.code, obstacle.message);
    if (dailyCapacityReached(day, state, nowMs)) return refuse('DAY_FULL', 'the daily capacity is reached');
    return accepted(requested);
  }

  const qualified = day.inspectors.filter((inspector) => isAccreditedFor(inspector.accreditations, vehicle));
  if (qualified.length === 0) {
    return refuse(
      'NOT_ACCREDITED',
      `no inspector of the centre is accredited for ${vehicle.category}/${vehicle.fuel}`,
    );
  }
  const working = qualified.filter((inspector) => containedInOne(inspector.working, interval));
  if (working.length === 0) {
    return refuse('INSPECTOR_UNAVAILABLE', 'no qualified inspector works during the whole slot');
  }
  const unblocked = working.filter(
    (inspector) =>
      !state.blocks.some(
        (block) => block.inspectorId === inspector.inspectorId && overlaps(block.interval, interval),
      ),
  );
  if (unblocked.length === 0) return refuse('PERIOD_BLOCKED', 'every qualified inspector is blocked then');

  const capacityReached = dailyCapacityReached(day, state, nowMs);
  if (!capacityReached) {
    const free = unblocked
      .filter((inspector) => inspectorObstacle(state, inspector, vehicle, interval, nowMs) === undefined)
      .map((inspector) => inspector.inspectorId);
    const chosen = pickBalancedInspector(free, inspectorLoads(state, nowMs));
    if (chosen !== undefined) return accepted(chosen);
  }
  // Every qualified inspector working then is booked (or the daily cap is reached): overbooking.
  if (options?.allowOverbooking === false) {
    return capacityReached
      ? refuse('DAY_FULL', 'the daily capacity is reached')
      : refuse('SLOT_TAKEN', 'every qualified inspector is taken at that time');
  }
  const obstacle = overbookingObstacle(day, state, interval.from, nowMs);
  if (obstacle)
    return refuse(
      capacityReached && obstacle.code === 'SLOT_TAKEN' ? 'DAY_FULL' : obstacle.code,
      obstacle.message,
    );
  return accepted(null);
}

export function referenceAvailableStarts(
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
    clock: referenceLocalDayClock(day.date, day.timeZone),
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
      const evaluation = referenceEvaluateStart(inputs, minutes);
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
