import { type SlotCalendarEvent, type VehicleProfile, validateEvent } from '@pti/events';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { availableStarts } from '../availability/available-starts.js';
import { isAccreditedFor } from '../centre/accreditation-rules.js';
import { type CentreDayConfiguration, centreDayConfiguration } from '../centre/centre-day-configuration.js';
import { foldEvents } from '../shared/decider.js';
import { DomainError } from '../shared/domain-error.js';
import { timeOfMinutes } from '../shared/local-time.js';
import { containedInOne, overlaps } from '../shared/minute-intervals.js';
import type { CalendarCommand } from './calendar-commands.js';
import { calendarDecider } from './calendar-decider.js';
import { type CalendarState, isLive } from './calendar-state.js';
import {
  CENTRE_ID,
  centreFrom,
  DATE,
  dayOf,
  NOW,
  registerCentre,
  week,
} from './testing/calendar-fixtures.js';

/**
 * Property-based tests: random command sequences against a few centre days. Whatever the
 * sequence, the invariants of DESIGN.md §5 hold after every accepted command, replaying the
 * events gives the state `decide` saw, and availability agrees with the hold.
 */

interface Scenario {
  readonly name: string;
  readonly day: CentreDayConfiguration;
  readonly start: Date;
}

const sundayHours = [{ from: '08:00', to: '12:00' }];
const morning = [{ from: '08:00', to: '12:00' }];
const scenarios: readonly Scenario[] = [
  { name: 'reference split day', day: dayOf(), start: NOW },
  {
    name: 'absence, daily capacity and generous overbooking',
    day: dayOf([
      {
        type: 'DeclareInspectorAbsence',
        centreId: CENTRE_ID,
        inspectorId: 'insp-a',
        absenceId: 'doctor',
        from: `${DATE}T09:00`,
        to: `${DATE}T10:30`,
        kind: 'other',
      },
      { type: 'SetDailyCapacity', centreId: CENTRE_ID, capacity: 10 },
      { type: 'SetBookingPolicy', centreId: CENTRE_ID, overbookingPercent: 30, minimumNoticeMinutes: 30 },
    ]),
    start: NOW,
  },
  {
    name: 'one inspector, mornings only: constant contention',
    day: centreDayConfiguration(
      centreFrom([
        registerCentre(),
        { type: 'SetOpeningHours', centreId: CENTRE_ID, week: week({ tuesday: morning }) },
        {
          type: 'AddInspector',
          centreId: CENTRE_ID,
          inspectorId: 'insp-a',
          name: 'A',
          userId: null,
          accreditations: ['VL', 'L', 'GAZ'],
        },
        {
          type: 'SetInspectorSchedule',
          centreId: CENTRE_ID,
          inspectorId: 'insp-a',
          week: week({ tuesday: morning }),
        },
        { type: 'SetBookingPolicy', centreId: CENTRE_ID, overbookingPercent: 40, holdMinutes: 20 },
      ]),
      DATE,
    ),
    start: NOW,
  },
  {
    name: 'spring-forward Sunday',
    day: dayOf(
      [
        { type: 'SetOpeningHours', centreId: CENTRE_ID, week: week({ sunday: sundayHours }) },
        {
          type: 'SetInspectorSchedule',
          centreId: CENTRE_ID,
          inspectorId: 'insp-a',
          week: week({ sunday: sundayHours }),
        },
        {
          type: 'SetInspectorSchedule',
          centreId: CENTRE_ID,
          inspectorId: 'insp-b',
          week: week({ sunday: sundayHours }),
        },
        { type: 'SetBookingPolicy', centreId: CENTRE_ID, overbookingPercent: 50 },
      ],
      '2026-03-29',
    ),
    start: new Date('2026-03-28T09:00:00Z'),
  },
];

const vehicles: readonly VehicleProfile[] = [
  { category: 'VP', fuel: 'Diesel' },
  { category: 'VP', fuel: 'Gaz' },
  { category: 'VU', fuel: 'Essence' },
  { category: 'Moto', fuel: 'Essence' },
  { category: 'Cyclo', fuel: 'Electrique' },
];
/** Mostly "any inspector", sometimes a named one (or one the centre does not have). */
const inspectorChoice = fc.oneof(
  { weight: 6, arbitrary: fc.constant(null) },
  { weight: 4, arbitrary: fc.constantFrom('insp-a', 'insp-b', 'insp-c', 'ghost') },
);
const durations = fc.constantFrom(15, 20, 30, 35, 45, 60);
/**
 * Starts crowd the morning (08:00–11:00) so that inspectors fill up and overbooking, waitlists
 * and reallocation happen; some fall anywhere between 07:00 and 19:00, a few off the grid.
 */
