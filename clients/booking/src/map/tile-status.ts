/**
 * Whether the map's background can be shown, from the tile layer's events. One failed tile is
 * enough to say so at once (offline, every tile fails; a blocked or down tile server too); a later
 * round of tiles that all load (back online, panned elsewhere) clears it. A server that never
 * answers gives no event: a watchdog reports "no tile after so long" as a failure.
 */

export type TileStatus = 'loading' | 'ready' | 'unavailable';

export interface TileTracker {
  readonly status: TileStatus;
  /** Tiles loaded since the map opened. */
  readonly loaded: number;
  /** Tiles that failed in the current round. */
  readonly failedInRound: number;
}

export type TileEvent =
  | { readonly type: 'round-started' }
  | { readonly type: 'tile-loaded' }
  | { readonly type: 'tile-failed' }
  | { readonly type: 'round-done' }
  | { readonly type: 'no-tile-in-time' };

export const INITIAL_TILES: TileTracker = { status: 'loading', loaded: 0, failedInRound: 0 };

export function trackTiles(tracker: TileTracker, event: TileEvent): TileTracker {
  switch (event.type) {
    case 'round-started':
      return { ...tracker, failedInRound: 0 };
    case 'tile-loaded':
      return {
        ...tracker,
        loaded: tracker.loaded + 1,
        // A tile coming in does not hide a failure of the same round (part of the map is blank).
        status: tracker.failedInRound > 0 ? 'unavailable' : 'ready',
      };
    case 'tile-failed':
      return { ...tracker, failedInRound: tracker.failedInRound + 1, status: 'unavailable' };
    case 'round-done':
      return { ...tracker, status: tracker.failedInRound > 0 ? 'unavailable' : 'ready' };
    case 'no-tile-in-time':
      return tracker.loaded === 0 ? { ...tracker, status: 'unavailable' } : tracker;
  }
}
