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
import { compareLoads, type InspectorLoad, inspectorLoads } from './inspector-balancing.js';

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
 * Why a start is refused, as a token: the hot path (`availableStarts`, tens of starts per day and
 * vehicle class) only needs to know *that* a start is refused, so the message is built only when
 * `evaluateStart` is asked for it.
 */
type Refusal =
  | 'inactive'
  | 'closed'
  | 'closed-weekday'
  | 'bad-duration'
  | 'off-grid'
  | 'outside-opening'
  | 'beyond-horizon'
  | 'daylight-saving'
  | 'short-notice'
  | 'centre-blocked'
  | 'unknown-inspector'
  | 'named-not-accredited'
  | 'named-not-working'
  | 'named-blocked'
  | 'named-taken'
  | 'day-full'
  | 'none-accredited'
  | 'none-working'
  | 'all-blocked'
  | 'all-taken'
  | 'no-overbooking'
  | 'start-overbooked'
  | 'overbooking-limit';

/** An accepted start: the index in `day.inspectors` of the inspector it gets, or -1 when overbooked. */
type Verdict = number | Refusal;
const OVERBOOKED = -1;

interface InspectorOfDay {
  readonly inspector: DayInspector;
  readonly accredited: boolean;
  /** Intervals of this inspector's blocked periods. */
  readonly blocked: readonly MinuteInterval[];
  /** Intervals of this inspector's live reservations. */
  readonly busy: readonly MinuteInterval[];
  readonly load: InspectorLoad;
}

/**
 * Everything about one day, one state, one profile and one `now` that does not depend on the start,
 * computed once (`evaluateStart` makes one per call, `availableStarts` one per day). What may throw
 * (the clock, today's date, the horizon) is computed lazily, when the original order of checks
 * reaches it, so errors surface exactly as before.
 */
export interface PreparedDay {
  readonly inputs: EvaluationInputs;
  readonly nowMs: number;
  readonly dayRefusal: Refusal | undefined;
  readonly centreBlocks: readonly MinuteInterval[];
  readonly vehicle: VehicleProfile;
  readonly requested: string | null;
  /** Index of the requested inspector in `day.inspectors`, -1 when unknown. */
  readonly requestedIndex: number;
  readonly inspectors: readonly InspectorOfDay[];
  readonly anyQualified: boolean;
  readonly capacityReached: boolean;
  readonly waitingCount: number;
  readonly waitingStarts: ReadonlySet<number>;
  horizonExceeded: boolean | undefined;
  clock: LocalDayClock | undefined;
}

function dayRefusalOf(day: CentreDayConfiguration, duration: number): Refusal | undefined {
  if (!day.active) return 'inactive';
  if (day.closure) return 'closed';
  if (day.opening.length === 0) return 'closed-weekday';
  if (!Number.isInteger(duration) || duration < 1 || duration > 480) return 'bad-duration';
  return undefined;
}

export function prepareDay(inputs: EvaluationInputs): PreparedDay {
  const { day, state, profile, now, options } = inputs;
  const nowMs = now.getTime();
  const vehicle = vehicleOf(profile);
  const loads = inspectorLoads(state, nowMs);
  const live = state.reservations.filter((reservation) => isLive(reservation, nowMs));
  const inspectors = day.inspectors.map((inspector): InspectorOfDay => {
    const id = inspector.inspectorId;
    return {
      inspector,
      accredited: isAccreditedFor(inspector.accreditations, vehicle),
      blocked: state.blocks.filter((block) => block.inspectorId === id).map((block) => block.interval),
      busy: live.filter((reservation) => reservation.inspectorId === id).map((r) => r.interval),
      load: loads.get(id) ?? { inspectorId: id, bookedMinutes: 0, reservations: 0 },
    };
  });
  const requested = options?.inspectorId ?? null;
  const waiting = unassignedOverbooked(state, nowMs);
  return {
    inputs,
    nowMs,
    dayRefusal: dayRefusalOf(day, profile.durationMinutes),
    centreBlocks: state.blocks.filter((block) => block.inspectorId === null).map((block) => block.interval),
    vehicle,
    requested,
    requestedIndex:
      requested === null ? -1 : day.inspectors.findIndex((inspector) => inspector.inspectorId === requested),
    inspectors,
    anyQualified: inspectors.some((inspector) => inspector.accredited),
    capacityReached: dailyCapacityReached(day, state, nowMs),
    waitingCount: waiting.length,
    waitingStarts: new Set(waiting.map((reservation) => reservation.interval.from)),
    horizonExceeded: undefined,
    clock: inputs.clock,
  };
}

function containsRange(outer: readonly MinuteInterval[], from: number, to: number): boolean {
  for (const interval of outer) if (interval.from <= from && to <= interval.to) return true;
  return false;
}

function overlapsRange(intervals: readonly MinuteInterval[], from: number, to: number): boolean {
  for (const interval of intervals) if (interval.from < to && from < interval.to) return true;
  return false;
}

function clockOf(prepared: PreparedDay): LocalDayClock {
  if (prepared.clock === undefined) {
    const { day } = prepared.inputs;
    prepared.clock = localDayClock(day.date, day.timeZone);
  }
  return prepared.clock;
}

