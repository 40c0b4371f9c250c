/**
 * Append-to-visible latency of the read models while bookings are being placed.
 *
 *   DATABASE_URL=postgres://… [REDIS_URL=redis://…] npm run bench:lag -w @pti/projections
 *   env: LAG_RATE=1000 (placements/s offered) LAG_SECONDS=30 LAG_WARMUP=5 LAG_CENTRES=300
 *        LAG_IN_FLIGHT=128 (placements in flight at most) LAG_WINDOW_MS (the runner's live batching
 *        window, `liveBatchWindowMs`; default the runner's)
 *        LAG_ONLY=a,b (run only these read models; `none`: no projector, the write side alone)
 *        LAG_SQL_PROFILE=1 (time every projection statement of the measured window, per statement
 *        text, and print where the read models' SQL time goes, with the tables' and indexes'
 *        activity counters of the window: rows inserted/updated/HOT-updated/deleted, index scans)
 *        LAG_SQL_SAMPLES=file (with LAG_SQL_PROFILE: one statement of each text, with its
 *        parameters, as JSON, to replay it with EXPLAIN)
 *        LAG_KEEP=1 (leave the ledger and read model schemas in place at the end, to inspect them)
 *
 * One process, like `npm start`'s embedded mode: the write side's command handlers
 * (`placeBooking`, in-process, no HTTP) append to a PostgreSQL ledger (schema `bench_lag_ledger`,
 * recreated each run) while a projection runner with every read model follows it live (namespace
 * `benchlag_`, Redis keys `benchlag_rm:…`). Placements are offered open-loop at LAG_RATE per second
 * on random centres and open starts; refused ones (slot taken) append nothing and are counted apart, per code.
 *
 * What is measured, for every append made during the measured window (the hold on the calendar
 * stream and the BookingPlaced on the booking stream of each placement):
 *
 * * per read model: from the moment the append's commit returned to the moment a poller (every
 *   ~5 ms, on its own connection) sees that read model's checkpoint at or past the append's
 *   position. The checkpoint commits in the same transaction as the read model's rows, after its
 *   Redis writes were flushed, so at that moment the rows and keys are visible to any reader.
 * * directly: the `rm.bookings` row of each placed booking, polled by id on the same ~5 ms cycle
 *   (from the return of `placeBooking` to the row being readable through the stable view).
 *
 * Prints p50/p95/p99/max per read model, for "every read model" (the latest of the read models
 * that receive the append) and for the polled bookings rows, with the achieved placement rate and
 * the load average. Nothing is asserted.
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { loadavg } from 'node:os';
import {
  type Cache,
  comparePositions,
  cpuAccount,
  createDatabase,
  createMemoryCache,
  createPostgresLedger,
  createRedisCache,
  type EventToAppend,
  type ExpectedRevision,
  type Ledger,
  type Position,
  positionFromString,
  type SqlExecutor,
  type TransactionalSqlExecutor,
} from '@pti/platform';
import {
  createProjectionRunner,
  handleOf,
  listGenerations,
  matchesFilter,
  PROJECTORS,
  projectionLayout,
  withMaintenance,
} from '@pti/projections';
import {
  type CentreSetup,
  createWriteSideContext,
  DomainError,
  generateWriteSideSecrets,
  placeBooking,
  referencePriceList,
  setUpCentre,
  weekOf,
} from '@pti/write-side';
import { addDaysToLocalDate, instantToLocal } from '@pti/write-side/domain';

const url = process.env.DATABASE_URL;
if (url === undefined) throw new Error('DATABASE_URL is required (the bench measures a PostgreSQL ledger)');
const RATE = Number(process.env.LAG_RATE ?? 1000);
const SECONDS = Number(process.env.LAG_SECONDS ?? 30);
const WARMUP = Number(process.env.LAG_WARMUP ?? 5);
const CENTRES = Number(process.env.LAG_CENTRES ?? 300);
// Open loop: 64 in flight capped the offered rate below 1,000/s once placeBooking took > 64 ms.
const IN_FLIGHT = Number(process.env.LAG_IN_FLIGHT ?? 128);
const LEDGER_SCHEMA = 'bench_lag_ledger';
const NAMESPACE = 'benchlag_';
const TENANT = 'bench-lag';
const POLL_MS = 5;
const ONLY = process.env.LAG_ONLY;
const SELECTED = ONLY === undefined ? PROJECTORS : PROJECTORS.filter((p) => ONLY.split(',').includes(p.name));

/**
 * Statement timing for LAG_SQL_PROFILE: wall time from send to result per statement text (the
 * generation's schema folded to its projector name), while `on()` holds. Wall time includes
 * waiting for a CPU on a busy machine; it ranks statements, the CPU account gives the totals.
 */
