import type { SlotCalendarEvent, VehicleProfile, WeeklyHours } from '@pti/events';
import type { CentreCommand } from '../../centre/centre-commands.js';
import {
  type CentreDayConfiguration,
  centreDayConfiguration,
} from '../../centre/centre-day-configuration.js';
import { centreDecider } from '../../centre/centre-decider.js';
import type { CentreState } from '../../centre/centre-state.js';
import type { CalendarContext, HoldSlot } from '../calendar-commands.js';

/**
 * Test fixtures (not exported from the barrel): a centre built through its own decider, and
 * builders of calendar commands and events for the given/when/then specifications.
 */

export const CENTRE_ID = 'ct-lyon-gerland';

const split = [
  { from: '08:00', to: '12:00' },
  { from: '14:00', to: '18:00' },
];

export function week(days: Partial<WeeklyHours>): WeeklyHours {
  return {
    monday: [],
    tuesday: [],
    wednesday: [],
    thursday: [],
    friday: [],
    saturday: [],
    sunday: [],
    ...days,
  };
}

/** Monday to Saturday 08:00–12:00 + 14:00–18:00 (a split day), closed on Sunday. */
export const SPLIT_WEEK = week({
  monday: split,
  tuesday: split,
  wednesday: split,
  thursday: split,
  friday: split,
  saturday: split,
});

export function registerCentre(centreId: string = CENTRE_ID): CentreCommand {
  return {
    type: 'RegisterCentre',
    centreId,
    code: 'CT-LYON-GERLAND',
    name: 'Contrôle Technique Lyon Gerland',
    address: '42 avenue Jean Jaurès',
    postcode: '69007',
    city: 'Lyon',
    position: { lat: 45.7441, lon: 4.8419 },
    contact: { phone: '+33478601234', email: 'lyon-gerland@pti-controle.fr' },
  };
}

/** Folds commands through the centre decider: the state a real stream would have. */
export function centreFrom(commands: readonly CentreCommand[]): CentreState {
  let state = centreDecider.initialState();
  for (const command of commands) {
    for (const event of centreDecider.decide(command, state, undefined))
      state = centreDecider.evolve(state, event);
  }
  return state;
}

/**
 * The reference centre: split days Monday–Saturday, three inspectors working the opening hours:
 * `insp-a` (VL, L, GAZ), `insp-b` (VL), `insp-c` (L only). Default policy (hold 15 min, overbooking
 * 10 %, notice 120 min, horizon 90 days).
 */
export function referenceCentreCommands(extra: readonly CentreCommand[] = []): CentreCommand[] {
  const inspectors: [string, ('VL' | 'L' | 'GAZ')[]][] = [
    ['insp-a', ['VL', 'L', 'GAZ']],
    ['insp-b', ['VL']],
    ['insp-c', ['L']],
  ];
  return [
    registerCentre(),
    { type: 'SetOpeningHours', centreId: CENTRE_ID, week: SPLIT_WEEK },
    ...inspectors.flatMap(([inspectorId, accreditations]): CentreCommand[] => [
      {
        type: 'AddInspector',
        centreId: CENTRE_ID,
        inspectorId,
        name: `Inspector ${inspectorId}`,
        userId: null,
        accreditations,
      },
      { type: 'SetInspectorSchedule', centreId: CENTRE_ID, inspectorId, week: SPLIT_WEEK },
    ]),
    ...extra,
  ];
}

/** Tuesday 16 June 2026, a plain summer day (UTC+2). */
export const DATE = '2026-06-16';
/** The day before, 10:00 in Paris. */
export const NOW = new Date('2026-06-15T08:00:00.000Z');

export function dayOf(extra: readonly CentreCommand[] = [], date: string = DATE): CentreDayConfiguration {
  return centreDayConfiguration(centreFrom(referenceCentreCommands(extra)), date);
}

/** Deterministic ids for waitlist offers: `gen-1`, `gen-2`, … per context. */
export function idSequence(prefix = 'gen'): () => string {
  let n = 0;
  return () => {
    n += 1;
    return `${prefix}-${n}`;
  };
}

export function contextOf(
  day: CentreDayConfiguration,
  now: Date = NOW,
  newId = idSequence(),
): CalendarContext {
  return { now, day, newId };
}

export const CAR: VehicleProfile = { category: 'VP', fuel: 'Diesel' };
export const GAS_CAR: VehicleProfile = { category: 'VP', fuel: 'Gaz' };
export const MOTO: VehicleProfile = { category: 'Moto', fuel: 'Essence' };

export function holdCommand(
  reservationId: string,
  start: string,
  overrides: Partial<Omit<HoldSlot, 'type' | 'reservationId' | 'start'>> = {},
): HoldSlot {
  return {
    type: 'HoldSlot',
    centreId: CENTRE_ID,
    date: DATE,
    reservationId,
    bookingId: `bk-${reservationId}`,
    start,
    durationMinutes: 45,
    controlType: 'CTP',
    vehicle: CAR,
    ...overrides,
  };
}

/** The `SlotHeld` event a hold decided at `now` produces. */
export function slotHeld(
  reservationId: string,
  start: string,
  end: string,
  inspectorId: string | null,
  options: {
    readonly durationMinutes?: number;
    readonly vehicle?: VehicleProfile;
    readonly now?: Date;
    readonly date?: string;
    readonly waitlistEntryId?: string | null;
    readonly bookingId?: string;
  } = {},
): SlotCalendarEvent {
  const now = options.now ?? NOW;
  return {
    type: 'SlotHeld',
    data: {
      centreId: CENTRE_ID,
      date: options.date ?? DATE,
      reservationId,
      bookingId: options.bookingId ?? `bk-${reservationId}`,
      start,
      end,
      durationMinutes: options.durationMinutes ?? 45,
      inspectorId,
      overbooked: inspectorId === null,
      controlType: 'CTP',
      vehicle: options.vehicle ?? CAR,
      expiresAt: new Date(now.getTime() + 15 * 60_000).toISOString(),
      waitlistEntryId: options.waitlistEntryId ?? null,
    },
  };
}

export function holdConfirmed(reservationId: string): SlotCalendarEvent {
  return {
    type: 'HoldConfirmed',
    data: { centreId: CENTRE_ID, date: DATE, reservationId, bookingId: `bk-${reservationId}` },
  };
}

export function minutesLater(now: Date, minutes: number): Date {
  return new Date(now.getTime() + minutes * 60_000);
}
