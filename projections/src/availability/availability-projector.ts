import {
  type CentreEvent,
  centreEventDefinitions,
  type SlotCalendarEvent,
  slotCalendarEventDefinitions,
  tryParseStreamName,
} from '@pti/events';
import {
  addDaysToLocalDate,
  type CalendarState,
  type CentreState,
  DEFAULT_DURATION_MATRIX,
  DEFAULT_TIME_ZONE,
  type DurationMatrix,
  evolveCalendar,
  evolveCentre,
  initialCalendarState,
  initialCentreState,
  instantToLocal,
} from '@pti/write-side/domain';
import type {
  ApplyContext,
  MaintenanceContext,
  ProjectionCache,
  ProjectionEvent,
  Projector,
} from '../runtime/projector.js';
import { defineProjector, publicTable } from '../runtime/projector.js';
import { toJson, upsertRows } from '../runtime/sql.js';
import { computeDay, type DayMemo, type EncodedStart } from './availability-compute.js';
import { type ProfileClass, profileClasses } from './profile-classes.js';

/**
 * # Availability read model
 *
 * Free start times per centre, day and vehicle profile class (`profile-classes.ts`), computed by
 * the write side's own `availableStarts` so what is shown is what can be booked.
 *
 * * PostgreSQL `rm.availability_days` (search, fallback): one row per (centre, day, class) with the
 *   starts (`HH:MM`, `*` when overbooked: `availability-compute.ts`), their count and the first
 *   one; indexed for "who has a free start on day D".
 * * Redis (hot path): `day:<centreId>:<date>:<class>` → the same starts, and
 *   `first:<centreId>:<class>` → the first three days with free starts (first free slot per centre).
 *   Both under the generation's prefix (`rm:availability:v<n>:`), written position-guarded.
 *
 * Internal tables hold what the computation needs: each centre's folded `CentreState`
 * (`availability_centres`), each future day's `CalendarState` (`availability_calendars`), and the
 * roll date (`availability_clock`), and what a catch-up deferred (`availability_dirty`).
 *
 * **Catch-up (rebuild, start-up).** Batches only fold states and record the centres/days they
 * touched in `availability_dirty` (same transaction); `settle`, at the end of the catch-up,
 * computes each of them once. A configuration change replayed 50 times costs one window.
 *
 * **Horizon and the daily roll.** Rows exist for every day from the roll date to roll date +
 * the centre's `horizonDays`, calendar stream or not: a centre day without reservations is filled
 * from the centre's configuration. The roll date only moves in `refresh(now)`, which the runner
 * calls at start and every minute (`refreshIntervalMs`): when the local date (Europe/Paris) changed
 * it deletes past days, fills the days entering the horizon and recomputes `first:` keys. `apply`
 * never reads the clock, so a replay gives the same rows. Configuration events recompute the whole
 * window of their centre; calendar events recompute their day.
 *
 * **Clock-dependent filters at read time.** Stored starts are evaluated at the day's local midnight
 * minus the minimum notice, with every unreleased hold counted (`availability-compute.ts`); the
 * read functions (`availability-queries.ts`) drop starts earlier than now + notice and days past
 * today + horizon.
 */

export interface AvailabilityRow {
  readonly tenant_id: string;
  readonly centre_id: string;
  /** `YYYY-MM-DD` */
  readonly day: string;
  /** Profile class id, e.g. `vl-45`. */
  readonly class: string;
  /** Encoded starts (`decodeStarts` gives end and instant). */
  readonly starts: readonly EncodedStart[];
  readonly free_count: number;
  readonly first_start: string | null;
  readonly duration_minutes: number;
  readonly active: boolean;
  readonly time_zone: string;
  readonly minimum_notice_minutes: number;
  readonly horizon_days: number;
}

/** The Redis value of `day:<centreId>:<date>:<class>`. */
export interface CachedDay {
  readonly tenantId: string;
  readonly timeZone: string;
  readonly minimumNoticeMinutes: number;
  readonly horizonDays: number;
  readonly active: boolean;
  readonly durationMinutes: number;
  readonly starts: readonly EncodedStart[];
}

/** The Redis value of `first:<centreId>:<class>`: the first days with free starts (none: `days` empty). */
export interface CachedFirstDays {
  readonly timeZone: string;
  readonly minimumNoticeMinutes: number;
  readonly horizonDays: number;
  readonly durationMinutes: number;
  readonly days: readonly { readonly day: string; readonly starts: readonly EncodedStart[] }[];
}

