import { type CentreEvent, eventSamples, sampleIds } from '@pti/events';
import { describe, expect, it } from 'vitest';
import { spec } from '../shared/testing/decider-spec.js';
import type { CentreCommand } from './centre-commands.js';
import { centreDecider } from './centre-decider.js';

const centreId = sampleIds.centreId;
const inspectorId = sampleIds.inspectorId;
const given = (events: readonly CentreEvent[]) => spec(centreDecider).given(events);

const registered: CentreEvent = { type: 'CentreRegistered', data: eventSamples.CentreRegistered };
const inspectorAdded: CentreEvent = { type: 'InspectorAdded', data: eventSamples.InspectorAdded };
const absenceDeclared: CentreEvent = {
  type: 'InspectorAbsenceDeclared',
  data: eventSamples.InspectorAbsenceDeclared,
};
const closureAdded: CentreEvent = { type: 'ClosureAdded', data: eventSamples.ClosureAdded };

const register: CentreCommand = { type: 'RegisterCentre', ...eventSamples.CentreRegistered };

function week(monday: { from: string; to: string }[]) {
  return { monday, tuesday: [], wednesday: [], thursday: [], friday: [], saturday: [], sunday: [] };
}

describe('registration and details', () => {
  it('registers a centre once', () => {
    given([]).when(register, undefined).then([registered]);
    given([registered]).when(register, undefined).thenFails('CENTRE_ALREADY_REGISTERED');
  });

  it('refuses every other command before registration', () => {
    given([]).when({ type: 'ReactivateCentre', centreId }, undefined).thenFails('CENTRE_NOT_REGISTERED');
  });

  it('refuses a command for another centre', () => {
    given([registered])
      .when({ type: 'SetDailyCapacity', centreId: sampleIds.otherCentreId, capacity: 10 }, undefined)
      .thenFails('INVALID_COMMAND');
  });

  it('validates fields against the contract (postcode, e-mail, code)', () => {
    given([])
      .when({ ...register, postcode: '7500' } as CentreCommand, undefined)
      .thenFails('INVALID_COMMAND');
    given([])
      .when({ ...register, code: 'lower' } as CentreCommand, undefined)
      .thenFails('INVALID_COMMAND');
  });

  it('updates details', () => {
    const { centreId: _c, code: _code, ...details } = eventSamples.CentreRegistered;
    given([registered])
      .when({ type: 'UpdateCentreDetails', centreId, ...details, city: 'Lyon 7e' }, undefined)
      .then([{ type: 'CentreDetailsUpdated', data: { centreId, ...details, city: 'Lyon 7e' } }]);
  });
});

describe('opening hours', () => {
  it('accepts a split day', () => {
    const hours = week([
      { from: '08:00', to: '12:00' },
      { from: '14:00', to: '18:00' },
    ]);
    given([registered])
      .when({ type: 'SetOpeningHours', centreId, week: hours }, undefined)
      .then([{ type: 'OpeningHoursSet', data: { centreId, week: hours } }]);
  });

  it('refuses overlapping, touching, reversed, unordered or malformed intervals', () => {
    const refused = [
      [
        { from: '08:00', to: '12:00' },
        { from: '11:00', to: '18:00' },
      ],
      [
        { from: '08:00', to: '12:00' },
        { from: '12:00', to: '18:00' },
      ],
      [{ from: '12:00', to: '08:00' }],
      [{ from: '08:00', to: '08:00' }],
      [
        { from: '14:00', to: '18:00' },
        { from: '08:00', to: '12:00' },
      ],
    ];
    for (const intervals of refused) {
      given([registered])
        .when({ type: 'SetOpeningHours', centreId, week: week(intervals) }, undefined)
        .thenFails('INVALID_INTERVALS');
    }
    given([registered])
      .when({ type: 'SetOpeningHours', centreId, week: week([{ from: '8:00', to: '12:00' }]) }, undefined)
      .thenFails('INVALID_COMMAND');
  });
});

describe('closures', () => {
  it('adds and removes a closure', () => {
    given([registered])
      .when({ type: 'AddClosure', ...eventSamples.ClosureAdded }, undefined)
      .then([closureAdded]);
    given([registered, closureAdded])
      .when({ type: 'RemoveClosure', centreId, closureId: sampleIds.closureId }, undefined)
      .then([{ type: 'ClosureRemoved', data: { centreId, closureId: sampleIds.closureId } }]);
  });

  it('refuses a closure ending before it starts, a reused id, an unknown removal', () => {
    given([registered])
      .when(
        { type: 'AddClosure', ...eventSamples.ClosureAdded, from: '2025-05-02', to: '2025-05-01' },
        undefined,
      )
      .thenFails('INVALID_PERIOD');
    given([registered, closureAdded])
      .when({ type: 'AddClosure', ...eventSamples.ClosureAdded }, undefined)
      .thenFails('CLOSURE_ALREADY_EXISTS');
    given([registered])
      .when({ type: 'RemoveClosure', centreId, closureId: sampleIds.closureId }, undefined)
      .thenFails('UNKNOWN_CLOSURE');
    given([registered])
      .when({ type: 'AddClosure', ...eventSamples.ClosureAdded, from: '2025-02-30' }, undefined)
      .thenFails('INVALID_COMMAND');
  });
});

