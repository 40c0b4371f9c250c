import type { HoldReleaseReason, SlotCalendarEvent, WaitlistLeaveReason } from '@pti/events';
import { availableStarts } from '../availability/available-starts.js';
import { inspectorLoads, pickBalancedInspector } from '../availability/inspector-balancing.js';
import {
  dailyCapacityReached,
  evaluateStart,
  freeInspectors,
  inspectorObstacle,
  overbookingObstacle,
  vehicleOf,
} from '../availability/start-evaluation.js';
import { isAccreditedFor } from '../centre/accreditation-rules.js';
import { checkedEvent } from '../shared/checked-event.js';
import type { Decider } from '../shared/decider.js';
import { DomainError, ensure } from '../shared/domain-error.js';
import {
  addMinutesToInstant,
  daysBetweenLocalDates,
  instantToLocal,
  isValidLocalTime,
  minutesOfTime,
  timeOfMinutes,
} from '../shared/local-time.js';
import { containedInOne, overlaps } from '../shared/minute-intervals.js';
import type {
  BlockPeriod,
  CalendarCommand,
  CalendarContext,
  ConfirmHold,
  FreeReservation,
  HoldSlot,
  JoinWaitlist,
  LeaveWaitlist,
  ReassignInspector,
  ReleaseHold,
  UnblockPeriod,
} from './calendar-commands.js';
import { record, startDecision } from './calendar-decision.js';
import {
  type CalendarState,
  evolveCalendar,
  findReservation,
  initialCalendarState,
  isLive,
  type Reservation,
} from './calendar-state.js';
import { allocateFreedCapacity } from './freed-capacity-allocation.js';

/**
 * The SlotCalendar decider: one centre, one local day. Every invariant of DESIGN.md §5 is checked
 * here, against the day configuration and clock of the context:
 * - placement (hold): the shared `evaluateStart` (opening hours, closures, blocked periods,
 *   schedules and absences, accreditation, no overlap per inspector, notice, horizon, daily
 *   capacity, overbooking limits), the same function `availableStarts` lists with;
 * - a hold past `expiresAt` is free for everyone else; releasing it is accepted; confirming it
 *   succeeds only if its time is still free for it (same checks, notice aside), else HOLD_EXPIRED;
 * - freeing time hands it to overbooked reservations, then to the waitlist
 *   (`allocateFreedCapacity`);
 * - retries are harmless: holding the same reservation again, confirming a confirmed one,
 *   releasing or freeing an ended one decide nothing.
 */

function requireReservation(state: CalendarState, reservationId: string, bookingId?: string): Reservation {
  const reservation = findReservation(state, reservationId);
  if (!reservation || (bookingId !== undefined && reservation.bookingId !== bookingId)) {
    throw new DomainError(
      'UNKNOWN_RESERVATION',
      `no reservation ${reservationId} for that booking this day`,
      {
        reservationId,
      },
    );
  }
  return reservation;
}

function day(context: CalendarContext): { centreId: string; date: string } {
  return { centreId: context.day.centreId, date: context.day.date };
}