export const dayKey = (centreId: string, day: string, classId: string) => `day:${centreId}:${day}:${classId}`;
export const firstKey = (centreId: string, classId: string) => `first:${centreId}:${classId}`;

/** How many days `first:` keys hold (a day whose starts are all within the notice is skipped). */
export const FIRST_DAYS = 3;

interface CentreEntry {
  readonly tenantId: string;
  readonly state: CentreState;
}

interface Memory {
  today: string | null | undefined;
  /** True once this process emptied `availability_dirty` and deferred nothing since. */
  dirtyEmpty: boolean;
  readonly centres: Map<string, CentreEntry>;
  readonly calendars: Map<string, CalendarState | null>;
  /**
   * What this process last wrote for each `day:` row (its JSON): an unchanged recomputation
   * (a configuration change recomputes 90 days, most of them identical) writes nothing.
   */
  readonly written: Map<string, string>;
  /**
   * What this process last wrote for each `first:` key (its JSON and listed days): a live batch
   * re-reads a centre's first days only when a row it changed can enter them.
   */
  readonly firsts: Map<string, { readonly json: string; readonly days: readonly string[] }>;
}

const MEMORY = 'availability';
/** Calendar states kept in memory between batches, at most. */
const CALENDAR_MEMORY = 50_000;
/** Rows remembered as written, at most (beyond, the memo restarts empty: rows are rewritten). */
const WRITTEN_MEMORY = 2_000_000;

function memoryOf(ctx: { readonly memory: Map<string, unknown> }): Memory {
  let memory = ctx.memory.get(MEMORY) as Memory | undefined;
  if (memory === undefined) {
    memory = {
      today: undefined,
      dirtyEmpty: false,
      centres: new Map(),
      calendars: new Map(),
      written: new Map(),
      firsts: new Map(),
    };
    ctx.memory.set(MEMORY, memory);
  }
  return memory;
}

function isCentreEvent(event: ProjectionEvent): event is ProjectionEvent & CentreEvent {
  return Object.hasOwn(centreEventDefinitions, event.type);
}

function isCalendarEvent(event: ProjectionEvent): event is ProjectionEvent & SlotCalendarEvent {
  return Object.hasOwn(slotCalendarEventDefinitions, event.type);
}

const calendarKey = (centreId: string, day: string) => `${centreId}|${day}`;

type Ctx = Pick<ApplyContext, 'tx' | 'table' | 'memory' | 'cache'>;

async function loadToday(ctx: Ctx, memory: Memory): Promise<string | null> {
  if (memory.today !== undefined) return memory.today;
  const { rows } = await ctx.tx.query<{ today: string }>(
    `select today from ${ctx.table('availability_clock')}`,
  );
  memory.today = rows[0]?.today ?? null;
  return memory.today;
}

async function loadCentres(ctx: Ctx, memory: Memory, ids: readonly string[]): Promise<void> {
  const missing = ids.filter((id) => !memory.centres.has(id));
  if (missing.length === 0) return;
  const { rows } = await ctx.tx.query<{ centre_id: string; tenant_id: string; state: CentreState }>(
    `select centre_id, tenant_id, state from ${ctx.table('availability_centres')} where centre_id = any($1::text[])`,
    [missing],
  );
  for (const row of rows) memory.centres.set(row.centre_id, { tenantId: row.tenant_id, state: row.state });
}

async function loadCalendars(
  ctx: Ctx,
  memory: Memory,
  keys: readonly { centreId: string; day: string }[],
): Promise<void> {
  const missing = keys.filter((k) => !memory.calendars.has(calendarKey(k.centreId, k.day)));
  if (missing.length === 0) return;
  if (memory.calendars.size + missing.length > CALENDAR_MEMORY) memory.calendars.clear();
  const { rows } = await ctx.tx.query<{ centre_id: string; day: string; state: CalendarState }>(
    `select c.centre_id, c.day, c.state from ${ctx.table('availability_calendars')} c
       join unnest($1::text[], $2::date[]) as k(centre_id, day) on k.centre_id = c.centre_id and k.day = c.day`,
    [missing.map((k) => k.centreId), missing.map((k) => k.day)],
  );
  for (const k of missing) memory.calendars.set(calendarKey(k.centreId, k.day), null);
  for (const row of rows) memory.calendars.set(calendarKey(row.centre_id, row.day), row.state);
}

/** Days of a centre's window: the roll date to roll date + horizon, inclusive. */
function windowOf(today: string, state: CentreState): string[] {
  const days: string[] = [];
  for (let n = 0; n <= state.policy.horizonDays; n += 1) days.push(addDaysToLocalDate(today, n));
  return days;
}

