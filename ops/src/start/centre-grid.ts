import type { CentreRow } from '@pti/projections';

/**
 * Every centre row, and the same rows bucketed by a grid of `GRID_DEGREES` cells (indices into
 * `rows`), so a search by position scans the few cells its radius covers instead of every centre.
 */
export interface CentreGrid {
  readonly rows: readonly CentreRow[];
  readonly byId: ReadonlyMap<string, CentreRow>;
  readonly cells: ReadonlyMap<string, readonly number[]>;
}

/** A quarter of a degree: about 28 km of latitude, so a 20 km search reads 4 to 9 cells. */
const GRID_DEGREES = 0.25;
/** Past this many cells (huge radius, near a pole or the antimeridian) every row is scanned. */
const MAX_GRID_CELLS = 1_000;

const cellOf = (degrees: number) => Math.floor(degrees / GRID_DEGREES);

export function gridOf(rows: readonly CentreRow[]): CentreGrid {
  const cells = new Map<string, number[]>();
  rows.forEach((row, index) => {
    const key = `${cellOf(Number(row.lat))}:${cellOf(Number(row.lon))}`;
    const cell = cells.get(key);
    if (cell === undefined) cells.set(key, [index]);
    else cell.push(index);
  });
  return { rows, byId: new Map(rows.map((row) => [row.centre_id, row])), cells };
}

/**
 * The rows of the cells covering the bounding box `searchCentresNear` filters on (a superset of
 * its candidates), in the rows' own order so its answers do not change.
 */
export function rowsAround(
  grid: CentreGrid,
  point: { readonly lat: number; readonly lon: number },
  radiusKm: number,
): readonly CentreRow[] {
  const dLat = radiusKm / 111.2;
  const dLon = radiusKm / (111.2 * Math.max(0.01, Math.cos((point.lat * Math.PI) / 180)));
  const [latFrom, latTo] = [cellOf(point.lat - dLat), cellOf(point.lat + dLat)];
  const [lonFrom, lonTo] = [cellOf(point.lon - dLon), cellOf(point.lon + dLon)];
  if (
    (latTo - latFrom + 1) * (lonTo - lonFrom + 1) > MAX_GRID_CELLS ||
    point.lon - dLon < -180 ||
    point.lon + dLon > 180
  ) {
    return grid.rows;
  }
  const indices: number[] = [];
  for (let lat = latFrom; lat <= latTo; lat++) {
    for (let lon = lonFrom; lon <= lonTo; lon++) {
      const cell = grid.cells.get(`${lat}:${lon}`);
      if (cell !== undefined) for (const index of cell) indices.push(index);
    }
  }
  indices.sort((a, b) => a - b);
  return indices.map((index) => grid.rows[index] as CentreRow);
}
