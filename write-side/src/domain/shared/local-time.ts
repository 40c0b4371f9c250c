/**
 * Pure, DST-correct local time for the centres' time zone (Europe/Paris by default, any IANA zone).
 *
 * The domain speaks in local wall-clock values (`YYYY-MM-DD`, `HH:MM`) because that is what a
 * centre's opening hours, schedules and calendar streams are made of; instants (`Date`, UTC) are
 * needed only to compare with "now" (notice, horizon, hold expiry). The conversions rely on
 * `Intl.DateTimeFormat` (the runtime's tz database), so no library and no I/O.
 *
 * Local dates are handled as pure calendar values: arithmetic on them goes through `Date.UTC` and
 * never through an instant, so a DST change never shifts a date.
 */

export const DEFAULT_TIME_ZONE = 'Europe/Paris';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
export const MINUTES_PER_DAY = 1440;

const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;
const timePattern = /^([01]\d|2[0-3]):([0-5]\d)$/;

interface DateParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

function parseLocalDate(date: string): DateParts {
  const match = datePattern.exec(date);
  if (match) {
    const year = Number(match[1]);
    const month = Number(match[2]);
    const day = Number(match[3]);
    // Round-trip through Date.UTC rejects 2025-02-29, 2025-04-31 and friends.
    const probe = new Date(Date.UTC(year, month - 1, day));
    if (probe.getUTCFullYear() === year && probe.getUTCMonth() === month - 1 && probe.getUTCDate() === day) {
      return { year, month, day };
    }
  }
  throw new RangeError(`invalid local date ${JSON.stringify(date)}: expected an existing YYYY-MM-DD`);
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

function formatDateOfUtcMs(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
}

function utcMsOfLocalDate(date: string): number {
  const { year, month, day } = parseLocalDate(date);
  return Date.UTC(year, month - 1, day);
}

/** True when `date` is an existing `YYYY-MM-DD` calendar date. */
export function isValidLocalDate(date: string): boolean {
  try {
    parseLocalDate(date);
    return true;
  } catch {
    return false;
  }
}

/** True when `time` is `HH:MM` between 00:00 and 23:59. */
export function isValidLocalTime(time: string): boolean {
  return timePattern.test(time);
}

/** Minutes since local midnight of `HH:MM` (`'08:30'` → 510). Throws on a malformed time. */
export function minutesOfTime(time: string): number {
  const match = timePattern.exec(time);
  if (!match) throw new RangeError(`invalid local time ${JSON.stringify(time)}: expected HH:MM`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/**
 * `HH:MM` of a number of minutes since midnight (510 → `'08:30'`). Accepts 0..1439; 1440 is not a
 * time of the day (a `[from, to)` interval ending at midnight cannot be written with `HH:MM`).
 */
export function timeOfMinutes(minutes: number): string {
  if (!Number.isInteger(minutes) || minutes < 0 || minutes >= MINUTES_PER_DAY) {
    throw new RangeError(`minutes ${minutes} out of range 0..1439`);
  }
  return `${pad(Math.floor(minutes / 60), 2)}:${pad(minutes % 60, 2)}`;
}

/** The local date `n` days after `date` (negative `n` goes back). Pure calendar arithmetic. */
export function addDaysToLocalDate(date: string, n: number): string {
  if (!Number.isInteger(n)) throw new RangeError(`day count ${n} is not an integer`);
  return formatDateOfUtcMs(utcMsOfLocalDate(date) + n * DAY_MS);
}

/** ISO weekday of a local date: 1 = Monday … 7 = Sunday. */
export function weekdayOfLocalDate(date: string): number {
  const sundayZero = new Date(utcMsOfLocalDate(date)).getUTCDay();
  return sundayZero === 0 ? 7 : sundayZero;
}

/** Whole days from `a` to `b` (`b - a`): positive when `b` is later. */
export function daysBetweenLocalDates(a: string, b: string): number {
  return Math.round((utcMsOfLocalDate(b) - utcMsOfLocalDate(a)) / DAY_MS);
}

// ---------------------------------------------------------------------------------------------
// Instants ↔ wall clock
// ---------------------------------------------------------------------------------------------

// Intl formatters are expensive to build and immutable: one per time zone for the process.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

interface WallClock extends DateParts {
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

/**
 * The wall clock of an instant in `timeZone`. Intl costs ~10-25 µs a call and this runs for every
 * hold and every placement, so the zone's offset is memoised per quarter hour of UTC: transitions
 * fall on quarter hours, at most one per quarter, so a quarter whose two ends have the same offset
 * has it throughout. A quarter with a transition (a few a year) always asks Intl.
 */
function wallClockOf(ms: number, timeZone: string): WallClock {
  const offset = quarterOffset(ms, timeZone);
  if (offset === undefined) return intlWallClockOf(ms, timeZone);
  const wall = new Date(ms + offset);
  return {
    year: wall.getUTCFullYear(),
    month: wall.getUTCMonth() + 1,
    day: wall.getUTCDate(),
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
    second: wall.getUTCSeconds(),
  };
}

const QUARTER_MS = 15 * MINUTE_MS;
const quarterOffsets = new Map<string, number>();
const QUARTER_OFFSET_LIMIT = 50_000;

/** The zone's offset (ms) in force during the whole quarter hour of `ms`; undefined if it changes. */
function quarterOffset(ms: number, timeZone: string): number | undefined {
  const quarter = Math.floor(ms / QUARTER_MS);
  const key = `${timeZone}|${quarter}`;
  let offset = quarterOffsets.get(key);
  if (offset === undefined) {
    const start = quarter * QUARTER_MS;
    const first = intlOffsetAt(start, timeZone);
    const last = intlOffsetAt(start + QUARTER_MS - 1000, timeZone);
    offset = first === last ? first : Number.NaN;
    if (quarterOffsets.size >= QUARTER_OFFSET_LIMIT) quarterOffsets.clear();
    quarterOffsets.set(key, offset);
  }
  return Number.isNaN(offset) ? undefined : offset;
}

function intlWallClockOf(ms: number, timeZone: string): WallClock {
  const fields: Record<string, number> = {};
  for (const part of formatterOf(timeZone).formatToParts(new Date(ms))) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  const field = (name: string): number => {
    const value = fields[name];
    if (value === undefined || Number.isNaN(value))
      throw new RangeError(`Intl gave no ${name} for ${timeZone}`);
    return value;
  };
  return {
    year: field('year'),
    month: field('month'),
    day: field('day'),
    hour: field('hour'),
    minute: field('minute'),
    second: field('second'),
  };
}

/** The zone's offset from UTC at an instant, in ms (Paris: +3,600,000 in winter, +7,200,000 in summer). */
function offsetAt(ms: number, timeZone: string): number {
  return offsetOfWallClock(wallClockOf(ms, timeZone), ms);
}

function intlOffsetAt(ms: number, timeZone: string): number {
  return offsetOfWallClock(intlWallClockOf(ms, timeZone), ms);
}

function offsetOfWallClock(wall: WallClock, ms: number): number {
  const wallAsUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  // Intl has second precision: drop the sub-second part of the instant before subtracting.
  return wallAsUtc - (ms - (((ms % 1000) + 1000) % 1000));
}

/**
 * The instant of a local date and time in `timeZone`.
 *
 * Daylight-saving changes (same rule as Temporal's `disambiguation: 'compatible'`):
 * - **Gap** (spring forward, e.g. Paris 29 March 2026 02:00–02:59 does not exist): the time is
 *   read with the offset in force *before* the change, which lands the same number of minutes
 *   after the gap: `02:30` → 03:30 CEST (`2026-03-29T01:30:00Z`).
 * - **Overlap** (fall back, e.g. Paris 25 October 2026 02:00–02:59 happens twice): the *earlier*
 *   instant is returned (summer time): `02:30` → 02:30 CEST (`2026-10-25T00:30:00Z`).
 * Centres are never open at those hours, so neither case reaches a real slot; the rule only makes
 * the function total and deterministic.
 */
export function localDateTimeToInstant(
  date: string,
  time: string,
  timeZone: string = DEFAULT_TIME_ZONE,
): Date {
  const { year, month, day } = parseLocalDate(date);
  const minutes = minutesOfTime(time);
  const wallMs = Date.UTC(year, month - 1, day, Math.floor(minutes / 60), minutes % 60);
  const offsets = dayOffsets(date, timeZone);
  return new Date(
    offsets.first === offsets.last ? wallMs - offsets.first : instantOfWallClock(wallMs, timeZone),
  );
}

/** The general conversion of a wall-clock reading (as if UTC) to an instant, with the rule above. */
function instantOfWallClock(wallMs: number, timeZone: string): number {
  // The offsets a day either side bracket any single transition near this wall time.
  const before = offsetAt(wallMs - DAY_MS, timeZone);
  const after = offsetAt(wallMs + DAY_MS, timeZone);
  const candidates = [wallMs - before, wallMs - after]
    .filter((instant) => instant + offsetAt(instant, timeZone) === wallMs)
    .sort((a, b) => a - b);
  return candidates[0] ?? wallMs - before;
}

interface DayOffsets {
  /** Offset in force just before 00:00 and at 23:59 local time; equal on a day without a change. */
  readonly first: number;
  readonly last: number;
}

// Intl calls cost ~10 µs each; a day's offsets never change, and the dates in use at any time are
// few (a booking horizon), so they are memoised. The cache is bounded and only ever holds facts.
const dayOffsetCache = new Map<string, DayOffsets>();
const DAY_OFFSET_CACHE_LIMIT = 10_000;

function dayOffsets(date: string, timeZone: string): DayOffsets {
  const key = `${timeZone}|${date}`;
  let offsets = dayOffsetCache.get(key);
  if (!offsets) {
    const midnight = utcMsOfLocalDate(date);
    const firstInstant = instantOfWallClock(midnight, timeZone);
    const lastInstant = instantOfWallClock(midnight + (MINUTES_PER_DAY - 1) * MINUTE_MS, timeZone);
    // `first` is read just before the day starts, so a change at midnight itself takes the slow path.
    offsets = { first: offsetAt(firstInstant - MINUTE_MS, timeZone), last: offsetAt(lastInstant, timeZone) };
    if (dayOffsetCache.size >= DAY_OFFSET_CACHE_LIMIT) dayOffsetCache.clear();
    dayOffsetCache.set(key, offsets);
  }
  return offsets;
}

export interface LocalInstant {
  /** Local date `YYYY-MM-DD`. */
  readonly date: string;
  /** Local time `HH:MM` (seconds dropped). */
  readonly time: string;
  /** ISO weekday of the local date: 1 = Monday … 7 = Sunday. */
  readonly weekday: number;
  /** Minutes since local midnight (0..1439). */
  readonly minutes: number;
}

/** The local date, time, weekday and minutes-since-midnight of an instant in `timeZone`. */
export function instantToLocal(instant: Date, timeZone: string = DEFAULT_TIME_ZONE): LocalInstant {
  const ms = instant.getTime();
  if (Number.isNaN(ms)) throw new RangeError('invalid instant');
  const wall = wallClockOf(ms, timeZone);
  const date = `${pad(wall.year, 4)}-${pad(wall.month, 2)}-${pad(wall.day, 2)}`;
  const minutes = wall.hour * 60 + wall.minute;
  return { date, time: timeOfMinutes(minutes), weekday: weekdayOfLocalDate(date), minutes };
}

/** Adds whole minutes to an instant (a convenience for expiry and notice computations). */
export function addMinutesToInstant(instant: Date, minutes: number): Date {
  return new Date(instant.getTime() + minutes * MINUTE_MS);
}

/**
 * Instants of the wall-clock minutes of one local day, for code that converts many times of the
 * same day (availability walks a whole day). On the ~363 days a year without a change the offset is
 * constant and the conversion is arithmetic; on a change day every minute goes through
 * `localDateTimeToInstant`.
 */
export interface LocalDayClock {
  readonly date: string;
  readonly timeZone: string;
  /** False on a daylight-saving change day. */
  readonly constantOffset: boolean;
  /** The instant of a wall-clock minute, or `undefined` when that minute does not exist (spring-forward gap). */
  instantOf(minutes: number): Date | undefined;
  /**
   * The instant at which an interval ending at this wall-clock minute ends (0..1440). A minute in
   * the gap is read like `localDateTimeToInstant` does, so `[01:30, 02:00)` on 29 March 2026 ends
   * at 03:00 CEST, the instant the clocks jump.
   */
  boundaryInstantOf(minutes: number): Date;
  /** `instantOf` as epoch ms, `NaN` for a minute in the gap (no `Date` allocated: hot loops). */
  instantMsOf(minutes: number): number;
  /** `boundaryInstantOf` as epoch ms. */
  boundaryMsOf(minutes: number): number;
}

/**
 * A change day's conversions, memoised per minute: on such a day every minute goes through Intl
 * (~10 µs a call) and availability asks for the same minutes for every vehicle class. Change days
 * are two a year per zone, so a small bounded cache holds them all; it only ever holds facts.
 */
interface ChangeDayMinutes {
  /** Boundary instant of minute 0..1440, `NaN` until computed. */
  readonly boundary: Float64Array;
  /** Whether minute 0..1439 exists: 0 unknown, 1 yes, 2 no (in the gap). */
  readonly exists: Uint8Array;
}

const changeDayCache = new Map<string, ChangeDayMinutes>();
const CHANGE_DAY_CACHE_LIMIT = 64;

function changeDayMinutes(date: string, timeZone: string): ChangeDayMinutes {
  const key = `${timeZone}|${date}`;
  let minutes = changeDayCache.get(key);
  if (!minutes) {
    minutes = {
      boundary: new Float64Array(MINUTES_PER_DAY + 1).fill(Number.NaN),
      exists: new Uint8Array(MINUTES_PER_DAY),
    };
    if (changeDayCache.size >= CHANGE_DAY_CACHE_LIMIT) changeDayCache.clear();
    changeDayCache.set(key, minutes);
  }
  return minutes;
}

function isMinuteOfDay(minutes: number, last: number): boolean {
  return Number.isInteger(minutes) && minutes >= 0 && minutes <= last;
}

export function localDayClock(date: string, timeZone: string = DEFAULT_TIME_ZONE): LocalDayClock {
  const midnightUtc = utcMsOfLocalDate(date);
  const { first, last } = dayOffsets(date, timeZone);
  if (first === last) {
    const instantMsOf = (minutes: number): number => midnightUtc + minutes * MINUTE_MS - first;
    const instantOf = (minutes: number): Date => new Date(instantMsOf(minutes));
    return {
      date,
      timeZone,
      constantOffset: true,
      instantOf,
      boundaryInstantOf: instantOf,
      instantMsOf,
      boundaryMsOf: instantMsOf,
    };
  }
  const computeBoundaryMs = (minutes: number): number =>
    (minutes === MINUTES_PER_DAY
      ? localDateTimeToInstant(addDaysToLocalDate(date, 1), '00:00', timeZone)
      : localDateTimeToInstant(date, timeOfMinutes(minutes), timeZone)
    ).getTime();
  const cache = changeDayMinutes(date, timeZone);
  const boundaryMsOf = (minutes: number): number => {
    // Out-of-range minutes take the uncached path, which throws like it always did.
    if (!isMinuteOfDay(minutes, MINUTES_PER_DAY)) return computeBoundaryMs(minutes);
    let ms = cache.boundary[minutes] ?? Number.NaN;
    if (Number.isNaN(ms)) {
      ms = computeBoundaryMs(minutes);
      cache.boundary[minutes] = ms;
    }
    return ms;
  };
  const instantMsOf = (minutes: number): number => {
    const ms = boundaryMsOf(minutes);
    if (!isMinuteOfDay(minutes, MINUTES_PER_DAY - 1)) {
      return instantToLocal(new Date(ms), timeZone).minutes === minutes ? ms : Number.NaN;
    }
    let exists = cache.exists[minutes] ?? 0;
    if (exists === 0) {
      // A minute in the gap comes back shifted: it does not exist on this day.
      exists = instantToLocal(new Date(ms), timeZone).minutes === minutes ? 1 : 2;
      cache.exists[minutes] = exists;
    }
    return exists === 1 ? ms : Number.NaN;
  };
  return {
    date,
    timeZone,
    constantOffset: false,
    instantOf: (minutes) => {
      const ms = instantMsOf(minutes);
      return Number.isNaN(ms) ? undefined : new Date(ms);
    },
    boundaryInstantOf: (minutes) => new Date(boundaryMsOf(minutes)),
    instantMsOf,
    boundaryMsOf,
  };
}
