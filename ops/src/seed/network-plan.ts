import type { Accreditation, PriceEntry, WeeklyHours } from '@pti/events';
import { type CentreSetup, type InspectorSetup, referencePriceList, weekOf } from '@pti/write-side';
import { FRENCH_SURNAMES } from './french-surnames.js';
import { frenchTowns, round5, type Town } from './french-towns.js';
import { type Random, randomFor, seededUuid } from './seed-random.js';

/**
 * The shape of a generated network, as data: tenants (networks of centres), and per centre the
 * `CentreSetup` the write side's `setUpCentre` runs through the command handlers. Everything is
 * drawn from `seed`: the same seed gives the same ids, towns, hours, inspectors and prices.
 */
export interface TenantPlan {
  readonly tenantId: string;
  readonly name: string;
  /** Prefix of the centre codes. */
  readonly code: string;
}

export interface CentrePlan {
  readonly index: number;
  readonly tenantId: string;
  readonly town: Town;
  readonly setup: CentreSetup;
}

export interface NetworkPlan {
  readonly seed: number;
  readonly tenants: readonly TenantPlan[];
  readonly centres: readonly CentrePlan[];
}

export interface NetworkPlanOptions {
  readonly seed: number;
  readonly centres: number;
  readonly tenants: number;
  /** Ids are derived from this namespace too (the small network uses its own). Default `pti-seed`. */
  readonly namespace?: string;
}

/** Fictional networks (no real brand): the first ones are the largest. */
const NETWORKS: readonly { name: string; code: string; domain: string }[] = [
  { name: 'CT Horizon', code: 'HRZ', domain: 'ct-horizon' },
  { name: 'Contrôle Hexagone', code: 'HEX', domain: 'controle-hexagone' },
  { name: 'Vigie Auto', code: 'VIG', domain: 'vigie-auto' },
  { name: 'Point Contrôle', code: 'PTC', domain: 'point-controle' },
  { name: 'Cap Contrôle', code: 'CAP', domain: 'cap-controle' },
  { name: 'Auto Bilan Réseau', code: 'ABR', domain: 'auto-bilan' },
  { name: 'Trajectoire CT', code: 'TRJ', domain: 'trajectoire-ct' },
  { name: 'Route Sûre', code: 'RSR', domain: 'route-sure' },
];

const FIRST_NAMES = [
  'Julien',
  'Sarah',
  'Karim',
  'Émilie',
  'Thomas',
  'Léa',
  'Hugo',
  'Nicolas',
  'Manon',
  'Antoine',
  'Camille',
  'Mehdi',
  'Pauline',
  'Sébastien',
  'Chloé',
  'Maxime',
  'Inès',
  'Romain',
  'Laura',
  'Kevin',
  'Sophie',
  'Yannick',
  'Nadia',
  'Guillaume',
  'Clara',
  'Olivier',
  'Amandine',
  'Rachid',
  'Élodie',
  'Jérôme',
  'Mathieu',
  'Aurélie',
  'Franck',
  'Lucie',
  'Benoît',
  'Fatima',
  'Damien',
  'Céline',
  'Loïc',
  'Marine',
] as const;
const STREETS = [
  'avenue de la République',
  'rue Jean Jaurès',
  'boulevard Gambetta',
  'rue Victor Hugo',
  'avenue du Général de Gaulle',
  'rue de la Gare',
  'rue Pasteur',
  'avenue Jean Moulin',
  "rue de l'Industrie",
  'rue des Artisans',
  'route Nationale',
  'zone artisanale du Moulin',
  'rue du Commerce',
  'avenue de Verdun',
  'rue Émile Zola',
  'chemin des Prés',
  'rue de la Paix',
  'avenue Foch',
  'rue des Entrepreneurs',
  'boulevard de l’Europe',
] as const;

type Interval = { from: string; to: string };
const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'] as const;

/** Opening-hour patterns seen in real centres, with how common each is. */
interface HoursPattern {
  readonly weight: number;
  readonly weekday: readonly Interval[];
  readonly saturday: readonly Interval[];
  /** The inspectors' shifts inside those hours (a continuous day needs two teams). */
  readonly shifts: readonly (readonly Interval[])[];
}

