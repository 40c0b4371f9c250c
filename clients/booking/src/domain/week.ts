/**
 * The centre page's week: seven local dates from a Monday, each with its free start times and a
 * load level. The API gives free starts, not capacity, so a day's load is read from how many
 * starts remain relative to the freest day around it; levels carry a word, never colour alone.
 */

export type LoadLevel = 'closed' | 'full' | 'busy' | 'moderate' | 'free';

export interface WeekDay {
  readonly date: string;
  readonly starts: readonly string[];
  readonly level: LoadLevel;
  readonly past: boolean;
}

export const LOAD_LABELS: Record<LoadLevel, string> = {
  closed: 'Fermé',
  full: 'Complet',
  busy: 'Peu de créneaux',
  moderate: 'Quelques créneaux',
  free: 'Nombreux créneaux',
};

const DAY_MS = 86_400_000;

const toUtc = (date: string): number => Date.parse(`${date}T00:00:00Z`);
const fromUtc = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

export function addDays(date: string, days: number): string {
  return fromUtc(toUtc(date) + days * DAY_MS);
}

/** The Monday on or before a date. */
export function mondayOf(date: string): string {
  const weekday = new Date(toUtc(date)).getUTCDay(); // 0 Sunday
  return addDays(date, -((weekday + 6) % 7));
}

export function weekDates(monday: string): string[] {
  return Array.from({ length: 7 }, (_, i) => addDays(monday, i));
}

/** Today's date in Paris (the centres' time zone). */
export function todayInParis(now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Paris',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
}

export function loadLevel(freeStarts: number, freest: number, open: boolean): LoadLevel {
  if (!open) return 'closed';
  if (freeStarts === 0) return 'full';
  const ratio = freeStarts / Math.max(freest, 1);
  if (ratio < 0.34) return 'busy';
  if (ratio < 0.67) return 'moderate';
  return 'free';
}

/**
 * The week from `monday`, given the availability days the API returned and which weekdays the
 * centre opens (`isOpen`). Days before `today` are past; days the API did not cover have no starts.
 */
export function buildWeek(
  monday: string,
  days: readonly { readonly date: string; readonly starts: readonly string[] }[],
  today: string,
  isOpen: (date: string) => boolean,
): WeekDay[] {
  const byDate = new Map(days.map((day) => [day.date, day.starts]));
  const freest = Math.max(0, ...days.map((day) => day.starts.length));
  return weekDates(monday).map((date) => {
    const starts = byDate.get(date) ?? [];
    const past = date < today;
    return { date, starts, past, level: past ? 'closed' : loadLevel(starts.length, freest, isOpen(date)) };
  });
}

const WEEKDAY_KEYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
export type WeekdayKey = (typeof WEEKDAY_KEYS)[number];

export function weekdayKey(date: string): WeekdayKey {
  return WEEKDAY_KEYS[new Date(toUtc(date)).getUTCDay()] ?? 'monday';
}

export function formatDay(date: string, style: 'long' | 'short' = 'long'): string {
  return new Intl.DateTimeFormat('fr-FR', {
    weekday: style,
    day: 'numeric',
    month: style,
    timeZone: 'UTC',
  }).format(new Date(toUtc(date)));
}

export function formatDateTime(local: string): string {
  const [date, time] = local.split('T');
  return `${formatDay(date ?? '')} à ${(time ?? '').slice(0, 5).replace(':', 'h')}`;
}

/** The later of two local dates (`YYYY-MM-DD` compares as text). */
export function laterDate(a: string, b: string): string {
  return a.localeCompare(b) >= 0 ? a : b;
}
