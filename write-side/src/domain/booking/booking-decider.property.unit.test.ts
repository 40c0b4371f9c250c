import {
  type BookingEvent,
  type CancellationReason,
  type ControlType,
  type Fuel,
  type VehicleCategory,
  validateEvent,
} from '@pti/events';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DURATION_MATRIX, durationMinutes, isControlOffered } from '../durations/index.js';
import { foldEvents, tryDecide } from '../shared/index.js';
import type { BookingActor, BookingCommand } from './booking-commands.js';
import { bookingDecider } from './booking-decider.js';
import { appointmentStartInstant } from './booking-rules.js';
import type { BookingState, BookingStatus } from './booking-state.js';
import { context, ids, placeCommand } from './testing/booking-fixtures.js';

/**
 * Random command sequences, with time moving forward between commands, run through `decide`; each
 * accepted command's events are folded with `evolve`. Properties:
 * - folding the whole log from the initial state gives the state `decide` saw at every step;
 * - only lifecycle transitions of DESIGN.md §5 occur, and no state is illegal (completed without
 *   check-in, checked in or no-show without confirmation, confirmed online without the price paid);
 * - a refusal is always a `DomainError` (never another exception) and every event is valid against
 *   the contract; `decide` is deterministic.
 */

type Now = Date;
/** A command built from the state and time it will be decided at (so amounts and holds can fit). */
type CommandOf = (state: BookingState, now: Now) => BookingCommand;

const { bookingId } = ids;
const T0 = new Date('2025-03-10T08:00:00.000Z');
const paymentIds = ['pay-a', 'pay-b', 'pay-c'] as const;
const reservationIds = [ids.reservationId, 'res-2', 'res-3'] as const;
const centres = [ids.centreId, ids.otherCentreId] as const;
const days = ['2025-03-11', '2025-03-12', '2025-03-14', '2025-03-17'] as const;
const times = ['08:00', '09:30', '14:00'] as const;
const actors: readonly BookingActor[] = ['customer', 'call_centre', 'centre', 'system'];
const reasons: readonly CancellationReason[] = [
  'customer_request',
  'centre_closure',
  'inspector_unavailable',
  'duplicate',
  'other',
];

const profiles: readonly { controlType: ControlType; category: VehicleCategory; fuel: Fuel }[] = [
  { controlType: 'CTP', category: 'VP', fuel: 'Diesel' },
  { controlType: 'CTP', category: 'VP', fuel: 'Gaz' },
  { controlType: 'CVP', category: 'VP', fuel: 'Diesel' },
  { controlType: 'CTC', category: 'VU', fuel: 'Diesel' },
  { controlType: 'CTC', category: 'Moto', fuel: 'Essence' },
];

function minutesFor(controlType: ControlType, category: VehicleCategory, fuel: Fuel): number {
  return isControlOffered(DEFAULT_DURATION_MATRIX, controlType, category, fuel)
    ? durationMinutes(DEFAULT_DURATION_MATRIX, controlType, category, fuel)
    : 20;
}

const holdExpiry = (now: Now, minutes: number) => new Date(now.getTime() + minutes * 60_000).toISOString();

const placeArb: fc.Arbitrary<CommandOf> = fc
  .record({
    profile: fc.constantFrom(...profiles),
    day: fc.constantFrom(...days),
    time: fc.constantFrom(...times),
    centre: fc.constantFrom(...centres),
    paymentMode: fc.constantFrom('online' as const, 'on_site' as const),
    holdMinutes: fc.constantFrom(15, -1),
  })
  .map(
    ({ profile, day, time, centre, paymentMode, holdMinutes }) =>
      (_state, now) =>
        placeCommand({
          controlType: profile.controlType,
          vehicle: { plate: 'ab 123 cd', category: profile.category, fuel: profile.fuel },
          paymentMode,
          hold: {
            centreId: centre,
            date: day,
            start: time,
            reservationId: ids.reservationId,
            bookingId,
            durationMinutes: minutesFor(profile.controlType, profile.category, profile.fuel),
            controlType: profile.controlType,
            vehicle: { category: profile.category, fuel: profile.fuel },
            expiresAt: holdExpiry(now, holdMinutes),
          },
        }),
  );

const paymentArb: fc.Arbitrary<CommandOf> = fc
  .record({
    kind: fc.constantFrom('request' as const, 'success' as const, 'failure' as const),
    paymentId: fc.constantFrom(...paymentIds),
    wrongAmount: fc.boolean(),
  })
  .map(({ kind, paymentId, wrongAmount }) => (state) => {
    if (kind === 'request') return { type: 'RequestPayment', bookingId, paymentId, provider: 'payzen' };
    if (kind === 'failure') {
      return {
        type: 'RecordPaymentFailed',
        bookingId,
        paymentId,
        provider: 'payzen',
        reason: 'declined',
        providerTransactionId: null,
      };
    }
    const requested =
      state.status === 'none' ? undefined : state.payments.find((payment) => payment.paymentId === paymentId);
    return {
      type: 'RecordPaymentSucceeded',
      bookingId,
      paymentId,
      provider: 'payzen',
      amountCents: requested === undefined || wrongAmount ? 100 : requested.amountCents,
      providerTransactionId: `tx-${paymentId}`,
    };
  });

