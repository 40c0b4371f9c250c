import type { SlotCalendarEvent } from '@pti/events';
import { describe, expect, it } from 'vitest';
import { availableStarts } from '../availability/available-starts.js';
import { spec } from '../shared/testing/decider-spec.js';
import type { CalendarCommand } from './calendar-commands.js';
import { calendarDecider } from './calendar-decider.js';
import {
  CAR,
  CENTRE_ID,
  contextOf,
  DATE,
  dayOf,
  GAS_CAR,
  holdCommand,
  holdConfirmed,
  MOTO,
  minutesLater,
  NOW,
  slotHeld,
} from './testing/calendar-fixtures.js';

const day = dayOf();
const context = contextOf(day);
const given = (events: readonly SlotCalendarEvent[]) => spec(calendarDecider).given(events);
const EXPIRES = '2026-06-15T08:15:00.000Z';

/** A calendar command of this stream's day. */
function command<T extends CalendarCommand['type']>(
  type: T,
  fields: Omit<Extract<CalendarCommand, { type: T }>, 'type' | 'centreId' | 'date'>,
): Extract<CalendarCommand, { type: T }> {
  // TypeScript cannot see that adding back the omitted keys rebuilds the union member.
  return { type, centreId: CENTRE_ID, date: DATE, ...fields } as unknown as Extract<
    CalendarCommand,
    { type: T }
  >;
}

const released = (
  reservationId: string,
  reason: 'expired' | 'payment_failed' = 'expired',
): SlotCalendarEvent => ({
  type: 'HoldReleased',
  data: { centreId: CENTRE_ID, date: DATE, reservationId, bookingId: `bk-${reservationId}`, reason },
});

describe('HoldSlot: placement', () => {
  it('holds a slot for the booking with an expiry of now + hold minutes', () => {
    given([])
      .when(holdCommand('r1', '09:00'), context)
      .then([slotHeld('r1', '09:00', '09:45', 'insp-a')]);
    expect(slotHeld('r1', '09:00', '09:45', 'insp-a').data).toMatchObject({ expiresAt: EXPIRES });
  });

  it('refuses a start off the 15-minute grid', () => {
    given([]).when(holdCommand('r1', '09:10'), context).thenFails('OFF_GRID');
  });

  it('refuses a slot that straddles lunch or ends after closing (split opening hours)', () => {
    given([]).when(holdCommand('r1', '11:30'), context).thenFails('OUTSIDE_OPENING_HOURS');
    given([]).when(holdCommand('r1', '12:00'), context).thenFails('OUTSIDE_OPENING_HOURS');
    given([]).when(holdCommand('r1', '07:45'), context).thenFails('OUTSIDE_OPENING_HOURS');
    given([]).when(holdCommand('r1', '17:30'), context).thenFails('OUTSIDE_OPENING_HOURS');
    given([])
      .when(holdCommand('r1', '11:15'), context)
      .then([slotHeld('r1', '11:15', '12:00', 'insp-a')]);
    given([])
      .when(holdCommand('r1', '14:00'), context)
      .then([slotHeld('r1', '14:00', '14:45', 'insp-a')]);
  });

  it('lists no start that straddles lunch', () => {
    const starts = availableStarts(
      day,
      calendarDecider.initialState(),
      { ...CAR, controlType: 'CTP', durationMinutes: 45 },
      NOW,
    );
    const times = starts.map((start) => start.start);
    expect(times).toContain('11:15');
    expect(times).not.toContain('11:30');
    expect(times).not.toContain('13:45');
    expect(times[0]).toBe('08:00');
    expect(times.at(-1)).toBe('17:15');
    expect(times).toHaveLength(28);
  });

  it('refuses a day the centre is closed: closure, closed weekday, deactivated centre', () => {
    const closed = dayOf([
      { type: 'AddClosure', centreId: CENTRE_ID, closureId: 'works', from: DATE, to: DATE, label: 'Travaux' },
    ]);
    given([]).when(holdCommand('r1', '09:00'), contextOf(closed)).thenFails('CENTRE_CLOSED');
    const sunday = dayOf([], '2026-06-21');
    given([])
      .when({ ...holdCommand('r1', '09:00'), date: '2026-06-21' }, contextOf(sunday))
      .thenFails('CENTRE_CLOSED');
    const inactive = dayOf([{ type: 'DeactivateCentre', centreId: CENTRE_ID, reason: 'Travaux' }]);
    given([]).when(holdCommand('r1', '09:00'), contextOf(inactive)).thenFails('CENTRE_INACTIVE');
  });

  it('enforces the minimum notice and the horizon', () => {
    // 16 June 08:00 local is 06:00Z; notice is 120 minutes.
    given([])
      .when(holdCommand('r1', '08:00'), contextOf(day, new Date('2026-06-16T04:01:00Z')))
      .thenFails('TOO_SHORT_NOTICE');
    given([])
      .when(holdCommand('r1', '08:00'), contextOf(day, new Date('2026-06-16T04:00:00Z')))
      .thenMatches((events) => expect(events).toHaveLength(1));
    given([])
      .when(holdCommand('r1', '08:00'), contextOf(day, new Date('2026-06-16T09:00:00Z')))
      .thenFails('TOO_SHORT_NOTICE');
    // 90 days ahead is allowed, 91 is not.
    given([])
      .when(holdCommand('r1', '09:00'), contextOf(day, new Date('2026-03-18T09:00:00Z')))
      .thenMatches((events) => expect(events).toHaveLength(1));
    given([])
      .when(holdCommand('r1', '09:00'), contextOf(day, new Date('2026-03-17T09:00:00Z')))
      .thenFails('BEYOND_HORIZON');
  });

  it('refuses a command for another day than the configuration', () => {
    given([])
      .when({ ...holdCommand('r1', '09:00'), date: '2026-06-17' }, context)
      .thenFails('INVALID_COMMAND');
  });

  it('refuses malformed ids through the event contract', () => {
    given([]).when(holdCommand('R_1', '09:00'), context).thenFails('INVALID_COMMAND');
  });

  it('is idempotent for a retried hold and refuses a different hold with the same id', () => {
    const held = [slotHeld('r1', '09:00', '09:45', 'insp-a')];
    given(held).when(holdCommand('r1', '09:00'), context).then([]);
    given(held).when(holdCommand('r1', '10:00'), context).thenFails('RESERVATION_ALREADY_EXISTS');
  });
});