describe('prices, policy, capacity', () => {
  it('sets a price list and refuses a combination named twice', () => {
    const { entries } = eventSamples.PriceListSet;
    given([registered])
      .when({ type: 'SetPriceList', centreId, currency: 'EUR', entries }, undefined)
      .then([{ type: 'PriceListSet', data: eventSamples.PriceListSet }]);
    const duplicated = [...entries, { ...entries[0]!, priceCents: 1 }];
    given([registered])
      .when({ type: 'SetPriceList', centreId, currency: 'EUR', entries: duplicated }, undefined)
      .thenFails('INVALID_PRICE_LIST');
    given([registered])
      .when(
        { type: 'SetPriceList', centreId, currency: 'EUR', entries: [{ ...entries[0]!, priceCents: -5 }] },
        undefined,
      )
      .thenFails('INVALID_COMMAND');
  });

  it('merges a partial policy into the current one and checks the ranges', () => {
    given([registered])
      .when({ type: 'SetBookingPolicy', centreId, minimumNoticeMinutes: 60 }, undefined)
      .then([
        {
          type: 'BookingPolicySet',
          data: {
            centreId,
            holdMinutes: 15,
            overbookingPercent: 10,
            minimumNoticeMinutes: 60,
            horizonDays: 90,
            cancellationCutoffHours: 24,
            freeContreVisiteDays: 0,
          },
        },
      ]);
    given([registered])
      .when({ type: 'SetBookingPolicy', centreId, overbookingPercent: 150 }, undefined)
      .thenFails('INVALID_COMMAND');
    given([registered])
      .when({ type: 'SetBookingPolicy', centreId, holdMinutes: 0 }, undefined)
      .thenFails('INVALID_COMMAND');
  });

  it('sets a daily capacity', () => {
    given([registered])
      .when({ type: 'SetDailyCapacity', centreId, capacity: 48 }, undefined)
      .then([{ type: 'DailyCapacitySet', data: { centreId, capacity: 48 } }]);
    given([registered])
      .when({ type: 'SetDailyCapacity', centreId, capacity: -1 }, undefined)
      .thenFails('INVALID_COMMAND');
  });
});

