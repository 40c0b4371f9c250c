import type { ControlType, Fuel, VehicleCategory, VehicleProfile } from '@pti/events';
import type { CalendarState, Reservation } from '../calendar/calendar-state.js';
import { isLive } from '../calendar/calendar-state.js';
import { isAccreditedFor } from '../centre/accreditation-rules.js';
import type { CentreDayConfiguration, DayInspector } from '../centre/centre-day-configuration.js';
import type { DomainErrorCode } from '../shared/domain-error.js';
import {
  daysBetweenLocalDates,
  instantToLocal,
  type LocalDayClock,
  localDayClock,
} from '../shared/local-time.js';
import { containedInOne, type MinuteInterval, overlaps } from '../shared/minute-intervals.js';
import { inspectorLoads, pickBalancedInspector } from './inspector-balancing.js';

/**
 * The shared core of availability and of the calendar's `HoldSlot`: can this start be booked for
 * this vehicle, now, and with which inspector? `availableStarts` keeps the starts this accepts;
 * `decide` refuses a hold with the code this returns. One function, so what is shown is what can
 * be booked.
 */

/** What is being booked: the vehicle (accreditation), the control (carried on) and its duration. */
export interface AvailabilityProfile {
  readonly category: VehicleCategory;
  readonly fuel: Fuel;
  readonly controlType: ControlType;
  readonly durationMinutes: number;
}

/**
 * The slot grid: starts fall on multiples of this many minutes after local midnight (08:00, 08:15,
 * …). Fifteen minutes matches the shortest control (CVC, 15 min) and the grid centres publish; a
 * centre opening at 08:10 starts at 08:15. Configurable per call (`stepMinutes`), and the hold
 * must use the same step as the listing it came from (the calendar context carries it).
 */
export const DEFAULT_SLOT_STEP_MINUTES = 15;

export interface AvailabilityOptions {
  /** Grid step in minutes, 1..60, default `DEFAULT_SLOT_STEP_MINUTES`. */
  readonly stepMinutes?: number;
  /** Only this inspector (no overbooking then: a named inspector is either free or not). */
  readonly inspectorId?: string | null;
  /** Offer overbooked starts when every qualified inspector is taken (default true). */
  readonly allowOverbooking?: boolean;
  /** Window of acceptable starts, `HH:MM`, both inclusive (availableStarts only). */
  readonly earliestStart?: string;
  readonly latestStart?: string;
}

export type StartEvaluation =
  | {
      readonly ok: true;
      readonly startMinutes: number;
      readonly endMinutes: number;
      readonly instant: Date;
      /** `null` for an overbooked start. */
      readonly inspectorId: string | null;
      readonly overbooked: boolean;
    }
  | { readonly ok: false; readonly code: DomainErrorCode; readonly message: string };

export interface Obstacle {
  readonly code: DomainErrorCode;
  readonly message: string;
}

function refuse(code: DomainErrorCode, message: string): StartEvaluation {
  return { ok: false, code, message };
}

export function vehicleOf(profile: {
  readonly category: VehicleCategory;
  readonly fuel: Fuel;
}): VehicleProfile {
  return { category: profile.category, fuel: profile.fuel };
}

/**
 * Why `inspector` cannot take `vehicle` over `interval` (accreditation, schedule and absences,
 * blocked periods, other live reservations), or `undefined` when they can.
 */
export function inspectorObstacle(
  state: CalendarState,
  inspector: DayInspector,
  vehicle: VehicleProfile,
  interval: MinuteInterval,
  nowMs: number,
  excludeReservationId: string | null = null,
): Obstacle | undefined {
  const id = inspector.inspectorId;
  if (!isAccreditedFor(inspector.accreditations, vehicle)) {
    return {
      code: 'NOT_ACCREDITED',
      message: `inspector ${id} is not accredited for ${vehicle.category}/${vehicle.fuel}`,
    };
  }
  if (!containedInOne(inspector.working, interval)) {
    return { code: 'INSPECTOR_UNAVAILABLE', message: `inspector ${id} is not working (schedule or absence)` };
  }
  if (state.blocks.some((block) => block.inspectorId === id && overlaps(block.interval, interval))) {
    return { code: 'PERIOD_BLOCKED', message: `a blocked period of inspector ${id} overlaps the slot` };
  }
  const clash = state.reservations.some(
    (reservation) =>
      reservation.inspectorId === id &&
      reservation.reservationId !== excludeReservationId &&
      isLive(reservation, nowMs) &&
      overlaps(reservation.interval, interval),
  );
  if (clash) return { code: 'SLOT_TAKEN', message: `inspector ${id} already has a reservation then` };
  return undefined;
}