describe('HoldSlot: inspectors', () => {
  it('balances by booked minutes, then by number of reservations, then by id', () => {
    given([slotHeld('r1', '09:00', '09:45', 'insp-a')])
      .when(holdCommand('r2', '10:00'), context)
      .then([slotHeld('r2', '10:00', '10:45', 'insp-b')]);
    // a: 45 min in 1 reservation; b: 40 min in 2 → b (fewer minutes wins over fewer reservations).
    given([
      slotHeld('r1', '08:00', '08:45', 'insp-a'),
      slotHeld('r2', '08:00', '08:20', 'insp-b', { durationMinutes: 20 }),
      slotHeld('r3', '08:30', '08:50', 'insp-b', { durationMinutes: 20 }),
    ])
      .when(holdCommand('r4', '10:00'), context)
      .then([slotHeld('r4', '10:00', '10:45', 'insp-b')]);
    // a: 40 min in 1; b: 40 min in 2 → a (fewer reservations).
    given([
      slotHeld('r1', '08:00', '08:40', 'insp-a', { durationMinutes: 40 }),
      slotHeld('r2', '08:00', '08:20', 'insp-b', { durationMinutes: 20 }),
      slotHeld('r3', '08:30', '08:50', 'insp-b', { durationMinutes: 20 }),
    ])
      .when(holdCommand('r4', '10:00'), context)
      .then([slotHeld('r4', '10:00', '10:45', 'insp-a')]);
  });

  it('only gives a vehicle to an accredited inspector (L for motorcycles, GAZ for LPG/CNG)', () => {
    given([])
      .when(holdCommand('r1', '09:00', { vehicle: MOTO, durationMinutes: 35 }), context)
      .then([slotHeld('r1', '09:00', '09:35', 'insp-a', { vehicle: MOTO, durationMinutes: 35 })]);
    given([slotHeld('r0', '09:00', '09:45', 'insp-a')])
      .when(holdCommand('r1', '09:00', { vehicle: MOTO, durationMinutes: 35 }), context)
      .then([slotHeld('r1', '09:00', '09:35', 'insp-c', { vehicle: MOTO, durationMinutes: 35 })]);
    given([])
      .when(holdCommand('r1', '09:00', { vehicle: MOTO, inspectorId: 'insp-b' }), context)
      .thenFails('NOT_ACCREDITED');
    given([])
      .when(holdCommand('r1', '09:00', { vehicle: GAS_CAR, inspectorId: 'insp-b' }), context)
      .thenFails('NOT_ACCREDITED');
    given([slotHeld('r0', '09:00', '09:45', 'insp-a')])
      .when(holdCommand('r1', '09:00', { vehicle: GAS_CAR, allowOverbooking: false }), context)
      .thenFails('SLOT_TAKEN');
    const noGas = dayOf([
      {
        type: 'ChangeInspectorAccreditations',
        centreId: CENTRE_ID,
        inspectorId: 'insp-a',
        accreditations: ['VL', 'L'],
      },
    ]);
    given([])
      .when(holdCommand('r1', '09:00', { vehicle: GAS_CAR }), contextOf(noGas))
      .thenFails('NOT_ACCREDITED');
  });

  it('honours a requested inspector, who is either free or not (no overbooking for a named inspector)', () => {
    given([])
      .when(holdCommand('r1', '09:00', { inspectorId: 'insp-b' }), context)
      .then([slotHeld('r1', '09:00', '09:45', 'insp-b')]);
    given([slotHeld('r0', '09:30', '10:15', 'insp-b')])
      .when(holdCommand('r1', '09:00', { inspectorId: 'insp-b' }), context)
      .thenFails('SLOT_TAKEN');
    given([])
      .when(holdCommand('r1', '09:00', { inspectorId: 'nobody' }), context)
      .thenFails('UNKNOWN_INSPECTOR');
  });

  it('never gives an inspector two overlapping reservations', () => {
    given([slotHeld('r1', '09:00', '09:45', 'insp-a'), slotHeld('r2', '09:00', '09:45', 'insp-b')])
      .when(holdCommand('r3', '09:30', { allowOverbooking: false }), context)
      .thenFails('SLOT_TAKEN');
    // Back to back is fine.
    given([slotHeld('r1', '09:00', '09:45', 'insp-a'), slotHeld('r2', '09:00', '09:45', 'insp-b')])
      .when(holdCommand('r3', '09:45'), context)
      .then([slotHeld('r3', '09:45', '10:30', 'insp-a')]);
  });

  it('keeps inspectors to their schedule', () => {
    const shortDay = dayOf([
      {
        type: 'SetInspectorSchedule',
        centreId: CENTRE_ID,
        inspectorId: 'insp-b',
        week: {
          monday: [],
          tuesday: [{ from: '08:00', to: '10:00' }],
          wednesday: [],
          thursday: [],
          friday: [],
          saturday: [],
          sunday: [],
        },
      },
    ]);
    given([])
      .when(holdCommand('r1', '09:30', { inspectorId: 'insp-b' }), contextOf(shortDay))
      .thenFails('INSPECTOR_UNAVAILABLE');
    given([])
      .when(holdCommand('r1', '09:15', { inspectorId: 'insp-b' }), contextOf(shortDay))
      .then([slotHeld('r1', '09:15', '10:00', 'insp-b')]);
  });
});

