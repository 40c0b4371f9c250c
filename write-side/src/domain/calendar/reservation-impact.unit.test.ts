import type { SlotCalendarEvent } from '@pti/events';
import { describe, expect, it } from 'vitest';
import { calendarDecider } from './calendar-decider.js';
import { reservationsAffectedByAbsence, reservationsInConflictWithDay } from './reservation-impact.js';
import {
  CENTRE_ID,
  DATE,
  dayOf,
  holdConfirmed,
  MOTO,
  minutesLater,
  NOW,
  slotHeld,
} from './testing/calendar-fixtures.js';

const stateOf = (events: readonly SlotCalendarEvent[]) =>
  events.reduce(calendarDecider.evolve, calendarDecider.initialState());

const booked = stateOf([
  slotHeld('r1', '08:00', '08:45', 'insp-a'),
  holdConfirmed('r1'),
  slotHeld('r2', '10:00', '10:45', 'insp-a'),
  slotHeld('r3', '10:00', '10:35', 'insp-c', { vehicle: MOTO, durationMinutes: 35 }),
  slotHeld('o1', '10:00', '10:45', null),
]);

describe('reservationsAffectedByAbsence', () => {
  it('lists the absent inspector’s reservations overlapping the absence on this day', () => {
    const absence = { inspectorId: 'insp-a', from: `${DATE}T08:30`, to: '2026-06-20T18:00' };
    expect(reservationsAffectedByAbsence(booked, absence).map((r) => r.reservationId)).toEqual(['r1', 'r2']);
    // With a clock, expired holds are no longer affected.
    expect(
      reservationsAffectedByAbsence(booked, absence, minutesLater(NOW, 30)).map((r) => r.reservationId),
    ).toEqual(['r1']);
    expect(reservationsAffectedByAbsence(booked, { ...absence, from: '2026-06-17T08:00' })).toEqual([]);
    expect(reservationsAffectedByAbsence(booked, { ...absence, inspectorId: 'insp-b' })).toEqual([]);
  });
});

describe('reservationsInConflictWithDay', () => {
  it('is empty while the day still supports every reservation', () => {
    expect(reservationsInConflictWithDay(dayOf(), booked, NOW)).toEqual([]);
  });

  it('reports reservations a centre change no longer supports, with the reason', () => {
    const changed = dayOf([
      { type: 'RemoveInspector', centreId: CENTRE_ID, inspectorId: 'insp-c' },
      {
        type: 'DeclareInspectorAbsence',
        centreId: CENTRE_ID,
        inspectorId: 'insp-a',
        absenceId: 'away',
        from: `${DATE}T09:30`,
        to: `${DATE}T12:00`,
        kind: 'training',
      },
    ]);
    const conflicts = reservationsInConflictWithDay(changed, booked, NOW);
    expect(conflicts.map((c) => [c.reservation.reservationId, c.reason])).toEqual([
      ['r2', 'inspector_unavailable'],
      ['r3', 'inspector_gone'],
    ]);
    const closed = dayOf([
      { type: 'AddClosure', centreId: CENTRE_ID, closureId: 'strike', from: DATE, to: DATE, label: 'Grève' },
    ]);
    expect(reservationsInConflictWithDay(closed, booked, NOW)).toHaveLength(4);
    const lostL = dayOf([
      {
        type: 'ChangeInspectorAccreditations',
        centreId: CENTRE_ID,
        inspectorId: 'insp-c',
        accreditations: ['VL'],
      },
    ]);
    expect(reservationsInConflictWithDay(lostL, booked, NOW).map((c) => c.reason)).toEqual([
      'not_accredited',
    ]);
  });
});
