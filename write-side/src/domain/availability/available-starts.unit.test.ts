import type { SlotCalendarEvent } from '@pti/events';
import { describe, expect, it } from 'vitest';
import { calendarDecider } from '../calendar/calendar-decider.js';
import type { CalendarState } from '../calendar/calendar-state.js';
import {
  CAR,
  CENTRE_ID,
  centreFrom,
  contextOf,
  DATE,
  dayOf,
  holdCommand,
  MOTO,
  minutesLater,
  NOW,
  registerCentre,
  slotHeld,
  week,
} from '../calendar/testing/calendar-fixtures.js';
import type { CentreCommand } from '../centre/centre-commands.js';
import { centreDayConfiguration } from '../centre/centre-day-configuration.js';
import { spec } from '../shared/testing/decider-spec.js';
import { availableStarts } from './available-starts.js';
import { dayLoad } from './day-load.js';

const ctp45 = { ...CAR, controlType: 'CTP', durationMinutes: 45 } as const;
const stateOf = (events: readonly SlotCalendarEvent[]): CalendarState =>
  events.reduce(calendarDecider.evolve, calendarDecider.initialState());

/** A centre open on Sundays with one inspector working the same hours. */
function sundayCentre(hours: readonly { from: string; to: string }[], date: string) {
  const sunday = week({ sunday: [...hours] });
  const commands: CentreCommand[] = [
    registerCentre(),
    { type: 'SetOpeningHours', centreId: CENTRE_ID, week: sunday },
    {
      type: 'AddInspector',
      centreId: CENTRE_ID,
      inspectorId: 'insp-a',
      name: 'A',
      userId: null,
      accreditations: ['VL'],
    },
    { type: 'SetInspectorSchedule', centreId: CENTRE_ID, inspectorId: 'insp-a', week: sunday },
    { type: 'SetBookingPolicy', centreId: CENTRE_ID, minimumNoticeMinutes: 0 },
  ];
  return centreDayConfiguration(centreFrom(commands), date);
}

function quarterHoursFrom(isoStart: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) =>
    new Date(Date.parse(isoStart) + index * 15 * 60_000).toISOString(),
  );
}

describe('availableStarts on daylight-saving change days (open 08:00–12:00)', () => {
  it('29 March 2026 (spring forward): 14 starts from 08:00 CEST = 06:00Z, none missing or duplicated', () => {
    const day = sundayCentre([{ from: '08:00', to: '12:00' }], '2026-03-29');
    const starts = availableStarts(day, stateOf([]), ctp45, new Date('2026-03-27T10:00:00Z'));
    expect(starts.map((start) => start.start)).toEqual([
      '08:00',
      '08:15',
      '08:30',
      '08:45',
      '09:00',
      '09:15',
      '09:30',
      '09:45',
      '10:00',
      '10:15',
      '10:30',
      '10:45',
      '11:00',
      '11:15',
    ]);
    expect(starts.map((start) => start.instant)).toEqual(quarterHoursFrom('2026-03-29T06:00:00.000Z', 14));
  });

  it('25 October 2026 (fall back): 14 starts from 08:00 CET = 07:00Z', () => {
    const day = sundayCentre([{ from: '08:00', to: '12:00' }], '2026-10-25');
    const starts = availableStarts(day, stateOf([]), ctp45, new Date('2026-10-23T10:00:00Z'));
    expect(starts).toHaveLength(14);
    expect(starts.map((start) => start.instant)).toEqual(quarterHoursFrom('2026-10-25T07:00:00.000Z', 14));
  });

  it('the hold on a change day computes notice with the right offset', () => {
    const day = sundayCentre([{ from: '08:00', to: '12:00' }], '2026-03-29');
    const withNotice = { ...day, policy: { ...day.policy, minimumNoticeMinutes: 120 } };
    const hold = { ...holdCommand('r1', '08:00'), date: '2026-03-29' };
    // 08:00 CEST is 06:00Z: 03:59Z leaves 121 minutes, 04:01Z leaves 119.
    spec(calendarDecider)
      .given([])
      .when(hold, contextOf(withNotice, new Date('2026-03-29T03:59:00Z')))
      .thenMatches((events) => expect(events[0]?.data).toMatchObject({ start: '08:00', end: '08:45' }));
    spec(calendarDecider)
      .given([])
      .when(hold, contextOf(withNotice, new Date('2026-03-29T04:01:00Z')))
      .thenFails('TOO_SHORT_NOTICE');
  });

  it('a night opening skips the spring-forward gap and slots crossing it', () => {
    const day = sundayCentre([{ from: '01:00', to: '04:00' }], '2026-03-29');
    const profile = { ...CAR, controlType: 'CVP', durationMinutes: 30 } as const;
    const starts = availableStarts(day, stateOf([]), profile, new Date('2026-03-27T10:00:00Z'));
    expect(starts.map((start) => `${start.start}=${start.instant.slice(11, 16)}Z`)).toEqual([
      '01:00=00:00Z',
      '01:15=00:15Z',
      '01:30=00:30Z',
      '03:00=01:00Z',
      '03:15=01:15Z',
      '03:30=01:30Z',
    ]);
    spec(calendarDecider)
      .given([])
      .when(
        { ...holdCommand('r1', '02:30', { durationMinutes: 30 }), date: '2026-03-29' },
        contextOf(day, new Date('2026-03-27T10:00:00Z')),
      )
      .thenFails('OUTSIDE_OPENING_HOURS');
  });

  it('a night opening offers the repeated fall-back hour once, and no slot spanning the change', () => {
    const day = sundayCentre([{ from: '01:00', to: '04:00' }], '2026-10-25');
    const profile = { ...CAR, controlType: 'CVP', durationMinutes: 30 } as const;
    const starts = availableStarts(day, stateOf([]), profile, new Date('2026-10-23T10:00:00Z'));
    const instants = starts.map((start) => Date.parse(start.instant));
    expect(new Set(instants).size).toBe(instants.length);
    expect([...instants].sort((a, b) => a - b)).toEqual(instants);
    expect(starts.map((start) => start.start)).toEqual([
      '01:00',
      '01:15',
      '01:30',
      '01:45',
      '02:00',
      '02:15',
      '03:00',
      '03:15',
      '03:30',
    ]);
    expect(starts.find((start) => start.start === '02:00')?.instant).toBe('2026-10-25T00:00:00.000Z');
  });
});