describe('absences', () => {
  const absence = {
    type: 'DeclareInspectorAbsence',
    centreId: CENTRE_ID,
    inspectorId: 'insp-a',
    absenceId: 'doctor',
    from: `${DATE}T09:00`,
    to: `${DATE}T11:00`,
    kind: 'other',
  } as const;
  const absentDay = dayOf([absence]);

  it('refuses new holds for the inspector during the absence, and gives them to someone else', () => {
    given([])
      .when(holdCommand('r1', '09:30', { inspectorId: 'insp-a' }), contextOf(absentDay))
      .thenFails('INSPECTOR_UNAVAILABLE');
    given([])
      .when(holdCommand('r1', '09:30'), contextOf(absentDay))
      .then([slotHeld('r1', '09:30', '10:15', 'insp-b')]);
    given([])
      .when(holdCommand('r1', '11:00', { inspectorId: 'insp-a' }), contextOf(absentDay))
      .then([slotHeld('r1', '11:00', '11:45', 'insp-a')]);
  });

  it('leaves existing reservations in place; they are listed and moved by reassignment', async () => {
    const { reservationsAffectedByAbsence } = await import('./reservation-impact.js');
    const booked = [
      slotHeld('r1', '08:00', '08:45', 'insp-a'),
      slotHeld('r2', '09:30', '10:15', 'insp-a'),
      holdConfirmed('r2'),
      slotHeld('r3', '10:30', '11:15', 'insp-a'),
      slotHeld('r4', '09:30', '10:15', 'insp-b'),
    ];
    const state = booked.reduce(calendarDecider.evolve, calendarDecider.initialState());
    const affected = reservationsAffectedByAbsence(state, absence, NOW).map((r) => r.reservationId);
    expect(affected).toEqual(['r2', 'r3']);
    // r2 cannot move (b is busy then); r3 moves to b.
    given(booked)
      .when(
        command('ReassignInspector', { reservationId: 'r2', toInspectorId: null, reason: 'absence' }),
        contextOf(absentDay),
      )
      .thenFails('SLOT_TAKEN');
    given(booked)
      .when(
        command('ReassignInspector', { reservationId: 'r3', toInspectorId: null, reason: 'absence' }),
        contextOf(absentDay),
      )
      .then([
        {
          type: 'InspectorReassigned',
          data: {
            centreId: CENTRE_ID,
            date: DATE,
            reservationId: 'r3',
            bookingId: 'bk-r3',
            fromInspectorId: 'insp-a',
            toInspectorId: 'insp-b',
            reason: 'absence',
          },
        },
      ]);
    // Moving a reservation onto the absent inspector is refused.
    given(booked)
      .when(
        command('ReassignInspector', { reservationId: 'r4', toInspectorId: 'insp-a', reason: 'manual' }),
        contextOf(absentDay),
      )
      .thenFails('INSPECTOR_UNAVAILABLE');
  });
});

