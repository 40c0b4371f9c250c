import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calendarStream, centreStream } from '@pti/events';
import { createPgPool, DEMO_TENANT_ID, type Ledger, loadConfig, vaultSchemaFor } from '@pti/platform';
import { DEMO_CENTRES } from '@pti/write-side';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedCommand } from '../src/commands/seed-command.js';
import { planNetwork } from '../src/seed/network-plan.js';
import { centresPresent, seedNetwork, seedWindow, setUpCentres } from '../src/seed/seed-network.js';
import { openSeedWriteSide } from '../src/seed/seed-write-side.js';
import { seedSmallNetwork } from '../src/seed/small-network.js';

// A Wednesday late morning: Monday and Tuesday are done, Wednesday is under way, Thursday is ahead.
const NOW = new Date('2026-03-11T10:30:00Z');
const SEED = 11;
const OPTIONS = {
  centres: '5',
  days: '4',
  pastDays: '2',
  tenants: '2',
  seed: String(SEED),
  bookingsPerDay: '8',
};

const TERMINAL: Readonly<Record<string, string>> = {
  BookingPlaced: 'placed',
  BookingConfirmed: 'confirmed',
  BookingCheckedIn: 'checked_in',
  BookingCompleted: 'completed',
  BookingCancelled: 'cancelled',
  BookingNoShow: 'no_show',
  BookingExpired: 'expired',
};

/** Bookings of the centres' calendar days, read stream by stream (never through the global order). */
async function bookingsOf(ledger: Ledger, centreIds: readonly string[], days: readonly string[]) {
  const ids = new Set<string>();
  for (const centreId of centreIds) {
    for (const date of days) {
      for (const event of await ledger.readStream(calendarStream(centreId, date))) {
        const bookingId = (event.data as { bookingId?: unknown }).bookingId;
        if (event.type === 'SlotHeld' && typeof bookingId === 'string') ids.add(bookingId);
      }
    }
  }
  const statuses: Record<string, number> = {};
  const results: Record<string, number> = {};
  for (const id of ids) {
    let status = 'none';
    for (const event of await ledger.readStream(`booking-${id}`)) {
      status = TERMINAL[event.type] ?? status;
      if (event.type === 'BookingCompleted') {
        const result = String((event.data as { result?: unknown }).result);
        results[result] = (results[result] ?? 0) + 1;
      }
    }
    statuses[status] = (statuses[status] ?? 0) + 1;
  }
  return { total: ids.size, statuses, results };
}

function daysOf(first: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const d = new Date(`${first}T12:00:00Z`);
    d.setUTCDate(d.getUTCDate() + i);
    return d.toISOString().slice(0, 10);
  });
}

const backends = [
  { name: 'PGlite', url: undefined as string | undefined },
  ...(process.env.DATABASE_URL ? [{ name: 'PostgreSQL', url: process.env.DATABASE_URL }] : []),
];

