import { describe, expect, it } from 'vitest';
import {
  CENTRE_ID,
  centreFrom,
  DATE,
  referenceCentreCommands,
  registerCentre,
} from '../calendar/testing/calendar-fixtures.js';
import { DomainError } from '../shared/domain-error.js';
import type { CentreCommand } from './centre-commands.js';
import { centreDayConfiguration, REFERENCE_CONTROL_MINUTES } from './centre-day-configuration.js';

const configOf = (extra: readonly CentreCommand[], date: string = DATE) =>
  centreDayConfiguration(centreFrom(referenceCentreCommands(extra)), date);

describe('centreDayConfiguration', () => {
  it('gives the weekday opening intervals in minutes (split day) and every inspector', () => {
    const day = configOf([]);
    expect(day).toMatchObject({
      centreId: CENTRE_ID,
      date: DATE,
      timeZone: 'Europe/Paris',
      weekday: 'tuesday',
      active: true,
      closure: null,
      opening: [
        { from: 480, to: 720 },
        { from: 840, to: 1080 },
      ],
      dailyCapacity: null,
    });
    expect(day.inspectors.map((inspector) => inspector.inspectorId)).toEqual(['insp-a', 'insp-b', 'insp-c']);
    expect(day.inspectors[1]).toMatchObject({ accreditations: ['VL'], working: day.opening, absences: [] });
  });

  it('closes the day when a closure covers it', () => {
    const day = configOf([
      {
        type: 'AddClosure',
        centreId: CENTRE_ID,
        closureId: 'summer',
        from: '2026-06-15',
        to: '2026-06-20',
        label: 'Congés',
      },
    ]);
    expect(day.closure).toEqual({ closureId: 'summer', label: 'Congés' });
    expect(day.opening).toEqual([]);
    expect(day.nominalCapacity).toBe(0);
  });

  it('subtracts absences from schedules, clipping multi-day absences to the day', () => {
    const day = configOf([
      {
        type: 'DeclareInspectorAbsence',
        centreId: CENTRE_ID,
        inspectorId: 'insp-a',
        absenceId: 'doctor',
        from: `${DATE}T09:00`,
        to: `${DATE}T10:30`,
        kind: 'other',
      },
      {
        type: 'DeclareInspectorAbsence',
        centreId: CENTRE_ID,
        inspectorId: 'insp-b',
        absenceId: 'leave',
        from: '2026-06-10T08:00',
        to: `${DATE}T15:00`,
        kind: 'leave',
      },
      {
        type: 'DeclareInspectorAbsence',
        centreId: CENTRE_ID,
        inspectorId: 'insp-c',
        absenceId: 'next-week',
        from: '2026-06-22T08:00',
        to: '2026-06-23T08:00',
        kind: 'training',
      },
    ]);
    const [a, b, c] = day.inspectors;
    expect(a?.working).toEqual([
      { from: 480, to: 540 },
      { from: 630, to: 720 },
      { from: 840, to: 1080 },
    ]);
    expect(a?.absences).toEqual([{ absenceId: 'doctor', interval: { from: 540, to: 630 } }]);
    expect(b?.working).toEqual([{ from: 900, to: 1080 }]);
    expect(b?.absences).toEqual([{ absenceId: 'leave', interval: { from: 0, to: 900 } }]);
    expect(c?.absences).toEqual([]);
  });

  it('drops removed inspectors and reflects deactivation', () => {
    const day = configOf([
      { type: 'RemoveInspector', centreId: CENTRE_ID, inspectorId: 'insp-b' },
      { type: 'DeactivateCentre', centreId: CENTRE_ID, reason: 'Travaux' },
    ]);
    expect(day.inspectors.map((inspector) => inspector.inspectorId)).toEqual(['insp-a', 'insp-c']);
    expect(day.active).toBe(false);
  });

  it('computes the nominal capacity in reference controls, capped by the daily capacity', () => {
    expect(REFERENCE_CONTROL_MINUTES).toBe(45);
    // 3 inspectors × 2 intervals × ⌊240 / 45⌋.
    expect(configOf([]).nominalCapacity).toBe(30);
    expect(configOf([]).overbookingAllowance).toBe(3);
    const capped = configOf([{ type: 'SetDailyCapacity', centreId: CENTRE_ID, capacity: 12 }]);
    expect(capped.nominalCapacity).toBe(12);
    expect(capped.overbookingAllowance).toBe(1);
    const generous = configOf([{ type: 'SetBookingPolicy', centreId: CENTRE_ID, overbookingPercent: 20 }]);
    expect(generous.overbookingAllowance).toBe(6);
  });

  it('refuses an unregistered centre', () => {
    expect(() => centreDayConfiguration(centreFrom([]), DATE)).toThrow(DomainError);
    expect(centreFrom([registerCentre()]).status).toBe('active');
  });
});