const startMinutes = fc.oneof(
  { weight: 7, arbitrary: fc.integer({ min: 32, max: 44 }).map((quarter) => quarter * 15) },
  { weight: 2, arbitrary: fc.integer({ min: 28, max: 76 }).map((quarter) => quarter * 15) },
  { weight: 1, arbitrary: fc.integer({ min: 420, max: 1140 }) },
);

type Action =
  | {
      kind: 'hold';
      start: number;
      duration: number;
      vehicle: number;
      inspector: string | null;
      allowOverbooking: boolean;
    }
  | { kind: 'confirm' | 'free' | 'unblock' | 'leave'; pick: number }
  | { kind: 'release'; pick: number; reason: 'expired' | 'payment_failed' | 'cancelled' }
  | { kind: 'block'; start: number; length: number; inspector: string | null }
  | { kind: 'reassign'; pick: number; to: string | null }
  | { kind: 'join'; start: number; span: number; vehicle: number; duration: number }
  | { kind: 'advance'; minutes: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('hold' as const),
      start: startMinutes,
      duration: durations,
      vehicle: fc.nat({ max: vehicles.length - 1 }),
      inspector: inspectorChoice,
      allowOverbooking: fc.boolean(),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('confirm' as const), pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('release' as const),
      pick: fc.nat(),
      reason: fc.constantFrom('expired' as const, 'payment_failed' as const, 'cancelled' as const),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('free' as const), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('block' as const),
      start: startMinutes,
      length: fc.integer({ min: 1, max: 8 }).map((quarters) => quarters * 15),
      inspector: inspectorChoice,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('unblock' as const), pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('reassign' as const), pick: fc.nat(), to: inspectorChoice }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('join' as const),
      start: startMinutes,
      span: fc.integer({ min: 0, max: 8 }).map((quarters) => quarters * 15),
      vehicle: fc.nat({ max: vehicles.length - 1 }),
      duration: durations,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('leave' as const), pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('advance' as const), minutes: fc.integer({ min: 1, max: 40 }) }),
  },
);

function pickOf<T>(items: readonly T[], pick: number): T | undefined {
  return items.length === 0 ? undefined : items[pick % items.length];
}

function vehicleAt(index: number): VehicleProfile {
  return vehicles[index % vehicles.length] ?? { category: 'VP', fuel: 'Diesel' };
}

function time(minutes: number): string {
  return timeOfMinutes(Math.min(minutes, 1439));
}

