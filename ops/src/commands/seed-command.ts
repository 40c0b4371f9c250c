import { loadConfig } from '@pti/platform';
import cliProgress from 'cli-progress';
import type { SimulationProgress, SimulationStats } from '../seed/booking-simulation.js';
import { type SeedNetworkOutcome, seedNetwork } from '../seed/seed-network.js';
import { openSeedWriteSide } from '../seed/seed-write-side.js';

export interface SeedCommandOptions {
  readonly centres?: string;
  readonly days?: string;
  readonly tenants?: string;
  readonly seed?: string;
  readonly bookingsPerDay?: string;
  readonly pastDays?: string;
  readonly concurrency?: string;
  /** Draw progress bars (default: when stderr is a terminal). */
  readonly progress?: boolean;
  /** The present of the simulation (tests). */
  readonly now?: Date;
}

interface ParsedOptions {
  readonly centres: number;
  readonly days: number;
  readonly tenants: number;
  readonly seed: number;
  readonly bookingsPerDay: number;
  readonly pastDays: number | undefined;
  readonly concurrency: number | undefined;
}

function parseOptions(options: SeedCommandOptions): ParsedOptions | string {
  const integer = (name: string, raw: string | undefined, fallback: number, min: number, max: number) => {
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw new RangeError(`--${name} must be an integer from ${min} to ${max}, got ${raw}`);
    }
    return value;
  };
  try {
    const centres = integer('centres', options.centres, 50, 1, 20_000);
    const days = integer('days', options.days, 14, 1, 90);
    const bookingsPerDay = Number(options.bookingsPerDay ?? '12');
    if (!Number.isFinite(bookingsPerDay) || bookingsPerDay < 0 || bookingsPerDay > 100) {
      return `--bookings-per-day must be a number from 0 to 100, got ${options.bookingsPerDay}`;
    }
    return {
      centres,
      days,
      tenants: integer('tenants', options.tenants, Math.min(4, centres), 1, Math.min(50, centres)),
      seed: integer('seed', options.seed, 1, 0, 2 ** 31 - 1),
      bookingsPerDay,
      pastDays:
        options.pastDays === undefined ? undefined : integer('past-days', options.pastDays, 0, 0, days - 1),
      concurrency:
        options.concurrency === undefined ? undefined : integer('concurrency', options.concurrency, 8, 1, 64),
    };
  } catch (error) {
    return error instanceof RangeError ? error.message : String(error);
  }
}

function bars(enabled: boolean) {
  const make = (format: string) =>
    new cliProgress.SingleBar(
      {
        format,
        etaBuffer: 50,
        hideCursor: true,
        stream: process.stderr,
        // Without a terminal (logs, CI), a line every 5 s instead of a redrawn bar.
        noTTYOutput: process.stderr.isTTY !== true,
        notTTYSchedule: 5000,
      },
      cliProgress.Presets.shades_classic,
    );
  const centres = make('centres  [{bar}] {value}/{total} | {speed} centres/s | ETA {eta_formatted}');
  const bookings = make(
    'bookings [{bar}] {percentage}% | simulated {simulated} | {events} events | {speed} ev/s | ETA {eta_formatted}',
  );
  let centresStarted = 0;
  let bookingsStarted = 0;
  let centresOn = false;
  let bookingsOn = false;
  return {
    centre(done: number, total: number) {
      if (!enabled) return;
      if (!centresOn) {
        centresOn = true;
        centresStarted = performance.now();
        centres.start(total, 0, { speed: 0 });
      }
      const seconds = (performance.now() - centresStarted) / 1000;
      centres.update(done, { speed: seconds >= 1 ? Math.round(done / seconds) : 0 });
      if (done === total) centres.stop();
    },
    booking(p: SimulationProgress) {
      if (!enabled) return;
      // Progress along simulated time, from the first booking made to now.
      const total = Math.max(1, Math.round((p.to.getTime() - p.from.getTime()) / 60_000));
      const value = Math.min(total, Math.round((p.simulatedAt.getTime() - p.from.getTime()) / 60_000));
      if (!bookingsOn) {
        bookingsOn = true;
        bookingsStarted = performance.now();
      }
      const seconds = (performance.now() - bookingsStarted) / 1000;
      const payload = {
        simulated: p.simulatedAt.toISOString().slice(0, 16).replace('T', ' '),
        events: p.events,
        speed: seconds >= 1 ? Math.round(p.events / seconds) : 0,
      };
      if (value === 0 || !bookings.isActive) bookings.start(total, value, payload);
      else bookings.update(value, payload);
    },
    stop() {
      if (centresOn) centres.stop();
      if (bookingsOn) bookings.stop();
    },
  };
}

