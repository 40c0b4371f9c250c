import { describe, expect, it } from 'vitest';
import type { CentreRow } from './centres-projector.js';
import { searchCentresNear } from './centres-queries.js';

/** The in-memory search by position keeps `searchCentres`' criteria: radius, active, accreditations, price. */
describe('searchCentresNear', () => {
  const row = (id: string, lat: number, lon: number, overrides: Partial<CentreRow> = {}): CentreRow => ({
    tenant_id: 't1',
    centre_id: id,
    code: id,
    name: `Centre ${id}`,
    address: '1 rue de la Paix',
    postcode: '69007',
    city: 'Lyon',
    city_key: 'lyon',
    lat,
    lon,
    phone: '',
    email: '',
    website: null,
    active: true,
    deactivation_reason: null,
    time_zone: 'Europe/Paris',
    opening_hours: {
      monday: [],
      tuesday: [],
      wednesday: [],
      thursday: [],
      friday: [],
      saturday: [],
      sunday: [],
    },
    closures: [],
    prices: [{ controlType: 'CTP', vehicleCategory: 'VP', fuel: null, priceCents: 7_900 }],
    accreditations: ['VL'],
    inspector_count: 2,
    minimum_notice_minutes: 120,
    horizon_days: 60,
    cancellation_cutoff_hours: 24,
    daily_capacity: null,
    ...overrides,
  });
  const lyon = { lat: 45.75, lon: 4.85 };
  const rows = [
    row('far', 45.9, 4.85), // ~17 km north
    row('near', 45.76, 4.85), // ~1 km
    row('outside', 46.5, 4.85), // ~83 km
    row('inactive', 45.751, 4.85, { active: false }),
    row('no-price', 45.752, 4.85, { prices: [] }),
    row('no-gaz', 45.753, 4.85),
    row('gaz', 45.8, 4.85, { accreditations: ['GAZ', 'VL'] }),
  ];

  it('returns the priced, active centres within the radius, nearest first, with distance and price', () => {
    const found = searchCentresNear(rows, {
      position: lyon,
      radiusKm: 20,
      controlType: 'CTP',
      category: 'VP',
      fuel: 'Essence',
    });
    expect(found.map((hit) => hit.centre.centre_id)).toEqual(['no-gaz', 'near', 'gaz', 'far']);
    expect(found[0]?.priceCents).toBe(7_900);
    expect(found[1]?.distanceKm).toBeCloseTo(1.11, 1);
  });

  it('asks GAZ of LPG vehicles, and keeps inactive centres only when asked', () => {
    const gaz = searchCentresNear(rows, { position: lyon, radiusKm: 20, category: 'VP', fuel: 'Gaz' });
    expect(gaz.map((hit) => hit.centre.centre_id)).toEqual(['gaz']);
    const all = searchCentresNear(rows, { position: lyon, radiusKm: 5, includeInactive: true });
    expect(all.map((hit) => hit.centre.centre_id)).toEqual(['inactive', 'no-price', 'no-gaz', 'near']);
  });
});