describe('holds, confirmations, releases, frees', () => {
  const held = [slotHeld('r1', '09:00', '09:45', 'insp-a')];

  it('confirms a live hold, idempotently', () => {
    given(held)
      .when(command('ConfirmHold', { reservationId: 'r1', bookingId: 'bk-r1' }), context)
      .then([holdConfirmed('r1')]);
    given([...held, holdConfirmed('r1')])
      .when(command('ConfirmHold', { reservationId: 'r1', bookingId: 'bk-r1' }), context)
      .then([]);
  });

  it('refuses unknown reservations or another booking', () => {
    given(held)
      .when(command('ConfirmHold', { reservationId: 'r9', bookingId: 'bk-r9' }), context)
      .thenFails('UNKNOWN_RESERVATION');
    given(held)
      .when(command('ConfirmHold', { reservationId: 'r1', bookingId: 'bk-other' }), context)
      .thenFails('UNKNOWN_RESERVATION');
  });

  it('releases a hold (expired or not), idempotently; a confirmed reservation is freed instead', () => {
    given(held)
      .when(
        command('ReleaseHold', { reservationId: 'r1', bookingId: 'bk-r1', reason: 'payment_failed' }),
        context,
      )
      .then([released('r1', 'payment_failed')]);
    given(held)
      .when(
        command('ReleaseHold', { reservationId: 'r1', bookingId: 'bk-r1', reason: 'expired' }),
        contextOf(day, minutesLater(NOW, 60)),
      )
      .then([released('r1')]);
    given([...held, released('r1')])
      .when(command('ReleaseHold', { reservationId: 'r1', bookingId: 'bk-r1', reason: 'expired' }), context)
      .then([]);
    given([...held, holdConfirmed('r1')])
      .when(command('ReleaseHold', { reservationId: 'r1', bookingId: 'bk-r1', reason: 'expired' }), context)
      .thenFails('RESERVATION_NOT_HELD');
    given(held)
      .when(
        command('FreeReservation', { reservationId: 'r1', bookingId: 'bk-r1', reason: 'cancelled' }),
        context,
      )
      .thenFails('RESERVATION_NOT_CONFIRMED');
    given([...held, holdConfirmed('r1')])
      .when(
        command('FreeReservation', { reservationId: 'r1', bookingId: 'bk-r1', reason: 'cancelled' }),
        context,
      )
      .then([
        {
          type: 'ReservationFreed',
          data: {
            centreId: CENTRE_ID,
            date: DATE,
            reservationId: 'r1',
            bookingId: 'bk-r1',
            reason: 'cancelled',
          },
        },
      ]);
    given([...held, released('r1')])
      .when(command('ConfirmHold', { reservationId: 'r1', bookingId: 'bk-r1' }), context)
      .thenFails('RESERVATION_ENDED');
  });

  it('treats an expired hold as free: its time can be held by someone else at once', () => {
    const later = contextOf(day, minutesLater(NOW, 16));
    given([slotHeld('r1', '09:00', '09:45', 'insp-a'), slotHeld('r2', '09:00', '09:45', 'insp-b')])
      .when(holdCommand('r3', '09:00', { allowOverbooking: false }), later)
      .then([slotHeld('r3', '09:00', '09:45', 'insp-a', { now: minutesLater(NOW, 16) })]);
  });

  it('confirms an expired hold whose time is still free, and refuses one whose time was taken', () => {
    const later = contextOf(day, minutesLater(NOW, 30));
    given(held)
      .when(command('ConfirmHold', { reservationId: 'r1', bookingId: 'bk-r1' }), later)
      .then([holdConfirmed('r1')]);
    given([...held, slotHeld('r2', '09:15', '10:00', 'insp-a', { now: minutesLater(NOW, 20) })])
      .when(command('ConfirmHold', { reservationId: 'r1', bookingId: 'bk-r1' }), later)
      .thenFails('HOLD_EXPIRED');
  });
});