function horizonExceeded(prepared: PreparedDay): boolean {
  if (prepared.horizonExceeded === undefined) {
    const { day, now } = prepared.inputs;
    const today = prepared.inputs.today ?? instantToLocal(now, day.timeZone).date;
    prepared.horizonExceeded = daysBetweenLocalDates(today, day.date) > day.policy.horizonDays;
  }
  return prepared.horizonExceeded;
}

/**
 * The instant of a start that passes the daylight-saving check (epoch ms), or `NaN`: every minute
 * of the slot must exist (none in the spring-forward gap) and the slot must last its duration in
 * real time (it must not contain the repeated hour of the fall-back change).
 */
function startMsOf(clock: LocalDayClock, from: number, to: number): number {
  const startMs = clock.instantMsOf(from);
  // Constant offset: every minute exists and real time is wall time.
  if (clock.constantOffset) return startMs;
  const lastMs = clock.instantMsOf(to - 1);
  const realMs = clock.boundaryMsOf(to) - startMs;
  return Number.isNaN(startMs) || Number.isNaN(lastMs) || realMs !== (to - from) * 60_000
    ? Number.NaN
    : startMs;
}

/**
 * Evaluates one start against a prepared day: the checks, order and outcome of `evaluateStart`,
 * without allocating. On acceptance `out.startMs` holds the start instant.
 */
function verdictOf(prepared: PreparedDay, from: number, out: { startMs: number }): Verdict {
  if (prepared.dayRefusal !== undefined) return prepared.dayRefusal;
  const { day, profile, options } = prepared.inputs;
  if (!Number.isInteger(from) || from % slotStepOf(options) !== 0) return 'off-grid';
  const to = from + profile.durationMinutes;
  if (!containsRange(day.opening, from, to)) return 'outside-opening';
  if (horizonExceeded(prepared)) return 'beyond-horizon';
  const startMs = startMsOf(clockOf(prepared), from, to);
  if (Number.isNaN(startMs)) return 'daylight-saving';
  if (startMs < prepared.nowMs + day.policy.minimumNoticeMinutes * 60_000) return 'short-notice';
  if (overlapsRange(prepared.centreBlocks, from, to)) return 'centre-blocked';
  out.startMs = startMs;

  if (prepared.requested !== null) {
    const named = prepared.inspectors[prepared.requestedIndex];
    if (!named) return 'unknown-inspector';
    if (!named.accredited) return 'named-not-accredited';
    if (!containsRange(named.inspector.working, from, to)) return 'named-not-working';
    if (overlapsRange(named.blocked, from, to)) return 'named-blocked';
    if (overlapsRange(named.busy, from, to)) return 'named-taken';
    if (prepared.capacityReached) return 'day-full';
    return prepared.requestedIndex;
  }

  if (!prepared.anyQualified) return 'none-accredited';
  let anyWorking = false;
  let anyUnblocked = false;
  let chosen = -1;
  const { inspectors } = prepared;
  for (let index = 0; index < inspectors.length; index++) {
    const candidate = inspectors[index] as InspectorOfDay;
    if (!candidate.accredited || !containsRange(candidate.inspector.working, from, to)) continue;
    anyWorking = true;
    if (overlapsRange(candidate.blocked, from, to)) continue;
    anyUnblocked = true;
    if (prepared.capacityReached || overlapsRange(candidate.busy, from, to)) continue;
    // Same choice as `pickBalancedInspector` over the free inspectors in day order.
    const best = inspectors[chosen];
    if (best === undefined || compareLoads(candidate.load, best.load) < 0) chosen = index;
  }
  if (!anyWorking) return 'none-working';
  if (!anyUnblocked) return 'all-blocked';
  if (chosen >= 0) return chosen;
  // Every qualified inspector working then is booked (or the daily cap is reached): overbooking.
  if (options?.allowOverbooking === false) return prepared.capacityReached ? 'day-full' : 'all-taken';
  if (day.overbookingAllowance === 0) return 'no-overbooking';
  if (prepared.waitingStarts.has(from)) return 'start-overbooked';
  if (prepared.waitingCount >= day.overbookingAllowance) return 'overbooking-limit';
  return OVERBOOKED;
}