/** Seconds until the end of `day` (Paris) plus a day: a past day's Redis keys expire by themselves. */
function ttlOf(day: string): number {
  const end = Date.parse(`${addDaysToLocalDate(day, 2)}T00:00:00Z`);
  return Math.max(60, Math.ceil((end - Date.now()) / 1000));
}

interface Recompute {
  /** Centres whose whole window (or these days of it) is recomputed (configuration, the roll). */
  readonly centres: Map<string, readonly string[] | 'window'>;
  /** Single days to recompute (calendar changes). */
  readonly days: Map<string, Set<string>>;
}

async function recompute(
  ctx: Ctx,
  memory: Memory,
  today: string,
  work: Recompute,
  classes: readonly ProfileClass[],
): Promise<void> {
  const targets: { centreId: string; entry: CentreEntry; days: string[] }[] = [];
  const stale: { centre_id: string; day: string }[] = [];
  const touched = new Set<string>([...work.centres.keys(), ...work.days.keys()]);
  await loadCentres(ctx, memory, [...touched]);
  for (const centreId of touched) {
    const entry = memory.centres.get(centreId);
    if (entry === undefined || entry.state.status === 'unregistered') continue;
    const whole = work.centres.get(centreId);
    const window = whole === 'window' ? windowOf(today, entry.state) : undefined;
    const last = window?.at(-1) ?? addDaysToLocalDate(today, Math.max(0, entry.state.policy.horizonDays));
    const days = new Set<string>(window ?? (whole === 'window' ? [] : (whole ?? [])));
    for (const day of work.days.get(centreId) ?? []) if (day >= today && day <= last) days.add(day);
    if (whole === 'window') stale.push({ centre_id: centreId, day: last });
    if (days.size > 0) targets.push({ centreId, entry, days: [...days].sort() });
  }
  if (targets.length === 0) return;
  await loadCalendars(
    ctx,
    memory,
    targets.flatMap((t) => t.days.map((day) => ({ centreId: t.centreId, day }))),
  );
  // Rows past a shrunk horizon go (and their keys get guarded tombstones).
  if (stale.length > 0) {
    const { rows } = await ctx.tx.query<{ centre_id: string; day: string; class: string }>(
      `delete from ${ctx.table('availability_days')} d using unnest($1::text[], $2::date[]) as s(centre_id, last)
        where d.centre_id = s.centre_id and d.day > s.last returning d.centre_id, d.day, d.class`,
      [stale.map((s) => s.centre_id), stale.map((s) => s.day)],
    );
    for (const row of rows) {
      const key = dayKey(row.centre_id, row.day, row.class);
      memory.written.delete(key);
      ctx.cache?.remove(key);
    }
  }
  const memo: DayMemo = new Map();
  const rows: AvailabilityRow[] = [];
  /** Per centre, per class: the earliest day whose row changed (for the `first:` keys). */
  const changed = new Map<string, Map<string, string>>();
  for (const target of targets) {
    const { state, tenantId } = target.entry;
    for (const day of target.days) {
      const calendar = memory.calendars.get(calendarKey(target.centreId, day)) ?? undefined;
      for (const result of computeDay(state, calendar, day, classes, memo)) {
        const first = result.starts[0];
        const durationMinutes = classes.find((c) => c.id === result.classId)?.durationMinutes ?? 0;
        const row: AvailabilityRow = {
          tenant_id: tenantId,
          centre_id: target.centreId,
          day,
          class: result.classId,
          starts: result.starts,
          free_count: result.starts.length,
          first_start: first?.slice(0, 5) ?? null,
          duration_minutes: durationMinutes,
          active: state.status === 'active',
          time_zone: state.timeZone,
          minimum_notice_minutes: state.policy.minimumNoticeMinutes,
          horizon_days: state.policy.horizonDays,
        };
        const key = dayKey(row.centre_id, row.day, row.class);
        const json = toJson(row);
        if (memory.written.get(key) === json) continue;
        if (memory.written.size >= WRITTEN_MEMORY) memory.written.clear();
        memory.written.set(key, json);
        rows.push(row);
        const byClass = changed.get(row.centre_id) ?? new Map<string, string>();
        const earliest = byClass.get(row.class);
        if (earliest === undefined || day < earliest) byClass.set(row.class, day);
        changed.set(row.centre_id, byClass);
        putDay(ctx.cache, row);
      }
    }
  }
  for (let at = 0; at < rows.length; at += 20_000) {
    await upsertRows(ctx.tx, ctx.table('availability_days'), rows.slice(at, at + 20_000), {
      key: ['centre_id', 'day', 'class'],
    });
  }
  // `first:` keys: every centre whose window was recomputed; otherwise only centres with a changed
  // row on or before the last day their key lists (a later day cannot enter the first days).
  const firstCentres = [...touched].filter((centreId) => {
    if (work.centres.has(centreId)) return true;
    const days = changed.get(centreId);
    if (days === undefined) return false;
    for (const [classId, day] of days) {
      const known = memory.firsts.get(firstKey(centreId, classId));
      const lastListed = known?.days[FIRST_DAYS - 1];
      if (lastListed === undefined || day <= lastListed) return true;
    }
    return false;
  });
  await writeFirstKeys(ctx, memory, firstCentres, classes);
}

