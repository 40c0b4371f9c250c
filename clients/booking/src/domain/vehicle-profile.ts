/**
 * The vehicle profile asked first: it decides duration, price and which centres can serve.
 * Values are the API's; labels are French.
 */

export const VEHICLE_CATEGORIES = ['VP', 'VU', 'Moto', 'Cyclo'] as const;
export const FUELS = ['Essence', 'Diesel', 'Gaz', 'Hybride', 'Electrique'] as const;
export const CONTROL_TYPES = ['CTP', 'CVP', 'CV', 'CTC', 'CVC'] as const;

export type VehicleCategory = (typeof VEHICLE_CATEGORIES)[number];
export type Fuel = (typeof FUELS)[number];
export type ControlType = (typeof CONTROL_TYPES)[number];

export interface VehicleProfile {
  readonly category: VehicleCategory;
  readonly fuel: Fuel;
  readonly controlType: ControlType;
}

export const DEFAULT_PROFILE: VehicleProfile = { category: 'VP', fuel: 'Essence', controlType: 'CTP' };

export const CATEGORY_LABELS: Record<VehicleCategory, string> = {
  VP: 'Voiture particulière',
  VU: 'Utilitaire léger',
  Moto: 'Moto, tricycle, quad',
  Cyclo: 'Cyclomoteur, voiturette',
};

export const FUEL_LABELS: Record<Fuel, string> = {
  Essence: 'Essence',
  Diesel: 'Diesel',
  Gaz: 'GPL / GNV',
  Hybride: 'Hybride',
  Electrique: 'Électrique',
};

export const CONTROL_LABELS: Record<ControlType, string> = {
  CTP: 'Contrôle technique périodique',
  CVP: 'Contre-visite',
  CV: 'Contrôle volontaire',
  CTC: 'Contrôle complémentaire (pollution)',
  CVC: 'Contre-visite complémentaire',
};

const isOneOf = <T extends string>(values: readonly T[], value: unknown): value is T =>
  typeof value === 'string' && (values as readonly string[]).includes(value);

/** A profile from untrusted search parameters, each missing or unknown field defaulted. */
export function profileFrom(search: Record<string, unknown>): VehicleProfile {
  return {
    category: isOneOf(VEHICLE_CATEGORIES, search.category) ? search.category : DEFAULT_PROFILE.category,
    fuel: isOneOf(FUELS, search.fuel) ? search.fuel : DEFAULT_PROFILE.fuel,
    controlType: isOneOf(CONTROL_TYPES, search.controlType)
      ? search.controlType
      : DEFAULT_PROFILE.controlType,
  };
}

/** Motorcycles and mopeds have no LPG/CNG line nor complementary controls. */
export function fuelsFor(category: VehicleCategory): readonly Fuel[] {
  return category === 'Moto' || category === 'Cyclo' ? FUELS.filter((fuel) => fuel !== 'Gaz') : FUELS;
}

export function controlTypesFor(category: VehicleCategory): readonly ControlType[] {
  return category === 'Moto' || category === 'Cyclo' ? ['CTP', 'CVP', 'CV'] : CONTROL_TYPES;
}

export function formatEuros(cents: number): string {
  return new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' }).format(cents / 100);
}

/** A booking's price in words: a free contre-visite says so rather than "0,00 €". */
export function priceText(cents: number, controlType?: string): string {
  if (cents > 0) return formatEuros(cents);
  return controlType === 'CVP' || controlType === 'CVC' ? 'Gratuite (contre-visite)' : 'Gratuit';
}