describe.each(backends)('pti seed on $name', ({ url }) => {
  const saved = { ...process.env };
  const schema = `seed_test_${process.pid}`;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pti-seed-'));
    process.env = { ...saved, PTI_DATA_DIR: dir, LOG_LEVEL: 'warn' };
    if (url === undefined) delete process.env.DATABASE_URL;
    else Object.assign(process.env, { DATABASE_URL: url, PTI_DB_SCHEMA: schema });
  });

  afterAll(async () => {
    process.env = saved;
    if (url !== undefined) {
      const pool = createPgPool({ url, max: 1 });
      await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await pool.query(`DROP SCHEMA IF EXISTS ${vaultSchemaFor(schema)} CASCADE`);
      await pool.end();
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the network and books it through the command handlers, then skips a re-run', async () => {
    const lines: string[] = [];
    expect(await seedCommand({ ...OPTIONS, progress: false, now: NOW }, (l) => lines.push(l))).toBe(0);
    expect(lines.join('\n')).toMatch(/network of seed 11: 5 centres/);

    const plan = planNetwork({ seed: SEED, centres: 5, tenants: 2 });
    const { firstDay } = seedWindow(NOW, 4, 2);
    expect(firstDay).toBe('2026-03-09');
    const days = daysOf(firstDay, 4);
    const opened = await openSeedWriteSide(loadConfig());
    let before: Awaited<ReturnType<typeof bookingsOf>>;
    let centreRevision: bigint;
    try {
      const ledger = opened.ctx.env.ledger;
      expect(await centresPresent(opened.ctx, plan.centres)).toBe(5);
      const registered = await ledger.readStream(centreStream(plan.centres[0]?.setup.centreId ?? ''));
      expect(registered[0]?.type).toBe('CentreRegistered');
      expect(registered.some((e) => e.type === 'InspectorAdded')).toBe(true);
      centreRevision = await ledger.streamRevision(centreStream(plan.centres[0]?.setup.centreId ?? ''));

      before = await bookingsOf(
        ledger,
        plan.centres.map((c) => c.setup.centreId),
        days,
      );
      const { statuses, results, total } = before;
      // Monday and Tuesday are done: most bookings completed, some cancelled or missed; Thursday is ahead.
      expect(total).toBeGreaterThan(40);
      expect(Object.keys(statuses).every((s) => Object.values(TERMINAL).includes(s))).toBe(true);
      expect(statuses.completed ?? 0).toBeGreaterThan(total * 0.3);
      expect(statuses.confirmed ?? 0).toBeGreaterThan(0);
      expect(statuses.cancelled ?? 0).toBeGreaterThan(0);
      expect(statuses.cancelled ?? 0).toBeLessThan(total * 0.25);
      expect(results.A ?? 0).toBeGreaterThan((results.S ?? 0) + (results.R ?? 0));
      expect(statuses.placed ?? 0).toBe(0);
    } finally {
      await opened.close();
    }

    // Same seed again: the network is recognised, nothing is written.
    const again: string[] = [];
    expect(await seedCommand({ ...OPTIONS, progress: false, now: NOW }, (l) => again.push(l))).toBe(0);
    expect(again.join('\n')).toMatch(/already exists: nothing written \(skipped\)/);
    const reopened = await openSeedWriteSide(loadConfig());
    try {
      const ledger = reopened.ctx.env.ledger;
      expect(await ledger.streamRevision(centreStream(plan.centres[0]?.setup.centreId ?? ''))).toBe(
        centreRevision,
      );
      const after = await bookingsOf(
        ledger,
        plan.centres.map((c) => c.setup.centreId),
        days,
      );
      expect(after).toEqual(before);

      // A partly present network (an interrupted run) is refused.
      const partial = planNetwork({ seed: 12, centres: 2, tenants: 1 });
      await setUpCentres(reopened.ctx, partial.centres.slice(0, 1), { lanes: 1, seed: 12 });
      const outcome = await seedNetwork(reopened.ctx, {
        seed: 12,
        centres: 2,
        tenants: 1,
        days: 2,
        bookingsPerDay: 4,
        now: NOW,
      });
      expect(outcome.status).toBe('partial');
    } finally {
      await reopened.close();
    }
  }, 600_000);

  it('refuses bad options without opening anything', async () => {
    const lines: string[] = [];
    expect(await seedCommand({ centres: '0' }, (l) => lines.push(l))).toBe(2);
    expect(lines[0]).toContain('--centres must be an integer');
  });
});

describe('seedSmallNetwork (first start)', () => {
  const saved = { ...process.env };
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pti-small-'));
    process.env = { ...saved, PTI_DATA_DIR: dir, LOG_LEVEL: 'warn' };
    delete process.env.DATABASE_URL;
  });
  afterAll(async () => {
    process.env = saved;
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps the demo centres and their ids, adds a second network and bookings, once', async () => {
    const opened = await openSeedWriteSide(loadConfig());
    try {
      const options = { centres: 2, pastDays: 1, upcomingDays: 1, bookingsPerDay: 4, now: NOW };
      const first = await seedSmallNetwork(opened.ctx, options);
      expect(first.created).toBe(true);
      expect(first.centres).toBe(5);
      expect(first.stats?.placed ?? 0).toBeGreaterThan(0);
      const ledger = opened.ctx.env.ledger;
      for (const centre of DEMO_CENTRES) {
        const events = await ledger.readStream(centreStream(centre.centreId));
        expect(events[0]?.type).toBe('CentreRegistered');
        expect(events[0]?.metadata.tenantId).toBe(DEMO_TENANT_ID);
      }
      const demoBookings = await bookingsOf(
        ledger,
        DEMO_CENTRES.map((c) => c.centreId),
        daysOf('2026-03-10', 3),
      );
      expect(demoBookings.total).toBeGreaterThan(0);
      const second = await seedSmallNetwork(opened.ctx, options);
      expect(second.created).toBe(false);
    } finally {
      await opened.close();
    }
  }, 600_000);
});
