import { type CentreRow, searchCentresNear } from '@pti/projections';
import { describe, expect, it } from 'vitest';
import { gridOf, rowsAround } from '../src/start/centre-grid.js';

/** A deterministic pseudo-random sequence (the test must not depend on luck). */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

function centre(n: number, lat: number, lon: number, active: boolean): CentreRow {
  return {
    tenant_id: 'tenant',
    centre_id: `centre-${n}`,
    code: `C${n}`,
    name: `Centre ${n}`,
    address: '1 rue',
    postcode: '69007',
    city: 'Lyon',
    city_key: 'lyon',
    lat,
    lon,
    phone: '',
    email: '',
    website: null,
    active,
    deactivation_reason: null,
    time_zone: 'Europe/Paris',
    opening_hours: {} as CentreRow['opening_hours'],
    closures: [],
    prices: [],
    accreditations: ['VL'],
    inspector_count: 1,
    minimum_notice_minutes: 60,
    horizon_days: 90,
    cancellation_cutoff_hours: 24,
    daily_capacity: null,
  } as CentreRow;
}

describe('the centre grid', () => {
  it('gives searches by position the same answers as a scan of every centre', () => {
    const next = random(7);
    // Metropolitan France, with clusters on cell borders (multiples of a quarter degree).
    const rows = Array.from({ length: 2_000 }, (_, n) => {
      const onBorder = n % 10 === 0;
      const lat = onBorder ? 45.75 : 42 + next() * 9;
      const lon = onBorder ? 4.5 + (n % 7) * 0.25 : -4.5 + next() * 12.5;
      return centre(n, lat, lon, n % 13 !== 0);
    });
    const grid = gridOf(rows);
    for (let query = 0; query < 300; query++) {
      const position = { lat: 42 + next() * 9, lon: -4.5 + next() * 12.5 };
      const radiusKm = [1, 5, 20, 30, 50, 120, 200][query % 7] ?? 20;
      const search = { position, radiusKm, limit: 500 };
      const nearby = rowsAround(grid, position, radiusKm);
      expect(nearby.length).toBeLessThanOrEqual(rows.length);
      expect(searchCentresNear(nearby, search)).toEqual(searchCentresNear(rows, search));
    }
    const border = { position: { lat: 45.75, lon: 4.5 }, radiusKm: 1, limit: 500 };
    expect(searchCentresNear(rowsAround(grid, border.position, 1), border).length).toBeGreaterThan(0);
  });

  it('scans every row when the radius covers too many cells or crosses the antimeridian', () => {
    const rows = [centre(1, 10, 179.9, true), centre(2, 10, -179.9, true)];
    const grid = gridOf(rows);
    expect(rowsAround(grid, { lat: 10, lon: 179.95 }, 50)).toEqual(rows);
    expect(rowsAround(grid, { lat: 89.9, lon: 0 }, 200)).toEqual(rows);
  });
});
