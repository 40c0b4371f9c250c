import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openProjectionSpec, type ProjectionSpec } from '../runtime/testing/projection-spec.js';
import { centreEvents } from '../testing/centre-fixtures.js';
import { centresProjector, townKey } from './centres-projector.js';
import { isOpenAt } from './centres-queries.js';

describe('centres read model', () => {
  let spec: ProjectionSpec;
  beforeAll(async () => {
    spec = await openProjectionSpec(centresProjector);
  });
  afterAll(() => spec.close());

  const centreId = 'st-etienne-nord';
  const setup = centreEvents({
    centreId,
    city: 'Saint-Étienne',
    postcode: '42000',
    accreditations: ['VL', 'GAZ'],
  });

  it('given a registered, configured centre then one searchable row with hours, policy and accreditations', async () => {
    const run = await spec.given([
      ...setup,
      {
        type: 'PriceListSet',
        data: {
          centreId,
          currency: 'EUR',
          entries: [{ controlType: 'CTP', vehicleCategory: 'VP', fuel: null, priceCents: 7800 }],
        },
      },
    ]);
    const [row] = await run.rows('centres');
    expect(row).toMatchObject({
      tenant_id: 'tenant-a',
      centre_id: centreId,
      city: 'Saint-Étienne',
      city_key: 'saint etienne',
      postcode: '42000',
      active: true,
      accreditations: ['GAZ', 'VL'],
      inspector_count: 1,
      horizon_days: 6,
      prices: [{ controlType: 'CTP', vehicleCategory: 'VP', fuel: null, priceCents: 7800 }],
    });
    // No inspector name is kept anywhere.
    const states = await run.rows('centre_states', ['state']);
    expect(JSON.stringify(states)).not.toContain('Inspecteur');
  });

  it('given a deactivation then the row is inactive with its reason; reactivation restores it', async () => {
    const run = await spec.given([
      ...setup,
      { type: 'CentreDeactivated', data: { centreId, reason: 'Travaux' } },
    ]);
    expect(await run.rows('centres', ['active', 'deactivation_reason'])).toEqual([
      { active: false, deactivation_reason: 'Travaux' },
    ]);
    await run.when([{ type: 'CentreReactivated', data: { centreId } }]);
    expect(await run.rows('centres', ['active', 'deactivation_reason'])).toEqual([
      { active: true, deactivation_reason: null },
    ]);
  });

  it('normalises towns and computes open-now with closures', () => {
    expect(townKey('St-Étienne')).toBe('saint etienne');
    expect(townKey("L'Isle-d'Abeau")).toBe('l isle d abeau');
    const centre = {
      active: true,
      time_zone: 'Europe/Paris',
      opening_hours: {
        monday: [{ from: '08:00', to: '12:00' }],
        tuesday: [],
        wednesday: [],
        thursday: [],
        friday: [],
        saturday: [],
        sunday: [],
      },
      closures: [{ closureId: 'c1', from: '2026-03-09', to: '2026-03-09', label: 'Fermé' }],
    };
    expect(isOpenAt(centre, new Date('2026-03-02T07:30:00Z'))).toBe(true); // Monday 08:30 Paris
    expect(isOpenAt(centre, new Date('2026-03-02T11:00:00Z'))).toBe(false); // 12:00: closed
    expect(isOpenAt(centre, new Date('2026-03-09T07:30:00Z'))).toBe(false); // closure
    expect(isOpenAt({ ...centre, active: false }, new Date('2026-03-02T07:30:00Z'))).toBe(false);
  });
});