const counts = (record: Record<string, number>) =>
  Object.entries(record)
    .sort((a, b) => b[1] - a[1])
    .map(([code, n]) => `${code} ${n}`)
    .join(', ') || 'none';

export function describeStats(stats: SimulationStats): string[] {
  const completed = stats.results.A + stats.results.S + stats.results.R;
  const share = (n: number) => (stats.placed === 0 ? '0' : ((100 * n) / stats.placed).toFixed(1));
  return [
    `bookings placed: ${stats.placed} (contre-visites ${stats.contreVisites})`,
    `  completed ${completed} (${share(completed)} %): A ${stats.results.A}, S ${stats.results.S}, R ${stats.results.R}`,
    `  cancelled ${stats.cancelled} (${share(stats.cancelled)} %), no-shows ${stats.noShows} (${share(stats.noShows)} %), expired holds ${stats.expired} (${share(stats.expired)} %)`,
    `  upcoming confirmed ${stats.confirmedUpcoming}, checked in right now ${stats.checkedInNow}`,
    `  placements refused on every time tried: ${counts(stats.refused)}`,
    `  later commands refused: ${counts(stats.errors)}`,
    `commands ${stats.commands}, events appended ${stats.events}`,
  ];
}

function describeOutcome(outcome: SeedNetworkOutcome, options: ParsedOptions): string[] {
  const { plan } = outcome;
  if (outcome.status === 'exists') {
    return [
      `the network of seed ${options.seed} (${plan.centres.length} centres) already exists: nothing written (skipped).`,
      'Use another --seed to add another network, or a fresh data directory / PTI_DB_SCHEMA for a new one.',
    ];
  }
  if (outcome.status === 'partial') {
    return [
      `the network of seed ${options.seed} is partly there (${outcome.present} of ${plan.centres.length} centres, an interrupted run?): refused, nothing written.`,
      'Use another --seed, or a fresh data directory / PTI_DB_SCHEMA.',
    ];
  }
  const towns = new Set(plan.centres.map((c) => c.town.insee)).size;
  const biggest = [
    ...plan.centres.reduce(
      (m, c) => m.set(c.town.city, (m.get(c.town.city) ?? 0) + 1),
      new Map<string, number>(),
    ),
  ]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([city, n]) => `${city} ${n}`)
    .join(', ');
  const inspectors = plan.centres.reduce((sum, c) => sum + c.setup.inspectors.length, 0);
  const perTenant = plan.tenants
    .map((t) => `${t.name} ${plan.centres.filter((c) => c.tenantId === t.tenantId).length}`)
    .join(', ');
  return [
    `network of seed ${options.seed}: ${plan.centres.length} centres in ${towns} towns (${biggest}, …), ${inspectors} inspectors`,
    `tenants: ${perTenant}`,
    `centres set up in ${(outcome.setupMs / 1000).toFixed(1)} s`,
    `bookings from ${outcome.firstDay} to ${outcome.lastDay} in ${(outcome.bookingsMs / 1000).toFixed(1)} s (${Math.round(outcome.stats.events / Math.max(0.001, outcome.bookingsMs / 1000))} events/s)`,
    ...describeStats(outcome.stats),
  ];
}

/**
 * `pti seed`: a network in real French towns, set up and booked through the write side's command
 * handlers on the configured ledger (see `seedNetwork`). Exit 0 when created or already there
 * (skipped), 1 when a partial network of that seed is found, 2 on bad options.
 */
export async function seedCommand(
  options: SeedCommandOptions,
  out: (line: string) => void = console.log,
): Promise<number> {
  const parsed = parseOptions(options);
  if (typeof parsed === 'string') {
    out(parsed);
    return 2;
  }
  const config = loadConfig();
  const opened = await openSeedWriteSide(config);
  const progress = bars(options.progress ?? process.stderr.isTTY === true);
  try {
    out(
      `seeding ${parsed.centres} centres, ${parsed.tenants} tenants, ${parsed.days} days (seed ${parsed.seed}) on ${opened.runtime.ledger.kind}…`,
    );
    const outcome = await seedNetwork(opened.ctx, {
      ...parsed,
      pastDays: parsed.pastDays,
      concurrency: parsed.concurrency ?? (config.database.kind === 'postgres' ? 8 : 2),
      now: options.now,
      onCentreSetUp: progress.centre,
      onBookingProgress: progress.booking,
    });
    progress.stop();
    for (const line of describeOutcome(outcome, parsed)) out(line);
    return outcome.status === 'partial' ? 1 : 0;
  } finally {
    progress.stop();
    await opened.close();
  }
}
