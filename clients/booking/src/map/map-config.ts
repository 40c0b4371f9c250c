/**
 * Where the results map takes its background from. The tile server is a deployment choice (a
 * commercial provider, a cache in front of OpenStreetMap), set at build time:
 *
 * | variable               | default                                              |
 * | ---------------------- | ---------------------------------------------------- |
 * | `VITE_MAP_TILE_URL`    | `https://tile.openstreetmap.org/{z}/{x}/{y}.png`      |
 * | `VITE_MAP_ATTRIBUTION` | © les contributeurs d’OpenStreetMap (with its link)  |
 *
 * An empty `VITE_MAP_TILE_URL` turns the map off: the results are then a list only.
 */

export const DEFAULT_TILE_URL = 'https://tile.openstreetmap.org/{z}/{x}/{y}.png';
export const DEFAULT_ATTRIBUTION =
  '© <a href="https://www.openstreetmap.org/copyright">les contributeurs d’OpenStreetMap</a>';

export interface MapConfig {
  /** Leaflet URL template (`{z}`, `{x}`, `{y}`, optionally `{s}`). */
  readonly tileUrl: string;
  readonly attribution: string;
}

/** The map's settings from the build's environment; `null` when the map is turned off. */
export function mapConfigFrom(env: {
  readonly VITE_MAP_TILE_URL?: string | undefined;
  readonly VITE_MAP_ATTRIBUTION?: string | undefined;
}): MapConfig | null {
  const tileUrl = env.VITE_MAP_TILE_URL ?? DEFAULT_TILE_URL;
  if (tileUrl.trim() === '') return null;
  const attribution = env.VITE_MAP_ATTRIBUTION ?? (tileUrl === DEFAULT_TILE_URL ? DEFAULT_ATTRIBUTION : '');
  return { tileUrl: tileUrl.trim(), attribution };
}

export const MAP_CONFIG: MapConfig | null = mapConfigFrom(import.meta.env);
