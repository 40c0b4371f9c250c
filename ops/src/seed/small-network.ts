import { DEMO_TENANT_ID } from '@pti/platform';
import { DEMO_CENTRES, seedDemoNetwork, type WriteSideContext } from '@pti/write-side';
import { type SimulatedCentre, type SimulationStats, simulateBookings } from './booking-simulation.js';
import { planNetwork } from './network-plan.js';
import { atSetUpTime, seedWindow, setUpCentres } from './seed-network.js';

/**
 * What `npm start` creates on its first run: the demo network of the write side (three centres
 * around Lyon and Grenoble, tenant `DEMO_TENANT_ID`, the centres the demo staff accounts belong
 * to, ids unchanged), plus a second network of `centres` centres in real towns, and bookings on
 * all of them over a few days around today (done, cancelled, no-shows, contre-visites, and the
 * upcoming agenda), produced through the command handlers like `pti seed`.
 *
 * Seeded once: when the ledger already holds any centre (a restart, or a real network), nothing is
 * written, exactly like `seedDemoNetwork`.
 */
export interface SmallNetworkOptions {
  /** Centres of the second network (default 20). */
  readonly centres?: number;
  /** Days of appointments, before today, today included then after (default 2 and 3). */
  readonly pastDays?: number;
  readonly upcomingDays?: number;
  /** Mean bookings of an average centre on a full weekday (default 8). */
  readonly bookingsPerDay?: number;
  readonly concurrency?: number;
  readonly now?: Date;
}

export interface SmallNetworkResult {
  readonly created: boolean;
  readonly centres: number;
  readonly stats?: SimulationStats;
}

/** Namespace and seed of the ids of the small network (fixed: every first start is the same network). */
export const SMALL_NETWORK_NAMESPACE = 'pti-small-network';
const SMALL_NETWORK_SEED = 1;

export async function seedSmallNetwork(
  ctx: WriteSideContext,
  options: SmallNetworkOptions = {},
): Promise<SmallNetworkResult> {
  const pastDays = options.pastDays ?? 2;
  const now = options.now ?? new Date();
  const { firstDay, lastDay } = seedWindow(now, pastDays + 1 + (options.upcomingDays ?? 3), pastDays);
  const setUpCtx = atSetUpTime(ctx, firstDay);
  const demo = await seedDemoNetwork(setUpCtx);
  if (!demo.created) return { created: false, centres: demo.centres };
  const plan = planNetwork({
    seed: SMALL_NETWORK_SEED,
    centres: options.centres ?? 20,
    tenants: 1,
    namespace: SMALL_NETWORK_NAMESPACE,
  });
  const concurrency = options.concurrency ?? 4;
  await setUpCentres(setUpCtx, plan.centres, { lanes: concurrency, seed: SMALL_NETWORK_SEED });
  const bookingsPerDay = options.bookingsPerDay ?? 8;
  const centres: SimulatedCentre[] = [
    ...DEMO_CENTRES.map((setup, i) => ({
      index: plan.centres.length + i,
      tenantId: DEMO_TENANT_ID,
      setup,
      bookingsPerDay: (bookingsPerDay * setup.inspectors.length) / 2.67,
    })),
    ...plan.centres.map((c) => ({
      index: c.index,
      tenantId: c.tenantId,
      setup: c.setup,
      bookingsPerDay: (bookingsPerDay * c.setup.inspectors.length) / 2.67,
    })),
  ];
  const stats = await simulateBookings(ctx, centres, {
    seed: SMALL_NETWORK_SEED,
    namespace: SMALL_NETWORK_NAMESPACE,
    firstDay,
    lastDay,
    now,
    concurrency,
  });
  return { created: true, centres: centres.length, stats };
}