/** The command an action stands for in the current state (`undefined`: nothing to aim at). */
function commandOf(
  actionToRun: Action,
  state: CalendarState,
  day: CentreDayConfiguration,
  serial: number,
): CalendarCommand | undefined {
  const base = { centreId: day.centreId, date: day.date };
  const reservation = 'pick' in actionToRun ? pickOf(state.reservations, actionToRun.pick) : undefined;
  switch (actionToRun.kind) {
    case 'hold':
      return {
        type: 'HoldSlot',
        ...base,
        reservationId: `r-${serial}`,
        bookingId: `b-${serial}`,
        start: time(actionToRun.start),
        durationMinutes: actionToRun.duration,
        controlType: 'CTP',
        vehicle: vehicleAt(actionToRun.vehicle),
        inspectorId: actionToRun.inspector,
        allowOverbooking: actionToRun.allowOverbooking,
      };
    case 'confirm':
      return (
        reservation && {
          type: 'ConfirmHold',
          ...base,
          reservationId: reservation.reservationId,
          bookingId: reservation.bookingId,
        }
      );
    case 'release':
      return (
        reservation && {
          type: 'ReleaseHold',
          ...base,
          reservationId: reservation.reservationId,
          bookingId: reservation.bookingId,
          reason: actionToRun.reason,
        }
      );
    case 'free':
      return (
        reservation && {
          type: 'FreeReservation',
          ...base,
          reservationId: reservation.reservationId,
          bookingId: reservation.bookingId,
          reason: 'cancelled',
        }
      );
    case 'block':
      return {
        type: 'BlockPeriod',
        ...base,
        blockId: `blk-${serial}`,
        from: time(actionToRun.start),
        to: time(actionToRun.start + actionToRun.length),
        inspectorId: actionToRun.inspector,
        label: 'Maintenance',
      };
    case 'unblock': {
      const block = pickOf(state.blocks, actionToRun.pick);
      return block && { type: 'UnblockPeriod', ...base, blockId: block.blockId };
    }
    case 'reassign':
      return (
        reservation && {
          type: 'ReassignInspector',
          ...base,
          reservationId: reservation.reservationId,
          toInspectorId: actionToRun.to,
          reason: 'manual',
        }
      );
    case 'join':
      return {
        type: 'JoinWaitlist',
        ...base,
        entryId: `wl-${serial}`,
        customerId: `cust-${serial}`,
        contact: { email: `c${serial}@example.fr`, phone: null },
        controlType: 'CTP',
        vehicle: vehicleAt(actionToRun.vehicle),
        durationMinutes: actionToRun.duration,
        earliestStart: time(actionToRun.start),
        latestStart: time(actionToRun.start + actionToRun.span),
        channel: 'web',
      };
    case 'leave': {
      const entry = pickOf(state.waitlist, actionToRun.pick);
      return entry && { type: 'LeaveWaitlist', ...base, entryId: entry.entryId, reason: 'withdrawn' };
    }
    case 'advance':
      return undefined;
  }
}

/** DESIGN.md §5 invariants over the reservations that occupy time at `now`. */
function assertInvariants(day: CentreDayConfiguration, state: CalendarState, now: Date): void {
  const live = state.reservations.filter((reservation) => isLive(reservation, now.getTime()));
  for (const reservation of live) {
    expect(
      containedInOne(day.opening, reservation.interval),
      `${reservation.reservationId} inside opening hours`,
    ).toBe(true);
    const centreBlocked = state.blocks.some(
      (b) => b.inspectorId === null && overlaps(b.interval, reservation.interval),
    );
    expect(centreBlocked, `${reservation.reservationId} outside centre blocks`).toBe(false);
    if (reservation.inspectorId === null) continue;
    const inspector = day.inspectors.find((candidate) => candidate.inspectorId === reservation.inspectorId);
    expect(inspector, `${reservation.reservationId} has a real inspector`).toBeDefined();
    if (!inspector) continue;
    expect(
      isAccreditedFor(inspector.accreditations, reservation.vehicle),
      `${reservation.reservationId} accredited`,
    ).toBe(true);
    expect(
      containedInOne(inspector.working, reservation.interval),
      `${reservation.reservationId} in schedule`,
    ).toBe(true);
    const ownBlocked = state.blocks.some(
      (b) => b.inspectorId === inspector.inspectorId && overlaps(b.interval, reservation.interval),
    );
    expect(ownBlocked, `${reservation.reservationId} outside the inspector's blocks`).toBe(false);
    const clash = live.find(
      (other) =>
        other !== reservation &&
        other.inspectorId === reservation.inspectorId &&
        overlaps(other.interval, reservation.interval),
    );
    expect(
      clash?.reservationId,
      `${reservation.reservationId} overlaps another of ${inspector.inspectorId}`,
    ).toBeUndefined();
  }
  const waiting = live.filter((reservation) => reservation.inspectorId === null);
  expect(waiting.length).toBeLessThanOrEqual(day.overbookingAllowance);
  expect(new Set(waiting.map((reservation) => reservation.start)).size).toBe(waiting.length);
  if (day.dailyCapacity !== null) {
    expect(live.length - waiting.length).toBeLessThanOrEqual(day.dailyCapacity);
  }
}

interface Run {
  readonly state: CalendarState;
  readonly events: readonly SlotCalendarEvent[];
  readonly now: Date;
}