function putDay(cache: ProjectionCache | undefined, row: AvailabilityRow): void {
  if (cache === undefined) return;
  const value: CachedDay = {
    tenantId: row.tenant_id,
    timeZone: row.time_zone,
    minimumNoticeMinutes: row.minimum_notice_minutes,
    horizonDays: row.horizon_days,
    active: row.active,
    durationMinutes: row.duration_minutes,
    starts: row.starts,
  };
  cache.put(dayKey(row.centre_id, row.day, row.class), toJson(value), { ttlSeconds: ttlOf(row.day) });
}

/** `first:<centre>:<class>` for every class of the given centres, from the rows just written. */
async function writeFirstKeys(
  ctx: Ctx,
  memory: Memory,
  centreIds: readonly string[],
  classes: readonly ProfileClass[],
) {
  const cache = ctx.cache;
  if (cache === undefined || centreIds.length === 0) return;
  const { rows } = await ctx.tx.query<{
    centre_id: string;
    class: string;
    day: string;
    starts: EncodedStart[];
    duration_minutes: number;
    time_zone: string;
    minimum_notice_minutes: number;
    horizon_days: number;
  }>(
    `select centre_id, class, day, starts, duration_minutes, time_zone, minimum_notice_minutes, horizon_days from (
       select centre_id, class, day, starts, duration_minutes, time_zone, minimum_notice_minutes, horizon_days,
              row_number() over (partition by centre_id, class order by day) as n
         from ${ctx.table('availability_days')}
        where centre_id = any($1::text[]) and free_count > 0 and active) ranked
      where n <= ${FIRST_DAYS}
      order by centre_id, class, day`,
    [centreIds],
  );
  const firsts = new Map<string, CachedFirstDays>();
  for (const row of rows) {
    const key = firstKey(row.centre_id, row.class);
    const current = firsts.get(key);
    firsts.set(key, {
      timeZone: row.time_zone,
      minimumNoticeMinutes: row.minimum_notice_minutes,
      horizonDays: row.horizon_days,
      durationMinutes: row.duration_minutes,
      days: [...(current?.days ?? []), { day: row.day, starts: row.starts }],
    });
  }
  for (const centreId of centreIds) {
    for (const c of classes) {
      const key = firstKey(centreId, c.id);
      const value: CachedFirstDays = firsts.get(key) ?? {
        timeZone: DEFAULT_TIME_ZONE,
        minimumNoticeMinutes: 0,
        horizonDays: 0,
        durationMinutes: c.durationMinutes,
        days: [],
      };
      const json = toJson(value);
      // Unchanged since this process last wrote it: no Redis write.
      if (memory.firsts.get(key)?.json === json) continue;
      memory.firsts.set(key, { json, days: value.days.map((d) => d.day) });
      cache.put(key, json);
    }
  }
}

/** `availability_dirty.day` meaning "the centre's whole window". */
const WHOLE_WINDOW = '0001-01-01';

/** Records what a deferred (catch-up) batch leaves to recompute, in the batch's transaction. */
async function markDirty(ctx: Ctx, work: Recompute): Promise<void> {
  const centres: string[] = [];
  const days: string[] = [];
  for (const [centreId, what] of work.centres) {
    for (const day of what === 'window' ? [WHOLE_WINDOW] : what) {
      centres.push(centreId);
      days.push(day);
    }
  }
  for (const [centreId, set] of work.days) {
    for (const day of set) {
      centres.push(centreId);
      days.push(day);
    }
  }
  if (centres.length === 0) return;
  await ctx.tx.query(
    `insert into ${ctx.table('availability_dirty')} (centre_id, day)
     select * from unnest($1::text[], $2::date[]) on conflict do nothing`,
    [centres, days],
  );
  memoryOf(ctx).dirtyEmpty = false;
}