/** Live reservations holding an inspector count against the daily capacity (overbooked ones do not). */
export function dailyCapacityReached(
  day: CentreDayConfiguration,
  state: CalendarState,
  nowMs: number,
  excludeReservationId: string | null = null,
): boolean {
  if (day.dailyCapacity === null) return false;
  const assigned = state.reservations.filter(
    (r) => r.inspectorId !== null && r.reservationId !== excludeReservationId && isLive(r, nowMs),
  ).length;
  return assigned >= day.dailyCapacity;
}

/** Live overbooked reservations still waiting for an inspector. */
export function unassignedOverbooked(state: CalendarState, nowMs: number): Reservation[] {
  return state.reservations.filter((r) => r.inspectorId === null && isLive(r, nowMs));
}

/**
 * Why one more overbooked reservation at `startMinutes` is not allowed, or `undefined` if it is:
 * the day carries at most `overbookingAllowance` of them, and at most one per start time.
 */
export function overbookingObstacle(
  day: CentreDayConfiguration,
  state: CalendarState,
  startMinutes: number,
  nowMs: number,
  excludeReservationId: string | null = null,
): Obstacle | undefined {
  if (day.overbookingAllowance === 0) {
    return {
      code: 'SLOT_TAKEN',
      message: 'every qualified inspector is taken and the centre does not overbook',
    };
  }
  const waiting = unassignedOverbooked(state, nowMs).filter((r) => r.reservationId !== excludeReservationId);
  if (waiting.some((r) => r.interval.from === startMinutes)) {
    return {
      code: 'SLOT_TAKEN',
      message: 'every qualified inspector is taken and this start is already overbooked',
    };
  }
  if (waiting.length >= day.overbookingAllowance) {
    return {
      code: 'OVERBOOKING_LIMIT',
      message: `the day already carries ${waiting.length} overbooked reservations (limit ${day.overbookingAllowance})`,
    };
  }
  return undefined;
}

/** Inspectors able to take the vehicle over the whole interval (choose among them with `pickBalancedInspector`). */
export function freeInspectors(
  day: CentreDayConfiguration,
  state: CalendarState,
  vehicle: VehicleProfile,
  interval: MinuteInterval,
  nowMs: number,
  excludeReservationId: string | null = null,
): string[] {
  return day.inspectors
    .filter(
      (inspector) =>
        inspectorObstacle(state, inspector, vehicle, interval, nowMs, excludeReservationId) === undefined,
    )
    .map((inspector) => inspector.inspectorId);
}

export interface EvaluationInputs {
  readonly day: CentreDayConfiguration;
  readonly state: CalendarState;
  readonly profile: AvailabilityProfile;
  readonly now: Date;
  readonly options?: AvailabilityOptions;
  /** Reused across the starts of one day by `availableStarts`. */
  readonly clock?: LocalDayClock;
  /** The local date of `now` in the centre's zone, likewise reused. */
  readonly today?: string;
}

/** The grid step of `options`, validated (1..60 minutes). */
export function slotStepOf(options: AvailabilityOptions | undefined): number {
  const step = options?.stepMinutes ?? DEFAULT_SLOT_STEP_MINUTES;
  if (!Number.isInteger(step) || step < 1 || step > 60)
    throw new RangeError(`slot step ${step} is not 1..60`);
  return step;
}

/**
 * Evaluates one start (minutes since local midnight). Checks, in this order (the first failure is
 * the answer): centre active; not closed; duration sane; on the grid; inside one opening interval
 * (never across lunch); inside the horizon; a real local time (not in a DST gap, no DST change
 * inside the slot); minimum notice; no centre-wide blocked period; then the inspector:
 * - named: accredited, working (schedule minus absences), not blocked, free; daily capacity left;
 * - not named: among qualified, working, unblocked inspectors, the free one that balances the day
 *   (`pickBalancedInspector`); if none is free (or the daily capacity is reached), an overbooked
 *   start when overbooking is allowed and within its limits (`overbookingObstacle`).
 */
export function evaluateStart(inputs: EvaluationInputs, startMinutes: number): StartEvaluation {
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
  const clock = inputs.clock ?? localDayClock(day.date, day.timeZone);
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