/** Runs actions through `decide`/`evolve`, checking invariants after each accepted command. */
function run(scenario: Scenario, actions: readonly Action[], check = true): Run {
  let state = calendarDecider.initialState();
  let now = scenario.start;
  let offerIds = 0;
  const events: SlotCalendarEvent[] = [];
  for (const [serial, next] of actions.entries()) {
    if (next.kind === 'advance') {
      now = new Date(now.getTime() + next.minutes * 60_000);
      if (check) assertInvariants(scenario.day, state, now);
      continue;
    }
    const command = commandOf(next, state, scenario.day, serial);
    if (!command) continue;
    let decided: readonly SlotCalendarEvent[];
    try {
      decided = calendarDecider.decide(command, state, {
        now,
        day: scenario.day,
        newId: () => {
          offerIds += 1;
          return `offer-${offerIds}`;
        },
      });
    } catch (error) {
      // Refusals are fine; anything else is a bug.
      if (error instanceof DomainError) continue;
      throw error;
    }
    for (const event of decided) {
      if (check)
        expect(validateEvent(event.type, event.data).ok, `${event.type} matches its schema`).toBe(true);
      state = calendarDecider.evolve(state, event);
      events.push(event);
    }
    if (check) assertInvariants(scenario.day, state, now);
  }
  return { state, events, now };
}

// Drawn by name so that a counterexample prints a name, not a whole day configuration.
const scenarioName = fc.constantFrom(...scenarios.map((scenario) => scenario.name));
function scenarioNamed(name: string): Scenario {
  const found = scenarios.find((scenario) => scenario.name === name);
  if (!found) throw new Error(`no scenario ${name}`);
  return found;
}

describe('SlotCalendar properties (fast-check)', () => {
  it('random command sequences never break an invariant, and replay gives the state decide saw', () => {
    fc.assert(
      fc.property(
        scenarioName,
        fc.array(action, { minLength: 20, maxLength: 80, size: 'max' }),
        (name, actions) => {
          const { state, events } = run(scenarioNamed(name), actions);
          expect(foldEvents(calendarDecider, events)).toEqual(state);
          // Events are plain data: a JSON round trip (what the ledger stores) replays the same.
          expect(
            foldEvents(calendarDecider, JSON.parse(JSON.stringify(events)) as SlotCalendarEvent[]),
          ).toEqual(state);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a start listed by availableStarts can be held, with the same inspector; any other start is refused', () => {
    fc.assert(
      fc.property(
        scenarioName,
        fc.array(action, { minLength: 10, maxLength: 60, size: 'max' }),
        fc.nat({ max: vehicles.length - 1 }),
        durations,
        inspectorChoice,
        fc.boolean(),
        (name, actions, vehicleIndex, duration, inspector, allowOverbooking) => {
          const scenario = scenarioNamed(name);
          const { state, now } = run(scenario, actions, false);
          const vehicle = vehicleAt(vehicleIndex);
          const listed = availableStarts(
            scenario.day,
            state,
            { ...vehicle, controlType: 'CTP', durationMinutes: duration },
            now,
            { inspectorId: inspector, allowOverbooking },
          );
          const byStart = new Map(listed.map((start) => [start.start, start]));
          const context = { now, day: scenario.day, newId: () => 'unused' };
          for (let minutes = 0; minutes < 1440; minutes += 5) {
            const start = timeOfMinutes(minutes);
            const command: CalendarCommand = {
              type: 'HoldSlot',
              centreId: scenario.day.centreId,
              date: scenario.day.date,
              reservationId: 'probe',
              bookingId: 'probe-booking',
              start,
              durationMinutes: duration,
              controlType: 'CTP',
              vehicle,
              inspectorId: inspector,
              allowOverbooking,
            };
            const expected = byStart.get(start);
            let outcome: readonly SlotCalendarEvent[] | DomainError;
            try {
              outcome = calendarDecider.decide(command, state, context);
            } catch (error) {
              if (!(error instanceof DomainError)) throw error;
              outcome = error;
            }
            if (expected) {
              expect(outcome, `${start} is listed`).not.toBeInstanceOf(DomainError);
              const held = (outcome as readonly SlotCalendarEvent[])[0];
              expect(held?.type).toBe('SlotHeld');
              expect(held?.data).toMatchObject({
                inspectorId: expected.inspectorId,
                overbooked: expected.overbooked,
              });
            } else {
              expect(outcome, `${start} is not listed`).toBeInstanceOf(DomainError);
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
