import type { Cache, SqlExecutor } from '@pti/platform';
import {
  addDaysToLocalDate,
  DEFAULT_DURATION_MATRIX,
  DEFAULT_TIME_ZONE,
  type DurationMatrix,
  daysBetweenLocalDates,
  instantToLocal,
  localDayClock,
  timeOfMinutes,
} from '@pti/write-side/domain';
import { type ProjectionLayout, projectionLayout } from '../runtime/layout.js';
import type { LiveGenerations } from '../runtime/live.js';
import { readProjectionCache } from '../runtime/projection-cache.js';
import { decodeStarts, type EncodedStart, type FreeStart } from './availability-compute.js';
import { type CachedDay, type CachedFirstDays, dayKey, firstKey } from './availability-projector.js';
import { profileClassId, type VehicleProfileQuery } from './profile-classes.js';

/**
 * Read functions of the availability read model, for the read API. Redis first (the live
 * generation's keys), PostgreSQL (`rm.availability_days`) for whatever Redis does not hold, and
 * the clock-dependent filters (minimum notice, horizon) applied here with the real time.
 */
export interface AvailabilityReadDeps {
  /** Any executor: availability is public (no RLS). */
  readonly db: SqlExecutor;
  readonly cache?: Cache;
  /** Needed with `cache`: resolves the live generation's key prefix. */
  readonly live?: LiveGenerations;
  readonly layout?: ProjectionLayout;
  readonly durationMatrix?: DurationMatrix;
  /**
   * How long a first-days value read from Redis is reused in process (ms; default 0: read every
   * time). The searches ask the same centres' first days over and over (every search around a
   * town); with 1,000 a search shows first slots at most a second older than Redis.
   */
  readonly firstDaysMemoMs?: number;
}

export interface AvailabilityQuery {
  readonly centreId: string;
  /** First local day, `YYYY-MM-DD`, inclusive. */
  readonly from: string;
  /** Last local day, inclusive (at most 92 days after `from`). */
  readonly to: string;
  readonly profile: VehicleProfileQuery;
  readonly now?: Date;
}

export interface DayStarts {
  readonly date: string;
  readonly starts: readonly FreeStart[];
}

interface StoredDay {
  readonly day: string;
  readonly timeZone: string;
  readonly minimumNoticeMinutes: number;
  readonly horizonDays: number;
  readonly active: boolean;
  readonly durationMinutes: number;
  readonly starts: readonly EncodedStart[];
}

interface DayRow {
  day: string;
  time_zone: string;
  minimum_notice_minutes: number;
  horizon_days: number;
  active: boolean;
  duration_minutes: number;
  starts: EncodedStart[];
}

const DAY_COLUMNS = 'day, time_zone, minimum_notice_minutes, horizon_days, active, duration_minutes, starts';

const MAX_DAYS = 92;

// The same few ranges (this week, the next ones) are asked over and over: their day lists are
// memoised, as the date arithmetic was a visible share of an availability read.
const ranges = new Map<string, readonly string[]>();

function daysFrom(from: string, to: string): readonly string[] {
  const key = `${from}|${to}`;
  let days = ranges.get(key);
  if (days === undefined) {
    const span = daysBetweenLocalDates(from, to);
    if (span > MAX_DAYS) throw new RangeError(`at most ${MAX_DAYS} days per availability query`);
    days = span < 0 ? [] : Array.from({ length: span + 1 }, (_, n) => addDaysToLocalDate(from, n));
    if (ranges.size >= 10_000) ranges.clear();
    ranges.set(key, days);
  }
  return days;
}

/** The clock-dependent part of `evaluateStart`: notice and horizon, with the real `now`. */
export function bookableNow(day: StoredDay, now: Date): readonly FreeStart[] {
  if (!day.active) return [];
  const today = instantToLocal(now, day.timeZone || DEFAULT_TIME_ZONE).date;
  if (daysBetweenLocalDates(today, day.day) > day.horizonDays || day.day < today) return [];
  const earliest = now.getTime() + day.minimumNoticeMinutes * 60_000;
  return decodeStarts(day.day, day.timeZone, day.durationMinutes, day.starts).filter(
    (start) => Date.parse(start.instant) >= earliest,
  );
}

const fromRow = (row: DayRow): StoredDay => ({
  day: row.day,
  timeZone: row.time_zone,
  minimumNoticeMinutes: row.minimum_notice_minutes,
  horizonDays: row.horizon_days,
  active: row.active,
  durationMinutes: row.duration_minutes,
  starts: row.starts,
});

const fromCache = (day: string, value: CachedDay): StoredDay => ({ day, ...value });