function sqlProfile(db: TransactionalSqlExecutor, on: () => boolean) {
  const stats = new Map<
    string,
    { count: number; ms: number; rows: number; sample?: { sql: string; params?: readonly unknown[] } }
  >();
  const fold = (sql: string) =>
    sql
      .replace(new RegExp(`\\b${NAMESPACE}rm_([a-z]+)_v\\d+\\.`, 'g'), '$1:')
      .replace(/\s+/g, ' ')
      .trim();
  const wrap = (inner: SqlExecutor): SqlExecutor => ({
    async query<R>(sql: string, params?: readonly unknown[]) {
      if (!on()) return inner.query<R>(sql, params);
      const began = performance.now();
      const result = await inner.query<R>(sql, params);
      const key = fold(sql);
      const entry = stats.get(key) ?? { count: 0, ms: 0, rows: 0 };
      entry.count += 1;
      entry.ms += performance.now() - began;
      entry.rows += result.rowCount;
      // One statement of each text as sent (the last one), for LAG_SQL_SAMPLES.
      entry.sample = { sql, ...(params === undefined ? {} : { params }) };
      stats.set(key, entry);
      return result;
    },
    exec: (script) => inner.exec(script),
  });
  const executor: TransactionalSqlExecutor = {
    ...wrap(db),
    transaction: (fn, ends) => db.transaction((tx, first) => fn(wrap(tx), first), ends),
  };
  const report = async (bookings: number) => {
    const sorted = [...stats.entries()].sort((a, b) => b[1].ms - a[1].ms);
    const total = sorted.reduce((sum, [, e]) => sum + e.ms, 0);
    console.log(`projection SQL, measured window: ${(total / 1000).toFixed(1)} s wall in statements`);
    for (const [sql, e] of sorted.slice(0, 40))
      console.log(
        `  ${(e.ms / 1000).toFixed(2).padStart(6)} s ${String(e.count).padStart(6)}× ${(e.ms / e.count).toFixed(2).padStart(6)} ms ${(e.rows / Math.max(1, bookings)).toFixed(2).padStart(5)} rows/bkg  ${sql.slice(0, 220)}`,
      );
    const samples = process.env.LAG_SQL_SAMPLES;
    if (samples !== undefined)
      await writeFile(
        samples,
        JSON.stringify(
          sorted.map(([key, e]) => ({ key, ...e })),
          (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value),
          1,
        ),
      );
  };
  return { executor, report };
}

const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
const now = () => performance.now();

function percentiles(values: number[]) {
  const sorted = Float64Array.from(values).sort();
  const at = (p: number) =>
    sorted.length === 0
      ? Number.NaN
      : (sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0);
  return { n: sorted.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted.at(-1) ?? Number.NaN };
}

const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'] as const;
const MORNING = { from: '08:00', to: '12:00' };
const AFTERNOON = { from: '13:30', to: '18:30' };

