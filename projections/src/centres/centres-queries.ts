import type { ControlType, Fuel, VehicleCategory, WeeklyHours } from '@pti/events';
import type { SqlExecutor } from '@pti/platform';
import { findListPrice, instantToLocal, minutesOfTime, requiredAccreditations } from '@pti/write-side/domain';
import { type ProjectionLayout, projectionLayout } from '../runtime/layout.js';
import { type CentreRow, townKey } from './centres-projector.js';

export interface CentreSearch {
  /** Exact postcode (`69007`) or a department prefix (`69`). */
  readonly postcode?: string;
  /** Town name, accent- and case-insensitive; a prefix matches too (`saint-et` → Saint-Étienne). */
  readonly town?: string;
  /** Around a position, within `radiusKm` (default 20 km), nearest first. */
  readonly position?: { readonly lat: number; readonly lon: number };
  readonly radiusKm?: number;
  /** Only centres that price (and can inspect) this control for this vehicle. */
  readonly controlType?: ControlType;
  readonly category?: VehicleCategory;
  readonly fuel?: Fuel;
  /** Include deactivated centres (staff screens); default false. */
  readonly includeInactive?: boolean;
  /** Restrict to one tenant (network). */
  readonly tenantId?: string;
  readonly limit?: number;
}

export interface CentreSearchResult {
  readonly centre: CentreRow;
  /** Distance from `position`, when searched by position. */
  readonly distanceKm: number | null;
  /** Price of the requested control/vehicle, when all three were given. */
  readonly priceCents: number | null;
}

export interface CentresReadDeps {
  readonly db: SqlExecutor;
  readonly layout?: ProjectionLayout;
}

const EARTH_RADIUS_KM = 6371;

/** Great-circle distance in km. */
export function haversineKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

const table = (deps: CentresReadDeps) =>
  `${(deps.layout ?? projectionLayout()).viewSchema(undefined)}.centres`;

/**
 * Search by postcode, town and/or distance (criteria combine with AND), nearest first when a
 * position is given, else by postcode and name. The distance search prefilters on a bounding box
 * (index `(lat, lon)`), then keeps the exact haversine distance ≤ radius.
 */
export async function searchCentres(
  deps: CentresReadDeps,
  search: CentreSearch,
): Promise<CentreSearchResult[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (search.includeInactive !== true) where.push('active');
  if (search.tenantId !== undefined) where.push(`tenant_id = ${param(search.tenantId)}`);
  if (search.postcode !== undefined) {
    where.push(
      search.postcode.length >= 5
        ? `postcode = ${param(search.postcode)}`
        : `postcode like ${param(`${search.postcode.replace(/[%_\\]/g, '')}%`)}`,
    );
  }
  if (search.town !== undefined) {
    const key = townKey(search.town);
    where.push(`(city_key = ${param(key)} or city_key like ${param(`${key.replace(/[%_\\]/g, '')}%`)})`);
  }
  const radiusKm = search.radiusKm ?? 20;
  if (search.position !== undefined) {
    const { lat, lon } = search.position;
    const dLat = radiusKm / 111.2;
    const dLon = radiusKm / (111.2 * Math.max(0.01, Math.cos((lat * Math.PI) / 180)));
    where.push(`lat between ${param(lat - dLat)} and ${param(lat + dLat)}`);
    where.push(`lon between ${param(lon - dLon)} and ${param(lon + dLon)}`);
  }
  if (search.category !== undefined) {
    const needs = requiredAccreditations({ category: search.category, fuel: search.fuel ?? 'Essence' });
    where.push(`accreditations @> ${param(needs)}::text[]`);
  }
  const limit = Math.min(Math.max(search.limit ?? 50, 1), 500);
  const { rows } = await deps.db.query<CentreRow>(
    `select * from ${table(deps)} ${where.length > 0 ? `where ${where.join(' and ')}` : ''}
      order by postcode, name limit ${search.position === undefined ? limit : 5_000}`,
    params,
  );
  return rankedResults(rows, search, radiusKm, limit);
}