async function prefixOf(deps: AvailabilityReadDeps): Promise<string | undefined> {
  if (deps.cache === undefined || deps.live === undefined) return undefined;
  return (await deps.live.get('availability'))?.keyPrefix;
}

const table = (deps: AvailabilityReadDeps) =>
  `${(deps.layout ?? projectionLayout()).viewSchema(undefined)}.availability_days`;

/** The stored days of one centre and profile class over a range: Redis first, PostgreSQL for the rest. */
async function storedDays(
  deps: AvailabilityReadDeps,
  query: AvailabilityQuery,
  classId: string,
): Promise<{ readonly days: readonly string[]; readonly found: ReadonlyMap<string, StoredDay> }> {
  const days = daysFrom(query.from, query.to);
  const found = new Map<string, StoredDay>();
  const prefix = await prefixOf(deps);
  if (prefix !== undefined && deps.cache !== undefined) {
    const values = await readProjectionCache(deps.cache, prefix).mget(
      days.map((day) => dayKey(query.centreId, day, classId)),
    );
    values.forEach((value, n) => {
      const day = days[n];
      if (value !== null && day !== undefined) found.set(day, fromCache(day, JSON.parse(value) as CachedDay));
    });
  }
  const missing = days.filter((day) => !found.has(day));
  if (missing.length > 0) {
    const { rows } = await deps.db.query<DayRow>(
      `select ${DAY_COLUMNS} from ${table(deps)}
        where centre_id = $1 and class = $2 and day = any($3::date[])`,
      [query.centreId, classId, missing],
    );
    for (const row of rows) found.set(row.day, fromRow(row));
  }
  return { days, found };
}

/**
 * Free starts of one centre for a profile over a range of days, bookable at `now`. Days without a
 * row (unknown centre, beyond the horizon) are left out; days with no free start come back empty.
 */
export async function availabilityFor(
  deps: AvailabilityReadDeps,
  query: AvailabilityQuery,
): Promise<DayStarts[]> {
  const classId = profileClassId(query.profile, deps.durationMatrix ?? DEFAULT_DURATION_MATRIX);
  if (classId === undefined) return [];
  const now = query.now ?? new Date();
  const { days, found } = await storedDays(deps, query, classId);
  return days.flatMap((day) => {
    const stored = found.get(day);
    return stored === undefined ? [] : [{ date: day, starts: bookableNow(stored, now) }];
  });
}

/** The clock-dependent bounds of a day's starts at one minute, for one zone and policy. */
interface BookableBounds {
  /** Today, local. */
  readonly today: string;
  /** The last local day within the horizon (today + horizon). */
  readonly last: string;
  /** The local date of now + notice: earlier days have no bookable start, later ones are bookable whole. */
  readonly noticeEnds: string;
  /**
   * The earliest bookable local time on `noticeEnds` (now + notice rounded up to the minute;
   * `24:00` when none), valid for comparing `HH:MM` starts on a day without an offset change.
   */
  readonly noticeTime: string;
}

// The local date of an instant changes at most once a minute in any zone: the bounds are memoised
// per minute, zone and policy, as the Intl conversion and date arithmetic are the costly part of
// an availability read.
const bounds = new Map<string, BookableBounds>();

function boundsAt(ms: number, zone: string, noticeMinutes: number, horizonDays: number): BookableBounds {
  const onMinute = ms % 60_000 === 0;
  const key = `${zone}|${Math.floor(ms / 60_000)}|${onMinute}|${noticeMinutes}|${horizonDays}`;
  let found = bounds.get(key);
  if (found === undefined) {
    const today = instantToLocal(new Date(ms), zone).date;
    const earliest = instantToLocal(new Date(ms + noticeMinutes * 60_000), zone);
    const minutes = earliest.minutes + (onMinute ? 0 : 1);
    found = {
      today,
      last: addDaysToLocalDate(today, horizonDays),
      noticeEnds: earliest.date,
      noticeTime: minutes >= 24 * 60 ? '24:00' : timeOfMinutes(minutes),
    };
    if (bounds.size >= 10_000) bounds.clear();
    bounds.set(key, found);
  }
  return found;
}

/** Whether a local day has one UTC offset throughout (no daylight-saving change), memoised. */
const constantOffsets = new Map<string, boolean>();

function hasConstantOffset(day: string, zone: string): boolean {
  const key = `${zone}|${day}`;
  let constant = constantOffsets.get(key);
  if (constant === undefined) {
    constant = localDayClock(day, zone).constantOffset;
    if (constantOffsets.size >= 10_000) constantOffsets.clear();
    constantOffsets.set(key, constant);
  }
  return constant;
}