function centreSetup(index: number): CentreSetup {
  const centreId = `lag-${String(index).padStart(4, '0')}`;
  return {
    centreId,
    code: centreId.toUpperCase(),
    name: `Centre ${index}`,
    address: `${1 + (index % 200)} rue de la Gare`,
    postcode: `${String(1 + (index % 95)).padStart(2, '0')}200`,
    city: `Ville ${index}`,
    position: { lat: 43 + (index % 700) / 100, lon: -1 + (index % 800) / 100 },
    contact: { phone: `+334780${String(index).padStart(5, '0')}`, email: `${centreId}@example.fr` },
    openingHours: weekOf(WEEKDAYS, [MORNING, AFTERNOON], { saturday: [MORNING] }),
    priceList: referencePriceList(),
    inspectors: [1, 2, 3].map((n) => ({
      inspectorId: `insp-${n}`,
      name: `Inspecteur ${n}`,
      accreditations: ['VL', 'L', 'GAZ'],
      week: weekOf(WEEKDAYS, [MORNING, AFTERNOON], { saturday: [MORNING] }),
    })),
  };
}

/** mulberry32 */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface Append {
  readonly stream: string;
  readonly position: Position;
  readonly at: number;
  /** Per projector: ms to visible (undefined until seen, or when the projector ignores it). */
  readonly seen: Map<string, number>;
  readonly expected: readonly string[];
}

interface TableActivity {
  readonly name: string;
  readonly ins: number;
  readonly upd: number;
  readonly hot: number;
  readonly del: number;
  readonly scans: number;
}

/** Activity counters of the bench's read model tables and indexes (cumulative; diffed by the caller). */
async function tableActivity(db: SqlExecutor): Promise<Map<string, TableActivity>> {
  const { rows } = await db.query<{
    name: string;
    ins: string;
    upd: string;
    hot: string;
    del: string;
    scans: string;
  }>(
    `select regexp_replace(schemaname, '^${NAMESPACE}rm_([a-z]+)_v[0-9]+$', '\\1') || ':' || relname as name,
            n_tup_ins as ins, n_tup_upd as upd, n_tup_hot_upd as hot, n_tup_del as del, coalesce(idx_scan, 0) as scans
       from pg_stat_user_tables where starts_with(schemaname, '${NAMESPACE}rm_')
     union all
     select regexp_replace(schemaname, '^${NAMESPACE}rm_([a-z]+)_v[0-9]+$', '\\1') || ':' || relname || '.' || indexrelname,
            0, 0, 0, 0, idx_scan
       from pg_stat_user_indexes where starts_with(schemaname, '${NAMESPACE}rm_')`,
  );
  return new Map(
    rows.map((r) => [
      r.name,
      {
        name: r.name,
        ins: Number(r.ins),
        upd: Number(r.upd),
        hot: Number(r.hot),
        del: Number(r.del),
        scans: Number(r.scans),
      },
    ]),
  );
}

function printActivity(
  before: Map<string, TableActivity>,
  after: Map<string, TableActivity>,
  bookings: number,
): void {
  console.log('read model tables in the measured window (per booking placed; idx = index scans):');
  for (const [name, a] of [...after].sort((x, y) => x[0].localeCompare(y[0]))) {
    const b = before.get(name);
    const d = (f: keyof Omit<TableActivity, 'name'>) =>
      ((a[f] - (b?.[f] ?? 0)) / Math.max(1, bookings)).toFixed(2);
    console.log(
      name.includes('.')
        ? `    ${name.padEnd(58)} idx ${d('scans')}`
        : `  ${name.padEnd(60)} ins ${d('ins')} upd ${d('upd')} hot ${d('hot')} del ${d('del')} idx ${d('scans')}`,
    );
  }
}