function hold(
  command: HoldSlot,
  state: CalendarState,
  context: CalendarContext,
): readonly SlotCalendarEvent[] {
  const existing = findReservation(state, command.reservationId);
  if (existing) {
    const sameHold =
      existing.bookingId === command.bookingId &&
      existing.start === command.start &&
      existing.durationMinutes === command.durationMinutes &&
      (existing.status === 'held' || existing.status === 'confirmed');
    // A retry of a hold that was appended (the caller crashed before seeing the answer).
    if (sameHold) return [];
    throw new DomainError('RESERVATION_ALREADY_EXISTS', `reservation ${command.reservationId} exists`);
  }
  ensure(isValidLocalTime(command.start), 'INVALID_COMMAND', `start ${command.start} is not HH:MM`);
  const evaluation = evaluateStart(
    {
      day: context.day,
      state,
      profile: {
        ...command.vehicle,
        controlType: command.controlType,
        durationMinutes: command.durationMinutes,
      },
      now: context.now,
      options: {
        stepMinutes: context.stepMinutes,
        inspectorId: command.inspectorId ?? null,
        allowOverbooking: command.allowOverbooking ?? true,
      },
    },
    minutesOfTime(command.start),
  );
  if (!evaluation.ok) throw new DomainError(evaluation.code, evaluation.message, { start: command.start });
  return [
    checkedEvent('SlotHeld', {
      ...day(context),
      reservationId: command.reservationId,
      bookingId: command.bookingId,
      start: command.start,
      end: timeOfMinutes(evaluation.endMinutes),
      durationMinutes: command.durationMinutes,
      inspectorId: evaluation.inspectorId,
      overbooked: evaluation.overbooked,
      controlType: command.controlType,
      vehicle: vehicleOf(command.vehicle),
      expiresAt: addMinutesToInstant(context.now, context.day.policy.holdMinutes).toISOString(),
      waitlistEntryId: null,
    }),
  ];
}

/**
 * Whether an expired hold may still be confirmed: its time must still be free for it, by the same
 * rules as a new hold except notice and horizon (the customer chose it in time; only payment was
 * late).
 */
function expiredHoldStillFits(
  reservation: Reservation,
  state: CalendarState,
  context: CalendarContext,
): boolean {
  const { day: config, now } = context;
  const nowMs = now.getTime();
  const self = reservation.reservationId;
  if (!config.active || !containedInOne(config.opening, reservation.interval)) return false;
  if (
    state.blocks.some((block) => block.inspectorId === null && overlaps(block.interval, reservation.interval))
  ) {
    return false;
  }
  if (reservation.inspectorId === null) {
    return overbookingObstacle(config, state, reservation.interval.from, nowMs, self) === undefined;
  }
  const inspector = config.inspectors.find((candidate) => candidate.inspectorId === reservation.inspectorId);
  return (
    inspector !== undefined &&
    inspectorObstacle(state, inspector, reservation.vehicle, reservation.interval, nowMs, self) ===
      undefined &&
    !dailyCapacityReached(config, state, nowMs, self)
  );
}

function confirm(
  command: ConfirmHold,
  state: CalendarState,
  context: CalendarContext,
): readonly SlotCalendarEvent[] {
  const reservation = requireReservation(state, command.reservationId, command.bookingId);
  if (reservation.status === 'confirmed') return [];
  ensure(
    reservation.status === 'held',
    'RESERVATION_ENDED',
    `reservation ${reservation.reservationId} has ended`,
  );
  if (!isLive(reservation, context.now.getTime())) {
    ensure(
      expiredHoldStillFits(reservation, state, context),
      'HOLD_EXPIRED',
      `the hold expired at ${reservation.expiresAt} and its time is no longer free`,
    );
  }
  const events: SlotCalendarEvent[] = [
    checkedEvent('HoldConfirmed', {
      ...day(context),
      reservationId: reservation.reservationId,
      bookingId: reservation.bookingId,
    }),
  ];
  const entry = offeredEntryOf(state, reservation);
  if (entry)
    events.push(checkedEvent('WaitlistLeft', { ...day(context), entryId: entry, reason: 'offer_accepted' }));
  return events;
}

/** The waitlist entry whose current offer is this reservation, if any. */
function offeredEntryOf(state: CalendarState, reservation: Reservation): string | undefined {
  if (reservation.waitlistEntryId === null) return undefined;
  const entry = state.waitlist.find((candidate) => candidate.entryId === reservation.waitlistEntryId);
  return entry?.status === 'offered' && entry.offerReservationId === reservation.reservationId
    ? entry.entryId
    : undefined;
}

function leaveReasonOfRelease(reason: HoldReleaseReason): WaitlistLeaveReason {
  return reason === 'expired' ? 'offer_expired' : 'offer_declined';
}