/** The local times of encoded starts (`HH:MM`, `HH:MM*` when overbooked), without copying when none is marked. */
function timesOf(starts: readonly EncodedStart[]): readonly string[] {
  for (const code of starts) if (code.length !== 5) return starts.map((c) => c.slice(0, 5));
  return starts;
}

/**
 * The local start times (`HH:MM`) bookable at `now` of a stored day. The hot path of the read API:
 * days after the one the minimum notice ends in are bookable whole, days before it not at all, and
 * on that day starts compare with the earliest bookable local time; only a daylight-saving change
 * day is decoded to instants.
 */
export function bookableTimesNow(day: StoredDay, now: Date): readonly string[] {
  if (!day.active) return [];
  const zone = day.timeZone || DEFAULT_TIME_ZONE;
  const at = boundsAt(now.getTime(), zone, day.minimumNoticeMinutes, day.horizonDays);
  if (day.day < at.today || day.day > at.last) return [];
  if (day.day > at.noticeEnds) return timesOf(day.starts);
  if (day.day < at.noticeEnds) return [];
  // The day the notice ends in: local times compare like instants unless the offset changes that day.
  if (!hasConstantOffset(day.day, zone)) return bookableNow(day, now).map((start) => start.start);
  return timesOf(day.starts).filter((time) => time >= at.noticeTime);
}

/**
 * The first start of a stored day bookable at `now` (`bookableNow(day, now)[0]`), decoding only
 * that start when the notice does not reach the day: the search routes ask it of every centre.
 */
export function firstBookableNow(day: StoredDay, now: Date): FreeStart | undefined {
  if (!day.active) return undefined;
  const zone = day.timeZone || DEFAULT_TIME_ZONE;
  const at = boundsAt(now.getTime(), zone, day.minimumNoticeMinutes, day.horizonDays);
  if (day.day < at.today || day.day > at.last) return undefined;
  if (day.day > at.noticeEnds) {
    const first = day.starts[0];
    return first === undefined ? undefined : decodeStarts(day.day, zone, day.durationMinutes, [first])[0];
  }
  if (day.day < at.noticeEnds) return undefined;
  if (!hasConstantOffset(day.day, zone)) return bookableNow(day, now)[0];
  const code = day.starts.find((start) => start.slice(0, 5) >= at.noticeTime);
  return code === undefined ? undefined : decodeStarts(day.day, zone, day.durationMinutes, [code])[0];
}

/** {@link availabilityFor} as local start times only (what the public availability route serves). */
export async function availableStartTimes(
  deps: AvailabilityReadDeps,
  query: AvailabilityQuery,
): Promise<{ readonly date: string; readonly starts: readonly string[] }[]> {
  const classId = profileClassId(query.profile, deps.durationMatrix ?? DEFAULT_DURATION_MATRIX);
  if (classId === undefined) return [];
  const now = query.now ?? new Date();
  const { days, found } = await storedDays(deps, query, classId);
  return days.flatMap((day) => {
    const stored = found.get(day);
    return stored === undefined ? [] : [{ date: day, starts: bookableTimesNow(stored, now) }];
  });
}

/** Parsed `first:` values by full key, per cache client, while fresh (see `firstDaysMemoMs`). */
const firstDaysMemos = new WeakMap<
  Cache,
  Map<string, { readonly until: number; readonly days: readonly StoredDay[] | null }>
>();

const MAX_MEMO_ENTRIES = 20_000;

/** The stored first days of each centre for a class (`null`: Redis has no value), memoised when asked. */
async function firstDaysOf(
  deps: AvailabilityReadDeps,
  cache: Cache,
  prefix: string,
  centreIds: readonly string[],
  classId: string,
): Promise<(readonly StoredDay[] | null)[]> {
  const memoMs = deps.firstDaysMemoMs ?? 0;
  let memo = firstDaysMemos.get(cache);
  if (memo === undefined && memoMs > 0) {
    memo = new Map();
    firstDaysMemos.set(cache, memo);
  }
  const now = Date.now();
  const keys = centreIds.map((centreId) => prefix + firstKey(centreId, classId));
  const out: (readonly StoredDay[] | null)[] = [];
  const missing: number[] = [];
  keys.forEach((key, n) => {
    const hit = memoMs > 0 ? memo?.get(key) : undefined;
    if (hit !== undefined && now < hit.until) out.push(hit.days);
    else {
      out.push(null);
      missing.push(n);
    }
  });
  if (missing.length === 0) return out;
  const values = await readProjectionCache(cache, '').mget(missing.map((n) => keys[n] ?? ''));
  missing.forEach((n, m) => {
    const value = values[m];
    const days = value === null || value === undefined ? null : storedFirstDays(value);
    out[n] = days;
    const key = keys[n];
    if (memo !== undefined && memoMs > 0 && key !== undefined) {
      if (memo.size >= MAX_MEMO_ENTRIES) memo.clear();
      memo.set(key, { until: now + memoMs, days });
    }
  });
  return out;
}