/** Every centre row, active or not (the read side keeps them in memory for the search by position). */
export async function allCentres(deps: CentresReadDeps): Promise<CentreRow[]> {
  const { rows } = await deps.db.query<CentreRow>(`select * from ${table(deps)} order by postcode, name`);
  return rows;
}

/**
 * {@link searchCentres} by position over rows held in memory ({@link allCentres}, in its order):
 * the same criteria (active, tenant, accreditations, price, radius), nearest first. A pass over
 * 2,000 centres costs far less than reading the candidates' rows from PostgreSQL.
 */
export function searchCentresNear(
  rows: readonly CentreRow[],
  search: CentreSearch & { readonly position: { readonly lat: number; readonly lon: number } },
): CentreSearchResult[] {
  const radiusKm = search.radiusKm ?? 20;
  const { lat, lon } = search.position;
  const dLat = radiusKm / 111.2;
  const dLon = radiusKm / (111.2 * Math.max(0.01, Math.cos((lat * Math.PI) / 180)));
  const needs =
    search.category === undefined
      ? []
      : requiredAccreditations({ category: search.category, fuel: search.fuel ?? 'Essence' });
  const candidates = rows.filter(
    (centre) =>
      (search.includeInactive === true || centre.active) &&
      (search.tenantId === undefined || centre.tenant_id === search.tenantId) &&
      Math.abs(centre.lat - lat) <= dLat &&
      Math.abs(centre.lon - lon) <= dLon &&
      needs.every((need) => centre.accreditations.includes(need)),
  );
  return rankedResults(candidates, search, radiusKm, Math.min(Math.max(search.limit ?? 50, 1), 500));
}

/** Exact distance within the radius, price of the profile, nearest first when by position. */
function rankedResults(
  rows: readonly CentreRow[],
  search: CentreSearch,
  radiusKm: number,
  limit: number,
): CentreSearchResult[] {
  const results: CentreSearchResult[] = [];
  for (const centre of rows) {
    const distanceKm = search.position === undefined ? null : haversineKm(search.position, centre);
    if (distanceKm !== null && distanceKm > radiusKm) continue;
    let priceCents: number | null = null;
    if (search.controlType !== undefined && search.category !== undefined) {
      const price = findListPrice(
        centre.prices,
        search.controlType,
        search.category,
        search.fuel ?? 'Essence',
      );
      if (price === undefined) continue;
      priceCents = price;
    }
    results.push({ centre, distanceKm, priceCents });
  }
  if (search.position !== undefined) results.sort((a, b) => (a.distanceKm ?? 0) - (b.distanceKm ?? 0));
  return results.slice(0, limit);
}

/** One centre by id (active or not), or undefined. */
export async function centreById(deps: CentresReadDeps, centreId: string): Promise<CentreRow | undefined> {
  const { rows } = await deps.db.query<CentreRow>(`select * from ${table(deps)} where centre_id = $1`, [
    centreId,
  ]);
  return rows[0];
}

const WEEK: readonly (keyof WeeklyHours)[] = [
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
];

/**
 * Whether a centre is open at `now`: active, no closure covering the local date, and the local
 * time inside one of that weekday's intervals ([from, to)).
 */
export function isOpenAt(
  centre: Pick<CentreRow, 'active' | 'opening_hours' | 'closures' | 'time_zone'>,
  now: Date,
): boolean {
  if (!centre.active) return false;
  const local = instantToLocal(now, centre.time_zone);
  if (centre.closures.some((closure) => closure.from <= local.date && local.date <= closure.to)) return false;
  const weekday = WEEK[local.weekday - 1];
  if (weekday === undefined) return false;
  return centre.opening_hours[weekday].some(
    (interval) => minutesOfTime(interval.from) <= local.minutes && local.minutes < minutesOfTime(interval.to),
  );
}