describe('blocked periods', () => {
  const blockCentre = command('BlockPeriod', {
    blockId: 'calib',
    from: '10:00',
    to: '11:00',
    inspectorId: null,
    label: 'Étalonnage',
  });
  const blocked: SlotCalendarEvent = {
    type: 'PeriodBlocked',
    data: {
      centreId: CENTRE_ID,
      date: DATE,
      blockId: 'calib',
      from: '10:00',
      to: '11:00',
      inspectorId: null,
      label: 'Étalonnage',
    },
  };

  it('blocks a period for the whole centre; holds inside it are refused', () => {
    given([]).when(blockCentre, context).then([blocked]);
    given([blocked]).when(holdCommand('r1', '09:30'), context).thenFails('PERIOD_BLOCKED');
    given([blocked])
      .when(holdCommand('r1', '09:15'), context)
      .then([slotHeld('r1', '09:15', '10:00', 'insp-a')]);
  });

  it('blocks one inspector: others still take the slot, the blocked one cannot be named', () => {
    const blockA: SlotCalendarEvent = {
      type: 'PeriodBlocked',
      data: { ...blocked.data, inspectorId: 'insp-a' },
    } as SlotCalendarEvent;
    given([blockA])
      .when(holdCommand('r1', '10:00'), context)
      .then([slotHeld('r1', '10:00', '10:45', 'insp-b')]);
    given([blockA])
      .when(holdCommand('r1', '10:00', { inspectorId: 'insp-a' }), context)
      .thenFails('PERIOD_BLOCKED');
  });

  it('refuses to block over live reservations, bad periods, unknown inspectors or a reused id', () => {
    given([slotHeld('r1', '10:30', '11:15', 'insp-b')])
      .when(blockCentre, context)
      .thenFails('PERIOD_HAS_RESERVATIONS');
    // An expired hold does not stand in the way.
    given([slotHeld('r1', '10:30', '11:15', 'insp-b')])
      .when(blockCentre, contextOf(day, minutesLater(NOW, 20)))
      .then([blocked]);
    given([])
      .when({ ...blockCentre, from: '11:00', to: '10:00' } as CalendarCommand, context)
      .thenFails('INVALID_PERIOD');
    given([])
      .when({ ...blockCentre, inspectorId: 'ghost' } as CalendarCommand, context)
      .thenFails('UNKNOWN_INSPECTOR');
    given([blocked]).when(blockCentre, context).thenFails('BLOCK_ALREADY_EXISTS');
  });

  it('unblocks', () => {
    given([blocked])
      .when(command('UnblockPeriod', { blockId: 'calib' }), context)
      .then([{ type: 'PeriodUnblocked', data: { centreId: CENTRE_ID, date: DATE, blockId: 'calib' } }]);
    given([])
      .when(command('UnblockPeriod', { blockId: 'calib' }), context)
      .thenFails('UNKNOWN_BLOCK');
  });
});