describe('availableStarts options', () => {
  const day = dayOf();

  it('gives each start the inspector the hold would get, or overbooked', () => {
    const state = stateOf([
      slotHeld('r1', '09:00', '09:45', 'insp-a'),
      slotHeld('r2', '09:00', '09:45', 'insp-b'),
    ]);
    const starts = availableStarts(day, state, ctp45, NOW);
    expect(starts.find((start) => start.start === '09:00')).toMatchObject({
      inspectorId: null,
      overbooked: true,
    });
    expect(starts.find((start) => start.start === '10:00')).toMatchObject({
      inspectorId: 'insp-a',
      overbooked: false,
    });
    expect(
      availableStarts(day, state, ctp45, NOW, { allowOverbooking: false }).some(
        (start) => start.start === '09:00',
      ),
    ).toBe(false);
  });

  it('honours a window, a requested inspector and another grid step', () => {
    const windowed = availableStarts(dayOf(), stateOf([]), ctp45, NOW, {
      earliestStart: '09:50',
      latestStart: '10:30',
    });
    expect(windowed.map((start) => start.start)).toEqual(['10:00', '10:15', '10:30']);
    const withB = availableStarts(day, stateOf([]), ctp45, NOW, { inspectorId: 'insp-b' });
    expect(new Set(withB.map((start) => start.inspectorId))).toEqual(new Set(['insp-b']));
    const halfHours = availableStarts(day, stateOf([]), ctp45, NOW, { stepMinutes: 30 });
    expect(halfHours.map((start) => start.start).slice(0, 3)).toEqual(['08:00', '08:30', '09:00']);
    expect(() => availableStarts(day, stateOf([]), ctp45, NOW, { stepMinutes: 0 })).toThrow(RangeError);
  });

  it('matches what the hold accepts, with a non-default grid given to both', () => {
    const context = { ...contextOf(day), stepMinutes: 30 };
    spec(calendarDecider).given([]).when(holdCommand('r1', '08:15'), context).thenFails('OFF_GRID');
    spec(calendarDecider)
      .given([])
      .when(holdCommand('r1', '08:30'), context)
      .thenMatches((events) => expect(events).toHaveLength(1));
  });

  it('lists motorcycles only with L inspectors', () => {
    const starts = availableStarts(
      day,
      stateOf([]),
      { ...MOTO, controlType: 'CTP', durationMinutes: 35 },
      NOW,
    );
    expect(new Set(starts.map((start) => start.inspectorId))).toEqual(new Set(['insp-a']));
  });

  it('lists nothing on a closed or past day', () => {
    expect(availableStarts(dayOf([], '2026-06-21'), stateOf([]), ctp45, NOW)).toEqual([]);
    expect(availableStarts(day, stateOf([]), ctp45, new Date('2026-06-17T00:00:00Z'))).toEqual([]);
  });
});

describe('dayLoad', () => {
  it('divides live booked minutes by inspector minutes on offer', () => {
    const day = dayOf();
    // a, b, c each work 480 minutes inside opening hours.
    const events = [slotHeld('r1', '09:00', '09:45', 'insp-a'), slotHeld('r2', '09:00', '09:45', 'insp-b')];
    expect(dayLoad(day, stateOf(events), NOW)).toEqual({
      bookedMinutes: 90,
      capacityMinutes: 1440,
      ratio: 90 / 1440,
    });
    // Expired holds no longer count when a clock is given.
    expect(dayLoad(day, stateOf(events), minutesLater(NOW, 16)).bookedMinutes).toBe(0);
    expect(dayLoad(day, stateOf(events)).bookedMinutes).toBe(90);
    const blocked: SlotCalendarEvent = {
      type: 'PeriodBlocked',
      data: {
        centreId: CENTRE_ID,
        date: DATE,
        blockId: 'b1',
        from: '08:00',
        to: '09:00',
        inspectorId: null,
        label: 'x',
      },
    };
    expect(dayLoad(day, stateOf([blocked])).capacityMinutes).toBe(1440 - 3 * 60);
    expect(dayLoad(dayOf([], '2026-06-21'), stateOf([])).ratio).toBe(1);
  });
});