const lifecycleArb: fc.Arbitrary<CommandOf> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom('online' as const, 'on_site' as const).map(
      (paymentMode): CommandOf =>
        () => ({ type: 'ConfirmBooking', bookingId, paymentMode }),
    ),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({
        by: fc.constantFrom(...actors),
        reason: fc.constantFrom(...reasons),
        comment: fc.constantFrom(null, 'Merci'),
      })
      .map(
        ({ by, reason, comment }): CommandOf =>
          () => ({ type: 'CancelBooking', bookingId, by, reason, comment }),
      ),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(ids.inspectorId, null).map(
      (inspectorId): CommandOf =>
        () => ({ type: 'CheckInBooking', bookingId, inspectorId }),
    ),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({
        result: fc.constantFrom('A' as const, 'S' as const, 'R' as const),
        inspectorId: fc.constantFrom(ids.inspectorId, null),
      })
      .map(
        ({ result, inspectorId }): CommandOf =>
          () => ({ type: 'RecordResult', bookingId, result, inspectorId }),
      ),
  },
  { weight: 1, arbitrary: fc.constant<CommandOf>(() => ({ type: 'RecordNoShow', bookingId })) },
  { weight: 1, arbitrary: fc.constant<CommandOf>(() => ({ type: 'ExpireBooking', bookingId })) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('note-1', 'note-2').map(
      (noteId): CommandOf =>
        () => ({ type: 'AddBookingNote', bookingId, noteId, text: 'Client prévenu.' }),
    ),
  },
);

const rescheduleArb: fc.Arbitrary<CommandOf> = fc
  .record({
    by: fc.constantFrom(...actors),
    centre: fc.constantFrom(...centres),
    reservationId: fc.constantFrom(...reservationIds),
    day: fc.constantFrom(...days),
    time: fc.constantFrom(...times),
    holdMinutes: fc.constantFrom(15, -1),
    rightDuration: fc.boolean(),
  })
  .map(({ by, centre, reservationId, day, time, holdMinutes, rightDuration }) => (state, now) => {
    const vehicle =
      state.status === 'none' ? { category: 'VP' as const, fuel: 'Diesel' as const } : state.vehicle;
    const controlType = state.status === 'none' ? 'CTP' : state.controlType;
    const minutes = minutesFor(controlType, vehicle.category, vehicle.fuel);
    return {
      type: 'RescheduleBooking',
      bookingId,
      by,
      hold: {
        centreId: centre,
        date: day,
        start: time,
        reservationId,
        bookingId,
        durationMinutes: rightDuration ? minutes : minutes + 5,
        controlType,
        vehicle: { category: vehicle.category, fuel: vehicle.fuel },
        expiresAt: holdExpiry(now, holdMinutes),
      },
    };
  });

/** Time moves forward: by some minutes, or to around the current appointment's start. */
type Advance = { readonly by: number } | { readonly toStartPlus: number };

function advance(now: Now, step: Advance, state: BookingState): Now {
  if ('by' in step) return new Date(now.getTime() + step.by * 60_000);
  if (state.status === 'none') return now;
  const target = appointmentStartInstant(state.start, 'Europe/Paris').getTime() + step.toStartPlus * 60_000;
  return new Date(Math.max(now.getTime(), target));
}

const advanceArb: fc.Arbitrary<Advance> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(0, 1, 5, 20, 60, 600, 1440).map((by) => ({ by })) },
  { weight: 1, arbitrary: fc.constantFrom(-1500, -30, 0, 10, 900).map((toStartPlus) => ({ toStartPlus })) },
);

const stepArb: fc.Arbitrary<{ advance: Advance; command: CommandOf; withPreviousInspection: boolean }> =
  fc.record({
    advance: advanceArb,
    command: fc.oneof(
      { weight: 1, arbitrary: placeArb },
      { weight: 3, arbitrary: paymentArb },
      { weight: 5, arbitrary: lifecycleArb },
      { weight: 2, arbitrary: rescheduleArb },
    ),
    withPreviousInspection: fc.boolean(),
  });

/** Most runs open with a placement that can succeed, so that the rest of the sequence matters. */
const openingArb: fc.Arbitrary<CommandOf> = fc
  .record({
    profile: fc.constantFrom(...profiles.slice(0, 4)),
    day: fc.constantFrom(...days),
    time: fc.constantFrom(...times),
    paymentMode: fc.constantFrom('online' as const, 'on_site' as const),
  })
  .map(
    ({ profile, day, time, paymentMode }) =>
      (_state, now) =>
        placeCommand({
          controlType: profile.controlType,
          vehicle: { plate: 'ab 123 cd', category: profile.category, fuel: profile.fuel },
          paymentMode,
          hold: {
            centreId: ids.centreId,
            date: day,
            start: time,
            reservationId: ids.reservationId,
            bookingId,
            durationMinutes: minutesFor(profile.controlType, profile.category, profile.fuel),
            controlType: profile.controlType,
            vehicle: { category: profile.category, fuel: profile.fuel },
            expiresAt: holdExpiry(now, 15),
          },
        }),
  );