async function main(): Promise<void> {
  const loadAtStart = load();
  const database = await createDatabase({ kind: 'postgres', url: url as string, poolMax: 12 });
  const db = database.sql;
  // A fresh ledger and projection namespace each run.
  for (const schema of [
    LEDGER_SCHEMA,
    ...(
      await db.query<{ nspname: string }>(`select nspname from pg_namespace where starts_with(nspname, $1)`, [
        NAMESPACE,
      ])
    ).rows.map((r) => r.nspname),
  ])
    await db.exec(`drop schema if exists ${schema} cascade`);
  const ledger = createPostgresLedger({
    connectionString: url,
    schema: LEDGER_SCHEMA,
    poolMax: 24,
    listen: false,
  });
  await ledger.migrate();
  const redisUrl = process.env.REDIS_URL;
  const cache: Cache = redisUrl ? createRedisCache(redisUrl, { keyPrefix: 'bench:' }) : createMemoryCache();
  const layout = projectionLayout(NAMESPACE);

  // Every append of the measured window is timed as it returns.
  let recording = false;
  const appends: Append[] = [];
  const pending: Append[] = [];
  const timed: Ledger = {
    ...ledger,
    append: async (stream: string, events: readonly EventToAppend[], expected: ExpectedRevision) => {
      const result = await ledger.append(stream, events, expected);
      if (recording && !result.duplicate) {
        const record = { streamName: stream, type: events[0]?.type ?? '' } as Parameters<
          typeof matchesFilter
        >[0];
        const append: Append = {
          stream,
          position: result.position,
          at: now(),
          seen: new Map(),
          expected: SELECTED.filter((p) => matchesFilter(record, p.filter)).map((p) => p.name),
        };
        appends.push(append);
        pending.push(append);
      }
      return result;
    },
  };
  const ctx = createWriteSideContext({
    ledger: timed,
    secrets: generateWriteSideSecrets(),
    cacheEntries: 250_000,
  });
  const meta = (n: number) => ({
    origin: { tenantId: TENANT, actor: { id: 'bench', role: 'system' as const }, correlationId: `lag-${n}` },
  });

  console.log(
    `lag bench: ${CENTRES} centres, ${RATE} placements/s offered for ${SECONDS} s (+${WARMUP} s warm-up), cache ${cache.kind}, load ${loadAtStart}`,
  );
  const setupStarted = now();
  await Promise.all(
    Array.from({ length: 8 }, async (_, lane) => {
      for (let index = lane; index < CENTRES; index += 8)
        await setUpCentre(ctx, centreSetup(index), meta(index));
    }),
  );
  console.log(
    `centres set up through the command handlers in ${((now() - setupStarted) / 1000).toFixed(1)} s`,
  );

  const profiler = process.env.LAG_SQL_PROFILE === undefined ? undefined : sqlProfile(db, () => recording);
  const runner = createProjectionRunner({
    ledger,
    db: profiler?.executor ?? db,
    cache,
    projectors: SELECTED,
    layout,
    ...(process.env.LAG_WINDOW_MS === undefined
      ? {}
      : { liveBatchWindowMs: Number(process.env.LAG_WINDOW_MS) }),
  });
  const runnerStarted = now();
  await runner.start();
  await runner.waitForCatchUp(undefined, 300_000);
  console.log(
    `projection runner live in ${((now() - runnerStarted) / 1000).toFixed(1)} s (${SELECTED.length === PROJECTORS.length ? 'all ' : ''}${SELECTED.length} read models)`,
  );

  // The poller: checkpoints of every projector, and the bookings rows placed but not seen yet.
  const bookingsView = `${layout.viewSchema(undefined)}.bookings`;
  const rowWait = new Map<string, number>();
  const pollRows = SELECTED.some((p) => p.name === 'bookings');
  const rowLatency: number[] = [];
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const started = now();
      // One statement per cycle (checkpoints and the awaited bookings rows): the poller is the
      // bench's own load, and on this kind of machine every round trip costs CPU on both sides.
      const ids = pollRows ? [...rowWait.keys()] : [];
      const { rows } = await db.query<{
        projector: string | null;
        position: string | null;
        booking_id: string | null;
      }>(
        `select g.projector, c.position, null::text as booking_id from ${layout.registrySchema}.generations g
           join ${layout.registrySchema}.checkpoints c on c.projector = g.projector and c.version = g.generation
          where g.status = 'live'${
            pollRows
              ? `
         union all
         select null, null, booking_id from ${bookingsView} where booking_id = any($1::text[])`
              : ''
          }`,
        pollRows ? [ids] : [],
      );
      const at = now();
      const checkpoints = new Map<string, Position>();
      for (const r of rows)
        if (r.projector !== null && r.position !== null)
          checkpoints.set(r.projector, positionFromString(r.position));
      for (let i = pending.length - 1; i >= 0; i -= 1) {
        const append = pending[i]!;
        for (const name of append.expected) {
          if (append.seen.has(name)) continue;
          const checkpoint = checkpoints.get(name);
          if (checkpoint !== undefined && comparePositions(checkpoint, append.position) >= 0)
            append.seen.set(name, at - append.at);
        }
        if (append.seen.size === append.expected.length) pending.splice(i, 1);
      }
      for (const { booking_id } of rows) {
        if (booking_id === null) continue;
        const placedAt = rowWait.get(booking_id);
        if (placedAt === undefined) continue;
        rowLatency.push(at - placedAt);
        rowWait.delete(booking_id);
      }
      const spent = now() - started;
      if (spent < POLL_MS) await new Promise((resolve) => setTimeout(resolve, POLL_MS - spent));
    }
  })();

  // Open-loop placements: due = rate × elapsed, at most IN_FLIGHT outstanding.
  const rnd = random(7);
  const today = instantToLocal(new Date()).date;
  // Starts the centres are open at (their week: Monday to Friday morning and afternoon, Saturday
  // morning, Sunday closed), so a placement is refused only by what bookings do to each other.
  const gridOf = (periods: readonly { from: string; to: string }[]) => {
    const starts: string[] = [];
    for (const { from, to } of periods) {
      for (
        let m = Number(from.slice(0, 2)) * 60 + Number(from.slice(3));
        m + 45 <= Number(to.slice(0, 2)) * 60 + Number(to.slice(3));
        m += 15
      )
        starts.push(`${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`);
    }
    return starts;
  };
  const openStarts: string[] = [];
  for (let n = 1; n <= 40; n += 1) {
    const day = addDaysToLocalDate(today, n);
    const weekday = new Date(`${day}T12:00:00Z`).getUTCDay();
    if (weekday === 0) continue;
    for (const start of gridOf(weekday === 6 ? [MORNING] : [MORNING, AFTERNOON]))
      openStarts.push(`${day}T${start}`);
  }
  let issued = 0;
  let placed = 0;
  let refused = 0;
  /** Refusals of the measured window, per domain error code. */
  const refusals = new Map<string, number>();
  let failed = 0;
  let inFlight = 0;
  let skipped = 0;
  let measuredPlaced = 0;
  const placeLatency: number[] = [];
  const place = async (n: number, measured: boolean) => {
    inFlight += 1;
    const began = now();
    try {
      const booking = await placeBooking(
        ctx,
        {
          centreId: centreSetup(Math.floor(rnd() * CENTRES)).centreId,
          start: openStarts[Math.floor(rnd() * openStarts.length)] as string,
          controlType: 'CTP',
          vehicle: {
            plate: `AB-${String(100 + (n % 900)).padStart(3, '0')}-CD`,
            category: 'VP',
            fuel: 'Essence',
          },
          customer: {
            kind: 'private',
            name: `Client ${n}`,
            email: `client${n}@example.fr`,
            phone: '0612345678',
          },
          channel: n % 3 === 0 ? 'mobile' : 'web',
          paymentMode: n % 2 === 0 ? 'online' : 'on_site',
        },
        meta(100_000 + n),
      );
      placed += 1;
      if (measured) {
        measuredPlaced += 1;
        placeLatency.push(now() - began);
        if (pollRows) rowWait.set(booking.bookingId, now());
      }
    } catch (error) {
      if (error instanceof DomainError) {
        refused += 1;
        if (measured) refusals.set(error.code, (refusals.get(error.code) ?? 0) + 1);
      } else {
        failed += 1;
        if (failed <= 3) console.error('placement failed', error);
      }
    } finally {
      inFlight -= 1;
    }
  };
  const runPhase = async (seconds: number, measured: boolean) => {
    recording = measured;
    const phaseStart = now();
    const issuedAtStart = issued;
    const placedAtStart = placed;
    let lastLine = phaseStart;
    while (now() - phaseStart < seconds * 1000) {
      const due = Math.floor(((now() - phaseStart) / 1000) * RATE) - (issued - issuedAtStart);
      for (let k = 0; k < due; k += 1) {
        if (inFlight >= IN_FLIGHT) {
          skipped += due - k;
          issued += due - k;
          break;
        }
        issued += 1;
        void place(issued, measured);
      }
      if (now() - lastLine > 5_000) {
        lastLine = now();
        const elapsed = (now() - phaseStart) / 1000;
        process.stderr.write(
          `  ${measured ? 'measuring' : 'warm-up'} ${elapsed.toFixed(0)} s: ${Math.round((placed - placedAtStart) / elapsed)} placed/s, ${inFlight} in flight, ${pending.length} appends not visible yet, load ${load()}\n`,
        );
        // A lane that fails retries silently (no logger here): say so.
        void runner.status().then((lanes) => {
          for (const lane of lanes)
            if (lane.state !== 'live' || lane.lastError !== null)
              process.stderr.write(
                `    ${lane.name}: ${lane.state}${lane.lastError === null ? '' : ` (${lane.lastError})`}\n`,
              );
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    recording = false;
    return { seconds: (now() - phaseStart) / 1000, placed: placed - placedAtStart };
  };
  await runPhase(WARMUP, false);
  // CPU of this process (write side + projections) and of its PostgreSQL backends, measured window
  // only: what one placement costs, apart from the machine's load.
  const cpu = cpuAccount();
  // The ledger shows only events below the oldest running transaction id of the whole PostgreSQL
  // instance (gap safety): any long transaction there, this bench's or another program's, holds
  // every append back. Sampled so a run disturbed that way says so; a failed sample is counted and
  // reported, so "0 s" never stands for "could not look".
  let longestXact = 0;
  let xactSampleFailures = 0;
  const sampleXacts = async () => {
    const { rows } = await db.query<{ seconds: number | null }>(
      `select extract(epoch from max(now() - xact_start))::float8 as seconds
         from pg_stat_activity where backend_xid is not null and pid <> pg_backend_pid()`,
    );
    longestXact = Math.max(longestXact, rows[0]?.seconds ?? 0);
  };
  const cpuTimer = setInterval(() => {
    void cpu.sample(db);
    void sampleXacts().catch(() => {
      xactSampleFailures += 1;
    });
  }, 2_000);
  await cpu.sample(db);
  const issuedBefore = issued;
  const skippedBefore = skipped;
  const refusedBefore = refused;
  const activityBefore = profiler === undefined ? undefined : await tableActivity(db);
  const profile = process.env.LAG_PROFILE === undefined ? undefined : await startProfile();
  const measured = await runPhase(SECONDS, true);
  if (profile !== undefined) await profile(process.env.LAG_PROFILE as string);
  clearInterval(cpuTimer);
  await cpu.sample(db);
  const used = cpu.seconds();
  while (inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  const drainStarted = now();
  while ((pending.length > 0 || rowWait.size > 0) && now() - drainStarted < 60_000)
    await new Promise((resolve) => setTimeout(resolve, 20));
  polling = false;
  await poller;
  const loadAtEnd = load();
  await runner.stop();

  const fmt = (s: ReturnType<typeof percentiles>) =>
    `n ${String(s.n).padStart(6)}  p50 ${s.p50.toFixed(1).padStart(7)} ms  p95 ${s.p95.toFixed(1).padStart(7)} ms  p99 ${s.p99.toFixed(1).padStart(7)} ms  max ${s.max.toFixed(1).padStart(7)} ms`;
  console.log(
    `placements: ${measured.placed} placed in ${measured.seconds.toFixed(1)} s = ${Math.round(measured.placed / measured.seconds)} bookings/s (offered ${RATE}/s: ${issued - issuedBefore} offered, ${skipped - skippedBefore} not sent because ${IN_FLIGHT} were in flight, ${refused - refusedBefore} refused by the domain, ${failed} errors); ${appends.length} appends timed`,
  );
  if (refusals.size > 0)
    console.log(`refused, per code: ${[...refusals].map(([code, count]) => `${code} ${count}`).join(', ')}`);
  console.log(`placeBooking latency            ${fmt(percentiles(placeLatency))}`);
  console.log('append-to-visible, per read model (checkpoint past the append):');
  for (const projector of SELECTED) {
    const values = appends.flatMap((a) => {
      const ms = a.seen.get(projector.name);
      return ms === undefined ? [] : [ms];
    });
    if (values.length > 0) console.log(`  ${projector.name.padEnd(29)} ${fmt(percentiles(values))}`);
  }
  const all = appends.flatMap((a) =>
    a.seen.size === a.expected.length && a.expected.length > 0 ? [Math.max(...a.seen.values())] : [],
  );
  console.log(`  every read model of the append ${fmt(percentiles(all))}`);
  console.log(`bookings row readable (polled)   ${fmt(percentiles(rowLatency))}`);
  const notSeen = appends.filter((a) => a.seen.size < a.expected.length).length;
  if (notSeen > 0 || rowWait.size > 0)
    console.log(`NOT visible within 60 s after the run: ${notSeen} appends, ${rowWait.size} bookings rows`);
  const perBooking = (seconds: number) => ((seconds * 1e6) / Math.max(1, measured.placed)).toFixed(0);
  console.log(
    `CPU in the measured window: node ${used.node.toFixed(1)} s (${perBooking(used.node)} µs/booking: command handlers + projections), PostgreSQL backends ${used.postgres.toFixed(1)} s (${perBooking(used.postgres)} µs/booking); CPU-bound estimate on an idle 2-core machine ≈ ${Math.round(measured.placed / Math.max(0.001, used.node, (used.node + used.postgres) / 2))} bookings/s`,
  );
  console.log(
    `load average: ${loadAtStart} at start, ${loadAtEnd} at end (measured placements ${measuredPlaced})`,
  );
  await profiler?.report(measured.placed);
  if (activityBefore !== undefined) {
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    printActivity(activityBefore, await tableActivity(db), measured.placed);
  }
  console.log(
    `longest transaction holding an xid on the instance (sampled every 2 s): ${longestXact.toFixed(1)} s${longestXact > 0.25 ? ' — appends stay invisible to every subscriber meanwhile: latencies above include that wait' : ''}${xactSampleFailures > 0 ? ` (${xactSampleFailures} samples failed)` : ''}`,
  );

  if (process.env.LAG_KEEP !== undefined) {
    console.log(`kept: schemas ${LEDGER_SCHEMA}, ${NAMESPACE}* (the next run drops them)`);
    await cache.close();
    await ledger.close();
    await database.close();
    return;
  }
  // Redis keys of the bench's generations, then its schemas.
  for (const record of await listGenerations(db, layout)) {
    const projector = PROJECTORS.find((p) => p.name === record.projector);
    const cacheKeys = projector?.cacheKeys;
    if (projector === undefined || cacheKeys === undefined || cache.kind !== 'redis') continue;
    const keys = await withMaintenance(db, layout, handleOf(projector, record), undefined, (c) =>
      cacheKeys(c),
    );
    for (let at = 0; at < keys.length; at += 1_000)
      await cache.del(keys.slice(at, at + 1_000).map((key) => record.keyPrefix + key));
  }
  for (const { nspname } of (
    await db.query<{ nspname: string }>(`select nspname from pg_namespace where starts_with(nspname, $1)`, [
      NAMESPACE,
    ])
  ).rows)
    await db.exec(`drop schema if exists ${nspname} cascade`);
  await db.exec(`drop schema if exists ${LEDGER_SCHEMA} cascade`);
  await cache.close();
  await ledger.close();
  await database.close();
}

/**
 * LAG_PROFILE=file.cpuprofile: a CPU profile of the measured window only (write side and
 * projections in this process), without the set-up and the runner's start-up catch-up.
 */
async function startProfile(): Promise<(file: string) => Promise<void>> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async (file) => {
    const { profile } = await session.post('Profiler.stop');
    await writeFile(file, JSON.stringify(profile));
    session.disconnect();
  };
}

await main();