describe('overbooking', () => {
  // Reference centre: a, b, c × 2 intervals × ⌊240/45⌋ = 30 nominal controls → 10 % = 3 overbooked.
  const full9 = [slotHeld('r1', '09:00', '09:45', 'insp-a'), slotHeld('r2', '09:00', '09:45', 'insp-b')];
  const full10 = [slotHeld('r3', '10:00', '10:45', 'insp-a'), slotHeld('r4', '10:00', '10:45', 'insp-b')];
  const full11 = [slotHeld('r5', '11:00', '11:45', 'insp-a'), slotHeld('r6', '11:00', '11:45', 'insp-b')];

  it('computes the allowance from the nominal capacity', () => {
    expect(day.nominalCapacity).toBe(30);
    expect(day.overbookingAllowance).toBe(3);
  });

  it('overbooks without an inspector when every qualified inspector is taken', () => {
    given(full9)
      .when(holdCommand('o1', '09:00'), context)
      .then([slotHeld('o1', '09:00', '09:45', null)]);
    given(full9)
      .when(holdCommand('o1', '09:15'), context)
      .then([slotHeld('o1', '09:15', '10:00', null)]);
  });

  it('allows at most one overbooked reservation per start time', () => {
    given([...full9, slotHeld('o1', '09:00', '09:45', null)])
      .when(holdCommand('o2', '09:00'), context)
      .thenFails('SLOT_TAKEN');
  });

  it('stops at the allowance of the day', () => {
    const three = [
      ...full9,
      ...full10,
      ...full11,
      slotHeld('o1', '09:00', '09:45', null),
      slotHeld('o2', '10:00', '10:45', null),
      slotHeld('o3', '11:00', '11:45', null),
    ];
    given(three).when(holdCommand('o4', '09:15'), context).thenFails('OVERBOOKING_LIMIT');
    // An expired overbooked hold frees its seat.
    given(three)
      .when(holdCommand('o4', '09:15'), contextOf(day, minutesLater(NOW, 16)))
      .thenMatches((events) => expect(events).toHaveLength(1));
  });

  it('does not overbook when asked not to, or when the centre does not overbook', () => {
    given(full9)
      .when(holdCommand('o1', '09:00', { allowOverbooking: false }), context)
      .thenFails('SLOT_TAKEN');
    const noOverbooking = dayOf([{ type: 'SetBookingPolicy', centreId: CENTRE_ID, overbookingPercent: 0 }]);
    given(full9).when(holdCommand('o1', '09:00'), contextOf(noOverbooking)).thenFails('SLOT_TAKEN');
  });

  it('gives the overbooked reservation the inspector who frees', () => {
    given([...full9, slotHeld('o1', '09:00', '09:45', null)])
      .when(
        command('ReleaseHold', { reservationId: 'r2', bookingId: 'bk-r2', reason: 'payment_failed' }),
        context,
      )
      .then([
        released('r2', 'payment_failed'),
        {
          type: 'OverbookedReservationAssigned',
          data: {
            centreId: CENTRE_ID,
            date: DATE,
            reservationId: 'o1',
            bookingId: 'bk-o1',
            inspectorId: 'insp-b',
          },
        },
      ]);
  });

  it('lets staff assign an overbooked reservation by hand', () => {
    const waiting = [...full9, slotHeld('o1', '09:15', '10:00', null), released('r2')];
    given(waiting)
      .when(
        command('ReassignInspector', { reservationId: 'o1', toInspectorId: 'insp-a', reason: 'manual' }),
        context,
      )
      .thenFails('SLOT_TAKEN');
    given(waiting)
      .when(
        command('ReassignInspector', { reservationId: 'o1', toInspectorId: 'insp-b', reason: 'manual' }),
        context,
      )
      .then([
        {
          type: 'OverbookedReservationAssigned',
          data: {
            centreId: CENTRE_ID,
            date: DATE,
            reservationId: 'o1',
            bookingId: 'bk-o1',
            inspectorId: 'insp-b',
          },
        },
      ]);
  });

  it('caps the day at the daily capacity', () => {
    const capped = dayOf([{ type: 'SetDailyCapacity', centreId: CENTRE_ID, capacity: 2 }]);
    expect(capped.nominalCapacity).toBe(2);
    expect(capped.overbookingAllowance).toBe(0);
    given(full9).when(holdCommand('r3', '14:00'), contextOf(capped)).thenFails('DAY_FULL');
  });
});