const HOURS_PATTERNS: readonly HoursPattern[] = [
  {
    weight: 50,
    weekday: [
      { from: '08:00', to: '12:00' },
      { from: '13:30', to: '18:00' },
    ],
    saturday: [{ from: '08:00', to: '12:00' }],
    shifts: [
      [
        { from: '08:00', to: '12:00' },
        { from: '13:30', to: '18:00' },
      ],
    ],
  },
  {
    weight: 20,
    weekday: [{ from: '07:30', to: '19:00' }],
    saturday: [{ from: '08:00', to: '12:30' }],
    shifts: [
      [
        { from: '07:30', to: '12:00' },
        { from: '13:00', to: '16:00' },
      ],
      [
        { from: '10:30', to: '14:00' },
        { from: '14:30', to: '19:00' },
      ],
    ],
  },
  {
    weight: 18,
    weekday: [
      { from: '08:30', to: '12:00' },
      { from: '14:00', to: '18:00' },
    ],
    saturday: [],
    shifts: [
      [
        { from: '08:30', to: '12:00' },
        { from: '14:00', to: '18:00' },
      ],
    ],
  },
  {
    weight: 12,
    weekday: [
      { from: '08:00', to: '12:00' },
      { from: '14:00', to: '18:30' },
    ],
    saturday: [
      { from: '08:00', to: '12:00' },
      { from: '14:00', to: '17:00' },
    ],
    shifts: [
      [
        { from: '08:00', to: '12:00' },
        { from: '14:00', to: '18:30' },
      ],
    ],
  },
];

/** How many inspectors a centre has (2 is the common case). */
const TEAM_SIZES = [
  { size: 1, weight: 12 },
  { size: 2, weight: 38 },
  { size: 3, weight: 28 },
  { size: 4, weight: 15 },
  { size: 5, weight: 7 },
] as const;

const ILE_DE_FRANCE = new Set(['75', '77', '78', '91', '92', '93', '94', '95']);
const NORTH_WEST = new Set([
  '14',
  '18',
  '22',
  '27',
  '28',
  '29',
  '35',
  '36',
  '37',
  '41',
  '44',
  '45',
  '49',
  '50',
  '53',
  '56',
  '61',
  '72',
  '76',
  '85',
]);
const NORTH_EAST = new Set([
  '02',
  '08',
  '10',
  '21',
  '25',
  '39',
  '51',
  '52',
  '54',
  '55',
  '57',
  '58',
  '59',
  '60',
  '62',
  '67',
  '68',
  '70',
  '71',
  '80',
  '88',
  '89',
  '90',
]);
const SOUTH_WEST = new Set([
  '09',
  '12',
  '16',
  '17',
  '19',
  '23',
  '24',
  '31',
  '32',
  '33',
  '40',
  '46',
  '47',
  '64',
  '65',
  '79',
  '81',
  '82',
  '86',
  '87',
]);

/** The French landline prefix of a département (01 Île-de-France … 05 south-west). */
function phonePrefix(departement: string): string {
  if (ILE_DE_FRANCE.has(departement)) return '1';
  if (NORTH_WEST.has(departement)) return '2';
  if (NORTH_EAST.has(departement)) return '3';
  if (SOUTH_WEST.has(departement)) return '5';
  return '4';
}

/**
 * The centre's prices: the reference list scaled by a local factor (0.86–1.24, so a car's CTP stays
 * within the published 67–97 €), dearer in Île-de-France and big cities, rounded to x.90 €.
 */
export function localPriceList(random: Random, town: Town): PriceEntry[] {
  const base = ILE_DE_FRANCE.has(town.departement) ? 1.08 : town.population > 100_000 ? 1.02 : 0.96;
  const factor = Math.min(1.24, Math.max(0.86, base + (random.next() - 0.5) * 0.2));
  return referencePriceList().map((entry) => ({
    ...entry,
    priceCents: Math.max(990, Math.round((entry.priceCents * factor) / 100) * 100 - 10),
  }));
}

function inspectorWeek(random: Random, pattern: HoursPattern, index: number, teamSize: number): WeeklyHours {
  const shift = pattern.shifts[index % pattern.shifts.length] ?? pattern.weekday;
  // Part-time: one weekday off for about a quarter of the inspectors of teams of 3 and more.
  const dayOff = teamSize >= 3 && random.chance(0.25) ? random.pick(WEEKDAYS) : null;
  const days = WEEKDAYS.filter((day) => day !== dayOff);
  // Saturdays by rotation: in teams of 2 and more, about half the inspectors work them.
  const worksSaturday =
    pattern.saturday.length > 0 && (teamSize === 1 || index % 2 === 0 || random.chance(0.3));
  return weekOf(days, shift, { saturday: worksSaturday ? pattern.saturday.map((i) => ({ ...i })) : [] });
}

function inspectors(random: Random, namespace: string, seed: number, index: number, pattern: HoursPattern) {
  const teamSize = random.weighted(TEAM_SIZES, (t) => t.weight).size;
  const gasEquipped = random.chance(0.3);
  const heavy = random.chance(0.05);
  const list: InspectorSetup[] = [];
  for (let i = 0; i < teamSize; i += 1) {
    const accreditations: Accreditation[] = ['VL'];
    if (random.chance(0.35) || (i === 1 && teamSize >= 3)) accreditations.push('L');
    if (gasEquipped && (i === 0 || random.chance(0.5))) accreditations.push('GAZ');
    if (heavy && i === teamSize - 1) accreditations.push('PL');
    list.push({
      inspectorId: seededUuid(namespace, seed, 'inspector', index, i),
      name: `${random.pick(FIRST_NAMES)} ${random.pick(FRENCH_SURNAMES)}`,
      accreditations,
      week: inspectorWeek(random, pattern, i, teamSize),
    });
  }
  return list;
}

