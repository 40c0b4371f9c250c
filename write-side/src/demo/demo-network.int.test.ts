import { DEMO_CENTRE_ID, DEMO_TENANT_ID } from '@pti/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { placeBooking } from '../booking/place-booking.js';
import { loadCentreOf } from '../centre/centre-loading.js';
import { generateWriteSideSecrets } from '../config/write-side-secrets.js';
import { systemMeta, TEST_START, testClock } from '../testing/test-app.js';
import { countEvents, openTestStore, type TestStore } from '../testing/test-store.js';
import { createWriteSideContext } from '../write-side-context.js';
import { DEMO_CENTRES, seedDemoNetwork } from './demo-network.js';

let store: TestStore;
beforeAll(async () => {
  store = await openTestStore('demo_network');
});
afterAll(() => store.close());

describe('the demo network', () => {
  it('is created once, through the command handlers, in the demo tenant; a restart adds nothing', async () => {
    const ctx = createWriteSideContext({
      ledger: store.ledger,
      secrets: generateWriteSideSecrets(),
      now: testClock(TEST_START).now,
    });
    expect(await seedDemoNetwork(ctx)).toEqual({ created: true, centres: 3 });
    const after = await countEvents(store.ledger);
    const restarted = createWriteSideContext({ ledger: store.ledger, secrets: generateWriteSideSecrets() });
    expect(await seedDemoNetwork(restarted)).toEqual({ created: false, centres: 3 });
    expect(await countEvents(store.ledger)).toBe(after);

    const demo = await loadCentreOf(ctx, DEMO_CENTRE_ID, DEMO_TENANT_ID);
    expect(demo.state).toMatchObject({ status: 'active', details: { city: 'Lyon' } });
    expect(demo.state.inspectors).toHaveLength(4);
    expect(demo.state.openingHours.monday).toHaveLength(2);
    for (const setup of DEMO_CENTRES) {
      const centre = await loadCentreOf(ctx, setup.centreId, DEMO_TENANT_ID);
      expect(centre.state.inspectors.length).toBeGreaterThanOrEqual(2);
    }
    const [first] = await store.ledger.readStream(`centre-${DEMO_CENTRE_ID}`, { limit: 1 });
    expect(first?.metadata).toMatchObject({ tenantId: DEMO_TENANT_ID, actor: { role: 'system' } });
  });

  it('takes bookings: a motorcycle at Lyon goes to an inspector accredited L', async () => {
    const ctx = createWriteSideContext({
      ledger: store.ledger,
      secrets: generateWriteSideSecrets(),
      now: testClock(TEST_START).now,
    });
    const placed = await placeBooking(
      ctx,
      {
        centreId: DEMO_CENTRE_ID,
        start: '2026-06-02T14:00',
        controlType: 'CTP',
        vehicle: { plate: 'AB-123-CD', category: 'Moto', fuel: 'Essence' },
        customer: {
          kind: 'private',
          name: 'Camille Martin',
          email: 'camille@example.fr',
          phone: '0612345678',
        },
        channel: 'web',
        paymentMode: 'on_site',
      },
      systemMeta(DEMO_TENANT_ID),
    );
    expect(placed.priceCents).toBe(7500);
    expect(['44444444-4444-4444-8444-444444444402', '44444444-4444-4444-8444-444444444404']).toContain(
      placed.inspectorId,
    );
  });
});