function release(
  command: ReleaseHold,
  state: CalendarState,
  context: CalendarContext,
): readonly SlotCalendarEvent[] {
  const reservation = requireReservation(state, command.reservationId, command.bookingId);
  if (reservation.status === 'released' || reservation.status === 'freed') return [];
  ensure(
    reservation.status === 'held',
    'RESERVATION_NOT_HELD',
    `reservation ${reservation.reservationId} is confirmed: free it instead`,
  );
  const decision = startDecision(state);
  // Expired or not, a hold can always be released: that is how the hold timer cleans up.
  record(
    decision,
    checkedEvent('HoldReleased', {
      ...day(context),
      reservationId: reservation.reservationId,
      bookingId: reservation.bookingId,
      reason: command.reason,
    }),
  );
  const entry = offeredEntryOf(state, reservation);
  if (entry) {
    record(
      decision,
      checkedEvent('WaitlistLeft', {
        ...day(context),
        entryId: entry,
        reason: leaveReasonOfRelease(command.reason),
      }),
    );
  }
  allocateFreedCapacity(decision, context);
  return decision.events;
}

function free(
  command: FreeReservation,
  state: CalendarState,
  context: CalendarContext,
): readonly SlotCalendarEvent[] {
  const reservation = requireReservation(state, command.reservationId, command.bookingId);
  if (reservation.status === 'released' || reservation.status === 'freed') return [];
  ensure(
    reservation.status === 'confirmed',
    'RESERVATION_NOT_CONFIRMED',
    `reservation ${reservation.reservationId} is only held: release it instead`,
  );
  const decision = startDecision(state);
  record(
    decision,
    checkedEvent('ReservationFreed', {
      ...day(context),
      reservationId: reservation.reservationId,
      bookingId: reservation.bookingId,
      reason: command.reason,
    }),
  );
  allocateFreedCapacity(decision, context);
  return decision.events;
}

/**
 * Blocking a period that live reservations occupy is refused (they would break the invariant
 * "outside blocked periods"): staff reassign, move or cancel them first. The refusal lists them.
 */
function block(
  command: BlockPeriod,
  state: CalendarState,
  context: CalendarContext,
): readonly SlotCalendarEvent[] {
  ensure(
    !state.blocks.some((existing) => existing.blockId === command.blockId),
    'BLOCK_ALREADY_EXISTS',
    `block ${command.blockId} exists`,
  );
  const event = checkedEvent('PeriodBlocked', {
    ...day(context),
    blockId: command.blockId,
    from: command.from,
    to: command.to,
    inspectorId: command.inspectorId,
    label: command.label,
  });
  const interval = { from: minutesOfTime(command.from), to: minutesOfTime(command.to) };
  ensure(interval.to > interval.from, 'INVALID_PERIOD', `${command.to} is not after ${command.from}`);
  if (command.inspectorId !== null) {
    const inspectorId = command.inspectorId;
    ensure(
      context.day.inspectors.some((inspector) => inspector.inspectorId === inspectorId),
      'UNKNOWN_INSPECTOR',
      `no inspector ${inspectorId} at the centre`,
    );
  }
  const nowMs = context.now.getTime();
  const inside = state.reservations.filter(
    (reservation) =>
      isLive(reservation, nowMs) &&
      overlaps(reservation.interval, interval) &&
      (command.inspectorId === null || reservation.inspectorId === command.inspectorId),
  );
  ensure(
    inside.length === 0,
    'PERIOD_HAS_RESERVATIONS',
    `${inside.length} live reservations lie in the period`,
    {
      reservationIds: inside.map((reservation) => reservation.reservationId),
    },
  );
  return [event];
}

function unblock(
  command: UnblockPeriod,
  state: CalendarState,
  context: CalendarContext,
): readonly SlotCalendarEvent[] {
  ensure(
    state.blocks.some((existing) => existing.blockId === command.blockId),
    'UNKNOWN_BLOCK',
    `no block ${command.blockId}`,
  );
  const decision = startDecision(state);
  record(decision, checkedEvent('PeriodUnblocked', { ...day(context), blockId: command.blockId }));
  allocateFreedCapacity(decision, context);
  return decision.events;
}