/** The towns of `count` centres, drawn with probability proportional to population (repeats allowed). */
function townsOf(random: Random, count: number): Town[] {
  const towns = frenchTowns();
  const cumulative: number[] = [];
  let total = 0;
  for (const town of towns) {
    total += town.population;
    cumulative.push(total);
  }
  return Array.from({ length: count }, () => {
    const point = random.next() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] ?? 0) <= point) lo = mid + 1;
      else hi = mid;
    }
    return towns[lo] as Town;
  });
}

function slug(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

export function planTenants(seed: number, count: number, namespace = 'pti-seed'): TenantPlan[] {
  return Array.from({ length: count }, (_, i) => {
    const known = NETWORKS[i];
    return {
      tenantId: seededUuid(namespace, seed, 'tenant', i),
      name: known?.name ?? `Réseau Contrôle ${i + 1}`,
      code: known?.code ?? `R${String(i + 1).padStart(2, '0')}`,
    };
  });
}

function tenantDomain(tenant: TenantPlan): string {
  return NETWORKS.find((n) => n.code === tenant.code)?.domain ?? slug(tenant.name);
}

export function planNetwork(options: NetworkPlanOptions): NetworkPlan {
  const namespace = options.namespace ?? 'pti-seed';
  const { seed } = options;
  const tenants = planTenants(seed, options.tenants, namespace);
  const random = randomFor(seed, `${namespace}:network`);
  const towns = townsOf(random, options.centres);
  const perTown = new Map<string, number>();
  const perCode = new Map<string, number>();
  const centres = towns.map((town, index): CentrePlan => {
    const r = randomFor(seed, `${namespace}:centre:${index}`);
    // A few large networks and a tail of smaller ones (weights 1, 1/2, 1/3, ...).
    const tenant = r.weighted(
      tenants.map((t, i) => ({ t, w: 1 / (i + 1) })),
      (x) => x.w,
    ).t;
    const nth = (perTown.get(town.insee) ?? 0) + 1;
    perTown.set(town.insee, nth);
    const codeKey = `${tenant.code}-${town.departement}`;
    const number = (perCode.get(codeKey) ?? 0) + 1;
    perCode.set(codeKey, number);
    const pattern = r.weighted(HOURS_PATTERNS, (p) => p.weight);
    const street = r.pick(STREETS);
    const suffix =
      nth > 1
        ? ` ${street.replace(/^(rue|avenue|boulevard|route|chemin|zone artisanale) (de la |du |des |de l'|de l’|de )?/i, '')}`
        : '';
    // Centres sit on the outskirts more than in the centre: up to ~4 km from the town's point.
    const km = 0.3 + r.next() * 3.7;
    const angle = r.next() * 2 * Math.PI;
    const code = `${codeKey}-${String(number).padStart(3, '0')}`;
    const setup: CentreSetup = {
      centreId: seededUuid(namespace, seed, 'centre', index),
      code,
      name: `${tenant.name} ${town.label}${suffix}`,
      address: `${r.int(1, 180)} ${street}`,
      postcode: town.postcode,
      city: town.city,
      position: {
        lat: round5(town.lat + (km / 111) * Math.sin(angle)),
        lon: round5(town.lon + (km / (111 * Math.cos((town.lat * Math.PI) / 180))) * Math.cos(angle)),
      },
      contact: {
        phone: `+33${phonePrefix(town.departement)}${String(r.int(10_000_000, 99_999_999))}`,
        email: `${code.toLowerCase()}@${tenantDomain(tenant)}.demo.pti-calendar.fr`,
      },
      openingHours: weekOf(WEEKDAYS, pattern.weekday, { saturday: pattern.saturday.map((i) => ({ ...i })) }),
      priceList: localPriceList(r, town),
      policy: {
        overbookingPercent: r.chance(0.8) ? 0 : r.pick([5, 10]),
        minimumNoticeMinutes: r.pick([60, 60, 120, 240]),
        horizonDays: r.pick([60, 90, 90, 120]),
        cancellationCutoffHours: r.chance(0.85) ? 24 : 48,
        freeContreVisiteDays: r.pick([0, 0, 30, 60]),
      },
      inspectors: inspectors(r, namespace, seed, index, pattern),
    };
    return { index, tenantId: tenant.tenantId, town, setup };
  });
  return { seed, tenants, centres };
}
