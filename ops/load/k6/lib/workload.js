// Shared by the k6 scripts of this folder: the Monday-morning arrival profile, the network under test
// (centre ids, days) and random test data. Plain ES2015 modules, as k6 runs them (no Node APIs).

/**
 * The seed specification's peak: "pics … lundi 10h-12h" (Monday 10:00–12:00), load-tested at
 * 1,000 booking creations per second. As (clock time, share of the peak rate): the morning climbs from
 * 09:30, holds the peak through 10:15–11:30, and ebbs after noon.
 */
export const MONDAY_MORNING = [
  { at: '09:30', share: 0.1 },
  { at: '10:00', share: 0.7 },
  { at: '10:15', share: 1 },
  { at: '11:30', share: 1 },
  { at: '12:00', share: 0.6 },
  { at: '12:30', share: 0.1 },
];

function clockMinutes(hhmm) {
  const parts = hhmm.split(':');
  return Number(parts[0]) * 60 + Number(parts[1]);
}

function envNumber(env, name, fallback) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${name} must be a positive number, got '${raw}'`);
  return value;
}

/**
 * `ramping-arrival-rate` stages following `profile`, each clock minute lasting `secondsPerMinute`
 * seconds of test (5 by default: the three hours of MONDAY_MORNING take 15 minutes).
 */
export function peakStages(peakRate, secondsPerMinute, profile) {
  const points = profile || MONDAY_MORNING;
  const stages = [];
  for (let i = 1; i < points.length; i++) {
    const minutes = clockMinutes(points[i].at) - clockMinutes(points[i - 1].at);
    stages.push({
      duration: `${Math.max(1, Math.round(minutes * secondsPerMinute))}s`,
      target: Math.round(points[i].share * peakRate),
    });
  }
  return stages;
}

/**
 * The k6 scenario for one load profile, chosen with PROFILE:
 *   peak      (default) MONDAY_MORNING scaled to PEAK_RATE requests/s, TIME_SCALE s per clock minute
 *   constant  PEAK_RATE requests/s for DURATION (default 5m)
 *   smoke     5 requests/s for 30 s: checks the script and the routes, not the performance
 * VUS and MAX_VUS override the virtual users k6 pre-allocates and may add.
 */
export function arrivalScenario(env, defaults) {
  const profile = env.PROFILE || 'peak';
  const peakRate = envNumber(env, 'PEAK_RATE', defaults.peakRate);
  const preAllocatedVUs = envNumber(env, 'VUS', defaults.preAllocatedVUs);
  const maxVUs = Math.max(preAllocatedVUs, envNumber(env, 'MAX_VUS', defaults.maxVUs));
  switch (profile) {
    case 'peak': {
      const secondsPerMinute = envNumber(env, 'TIME_SCALE', 5);
      return {
        executor: 'ramping-arrival-rate',
        startRate: Math.round(MONDAY_MORNING[0].share * peakRate),
        timeUnit: '1s',
        preAllocatedVUs,
        maxVUs,
        stages: peakStages(peakRate, secondsPerMinute, MONDAY_MORNING),
      };
    }
    case 'constant':
      return {
        executor: 'constant-arrival-rate',
        rate: peakRate,
        timeUnit: '1s',
        duration: env.DURATION || '5m',
        preAllocatedVUs,
        maxVUs,
      };
    case 'smoke':
      return {
        executor: 'constant-arrival-rate',
        rate: 5,
        timeUnit: '1s',
        duration: '30s',
        preAllocatedVUs: 5,
        maxVUs: 20,
      };
    default:
      throw new Error(`PROFILE must be peak, constant or smoke, got '${profile}'`);
  }
}

/** The API's base URL: BASE_URL without a trailing slash (default http://localhost:3000). */
export function baseUrl(env) {
  return (env.BASE_URL || 'http://localhost:3000').replace(/\/+$/, '');
}

/**
 * Centre ids of the network under test (e.g. seeded with `pti seed --centres 2000 --days 30`), from
 * CENTRE_IDS (comma-separated) or the text of CENTRES_FILE: one id per line (# comments and blank lines
 * ignored), or a JSON array of ids.
 */
export function parseCentreIds(text) {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    const ids = JSON.parse(trimmed);
    if (!Array.isArray(ids)) throw new Error('CENTRES_FILE: expected a JSON array of centre ids');
    return ids.map(String).filter((id) => id.length > 0);
  }
  return trimmed
    .split(/[\r\n,]+/)
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter((id) => id.length > 0);
}

export function pick(items) {
  return items[Math.floor(Math.random() * items.length)];
}

function pad2(n) {
  return n < 10 ? `0${n}` : String(n);
}

/** YYYY-MM-DD of `date` (UTC calendar day). */
export function isoDay(date) {
  return `${date.getUTCFullYear()}-${pad2(date.getUTCMonth() + 1)}-${pad2(date.getUTCDate())}`;
}

/** A random day among the next `days` days (tomorrow first), as a Date at 00:00 UTC. */
export function randomDay(days, options) {
  const skipSundays = Boolean(options?.skipSundays);
  const today = new Date();
  const start = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  for (;;) {
    const day = new Date(start + (1 + Math.floor(Math.random() * days)) * 86400000);
    if (!skipSundays || day.getUTCDay() !== 0) return day;
  }
}

/** Adds `count` days to a YYYY-MM-DD day. */
export function addDays(day, count) {
  const parts = day.split('-').map(Number);
  return isoDay(new Date(Date.UTC(parts[0], parts[1] - 1, parts[2]) + count * 86400000));
}

/** A random start on the grid `first`..`last` (HH:MM, local time of the centre) every `stepMinutes`. */
export function randomStartTime(first, last, stepMinutes) {
  const from = clockMinutes(first);
  const slots = Math.floor((clockMinutes(last) - from) / stepMinutes) + 1;
  const minutes = from + Math.floor(Math.random() * slots) * stepMinutes;
  return `${pad2(Math.floor(minutes / 60))}:${pad2(minutes % 60)}`;
}

/** A random RFC 4122 version 4 UUID (Idempotency-Key, unique test data). */
export function uuidv4() {
  let out = '';
  for (let i = 0; i < 36; i++) {
    if (i === 8 || i === 13 || i === 18 || i === 23) out += '-';
    else if (i === 14) out += '4';
    else if (i === 19) out += '89ab'[Math.floor(Math.random() * 4)];
    else out += '0123456789abcdef'[Math.floor(Math.random() * 16)];
  }
  return out;
}

// SIV plates (AA-123-AA) never use I, O or U.
const PLATE_LETTERS = 'ABCDEFGHJKLMNPQRSTVWXYZ';

function letters(count) {
  let out = '';
  for (let i = 0; i < count; i++) out += PLATE_LETTERS[Math.floor(Math.random() * PLATE_LETTERS.length)];
  return out;
}

function digits(count) {
  let out = '';
  for (let i = 0; i < count; i++) out += String(Math.floor(Math.random() * 10));
  return out;
}

export function randomPlate() {
  return `${letters(2)}-${String(1 + Math.floor(Math.random() * 999)).padStart(3, '0')}-${letters(2)}`;
}

const FIRST_NAMES = [
  'Camille',
  'Léa',
  'Manon',
  'Chloé',
  'Inès',
  'Lucas',
  'Hugo',
  'Louis',
  'Jules',
  'Gabriel',
];
const LAST_NAMES = [
  'Martin',
  'Bernard',
  'Dubois',
  'Thomas',
  'Robert',
  'Richard',
  'Petit',
  'Durand',
  'Leroy',
  'Moreau',
];

/** A made-up private customer: name, unique email on a reserved domain, French mobile number. */
export function randomCustomer() {
  const first = pick(FIRST_NAMES);
  const last = pick(LAST_NAMES);
  return {
    name: `${first} ${last}`,
    email: `loadtest+${uuidv4().slice(0, 13)}@example.org`,
    phone: `+336${digits(8)}`,
  };
}