/**
 * Moves a live reservation to another inspector at the same time, or gives an overbooked one its
 * inspector. With `toInspectorId: null` the balancing rule picks among the free qualified ones.
 * The previous inspector's time is then free and is allocated like any freed time.
 */
function reassign(
  command: ReassignInspector,
  state: CalendarState,
  context: CalendarContext,
): readonly SlotCalendarEvent[] {
  const reservation = requireReservation(state, command.reservationId);
  const nowMs = context.now.getTime();
  ensure(
    reservation.status === 'held' || reservation.status === 'confirmed',
    'RESERVATION_ENDED',
    `reservation ${reservation.reservationId} has ended`,
  );
  ensure(isLive(reservation, nowMs), 'HOLD_EXPIRED', `the hold expired at ${reservation.expiresAt}`);
  const self = reservation.reservationId;
  let target: string;
  if (command.toInspectorId !== null) {
    const toInspectorId = command.toInspectorId;
    const inspector = context.day.inspectors.find((candidate) => candidate.inspectorId === toInspectorId);
    if (!inspector) throw new DomainError('UNKNOWN_INSPECTOR', `no inspector ${toInspectorId} at the centre`);
    ensure(
      reservation.inspectorId !== toInspectorId,
      'INVALID_COMMAND',
      `reservation ${self} is already with ${toInspectorId}`,
    );
    const obstacle = inspectorObstacle(
      state,
      inspector,
      reservation.vehicle,
      reservation.interval,
      nowMs,
      self,
    );
    if (obstacle) throw new DomainError(obstacle.code, obstacle.message);
    target = toInspectorId;
  } else {
    const candidates = freeInspectors(
      context.day,
      state,
      reservation.vehicle,
      reservation.interval,
      nowMs,
      self,
    ).filter((inspectorId) => inspectorId !== reservation.inspectorId);
    const chosen = pickBalancedInspector(candidates, inspectorLoads(state, nowMs));
    if (chosen === undefined)
      throw new DomainError('SLOT_TAKEN', 'no other qualified inspector is free then');
    target = chosen;
  }

  const decision = startDecision(state);
  if (reservation.inspectorId === null) {
    // Giving an overbooked reservation an inspector adds one to the day's count.
    ensure(
      !dailyCapacityReached(context.day, state, nowMs, self),
      'DAY_FULL',
      'the daily capacity is reached',
    );
    record(
      decision,
      checkedEvent('OverbookedReservationAssigned', {
        ...day(context),
        reservationId: self,
        bookingId: reservation.bookingId,
        inspectorId: target,
      }),
    );
    return decision.events;
  }
  record(
    decision,
    checkedEvent('InspectorReassigned', {
      ...day(context),
      reservationId: self,
      bookingId: reservation.bookingId,
      fromInspectorId: reservation.inspectorId,
      toInspectorId: target,
      reason: command.reason,
    }),
  );
  allocateFreedCapacity(decision, context);
  return decision.events;
}

/**
 * A customer may wait for a day only when it has nothing bookable for them inside their window
 * (overbooked starts count as bookable), on a day that could serve them at all: centre active and
 * open, inside the horizon, not past, with an inspector accredited for the vehicle and working.
 */