/** Takes (deletes) the recorded dirty work and merges it into `work`. */
async function takeDirty(ctx: Ctx, work: Recompute): Promise<void> {
  const memory = memoryOf(ctx);
  // A live batch pays no round trip while this process knows nothing is deferred (the memory is
  // cleared with a failed batch, and when another process advanced the checkpoint).
  if (memory.dirtyEmpty) return;
  memory.dirtyEmpty = true;
  const { rows } = await ctx.tx.query<{ centre_id: string; day: string }>(
    `delete from ${ctx.table('availability_dirty')} returning centre_id, day`,
  );
  for (const row of rows) {
    if (row.day === WHOLE_WINDOW) {
      work.centres.set(row.centre_id, 'window');
    } else {
      const days = work.days.get(row.centre_id) ?? new Set<string>();
      days.add(row.day);
      work.days.set(row.centre_id, days);
    }
  }
}

async function saveStates(
  ctx: Ctx,
  memory: Memory,
  centres: ReadonlySet<string>,
  calendars: ReadonlySet<string>,
): Promise<void> {
  const centreRows = [...centres].flatMap((centreId) => {
    const entry = memory.centres.get(centreId);
    return entry === undefined
      ? []
      : [{ centre_id: centreId, tenant_id: entry.tenantId, state: entry.state }];
  });
  await upsertRows(ctx.tx, ctx.table('availability_centres'), centreRows, { key: ['centre_id'] });
  const calendarRows = [...calendars].flatMap((key) => {
    const state = memory.calendars.get(key);
    const [centreId, day] = key.split('|');
    const entry = centreId === undefined ? undefined : memory.centres.get(centreId);
    if (state == null || centreId === undefined || day === undefined) return [];
    return [{ centre_id: centreId, day, tenant_id: entry?.tenantId ?? '', state }];
  });
  await upsertRows(ctx.tx, ctx.table('availability_calendars'), calendarRows, { key: ['centre_id', 'day'] });
}

export interface AvailabilityProjectorOptions {
  /** The duration matrix the write side books with (default `DEFAULT_DURATION_MATRIX`). */
  readonly durationMatrix?: DurationMatrix;
}