describe('waitlist', () => {
  const window = { earliestStart: '09:00', latestStart: '09:00' };
  const join = command('JoinWaitlist', {
    entryId: 'wl-1',
    customerId: 'cust-1',
    contact: { email: 'julien.moreau@example.fr', phone: null },
    controlType: 'CTP',
    vehicle: CAR,
    durationMinutes: 45,
    ...window,
    channel: 'web',
  });
  const joined: SlotCalendarEvent = {
    type: 'WaitlistJoined',
    data: {
      centreId: CENTRE_ID,
      date: DATE,
      entryId: 'wl-1',
      customerId: 'cust-1',
      contact: { email: 'julien.moreau@example.fr', phone: null },
      controlType: 'CTP',
      vehicle: CAR,
      durationMinutes: 45,
      ...window,
      channel: 'web',
    },
  };
  const full9 = [
    slotHeld('r1', '09:00', '09:45', 'insp-a'),
    holdConfirmed('r1'),
    slotHeld('r2', '09:00', '09:45', 'insp-b'),
    holdConfirmed('r2'),
    slotHeld('o1', '09:00', '09:45', null),
    holdConfirmed('o1'),
  ];

  it('refuses to wait while something can still be booked in the window', () => {
    given([]).when(join, context).thenFails('DAY_NOT_FULL');
    // Overbooked starts count as bookable.
    given(full9.slice(0, 4)).when(join, context).thenFails('DAY_NOT_FULL');
  });

  it('joins when the window is full', () => {
    given(full9).when(join, context).then([joined]);
    given([...full9, joined])
      .when(join, context)
      .thenFails('WAITLIST_ENTRY_EXISTS');
  });

  it('offers a freed slot to the first matching entry as a new hold', () => {
    const ctx = contextOf(day, minutesLater(NOW, 60));
    // o1 (overbooked) takes the inspector first; the waitlist gets nothing from this one.
    given([...full9, joined])
      .when(command('FreeReservation', { reservationId: 'r1', bookingId: 'bk-r1', reason: 'cancelled' }), ctx)
      .thenMatches((events) =>
        expect(events.map((event) => event.type)).toEqual([
          'ReservationFreed',
          'OverbookedReservationAssigned',
        ]),
      );
    const assigned: SlotCalendarEvent = {
      type: 'OverbookedReservationAssigned',
      data: {
        centreId: CENTRE_ID,
        date: DATE,
        reservationId: 'o1',
        bookingId: 'bk-o1',
        inspectorId: 'insp-a',
      },
    };
    const freed = (id: string): SlotCalendarEvent => ({
      type: 'ReservationFreed',
      data: {
        centreId: CENTRE_ID,
        date: DATE,
        reservationId: id,
        bookingId: `bk-${id}`,
        reason: 'cancelled',
      },
    });
    const expiresAt = '2026-06-15T09:15:00.000Z';
    given([...full9, joined, freed('r1'), assigned])
      .when(command('FreeReservation', { reservationId: 'r2', bookingId: 'bk-r2', reason: 'cancelled' }), ctx)
      .then([
        freed('r2'),
        {
          type: 'WaitlistOfferMade',
          data: {
            centreId: CENTRE_ID,
            date: DATE,
            entryId: 'wl-1',
            reservationId: 'gen-1',
            bookingId: 'gen-2',
            start: '09:00',
            expiresAt,
          },
        },
        slotHeld('gen-1', '09:00', '09:45', 'insp-b', {
          bookingId: 'gen-2',
          waitlistEntryId: 'wl-1',
          now: minutesLater(NOW, 60),
        }),
      ]);
  });

  it('closes the entry when the offer is accepted, declined or expires', () => {
    const offered: SlotCalendarEvent[] = [
      ...full9.slice(0, 2),
      joined,
      {
        type: 'WaitlistOfferMade',
        data: {
          centreId: CENTRE_ID,
          date: DATE,
          entryId: 'wl-1',
          reservationId: 'gen-1',
          bookingId: 'gen-2',
          start: '10:00',
          expiresAt: EXPIRES,
        },
      },
      slotHeld('gen-1', '10:00', '10:45', 'insp-b', { bookingId: 'gen-2', waitlistEntryId: 'wl-1' }),
    ];
    const left = (reason: string): SlotCalendarEvent =>
      ({
        type: 'WaitlistLeft',
        data: { centreId: CENTRE_ID, date: DATE, entryId: 'wl-1', reason },
      }) as SlotCalendarEvent;
    given(offered)
      .when(command('ConfirmHold', { reservationId: 'gen-1', bookingId: 'gen-2' }), context)
      .then([
        {
          type: 'HoldConfirmed',
          data: { centreId: CENTRE_ID, date: DATE, reservationId: 'gen-1', bookingId: 'gen-2' },
        },
        left('offer_accepted'),
      ]);
    given(offered)
      .when(
        command('ReleaseHold', { reservationId: 'gen-1', bookingId: 'gen-2', reason: 'expired' }),
        contextOf(day, minutesLater(NOW, 20)),
      )
      .thenMatches((events) =>
        expect(events.map((event) => event.type)).toEqual(['HoldReleased', 'WaitlistLeft']),
      );
    given(offered)
      .when(command('LeaveWaitlist', { entryId: 'wl-1', reason: 'offer_declined' }), context)
      .then([
        {
          type: 'HoldReleased',
          data: {
            centreId: CENTRE_ID,
            date: DATE,
            reservationId: 'gen-1',
            bookingId: 'gen-2',
            reason: 'waitlist_offer_declined',
          },
        },
        left('offer_declined'),
      ]);
  });

  it('offers the slot given back by one entry to the next', () => {
    const second = { ...(joined.data as object), entryId: 'wl-2', customerId: 'cust-2' };
    const events: SlotCalendarEvent[] = [
      ...full9,
      joined,
      { type: 'WaitlistJoined', data: second } as SlotCalendarEvent,
      {
        type: 'ReservationFreed',
        data: {
          centreId: CENTRE_ID,
          date: DATE,
          reservationId: 'o1',
          bookingId: 'bk-o1',
          reason: 'cancelled',
        },
      },
      {
        type: 'ReservationFreed',
        data: {
          centreId: CENTRE_ID,
          date: DATE,
          reservationId: 'r2',
          bookingId: 'bk-r2',
          reason: 'cancelled',
        },
      },
      {
        type: 'WaitlistOfferMade',
        data: {
          centreId: CENTRE_ID,
          date: DATE,
          entryId: 'wl-1',
          reservationId: 'gen-1',
          bookingId: 'gen-2',
          start: '09:00',
          expiresAt: EXPIRES,
        },
      },
      slotHeld('gen-1', '09:00', '09:45', 'insp-b', { bookingId: 'gen-2', waitlistEntryId: 'wl-1' }),
    ];
    given(events)
      .when(
        command('ReleaseHold', { reservationId: 'gen-1', bookingId: 'gen-2', reason: 'expired' }),
        contextOf(day, minutesLater(NOW, 20), () => 'x'),
      )
      .thenMatches((decided) => {
        expect(decided.map((event) => event.type)).toEqual([
          'HoldReleased',
          'WaitlistLeft',
          'WaitlistOfferMade',
          'SlotHeld',
        ]);
        expect(decided[1]?.data).toMatchObject({ entryId: 'wl-1', reason: 'offer_expired' });
        expect(decided[2]?.data).toMatchObject({ entryId: 'wl-2', start: '09:00' });
      });
  });
});
