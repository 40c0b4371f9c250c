import type { Accreditation, CentreContact, GeoPosition, PriceEntry, WeeklyHours } from '@pti/events';
import type { CommandMeta } from '../commands/command-meta.js';
import type { BookingPolicy } from '../domain/centre/centre-commands.js';
import type { WriteSideContext } from '../write-side-context.js';
import { administerCentre } from './centre-administration.js';

/**
 * A whole centre described as data, set up through the same commands staff send one by one:
 * register, opening hours, prices, policy, capacity, closures, then each inspector with their
 * schedule. Used by the demo network, the benchmark and tests; each command goes through the
 * decider, so a setup that breaks a rule fails like the API would.
 */
export interface InspectorSetup {
  readonly inspectorId: string;
  readonly name: string;
  readonly userId?: string | null;
  readonly accreditations: readonly Accreditation[];
  readonly week: WeeklyHours;
}

export interface CentreSetup {
  readonly centreId: string;
  readonly code: string;
  readonly name: string;
  readonly address: string;
  readonly postcode: string;
  readonly city: string;
  readonly position: GeoPosition;
  readonly contact: CentreContact;
  readonly openingHours: WeeklyHours;
  readonly priceList: readonly PriceEntry[];
  readonly policy?: Partial<BookingPolicy>;
  readonly dailyCapacity?: number;
  readonly closures?: readonly { closureId: string; from: string; to: string; label: string }[];
  readonly inspectors: readonly InspectorSetup[];
}

/** Runs the setup's commands in order; returns the centre stream's final revision. */
export async function setUpCentre(
  ctx: WriteSideContext,
  setup: CentreSetup,
  meta: CommandMeta,
): Promise<bigint> {
  const { centreId } = setup;
  let revision = 0n;
  const run = async (command: Parameters<typeof administerCentre>[1]) => {
    revision = (await administerCentre(ctx, command, meta)).revision;
  };
  await run({
    type: 'RegisterCentre',
    centreId,
    code: setup.code,
    name: setup.name,
    address: setup.address,
    postcode: setup.postcode,
    city: setup.city,
    position: setup.position,
    contact: setup.contact,
  });
  await run({ type: 'SetOpeningHours', centreId, week: setup.openingHours });
  await run({ type: 'SetPriceList', centreId, currency: 'EUR', entries: setup.priceList });
  if (setup.policy) await run({ type: 'SetBookingPolicy', centreId, ...setup.policy });
  if (setup.dailyCapacity !== undefined)
    await run({ type: 'SetDailyCapacity', centreId, capacity: setup.dailyCapacity });
  for (const closure of setup.closures ?? []) await run({ type: 'AddClosure', centreId, ...closure });
  for (const inspector of setup.inspectors) {
    await run({
      type: 'AddInspector',
      centreId,
      inspectorId: inspector.inspectorId,
      name: inspector.name,
      userId: inspector.userId ?? null,
      accreditations: inspector.accreditations,
    });
    await run({
      type: 'SetInspectorSchedule',
      centreId,
      inspectorId: inspector.inspectorId,
      week: inspector.week,
    });
  }
  return revision;
}

/** Prices of reference/domain-ct.md (euros incl. VAT, in cents); a centre adjusts them with `offset`. */
export function referencePriceList(offsetCents = 0): PriceEntry[] {
  const entry = (
    controlType: PriceEntry['controlType'],
    vehicleCategory: PriceEntry['vehicleCategory'],
    fuel: PriceEntry['fuel'],
    cents: number,
  ): PriceEntry => ({ controlType, vehicleCategory, fuel, priceCents: cents + offsetCents });
  return [
    entry('CTP', 'VP', null, 7800),
    entry('CTP', 'VP', 'Hybride', 8400),
    entry('CTP', 'VP', 'Electrique', 8500),
    entry('CTP', 'VP', 'Gaz', 9300),
    entry('CTP', 'VU', null, 8200),
    entry('CTP', 'VU', 'Gaz', 9700),
    entry('CTP', 'Moto', null, 7500),
    entry('CTP', 'Cyclo', null, 6500),
    entry('CVP', 'VP', null, 2500),
    entry('CVP', 'VU', null, 2500),
    entry('CVP', 'Moto', null, 2500),
    entry('CVP', 'Cyclo', null, 2000),
    entry('CV', 'VP', null, 7800),
    entry('CV', 'VU', null, 8200),
    entry('CV', 'Moto', null, 7500),
    entry('CTC', 'VU', null, 4000),
    entry('CVC', 'VU', null, 1500),
  ];
}

/** A week with the same intervals on the given weekdays, closed the others. */
export function weekOf(
  days: readonly (keyof WeeklyHours)[],
  intervals: readonly { from: string; to: string }[],
  others: Partial<WeeklyHours> = {},
): WeeklyHours {
  const week: Record<keyof WeeklyHours, { from: string; to: string }[]> = {
    monday: [],
    tuesday: [],
    wednesday: [],
    thursday: [],
    friday: [],
    saturday: [],
    sunday: [],
  };
  for (const day of days) week[day] = intervals.map((interval) => ({ ...interval }));
  return { ...week, ...others };
}
