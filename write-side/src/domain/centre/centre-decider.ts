import { type CentreEvent, WEEKDAYS, type WeeklyHours } from '@pti/events';
import { checkedEvent } from '../shared/checked-event.js';
import type { Decider } from '../shared/decider.js';
import { DomainError, ensure } from '../shared/domain-error.js';
import { dayIntervalsProblem } from '../shared/minute-intervals.js';
import type { CentreCommand } from './centre-commands.js';
import { type CentreState, evolveCentre, findInspector, initialCentreState } from './centre-state.js';

/**
 * The Centre decider. Centre administration needs no clock and no outside facts, so its context
 * is empty (`undefined`).
 *
 * Rules beyond the schemas (which `checkedEvent` enforces on every emitted payload):
 * - only `RegisterCentre` works on an unregistered stream, and only once;
 * - a command names the stream's centre;
 * - weekly hours: per weekday, intervals are ordered, non-empty, neither overlapping nor touching;
 * - closures and absences end after they start (a closure may be one day: `to` = `from`);
 * - ids of closures, inspectors and absences are unique; referenced ones must exist;
 * - the price list names each (control type, category, fuel) combination once;
 * - deactivating an inactive centre or reactivating an active one is refused (no silent no-op:
 *   staff should know their click changed nothing).
 * A deactivated centre can still be administered (hours, prices, inspectors): it only takes no
 * new bookings, which the calendar enforces through the day configuration.
 */

function weekProblem(week: WeeklyHours): string | undefined {
  for (const weekday of WEEKDAYS) {
    const problem = dayIntervalsProblem(week[weekday] ?? []);
    if (problem) return `${weekday}: ${problem}`;
  }
  return undefined;
}

function requireRegistered(state: CentreState, centreId: string): void {
  ensure(state.status !== 'unregistered', 'CENTRE_NOT_REGISTERED', `centre ${centreId} is not registered`);
  ensure(
    state.centreId === centreId,
    'INVALID_COMMAND',
    `command for centre ${centreId} sent to the stream of ${state.centreId}`,
  );
}

function requireInspector(state: CentreState, inspectorId: string): void {
  ensure(
    findInspector(state, inspectorId) !== undefined,
    'UNKNOWN_INSPECTOR',
    `no inspector ${inspectorId}`,
    {
      inspectorId,
    },
  );
}

