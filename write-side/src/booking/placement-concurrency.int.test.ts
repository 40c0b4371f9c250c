import { calendarStream } from '@pti/events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setUpCentre } from '../centre/centre-setup.js';
import { bookingBody, testCentre } from '../testing/centre-fixtures.js';
import { buildTestApp, systemMeta, type TestApp } from '../testing/test-app.js';
import { TEST_DATABASE_URL } from '../testing/test-store.js';

/**
 * The slot invariant under real contention: 200 customers booking the same start at once, over
 * real HTTP connections, on the PostgreSQL ledger (optimistic concurrency on the day's calendar
 * stream: every conflicting append re-reads and decides again).
 */
const PARALLEL = 200;
const INSPECTORS = 3;

describe.skipIf(!TEST_DATABASE_URL)('parallel placements on one start time (PostgreSQL, HTTP)', () => {
  let t: TestApp;
  let base = '';
  beforeAll(async () => {
    t = await buildTestApp('concurrency', { poolMax: 40 });
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => t.close());

  async function rush(centreId: string, start: string) {
    const responses = await Promise.all(
      Array.from({ length: PARALLEL }, async (_, i) => {
        const body = bookingBody(centreId, start, {
          customer: {
            kind: 'private',
            name: `Client ${i}`,
            email: `client${i}@example.fr`,
            phone: '0612345678',
          },
        });
        const response = await fetch(`${base}/api/v1/bookings`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        return {
          status: response.status,
          body: (await response.json()) as { code?: string; overbooked?: boolean },
        };
      }),
    );
    const held = (await t.store.ledger.readStream(calendarStream(centreId, start.slice(0, 10)))).filter(
      (event) => event.type === 'SlotHeld',
    );
    return { responses, held };
  }

  it(`${PARALLEL} placements, ${INSPECTORS} qualified inspectors, no overbooking: exactly ${INSPECTORS} succeed, the rest get SLOT_TAKEN`, async () => {
    await setUpCentre(
      t.ctx,
      testCentre('rush-1', { inspectors: INSPECTORS, policy: { overbookingPercent: 0 } }),
      systemMeta(),
    );
    const { responses, held } = await rush('rush-1', '2026-06-03T10:00');
    const won = responses.filter((response) => response.status === 201);
    const lost = responses.filter((response) => response.status !== 201);
    expect(won).toHaveLength(INSPECTORS);
    expect(lost.every((response) => response.status === 409 && response.body.code === 'SLOT_TAKEN')).toBe(
      true,
    );
    expect(held).toHaveLength(INSPECTORS);
    const inspectors = new Set(held.map((event) => (event.data as { inspectorId: string }).inspectorId));
    expect(inspectors.size).toBe(INSPECTORS);
  });

  it('with the default 10 % overbooking, one overbooked reservation more is allowed at that start (k + 1)', async () => {
    await setUpCentre(t.ctx, testCentre('rush-2', { inspectors: INSPECTORS }), systemMeta());
    const { responses, held } = await rush('rush-2', '2026-06-03T10:00');
    const won = responses.filter((response) => response.status === 201);
    expect(won).toHaveLength(INSPECTORS + 1);
    expect(won.filter((response) => response.body.overbooked === true)).toHaveLength(1);
    const refused = responses.filter((response) => response.status !== 201);
    // Past the inspectors the answer is the overbooking limit (one per start time), never a 5xx.
    expect(refused.every((response) => response.status === 409 && response.body.code !== undefined)).toBe(
      true,
    );
    expect(held).toHaveLength(INSPECTORS + 1);
  });
});

if (!TEST_DATABASE_URL) {
  console.info('[write-side] DATABASE_URL unset: the parallel-placement test on PostgreSQL is skipped');
}