/** Half the runs confirm on site right away, so that the later lifecycle is explored too. */
const confirmOnSite: CommandOf = () => ({ type: 'ConfirmBooking', bookingId, paymentMode: 'on_site' });

const sequenceArb = fc
  .tuple(
    fc.oneof({ weight: 9, arbitrary: openingArb }, { weight: 1, arbitrary: placeArb }),
    fc.boolean(),
    fc.array(stepArb, { minLength: 1, maxLength: 40, size: 'max' }),
  )
  .map(([opening, confirmAtOnce, steps]) => [
    { advance: { by: 0 }, command: opening, withPreviousInspection: false },
    ...(confirmAtOnce ? [{ advance: { by: 1 }, command: confirmOnSite, withPreviousInspection: false }] : []),
    ...steps,
  ]);

/** The lifecycle of DESIGN.md §5: status before → statuses allowed after one accepted command. */
const TRANSITIONS: Readonly<Record<BookingStatus | 'none', readonly (BookingStatus | 'none')[]>> = {
  none: ['none', 'placed'],
  placed: ['placed', 'confirmed', 'cancelled', 'expired'],
  confirmed: ['confirmed', 'checked_in', 'cancelled', 'no_show'],
  checked_in: ['checked_in', 'completed'],
  completed: ['completed'],
  cancelled: ['cancelled'],
  expired: ['expired'],
  no_show: ['no_show'],
};

function checkLegal(state: BookingState, log: readonly BookingEvent[]): void {
  if (state.status === 'none') return;
  const has = (type: BookingEvent['type']) => log.some((event) => event.type === type);
  if (state.status === 'checked_in' || state.status === 'completed' || state.status === 'no_show') {
    expect(has('BookingConfirmed'), `${state.status} without confirmation`).toBe(true);
  }
  if (state.status === 'completed') {
    expect(state.checkedIn && has('BookingCheckedIn'), 'completed without check-in').toBe(true);
    expect(state.result).not.toBeNull();
    expect(state.inspectorId).not.toBeNull();
  }
  if (state.status === 'checked_in') expect(state.checkedIn).toBe(true);
  expect(state.paidCents).toBe(
    state.payments
      .filter((payment) => payment.status === 'succeeded')
      .reduce((sum, p) => sum + p.amountCents, 0),
  );
}

describe('booking decider (property)', () => {
  it('replaying the log gives the state decide saw, and no sequence reaches an illegal state', () => {
    let accepted = 0;
    let refused = 0;
    const reached = new Set<string>();
    fc.assert(
      fc.property(sequenceArb, (steps) => {
        let now = T0;
        let state = bookingDecider.initialState();
        const log: BookingEvent[] = [];
        for (const step of steps) {
          now = advance(now, step.advance, state);
          // The state decide sees is the fold of the whole log from the initial state.
          expect(foldEvents(bookingDecider, log)).toEqual(state);
          const command = step.command(state, now);
          const ctx = context({
            now,
            previousInspection: step.withPreviousInspection
              ? {
                  bookingId: 'previous',
                  centreId: ids.otherCentreId,
                  controlType: 'CTP',
                  result: 'S',
                  date: '2025-03-01',
                  plate: 'AB-123-CD',
                }
              : null,
          });
          const outcome = tryDecide(bookingDecider, command, state, ctx);
          if (!outcome.ok) {
            refused += 1;
            continue;
          }
          accepted += 1;
          // Pure: the same inputs give the same events.
          expect(bookingDecider.decide(command, state, ctx)).toEqual(outcome.events);
          const before = state.status;
          for (const event of outcome.events) {
            const validation = validateEvent(event.type, event.data);
            expect(validation.ok ? [] : validation.errors).toEqual([]);
            expect(event.data.bookingId).toBe(bookingId);
            state = bookingDecider.evolve(state, event);
            log.push(event);
            if (
              event.type === 'BookingConfirmed' &&
              event.data.paymentMode === 'online' &&
              state.status !== 'none'
            ) {
              expect(state.paidCents).toBeGreaterThanOrEqual(state.priceCents);
            }
          }
          expect(TRANSITIONS[before]).toContain(state.status);
          reached.add(state.status);
          checkLegal(state, log);
        }
        expect(foldEvents(bookingDecider, log)).toEqual(state);
      }),
      { numRuns: 400 },
    );
    // The generators reach every status, and both outcomes, often enough to mean something.
    expect([...reached].sort()).toEqual(
      ['cancelled', 'checked_in', 'completed', 'confirmed', 'expired', 'no_show', 'placed'].sort(),
    );
    expect(accepted).toBeGreaterThan(500);
    expect(refused).toBeGreaterThan(500);
  });
});