describe('inspectors', () => {
  const add: CentreCommand = { type: 'AddInspector', ...eventSamples.InspectorAdded };

  it('adds an inspector once, with at least one accreditation', () => {
    given([registered]).when(add, undefined).then([inspectorAdded]);
    given([registered, inspectorAdded]).when(add, undefined).thenFails('INSPECTOR_ALREADY_EXISTS');
    given([registered])
      .when({ ...add, accreditations: [] } as CentreCommand, undefined)
      .thenFails('INVALID_COMMAND');
    given([registered])
      .when({ ...add, accreditations: ['VL', 'VL'] } as CentreCommand, undefined)
      .thenFails('INVALID_COMMAND');
  });

  it('changes accreditations, schedules and removes, only for known inspectors', () => {
    given([registered, inspectorAdded])
      .when(
        { type: 'ChangeInspectorAccreditations', centreId, inspectorId, accreditations: ['VL'] },
        undefined,
      )
      .then([
        { type: 'InspectorAccreditationsChanged', data: { centreId, inspectorId, accreditations: ['VL'] } },
      ]);
    given([registered])
      .when(
        { type: 'ChangeInspectorAccreditations', centreId, inspectorId, accreditations: ['VL'] },
        undefined,
      )
      .thenFails('UNKNOWN_INSPECTOR');
    given([registered])
      .when({ type: 'SetInspectorSchedule', centreId, inspectorId, week: week([]) }, undefined)
      .thenFails('UNKNOWN_INSPECTOR');
    given([registered, inspectorAdded])
      .when(
        {
          type: 'SetInspectorSchedule',
          centreId,
          inspectorId,
          week: week([
            { from: '08:00', to: '13:00' },
            { from: '12:00', to: '17:00' },
          ]),
        },
        undefined,
      )
      .thenFails('INVALID_INTERVALS');
    given([registered, inspectorAdded])
      .when({ type: 'RemoveInspector', centreId, inspectorId }, undefined)
      .then([{ type: 'InspectorRemoved', data: { centreId, inspectorId } }]);
    given([registered])
      .when({ type: 'RemoveInspector', centreId, inspectorId }, undefined)
      .thenFails('UNKNOWN_INSPECTOR');
  });

  it('declares and cancels absences', () => {
    const declare: CentreCommand = {
      type: 'DeclareInspectorAbsence',
      ...eventSamples.InspectorAbsenceDeclared,
    };
    given([registered, inspectorAdded]).when(declare, undefined).then([absenceDeclared]);
    given([registered, inspectorAdded, absenceDeclared])
      .when(declare, undefined)
      .thenFails('ABSENCE_ALREADY_EXISTS');
    given([registered]).when(declare, undefined).thenFails('UNKNOWN_INSPECTOR');
    given([registered, inspectorAdded])
      .when({ ...declare, from: '2025-04-19T12:00', to: '2025-04-19T12:00' } as CentreCommand, undefined)
      .thenFails('INVALID_PERIOD');
    given([registered, inspectorAdded])
      .when({ ...declare, from: '2025-04-19T12:00', to: '2025-04-14T08:00' } as CentreCommand, undefined)
      .thenFails('INVALID_PERIOD');
    const cancel: CentreCommand = {
      type: 'CancelInspectorAbsence',
      centreId,
      inspectorId,
      absenceId: sampleIds.absenceId,
    };
    given([registered, inspectorAdded, absenceDeclared])
      .when(cancel, undefined)
      .then([
        {
          type: 'InspectorAbsenceCancelled',
          data: { centreId, inspectorId, absenceId: sampleIds.absenceId },
        },
      ]);
    given([registered, inspectorAdded]).when(cancel, undefined).thenFails('UNKNOWN_ABSENCE');
  });
});

describe('activation', () => {
  it('deactivates and reactivates, refusing a no-op', () => {
    const deactivated: CentreEvent = { type: 'CentreDeactivated', data: { centreId, reason: 'Travaux' } };
    given([registered])
      .when({ type: 'DeactivateCentre', centreId, reason: 'Travaux' }, undefined)
      .then([deactivated]);
    given([registered, deactivated])
      .when({ type: 'DeactivateCentre', centreId, reason: 'Travaux' }, undefined)
      .thenFails('CENTRE_INACTIVE');
    given([registered, deactivated])
      .when({ type: 'ReactivateCentre', centreId }, undefined)
      .then([{ type: 'CentreReactivated', data: { centreId } }]);
    given([registered])
      .when({ type: 'ReactivateCentre', centreId }, undefined)
      .thenFails('CENTRE_ALREADY_ACTIVE');
  });

  it('keeps a deactivated centre administrable', () => {
    const deactivated: CentreEvent = { type: 'CentreDeactivated', data: { centreId, reason: 'Travaux' } };
    given([registered, deactivated])
      .when({ type: 'SetDailyCapacity', centreId, capacity: 12 }, undefined)
      .thenMatches((_, state) => {
        expect(state.status).toBe('inactive');
        expect(state.dailyCapacity).toBe(12);
      });
  });
});

describe('evolve', () => {
  it('folds every sample event of the catalogue into a coherent state', () => {
    const events: CentreEvent[] = [
      registered,
      { type: 'OpeningHoursSet', data: eventSamples.OpeningHoursSet },
      closureAdded,
      { type: 'PriceListSet', data: eventSamples.PriceListSet },
      { type: 'BookingPolicySet', data: eventSamples.BookingPolicySet },
      { type: 'DailyCapacitySet', data: eventSamples.DailyCapacitySet },
      inspectorAdded,
      { type: 'InspectorScheduleSet', data: eventSamples.InspectorScheduleSet },
      { type: 'InspectorAccreditationsChanged', data: eventSamples.InspectorAccreditationsChanged },
      absenceDeclared,
    ];
    const state = events.reduce(centreDecider.evolve, centreDecider.initialState());
    expect(state).toMatchObject({
      status: 'active',
      centreId,
      code: 'CT-LYON-GERLAND',
      dailyCapacity: 48,
      policy: { freeContreVisiteDays: 60 },
      closures: [{ closureId: sampleIds.closureId, from: '2025-05-01', to: '2025-05-01' }],
    });
    expect(state.inspectors).toHaveLength(1);
    expect(state.inspectors[0]).toMatchObject({
      accreditations: ['VL', 'L'],
      absences: [{ absenceId: sampleIds.absenceId }],
    });
  });
});