function refusalOf(prepared: PreparedDay, refusal: Refusal): StartEvaluation {
  const { day, profile, options } = prepared.inputs;
  const { vehicle, requested } = prepared;
  // A day at its capacity reports a taken start as a full day (the original's code mapping).
  const takenOrFull = prepared.capacityReached ? 'DAY_FULL' : 'SLOT_TAKEN';
  switch (refusal) {
    case 'inactive':
      return refuse('CENTRE_INACTIVE', 'the centre takes no bookings');
    case 'closed':
      return refuse('CENTRE_CLOSED', `the centre is closed that day (${day.closure?.label})`);
    case 'closed-weekday':
      return refuse('CENTRE_CLOSED', `the centre is closed on ${day.weekday}s`);
    case 'bad-duration':
      return refuse('INVALID_COMMAND', `duration ${profile.durationMinutes} is not 1..480 minutes`);
    case 'off-grid':
      return refuse('OFF_GRID', `a start must fall on the ${slotStepOf(options)}-minute grid`);
    case 'outside-opening':
      return refuse('OUTSIDE_OPENING_HOURS', 'the slot does not fit inside one opening interval');
    case 'beyond-horizon':
      return refuse('BEYOND_HORIZON', `bookings open ${day.policy.horizonDays} days ahead`);
    case 'daylight-saving':
      return refuse('OUTSIDE_OPENING_HOURS', 'the slot crosses a daylight-saving change');
    case 'short-notice':
      return refuse(
        'TOO_SHORT_NOTICE',
        `a slot must start at least ${day.policy.minimumNoticeMinutes} minutes ahead`,
      );
    case 'centre-blocked':
      return refuse('PERIOD_BLOCKED', 'the centre has blocked that period');
    case 'unknown-inspector':
      return refuse('UNKNOWN_INSPECTOR', `no inspector ${requested} at the centre`);
    case 'named-not-accredited':
      return refuse(
        'NOT_ACCREDITED',
        `inspector ${requested} is not accredited for ${vehicle.category}/${vehicle.fuel}`,
      );
    case 'named-not-working':
      return refuse('INSPECTOR_UNAVAILABLE', `inspector ${requested} is not working (schedule or absence)`);
    case 'named-blocked':
      return refuse('PERIOD_BLOCKED', `a blocked period of inspector ${requested} overlaps the slot`);
    case 'named-taken':
      return refuse('SLOT_TAKEN', `inspector ${requested} already has a reservation then`);
    case 'day-full':
      return refuse('DAY_FULL', 'the daily capacity is reached');
    case 'none-accredited':
      return refuse(
        'NOT_ACCREDITED',
        `no inspector of the centre is accredited for ${vehicle.category}/${vehicle.fuel}`,
      );
    case 'none-working':
      return refuse('INSPECTOR_UNAVAILABLE', 'no qualified inspector works during the whole slot');
    case 'all-blocked':
      return refuse('PERIOD_BLOCKED', 'every qualified inspector is blocked then');
    case 'all-taken':
      return refuse('SLOT_TAKEN', 'every qualified inspector is taken at that time');
    case 'no-overbooking':
      return refuse(takenOrFull, 'every qualified inspector is taken and the centre does not overbook');
    case 'start-overbooked':
      return refuse(takenOrFull, 'every qualified inspector is taken and this start is already overbooked');
    case 'overbooking-limit':
      return refuse(
        'OVERBOOKING_LIMIT',
        `the day already carries ${prepared.waitingCount} overbooked reservations (limit ${day.overbookingAllowance})`,
      );
  }
}

/** One start of a prepared day, as `evaluateStart` answers it. */
export function evaluatePreparedStart(prepared: PreparedDay, startMinutes: number): StartEvaluation {
  const out = { startMs: Number.NaN };
  const verdict = verdictOf(prepared, startMinutes, out);
  if (typeof verdict === 'string') return refusalOf(prepared, verdict);
  const inspectorId =
    verdict === OVERBOOKED ? null : (prepared.inspectors[verdict]?.inspector.inspectorId ?? null);
  return {
    ok: true,
    startMinutes,
    endMinutes: startMinutes + prepared.inputs.profile.durationMinutes,
    instant: new Date(out.startMs),
    inspectorId,
    overbooked: inspectorId === null,
  };
}

/**
 * The accepted start's inspector index (-1 overbooked) and instant, or `undefined` when refused:
 * `evaluatePreparedStart` without building a refusal (what `availableStarts` needs).
 */
export function acceptedStart(
  prepared: PreparedDay,
  startMinutes: number,
  out: { startMs: number },
): { readonly inspectorId: string | null } | undefined {
  const verdict = verdictOf(prepared, startMinutes, out);
  if (typeof verdict === 'string') return undefined;
  if (verdict === OVERBOOKED) return NO_INSPECTOR;
  return prepared.inspectors[verdict]?.inspector;
}
const NO_INSPECTOR = { inspectorId: null };

/**
 * Evaluates one start (minutes since local midnight). Checks, in this order (the first failure is
 * the answer): centre active; not closed; duration sane; on the grid; inside one opening interval
 * (never across lunch); inside the horizon; a real local time (not in a DST gap, no DST change
 * inside the slot); minimum notice; no centre-wide blocked period; then the inspector:
 * - named: accredited, working (schedule minus absences), not blocked, free; daily capacity left;
 * - not named: among qualified, working, unblocked inspectors, the free one that balances the day
 *   (`pickBalancedInspector`); if none is free (or the daily capacity is reached), an overbooked
 *   start when overbooking is allowed and within its limits (`overbookingObstacle`).
 * The day-level part is computed by `prepareDay`; `availableStarts` prepares once per day.
 */
export function evaluateStart(inputs: EvaluationInputs, startMinutes: number): StartEvaluation {
  return evaluatePreparedStart(prepareDay(inputs), startMinutes);
}