export function createAvailabilityProjector(options: AvailabilityProjectorOptions = {}): Projector {
  const classes = profileClasses(options.durationMatrix ?? DEFAULT_DURATION_MATRIX);
  return defineProjector({
    name: 'availability',
    version: 1,
    tables: ['availability_days'],
    // Read-side search only; settle reads by centre through the primary key.
    deferredIndexes: ['availability_days_free'],
    filter: { streamPrefixes: ['centre-', 'calendar-'] },
    usesCache: true,
    migrations: (schema) => [
      {
        version: 1,
        name: 'availability tables',
        sql: `
create table ${schema}.availability_centres (
  centre_id text primary key,
  tenant_id text not null,
  state jsonb not null
);
create table ${schema}.availability_calendars (
  centre_id text not null,
  day date not null,
  tenant_id text not null,
  state jsonb not null,
  primary key (centre_id, day)
);
create table ${schema}.availability_dirty (
  centre_id text not null,
  day date not null,
  primary key (centre_id, day)
);
create table ${schema}.availability_clock (
  id int primary key default 1 check (id = 1),
  today date not null
);
create table ${schema}.availability_days (
  tenant_id text not null,
  centre_id text not null,
  day date not null,
  class text not null,
  starts text[] not null,
  free_count int not null,
  first_start text,
  duration_minutes int not null,
  active boolean not null,
  time_zone text not null,
  minimum_notice_minutes int not null,
  horizon_days int not null,
  primary key (centre_id, day, class)
);
create index availability_days_free on ${schema}.availability_days (class, day, centre_id) where free_count > 0;
${publicTable(schema, 'availability_days')}`,
      },
    ],

    async apply(batch, ctx) {
      const memory = memoryOf(ctx);
      const today = await loadToday(ctx, memory);
      const centreIds = new Set<string>();
      const calendarKeys: { centreId: string; day: string }[] = [];
      for (const event of batch.events) {
        const parsed = tryParseStreamName(event.streamName);
        if (parsed?.category === 'centre') centreIds.add(parsed.centreId);
        else if (parsed?.category === 'calendar' && (today === null || parsed.date >= today)) {
          calendarKeys.push({ centreId: parsed.centreId, day: parsed.date });
          // A calendar row carries its centre's tenant.
          centreIds.add(parsed.centreId);
        }
      }
      await loadCentres(ctx, memory, [...centreIds]);
      await loadCalendars(ctx, memory, calendarKeys);

      const changedCentres = new Set<string>();
      const changedCalendars = new Set<string>();
      const work: Recompute = { centres: new Map(), days: new Map() };
      for (const event of batch.events) {
        const parsed = tryParseStreamName(event.streamName);
        if (parsed?.category === 'centre' && isCentreEvent(event)) {
          const current = memory.centres.get(parsed.centreId);
          const state = evolveCentre(current?.state ?? initialCentreState(), event);
          memory.centres.set(parsed.centreId, {
            tenantId: current?.tenantId ?? event.metadata.tenantId,
            state,
          });
          changedCentres.add(parsed.centreId);
          work.centres.set(parsed.centreId, 'window');
        } else if (parsed?.category === 'calendar' && isCalendarEvent(event)) {
          if (today !== null && parsed.date < today) continue;
          const key = calendarKey(parsed.centreId, parsed.date);
          const state = evolveCalendar(memory.calendars.get(key) ?? initialCalendarState(), event);
          memory.calendars.set(key, state);
          changedCalendars.add(key);
          const days = work.days.get(parsed.centreId) ?? new Set<string>();
          days.add(parsed.date);
          work.days.set(parsed.centreId, days);
        }
      }
      await saveStates(ctx, memory, changedCentres, changedCalendars);
      if (ctx.mode === 'catch-up' || today === null) {
        // Deferred: recorded in this transaction, computed once by `settle` (or the next live batch).
        await markDirty(ctx, work);
        return;
      }
      await takeDirty(ctx, work);
      await recompute(ctx, memory, today, work, classes);
    },

    async settle(ctx) {
      const memory = memoryOf(ctx);
      const today = await loadToday(ctx, memory);
      if (today === null) return;
      const work: Recompute = { centres: new Map(), days: new Map() };
      await takeDirty(ctx, work);
      await recompute(ctx, memory, today, work, classes);
    },

    async refresh(now, ctx) {
      const memory = memoryOf(ctx);
      const today = instantToLocal(now, DEFAULT_TIME_ZONE).date;
      const previous = await loadToday(ctx, memory);
      if (previous !== null && previous >= today) return;
      await ctx.tx.query(
        `insert into ${ctx.table('availability_clock')} (id, today) values (1, $1)
         on conflict (id) do update set today = excluded.today`,
        [today],
      );
      memory.today = today;
      await ctx.tx.query(`delete from ${ctx.table('availability_days')} where day < $1`, [today]);
      for (const key of [...memory.written.keys()])
        if ((key.split(':').at(-2) ?? '') < today) memory.written.delete(key);
      await ctx.tx.query(`delete from ${ctx.table('availability_calendars')} where day < $1`, [today]);
      for (const key of [...memory.calendars.keys()])
        if ((key.split('|')[1] ?? '') < today) memory.calendars.delete(key);
      const { rows } = await ctx.tx.query<{ centre_id: string }>(
        `select centre_id from ${ctx.table('availability_centres')} order by centre_id`,
      );
      const ids = rows.map((row) => row.centre_id);
      await loadCentres(ctx, memory, ids);
      const work: Recompute = { centres: new Map(), days: new Map() };
      for (const centreId of ids) {
        const entry = memory.centres.get(centreId);
        if (entry === undefined) continue;
        if (previous === null) {
          work.centres.set(centreId, 'window');
          continue;
        }
        // Only the days entering the horizon are new; the others are already computed.
        const previousLast = addDaysToLocalDate(previous, entry.state.policy.horizonDays);
        work.centres.set(
          centreId,
          windowOf(today, entry.state).filter((day) => day > previousLast),
        );
      }
      await takeDirty(ctx, work);
      await recompute(ctx, memory, today, work, classes);
    },

    async cacheKeys(ctx: MaintenanceContext) {
      const { rows } = await ctx.tx.query<{ centre_id: string; day: string; class: string }>(
        `select centre_id, day, class from ${ctx.table('availability_days')}`,
      );
      const keys = rows.map((row) => dayKey(row.centre_id, row.day, row.class));
      const centres = new Set(rows.map((row) => row.centre_id));
      for (const centreId of centres) for (const c of classes) keys.push(firstKey(centreId, c.id));
      return keys;
    },
  });
}

export const availabilityProjector = createAvailabilityProjector();
