import { DEFAULT_TIME_ZONE, localDateTimeToInstant } from '@pti/write-side/domain';
import { Type } from '@sinclair/typebox';
import {
  CentreSummaryView,
  Cents,
  ControlType,
  type FreeSlotView,
  Fuel,
  LocalTime,
  Nullable,
  StringEnum,
  VehicleCategory,
  type VehicleProfileView,
} from '../http/schemas.js';
import {
  type CentreCard,
  type CentreSummary,
  type FreeSlot,
  type Fuel as FuelValue,
  type VehicleProfile,
  WEEKDAYS,
} from '../ports/read-models.js';

/** Public views of centres: only what a motorist needs, never the tenant or internal codes. */

export function centreSummaryView(centre: CentreSummary): CentreSummaryView {
  return {
    centreId: centre.centreId,
    name: centre.name,
    address: centre.address,
    postcode: centre.postcode,
    city: centre.city,
    position: { lat: centre.position.lat, lon: centre.position.lon },
    phone: centre.phone,
  };
}

/** A free slot with its instant, so clients need no time-zone database. */
export function freeSlotView(slot: FreeSlot, timeZone: string = DEFAULT_TIME_ZONE): FreeSlotView {
  return {
    date: slot.date,
    start: slot.start,
    startsAt: localDateTimeToInstant(slot.date, slot.start, timeZone).toISOString(),
  };
}

/** Distances to 100 m: enough for a list, and no false precision about where the caller stands. */
export function roundKm(distanceKm: number): number {
  return Math.round(distanceKm * 10) / 10;
}

export function profileOf(query: {
  readonly category?: VehicleProfile['category'];
  readonly fuel?: FuelValue;
  readonly controlType?: VehicleProfile['controlType'];
}): VehicleProfile {
  return {
    category: query.category ?? 'VP',
    fuel: query.fuel ?? null,
    controlType: query.controlType ?? 'CTP',
  };
}

export function profileView(profile: VehicleProfile): VehicleProfileView {
  return { category: profile.category, fuel: profile.fuel, controlType: profile.controlType };
}

const Interval = Type.Object({ from: LocalTime, to: LocalTime });
const DayIntervals = Type.Array(Interval);

export const CentreCardView = Type.Object({
  ...CentreSummaryView.properties,
  email: Nullable(Type.String()),
  website: Nullable(Type.String()),
  timeZone: Type.String(),
  active: Type.Boolean(),
  openingHours: Type.Object({
    monday: DayIntervals,
    tuesday: DayIntervals,
    wednesday: DayIntervals,
    thursday: DayIntervals,
    friday: DayIntervals,
    saturday: DayIntervals,
    sunday: DayIntervals,
  }),
  prices: Type.Array(
    Type.Object({
      controlType: ControlType,
      vehicleCategory: VehicleCategory,
      fuel: Nullable(Fuel),
      priceCents: Cents,
    }),
  ),
  currency: StringEnum(['EUR'] as const),
});

export function centreCardView(card: CentreCard) {
  const hours = Object.fromEntries(
    WEEKDAYS.map((day) => [day, card.openingHours[day].map(({ from, to }) => ({ from, to }))]),
  ) as Record<(typeof WEEKDAYS)[number], { from: string; to: string }[]>;
  return {
    ...centreSummaryView(card),
    email: card.email,
    website: card.website,
    timeZone: card.timeZone,
    active: card.active,
    openingHours: hours,
    prices: card.prices.map((entry) => ({
      controlType: entry.controlType,
      vehicleCategory: entry.vehicleCategory,
      fuel: entry.fuel,
      priceCents: entry.priceCents,
    })),
    currency: 'EUR' as const,
  };
}
