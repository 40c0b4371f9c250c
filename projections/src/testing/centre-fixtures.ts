import type { WeeklyHours } from '@pti/events';
import type { SpecEvent } from '../runtime/testing/projection-spec.js';

/** Small, readable centre setups shared by the read-model specs. */

export const WEEKDAYS_8_12: WeeklyHours = {
  monday: [{ from: '08:00', to: '12:00' }],
  tuesday: [{ from: '08:00', to: '12:00' }],
  wednesday: [{ from: '08:00', to: '12:00' }],
  thursday: [{ from: '08:00', to: '12:00' }],
  friday: [{ from: '08:00', to: '12:00' }],
  saturday: [],
  sunday: [],
};

export interface CentreSetup {
  readonly centreId: string;
  readonly code?: string;
  readonly name?: string;
  readonly postcode?: string;
  readonly city?: string;
  readonly position?: { readonly lat: number; readonly lon: number };
  readonly week?: WeeklyHours;
  readonly inspectorId?: string;
  readonly accreditations?: readonly ('VL' | 'L' | 'GAZ')[];
  readonly horizonDays?: number;
  readonly minimumNoticeMinutes?: number;
  readonly overbookingPercent?: number;
}

/** Registration, hours, one inspector with the same hours, a policy: a bookable centre. */
export function centreEvents(setup: CentreSetup): SpecEvent[] {
  const { centreId } = setup;
  const week = setup.week ?? WEEKDAYS_8_12;
  const inspectorId = setup.inspectorId ?? `${centreId}-insp`;
  return [
    {
      type: 'CentreRegistered',
      data: {
        centreId,
        code: setup.code ?? `CT-${centreId.toUpperCase()}`,
        name: setup.name ?? `Centre ${centreId}`,
        address: '1 rue de la Paix',
        postcode: setup.postcode ?? '69007',
        city: setup.city ?? 'Lyon',
        position: setup.position ?? { lat: 45.7441, lon: 4.8419 },
        contact: { phone: '+33478601234', email: 'centre@pti-controle.fr' },
      },
    },
    { type: 'OpeningHoursSet', data: { centreId, week } },
    {
      type: 'BookingPolicySet',
      data: {
        centreId,
        holdMinutes: 15,
        overbookingPercent: setup.overbookingPercent ?? 0,
        minimumNoticeMinutes: setup.minimumNoticeMinutes ?? 120,
        horizonDays: setup.horizonDays ?? 6,
        cancellationCutoffHours: 24,
        freeContreVisiteDays: 0,
      },
    },
    {
      type: 'InspectorAdded',
      data: {
        centreId,
        inspectorId,
        name: 'Inspecteur',
        userId: null,
        accreditations: [...(setup.accreditations ?? ['VL'])],
      },
    },
    { type: 'InspectorScheduleSet', data: { centreId, inspectorId, week } },
  ];
}
