import {
  type AbsenceKind,
  type Accreditation,
  type CentreEvent,
  DEFAULT_BOOKING_POLICY,
  type PriceEntry,
  type WeeklyHours,
} from '@pti/events';
import { DEFAULT_TIME_ZONE } from '../shared/local-time.js';
import type { BookingPolicy, CentreDetails } from './centre-commands.js';

/**
 * The state of one centre, folded from its stream. It holds everything the calendar and the
 * availability need for a day (see `centreDayConfiguration`), plus what `decide` validates against.
 * Collections are arrays in event order (not records: an all-digit id would reorder a record).
 */

export interface InspectorAbsence {
  readonly absenceId: string;
  /** Local `YYYY-MM-DDTHH:MM`, inclusive. */
  readonly from: string;
  /** Local `YYYY-MM-DDTHH:MM`, exclusive. */
  readonly to: string;
  readonly kind: AbsenceKind;
}

export interface CentreInspector {
  readonly inspectorId: string;
  /** As stored in the event: plain text, ciphertext or erased, depending on who reads. */
  readonly name: string;
  readonly userId: string | null;
  readonly accreditations: readonly Accreditation[];
  /** Working hours per weekday; closed (all empty) until a schedule is set. */
  readonly week: WeeklyHours;
  readonly absences: readonly InspectorAbsence[];
}

export interface CentreClosure {
  readonly closureId: string;
  readonly from: string;
  readonly to: string;
  readonly label: string;
}

export interface CentreState {
  readonly status: 'unregistered' | 'active' | 'inactive';
  readonly centreId: string | null;
  readonly code: string | null;
  readonly details: CentreDetails | null;
  /** Every centre runs on Europe/Paris time (DESIGN.md §5); kept here so the rest never assumes it. */
  readonly timeZone: string;
  readonly openingHours: WeeklyHours;
  readonly closures: readonly CentreClosure[];
  readonly priceList: { readonly currency: 'EUR'; readonly entries: readonly PriceEntry[] } | null;
  readonly policy: BookingPolicy;
  /** `null`: no cap beyond what the inspectors' schedules allow. */
  readonly dailyCapacity: number | null;
  readonly inspectors: readonly CentreInspector[];
  readonly deactivationReason: string | null;
}

export const CLOSED_WEEK: WeeklyHours = {
  monday: [],
  tuesday: [],
  wednesday: [],
  thursday: [],
  friday: [],
  saturday: [],
  sunday: [],
};

export function initialCentreState(): CentreState {
  return {
    status: 'unregistered',
    centreId: null,
    code: null,
    details: null,
    timeZone: DEFAULT_TIME_ZONE,
    openingHours: CLOSED_WEEK,
    closures: [],
    priceList: null,
    policy: { ...DEFAULT_BOOKING_POLICY },
    dailyCapacity: null,
    inspectors: [],
    deactivationReason: null,
  };
}

export function findInspector(state: CentreState, inspectorId: string): CentreInspector | undefined {
  return state.inspectors.find((inspector) => inspector.inspectorId === inspectorId);
}

function updateInspector(
  state: CentreState,
  inspectorId: string,
  change: (inspector: CentreInspector) => CentreInspector,
): CentreState {
  return {
    ...state,
    inspectors: state.inspectors.map((inspector) =>
      inspector.inspectorId === inspectorId ? change(inspector) : inspector,
    ),
  };
}

export function evolveCentre(state: CentreState, event: CentreEvent): CentreState {
  switch (event.type) {
    case 'CentreRegistered': {
      const { centreId, code, ...details } = event.data;
      return { ...state, status: 'active', centreId, code, details };
    }
    case 'CentreDetailsUpdated': {
      const { centreId: _centreId, ...details } = event.data;
      return { ...state, details };
    }
    case 'OpeningHoursSet':
      return { ...state, openingHours: event.data.week };
    case 'ClosureAdded': {
      const { closureId, from, to, label } = event.data;
      return { ...state, closures: [...state.closures, { closureId, from, to, label }] };
    }
    case 'ClosureRemoved':
      return {
        ...state,
        closures: state.closures.filter((closure) => closure.closureId !== event.data.closureId),
      };
    case 'PriceListSet':
      return { ...state, priceList: { currency: event.data.currency, entries: event.data.entries } };
    case 'BookingPolicySet': {
      const { centreId: _centreId, ...policy } = event.data;
      return { ...state, policy };
    }
    case 'DailyCapacitySet':
      return { ...state, dailyCapacity: event.data.capacity };
    case 'InspectorAdded': {
      const { inspectorId, name, userId, accreditations } = event.data;
      const inspector: CentreInspector = {
        inspectorId,
        name,
        userId,
        accreditations,
        week: CLOSED_WEEK,
        absences: [],
      };
      return { ...state, inspectors: [...state.inspectors, inspector] };
    }
    case 'InspectorAccreditationsChanged':
      return updateInspector(state, event.data.inspectorId, (inspector) => ({
        ...inspector,
        accreditations: event.data.accreditations,
      }));
    case 'InspectorScheduleSet':
      return updateInspector(state, event.data.inspectorId, (inspector) => ({
        ...inspector,
        week: event.data.week,
      }));
    case 'InspectorAbsenceDeclared': {
      const { absenceId, from, to, kind } = event.data;
      return updateInspector(state, event.data.inspectorId, (inspector) => ({
        ...inspector,
        absences: [...inspector.absences, { absenceId, from, to, kind }],
      }));
    }
    case 'InspectorAbsenceCancelled':
      return updateInspector(state, event.data.inspectorId, (inspector) => ({
        ...inspector,
        absences: inspector.absences.filter((absence) => absence.absenceId !== event.data.absenceId),
      }));
    case 'InspectorRemoved':
      return {
        ...state,
        inspectors: state.inspectors.filter((inspector) => inspector.inspectorId !== event.data.inspectorId),
      };
    case 'CentreDeactivated':
      return { ...state, status: 'inactive', deactivationReason: event.data.reason };
    case 'CentreReactivated':
      return { ...state, status: 'active', deactivationReason: null };
  }
}