/** A `first:` value as stored days (all active: the projector keeps only days with free starts). */
function storedFirstDays(value: string): readonly StoredDay[] {
  const cached = JSON.parse(value) as CachedFirstDays;
  return cached.days.map((day) => ({
    day: day.day,
    timeZone: cached.timeZone,
    minimumNoticeMinutes: cached.minimumNoticeMinutes,
    horizonDays: cached.horizonDays,
    active: true,
    durationMinutes: cached.durationMinutes,
    starts: day.starts,
  }));
}

export interface FirstFreeSlot {
  readonly centreId: string;
  readonly date: string;
  readonly start: FreeStart;
}

/**
 * The first bookable start of each centre for a profile (`null` when none in the horizon). Redis
 * holds each centre's first three days with free starts; when all of them fall within the notice
 * (or Redis misses) PostgreSQL is asked.
 */
export async function firstFreeSlots(
  deps: AvailabilityReadDeps,
  query: {
    readonly centreIds: readonly string[];
    readonly profile: VehicleProfileQuery;
    readonly now?: Date;
  },
): Promise<Map<string, FirstFreeSlot | null>> {
  const out = new Map<string, FirstFreeSlot | null>();
  const classId = profileClassId(query.profile, deps.durationMatrix ?? DEFAULT_DURATION_MATRIX);
  if (classId === undefined) {
    for (const centreId of query.centreIds) out.set(centreId, null);
    return out;
  }
  const now = query.now ?? new Date();
  const earliest = (centreId: string, days: readonly StoredDay[]) => {
    for (const day of days) {
      const start = firstBookableNow(day, now);
      if (start !== undefined) return { centreId, date: day.day, start };
    }
    return undefined;
  };
  const prefix = await prefixOf(deps);
  const unresolved: string[] = [];
  if (prefix !== undefined && deps.cache !== undefined) {
    const firsts = await firstDaysOf(deps, deps.cache, prefix, query.centreIds, classId);
    query.centreIds.forEach((centreId, n) => {
      const days = firsts[n];
      if (days === null || days === undefined) {
        unresolved.push(centreId);
        return;
      }
      if (days.length === 0) {
        out.set(centreId, null);
        return;
      }
      const hit = earliest(centreId, days);
      // Every cached day falls within the notice: PostgreSQL looks further.
      if (hit === undefined) unresolved.push(centreId);
      else out.set(centreId, hit);
    });
  } else {
    unresolved.push(...query.centreIds);
  }
  if (unresolved.length > 0) {
    const today = addDaysToLocalDate(instantToLocal(now, DEFAULT_TIME_ZONE).date, -1);
    const { rows } = await deps.db.query<DayRow & { centre_id: string }>(
      `select centre_id, ${DAY_COLUMNS} from ${table(deps)}
        where centre_id = any($1::text[]) and class = $2 and day >= $3 and free_count > 0 and active
        order by centre_id, day`,
      [unresolved, classId, today],
    );
    const byCentre = new Map<string, StoredDay[]>();
    for (const row of rows) {
      const list = byCentre.get(row.centre_id) ?? [];
      list.push(fromRow(row));
      byCentre.set(row.centre_id, list);
    }
    for (const centreId of unresolved)
      out.set(centreId, earliest(centreId, byCentre.get(centreId) ?? []) ?? null);
  }
  return out;
}

/** Centres with at least one free start for the profile on `day` (search by date), by centre id. */
export async function centresFreeOn(
  deps: AvailabilityReadDeps,
  query: {
    readonly day: string;
    readonly profile: VehicleProfileQuery;
    readonly now?: Date;
    readonly limit?: number;
  },
): Promise<{ centreId: string; starts: readonly FreeStart[] }[]> {
  const classId = profileClassId(query.profile, deps.durationMatrix ?? DEFAULT_DURATION_MATRIX);
  if (classId === undefined) return [];
  const now = query.now ?? new Date();
  const { rows } = await deps.db.query<DayRow & { centre_id: string }>(
    `select centre_id, ${DAY_COLUMNS} from ${table(deps)}
      where class = $1 and day = $2 and free_count > 0 and active order by centre_id limit $3`,
    [classId, query.day, query.limit ?? 500],
  );
  return rows
    .map((row) => ({ centreId: row.centre_id, starts: bookableNow(fromRow(row), now) }))
    .filter((entry) => entry.starts.length > 0);
}