function joinWaitlist(
  command: JoinWaitlist,
  state: CalendarState,
  context: CalendarContext,
): readonly SlotCalendarEvent[] {
  ensure(
    !state.waitlist.some((entry) => entry.entryId === command.entryId),
    'WAITLIST_ENTRY_EXISTS',
    `waitlist entry ${command.entryId} exists`,
  );
  const { type: _type, ...data } = command;
  const event = checkedEvent('WaitlistJoined', { ...data, vehicle: vehicleOf(command.vehicle) });
  ensure(
    command.latestStart >= command.earliestStart,
    'INVALID_PERIOD',
    'latestStart is before earliestStart',
  );
  const config = context.day;
  ensure(config.active, 'CENTRE_INACTIVE');
  ensure(config.closure === null && config.opening.length > 0, 'CENTRE_CLOSED');
  const daysAhead = daysBetweenLocalDates(instantToLocal(context.now, config.timeZone).date, config.date);
  ensure(daysAhead >= 0, 'TOO_SHORT_NOTICE', 'the day has passed');
  ensure(daysAhead <= config.policy.horizonDays, 'BEYOND_HORIZON');
  ensure(
    config.inspectors.some(
      (inspector) =>
        isAccreditedFor(inspector.accreditations, command.vehicle) && inspector.working.length > 0,
    ),
    'NOT_ACCREDITED',
    'no inspector accredited for this vehicle works that day',
  );
  const [bookable] = availableStarts(
    config,
    state,
    { ...command.vehicle, controlType: command.controlType, durationMinutes: command.durationMinutes },
    context.now,
    {
      stepMinutes: context.stepMinutes,
      earliestStart: command.earliestStart,
      latestStart: command.latestStart,
    },
  );
  ensure(bookable === undefined, 'DAY_NOT_FULL', `${bookable?.start} can still be booked`, {
    start: bookable?.start,
  });
  return [event];
}

function leaveWaitlist(
  command: LeaveWaitlist,
  state: CalendarState,
  context: CalendarContext,
): readonly SlotCalendarEvent[] {
  const entry = state.waitlist.find((candidate) => candidate.entryId === command.entryId);
  if (!entry) throw new DomainError('UNKNOWN_WAITLIST_ENTRY', `no waitlist entry ${command.entryId}`);
  if (entry.status === 'left') return [];
  const decision = startDecision(state);
  const offer =
    entry.offerReservationId === null ? undefined : findReservation(state, entry.offerReservationId);
  // Leaving gives the offered slot back; it then goes to the next entries.
  if (offer?.status === 'held') {
    record(
      decision,
      checkedEvent('HoldReleased', {
        ...day(context),
        reservationId: offer.reservationId,
        bookingId: offer.bookingId,
        reason: 'waitlist_offer_declined',
      }),
    );
  }
  record(
    decision,
    checkedEvent('WaitlistLeft', { ...day(context), entryId: entry.entryId, reason: command.reason }),
  );
  if (offer?.status === 'held') allocateFreedCapacity(decision, context);
  return decision.events;
}

export function decideCalendar(
  command: CalendarCommand,
  state: CalendarState,
  context: CalendarContext,
): readonly SlotCalendarEvent[] {
  ensure(
    command.centreId === context.day.centreId && command.date === context.day.date,
    'INVALID_COMMAND',
    `command for ${command.centreId} on ${command.date} decided with the configuration of ${context.day.centreId} on ${context.day.date}`,
  );
  ensure(
    state.centreId === null || (state.centreId === command.centreId && state.date === command.date),
    'INVALID_COMMAND',
    `command for ${command.centreId} on ${command.date} sent to the calendar of ${state.centreId} on ${state.date}`,
  );
  switch (command.type) {
    case 'HoldSlot':
      return hold(command, state, context);
    case 'ConfirmHold':
      return confirm(command, state, context);
    case 'ReleaseHold':
      return release(command, state, context);
    case 'FreeReservation':
      return free(command, state, context);
    case 'BlockPeriod':
      return block(command, state, context);
    case 'UnblockPeriod':
      return unblock(command, state, context);
    case 'ReassignInspector':
      return reassign(command, state, context);
    case 'JoinWaitlist':
      return joinWaitlist(command, state, context);
    case 'LeaveWaitlist':
      return leaveWaitlist(command, state, context);
  }
}

export const calendarDecider: Decider<CalendarCommand, CalendarState, SlotCalendarEvent, CalendarContext> = {
  initialState: initialCalendarState,
  decide: decideCalendar,
  evolve: evolveCalendar,
};
