import { describe, expect, it } from 'vitest';
import { DEFAULT_ATTRIBUTION, DEFAULT_TILE_URL, mapConfigFrom } from './map-config.js';
import { INITIAL_TILES, type TileEvent, type TileTracker, trackTiles } from './tile-status.js';

const run = (events: TileEvent['type'][], from: TileTracker = INITIAL_TILES): TileTracker =>
  events.reduce((tracker, type) => trackTiles(tracker, { type } as TileEvent), from);

describe('map settings', () => {
  it('defaults to OpenStreetMap with its attribution', () => {
    expect(mapConfigFrom({})).toEqual({ tileUrl: DEFAULT_TILE_URL, attribution: DEFAULT_ATTRIBUTION });
    expect(DEFAULT_TILE_URL).toBe('https://tile.openstreetmap.org/{z}/{x}/{y}.png');
  });

  it('takes another tile server and its attribution from the build environment', () => {
    expect(
      mapConfigFrom({
        VITE_MAP_TILE_URL: ' https://tuiles.example.fr/{z}/{x}/{y}.png ',
        VITE_MAP_ATTRIBUTION: '© Exemple',
      }),
    ).toEqual({ tileUrl: 'https://tuiles.example.fr/{z}/{x}/{y}.png', attribution: '© Exemple' });
    // Another server does not borrow OpenStreetMap's attribution.
    expect(mapConfigFrom({ VITE_MAP_TILE_URL: '/tuiles/{z}/{x}/{y}.png' })?.attribution).toBe('');
  });

  it('an empty tile URL turns the map off (the list alone)', () => {
    expect(mapConfigFrom({ VITE_MAP_TILE_URL: '' })).toBeNull();
  });
});

describe('tile status', () => {
  it('is ready once tiles come in and the round ends without failure', () => {
    expect(run(['round-started', 'tile-loaded', 'tile-loaded', 'round-done'])).toEqual({
      status: 'ready',
      loaded: 2,
      failedInRound: 0,
    });
  });

  it('one failed tile makes it unavailable at once, even if others load', () => {
    expect(run(['round-started', 'tile-failed']).status).toBe('unavailable');
    expect(run(['round-started', 'tile-failed', 'tile-loaded', 'round-done']).status).toBe('unavailable');
  });

  it('a later round that loads whole clears the notice (back online)', () => {
    const offline = run(['round-started', 'tile-failed', 'tile-failed', 'round-done']);
    expect(run(['round-started', 'tile-loaded', 'round-done'], offline).status).toBe('ready');
  });

  it('a tile server that never answers is reported by the watchdog; a slow one that answered is not', () => {
    expect(run(['round-started', 'no-tile-in-time']).status).toBe('unavailable');
    expect(run(['round-started', 'tile-loaded', 'no-tile-in-time']).status).toBe('ready');
  });
});
