import { centreStream } from '@pti/events';
import {
  addDaysToLocalDate,
  instantToLocal,
  localDateTimeToInstant,
  setUpCentre,
  type WriteSideContext,
} from '@pti/write-side';
import { type SimulationProgress, type SimulationStats, simulateBookings } from './booking-simulation.js';
import { type CentrePlan, type NetworkPlan, planNetwork } from './network-plan.js';

/**
 * `pti seed`: a network planned from the seed (tenants, centres in real towns, inspectors, hours,
 * prices, policies), set up through the centre command handlers, then `days` days of bookings
 * simulated through the booking handlers (see `simulateBookings`).
 *
 * Re-running: the ids derive from the seed, so the network of a seed is recognised by its centre
 * streams. All present: nothing is written (`exists`). Some present (an interrupted run): refused
 * (`partial`), since finishing it would mix two runs' bookings; seed another `--seed` or a fresh
 * schema. Another seed adds another network (other tenants) beside the first.
 */
export interface SeedNetworkOptions {
  readonly seed: number;
  readonly centres: number;
  readonly tenants: number;
  readonly days: number;
  /** Of the `days`, how many lie before today (default: half). Today and the rest are upcoming. */
  readonly pastDays?: number;
  /** Mean bookings of a centre with an average team (2.7 inspectors) on a full weekday. */
  readonly bookingsPerDay: number;
  /** Concurrent lanes of commands (default 8). */
  readonly concurrency?: number;
  readonly now?: Date;
  readonly namespace?: string;
  readonly onCentreSetUp?: (done: number, total: number) => void;
  readonly onBookingProgress?: (progress: SimulationProgress) => void;
}

export type SeedNetworkOutcome =
  | {
      readonly status: 'created';
      readonly plan: NetworkPlan;
      readonly firstDay: string;
      readonly lastDay: string;
      readonly stats: SimulationStats;
      readonly setupMs: number;
      readonly bookingsMs: number;
    }
  | { readonly status: 'exists'; readonly plan: NetworkPlan }
  | { readonly status: 'partial'; readonly plan: NetworkPlan; readonly present: number };

const AVERAGE_TEAM = 2.67;

/** How many of the plan's centres already have a stream (read directly, not through the global order). */
export async function centresPresent(ctx: WriteSideContext, centres: readonly CentrePlan[]): Promise<number> {
  let present = 0;
  for (let i = 0; i < centres.length; i += 100) {
    const revisions = await Promise.all(
      centres.slice(i, i + 100).map((c) => ctx.env.ledger.streamRevision(centreStream(c.setup.centreId))),
    );
    present += revisions.filter((r) => r > 0n).length;
  }
  return present;
}

/** Sets the centres up through the command handlers, `lanes` at a time. */
export async function setUpCentres(
  ctx: WriteSideContext,
  centres: readonly CentrePlan[],
  options: { readonly lanes: number; readonly seed: number; readonly onDone?: (done: number) => void },
): Promise<void> {
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, options.lanes) }, async () => {
      for (;;) {
        const centre = centres[next];
        next += 1;
        if (centre === undefined) return;
        await setUpCentre(ctx, centre.setup, {
          origin: {
            tenantId: centre.tenantId,
            actor: { id: 'pti-seed', role: 'system' },
            correlationId: `seed-${options.seed}-centre-${centre.index}`,
          },
        });
        done += 1;
        options.onDone?.(done);
      }
    }),
  );
}

export function seedWindow(
  now: Date,
  days: number,
  pastDays?: number,
): { firstDay: string; lastDay: string } {
  const today = instantToLocal(now).date;
  const past = Math.min(days - 1, Math.max(0, pastDays ?? Math.floor(days / 2)));
  const firstDay = addDaysToLocalDate(today, -past);
  return { firstDay, lastDay: addDaysToLocalDate(firstDay, days - 1) };
}

/**
 * The context the centres are set up with: its clock stands before the first booking the simulation
 * can place (appointments from `firstDay`, booked at most ~30 days ahead), so the ledger tells a
 * consistent story (a centre exists before its bookings), read in time or in order.
 */
export function atSetUpTime(ctx: WriteSideContext, firstDay: string): WriteSideContext {
  const at = localDateTimeToInstant(addDaysToLocalDate(firstDay, -SETUP_DAYS_BEFORE), '07:00');
  return { ...ctx, env: { ...ctx.env, now: () => at } };
}

/** Days before the first appointment day at which the network is set up (more than any booking lead). */
const SETUP_DAYS_BEFORE = 35;

export async function seedNetwork(
  ctx: WriteSideContext,
  options: SeedNetworkOptions,
): Promise<SeedNetworkOutcome> {
  const namespace = options.namespace ?? 'pti-seed';
  const plan = planNetwork({
    seed: options.seed,
    centres: options.centres,
    tenants: options.tenants,
    namespace,
  });
  const present = await centresPresent(ctx, plan.centres);
  if (present === plan.centres.length) return { status: 'exists', plan };
  if (present > 0) return { status: 'partial', plan, present };
  const lanes = options.concurrency ?? 8;
  const now = options.now ?? new Date();
  const { firstDay, lastDay } = seedWindow(now, options.days, options.pastDays);
  const setupStarted = performance.now();
  await setUpCentres(atSetUpTime(ctx, firstDay), plan.centres, {
    lanes,
    seed: options.seed,
    onDone: (done) => options.onCentreSetUp?.(done, plan.centres.length),
  });
  const setupMs = performance.now() - setupStarted;
  const bookingsStarted = performance.now();
  const stats = await simulateBookings(
    ctx,
    plan.centres.map((c) => ({
      index: c.index,
      tenantId: c.tenantId,
      setup: c.setup,
      bookingsPerDay: (options.bookingsPerDay * c.setup.inspectors.length) / AVERAGE_TEAM,
    })),
    {
      seed: options.seed,
      namespace,
      firstDay,
      lastDay,
      now,
      concurrency: lanes,
      onProgress: options.onBookingProgress,
    },
  );
  return {
    status: 'created',
    plan,
    firstDay,
    lastDay,
    stats,
    setupMs,
    bookingsMs: performance.now() - bookingsStarted,
  };
}