export function decideCentre(command: CentreCommand, state: CentreState): readonly CentreEvent[] {
  if (command.type === 'RegisterCentre') {
    ensure(state.status === 'unregistered', 'CENTRE_ALREADY_REGISTERED');
    const { type: _type, ...data } = command;
    return [checkedEvent('CentreRegistered', data)];
  }
  requireRegistered(state, command.centreId);

  switch (command.type) {
    case 'UpdateCentreDetails': {
      const { type: _type, ...data } = command;
      return [checkedEvent('CentreDetailsUpdated', data)];
    }
    case 'SetOpeningHours': {
      const event = checkedEvent('OpeningHoursSet', { centreId: command.centreId, week: command.week });
      const problem = weekProblem(command.week);
      ensure(problem === undefined, 'INVALID_INTERVALS', `opening hours, ${problem}`);
      return [event];
    }
    case 'AddClosure': {
      const { type: _type, ...data } = command;
      ensure(
        !state.closures.some((closure) => closure.closureId === command.closureId),
        'CLOSURE_ALREADY_EXISTS',
      );
      const event = checkedEvent('ClosureAdded', data);
      ensure(
        command.to >= command.from,
        'INVALID_PERIOD',
        `closure ends ${command.to} before ${command.from}`,
      );
      return [event];
    }
    case 'RemoveClosure':
      ensure(
        state.closures.some((closure) => closure.closureId === command.closureId),
        'UNKNOWN_CLOSURE',
      );
      return [checkedEvent('ClosureRemoved', { centreId: command.centreId, closureId: command.closureId })];
    case 'SetPriceList': {
      const event = checkedEvent('PriceListSet', {
        centreId: command.centreId,
        currency: command.currency,
        entries: [...command.entries],
      });
      const seen = new Set<string>();
      for (const entry of command.entries) {
        const key = `${entry.controlType}/${entry.vehicleCategory}/${entry.fuel ?? '*'}`;
        ensure(!seen.has(key), 'INVALID_PRICE_LIST', `price list names ${key} twice`);
        seen.add(key);
      }
      return [event];
    }
    case 'SetBookingPolicy': {
      const { type: _type, centreId, ...changes } = command;
      // Absent fields keep their current value; `undefined` written explicitly counts as absent.
      const defined = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
      return [checkedEvent('BookingPolicySet', { ...state.policy, ...defined, centreId })];
    }
    case 'SetDailyCapacity':
      return [checkedEvent('DailyCapacitySet', { centreId: command.centreId, capacity: command.capacity })];
    case 'AddInspector': {
      ensure(
        findInspector(state, command.inspectorId) === undefined,
        'INSPECTOR_ALREADY_EXISTS',
        `inspector ${command.inspectorId} is already at the centre`,
      );
      const { type: _type, accreditations, ...rest } = command;
      return [checkedEvent('InspectorAdded', { ...rest, accreditations: [...accreditations] })];
    }
    case 'RemoveInspector':
      requireInspector(state, command.inspectorId);
      return [
        checkedEvent('InspectorRemoved', { centreId: command.centreId, inspectorId: command.inspectorId }),
      ];
    case 'ChangeInspectorAccreditations':
      requireInspector(state, command.inspectorId);
      return [
        checkedEvent('InspectorAccreditationsChanged', {
          centreId: command.centreId,
          inspectorId: command.inspectorId,
          accreditations: [...command.accreditations],
        }),
      ];
    case 'SetInspectorSchedule': {
      requireInspector(state, command.inspectorId);
      const event = checkedEvent('InspectorScheduleSet', {
        centreId: command.centreId,
        inspectorId: command.inspectorId,
        week: command.week,
      });
      const problem = weekProblem(command.week);
      ensure(problem === undefined, 'INVALID_INTERVALS', `schedule of ${command.inspectorId}, ${problem}`);
      return [event];
    }
    case 'DeclareInspectorAbsence': {
      requireInspector(state, command.inspectorId);
      const { type: _type, ...data } = command;
      ensure(
        !state.inspectors.some((inspector) =>
          inspector.absences.some((absence) => absence.absenceId === command.absenceId),
        ),
        'ABSENCE_ALREADY_EXISTS',
      );
      const event = checkedEvent('InspectorAbsenceDeclared', data);
      // Same fixed-width format on both sides: string order is time order.
      ensure(
        command.to > command.from,
        'INVALID_PERIOD',
        `absence ends ${command.to}, not after ${command.from}`,
      );
      return [event];
    }
    case 'CancelInspectorAbsence': {
      const inspector = findInspector(state, command.inspectorId);
      if (!inspector) throw new DomainError('UNKNOWN_INSPECTOR', `no inspector ${command.inspectorId}`);
      ensure(
        inspector.absences.some((absence) => absence.absenceId === command.absenceId),
        'UNKNOWN_ABSENCE',
      );
      return [
        checkedEvent('InspectorAbsenceCancelled', {
          centreId: command.centreId,
          inspectorId: command.inspectorId,
          absenceId: command.absenceId,
        }),
      ];
    }
    case 'DeactivateCentre':
      ensure(state.status === 'active', 'CENTRE_INACTIVE', 'the centre is already deactivated');
      return [checkedEvent('CentreDeactivated', { centreId: command.centreId, reason: command.reason })];
    case 'ReactivateCentre':
      ensure(state.status === 'inactive', 'CENTRE_ALREADY_ACTIVE');
      return [checkedEvent('CentreReactivated', { centreId: command.centreId })];
  }
}

export const centreDecider: Decider<CentreCommand, CentreState, CentreEvent, void> = {
  initialState: initialCentreState,
  decide: (command, state) => decideCentre(command, state),
  evolve: evolveCentre,
};
