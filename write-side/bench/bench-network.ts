import { type CentreSetup, referencePriceList, weekOf } from '../src/centre/centre-setup.js';
import { addDaysToLocalDate, instantToLocal, weekdayOfLocalDate } from '../src/domain/shared/local-time.js';

/**
 * The benchmark's network: `count` centres shaped like real ones (split weekdays, Saturday morning,
 * 2 to 4 inspectors with VL/L/GAZ accreditations, the default policy), and the placements thrown at
 * them: a random centre, one of the next 30 open days, a start on the 15-minute grid inside opening
 * hours, a vehicle profile in realistic proportions.
 */

const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'] as const;
const MORNING = { from: '08:00', to: '12:00' };
const AFTERNOON = { from: '13:30', to: '18:30' };
const SATURDAY = { from: '08:00', to: '12:00' };
const ACCREDITATIONS = [['VL', 'GAZ'], ['VL', 'L'], ['VL'], ['VL', 'L', 'GAZ']] as const;

export const BENCH_TENANT = 'bench-network';

export function benchCentreId(index: number): string {
  return `bench-${String(index).padStart(5, '0')}`;
}

export function benchCentre(index: number): CentreSetup {
  const centreId = benchCentreId(index);
  const inspectors = 2 + (index % 3);
  return {
    centreId,
    code: centreId.toUpperCase(),
    name: `Centre de contrôle ${index}`,
    address: `${1 + (index % 200)} avenue de la République`,
    postcode: `${String(1 + (index % 95)).padStart(2, '0')}100`,
    city: `Ville ${index}`,
    position: { lat: 43 + (index % 700) / 100, lon: -1 + (index % 800) / 100 },
    contact: { phone: `+334780${String(index).padStart(5, '0')}`, email: `${centreId}@example.fr` },
    openingHours: weekOf(WEEKDAYS, [MORNING, AFTERNOON], { saturday: [SATURDAY] }),
    priceList: referencePriceList((index % 7) * 100),
    inspectors: Array.from({ length: inspectors }, (_, i) => ({
      inspectorId: `insp-${i + 1}`,
      name: `Inspecteur ${i + 1}`,
      accreditations: [...(ACCREDITATIONS[i] ?? ['VL'])],
      week: weekOf(WEEKDAYS, [MORNING, AFTERNOON], { saturday: [SATURDAY] }),
    })),
  };
}

/** The next `count` days the centres are open (Sundays skipped), from tomorrow in Paris. */
export function openDays(from: Date, count: number): string[] {
  const days: string[] = [];
  let date = addDaysToLocalDate(instantToLocal(from).date, 1);
  while (days.length < count) {
    if (weekdayOfLocalDate(date) !== 7) days.push(date);
    date = addDaysToLocalDate(date, 1);
  }
  return days;
}

interface Profile {
  readonly weight: number;
  readonly controlType: 'CTP' | 'CTC';
  readonly category: 'VP' | 'VU' | 'Moto';
  readonly fuels: readonly ('Essence' | 'Diesel' | 'Hybride' | 'Gaz')[];
  readonly minutes: number;
}

const PROFILES: readonly Profile[] = [
  { weight: 70, controlType: 'CTP', category: 'VP', fuels: ['Essence', 'Diesel', 'Hybride'], minutes: 45 },
  { weight: 10, controlType: 'CTP', category: 'VP', fuels: ['Gaz'], minutes: 60 },
  { weight: 10, controlType: 'CTP', category: 'Moto', fuels: ['Essence'], minutes: 35 },
  { weight: 10, controlType: 'CTC', category: 'VU', fuels: ['Diesel'], minutes: 20 },
];

const LETTERS = 'ABCDEFGHJKLMNPQRTVXYZ';

/** A deterministic pseudo-random source (mulberry32), so runs are comparable. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');
const time = (minutes: number) => `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** A random start on the grid that fits `minutes` inside one opening interval of the day. */
function startFor(date: string, minutes: number, random: () => number): string {
  const intervals = weekdayOfLocalDate(date) === 6 ? [SATURDAY] : [MORNING, AFTERNOON];
  const starts: number[] = [];
  for (const interval of intervals) {
    for (let m = minutesOf(interval.from); m + minutes <= minutesOf(interval.to); m += 15) starts.push(m);
  }
  return `${date}T${time(starts[Math.floor(random() * starts.length)] ?? 480)}`;
}

function pickProfile(point: number): Profile {
  let left = point;
  for (const profile of PROFILES) {
    left -= profile.weight;
    if (left < 0) return profile;
  }
  return PROFILES[0] as Profile;
}

/** `count` JSON bodies of public placements, spread over the centres and days. */
export function placementBodies(
  count: number,
  centres: number,
  days: readonly string[],
  seed = 42,
): string[] {
  const random = seededRandom(seed);
  const totalWeight = PROFILES.reduce((sum, profile) => sum + profile.weight, 0);
  return Array.from({ length: count }, (_, i) => {
    const profile = pickProfile(random() * totalWeight);
    const date = days[Math.floor(random() * days.length)] ?? days[0]!;
    const letter = () => LETTERS.charAt(Math.floor(random() * LETTERS.length));
    return JSON.stringify({
      centreId: benchCentreId(Math.floor(random() * centres)),
      start: startFor(date, profile.minutes, random),
      controlType: profile.controlType,
      vehicle: {
        plate: `${letter()}${letter()}-${pad(1 + Math.floor(random() * 998), 3)}-${letter()}${letter()}`,
        category: profile.category,
        fuel: profile.fuels[Math.floor(random() * profile.fuels.length)] ?? 'Essence',
      },
      customer: { kind: 'private', name: `Client ${i}`, email: `client${i}@example.fr`, phone: '0612345678' },
      channel: i % 3 === 0 ? 'mobile' : 'web',
      paymentMode: i % 2 === 0 ? 'online' : 'on_site',
    });
  });
}
